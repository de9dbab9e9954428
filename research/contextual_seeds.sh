#!/usr/bin/env bash
# Three seeds of pooled (`skillx train`, `make model` before 2026-12-02) and contextual-trained
# (research/contextual_training.py) encoders, each scored pooled and with the attention mix,
# per-sentence results kept for research/seed_comparison.py. Run alone: about 90 minutes on a
# 2-core CPU, plus 17 minutes for the pooled seed 42. Needs the pairs of `make model`.
#
#   bash research/contextual_seeds.sh [OUT_DIR]
set -euo pipefail
source "$(dirname "$0")/_seeds_common.sh"
out="${1:-$work/seeds}"
mkdir -p "$out/ps"

for seed in 42 43 44; do  # pooled seed 42 is what `make model` trained before `--contextual`
  if [ ! -f "$out/contextual-s$seed/skillx.json" ]; then
    /usr/bin/time -f "contextual-s$seed train %e s" "$py" "$here/contextual_training.py" \
      "$work/pairs.parquet" --tau 0.02 --alpha 0.75 --output "$out/contextual-s$seed" "${val[@]}" \
      --time-budget 2700 --eval-steps 500 --seed "$seed" > "$out/contextual-s$seed.log" 2>&1
  fi
  if [ ! -f "$out/pooled-s$seed/skillx.json" ]; then
    /usr/bin/time -f "pooled-s$seed train %e s" "$skillx" train "$work/pairs.parquet" \
      --output "$out/pooled-s$seed" "${val[@]}" \
      --time-budget 2700 --eval-steps 500 --seed "$seed" > "$out/pooled-s$seed.log" 2>&1
  fi
  for arm in pooled contextual; do
    "$py" "$here/token_attention.py" --model "$out/$arm-s$seed" --tau 0.02 --alpha 0.75 \
      --per-sentence-out "$out/ps" > "$out/$arm-s$seed.eval.txt" 2>&1
  done
done
tail -n 3 "$out"/*.log | grep "train" || true

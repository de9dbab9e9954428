#!/usr/bin/env bash
# Three seeds of pooled (`skillx train`, as `make model`) and contextual-trained
# (research/contextual_training.py) encoders, each scored pooled and with the attention mix,
# per-sentence results kept for research/seed_comparison.py. Run alone: about 90 minutes on a
# 2-core CPU. Needs the pairs and the seed-42 default of `make model` (the pooled seed 42).
#
#   bash research/contextual_seeds.sh [OUT_DIR]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
work="${SKILLX_WORK:-$HOME/.cache/skillx/work}"
out="${1:-$work/seeds}"
shared="${SKILLX_SHARED:-$repo/../shared}"
py="$repo/.venv/bin/python"
skillx="$repo/.venv/bin/skillx"
export SKILLX_ESCO="${SKILLX_ESCO:-$shared/esco}" HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
val=(-b "$shared/benchmark/tech_validation_annotations.csv" -b "$shared/benchmark/house_validation_annotations.csv")
mkdir -p "$out/ps"
test -d "$out/pooled-s42" || ln -s "$work/model-default" "$out/pooled-s42"

for seed in 42 43 44; do
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

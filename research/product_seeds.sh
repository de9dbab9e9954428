#!/usr/bin/env bash
# Three seeds of the product paths, pooled (`skillx train`, as `make model`) and contextual
# (`skillx train --contextual`), each with its own checkpoint choice and fusion fit, scored
# through `skillx.load` (fused and semantic ranker alone) into per-sentence files for
# research/seed_comparison.py. Run alone: about 80 minutes on a 2-core CPU. Needs the pairs and
# the seed-42 default of `make model` (the pooled seed 42).
#
#   bash research/product_seeds.sh [OUT_DIR]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
work="${SKILLX_WORK:-$HOME/.cache/skillx/work}"
out="${1:-$work/product-seeds}"
shared="${SKILLX_SHARED:-$repo/../shared}"
py="$repo/.venv/bin/python"
skillx="$repo/.venv/bin/skillx"
export SKILLX_ESCO="${SKILLX_ESCO:-$shared/esco}" HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
val=(-b "$shared/benchmark/tech_validation_annotations.csv" -b "$shared/benchmark/house_validation_annotations.csv")
mkdir -p "$out/ps"
test -e "$out/pooled-s42" || ln -s "$work/model-default" "$out/pooled-s42"

train() {  # name seed [extra skillx train options]
  local name="$1" seed="$2"
  shift 2
  if [ ! -f "$out/$name/skillx.json" ]; then
    /usr/bin/time -f "$name train %e s" nice -n 5 "$skillx" train "$work/pairs.parquet" \
      --output "$out/$name" "${val[@]}" --time-budget 2700 --eval-steps 500 --seed "$seed" "$@" \
      > "$out/$name.log" 2>&1
  fi
}

for seed in 42 43 44; do
  train "contextual-s$seed" "$seed" --contextual
  test "$seed" = 42 || train "pooled-s$seed" "$seed"
  "$py" "$here/product_per_sentence.py" "$out/pooled-s$seed" "$out/contextual-s$seed" --out "$out/ps" \
    | tee -a "$out/means.txt"
done
tail -n 3 "$out"/*.log | grep " train " || true

#!/usr/bin/env bash
# Does the contextual default gain from a longer run? `skillx train --contextual` (make model's
# recipe) for EPOCHS passes over the capped rows instead of 0.45, final weights (validation only
# before and after training, as make model's 470-step run), against the same seed at 0.45 epoch; both
# scored through `skillx.load` into per-sentence files (RP@1/5/10) for seed_comparison.py.
# The 0.45-epoch reference of a seed is make model's model (seed 42) or a model of
# sense_filter_seeds.sh (SKILLX_WORK/sense-filter/all-sSEED) when one exists; else it is
# trained here. Run alone: about 40 minutes per one-epoch model on a 2-core CPU.
#
#   EPOCHS=1.0 SEEDS="42 43" bash research/training_length_seeds.sh [OUT_DIR]
set -euo pipefail
source "$(dirname "$0")/_seeds_common.sh"
out="${1:-$work/training-length}"
epochs="${EPOCHS:-1.0}"
seeds="${SEEDS:-42 43}"
tag="ep$epochs"
mkdir -p "$out/ps"
config="$out/$tag.json"
echo "{\"optim\": {\"epochs\": $epochs}}" > "$config"

train() {  # name seed [extra skillx train options]
  local name="$1" seed="$2"
  shift 2
  if [ ! -f "$out/$name/skillx.json" ]; then
    /usr/bin/time -f "$name train %e s" nice -n 5 "$skillx" train "$work/pairs.parquet" \
      --output "$out/$name" "${val[@]}" --time-budget 3300 --seed "$seed" --contextual "$@" \
      > "$out/$name.log" 2>&1
  fi
}

for seed in $seeds; do
  if [ "$seed" = 42 ] && [ -f "$work/model-default/skillx.json" ]; then
    reference="$work/model-default"
  elif [ -f "$work/sense-filter/all-s$seed/skillx.json" ]; then
    reference="$work/sense-filter/all-s$seed"
  else
    reference="$out/all-s$seed"
    train "all-s$seed" "$seed" --eval-steps 500
  fi
  train "$tag-s$seed" "$seed" --config "$config" --eval-steps 0
  "$py" "$here/product_per_sentence.py" "$reference" "$out/$tag-s$seed" --out "$out/ps" --k 1 5 10 \
    | tee -a "$out/means.txt"
done
tail -n 3 "$out"/*.log | grep " train " || true

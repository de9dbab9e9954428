#!/usr/bin/env bash
# Does dropping pairs whose match sits inside a job title help? occupation_title_pairs.py on the
# pairs of `make model`, then `skillx train --contextual` (make model's recipe) on the kept pairs
# for each seed, scored through `skillx.load` (k 1, 5, 10) into per-sentence files for
# seed_comparison.py. The all-pairs references are make model's own model (seed 42,
# SKILLX_WORK/model-default) and the seed runs of lr/ or seeds/ (all-s43, all-s44) when they
# exist; otherwise they are trained here. Run alone: 17-18 minutes per trained model.
#
#   SEEDS="42 43 44" bash research/occupation_title_seeds.sh [OUT_DIR]
set -euo pipefail
source "$(dirname "$0")/_seeds_common.sh"
out="${1:-$work/occ}"
seeds="${SEEDS:-42}"
kept="$out/pairs-occ.parquet"
mkdir -p "$out/ps"

if [ ! -f "$kept" ]; then
  "$py" "$here/occupation_title_pairs.py" "$work/pairs.parquet" --output "$kept" | tee "$out/filter.txt"
fi

for seed in $seeds; do
  reference_for "$seed"
  train_on "$kept" "occ-s$seed" "$seed" --contextual
  "$py" "$here/product_per_sentence.py" "$reference" "$out/occ-s$seed" --out "$out/ps" --k 1 5 10 \
    | tee -a "$out/means.txt"
done
tail -n 3 "$out"/*.log | grep " train " || true

#!/usr/bin/env bash
# Does masking transversal mentions help? transversal_mask_pairs.py on the pairs of
# `make model` (P, default 0.5), then `skillx train --contextual` (make model's recipe) on the
# masked pairs for each seed, scored through `skillx.load` (k 1, 5, 10) into per-sentence files
# for seed_comparison.py. The references are make model's own model (seed 42,
# SKILLX_WORK/model-default) and seeds/all-s43, seeds/all-s44 when they exist; otherwise they
# are trained here. Run alone: 17-18 minutes per trained model.
#
#   SEEDS="42 43 44" P=0.5 bash research/transversal_mask_seeds.sh [OUT_DIR]
set -euo pipefail
source "$(dirname "$0")/_seeds_common.sh"
out="${1:-$work/tmask}"
seeds="${SEEDS:-42}"
p="${P:-0.5}"
masked="$out/pairs-tmask-p$p.parquet"
mkdir -p "$out/ps"

if [ ! -f "$masked" ]; then
  "$py" "$here/transversal_mask_pairs.py" "$work/pairs.parquet" --output "$masked" --p "$p" | tee "$out/masks-p$p.txt"
fi

for seed in $seeds; do
  reference_for "$seed"
  train_on "$masked" "tmask-p$p-s$seed" "$seed" --contextual
  "$py" "$here/product_per_sentence.py" "$reference" "$out/tmask-p$p-s$seed" --out "$out/ps" --k 1 5 10 \
    | tee -a "$out/means.txt"
done
tail -n 3 "$out"/*.log | grep " train " || true

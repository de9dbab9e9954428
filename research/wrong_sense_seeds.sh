#!/usr/bin/env bash
# Do explicit wrong-sense negatives undo the lexical prior? wrong_sense_rows.py (the title
# filter of occupation_title_pairs.py, plus one row per dropped sentence whose negative is the
# wrong skill) trained as `make model` trains (`--contextual`) for each seed, scored through
# `skillx.load` (k 1, 5, 10) into per-sentence files beside those of occupation_title_seeds.sh
# (SKILLX_WORK/occ/ps), so the runs compare with all pairs and with the filter alone. Run alone:
# 17-18 minutes per model.
#
#   SEEDS="42 43 44" bash research/wrong_sense_seeds.sh [OUT_DIR]
set -euo pipefail
source "$(dirname "$0")/_seeds_common.sh"
out="${1:-$work/occ}"
seeds="${SEEDS:-42}"
mkdir -p "$out/ps"
train_cmd=("$py" "$here/wrong_sense_rows.py" --rows-out "$out/wrong-sense-rows.parquet")

for seed in $seeds; do
  train_on "$work/pairs.parquet" "wrong-sense-s$seed" "$seed" --contextual
  "$py" "$here/product_per_sentence.py" "$out/wrong-sense-s$seed" --out "$out/ps" --k 1 5 10 \
    | tee -a "$out/means.txt"
done
tail -n 3 "$out"/*.log | grep " train " || true

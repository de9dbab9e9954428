#!/usr/bin/env bash
# Does training on windows around the match help? match_window_pairs.py on the pairs of
# `make model`, then `skillx train --contextual` (make model's recipe) on the windowed pairs for
# each seed, scored through `skillx.load` (k 1, 5, 10) into per-sentence files for
# seed_comparison.py. The references are make model's own model (seed 42,
# SKILLX_WORK/model-default) and seeds/all-s43, seeds/all-s44 when they exist; otherwise they
# are trained here. Run alone: 17-18 minutes per trained model.
#
#   SEEDS="42 43 44" bash research/match_window_seeds.sh [OUT_DIR]
set -euo pipefail
source "$(dirname "$0")/_seeds_common.sh"
out="${1:-$work/win}"
seeds="${SEEDS:-42}"
windowed="$out/pairs-window.parquet"
mkdir -p "$out/ps"

if [ ! -f "$windowed" ]; then
  "$py" "$here/match_window_pairs.py" "$work/pairs.parquet" --output "$windowed" | tee "$out/windows.txt"
fi

for seed in $seeds; do
  reference_for "$seed"
  train_on "$windowed" "window-s$seed" "$seed" --contextual
  "$py" "$here/product_per_sentence.py" "$reference" "$out/window-s$seed" --out "$out/ps" --k 1 5 10 \
    | tee -a "$out/means.txt"
done
tail -n 3 "$out"/*.log | grep " train " || true

#!/usr/bin/env bash
# Does a hubness penalty (CSLS) help across seeds? hubness_penalty.py on make model's recipe
# for each seed (make model's own model for seed 42, seeds/all-sN when it exists, trained here
# otherwise), per-sentence files (k 1, 5, 10) of every setting for seed_comparison.py. No
# training beyond the references; about 5 minutes of scoring per seed. Run alone.
#
#   SEEDS="42 43 44" LAMS="0.25 0.5 1" bash research/hubness_seeds.sh [OUT_DIR]
set -euo pipefail
source "$(dirname "$0")/_seeds_common.sh"
out="${1:-$work/hub}"
seeds="${SEEDS:-42}"
lams=()
for lam in ${LAMS:-0.25 0.5 1}; do lams+=(--lam "$lam"); done
mkdir -p "$out/ps"

for seed in $seeds; do
  reference_for "$seed"
  "$py" "$here/hubness_penalty.py" "$reference" --out "$out/ps" "${lams[@]}" --measure csls --measure mean \
    --k 1 5 10 | tee "$out/hub-s$seed.txt"
done

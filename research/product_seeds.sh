#!/usr/bin/env bash
# Three seeds of the product paths, pooled (`skillx train`, `make model` before 2026-12-02) and contextual
# (`skillx train --contextual`), each with its own checkpoint choice and fusion fit, scored
# through `skillx.load` (fused and semantic ranker alone) into per-sentence files for
# research/seed_comparison.py. Run alone: about 100 minutes on a 2-core CPU. Needs the pairs of
# `make model` (SKILLX_WORK/pairs.parquet).
#
#   bash research/product_seeds.sh [OUT_DIR]
set -euo pipefail
source "$(dirname "$0")/_seeds_common.sh"
out="${1:-$work/product-seeds}"
mkdir -p "$out/ps"

for seed in 42 43 44; do
  train_on "$work/pairs.parquet" "contextual-s$seed" "$seed" --contextual
  train_on "$work/pairs.parquet" "pooled-s$seed" "$seed"
  "$py" "$here/product_per_sentence.py" "$out/pooled-s$seed" "$out/contextual-s$seed" --out "$out/ps" \
    | tee -a "$out/means.txt"
done
tail -n 3 "$out"/*.log | grep " train " || true

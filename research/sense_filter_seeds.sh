#!/usr/bin/env bash
# Does dropping wrong-sense training pairs help? The sibling sense filter
# (sense_filter_pairs.py --judge siblings: keep a pair if the base encoder ranks one of its
# skill's ESCO siblings among the sentence's MAX_RANK best) on the pairs of `make model`, then
# `skillx train --contextual` (make model's recipe) on the kept pairs and on all pairs for each
# seed, both scored through `skillx.load` into per-sentence files for seed_comparison.py.
# Seed 42 on all pairs is `make model`'s own model (SKILLX_WORK/model-default) when it exists.
# EXEMPT_TRANSVERSAL=1 keeps every pair of an ESCO transversal skill (sense_filter_pairs.py
# --exempt-transversal). BY_FORM=N judges (surface form, skill) groups of >= N pairs instead of
# single pairs (sense_filter_pairs.py --by-form). Run alone: about 35 minutes for the filter (once; the ranks are kept),
# 18 per trained model.
#
#   MAX_RANK=200 SEEDS="42 43" bash research/sense_filter_seeds.sh [OUT_DIR]
#   MAX_RANK=200 EXEMPT_TRANSVERSAL=1 bash research/sense_filter_seeds.sh
#   MAX_RANK=500 EXEMPT_TRANSVERSAL=1 BY_FORM=20 SEEDS="42 43" bash research/sense_filter_seeds.sh
set -euo pipefail
source "$(dirname "$0")/_seeds_common.sh"
out="${1:-$work/sense-filter}"
max_rank="${MAX_RANK:-200}"
seeds="${SEEDS:-42}"
exempt="${EXEMPT_TRANSVERSAL:-}"
by_form="${BY_FORM:-}"
tag="${by_form:+form$by_form-}sib$max_rank${exempt:+-xt}"
kept="$out/pairs-$tag.parquet"
mkdir -p "$out/ps"

if [ ! -f "$kept" ]; then
  "$py" "$here/sense_filter_pairs.py" "$work/pairs.parquet" --output "$kept" --judge siblings \
    --max-rank "$max_rank" ${exempt:+--exempt-transversal} ${by_form:+--by-form "$by_form"} \
    --ranks "$out/sibling-ranks.npy" \
    | tee "$out/filter-$tag.txt"
fi

for seed in $seeds; do
  reference="$out/all-s$seed"
  if [ "$seed" = 42 ] && [ -f "$work/model-default/skillx.json" ]; then
    reference="$work/model-default"
  else
    train_on "$work/pairs.parquet" "all-s$seed" "$seed" --contextual
  fi
  train_on "$kept" "$tag-s$seed" "$seed" --contextual
  "$py" "$here/product_per_sentence.py" "$reference" "$out/$tag-s$seed" --out "$out/ps" \
    | tee -a "$out/means.txt"
done
tail -n 3 "$out"/*.log | grep " train " || true

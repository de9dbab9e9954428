#!/usr/bin/env bash
# Does a second round with negatives the trained model mines for each *sentence* help the
# contextual default? Per seed: make model's recipe (the reference: make model's own model for
# seed 42, seeds/all-sN when it exists, trained here otherwise), then a second round that starts
# from it: the ESCO-neighbour negative kept plus one mined negative per row, the `pool` skills
# nearest to the sentence by the reference's embeddings (the positive, the skills matched in
# the same sentence and near-duplicates of the positive above cosine MARGIN left out), 0.15
# epoch at lr 2e-5, data order seeded SEED+100. Trained without validation (final weights: a
# run chosen on validation could keep the reference unchanged), then its fusion fitted on the
# validation files as make model does. Both scored through `skillx.load` (k 1, 5, 10) into
# per-sentence files for seed_comparison.py. Run alone: about 13 minutes per second round.
#
#   SEEDS="42 43 44" QUERY=sentence POOL=30 MARGIN=0.9 bash research/mined_round_seeds.sh [OUT_DIR]
set -euo pipefail
source "$(dirname "$0")/_seeds_common.sh"
out="${1:-$work/mined-round}"
seeds="${SEEDS:-42}"
query="${QUERY:-sentence}"
pool="${POOL:-30}"
margin="${MARGIN:-0.9}"
tag="round2-$query-p$pool"
mkdir -p "$out/ps"

for seed in $seeds; do
  reference_for "$seed"
  name="$tag-s$seed"
  config="$out/$name.json"
  cat > "$config" <<JSON
{"base_model": "$reference", "seed": $((seed + 100)),
 "rows": {"negatives": {"taxonomy": 1, "similar": 1},
          "sampler_options": {"similar": {"query": "$query", "pool": $pool, "margin": $margin}}},
 "optim": {"epochs": 0.15, "learning_rate": 2e-5}}
JSON
  if [ ! -f "$out/$name/skillx.json" ]; then
    /usr/bin/time -f "$name train %e s" nice -n 5 "$skillx" train "$work/pairs.parquet" --output "$out/$name" \
      --config "$config" --contextual --time-budget 1800 > "$out/$name.log" 2>&1
    "$py" -c 'import sys; from skillx.calibration import fit_model_fusion as f; print(f(sys.argv[1], sys.argv[2:]))' \
      "$out/$name" "${val[1]}" "${val[3]}" | tee -a "$out/$name.log"
  fi
  "$py" "$here/product_per_sentence.py" "$reference" "$out/$name" --out "$out/ps" --k 1 5 10 \
    | tee -a "$out/means.txt"
done
tail -n 3 "$out"/*.log | grep " train " || true

#!/usr/bin/env bash
# Does the symmetric contrastive loss help? symmetric_loss.py (make model's recipe with the
# skill-to-sentence direction averaged into the loss) per seed, against make model's recipe at
# the same seed (make model's own model for seed 42, seeds/all-sN when it exists, trained here
# otherwise), both scored through `skillx.load` (k 1, 5, 10) into per-sentence files for
# seed_comparison.py. Run alone: about 18 minutes per trained model.
#
#   SEEDS="42 43 44" bash research/symmetric_loss_seeds.sh [OUT_DIR]
set -euo pipefail
source "$(dirname "$0")/_seeds_common.sh"
out="${1:-$work/symloss}"
seeds="${SEEDS:-42}"
mkdir -p "$out/ps"

for seed in $seeds; do
  reference_for "$seed"
  train_cmd=("$py" "$here/symmetric_loss.py")
  train_on "$work/pairs.parquet" "symloss-s$seed" "$seed" --contextual
  train_cmd=("$skillx" train)
  "$py" "$here/product_per_sentence.py" "$reference" "$out/symloss-s$seed" --out "$out/ps" --k 1 5 10 \
    | tee -a "$out/means.txt"
done
tail -n 3 "$out"/*.log | grep " train " || true

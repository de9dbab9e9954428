# What the seed scripts share (sourced, not run): paths, the offline switches, the validation
# files. The sourcing script sets `out` (its output folder) afterwards from `work`.
here="$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)"
repo="$(dirname "$here")"
work="${SKILLX_WORK:-$HOME/.cache/skillx/work}"
shared="${SKILLX_SHARED:-$repo/../shared}"
py="$repo/.venv/bin/python"
skillx="$repo/.venv/bin/skillx"
export SKILLX_ESCO="${SKILLX_ESCO:-$shared/esco}" HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
val=(-b "$shared/benchmark/tech_validation_annotations.csv" -b "$shared/benchmark/house_validation_annotations.csv")

# train_on PAIRS NAME SEED [extra skillx train options]: `make model`'s training call into
# $out/NAME (skipped when that model exists), its log in $out/NAME.log and its time on stderr.
# A script that trains through a wrapper of `skillx train` sets train_cmd to it.
train_cmd=("$skillx" train)
train_on() {
  local pairs="$1" name="$2" seed="$3"
  shift 3
  if [ ! -f "$out/$name/skillx.json" ]; then
    /usr/bin/time -f "$name train %e s" nice -n 5 "${train_cmd[@]}" "$pairs" --output "$out/$name" \
      "${val[@]}" --time-budget 2700 --eval-steps 500 --seed "$seed" "$@" > "$out/$name.log" 2>&1
  fi
}

# reference_for SEED: sets `reference` to make model's recipe on all pairs at SEED. Seed 42 is
# make model's own model (SKILLX_WORK/model-default), other seeds reuse SKILLX_WORK/seeds/all-sN;
# when neither exists it is trained here into $out/all-sSEED.
reference_for() {
  local seed="$1"
  reference="$out/all-s$seed"
  if [ "$seed" = 42 ] && [ -f "$work/model-default/skillx.json" ]; then
    reference="$work/model-default"
  elif [ -f "$work/seeds/all-s$seed/skillx.json" ]; then
    reference="$work/seeds/all-s$seed"
  else
    train_on "$work/pairs.parquet" "all-s$seed" "$seed" --contextual
  fi
}

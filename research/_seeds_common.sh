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

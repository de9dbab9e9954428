"""After training: fit the fusion boost and score calibration of a model on its validation files.

`skillx.load` reads the model's calibration from the ``"fusion"`` entry of its
``skillx.json``; without one it falls back to the base encoder's parameters (and warns), and
a fine-tuned encoder's cosine scores are not calibrated by those. `skillx train --benchmark`
therefore ends with `fit_model_fusion` on the same validation CSVs it selected the
checkpoint with (never on test splits).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from skillx.errors import ModelError

if TYPE_CHECKING:
    from skillx.fusion import FusionParams
    from skillx.taxonomy import Taxonomy


def fit_model_fusion(
    model_dir: str | Path,
    benchmarks: Sequence[str | Path],
    *,
    taxonomy: Taxonomy | str | Path | None = None,
    esco_version: str = "1.1.0",
) -> FusionParams:
    """Fit the fusion on benchmark CSVs and store it under ``"fusion"`` in the model's ``skillx.json``.

    Args:
        model_dir: A skillx model directory (as written by `SkillEncoderTrainer.save`).
        benchmarks: Validation CSVs (columns ``sentence`` and ``label``); validation splits only.
        taxonomy: The taxonomy the model was trained with (a `Taxonomy` or ESCO files; None:
            as `skillx.load` finds it).
        esco_version: ESCO version when `taxonomy` is not a `Taxonomy`.

    Returns:
        The fitted parameters (also written into ``skillx.json``).

    Raises:
        ModelError: If `model_dir` is not a skillx model directory.
        InputError: If no benchmark is given or a file is unusable.
    """
    from skillx.calibration import fit_extractor_fusion
    from skillx.extractor import load
    from skillx.fusion import default_fusion
    from skillx.model_dir import is_skillx_model_dir, read_model_meta, write_model_meta

    path = Path(model_dir).expanduser()
    if not is_skillx_model_dir(path):
        raise ModelError(
            f"'{path}' is not a skillx model directory (skillx.json + model/). Pass the folder "
            "written by `skillx train --out`."
        )
    # the fit reads raw cosine scores and literal hits only; passing the bundled parameters
    # just silences the "no fusion calibration" warning of a model that has none yet
    extractor = load(path, taxonomy=taxonomy, esco_version=esco_version, fusion=default_fusion())
    params = fit_extractor_fusion(extractor, list(benchmarks), model=str(path))
    meta = read_model_meta(path) or {}
    meta["fusion"] = params.to_dict()
    write_model_meta(path, meta)
    return params

"""`skillx.load`: find a model, its taxonomy and its fusion, and build a `SkillExtractor`.

A model is a skillx model directory (its ``skillx.json`` read as `ModelMeta` gives the
taxonomy version and language, the skill-text mode and the fitted fusion), a plain
sentence-transformers folder, the default model installed in the user cache, or the bundled
base encoder.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skillx.errors import InputError, InputTypeError, ModelError
from skillx.extractor import DEFAULT_BATCH_SIZE, SkillExtractor
from skillx.fusion import FusionParams, default_fusion
from skillx.model_dir import ModelMeta, is_skillx_model_dir, read_model_meta
from skillx.text import DEFAULT_MAX_CHARS

if TYPE_CHECKING:
    from skillx.taxonomy import Taxonomy

logger = logging.getLogger("skillx")


def default_model_dir() -> Path | None:
    """The installed default model (``cache_dir("models", "default")``) if it is a skillx model."""
    from skillx.paths import cache_dir

    path = cache_dir("models") / "default"
    return path if is_skillx_model_dir(path) else None


def resolve_model(model: str | Path | None) -> tuple[str | Path | None, str]:
    """Which model `load` uses, and how to name it: explicit, installed default, or bundled."""
    if model is None or model == "default":
        installed = default_model_dir()
        if installed is not None:
            return installed, f"installed default model at {installed}"
        from skillx.encoder import default_model_path

        return None, f"bundled base encoder all-MiniLM-L6-v2 ({default_model_path()})"
    path = Path(model).expanduser()
    if not path.exists():
        raise ModelError(
            f"No model directory at '{path}'. Pass a skillx model directory (from `skillx train`), "
            "a sentence-transformers model folder, or leave `model` out for the default; "
            "`skillx models` lists the installed ones."
        )
    return path, f"model at {path}"


def load(
    model: str | Path | None = None,
    *,
    taxonomy: Taxonomy | str | Path | None = None,
    esco_version: str = "1.1.0",
    language: str = "en",
    fusion: FusionParams | str | Path | None = None,
    min_score: float | None = None,
    semantic: bool = True,
    literal: bool = True,
    stop_list: Any = "default",
    skill_text: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    max_chars: int = DEFAULT_MAX_CHARS,
    clause_margin: float | None = None,
    precision: float | None = None,
) -> SkillExtractor:
    """Load a ready-to-use `SkillExtractor`.

    Args:
        model: A skillx model directory, a sentence-transformers model folder, or None:
            the default model installed in the user cache (``skillx models``) if any, else
            the bundled all-MiniLM-L6-v2 base encoder. The choice is logged.
        taxonomy: A `Taxonomy`, a path to ESCO files (CSV zip/folder, SKOS), or None for
            ``$SKILLX_ESCO``, the cache or the official download (see `skillx.load_taxonomy`).
        esco_version: ESCO version when `taxonomy` is not a `Taxonomy`.
        language: ESCO language when `taxonomy` is not a `Taxonomy`.
        fusion: Fusion/calibration parameters, or a JSON file of them (default: the model
            directory's ``skillx.json`` ``"fusion"`` entry, else the bundled parameters).
        min_score: Default minimum calibrated score (None: the calibrated threshold).
        semantic: Use the bi-encoder ranker.
        literal: Use the literal label matcher.
        stop_list: Stop list of the literal matcher (see `skillx.matching.LiteralMatcher`).
        skill_text: How skills are embedded (default: the model's own setting).
        batch_size: Sentences per encoder call.
        max_chars: Longest sentence sent to the encoder (longer ones are chunked).
        clause_margin: Turns on clause scoring of the semantic ranker with this margin
            (`skillx.ranker.RECOMMENDED_CLAUSE_MARGIN`; see `skillx.ranker.SemanticRanker`):
            better rankings for sentences that list several requirements, at the cost of
            encoding each clause as well. None (the default) scores whole sentences only.
        precision: A named operating point instead of `min_score`: the threshold that gave
            this precision (e.g. 0.7) out-of-fold on the validation splits, from the curve
            stored with the model's calibration (see docs/decisions.md).

    Returns:
        The extractor; the skill index is built on first use and cached.

    Raises:
        ModelError: If the model directory is missing or unusable.
        TaxonomyNotFoundError: If no taxonomy can be found (the message says where to put it).

    Example:
        >>> import skillx
        >>> extractor = skillx.load(taxonomy="taxonomy/toy/csv")  # doctest: +SKIP
    """
    model_path, description = resolve_model(model)
    meta = read_model_meta(model_path) if model_path is not None and is_skillx_model_dir(model_path) else None
    logger.info("skillx: using %s", description)

    tax = _resolve_taxonomy(taxonomy, esco_version=esco_version, language=language, meta=meta)
    params = _resolve_fusion(fusion, meta, model_path)
    if precision is not None:
        if min_score is not None:
            raise InputError("Pass min_score or precision, not both (precision picks a min_score).")
        min_score = params.threshold_for_precision(precision)

    ranker = None
    if semantic:
        from skillx.ranker import SemanticRanker

        kwargs: dict[str, Any] = {"taxonomy": tax, "clause_margin": clause_margin}
        text_mode = skill_text or (meta.skill_text if meta is not None else None)
        if text_mode:
            kwargs["skill_text"] = text_mode
        ranker = SemanticRanker.from_pretrained(None if model_path is None else str(model_path), **kwargs)
    matcher = None
    if literal:
        from skillx.matching import LiteralMatcher

        matcher = LiteralMatcher(tax, stop_list=stop_list)
    if ranker is None and matcher is None:
        raise InputError("load() needs semantic=True, literal=True or both.")
    return SkillExtractor(
        tax,
        ranker=ranker,
        matcher=matcher,
        fusion=params,
        min_score=min_score,
        model_name=description,
        max_chars=max_chars,
        batch_size=batch_size,
    )


def _resolve_taxonomy(
    taxonomy: Taxonomy | str | Path | None, *, esco_version: str, language: str, meta: ModelMeta | None
) -> Taxonomy:
    """The taxonomy to use: the given one, else ESCO in the model's version and language."""
    from skillx.taxonomy import Taxonomy

    if isinstance(taxonomy, Taxonomy):
        return taxonomy
    if taxonomy is not None and not isinstance(taxonomy, (str, Path)):
        raise InputTypeError(f"taxonomy must be a Taxonomy, a path or None, got {type(taxonomy).__name__}.")
    info = meta.taxonomy if meta is not None else None
    if taxonomy is None and info is not None:
        esco_version = info.version or esco_version
        language = info.language or language
    from skillx.taxonomy.locate import load_taxonomy

    return load_taxonomy(taxonomy, esco_version=esco_version, language=language)


def _resolve_fusion(
    fusion: FusionParams | str | Path | None, meta: ModelMeta | None, model_path: str | Path | None
) -> FusionParams:
    """The fusion to use: the given one, else the model's fitted one, else the bundled one."""
    if isinstance(fusion, FusionParams):
        return fusion
    if fusion is not None:
        return FusionParams.load(fusion)
    if meta is not None and meta.fusion is not None:
        return meta.fusion
    params = default_fusion()
    if model_path is not None:
        logger.warning(
            "skillx: the model at %s has no fusion calibration in its skillx.json; using the "
            "base encoder's (scores may be mis-calibrated). Fit one on validation CSVs with "
            "`skillx benchmark VALIDATION.csv ... --model %s --fit-fusion` (`skillx train "
            "--benchmark` does it after training).",
            model_path,
            model_path,
        )
    return params

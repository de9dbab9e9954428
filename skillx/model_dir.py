"""The on-disk layout of a trained skillx model, and its ``skillx.json`` metadata.

A skillx model directory holds::

    <dir>/skillx.json   metadata (`ModelMeta`): taxonomy name/version/language/fingerprint,
                        skill_text mode, scoring, base model, training config and data
                        summary, validation metrics, fitted fusion, library versions
    <dir>/model/        the sentence-transformers model
    <dir>/index/        the SkillIndex files (optional; rebuilt in the cache when stale)

Nothing is pickled: metadata is plain JSON, read and written only through `read_model_meta`
and `write_model_meta`.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from skillx.contextual import ContextualScoring
from skillx.errors import InputError, ModelError
from skillx.fusion import FusionParams
from skillx.io import atomic_write_text

META_FILE = "skillx.json"
MODEL_SUBDIR = "model"
INDEX_SUBDIR = "index"


def is_skillx_model_dir(directory: str | Path) -> bool:
    """Whether `directory` is a skillx model directory (has ``skillx.json`` and ``model/``).

    Args:
        directory: Any path; need not exist.

    Returns:
        True for a skillx model directory, False otherwise (including a plain
        sentence-transformers model folder).
    """
    path = Path(directory).expanduser()
    return (path / META_FILE).is_file() and (path / MODEL_SUBDIR).is_dir()


META_FORMAT_VERSION = 2
# Layout 2 only adds "scoring" (contextual scoring); a model without it is written as layout 1,
# which every skillx reads, and one with it as 2, which an older skillx refuses rather than
# scoring it pooled against a fusion fitted on contextual scores.
_CONTEXTUAL_LAYOUT = 2
"""Version of the ``skillx.json`` layout written by this skillx (bump on incompatible changes)."""
META_FORMAT = "skillx-model"


@dataclass(frozen=True)
class TaxonomyRef:
    """Which taxonomy a model was trained with.

    Attributes:
        name: Taxonomy name (e.g. ``"ESCO"``).
        version: Taxonomy version (e.g. ``"1.1.0"``).
        language: Language code of the labels.
        fingerprint: `Taxonomy.fingerprint` of the exact skills the model saw.
        skills: Number of skills, or None if unknown.
    """

    name: str = ""
    version: str = ""
    language: str = ""
    fingerprint: str = ""
    skills: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (``skills`` left out when unknown)."""
        data = dataclasses.asdict(self)
        if self.skills is None:
            del data["skills"]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TaxonomyRef:
        """Build from the ``"taxonomy"`` object of a ``skillx.json`` (unknown keys ignored)."""
        skills = data.get("skills")
        return cls(
            name=str(data.get("name") or ""),
            version=str(data.get("version") or ""),
            language=str(data.get("language") or ""),
            fingerprint=str(data.get("fingerprint") or ""),
            skills=int(skills) if isinstance(skills, int) and not isinstance(skills, bool) else None,
        )


BUNDLED_BASE_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
"""The encoder skillx bundles and fine-tunes by default (`skillx.encoder.default_model_path`)."""
BUNDLED_BASE_LICENCE = "Apache-2.0"
"""Licence of `BUNDLED_BASE_MODEL` (its model card on the Hugging Face Hub)."""
UNSTATED_LICENCE = "not stated"


@dataclass(frozen=True)
class CorpusSource:
    """One corpus source a model was trained from (the ``source`` column of the pairs file).

    Attributes:
        name: Source name as written in the corpus.
        pairs: (sentence, skill) pairs from this source in the training pairs file.
        sentences: Distinct sentences from this source among those pairs.
        licence: The licence its user declared (`UNSTATED_LICENCE` when none was given).
    """

    name: str
    pairs: int
    sentences: int
    licence: str = UNSTATED_LICENCE

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CorpusSource:
        """Build from one entry of ``training.data.sources`` or ``package.provenance.sources``."""
        return cls(
            name=str(data.get("name") or ""),
            pairs=int(data.get("pairs") or 0),
            sentences=int(data.get("sentences") or 0),
            licence=str(data.get("licence") or UNSTATED_LICENCE),
        )


@dataclass(frozen=True)
class Provenance:
    """What trained a packaged model: stored as ``package.provenance`` in its ``skillx.json``.

    Attributes:
        sources: Corpus sources with their pair counts and declared licences.
        taxonomy: The taxonomy (ESCO version, fingerprint) the model was trained against.
        base_model: The encoder it was fine-tuned from.
        base_model_licence: That encoder's licence (`UNSTATED_LICENCE` when unknown).
        seed: Training seed, None if not recorded.
        config: The training configuration as its JSON dict.
    """

    sources: tuple[CorpusSource, ...] = ()
    taxonomy: TaxonomyRef | None = None
    base_model: str = BUNDLED_BASE_MODEL
    base_model_licence: str = BUNDLED_BASE_LICENCE
    seed: int | None = None
    config: Mapping[str, Any] = field(default_factory=dict)

    @property
    def unlicensed_sources(self) -> tuple[str, ...]:
        """Sources whose licence was not stated (publish only when this is empty)."""
        return tuple(s.name for s in self.sources if s.licence == UNSTATED_LICENCE)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready ``package.provenance`` object."""
        data = dataclasses.asdict(self)
        data["taxonomy"] = self.taxonomy.to_dict() if self.taxonomy is not None else None
        data["config"] = dict(self.config)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Provenance:
        """Build from a ``package.provenance`` object."""
        taxonomy = data.get("taxonomy")
        seed = data.get("seed")
        return cls(
            sources=tuple(CorpusSource.from_dict(s) for s in data.get("sources") or ()),
            taxonomy=TaxonomyRef.from_dict(taxonomy) if isinstance(taxonomy, Mapping) else None,
            base_model=str(data.get("base_model") or BUNDLED_BASE_MODEL),
            base_model_licence=str(data.get("base_model_licence") or UNSTATED_LICENCE),
            seed=seed if isinstance(seed, int) and not isinstance(seed, bool) else None,
            config=dict(data.get("config") or {}),
        )

    @classmethod
    def of(
        cls,
        meta: ModelMeta,
        *,
        licences: Mapping[str, str] | None = None,
        base_model_licence: str | None = None,
    ) -> Provenance:
        """The provenance of a trained model from its metadata and the licences its user declares.

        The library cannot know a corpus's licence: `licences` maps source names to what the
        user states; sources left out read `UNSTATED_LICENCE`.

        Args:
            meta: The model's metadata (``training.data.sources`` is written by ``skillx train``).
            licences: ``{source: licence}``.
            base_model_licence: Licence of a base encoder other than the bundled one.

        Returns:
            The provenance record.
        """
        licences = dict(licences or {})
        sources = tuple(
            dataclasses.replace(source, licence=licences.get(source.name, source.licence))
            for source in (CorpusSource.from_dict(s) for s in meta.training_data.get("sources") or ())
        )
        base = meta.base_model or BUNDLED_BASE_MODEL
        default_licence = BUNDLED_BASE_LICENCE if base == BUNDLED_BASE_MODEL else UNSTATED_LICENCE
        seed = meta.training_run.get("seed", meta.training_config.get("seed"))
        return cls(
            sources=sources,
            taxonomy=meta.taxonomy,
            base_model=base,
            base_model_licence=base_model_licence or default_licence,
            seed=seed if isinstance(seed, int) and not isinstance(seed, bool) else None,
            config=dict(meta.training_config),
        )


# keys of the "training" object that have their own field; the rest is the run summary
_TRAINING_CONFIG = "config"
_TRAINING_DATA = "data"


@dataclass(frozen=True)
class ModelMeta:
    """The metadata of a skillx model directory (its ``skillx.json``), typed and versioned.

    Frozen: derive an updated record with `replace` (e.g. to store a fitted fusion) and write
    it with `write_model_meta`.

    Attributes:
        format_version: Layout version; a file from a newer skillx is refused on reading.
        skill_text: Skill-text mode the skill index is built with (None: the ranker default).
        skill_tower: ``"frozen"`` or ``"trained"`` skill tower, None if not recorded.
        base_model: The encoder the model was fine-tuned from, None if unknown.
        taxonomy: The taxonomy the model was trained with, None if not recorded.
        training_config: The training configuration as its JSON dict, stored as is.
        training_data: Statistics of the training rows/pairs, stored as is.
        training_run: Other facts of the run (steps, seconds, seed, final loss, ...).
        validation: Validation metrics of the training run (``"best"``, ``"history"``).
        fusion: The fusion calibration fitted for this model, None if not fitted yet.
        contextual: Contextual scoring the model was trained and calibrated for
            (`skillx.contextual`), stored as ``"scoring"``; None: pooled scoring.
        versions: Library versions that wrote the model (skillx, sentence-transformers, ...).
        created: ISO-8601 UTC time of the first write, None if unknown.
        package: Set in a model package (`skillx.packaging`): its name, version, format,
            distribution, the skillx that built it and its `Provenance` (``"provenance"``);
            None for a plain model directory.
        extra: Keys this skillx does not know, kept so that rewriting loses nothing.
    """

    format_version: int = META_FORMAT_VERSION
    skill_text: str | None = None
    skill_tower: str | None = None
    base_model: str | None = None
    taxonomy: TaxonomyRef | None = None
    training_config: Mapping[str, Any] = field(default_factory=dict)
    training_data: Mapping[str, Any] = field(default_factory=dict)
    training_run: Mapping[str, Any] = field(default_factory=dict)
    validation: Mapping[str, Any] = field(default_factory=dict)
    fusion: FusionParams | None = None
    contextual: ContextualScoring | None = None
    versions: Mapping[str, str] = field(default_factory=dict)
    created: str | None = None
    package: Mapping[str, Any] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def replace(self, **changes: Any) -> ModelMeta:
        """A copy with `changes` applied (``dataclasses.replace``)."""
        return dataclasses.replace(self, **changes)

    @property
    def provenance(self) -> Provenance | None:
        """What trained a packaged model (``package.provenance``), None outside a package."""
        data = (self.package or {}).get("provenance")
        return Provenance.from_dict(data) if isinstance(data, Mapping) else None

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready ``skillx.json`` content (None fields and empty sections left out)."""
        data: dict[str, Any] = dict(self.extra)
        data["format"] = META_FORMAT
        data["format_version"] = 1 if self.contextual is None else _CONTEXTUAL_LAYOUT
        for name in ("skill_text", "skill_tower", "base_model", "created"):
            value = getattr(self, name)
            if value is not None:
                data[name] = value
        if self.taxonomy is not None:
            data["taxonomy"] = self.taxonomy.to_dict()
        training: dict[str, Any] = dict(self.training_run)
        if self.training_config:
            training[_TRAINING_CONFIG] = dict(self.training_config)
        if self.training_data:
            training[_TRAINING_DATA] = dict(self.training_data)
        if training:
            data["training"] = training
        if self.validation:
            data["validation"] = dict(self.validation)
        if self.fusion is not None:
            data["fusion"] = self.fusion.to_dict()
        if self.contextual is not None:
            data["scoring"] = self.contextual.to_dict()
        if self.versions:
            data["versions"] = dict(self.versions)
        if self.package is not None:
            data["package"] = dict(self.package)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "model metadata") -> ModelMeta:
        """Build from a ``skillx.json`` dict, of this or any earlier skillx.

        Older layouts are mapped: a top-level ``"metrics"`` becomes `validation`, a missing
        ``format_version`` reads as 1, and ``base_model`` falls back to the training config's.
        Unknown keys are kept in `extra`.

        Args:
            data: The parsed JSON object (e.g. the trainer's metadata dict).
            source: What to call the data in error messages (e.g. the file path).

        Returns:
            The typed record.

        Raises:
            ModelError: If the data was written by a newer skillx, or a known key has the
                wrong type.
        """
        if not isinstance(data, Mapping):
            raise ModelError(f"{source} must be a JSON object, found {type(data).__name__}.")
        version = data.get("format_version", 1)
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise ModelError(
                f"{source} has an invalid format_version {version!r}; expected a positive integer. "
                "Restore skillx.json from the original model directory."
            )
        if version > META_FORMAT_VERSION:
            raise ModelError(
                f"{source} was written by a newer skillx (format_version {version}; this skillx "
                f"reads up to {META_FORMAT_VERSION}). Upgrade skillx: pip install -U skillx."
            )
        fmt = data.get("format", META_FORMAT)
        if fmt != META_FORMAT:
            raise ModelError(
                f"{source} has format {fmt!r}, not {META_FORMAT!r}: it is not skillx model metadata. "
                "Pass the folder written by `skillx train --out`."
            )

        def section(key: str) -> dict[str, Any]:
            value = data.get(key)
            if value is None:
                return {}
            if not isinstance(value, Mapping):
                raise ModelError(
                    f"{source}: '{key}' must be a JSON object, found {type(value).__name__}. Restore "
                    "skillx.json from the original model directory, or train/save the model again."
                )
            return dict(value)

        def text(key: str, value: Any = None) -> str | None:
            value = data.get(key) if value is None else value
            if value is None:
                return None
            if not isinstance(value, str):
                raise ModelError(f"{source}: '{key}' must be a string, found {type(value).__name__}.")
            return value

        training = section("training")
        config = training.pop(_TRAINING_CONFIG, None) or {}
        stats = training.pop(_TRAINING_DATA, None) or {}
        if not isinstance(config, Mapping) or not isinstance(stats, Mapping):
            raise ModelError(f"{source}: 'training.config' and 'training.data' must be JSON objects.")
        validation = section("validation") or section("metrics")  # "metrics": older name
        taxonomy = section("taxonomy")
        fusion_data = section("fusion")
        try:
            fusion = FusionParams.from_dict(fusion_data) if fusion_data else None
        except InputError as exc:
            raise ModelError(
                f"{source}: the stored fusion is unusable ({exc}). Refit it with `skillx benchmark "
                "VALIDATION.csv ... --model DIR --fit-fusion`."
            ) from None
        scoring = section("scoring")
        try:
            contextual = ContextualScoring.from_dict(scoring) if scoring else None
        except InputError as exc:
            raise ModelError(
                f"{source}: the stored scoring is unusable ({exc}). Restore skillx.json from the "
                "original model directory."
            ) from None
        versions = section("versions")
        known = {
            "format", "format_version", "skill_text", "skill_tower", "base_model", "taxonomy",
            "training", "validation", "metrics", "fusion", "scoring", "versions", "created",
            "package",
        }  # fmt: skip
        return cls(
            format_version=META_FORMAT_VERSION,
            skill_text=text("skill_text"),
            skill_tower=text("skill_tower"),
            base_model=text("base_model", data.get("base_model") or config.get("base_model")),
            taxonomy=TaxonomyRef.from_dict(taxonomy) if taxonomy else None,
            training_config=dict(config),
            training_data=dict(stats),
            training_run=training,
            validation=validation,
            fusion=fusion,
            contextual=contextual,
            versions={str(k): str(v) for k, v in versions.items()},
            created=text("created"),
            package=section("package") or None,
            extra={k: v for k, v in data.items() if k not in known},
        )


def read_model_meta(directory: str | Path) -> ModelMeta | None:
    """Read ``<directory>/skillx.json``.

    Args:
        directory: A skillx model directory.

    Returns:
        The metadata, or None when the directory has no ``skillx.json``.

    Raises:
        ModelError: If ``skillx.json`` is not a JSON object, holds a known key of the wrong
            type, or was written by a newer skillx.
    """
    meta_path = Path(directory).expanduser() / META_FILE
    if not meta_path.is_file():
        return None
    try:
        data = json.loads(meta_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelError(
            f"'{meta_path}' is not valid JSON ({exc}). Restore it from the original model "
            "directory, or train/save the model again."
        ) from None
    if not isinstance(data, dict):
        raise ModelError(
            f"'{meta_path}' must hold a JSON object, found {type(data).__name__}. Restore it from "
            "the original model directory, or train/save the model again."
        )
    return ModelMeta.from_dict(data, source=f"'{meta_path}'")


def write_model_meta(directory: str | Path, meta: ModelMeta) -> Path:
    """Write `meta` as ``<directory>/skillx.json`` (atomically; the folder is created).

    A record without ``created`` is stamped with the current UTC time.

    Args:
        directory: The skillx model directory.
        meta: The metadata (build one from a plain dict with `ModelMeta.from_dict`).

    Returns:
        The path of the written file.

    Raises:
        ModelError: If `meta` is not a `ModelMeta` or holds values that are not JSON-serialisable.
    """
    if not isinstance(meta, ModelMeta):
        raise ModelError(
            f"Model metadata must be a ModelMeta, got {type(meta).__name__}. Wrap a dict with "
            "ModelMeta.from_dict(...)."
        )
    if meta.created is None:
        meta = meta.replace(created=datetime.now(timezone.utc).isoformat(timespec="seconds"))
    try:
        text = json.dumps(meta.to_dict(), indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ModelError(
            f"Model metadata is not JSON-serialisable ({exc}). Convert paths, numpy numbers and "
            "other objects to str/int/float/list/dict before saving."
        ) from None
    path = Path(directory).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    target = path / META_FILE
    atomic_write_text(target, text + "\n")
    return target


def runtime_versions() -> dict[str, str]:
    """Versions of skillx and its model libraries installed now (for `ModelMeta.versions`)."""
    from importlib import metadata

    from skillx import __version__

    found = {"skillx": __version__}
    for dist in ("sentence-transformers", "transformers", "torch"):
        try:
            found[dist.replace("-", "_")] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return found

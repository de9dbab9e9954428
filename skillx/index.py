"""`SkillIndex`: embeddings of the skill texts of a taxonomy, with exact top-k search.

A skill is represented by one or more texts, chosen by a *skill-text mode* registered by
name (``preferred``, ``preferred+alt``, ``label+description``; add your own with
`register_skill_text`). With several texts per skill, text scores are aggregated back to
one score per skill (``max`` or ``mean``).

On disk an index is three files: ``embeddings.npy`` (float32, one row per text, unit
length), ``owners.npy`` (int32, the skill row of each text, ascending) and ``index.json``
(format, mode, and the fingerprints of model and taxonomy). Nothing is pickled. An index
whose fingerprints do not match the model, taxonomy or mode asked for is stale:
`SkillIndex.load` refuses it and `SkillIndex.load_or_build` rebuilds it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from skillx.errors import InputError, SkillIndexError, StaleIndexError, TaxonomyError, unknown_name
from skillx.io import atomic_path, atomic_write_text
from skillx.paths import cache_dir
from skillx.taxonomy import Skill, Taxonomy

logger = logging.getLogger("skillx")

FORMAT_VERSION = 1
META_FILE = "index.json"
EMBEDDINGS_FILE = "embeddings.npy"
OWNERS_FILE = "owners.npy"
# Upper bound of the temporary query x text score block, in bytes (see `SkillIndex.scores`).
DEFAULT_MEMORY_BUDGET = 256 << 20
MAX_QUERY_CHUNK = 1024

SkillTextFn = Callable[[Skill], Sequence[str]]
_SKILL_TEXTS: dict[str, SkillTextFn] = {}
AGGREGATIONS = ("max", "mean")


# -- skill-text modes ---------------------------------------------------------------------
def register_skill_text(name: str) -> Callable[[SkillTextFn], SkillTextFn]:
    """Register a skill-text mode: a function from a `Skill` to its texts (at least one).

    Example:
        >>> @register_skill_text("label+type")
        ... def _label_type(skill):
        ...     return [f"{skill.preferred_label} ({skill.skill_type})"]
    """

    def decorator(fn: SkillTextFn) -> SkillTextFn:
        _SKILL_TEXTS[name] = fn
        return fn

    return decorator


def skill_text_names() -> tuple[str, ...]:
    """Names of the registered skill-text modes."""
    return tuple(_SKILL_TEXTS)


def get_skill_text(name: str) -> SkillTextFn:
    """The skill-text function registered as `name`.

    Raises:
        UnknownNameError: If no mode has that name (the message lists the known ones).
    """
    try:
        return _SKILL_TEXTS[name]
    except KeyError:
        raise unknown_name("skill-text mode", name, tuple(_SKILL_TEXTS)) from None


@register_skill_text("preferred")
def _preferred(skill: Skill) -> list[str]:
    return [skill.preferred_label]


@register_skill_text("preferred+alt")
def _preferred_alt(skill: Skill) -> list[str]:
    return list(dict.fromkeys(t for t in (skill.preferred_label, *skill.alt_labels) if t.strip()))


@register_skill_text("label+description")
def _label_description(skill: Skill) -> list[str]:
    description = skill.description.strip()
    return [f"{skill.preferred_label}: {description}" if description else skill.preferred_label]


def skill_texts(taxonomy: Taxonomy, skill_text: str) -> tuple[list[str], np.ndarray]:
    """The texts of every skill under a mode, and the skill row owning each text.

    Args:
        taxonomy: The taxonomy.
        skill_text: A registered skill-text mode.

    Returns:
        ``(texts, owners)``: texts grouped by skill in taxonomy order, and an int32 array
        of the same length with the skill row of each text (ascending). A skill whose mode
        gives no text falls back to its preferred label.
    """
    fn = get_skill_text(skill_text)
    texts: list[str] = []
    owners: list[int] = []
    for row, skill in enumerate(taxonomy):
        own = [t for t in fn(skill) if isinstance(t, str) and t.strip()] or [skill.preferred_label]
        texts.extend(own)
        owners.extend([row] * len(own))
    return texts, np.asarray(owners, dtype=np.int32)


def _check_aggregation(aggregation: str) -> str:
    if aggregation not in AGGREGATIONS:
        raise unknown_name("aggregation", aggregation, AGGREGATIONS)
    return aggregation


def default_index_dir(model_fingerprint: str, taxonomy: Taxonomy, skill_text: str) -> Path:
    """Cache folder of the index for this model, taxonomy and mode (``cache_dir("index", key)``)."""
    key = hashlib.sha256(f"{model_fingerprint}|{taxonomy.fingerprint}|{skill_text}".encode()).hexdigest()
    slug = re.sub(r"[^A-Za-z0-9.]+", "-", f"{taxonomy.name}-{taxonomy.version}-{skill_text}").strip("-")
    return cache_dir("index", f"{slug}-{key[:16]}")


# -- top-k with deterministic ties --------------------------------------------------------
def top_k_rows(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Best `k` columns of each row, best first, equal scores ordered by column.

    Args:
        scores: Array ``(n_rows, n_cols)``.
        k: How many per row (clipped to ``n_cols``).

    Returns:
        ``(indices, values)``, both ``(n_rows, min(k, n_cols))``; indices are int64.
    """
    n_cols = scores.shape[1]
    k = min(k, n_cols)
    if k == n_cols:
        order = np.argsort(-scores, axis=1, kind="stable")
        return order.astype(np.int64), np.take_along_axis(scores, order, axis=1)
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    part_scores = np.take_along_axis(scores, part, axis=1)
    order = np.lexsort((part, -part_scores), axis=1)
    indices = np.take_along_axis(part, order, axis=1).astype(np.int64)
    values = np.take_along_axis(part_scores, order, axis=1)
    threshold = values[:, -1]
    # Rows where the k-th score is tied with columns left out: pick the lowest columns.
    tied = np.flatnonzero((scores >= threshold[:, None]).sum(axis=1) > k)
    for row in tied:
        cand = np.flatnonzero(scores[row] >= threshold[row])
        best = cand[np.lexsort((cand, -scores[row, cand]))[:k]]
        indices[row] = best
        values[row] = scores[row, best]
    return indices, values


class SkillIndex:
    """Normalised embeddings of the skill texts of one taxonomy, searched exactly.

    Build with `SkillIndex.build`, restore with `SkillIndex.load` or `SkillIndex.load_or_build`.

    Attributes:
        uris: Skill URIs in taxonomy order (column order of `scores`).
        skill_text: The skill-text mode the index was built with.
        aggregation: How scores of several texts of one skill combine (``max`` or ``mean``);
            may be changed on a built index.
        n_skills: Number of skills.
        n_texts: Number of embedded texts (equal to `n_skills` for single-text modes).
        model_fingerprint: Fingerprint of the encoder that made the embeddings.
        taxonomy_fingerprint: Fingerprint of the taxonomy.
        embeddings: float32 array ``(n_texts, dim)``, rows of unit length.
        owners: int32 array ``(n_texts,)``, skill row of each text, ascending.
    """

    def __init__(
        self,
        embeddings: np.ndarray,
        owners: np.ndarray,
        *,
        uris: Sequence[str],
        skill_text: str,
        model_fingerprint: str,
        taxonomy_fingerprint: str,
        aggregation: str = "max",
        memory_budget: int = DEFAULT_MEMORY_BUDGET,
    ) -> None:
        embeddings = np.ascontiguousarray(embeddings, dtype=np.float32)
        owners = np.asarray(owners, dtype=np.int32)
        self.uris = tuple(uris)
        self.n_skills = len(self.uris)
        if self.n_skills == 0:
            raise TaxonomyError("The taxonomy has no skills, so there is nothing to index or rank.")
        if embeddings.ndim != 2 or owners.shape != (embeddings.shape[0],):
            raise SkillIndexError(
                f"Embeddings {embeddings.shape} and owners {owners.shape} do not fit together; "
                "rebuild the index with SkillIndex.build(...)."
            )
        bad = int(embeddings.size - np.count_nonzero(np.isfinite(embeddings)))
        if bad:
            raise SkillIndexError(
                f"The skill index holds {bad} NaN or infinite embedding value(s), so its scores "
                "would be meaningless. If it was read from disk, delete the folder and rebuild "
                "it (SkillIndex.load_or_build rebuilds it for you); if it was just built, the "
                "encoder returns NaN: check the model files (a training run that diverged?)."
            )
        starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]]) if owners.size else owners
        if (
            owners.size == 0
            or np.any(np.diff(owners) < 0)
            or not np.array_equal(owners[starts], np.arange(self.n_skills))
        ):
            raise SkillIndexError(
                "The index does not hold at least one text for every skill, in taxonomy order; "
                "rebuild it with SkillIndex.build(...)."
            )
        self.embeddings = embeddings
        self.owners = owners
        self._starts = starts.astype(np.intp)
        self._counts = np.diff(np.r_[self._starts, owners.size]).astype(np.float32)
        self.n_texts = int(owners.size)
        self.skill_text = skill_text
        self.aggregation = _check_aggregation(aggregation)
        self.model_fingerprint = model_fingerprint
        self.taxonomy_fingerprint = taxonomy_fingerprint
        self.memory_budget = memory_budget

    def __repr__(self) -> str:
        return (
            f"SkillIndex(skill_text={self.skill_text!r}, aggregation={self.aggregation!r}, "
            f"n_skills={self.n_skills}, n_texts={self.n_texts}, dim={self.dim})"
        )

    @property
    def dim(self) -> int:
        """Embedding width."""
        return int(self.embeddings.shape[1])

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def build(
        cls,
        taxonomy: Taxonomy,
        encoder: Any,
        *,
        skill_text: str = "preferred",
        aggregation: str = "max",
        batch_size: int = 64,
        show_progress: bool | None = None,
        model_fingerprint: str | None = None,
    ) -> SkillIndex:
        """Embed the skill texts of `taxonomy` with `encoder`.

        Args:
            taxonomy: The skills to index.
            encoder: A sentence-transformers encoder (see `skillx.encoder.load_encoder`).
            skill_text: Registered skill-text mode (``preferred``, ``preferred+alt``,
                ``label+description``, ...).
            aggregation: ``max`` or ``mean`` over the texts of a skill.
            batch_size: Texts per encoder pass.
            show_progress: Progress bar; None shows one for long jobs.
            model_fingerprint: Fingerprint recorded for the encoder; by default
                `skillx.encoder.model_fingerprint(encoder)`.

        Returns:
            The index.

        Raises:
            TaxonomyError: If the taxonomy has no skills.
            UnknownNameError: For an unknown mode or aggregation.
        """
        from skillx.encoder import encode
        from skillx.encoder import model_fingerprint as fingerprint_of

        _check_aggregation(aggregation)
        if len(taxonomy) == 0:
            raise TaxonomyError(
                "The taxonomy has no skills, so there is nothing to index or rank. Load a "
                "taxonomy with skills (e.g. skillx.read_esco_csv(path))."
            )
        texts, owners = skill_texts(taxonomy, skill_text)
        unique = list(dict.fromkeys(texts))
        position = {text: i for i, text in enumerate(unique)}
        unique_embeddings = encode(encoder, unique, batch_size=batch_size, show_progress=show_progress)
        embeddings = unique_embeddings[np.fromiter((position[t] for t in texts), np.intp, len(texts))]
        return cls(
            embeddings,
            owners,
            uris=taxonomy.uris,
            skill_text=skill_text,
            aggregation=aggregation,
            model_fingerprint=model_fingerprint or fingerprint_of(encoder),
            taxonomy_fingerprint=taxonomy.fingerprint,
        )

    def save(self, directory: str | Path) -> Path:
        """Write the index to `directory` (created if needed; files replaced atomically).

        Returns:
            The directory.
        """
        path = Path(directory).expanduser()
        path.mkdir(parents=True, exist_ok=True)
        (path / META_FILE).unlink(missing_ok=True)  # an index without its JSON is never read
        _atomic_save_npy(path / EMBEDDINGS_FILE, self.embeddings)
        _atomic_save_npy(path / OWNERS_FILE, self.owners)
        meta = {
            "format_version": FORMAT_VERSION,
            "skill_text": self.skill_text,
            "aggregation": self.aggregation,
            "n_skills": self.n_skills,
            "n_texts": self.n_texts,
            "dim": self.dim,
            "model_fingerprint": self.model_fingerprint,
            "taxonomy_fingerprint": self.taxonomy_fingerprint,
        }
        atomic_write_text(path / META_FILE, json.dumps(meta, indent=2, sort_keys=True) + "\n")
        return path

    @staticmethod
    def read_meta(directory: str | Path) -> dict[str, Any]:
        """The ``index.json`` of a saved index.

        Raises:
            SkillIndexError: If there is no readable index in `directory`.
        """
        meta_path = Path(directory).expanduser() / META_FILE
        if not meta_path.is_file():
            raise SkillIndexError(
                f"No skill index at '{meta_path.parent}' (no {META_FILE}). Build one with "
                "SkillIndex.build(taxonomy, encoder).save(directory), or use SkillIndex.load_or_build."
            )
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise SkillIndexError(
                f"'{meta_path}' is not valid JSON ({exc}); delete the folder and rebuild the index."
            ) from None
        if not isinstance(meta, dict) or meta.get("format_version") != FORMAT_VERSION:
            raise SkillIndexError(
                f"'{meta_path}' is not a skillx index of format {FORMAT_VERSION}; delete the "
                "folder and rebuild the index."
            )
        return meta

    @classmethod
    def load(
        cls,
        directory: str | Path,
        *,
        taxonomy: Taxonomy,
        encoder_fingerprint: str | None = None,
        skill_text: str | None = None,
        aggregation: str | None = None,
    ) -> SkillIndex:
        """Read a saved index, checking that it belongs to `taxonomy` (and model, mode).

        Args:
            directory: Folder written by `save`.
            taxonomy: The taxonomy the index must have been built from.
            encoder_fingerprint: If given, the model fingerprint the index must carry.
            skill_text: If given, the mode the index must have been built with.
            aggregation: Override the saved aggregation (it does not change the embeddings).

        Returns:
            The index.

        Raises:
            SkillIndexError: If there is no readable index there.
            StaleIndexError: If it was built from another taxonomy, model or mode.
        """
        path = Path(directory).expanduser()
        meta = cls.read_meta(path)
        stale = []
        if meta.get("taxonomy_fingerprint") != taxonomy.fingerprint:
            stale.append("taxonomy")
        if encoder_fingerprint is not None and meta.get("model_fingerprint") != encoder_fingerprint:
            stale.append("model")
        if skill_text is not None and meta.get("skill_text") != skill_text:
            stale.append(f"skill-text mode ({meta.get('skill_text')!r}, asked {skill_text!r})")
        if stale:
            raise StaleIndexError(
                f"The skill index at '{path}' was built for another {', '.join(stale)}. Rebuild it "
                "with SkillIndex.build(...).save(directory), or use SkillIndex.load_or_build."
            )
        try:
            embeddings = np.load(path / EMBEDDINGS_FILE, allow_pickle=False)
            owners = np.load(path / OWNERS_FILE, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise SkillIndexError(
                f"Could not read the skill index arrays in '{path}' ({exc}); delete the folder and "
                "rebuild the index."
            ) from None
        expected = (meta.get("n_texts"), meta.get("dim"))
        if embeddings.shape != expected or len(taxonomy) != meta.get("n_skills"):
            raise SkillIndexError(
                f"The skill index files in '{path}' are inconsistent with {META_FILE}; delete the "
                "folder and rebuild the index."
            )
        return cls(
            embeddings,
            owners,
            uris=taxonomy.uris,
            skill_text=str(meta["skill_text"]),
            aggregation=aggregation or str(meta.get("aggregation", "max")),
            model_fingerprint=str(meta["model_fingerprint"]),
            taxonomy_fingerprint=str(meta["taxonomy_fingerprint"]),
        )

    @classmethod
    def load_or_build(
        cls,
        directory: str | Path | None,
        taxonomy: Taxonomy,
        encoder: Any,
        *,
        skill_text: str = "preferred",
        aggregation: str = "max",
        batch_size: int = 64,
        show_progress: bool | None = None,
        model_fingerprint: str | None = None,
    ) -> SkillIndex:
        """Load the index in `directory` if it matches model, taxonomy and mode; else build and save it.

        Args:
            directory: Where the index lives; None for the user cache
                (``cache_dir("index", <key of model, taxonomy and mode>)``).
            taxonomy: The skills to index.
            encoder: The encoder.
            skill_text: Skill-text mode.
            aggregation: ``max`` or ``mean``.
            batch_size: Texts per encoder pass when building.
            show_progress: Progress bar when building; None shows one for long jobs.
            model_fingerprint: Fingerprint of the encoder; by default
                `skillx.encoder.model_fingerprint(encoder)`.

        Returns:
            The index (rebuilt, never silently reused, when stale).
        """
        from skillx.encoder import model_fingerprint as fingerprint_of

        get_skill_text(skill_text)
        _check_aggregation(aggregation)
        fingerprint = model_fingerprint or fingerprint_of(encoder)
        path = (
            Path(directory).expanduser()
            if directory is not None
            else default_index_dir(fingerprint, taxonomy, skill_text)
        )
        try:
            return cls.load(
                path,
                taxonomy=taxonomy,
                encoder_fingerprint=fingerprint,
                skill_text=skill_text,
                aggregation=aggregation,
            )
        except StaleIndexError as exc:
            logger.warning("skillx: rebuilding the stale skill index (this takes a while): %s", exc)
        except SkillIndexError as exc:
            if (path / META_FILE).exists():  # there is an index, but it cannot be used
                logger.warning("skillx: rebuilding the unusable skill index (this takes a while): %s", exc)
            else:
                logger.info("Building skill index in %s", path)
        index = cls.build(
            taxonomy,
            encoder,
            skill_text=skill_text,
            aggregation=aggregation,
            batch_size=batch_size,
            show_progress=show_progress,
            model_fingerprint=fingerprint,
        )
        index.save(path)
        return index

    # -- search ---------------------------------------------------------------------------
    def _query_chunk(self) -> int:
        per_query = 4 * 2 * (self.n_texts + self.n_skills)
        return int(max(1, min(MAX_QUERY_CHUNK, self.memory_budget // per_query)))

    def _check_queries(self, query_embeddings: np.ndarray) -> np.ndarray:
        queries = np.asarray(query_embeddings, dtype=np.float32)
        if queries.ndim == 1:
            queries = queries[None, :]
        if queries.ndim != 2 or queries.shape[1] != self.dim:
            raise InputError(
                f"Query embeddings must have shape (n, {self.dim}), got {tuple(np.shape(query_embeddings))}. "
                "Encode the queries with the same encoder the index was built with."
            )
        return queries

    def _skill_scores(self, queries: np.ndarray) -> np.ndarray:
        return self.aggregate_texts(queries @ self.embeddings.T)

    def aggregate_texts(self, text_scores: np.ndarray) -> np.ndarray:
        """Per-skill scores from per-text scores, combined as the index's `aggregation` says.

        Args:
            text_scores: ``(n, n_texts)`` (or ``(n_texts,)``) scores of the index's texts.

        Returns:
            ``(n, n_skills)`` (or ``(n_skills,)``), columns in taxonomy order.
        """
        if self.n_texts == self.n_skills:
            return text_scores
        axis = text_scores.ndim - 1
        if self.aggregation == "max":
            return np.maximum.reduceat(text_scores, self._starts, axis=axis)
        return np.add.reduceat(text_scores, self._starts, axis=axis) / self._counts

    def scores(self, query_embeddings: np.ndarray, *, chunk_size: int | None = None) -> np.ndarray:
        """Cosine score of every query against every skill.

        Args:
            query_embeddings: ``(n_queries, dim)`` unit-length rows (a 1-D vector is one query).
            chunk_size: Queries per block; by default as many as fit the memory budget
                (at most 1024).

        Returns:
            float32 ``(n_queries, n_skills)``, columns in taxonomy order.
        """
        queries = self._check_queries(query_embeddings)
        step = chunk_size or self._query_chunk()
        out = np.empty((queries.shape[0], self.n_skills), dtype=np.float32)
        for start in range(0, queries.shape[0], step):
            out[start : start + step] = self._skill_scores(queries[start : start + step])
        return out

    def top_k(
        self, query_embeddings: np.ndarray, k: int, *, chunk_size: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The `k` best skills of every query, best first; equal scores by taxonomy position.

        Args:
            query_embeddings: ``(n_queries, dim)`` unit-length rows.
            k: Skills per query (clipped to `n_skills`).
            chunk_size: Queries per block (memory bound). Results do not depend on it, up to
                the last float32 bit that BLAS may round differently for other block shapes.

        Returns:
            ``(indices, scores)``: int64 skill rows and float32 scores, ``(n_queries, k)``.

        Raises:
            InputError: If `k` < 1 or the embeddings have the wrong width.
        """
        if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
            raise InputError(f"k must be a positive integer, got {k!r}.")
        queries = self._check_queries(query_embeddings)
        k = min(int(k), self.n_skills)
        step = chunk_size or self._query_chunk()
        indices = np.empty((queries.shape[0], k), dtype=np.int64)
        values = np.empty((queries.shape[0], k), dtype=np.float32)
        for start in range(0, queries.shape[0], step):
            block = self._skill_scores(queries[start : start + step])
            indices[start : start + step], values[start : start + step] = top_k_rows(block, k)
        return indices, values


def _atomic_save_npy(target: Path, array: np.ndarray) -> None:
    with atomic_path(target, suffix=".npy") as tmp, tmp.open("wb") as handle:
        np.save(handle, array, allow_pickle=False)

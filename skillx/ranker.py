"""`SemanticRanker`: rank the skills of a taxonomy for sentences with a bi-encoder."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from skillx.contextual import ContextualScoring, attention_block_scores, check_scoring_mode, resolve_scoring
from skillx.errors import InputError, SkillIndexError, TaxonomyError
from skillx.index import SkillIndex, top_k_rows
from skillx.model_dir import INDEX_SUBDIR, is_skillx_model_dir, read_model_meta
from skillx.results import MatchSource, SkillMatch
from skillx.taxonomy import Taxonomy

logger = logging.getLogger("skillx")

RECOMMENDED_CLAUSE_MARGIN = 0.15
"""Margin for clause scoring chosen on the validation splits (research/results.md, "Clause scoring")."""
_RANK_BLOCK = 512  # sentences scored at once by `rank` with clause or contextual scoring
_CONTEXTUAL_BLOCK = 256  # texts whose token embeddings are held at once (bounds memory)


def check_sentences(sentences: Sequence[str]) -> list[str]:
    """`sentences` as a list, after checking that every item is a string.

    Raises:
        TypeError: If `sentences` is a single string or an item is not a string (names the position).
    """
    if isinstance(sentences, (str, bytes)):
        raise TypeError(
            "Expected a sequence of sentences, got a single string. Wrap it in a list: rank([text])."
        )
    items = list(sentences)
    for position, item in enumerate(items):
        if not isinstance(item, str):
            raise TypeError(
                f"Sentence at position {position} is {type(item).__name__}, not str. Pass strings "
                "only (convert or drop missing values such as None/NaN first)."
            )
    return items


class SemanticRanker:
    """Ranks taxonomy skills for sentences by cosine similarity of bi-encoder embeddings.

    Deterministic: the same sentences give the same ranking; equal scores are ordered by
    taxonomy position.

    Clause scoring (opt-in, ``clause_margin=RECOMMENDED_CLAUSE_MARGIN``): a sentence that
    lists several requirements is also split into its clauses (`skillx.text.split_clauses`),
    and each skill scores the better of its cosine with the sentence and its best cosine with
    a clause minus `clause_margin`. That lets each requirement of a long sentence reach the
    top without outranking what the whole sentence says. It encodes every clause once more,
    so it costs throughput on list-like text and is off by default (docs/benchmarks.md has
    the measured cost, research/results.md the measured gain).

    Contextual scoring (``contextual=ContextualScoring(...)``, `skillx.contextual`): each skill
    is also scored against the sentence's token embeddings by attention and the two scores are
    mixed, so a skill named by a few words of a long sentence is not averaged away. A model
    trained for it says so in its ``skillx.json`` and `from_pretrained` turns it on
    (``scoring="pooled"`` is the faster fallback).

    Input rules:
        * Empty or whitespace-only sentences are not encoded: `rank` gives an empty list and
          `score_matrix` a row of NaN for them.
        * Sentences longer than the encoder's ``max_seq_length`` (256 word pieces for
          all-MiniLM-L6-v2 and the models fine-tuned from it) are truncated by the encoder:
          only their beginning is used.
          Split long texts into sentences first (the extractor does).
        * A non-string item raises TypeError naming its position.

    Args:
        encoder: A loaded sentence-transformers encoder (`skillx.encoder.load_encoder`).
        index: The `SkillIndex` of `taxonomy` built with this encoder.
        taxonomy: The taxonomy whose skills are ranked.
        clause_margin: Penalty on clause scores (cosine units, in [0, 2]); None (the default)
            scores whole sentences only.
        contextual: Contextual scoring parameters; None (the default) scores the pooled
            sentence embedding only.

    Raises:
        TaxonomyError: If the taxonomy is empty or the index belongs to another taxonomy.
        InputError: If `clause_margin` is out of range.

    Example:
        >>> ranker = SemanticRanker.from_pretrained(taxonomy=taxonomy)
        >>> ranker.rank(["Experience with Python and SQL"], k=3)[0][0].label
        'Python (computer programming)'
    """

    def __init__(
        self,
        encoder: Any,
        index: SkillIndex,
        taxonomy: Taxonomy,
        *,
        clause_margin: float | None = None,
        contextual: ContextualScoring | None = None,
    ) -> None:
        if contextual is not None and not isinstance(contextual, ContextualScoring):
            raise InputError(
                f"contextual must be a skillx.contextual.ContextualScoring or None, got {contextual!r}."
            )
        if clause_margin is not None and not (
            isinstance(clause_margin, (int, float))
            and not isinstance(clause_margin, bool)
            and 0.0 <= float(clause_margin) <= 2.0
        ):
            raise InputError(
                f"clause_margin is a cosine penalty in [0, 2], or None to score whole sentences "
                f"only; got {clause_margin!r}."
            )
        if len(taxonomy) == 0:
            raise TaxonomyError(
                "The taxonomy has no skills, so there is nothing to rank. Load a taxonomy with "
                "skills (e.g. skillx.read_esco_csv(path))."
            )
        if index.uris != taxonomy.uris:
            raise TaxonomyError(
                f"The skill index holds {index.n_skills} skills that are not those of {taxonomy!r}. "
                "Build the index from this taxonomy: SkillIndex.load_or_build(None, taxonomy, encoder)."
            )
        self.encoder = encoder
        self.index = index
        self.taxonomy = taxonomy
        self._labels = tuple(skill.preferred_label for skill in taxonomy)
        self.clause_margin = None if clause_margin is None else float(clause_margin)
        self.contextual = contextual

    def __repr__(self) -> str:
        return (
            f"SemanticRanker(index={self.index!r}, taxonomy={self.taxonomy!r}, "
            f"clause_margin={self.clause_margin}, contextual={self.contextual})"
        )

    @property
    def n_skills(self) -> int:
        """Number of skills that can be ranked."""
        return self.index.n_skills

    @classmethod
    def from_pretrained(
        cls,
        model: str | Path | None = None,
        *,
        taxonomy: Taxonomy,
        skill_text: str | None = None,
        aggregation: str = "max",
        device: str = "cpu",
        num_threads: int | None = None,
        batch_size: int = 64,
        show_progress: bool | None = None,
        clause_margin: float | None = None,
        scoring: str = "auto",
    ) -> SemanticRanker:
        """Load an encoder and the matching skill index (from the model directory or the cache).

        Args:
            model: None for the bundled all-MiniLM-L6-v2, a sentence-transformers model
                directory, or a skillx model directory (its ``index/`` is reused when it fits
                the taxonomy and mode, its ``skillx.json`` gives the default `skill_text`).
            taxonomy: The skills to rank.
            skill_text: Skill-text mode; default from ``skillx.json``, else ``"preferred"``.
            aggregation: ``max`` or ``mean`` over the texts of a skill.
            device: Torch device.
            num_threads: Torch CPU threads (left alone when None).
            batch_size: Texts per encoder pass when the index has to be built.
            show_progress: Progress bar when building the index.
            clause_margin: See the class; None scores whole sentences only.
            scoring: ``"auto"`` scores as the model's ``skillx.json`` says (contextual for a
                model trained for it, else pooled); ``"pooled"`` the pooled sentence embedding
                only (faster); ``"contextual"`` contextual scoring with the model's parameters
                or `skillx.contextual`'s recommended ones.

        Returns:
            The ranker.

        Raises:
            ModelError: If the model cannot be loaded.
            TaxonomyError: If the taxonomy is empty.
            InputError: If `scoring` is not one of the three.
        """
        from skillx.encoder import load_encoder, model_fingerprint

        check_scoring_mode(scoring)
        if len(taxonomy) == 0:
            raise TaxonomyError(
                "The taxonomy has no skills, so there is nothing to rank. Load a taxonomy with "
                "skills (e.g. skillx.read_esco_csv(path))."
            )
        encoder = load_encoder(model, device=device, num_threads=num_threads)
        fingerprint = model_fingerprint(encoder)
        index: SkillIndex | None = None
        contextual: ContextualScoring | None = None
        if model is not None and is_skillx_model_dir(model):
            meta = read_model_meta(model)
            contextual = meta.contextual if meta is not None else None
            skill_text = skill_text or (meta.skill_text if meta is not None else None) or "preferred"
            try:
                index = SkillIndex.load(
                    Path(model).expanduser() / INDEX_SUBDIR,
                    taxonomy=taxonomy,
                    encoder_fingerprint=fingerprint,
                    skill_text=skill_text,
                    aggregation=aggregation,
                )
            except SkillIndexError as exc:
                logger.warning("skillx: not using the skill index of the model directory: %s", exc)
        if index is None:
            index = SkillIndex.load_or_build(
                None,
                taxonomy,
                encoder,
                skill_text=skill_text or "preferred",
                aggregation=aggregation,
                batch_size=batch_size,
                show_progress=show_progress,
                model_fingerprint=fingerprint,
            )
        contextual = resolve_scoring(scoring, contextual)
        return cls(encoder, index, taxonomy, clause_margin=clause_margin, contextual=contextual)

    # -- encoding and scoring -------------------------------------------------------------
    def encode(
        self, sentences: Sequence[str], *, batch_size: int = 64, show_progress: bool | None = None
    ) -> np.ndarray:
        """Unit-length float32 embeddings ``(len(sentences), dim)`` (blank sentences included)."""
        from skillx.encoder import encode

        items = check_sentences(sentences)
        return encode(self.encoder, items, batch_size=batch_size, show_progress=show_progress)

    def _text_scores(self, texts: list[str], batch_size: int, show_progress: bool | None) -> np.ndarray:
        """Score rows ``(len(texts), n_skills)`` of non-blank texts: pooled cosine or contextual mix."""
        from skillx.encoder import PROGRESS_MIN_TEXTS, encode, encode_with_tokens

        if not texts:
            return np.zeros((0, self.index.n_skills), dtype=np.float32)
        if self.contextual is None:
            embeddings = encode(self.encoder, texts, batch_size=batch_size, show_progress=show_progress)
            return self.index.scores(embeddings)
        weight = self.contextual.pooled_weight
        out = np.empty((len(texts), self.index.n_skills), dtype=np.float32)
        # blocks of similar length: a forward batch is padded to its longest text, so one long
        # sentence among short ones would make the whole batch pay for its length
        order = np.argsort([len(t) for t in texts], kind="stable")
        starts: Any = range(0, len(texts), _CONTEXTUAL_BLOCK)
        if show_progress or (show_progress is None and len(texts) >= PROGRESS_MIN_TEXTS):
            from tqdm.auto import tqdm

            starts = tqdm(starts, desc="Scoring", unit="block")
        for start in starts:
            rows = order[start : start + _CONTEXTUAL_BLOCK]
            pooled, tokens = encode_with_tokens(self.encoder, [texts[i] for i in rows], batch_size=batch_size)
            texts_cosine = pooled @ self.index.embeddings.T
            attention = attention_block_scores(texts_cosine, tokens, self.index.embeddings, self.contextual)
            # may alias texts_cosine (one text per skill); scaling it in place is safe: attention is a copy
            block = np.asarray(self.index.aggregate_texts(texts_cosine), dtype=np.float32)
            block *= weight
            block += (1.0 - weight) * self.index.aggregate_texts(attention)
            out[rows] = block
        return out

    def _scores_non_blank(
        self, sentences: Sequence[str], batch_size: int, show_progress: bool | None
    ) -> tuple[int, list[int], np.ndarray]:
        """(number of sentences, positions of the non-blank ones, their score rows)."""
        from skillx.text import split_clauses

        items = check_sentences(sentences)
        keep = [i for i, text in enumerate(items) if text.strip()]
        texts = [items[i] for i in keep]
        clauses: list[str] = []
        owners: list[int] = []
        if self.clause_margin is not None:
            for row, text in enumerate(texts):
                found = split_clauses(text)
                clauses.extend(found)
                owners.extend([row] * len(found))
        all_scores = self._text_scores(texts + clauses, batch_size, show_progress)
        scores = all_scores[: len(texts)]
        if clauses:
            assert self.clause_margin is not None
            clause_scores = all_scores[len(texts) :]
            # owners is sorted: reduce each sentence's block of clause rows to its best score
            rows, starts = np.unique(np.asarray(owners), return_index=True)
            best = np.maximum.reduceat(clause_scores, starts, axis=0) - self.clause_margin
            scores[rows] = np.maximum(scores[rows], best)
        return len(items), keep, scores

    def score_matrix(
        self, sentences: Sequence[str], *, batch_size: int = 64, show_progress: bool | None = None
    ) -> np.ndarray:
        """Score of every sentence against every skill (cosine; clause or contextual scoring: see the class).

        Returns:
            float32 ``(len(sentences), n_skills)``, columns in taxonomy order; rows of blank
            sentences are NaN.
        """
        n, keep, scores = self._scores_non_blank(sentences, batch_size, show_progress)
        out = np.full((n, self.index.n_skills), np.nan, dtype=np.float32)
        if keep:
            out[keep] = scores
        return out

    def rank(
        self,
        sentences: Sequence[str],
        *,
        k: int = 5,
        batch_size: int = 64,
        show_progress: bool | None = None,
    ) -> list[list[SkillMatch]]:
        """The `k` best skills of each sentence, best first.

        Args:
            sentences: The sentences.
            k: Skills per sentence (at most the taxonomy size).
            batch_size: Sentences per encoder pass.
            show_progress: Progress bar; None shows one for long jobs.

        Returns:
            One list per sentence of `SkillMatch` (source ``"semantic"``, score = cosine, or a
            clause's cosine minus `clause_margin`, or the contextual mix);
            an empty list for an empty or whitespace-only sentence.

        Raises:
            TypeError: If an item is not a string (the message names its position).
            InputError: If `k` is not a positive integer.
        """
        if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
            raise InputError(f"k must be a positive integer, got {k!r}.")
        items = check_sentences(sentences)
        results: list[list[SkillMatch]] = [[] for _ in range(len(items))]
        keep = [i for i, text in enumerate(items) if text.strip()]
        if not keep:
            return results
        if self.clause_margin is None and self.contextual is None:
            embeddings = self.encode([items[i] for i in keep], batch_size=batch_size,
                                     show_progress=show_progress)
            indices, scores = self.index.top_k(embeddings, int(k))
        else:
            parts = []
            for start in range(0, len(keep), _RANK_BLOCK):
                block = [items[i] for i in keep[start : start + _RANK_BLOCK]]
                parts.append(top_k_rows(self._scores_non_blank(block, batch_size, show_progress)[2], int(k)))
            indices = np.concatenate([p[0] for p in parts])
            scores = np.concatenate([p[1] for p in parts])
        uris, labels, source = self.index.uris, self._labels, MatchSource.SEMANTIC.value
        for row, position in enumerate(keep):
            results[position] = [
                SkillMatch(uris[j], labels[j], float(s), source)
                for j, s in zip(indices[row].tolist(), scores[row].tolist(), strict=True)
            ]
        return results

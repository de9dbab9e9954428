"""`SkillExtractor`: job-ad text in, ESCO skills per sentence out.

Pipeline per batch of texts: segment each text into sentences (offsets into the raw text),
run the literal matcher on every sentence, encode all sentences of the batch in *one* encoder
call, score them against the skill index, and fuse both kinds of evidence (`skillx.fusion`).
"""

from __future__ import annotations

import logging
import numbers
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from skillx.errors import InputError, InputTypeError, ModelError
from skillx.fusion import FusionParams, LiteralEvidence, SkillFeatures, default_fusion, fuse
from skillx.results import DocumentSkills, SentenceSkills, SkillMatch, to_pandas
from skillx.text import DEFAULT_MAX_CHARS, Sentence, segment

if TYPE_CHECKING:
    from skillx.matching import LiteralMatcher
    from skillx.ranker import SemanticRanker
    from skillx.taxonomy import Taxonomy

logger = logging.getLogger("skillx")

DEFAULT_BATCH_SIZE = 1024
"""Sentences per encoder call (the unit of batching across texts)."""
ENCODER_BATCH = 128
"""Sentences per forward pass inside one encoder call."""


class SkillExtractor:
    """Finds ESCO skills in job-ad text, sentence by sentence.

    Build one with `skillx.load`; the constructor takes ready parts.

    Scores are calibrated probabilities (see `skillx.fusion`): of the skills scored ``p``,
    about a fraction ``p`` are ones an annotator would have labelled for the sentence.
    ``min_score=None`` in `extract` means the extractor's ``min_score``, which defaults to
    the threshold that gave the best F1 out-of-fold on the validation splits; pass
    ``min_score=0.0`` to always get ``k`` skills per sentence, or build the extractor with
    ``skillx.load(..., precision=0.7)`` for the threshold that gave 70% precision.

    `extract` and `extract_many` may be called from several threads at once: the encoder
    and the skill matrix are used under a lock, everything else is per call.

    Args:
        taxonomy: The skills taxonomy the ranker and matcher were built for.
        ranker: A `SemanticRanker` (None: literal matching only).
        matcher: A `LiteralMatcher` (None: semantic ranking only).
        fusion: Fusion and calibration parameters (default: the bundled ones).
        min_score: Default minimum calibrated score (None: ``fusion.threshold``).
        document_min_score: Default threshold of `extract_document` (None:
            ``fusion.document_threshold``, or `min_score` when that is given: an ad keeps the
            skills its sentences keep at the threshold the caller chose).
        model_name: What to report as the model in use.
        max_chars: Longest sentence passed to the encoder; longer ones are chunked.
        batch_size: Sentences per encoder call in `extract_many`.

    Example:
        >>> import skillx
        >>> extractor = skillx.load(taxonomy="taxonomy/toy/csv")  # doctest: +SKIP
        >>> extractor.extract("Experience with Python is required.")[0].skills[0].label  # doctest: +SKIP
        'Python (computer programming)'
    """

    def __init__(
        self,
        taxonomy: Taxonomy,
        *,
        ranker: SemanticRanker | None = None,
        matcher: LiteralMatcher | None = None,
        fusion: FusionParams | None = None,
        min_score: float | None = None,
        model_name: str = "",
        max_chars: int = DEFAULT_MAX_CHARS,
        batch_size: int = DEFAULT_BATCH_SIZE,
        document_min_score: float | None = None,
    ) -> None:
        if ranker is None and matcher is None:
            raise InputError("SkillExtractor needs a ranker, a matcher or both; got neither.")
        if batch_size < 1:
            raise InputError(f"batch_size must be at least 1, got {batch_size}.")
        self.taxonomy = taxonomy
        self.ranker = ranker
        self.matcher = matcher
        self.fusion = fusion if fusion is not None else default_fusion()
        if min_score is not None:
            self.min_score = _check_min_score(min_score)
        else:  # literal-only scores are not calibrated probabilities: keep every hit
            self.min_score = self.fusion.threshold if ranker is not None else 0.0
        if document_min_score is not None:
            self.document_min_score = _check_min_score(document_min_score)
        elif min_score is not None:  # load(min_score=...) or load(precision=...)
            self.document_min_score = self.min_score
        else:
            self.document_min_score = self.fusion.document_threshold if ranker is not None else 0.0
        self.model_name = model_name
        self.max_chars = max_chars
        self.batch_size = batch_size
        self._lock = threading.Lock()
        self._uris = taxonomy.uris
        self._columns = self._ranker_columns()
        self._skill_features: SkillFeatures | None = None

    def __repr__(self) -> str:
        return (
            f"SkillExtractor(model={self.model_name!r}, taxonomy={self.taxonomy.name} "
            f"{self.taxonomy.version} ({len(self.taxonomy)} skills), "
            f"semantic={self.ranker is not None}, literal={self.matcher is not None}, "
            f"min_score={self.min_score:.3f})"
        )

    def _ranker_columns(self) -> np.ndarray | None:
        """Reorders the ranker's score columns into taxonomy order when they differ."""
        if self.ranker is None:
            return None
        index = getattr(self.ranker, "index", None)
        uris = tuple(getattr(index, "uris", None) or getattr(self.ranker, "uris", None) or ())
        if not uris or uris == self._uris:
            return None
        where = {uri: i for i, uri in enumerate(uris)}
        missing = [u for u in self._uris if u not in where]
        if missing:
            raise ModelError(
                f"The semantic ranker's skill index lacks {len(missing)} skill(s) of the taxonomy "
                f"(e.g. '{missing[0]}'). Rebuild the index for this taxonomy (delete the cached "
                "index or pass the taxonomy the model was trained with)."
            )
        return np.array([where[u] for u in self._uris], dtype=np.int64)

    # -- public API -------------------------------------------------------------------------
    def extract(self, text: str, *, k: int = 5, min_score: float | None = None) -> list[SentenceSkills]:
        """Skills of every sentence of one text.

        Args:
            text: Raw text (plain, HTML or bullet lists; any length, long texts are chunked).
            k: Most skills per sentence.
            min_score: Minimum calibrated score; None for the extractor's default,
                ``0.0`` for exactly ``k`` skills per sentence.

        Returns:
            One `SentenceSkills` per sentence, in text order (``[]`` for empty text).

        Raises:
            InputTypeError: If `text` is not a str.
        """
        if not isinstance(text, str):
            raise InputTypeError(
                f"extract() needs a str, got {type(text).__name__}. Use extract_many() for a list "
                "of texts, and decode bytes first."
            )
        return self.extract_many([text], k=k, min_score=min_score)[0]

    def extract_document(
        self,
        text: str,
        *,
        k: int = 5,
        min_score: float | None = None,
        document_min_score: float | None = None,
        merge_related: bool = False,
    ) -> DocumentSkills:
        """Ad-level decisions: does this text ask for each skill?

        Every sentence's top `k` skills (with their probabilities, whatever `min_score`) are
        aggregated per skill: its sentences with a probability of at least half the sentence
        threshold support it, and its ad-level probability is the best of theirs (repeated
        mentions are not independent evidence); skills below `document_min_score` are
        dropped. Skills of the text sharing a direct broader ESCO concept are listed in each
        other's ``related`` (with ``merge_related=True`` only the best of such a group is kept).

        Args:
            text: Raw text.
            k: Most skills per sentence (before aggregation).
            min_score: Sentence threshold of the per-sentence view (``.sentences``), as in
                `extract`.
            document_min_score: Document threshold (a probability); None for `min_score`
                when it is given, else the extractor's ``document_min_score``.
            merge_related: Fold skills under one broader concept into the best one.

        Returns:
            The `DocumentSkills` of the text, skills best first.
        """
        if not isinstance(text, str):
            raise InputTypeError(
                f"extract_document() needs a str, got {type(text).__name__}. Use "
                "extract_documents() for a list of texts, and decode bytes first."
            )
        return self.extract_documents(
            [text],
            k=k,
            min_score=min_score,
            document_min_score=document_min_score,
            merge_related=merge_related,
        )[0]

    def extract_documents(
        self,
        texts: Iterable[str],
        *,
        k: int = 5,
        min_score: float | None = None,
        document_min_score: float | None = None,
        merge_related: bool = False,
        batch_size: int | None = None,
    ) -> list[DocumentSkills]:
        """`extract_document` for many texts, their sentences batched for the encoder.

        The result of each text is exactly ``extract_document(text, ...)``; the process pool
        (`skillx.parallel`), Spark (`skillx.spark`) and ``skillx extract --level document``
        all go through here, so every path makes the same ad-level decisions.

        Args:
            texts: Raw texts.
            k: Most skills per sentence (before aggregation).
            min_score: Sentence threshold, as in `extract_document`.
            document_min_score: Document threshold; None for `min_score` when it is given,
                else the extractor's.
            merge_related: Fold skills under one broader concept into the best one.
            batch_size: Sentences per encoder call (default: the extractor's).

        Returns:
            One `DocumentSkills` per text, in input order.
        """
        sentence_threshold = self.min_score if min_score is None else _check_min_score(min_score)
        if document_min_score is not None:
            threshold = _check_min_score(document_min_score)
        else:  # a sentence threshold asked for in this call holds for the ad too
            threshold = self.document_min_score if min_score is None else sentence_threshold
        documents = []
        for every in self.extract_many(texts, k=k, min_score=0.0, batch_size=batch_size):
            doc = DocumentSkills.from_sentences(
                every,
                min_score=threshold,
                support_min_score=sentence_threshold / 2,
                broader=self.taxonomy.broader,
                merge_related=merge_related,
            )
            shown = tuple(
                replace(s, skills=tuple(m for m in s.skills if m.score >= sentence_threshold))
                for s in every
            )
            documents.append(DocumentSkills(doc.skills, shown))
        return documents

    def extract_many(
        self,
        texts: Iterable[str],
        *,
        k: int = 5,
        min_score: float | None = None,
        batch_size: int | None = None,
        show_progress: bool = False,
    ) -> list[list[SentenceSkills]]:
        """Skills of many texts, batching sentences across texts for the encoder.

        Args:
            texts: Raw texts.
            k: Most skills per sentence.
            min_score: As in `extract`.
            batch_size: Sentences per encoder call (default: the extractor's).
            show_progress: Show a progress bar over texts.

        Returns:
            One list of `SentenceSkills` per text, in input order.

        Raises:
            InputTypeError: If an item is not a str; the message names its position.
        """
        return list(
            self.iter_extract(
                texts, k=k, min_score=min_score, batch_size=batch_size, show_progress=show_progress
            )
        )

    def iter_extract(
        self,
        texts: Iterable[str],
        *,
        k: int = 5,
        min_score: float | None = None,
        batch_size: int | None = None,
        show_progress: bool = False,
        total: int | None = None,
    ) -> Iterator[list[SentenceSkills]]:
        """Like `extract_many` but lazy: reads and yields texts batch by batch (constant memory).

        Args:
            texts: Raw texts (any iterable, e.g. a generator over a file).
            k: Most skills per sentence.
            min_score: As in `extract`.
            batch_size: Sentences per encoder call (default: the extractor's).
            show_progress: Show a progress bar over texts.
            total: Number of texts, for the progress bar.

        Yields:
            One list of `SentenceSkills` per text, in input order.
        """
        if isinstance(texts, str):
            raise InputTypeError(
                "extract_many() needs a list of texts, got a single str. Use extract() for one text."
            )
        limit = self.batch_size if batch_size is None else batch_size
        if limit < 1:
            raise InputError(f"batch_size must be at least 1, got {limit}.")
        threshold = self.min_score if min_score is None else _check_min_score(min_score)
        k = _check_k(k)
        progress = None
        if show_progress:
            from tqdm.auto import tqdm

            progress = tqdm(total=total, unit="text", desc="extract")
        try:
            pending: list[list[Sentence]] = []
            n_pending = 0
            for i, text in enumerate(texts):
                if not isinstance(text, str):
                    raise InputTypeError(
                        f"Text at position {i} is {type(text).__name__}, not str. Drop or convert "
                        "missing values (None/NaN) before calling extract_many()."
                    )
                units = segment(text, max_chars=self.max_chars)
                pending.append(units)
                n_pending += len(units)
                if n_pending >= limit:
                    yield from self._run(pending, k=k, min_score=threshold, batch_size=limit)
                    if progress is not None:
                        progress.update(len(pending))
                    pending, n_pending = [], 0
            if pending:
                yield from self._run(pending, k=k, min_score=threshold, batch_size=limit)
                if progress is not None:
                    progress.update(len(pending))
        finally:
            if progress is not None:
                progress.close()

    def extract_sentences(
        self,
        docs: Sequence[Sequence[Sentence]],
        *,
        k: int = 5,
        min_score: float | None = None,
    ) -> list[list[SentenceSkills]]:
        """Skills of texts already split into sentences (as the spaCy component does).

        Args:
            docs: Per text, its `skillx.text.Sentence` records (offsets into that text).
            k: Most skills per sentence.
            min_score: As in `extract`.

        Returns:
            One list of `SentenceSkills` per text.
        """
        threshold = self.min_score if min_score is None else _check_min_score(min_score)
        k = _check_k(k)
        return list(self._run(docs, k=k, min_score=threshold, batch_size=self.batch_size))

    def rank(self, sentences: Sequence[str], *, k: int = 5) -> list[list[SkillMatch]]:
        """Fused ranking of single sentences (no segmentation, no ``min_score``).

        This is the `skillx.evaluation.Ranker` interface, so an extractor can be scored
        with `skillx.evaluation.evaluate` like the bare semantic ranker.

        Args:
            sentences: Sentences, each ranked as one unit.
            k: Skills per sentence (literal-only extractors return only their hits).

        Returns:
            Per sentence, up to `k` `SkillMatch` best first (offsets index the sentence).
        """
        items = list(sentences) if not isinstance(sentences, str) else None
        if items is None:
            raise InputTypeError("rank() needs a list of sentences, got a single str.")
        for i, item in enumerate(items):
            if not isinstance(item, str):
                raise InputTypeError(f"Sentence at position {i} is {type(item).__name__}, not str.")
        units = [[Sentence(text, 0, len(text))] if text.strip() else [] for text in items]
        out = self.extract_sentences(units, k=k, min_score=0.0)
        return [list(doc[0].skills) if doc else [] for doc in out]

    @staticmethod
    def to_pandas(results: Any) -> Any:
        """Table of results, one row per sentence x skill (see `skillx.to_pandas`)."""
        return to_pandas(results)

    # -- internals --------------------------------------------------------------------------
    @property
    def skill_features(self) -> SkillFeatures | None:
        """Per-skill facts for the calibration and the sense check of literal hits (built on
        first use; None when neither is on)."""
        if self.fusion.calibrator is None and not self.fusion.sibling_rank:
            return None
        if self._skill_features is None:
            self._skill_features = SkillFeatures.from_taxonomy(self.taxonomy)
        return self._skill_features

    def score_sentences(self, texts: Sequence[str], *, batch_size: int | None = None) -> np.ndarray:
        """Cosine scores of sentences against every skill, columns in taxonomy order.

        Identical sentences are encoded once. Thread-safe (the encoder runs under a lock).

        Args:
            texts: Sentences.
            batch_size: Sentences per encoder call.

        Returns:
            Array of shape ``(len(texts), n_skills)``.
        """
        if self.ranker is None:
            raise InputError("This extractor has no semantic ranker (it was built literal-only).")
        unique = list(dict.fromkeys(texts))
        if not unique:
            return np.zeros((0, len(self._uris)), dtype=np.float32)
        limit = batch_size or self.batch_size
        parts = []
        with self._lock:
            for a in range(0, len(unique), limit):
                chunk = unique[a : a + limit]
                # the encoder sorts a call's sentences by length and pads per forward pass: small
                # passes over a large call waste little on padding
                parts.append(
                    np.asarray(
                        self.ranker.score_matrix(chunk, batch_size=min(limit, ENCODER_BATCH)),
                        dtype=np.float32,
                    )
                )
        scores = np.nan_to_num(np.concatenate(parts, axis=0), nan=-1.0)
        if self._columns is not None:
            scores = scores[:, self._columns]
        if len(unique) == len(texts):
            return scores
        row = {t: i for i, t in enumerate(unique)}
        return scores[[row[t] for t in texts]]

    def literal_evidence(self, sentence: Sentence) -> list[LiteralEvidence]:
        """Literal hits of one sentence, with offsets mapped into the raw text."""
        if self.matcher is None:
            return []
        evidence: list[LiteralEvidence] = []
        for hit in self.matcher.match(sentence.text):
            start, end = sentence.raw_span(hit.start, hit.end)
            ambiguous = bool(hit.ambiguous) or len(hit.uris) > 1
            form = str(hit.surface_form).casefold()
            for uri in hit.uris:
                skill = self.taxonomy.get(uri)
                if skill is None:
                    continue
                # a shared surface form still names the skill whose *preferred* label it is
                own = ambiguous and skill.preferred_label.casefold() == form
                evidence.append(
                    LiteralEvidence(
                        self.taxonomy.position(uri), start, end, ambiguous and not own, _kind(hit.kind)
                    )
                )
        return evidence

    def _run(
        self, docs: Sequence[Sequence[Sentence]], *, k: int, min_score: float, batch_size: int
    ) -> Iterator[list[SentenceSkills]]:
        # sentences are scored `batch_size` at a time and only their fused top k is kept, so
        # peak memory is one block x n_skills score matrix however long a text is
        flat = [(d, i) for d, doc in enumerate(docs) for i in range(len(doc))]
        done: list[list[SentenceSkills]] = [[] for _ in docs]
        ready = 0
        for a in range(0, max(len(flat), 1), batch_size):
            block = flat[a : a + batch_size]
            texts = [docs[d][i].text for d, i in block]
            scores = self.score_sentences(texts, batch_size=batch_size) if self.ranker and block else None
            for row, (d, i) in enumerate(block):
                semantic = scores[row] if scores is not None else None
                done[d].append(self._sentence_skills(docs[d][i], i, semantic, k=k, min_score=min_score))
            while ready < len(docs) and len(done[ready]) == len(docs[ready]):
                yield done[ready]
                done[ready] = []
                ready += 1

    def _sentence_skills(
        self, sent: Sentence, index: int, semantic: np.ndarray | None, *, k: int, min_score: float
    ) -> SentenceSkills:
        fused = fuse(
            semantic,
            self.literal_evidence(sent),
            self.fusion,
            k=k,
            min_score=min_score,
            n_skills=len(self._uris),
            text=sent.text,
            skills=self.skill_features,
        )
        skills = tuple(
            SkillMatch(
                uri=self._uris[m.position],
                label=self.taxonomy[self._uris[m.position]].preferred_label,
                score=m.score,
                source=m.source,
                start=m.start,
                end=m.end,
            )
            for m in fused
        )
        return SentenceSkills(index, sent.text, sent.start, sent.end, skills)


def _kind(kind: object) -> str:
    return str(getattr(kind, "value", kind) or "")


def _check_k(k: object) -> int:
    if not isinstance(k, numbers.Integral) or isinstance(k, (bool, np.bool_)) or int(k) < 1:
        raise InputError(
            f"k must be a whole number of at least 1 (the most skills per sentence); got {k!r}. "
            "Pass e.g. k=5."
        )
    return int(k)


def _check_min_score(value: object) -> float:
    # any real number (numpy scalars included) in [0, 1]; NaN fails the range test
    if (
        not isinstance(value, numbers.Real)
        or isinstance(value, (bool, np.bool_))
        or not 0.0 <= float(value) <= 1.0
    ):
        raise InputError(
            f"min_score is a calibrated probability in [0, 1], got {value!r}. Use 0.0 to keep "
            "every one of the k skills, or leave it out for the validated default."
        )
    return float(value)

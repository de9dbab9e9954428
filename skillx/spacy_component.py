"""The spaCy pipeline component ``"skillx"``: ESCO skills on docs, sentences and spans.

Usage::

    nlp = spacy.blank("en")
    nlp.add_pipe("skillx", config={"taxonomy": "taxonomy/toy/csv"})
    doc = nlp("Experience with Python and SQL.")
    doc._.skills                  # document level: list of dicts, best first
    [s._.skills for s in doc.sents]  # per sentence: list of dicts, best first
    doc.spans["skillx"]           # literal mentions; span.kb_id_ is the ESCO URI

Sentences: if the doc already has sentence boundaries (a parser, ``senter`` or
``sentencizer`` ran before), they are used as they are. Otherwise the component sets them
itself from skillx's own segmenter (line breaks, HTML blocks, bullets, then a rule-based
sentencizer), so ``doc.sents`` works afterwards and matches what `SkillExtractor.extract` sees.

The model, taxonomy and skill index load on first use (or in ``nlp.initialize()``), never
in ``__init__``. ``to_disk`` saves the settings and the fusion calibration, not the taxonomy
or the model (those are referenced by path/name). ``nlp.pipe`` encodes the sentences of a
whole batch of docs in one encoder call.

HTML: spaCy's tokenizer glues tags to words (``SQL</li><li``); literal spans are snapped to
token boundaries and never include markup, so such a mention gets no span (its skill and exact
offsets stay in ``doc._.skills`` / ``span._.skills``). Pass ``skillx.clean_text(html)`` to
``nlp`` for clean tokens and spans (see `mention_span` and ``docs/spacy.md``).

Serialisation and multiprocessing: every extension value is plain data (dicts and lists of
str, float and int), so ``DocBin(store_user_data=True)``, ``Doc.to_bytes`` and
``Doc.to_json(underscore=["skills"])`` round-trip, and ``nlp.pipe(texts, n_process=N)`` works.
spaCy forks its workers on Linux; torch's OpenMP pool does not survive a fork, so in a forked
worker the component runs torch on one thread (N workers use N cores; see `_fork_safe_threads`).
The component never pickles its model: a pickled component (``spawn``/``forkserver`` start
methods) carries its settings only and loads the model again in the worker.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import minibatch

from skillx.contextual import check_scoring_mode
from skillx.errors import InputError
from skillx.text import Sentence, segment

if TYPE_CHECKING:
    from skillx.extractor import SkillExtractor
    from skillx.fusion import FusionParams
    from skillx.results import SkillMatch

DEFAULT_CONFIG: dict[str, Any] = {
    "model": None,
    "taxonomy": None,
    "esco_version": "1.1.0",
    "language": "en",
    "k": 5,
    "min_score": None,
    "batch_size": 1024,
    "clause_margin": None,
    "scoring": "auto",
    "spans_key": "skillx",
    "span_label": "SKILL",
}
_MARKUP = frozenset("<>")  # a token holding these besides the mention is glued to an HTML tag
_SENTENCES_KEY = "skillx_sentences"  # doc.user_data: [[sentence start token, [match dicts]], ...]
_PID: list[int] = [os.getpid()]  # the process whose torch threads the extractor was loaded under


def match_record(match: SkillMatch) -> dict[str, Any]:
    """A `SkillMatch` as the plain dict ``span._.skills`` holds (full-precision score)."""
    return {
        "uri": match.uri,
        "label": match.label,
        "score": float(match.score),
        "source": match.source,
        "start": match.start,
        "end": match.end,
    }


def _sentence_skills_getter(span: Span) -> list[dict[str, Any]]:
    """Skills of the sentences that start inside `span` (merged, best first), as dicts."""
    table: list[list[Any]] = span.doc.user_data.get(_SENTENCES_KEY, [])
    best: dict[str, dict[str, Any]] = {}
    for token_start, matches in table:
        if span.start <= token_start < span.end:
            for match in matches:
                if match["uri"] not in best or match["score"] > best[match["uri"]]["score"]:
                    best[match["uri"]] = match
    return sorted(best.values(), key=lambda m: -m["score"])


def _fork_safe_threads() -> None:
    """In a forked child (``nlp.pipe(n_process=N)`` on Linux), run torch on one thread.

    torch's OpenMP thread pool is not recreated after ``fork``: the first multi-threaded op
    in the child waits forever for threads that do not exist. One thread per worker avoids
    it and leaves one core per worker.
    """
    if os.getpid() == _PID[0]:
        return
    _PID[0] = os.getpid()
    import torch

    torch.set_num_threads(1)


def mention_span(doc: Doc, start: int, end: int, *, label: str, kb_id: str) -> Span | None:
    """The span of a literal mention at characters ``start:end``, snapped to token boundaries.

    A mention that does not end on token boundaries is widened to the tokens around it, unless
    that would pull markup into the span: spaCy's tokenizer keeps HTML tags glued to words
    (``"SQL</li><li"`` is one token), and such a mention gets no span (its exact character
    offsets stay in ``SkillMatch.start/end``). Pass ``skillx.clean_text(html)`` to ``nlp`` to
    get clean tokens, and spans, for HTML input.

    Returns:
        The span, or None when no token-aligned span holds the mention without markup.
    """
    span = doc.char_span(start, end, label=label, kb_id=kb_id, alignment_mode="strict")
    if span is not None:
        return span
    wide = doc.char_span(start, end, label=label, kb_id=kb_id, alignment_mode="expand")
    if wide is None or len(wide) == 0:
        return None
    added = doc.text[wide.start_char : start] + doc.text[end : wide.end_char]
    if any(ch in added for ch in _MARKUP):
        return None
    return wide


def register_extensions() -> None:
    """Register ``Doc._.skills`` and ``Span._.skills`` (idempotent)."""
    if not Doc.has_extension("skills"):
        Doc.set_extension("skills", default=None)  # a list of dicts, stored in doc.user_data
    if not Span.has_extension("skills"):
        Span.set_extension("skills", getter=_sentence_skills_getter)


class SkillxComponent:
    """spaCy component that annotates docs with ESCO skills (see the module docstring).

    Args:
        nlp: The pipeline.
        name: Component name.
        model: Model directory (None: the installed default, else the bundled MiniLM).
        taxonomy: ESCO files / taxonomy path (None: ``$SKILLX_ESCO``, cache, download).
        esco_version: ESCO version.
        language: ESCO language.
        k: Most skills per sentence.
        min_score: Minimum calibrated score (None: the validated default threshold).
        batch_size: Sentences per encoder call.
        clause_margin: Clause scoring of the semantic ranker (None: off; 0.15 recommended,
            see `skillx.load`).
        scoring: ``"auto"``, ``"pooled"`` or ``"contextual"`` (see `skillx.load`).
        spans_key: Key of ``doc.spans`` for the literal mentions.
        span_label: Label of those spans.
    """

    def __init__(
        self,
        nlp: Language,
        name: str = "skillx",
        *,
        model: str | None = None,
        taxonomy: str | None = None,
        esco_version: str = "1.1.0",
        language: str = "en",
        k: int = 5,
        min_score: float | None = None,
        batch_size: int = 1024,
        clause_margin: float | None = None,
        scoring: str = "auto",
        spans_key: str = "skillx",
        span_label: str = "SKILL",
    ) -> None:
        if k < 1:
            raise InputError(f"The skillx component needs k >= 1, got {k}.")
        if min_score is not None and not 0.0 <= min_score <= 1.0:
            raise InputError(f"min_score is a probability in [0, 1], got {min_score}.")
        self.name = name
        self.model = model
        self.taxonomy = taxonomy
        self.esco_version = esco_version
        self.language = language
        self.k = k
        self.min_score = min_score
        self.batch_size = batch_size
        self.clause_margin = clause_margin
        self.scoring = check_scoring_mode(scoring)
        self.spans_key = spans_key
        self.span_label = span_label
        self.fusion: FusionParams | None = None  # set by from_disk; else the model's own
        self._extractor: SkillExtractor | None = None
        register_extensions()

    def __getstate__(self) -> dict[str, Any]:
        # pickled for spawned workers: settings only, the model loads again there
        state = self.__dict__.copy()
        state["_extractor"] = None
        return state

    # -- loading ----------------------------------------------------------------------------
    @property
    def cfg(self) -> dict[str, Any]:
        """The settings, as stored by `to_disk`."""
        return {key: getattr(self, key) for key in DEFAULT_CONFIG}

    @property
    def extractor(self) -> SkillExtractor:
        """The `SkillExtractor`, loaded on first use."""
        if self._extractor is None:
            from skillx.loading import load

            self._extractor = load(
                self.model,
                taxonomy=self.taxonomy,
                esco_version=self.esco_version,
                language=self.language,
                fusion=self.fusion,
                min_score=self.min_score,
                batch_size=self.batch_size,
                clause_margin=self.clause_margin,
                scoring=self.scoring,
            )
        return self._extractor

    def initialize(self, get_examples: Any = None, *, nlp: Language | None = None) -> None:
        """Load the model, taxonomy and skill index now (``nlp.initialize()``)."""
        _ = self.extractor

    # -- processing -------------------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        return self._process([doc])[0]

    def pipe(self, stream: Iterable[Doc], *, batch_size: int = 128) -> Iterator[Doc]:
        """Process docs in batches: one encoder call per batch of docs."""
        for batch in minibatch(stream, size=batch_size):
            yield from self._process(list(batch))

    def _sentences(self, doc: Doc) -> list[tuple[int, Sentence]]:
        """(start token, Sentence) pairs; sets sentence boundaries if the doc has none."""
        if len(doc) == 0:
            return []
        if doc.has_annotation("SENT_START"):
            return [
                (s.start, Sentence(s.text, s.start_char, s.end_char)) for s in doc.sents if s.text.strip()
            ]
        pieces: list[tuple[int, Sentence]] = []
        for sent in segment(doc.text):
            span = doc.char_span(sent.start, sent.end, alignment_mode="expand")
            if span is None or len(span) == 0:
                continue
            if pieces and span.start <= pieces[-1][0]:
                continue  # two pieces inside one token: keep the first
            # tokens before the first sentence (markup, bullets) belong to it
            pieces.append((span.start if pieces else 0, sent))
        starts = {start for start, _ in pieces} | {0}
        for token in doc:
            token.is_sent_start = token.i in starts
        return pieces

    def _process(self, docs: list[Doc]) -> list[Doc]:
        from skillx.results import DocumentSkills

        _fork_safe_threads()
        units = [self._sentences(doc) for doc in docs]
        results = self.extractor.extract_sentences(
            [[s for _, s in doc_units] for doc_units in units], k=self.k, min_score=self.min_score
        )
        for doc, doc_units, sentences in zip(docs, units, results, strict=True):
            # plain lists and dicts only: msgpack (DocBin, nlp.pipe workers) and JSON take them
            doc.user_data[_SENTENCES_KEY] = [
                [start, [match_record(m) for m in r.skills]]
                for (start, _), r in zip(doc_units, sentences, strict=True)
            ]
            doc._.skills = [
                {
                    "uri": s.uri,
                    "label": s.label,
                    "score": float(s.score),
                    "source": s.source,
                    "sentences": list(s.sentences),
                    "spans": [list(span) for span in s.spans],
                }
                for s in DocumentSkills.from_sentences(sentences).skills
            ]
            spans = []
            for result in sentences:
                for match in result.skills:
                    if match.start is None or match.end is None:
                        continue
                    span = mention_span(doc, match.start, match.end, label=self.span_label, kb_id=match.uri)
                    if span is not None:
                        spans.append(span)
            doc.spans[self.spans_key] = spans
        return docs

    # -- serialisation ----------------------------------------------------------------------
    def _fusion_to_save(self) -> FusionParams | None:
        if self._extractor is not None:
            return self._extractor.fusion
        return self.fusion

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        """Settings and calibration as JSON bytes."""
        fusion = self._fusion_to_save()
        payload = {"cfg": self.cfg, "fusion": fusion.to_dict() if fusion else None}
        return json.dumps(payload, sort_keys=True).encode("utf-8")

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> SkillxComponent:
        """Restore what `to_bytes` wrote (the model loads lazily afterwards)."""
        from skillx.fusion import FusionParams

        payload = json.loads(data.decode("utf-8"))
        for key, value in payload.get("cfg", {}).items():
            if key in DEFAULT_CONFIG:
                setattr(self, key, value)
        self.fusion = FusionParams.from_dict(payload["fusion"]) if payload.get("fusion") else None
        self._extractor = None
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        """Write ``cfg.json`` and ``fusion.json`` into `path` (no taxonomy, no model weights)."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        from skillx.io import atomic_write_text

        atomic_write_text(path / "cfg.json", json.dumps(self.cfg, indent=2, sort_keys=True) + "\n")
        fusion = self._fusion_to_save()
        if fusion is not None:
            fusion.save(path / "fusion.json")

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> SkillxComponent:
        """Read what `to_disk` wrote."""
        from skillx.fusion import FusionParams

        path = Path(path)
        cfg_file = path / "cfg.json"
        if cfg_file.is_file():
            for key, value in json.loads(cfg_file.read_text(encoding="utf-8")).items():
                if key in DEFAULT_CONFIG:
                    setattr(self, key, value)
        self.fusion = FusionParams.load(path / "fusion.json") if (path / "fusion.json").is_file() else None
        self._extractor = None
        return self


@Language.factory(
    "skillx",
    default_config=DEFAULT_CONFIG,
    assigns=["doc._.skills", "span._.skills", "doc.spans"],
)
def make_skillx(
    nlp: Language,
    name: str,
    model: str | None,
    taxonomy: str | None,
    esco_version: str,
    language: str,
    k: int,
    min_score: float | None,
    batch_size: int,
    clause_margin: float | None,
    scoring: str,
    spans_key: str,
    span_label: str,
) -> SkillxComponent:
    """spaCy factory of the ``"skillx"`` component (entry point ``spacy_factories``)."""
    return SkillxComponent(
        nlp,
        name,
        model=model,
        taxonomy=taxonomy,
        esco_version=esco_version,
        language=language,
        k=k,
        min_score=min_score,
        batch_size=batch_size,
        clause_margin=clause_margin,
        scoring=scoring,
        spans_key=spans_key,
        span_label=span_label,
    )

"""Result records of rankers and the extractor (plain, frozen, best first) and their table view.

One place for every result type: `SkillMatch` per sentence, `SentenceSkills` per sentence of a
text, `DocumentSkills` per text, and `to_pandas` (pandas is imported only when it is called).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

from skillx.errors import InputError

if TYPE_CHECKING:
    import pandas as pd


class MatchSource(str, Enum):
    """Where the evidence for a skill came from."""

    LITERAL = "literal"
    SEMANTIC = "semantic"
    BOTH = "both"


@dataclass(frozen=True, slots=True)
class SkillMatch:
    """One ranked skill for one sentence.

    Attributes:
        uri: Skill URI.
        label: Preferred label of the skill.
        score: Ranking score, higher is better (cosine similarity for the semantic ranker).
        source: ``"literal"``, ``"semantic"`` or ``"both"``.
        start: Character offset of the literal evidence in the caller's text, if any.
        end: End offset (exclusive) of the literal evidence, if any.
    """

    uri: str
    label: str
    score: float
    source: str = MatchSource.SEMANTIC.value
    start: int | None = None
    end: int | None = None


SENTENCE_COLUMNS = [
    "doc", "sentence", "sentence_start", "sentence_end", "sentence_text",
    "rank", "uri", "label", "score", "source", "start", "end",
]  # fmt: skip


def match_to_dict(match: SkillMatch) -> dict[str, Any]:
    """A JSON-ready dict of one `SkillMatch`."""
    return {
        "uri": match.uri,
        "label": match.label,
        "score": round(float(match.score), 6),
        "source": match.source,
        "start": match.start,
        "end": match.end,
    }


@dataclass(frozen=True, slots=True)
class SentenceSkills:
    """The skills found in one sentence of an input text.

    Attributes:
        index: Position of the sentence in its text (0-based).
        text: The sentence, cleaned (tags, entities and bullet marks removed).
        start: Offset of the sentence in the caller's original text.
        end: End offset (exclusive) in the caller's original text.
        skills: Best-first skills; empty when nothing scores above ``min_score``.
    """

    index: int
    text: str
    start: int
    end: int
    skills: tuple[SkillMatch, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the shape of the CLI's JSONL output)."""
        return {
            "index": self.index,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "skills": [match_to_dict(m) for m in self.skills],
        }


@dataclass(frozen=True, slots=True)
class DocumentSkill:
    """One skill of a whole text, aggregated over its sentences.

    Attributes:
        uri: Skill URI.
        label: Preferred label.
        score: Highest score over the supporting sentences.
        source: ``"literal"``, ``"semantic"`` or ``"both"`` (both kinds of evidence seen).
        sentences: Indices of the sentences that support the skill, in text order.
        spans: ``(start, end)`` offsets of the literal evidence in the caller's text.
    """

    uri: str
    label: str
    score: float
    source: str
    sentences: tuple[int, ...]
    spans: tuple[tuple[int, int], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "uri": self.uri,
            "label": self.label,
            "score": round(float(self.score), 6),
            "source": self.source,
            "sentences": list(self.sentences),
            "spans": [list(s) for s in self.spans],
        }


@dataclass(frozen=True, slots=True)
class DocumentSkills:
    """The skills of a whole text (e.g. one job ad).

    Attributes:
        skills: Skills aggregated over sentences (max score), best first.
        sentences: The per-sentence results they come from.
    """

    skills: tuple[DocumentSkill, ...]
    sentences: tuple[SentenceSkills, ...]

    @classmethod
    def from_sentences(cls, sentences: Iterable[SentenceSkills]) -> DocumentSkills:
        """Aggregate per-sentence results: a skill's score is its best sentence score.

        Args:
            sentences: The results of `SkillExtractor.extract` for one text.

        Returns:
            The document view, skills best first (ties by first appearance).
        """
        sentences = tuple(sentences)
        best: dict[str, SkillMatch] = {}
        support: dict[str, dict[int, None]] = {}
        spans: dict[str, dict[tuple[int, int], None]] = {}
        sources: dict[str, set[str]] = {}
        for sent in sentences:
            for match in sent.skills:
                old = best.get(match.uri)
                if old is None or match.score > old.score:
                    best[match.uri] = match
                support.setdefault(match.uri, {})[sent.index] = None
                sources.setdefault(match.uri, set()).add(match.source)
                if match.start is not None and match.end is not None:
                    spans.setdefault(match.uri, {})[(match.start, match.end)] = None
        order = {uri: i for i, uri in enumerate(best)}
        skills = [
            DocumentSkill(
                uri=uri,
                label=m.label,
                score=m.score,
                source=_combine_sources(sources[uri]),
                sentences=tuple(sorted(support[uri])),
                spans=tuple(sorted(spans.get(uri, {}))),
            )
            for uri, m in best.items()
        ]
        skills.sort(key=lambda s: (-s.score, order[s.uri]))
        return cls(tuple(skills), sentences)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "skills": [s.to_dict() for s in self.skills],
            "sentences": [s.to_dict() for s in self.sentences],
        }

    def to_pandas(self) -> pd.DataFrame:
        """One row per skill: uri, label, score, source, sentences, spans."""
        import pandas as pd

        return pd.DataFrame(
            [s.to_dict() for s in self.skills],
            columns=["uri", "label", "score", "source", "sentences", "spans"],
        )


def _combine_sources(sources: set[str]) -> str:
    if len(sources) == 1:
        return next(iter(sources))
    return MatchSource.BOTH.value


def sentence_rows(results: Sequence[SentenceSkills], doc: Any = 0) -> list[dict[str, Any]]:
    """Rows (one per sentence x skill) of the table returned by `to_pandas`.

    Args:
        results: The sentences of one text.
        doc: What the ``doc`` column holds: the text's position or the caller's id.
    """
    rows: list[dict[str, Any]] = []
    for sent in results:
        for rank, m in enumerate(sent.skills, start=1):
            rows.append(
                {
                    "doc": doc,
                    "sentence": sent.index,
                    "sentence_start": sent.start,
                    "sentence_end": sent.end,
                    "sentence_text": sent.text,
                    "rank": rank,
                    "uri": m.uri,
                    "label": m.label,
                    "score": float(m.score),
                    "source": m.source,
                    "start": m.start,
                    "end": m.end,
                }
            )
    return rows


def to_pandas(
    results: Sequence[SentenceSkills] | Sequence[Sequence[SentenceSkills]] | DocumentSkills,
    *,
    ids: Sequence[Any] | None = None,
) -> pd.DataFrame:
    """A table with one row per sentence x skill.

    Args:
        results: What `SkillExtractor.extract` returns (one text), what `extract_many`
            returns (a list per text; the ``doc`` column numbers them), or a `DocumentSkills`.
        ids: Your ids of the texts, one per text in `results` (e.g. the ad ids of a
            DataFrame); the ``doc`` column holds them instead of positions.

    Returns:
        DataFrame with columns doc, sentence, sentence_start, sentence_end, sentence_text,
        rank, uri, label, score, source, start, end (``start``/``end`` are the literal
        evidence offsets, empty for semantic-only matches).

    Raises:
        InputError: If `ids` does not have one id per text.

    Example:
        >>> to_pandas([]).columns.tolist()[:3]
        ['doc', 'sentence', 'sentence_start']
        >>> to_pandas([[], []], ids=["ad-7", "ad-9"]).empty
        True
    """
    import pandas as pd

    if isinstance(results, DocumentSkills):
        docs: list[Sequence[SentenceSkills]] = [results.sentences]
    elif all(isinstance(r, SentenceSkills) for r in results):
        docs = [results]  # type: ignore[list-item]
    elif all(isinstance(r, (list, tuple)) for r in results):
        docs = list(results)  # type: ignore[arg-type]
    else:
        raise InputError(
            "to_pandas() takes the result of extract() (a list of SentenceSkills), of "
            "extract_many() (a list of such lists) or a DocumentSkills."
        )
    if ids is not None:
        ids = list(ids)
        if len(ids) != len(docs):
            raise InputError(
                f"to_pandas() got {len(ids)} ids for {len(docs)} texts. Pass one id per text, in the "
                "order of the results."
            )
    rows: list[dict[str, Any]] = []
    for i, doc in enumerate(docs):
        rows.extend(sentence_rows(doc, doc=i if ids is None else ids[i]))
    frame = pd.DataFrame(rows, columns=SENTENCE_COLUMNS)
    return frame.astype({"start": "Int64", "end": "Int64"})

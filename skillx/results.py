"""Result records of rankers and the extractor (plain, frozen, best first) and their table view.

One place for every result type: `SkillMatch` per sentence, `SentenceSkills` per sentence of a
text, `DocumentSkills` per text, and `to_pandas` (pandas is imported only when it is called).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
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
        score: Probability that the text asks for the skill: its best supporting sentence's
            probability (sentences of one ad are not independent evidence; see
            `DocumentSkills.from_sentences`).
        source: ``"literal"``, ``"semantic"`` or ``"both"`` (both kinds of evidence seen).
        sentences: Indices of the sentences that support the skill, in text order.
        spans: ``(start, end)`` offsets of the literal evidence in the caller's text.
        sentence_scores: The skill's probability in each supporting sentence (same order).
        related: URIs of other skills of the text under the same broader concept (near
            duplicates, e.g. several electronic-health-record skills); with
            ``merge_related=True`` those were folded into this one.
    """

    uri: str
    label: str
    score: float
    source: str
    sentences: tuple[int, ...]
    spans: tuple[tuple[int, int], ...] = ()
    sentence_scores: tuple[float, ...] = ()
    related: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "uri": self.uri,
            "label": self.label,
            "score": round(float(self.score), 6),
            "source": self.source,
            "sentences": list(self.sentences),
            "spans": [list(s) for s in self.spans],
            "sentence_scores": [round(float(p), 6) for p in self.sentence_scores],
            "related": list(self.related),
        }


@dataclass(frozen=True, slots=True)
class DocumentSkills:
    """The skills of a whole text (e.g. one job ad).

    Attributes:
        skills: Skills aggregated over sentences (best sentence probability), best first.
        sentences: The per-sentence results they come from.
    """

    skills: tuple[DocumentSkill, ...]
    sentences: tuple[SentenceSkills, ...]

    @classmethod
    def from_sentences(
        cls,
        sentences: Iterable[SentenceSkills],
        *,
        min_score: float = 0.0,
        support_min_score: float = 0.0,
        broader: Callable[[str], Sequence[str]] | None = None,
        merge_related: bool = False,
    ) -> DocumentSkills:
        """Aggregate per-sentence results into ad-level decisions.

        A sentence supports a skill when the skill is among its skills with a probability of
        at least `support_min_score`; the document probability is the best supporting
        probability. It is not the noisy-OR ``1 - prod(1 - p_i)``: the sentences of one ad
        repeat the same words and the same errors ("Google" in several lines of a Google ad,
        each matched to `search engines`), so a skill several sentences support is no likelier to
        be right than its best sentence says. Skills below `min_score` are dropped.

        With `broader` (e.g. ``Taxonomy.broader``), kept skills sharing a direct broader
        concept, or one the direct broader concept of the other, are linked through
        ``related``; with ``merge_related=True`` only the best of each such group is kept,
        listing the others in ``related``.

        Args:
            sentences: The results of `SkillExtractor.extract` for one text.
            min_score: Document-level threshold (a probability).
            support_min_score: Least sentence probability that counts as support.
            broader: URI -> broader concept URIs, to link or merge near duplicates.
            merge_related: Fold near duplicates into the best one instead of only linking.

        Returns:
            The document view, skills best first (ties by first appearance).

        Example:
            >>> s = SentenceSkills(0, "Python.", 0, 7, (SkillMatch("u:py", "Python", 0.5),))
            >>> t = SentenceSkills(1, "Python!", 8, 15, (SkillMatch("u:py", "Python", 0.3),))
            >>> doc = DocumentSkills.from_sentences([s, t]).skills[0]
            >>> doc.score, doc.sentences
            (0.5, (0, 1))
        """
        sentences = tuple(sentences)
        label: dict[str, str] = {}
        probs: dict[str, dict[int, float]] = {}
        spans: dict[str, dict[tuple[int, int], None]] = {}
        sources: dict[str, set[str]] = {}
        for sent in sentences:
            for match in sent.skills:
                if match.score < support_min_score:
                    continue
                label.setdefault(match.uri, match.label)
                per = probs.setdefault(match.uri, {})
                per[sent.index] = max(per.get(sent.index, 0.0), float(match.score))
                sources.setdefault(match.uri, set()).add(match.source)
                if match.start is not None and match.end is not None:
                    spans.setdefault(match.uri, {})[(match.start, match.end)] = None
        order = {uri: i for i, uri in enumerate(label)}
        skills = []
        for uri, per in probs.items():
            score = max(per.values())
            if score < min_score:
                continue
            support = tuple(sorted(per))
            skills.append(
                DocumentSkill(
                    uri=uri,
                    label=label[uri],
                    score=score,
                    source=_combine_sources(sources[uri]),
                    sentences=support,
                    spans=tuple(sorted(spans.get(uri, {}))),
                    sentence_scores=tuple(per[i] for i in support),
                )
            )
        skills.sort(key=lambda s: (-s.score, order[s.uri]))
        if broader is not None:
            skills = _link_related(skills, broader, merge=merge_related)
        return cls(tuple(skills), sentences)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "skills": [s.to_dict() for s in self.skills],
            "sentences": [s.to_dict() for s in self.sentences],
        }

    def to_pandas(self) -> pd.DataFrame:
        """One row per skill: uri, label, score, source, sentences, spans, sentence_scores, related."""
        import pandas as pd

        return pd.DataFrame(
            [s.to_dict() for s in self.skills],
            columns=["uri", "label", "score", "source", "sentences", "spans", "sentence_scores", "related"],
        )


def _link_related(
    skills: list[DocumentSkill], broader: Callable[[str], Sequence[str]], *, merge: bool
) -> list[DocumentSkill]:
    """Link (or fold into the best one) kept skills that share a direct broader concept."""
    parents = {s.uri: set(broader(s.uri)) for s in skills}
    def near(a: str, b: str) -> bool:  # siblings, or one the broader concept of the other
        return bool(parents[a] & parents[b]) or a in parents[b] or b in parents[a]

    linked = {s.uri: tuple(o.uri for o in skills if o.uri != s.uri and near(s.uri, o.uri)) for s in skills}
    if not merge:
        return [replace(s, related=linked[s.uri]) for s in skills]
    kept: list[DocumentSkill] = []
    folded: set[str] = set()
    for s in skills:  # best first: the best of a group absorbs the rest
        if s.uri in folded:
            continue
        group = tuple(u for u in linked[s.uri] if u not in folded)
        folded.update(group)
        kept.append(replace(s, related=group))
    return kept


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

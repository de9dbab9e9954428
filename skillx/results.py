"""Result records returned by rankers, matchers and the extractor: plain, frozen, best first."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


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

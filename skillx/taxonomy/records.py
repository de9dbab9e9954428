"""Plain frozen records for the concepts of a skills taxonomy."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class LabelKind(str, Enum):
    """Which kind of ESCO/SKOS label a surface form comes from."""

    PREFERRED = "preferred"
    ALTERNATIVE = "alternative"
    HIDDEN = "hidden"


@dataclass(frozen=True, slots=True)
class Skill:
    """One skill or knowledge concept.

    Attributes:
        uri: Stable identifier, e.g. ``http://data.europa.eu/esco/skill/...``.
        preferred_label: The concept's preferred label in the taxonomy language.
        alt_labels: Alternative labels (synonyms, spelling variants).
        hidden_labels: Labels used for search only (misspellings, old terms).
        description: Free-text description or definition; may be empty.
        skill_type: ``"skill/competence"``, ``"knowledge"`` or ``""`` when unknown.
        reuse_level: ``"transversal"``, ``"cross-sector"``, ``"sector-specific"``,
            ``"occupation-specific"`` or ``""``.
        broader: URIs of the broader concepts (skill groups or broader skills).
    """

    uri: str
    preferred_label: str
    alt_labels: tuple[str, ...] = ()
    hidden_labels: tuple[str, ...] = ()
    description: str = ""
    skill_type: str = ""
    reuse_level: str = ""
    broader: tuple[str, ...] = ()

    @property
    def labels(self) -> tuple[str, ...]:
        """Preferred label first, then alternative and hidden labels."""
        return (self.preferred_label, *self.alt_labels, *self.hidden_labels)


@dataclass(frozen=True, slots=True)
class SkillGroup:
    """A node of the skills hierarchy that groups skills (ESCO ``SkillGroup``)."""

    uri: str
    preferred_label: str
    alt_labels: tuple[str, ...] = ()
    description: str = ""
    code: str = ""
    broader: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SkillRelation:
    """A directed skill-to-skill link (ESCO ``skillSkillRelations``)."""

    source: str
    target: str
    relation_type: str = "related"  # ESCO: "essential" or "optional"


@dataclass(frozen=True, slots=True)
class SurfaceForm:
    """One label of one skill, as text that can appear in a job ad."""

    text: str
    kind: LabelKind
    uri: str

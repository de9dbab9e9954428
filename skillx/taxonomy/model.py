"""The in-memory `Taxonomy`: skills, groups, hierarchy and relations with fast look-ups."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import fields
from typing import TYPE_CHECKING

from skillx.errors import TaxonomyError
from skillx.taxonomy.records import LabelKind, Skill, SkillGroup, SkillRelation, SurfaceForm

if TYPE_CHECKING:
    import pandas as pd

_SKILL_FIELDS = tuple(f.name for f in fields(Skill))
_GROUP_FIELDS = tuple(f.name for f in fields(SkillGroup))


class Taxonomy:
    """A skills taxonomy such as ESCO, read-only once built.

    Skills keep the order they were given in (for ESCO: the order of ``skills_<lang>.csv``),
    so positional indexes (e.g. rows of a skill-embedding matrix) are stable.

    Args:
        skills: The skill concepts.
        groups: Skill groups of the hierarchy (may be empty for flat taxonomies).
        relations: Skill-to-skill links.
        name: Short name, e.g. ``"ESCO"``.
        version: Taxonomy version, e.g. ``"1.1.0"``; ``""`` for custom taxonomies.
        language: Language code of the labels, e.g. ``"en"``.
        fingerprint: A fingerprint computed earlier for the same content (the taxonomy cache
            stores it); computed on first use when None.

    Raises:
        TaxonomyError: If two skills share a URI.

    Example:
        >>> from skillx.taxonomy import Skill, Taxonomy
        >>> t = Taxonomy([Skill("urn:a", "use Python"), Skill("urn:b", "Python")])
        >>> [s.uri for s in t.find("python")]
        ['urn:b']
    """

    def __init__(
        self,
        skills: Iterable[Skill],
        groups: Iterable[SkillGroup] = (),
        relations: Iterable[SkillRelation] = (),
        *,
        name: str = "custom",
        version: str = "",
        language: str = "en",
        fingerprint: str | None = None,
    ) -> None:
        self.name = name
        self.version = version
        self.language = language
        self._skills: dict[str, Skill] = {}
        for skill in skills:
            if skill.uri in self._skills:
                raise TaxonomyError(
                    f"Two skills share the URI '{skill.uri}'. Each skill needs a unique URI; "
                    "check the taxonomy file for duplicated rows."
                )
            self._skills[skill.uri] = skill
        self._groups: dict[str, SkillGroup] = {g.uri: g for g in groups}
        self._relations: tuple[SkillRelation, ...] = tuple(relations)
        self._fingerprint: str | None = fingerprint
        self._build_lookups()

    def _build_lookups(self) -> None:
        # Hot path of a warm cache load (full ESCO: ~110k labels); plain dicts of tuples,
        # no intermediate lists. A label shared by several skills is rare, so tuple growth is cheap.
        self._position = {uri: i for i, uri in enumerate(self._skills)}
        by_label: dict[str, tuple[str, ...]] = {}
        get = by_label.get
        for uri, skill in self._skills.items():
            keys = {label.casefold() for label in skill.labels}
            for key in keys:
                have = get(key)
                by_label[key] = (uri,) if have is None else (*have, uri)
        self._by_label = by_label
        children: dict[str, list[str]] = defaultdict(list)
        concepts: tuple[Skill | SkillGroup, ...] = (*self._skills.values(), *self._groups.values())
        for concept in concepts:
            for parent in concept.broader:
                children[parent].append(concept.uri)
        self._children = {parent: tuple(kids) for parent, kids in children.items()}
        related: dict[str, dict[str, None]] = defaultdict(dict)
        for rel in self._relations:
            related[rel.source][rel.target] = None
            related[rel.target][rel.source] = None
        self._related = {uri: tuple(others) for uri, others in related.items()}

    # -- container protocol -------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._skills)

    def __iter__(self) -> Iterator[Skill]:
        return iter(self._skills.values())

    def __contains__(self, uri: object) -> bool:
        return uri in self._skills

    def __getitem__(self, uri: str) -> Skill:
        try:
            return self._skills[uri]
        except KeyError:
            raise KeyError(f"No skill with URI '{uri}' in taxonomy {self.name} {self.version}") from None

    def __repr__(self) -> str:
        return (
            f"Taxonomy(name={self.name!r}, version={self.version!r}, language={self.language!r}, "
            f"skills={len(self._skills)}, groups={len(self._groups)}, relations={len(self._relations)})"
        )

    # -- look-ups -----------------------------------------------------------------------
    @property
    def skills(self) -> tuple[Skill, ...]:
        """All skills, in taxonomy order."""
        return tuple(self._skills.values())

    @property
    def groups(self) -> tuple[SkillGroup, ...]:
        """All skill groups."""
        return tuple(self._groups.values())

    @property
    def relations(self) -> tuple[SkillRelation, ...]:
        """All skill-to-skill relations as given."""
        return self._relations

    @property
    def uris(self) -> tuple[str, ...]:
        """Skill URIs in taxonomy order (row order of any skill matrix)."""
        return tuple(self._skills)

    def get(self, uri: str) -> Skill | None:
        """The skill with this URI, or None."""
        return self._skills.get(uri)

    def group(self, uri: str) -> SkillGroup | None:
        """The skill group with this URI, or None."""
        return self._groups.get(uri)

    def position(self, uri: str) -> int:
        """Row of the skill in taxonomy order."""
        return self._position[uri]

    def label(self, uri: str) -> str:
        """Preferred label of a skill or group."""
        concept = self._skills.get(uri) or self._groups.get(uri)
        if concept is None:
            raise KeyError(f"No skill or group with URI '{uri}'")
        return concept.preferred_label

    def find(self, label: str) -> list[Skill]:
        """Skills having `label` as any of their labels (case-insensitive, exact)."""
        return [self._skills[uri] for uri in self._by_label.get(label.strip().casefold(), ())]

    def broader(self, uri: str) -> tuple[str, ...]:
        """URIs of the direct broader concepts (groups or skills) of a skill or group."""
        concept = self._skills.get(uri) or self._groups.get(uri)
        return concept.broader if concept is not None else ()

    def narrower(self, uri: str) -> tuple[str, ...]:
        """URIs of the direct narrower concepts (skills and groups) of a concept."""
        return self._children.get(uri, ())

    def siblings(self, uri: str) -> tuple[str, ...]:
        """Skills sharing a direct broader concept with `uri` (excluding `uri` itself)."""
        seen: dict[str, None] = {}
        for parent in self.broader(uri):
            for child in self._children.get(parent, ()):
                if child != uri and child in self._skills:
                    seen[child] = None
        return tuple(seen)

    def related(self, uri: str) -> tuple[str, ...]:
        """Skills linked to `uri` by a skill-skill relation, in either direction."""
        return self._related.get(uri, ())

    def surface_forms(self) -> list[SurfaceForm]:
        """Every label of every skill with its kind, deduplicated per skill."""
        forms: list[SurfaceForm] = []
        for skill in self._skills.values():
            seen: set[str] = set()
            for kind, labels in (
                (LabelKind.PREFERRED, (skill.preferred_label,)),
                (LabelKind.ALTERNATIVE, skill.alt_labels),
                (LabelKind.HIDDEN, skill.hidden_labels),
            ):
                for text in labels:
                    if text and text not in seen:
                        seen.add(text)
                        forms.append(SurfaceForm(text, kind, skill.uri))
        return forms

    # -- identity and export --------------------------------------------------------------
    @property
    def fingerprint(self) -> str:
        """SHA-256 over the canonical content; equal taxonomies have equal fingerprints."""
        cached = self._fingerprint
        if cached is None:
            digest = hashlib.sha256()
            for part in (
                [self.name, self.version, self.language],
                [[getattr(s, f) for f in _SKILL_FIELDS] for s in self._skills.values()],
                [
                    [getattr(g, f) for f in _GROUP_FIELDS]
                    for g in sorted(self._groups.values(), key=lambda g: g.uri)
                ],
                sorted(f"{r.source}|{r.target}|{r.relation_type}" for r in self._relations),
            ):
                digest.update(json.dumps(part, sort_keys=True, ensure_ascii=False).encode("utf-8"))
            cached = self._fingerprint = digest.hexdigest()
        return cached

    def to_pandas(self) -> pd.DataFrame:
        """One row per skill: uri, preferred_label, alt/hidden labels (lists), description, ..."""
        import pandas as pd

        columns = [f.name for f in fields(Skill)]
        rows = [
            {name: list(v) if isinstance(v := getattr(s, name), tuple) else v for name in columns}
            for s in self._skills.values()
        ]
        return pd.DataFrame(rows, columns=columns)

"""SKOS RDF: read any SKOS skills taxonomy through rdflib, and write a `Taxonomy` as SKOS Turtle.

Mapping (reader and writer agree, so ESCO CSV -> SKOS -> `Taxonomy` round-trips):

========================================  ==========================================
RDF                                       `Taxonomy`
========================================  ==========================================
``skos:Concept``                          a skill, or a group (see the group rule)
``skos:prefLabel`` / ``altLabel`` /       ``preferred_label`` / ``alt_labels`` /
``hiddenLabel`` (language-filtered)       ``hidden_labels``
``dcterms:description`` or                ``description`` (``dcterms:description`` wins;
``skos:definition``                       ESCO's ``esco:nodeLiteral`` nodes are read too)
``skos:broader`` (and inverse             ``broader``
``skos:narrower``)
``skos:related``                          `SkillRelation` of type ``"related"``
``esco:hasEssentialSkill`` /              `SkillRelation` of type ``"essential"`` /
``esco:hasOptionalSkill``                 ``"optional"``
``esco:skillType``                        ``skill_type`` (``skill/competence``, ``knowledge``)
``esco:skillReuseLevel``                  ``reuse_level``
``skos:notation``                         ``SkillGroup.code``
``skos:ConceptScheme`` with               taxonomy ``name`` / ``version``
``dcterms:title`` / ``owl:versionInfo``
========================================  ==========================================

Group rule (``groups="auto"``): when the file types any concept as ``esco:SkillGroup`` or
``esco:Skill`` (ESCO's own RDF, and files written by `write_skos`), exactly the concepts typed
``esco:SkillGroup`` are groups. Otherwise (a plain SKOS file) the inner concepts, those that
are the ``skos:broader`` of another concept, are groups and the leaves are skills. Pass
``groups="typed"``, ``"inner"`` or ``"none"`` (every concept is a skill) to force a rule.

RDF has no order: the reader lists skills by URI and labels alphabetically.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

from skillx.errors import TaxonomyError, TaxonomyNotFoundError
from skillx.io import atomic_write_text
from skillx.taxonomy.model import Taxonomy
from skillx.taxonomy.records import Skill, SkillGroup, SkillRelation
from skillx.taxonomy.validate import check_acyclic, check_no_xml_entities, warn_duplicate_labels, warn_skipped

if TYPE_CHECKING:
    from rdflib import Graph

SKOS_NS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS_NS = "http://purl.org/dc/terms/"
ESCO_NS = "http://data.europa.eu/esco/model#"
OWL_NS = "http://www.w3.org/2002/07/owl#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

SKILL_TYPE_URI = "http://data.europa.eu/esco/skill-type/"
REUSE_LEVEL_URI = "http://data.europa.eu/esco/skill-reuse-level/"
_SKILL_TYPES = {"skill/competence": SKILL_TYPE_URI + "skill", "knowledge": SKILL_TYPE_URI + "knowledge"}
_SKILL_TYPES_BACK = {uri: name for name, uri in _SKILL_TYPES.items()}
_REUSE_LEVELS = ("transversal", "cross-sector", "sector-specific", "occupation-specific")
_RELATION_PREDICATES = {"essential": "esco:hasEssentialSkill", "optional": "esco:hasOptionalSkill"}

#: File suffix -> rdflib format name.
RDF_SUFFIXES: dict[str, str] = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".rdf": "xml",
    ".xml": "xml",
    ".owl": "xml",
    ".nt": "nt",
    ".ntriples": "nt",
    ".n3": "n3",
    ".jsonld": "json-ld",
}
_FORMAT_ALIASES = {
    "turtle": "turtle",
    "ttl": "turtle",
    "xml": "xml",
    "rdf/xml": "xml",
    "rdfxml": "xml",
    "application/rdf+xml": "xml",
    "nt": "nt",
    "ntriples": "nt",
    "n-triples": "nt",
    "n3": "n3",
    "json-ld": "json-ld",
    "jsonld": "json-ld",
}

GroupRule = Literal["auto", "typed", "inner", "none"]


def is_rdf_path(path: str | Path) -> bool:
    """Whether the file suffix names an RDF serialisation that `read_skos` reads."""
    return Path(path).suffix.lower() in RDF_SUFFIXES


def guess_format(path: str | Path, format: str | None = None) -> str:
    """The rdflib format for `path`: the explicit `format` if given, else from the suffix."""
    if format is not None:
        try:
            return _FORMAT_ALIASES[format.lower()]
        except KeyError:
            raise TaxonomyError(
                f"Unknown RDF format '{format}'. Use one of: {', '.join(sorted(set(_FORMAT_ALIASES)))}."
            ) from None
    suffix = Path(path).suffix.lower()
    if suffix not in RDF_SUFFIXES:
        raise TaxonomyError(
            f"Cannot tell the RDF format of '{path}' from its suffix '{suffix}'. Rename it to one of "
            f"{', '.join(sorted(RDF_SUFFIXES))} or pass format='turtle' / 'xml' / 'nt'."
        )
    return RDF_SUFFIXES[suffix]


def read_skos(
    path: str | Path,
    *,
    language: str = "en",
    format: str | None = None,
    groups: GroupRule = "auto",
    name: str | None = None,
    version: str | None = None,
) -> Taxonomy:
    """Read a SKOS taxonomy (Turtle, RDF/XML, N-Triples, N3, JSON-LD) into a `Taxonomy`.

    Args:
        path: The RDF file.
        language: Keep labels and descriptions tagged with this language (and untagged ones).
        format: rdflib format (``"turtle"``, ``"xml"``, ``"nt"``, ...); guessed from the suffix if None.
        groups: Which concepts become `SkillGroup` s: ``"auto"`` (see the module docs),
            ``"typed"`` (``esco:SkillGroup``), ``"inner"`` (concepts with narrower concepts)
            or ``"none"``.
        name: Taxonomy name; default the ``dcterms:title`` of the file's concept scheme, else
            the file stem.
        version: Taxonomy version; default the scheme's ``owl:versionInfo``, else ``""``.

    Returns:
        The taxonomy, skills sorted by URI.

    Raises:
        TaxonomyNotFoundError: If the file does not exist.
        TaxonomyError: If it cannot be parsed, or holds no ``skos:Concept`` with a label in `language`.

    Example:
        >>> t = read_skos("taxonomy/toy/toy.ttl")  # doctest: +SKIP
        >>> t.find("Python")[0].preferred_label  # doctest: +SKIP
        'Python (computer programming)'
    """
    path = Path(path).expanduser()
    if not path.is_file():
        raise TaxonomyNotFoundError(
            f"SKOS file not found at '{path}'. Pass the path of a Turtle (.ttl), RDF/XML (.rdf) or "
            "N-Triples (.nt) file."
        )
    if groups not in ("auto", "typed", "inner", "none"):
        raise TaxonomyError(f"Unknown group rule groups={groups!r}. Use 'auto', 'typed', 'inner' or 'none'.")
    graph = _parse(path, guess_format(path, format))
    return _graph_to_taxonomy(graph, path, language=language, groups=groups, name=name, version=version)


def _parse(path: Path, fmt: str) -> Graph:
    from rdflib import Graph

    if fmt == "xml":
        check_no_xml_entities(path)
    graph = Graph()
    try:
        graph.parse(str(path), format=fmt)
    except Exception as exc:  # rdflib raises many unrelated types for bad syntax
        detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise TaxonomyError(
            f"'{path}' could not be parsed as {fmt} RDF ({detail}). Check the file is complete and "
            "pass the right format= (turtle, xml, nt)."
        ) from None
    return graph


class _Literals:
    """Language-filtered literal values per subject for one predicate."""

    def __init__(self, graph: Graph, predicate: Any, language: str, node_literal: Any) -> None:
        self.tagged: dict[Any, list[str]] = defaultdict(list)
        self.untagged: dict[Any, list[str]] = defaultdict(list)
        from rdflib import BNode, Literal

        for subject, obj in graph.subject_objects(predicate):
            if isinstance(obj, BNode):  # ESCO: dcterms:description [ esco:nodeLiteral "..."@en ]
                for inner in graph.objects(obj, node_literal):
                    if isinstance(inner, Literal):
                        self._add(subject, inner, language)
            elif isinstance(obj, Literal):
                self._add(subject, obj, language)

    def _add(self, subject: Any, literal: Any, language: str) -> None:
        text = str(literal).strip()
        if not text:
            return
        lang = literal.language
        if lang is None:
            self.untagged[subject].append(text)
        elif lang.lower() == language.lower() or lang.lower().split("-")[0] == language.lower():
            self.tagged[subject].append(text)

    def all(self, subject: Any) -> tuple[str, ...]:
        values = self.tagged.get(subject, []) + self.untagged.get(subject, [])
        return tuple(sorted(dict.fromkeys(values), key=lambda s: (s.casefold(), s)))

    def first(self, subject: Any) -> str:
        values = self.tagged.get(subject) or self.untagged.get(subject) or []
        return min(values) if values else ""

    def languages(self, graph: Graph, predicate: Any) -> set[str]:
        return {str(lang) for o in graph.objects(None, predicate) if (lang := getattr(o, "language", None))}


def _graph_to_taxonomy(
    graph: Graph, path: Path, *, language: str, groups: GroupRule, name: str | None, version: str | None
) -> Taxonomy:
    from rdflib import RDF, Literal, Namespace, URIRef

    skos = Namespace(SKOS_NS)
    dct = Namespace(DCTERMS_NS)
    esco = Namespace(ESCO_NS)
    owl = Namespace(OWL_NS)

    typed_groups = set(graph.subjects(RDF.type, esco.SkillGroup))
    typed_skills = set(graph.subjects(RDF.type, esco.Skill))
    concepts = set(graph.subjects(RDF.type, skos.Concept)) | typed_groups | typed_skills
    concepts = {c for c in concepts if isinstance(c, URIRef)}
    if not concepts:
        raise TaxonomyError(
            f"'{path}' holds no skos:Concept ({len(graph)} triples read). A SKOS taxonomy types each "
            "skill as skos:Concept ('<uri> a skos:Concept ; skos:prefLabel \"...\"@en .')."
        )
    pref = _Literals(graph, skos.prefLabel, language, esco.nodeLiteral)
    labelled = {c for c in concepts if pref.first(c)}
    if not labelled:
        found = sorted(pref.languages(graph, skos.prefLabel))
        raise TaxonomyError(
            f"'{path}' has {len(concepts)} skos:Concept(s) but none with a skos:prefLabel in language "
            f"'{language}' (labels found in: {', '.join(found) or 'none'}). Pass language= one of those."
        )
    warn_skipped(
        sorted(str(c) for c in concepts - labelled),
        path,
        f"without a skos:prefLabel in language '{language}'",
    )
    concepts = labelled
    alt = _Literals(graph, skos.altLabel, language, esco.nodeLiteral)
    hidden = _Literals(graph, skos.hiddenLabel, language, esco.nodeLiteral)
    description = _Literals(graph, dct.description, language, esco.nodeLiteral)
    definition = _Literals(graph, skos.definition, language, esco.nodeLiteral)

    broader: dict[Any, set[str]] = defaultdict(set)
    for child, parent in graph.subject_objects(skos.broader):
        if child in concepts and isinstance(parent, URIRef):
            broader[child].add(str(parent))
    for parent, child in graph.subject_objects(skos.narrower):
        if child in concepts and isinstance(parent, URIRef):
            broader[child].add(str(parent))

    check_acyclic({str(c): parents for c, parents in broader.items()}, path)
    if groups == "auto":
        groups = "typed" if (typed_groups or typed_skills) else "inner"
    if groups == "typed":
        group_set = concepts & typed_groups
    elif groups == "inner":
        inner = {p for parents in broader.values() for p in parents}
        group_set = {c for c in concepts if str(c) in inner}
    else:
        group_set = set()

    def single(subject: Any, predicate: Any) -> Any:
        values = sorted(graph.objects(subject, predicate), key=str)
        return values[0] if values else None

    def skill_type(subject: Any) -> str:
        value = single(subject, esco.skillType)
        if value is None:
            return ""
        text = str(value)
        return _SKILL_TYPES_BACK.get(text, text.rsplit("/", 1)[-1] if isinstance(value, URIRef) else text)

    def reuse_level(subject: Any) -> str:
        value = single(subject, esco.skillReuseLevel)
        if value is None:
            return ""
        return str(value).rsplit("/", 1)[-1] if isinstance(value, URIRef) else str(value)

    skills = [
        Skill(
            uri=str(c),
            preferred_label=pref.first(c),
            alt_labels=alt.all(c),
            hidden_labels=hidden.all(c),
            description=description.first(c) or definition.first(c),
            skill_type=skill_type(c),
            reuse_level=reuse_level(c),
            broader=tuple(sorted(broader.get(c, ()))),
        )
        for c in sorted(concepts - group_set, key=str)
    ]
    skill_groups = [
        SkillGroup(
            uri=str(c),
            preferred_label=pref.first(c),
            alt_labels=alt.all(c),
            description=description.first(c) or definition.first(c),
            code=str(single(c, skos.notation) or ""),
            broader=tuple(sorted(broader.get(c, ()))),
        )
        for c in sorted(group_set, key=str)
    ]
    warn_duplicate_labels(skills, path)
    relations: dict[tuple[str, str, str], None] = {}
    for predicate, kind in ((esco.hasEssentialSkill, "essential"), (esco.hasOptionalSkill, "optional")):
        for source, target in graph.subject_objects(predicate):
            if source in concepts and target in concepts:
                relations[(str(source), str(target), kind)] = None
    typed_pairs = {(s, t) for s, t, _ in relations} | {(t, s) for s, t, _ in relations}
    for source, target in graph.subject_objects(skos.related):
        pair = (str(source), str(target))
        known = source in concepts and target in concepts and pair not in typed_pairs
        if known and (pair[1], pair[0], "related") not in relations:  # skos:related is symmetric
            relations[(pair[0], pair[1], "related")] = None

    schemes = sorted(graph.subjects(RDF.type, skos.ConceptScheme), key=str)
    scheme = schemes[0] if len(schemes) == 1 else None
    if name is None:
        title = single(scheme, dct.title) if scheme is not None else None
        name = str(title) if isinstance(title, Literal) else path.stem
    if version is None:
        info = single(scheme, owl.versionInfo) if scheme is not None else None
        version = str(info) if info is not None else ""
    return Taxonomy(
        skills,
        skill_groups,
        (SkillRelation(s, t, r) for s, t, r in sorted(relations)),
        name=name,
        version=version,
        language=language,
    )


# -- writer ------------------------------------------------------------------------------------
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})
_IRI_BAD = set('<>"{}|^`\\ ') | {chr(i) for i in range(0x21)}


def _iri(uri: str) -> str:
    if any(ch in _IRI_BAD for ch in uri):
        uri = "".join(f"\\u{ord(ch):04X}" if ch in _IRI_BAD else ch for ch in uri)
    return f"<{uri}>"


def _literal(text: str, language: str) -> str:
    tag = f"@{language}" if language else ""
    return f'"{text.translate(_ESCAPES)}"{tag}'


def _values(predicate: str, objects: Iterable[str]) -> list[str]:
    objects = list(objects)
    return [f"    {predicate} {', '.join(objects)}"] if objects else []


def _block(subject: str, types: str, lines: list[str]) -> str:
    return f"{subject} a {types} ;\n" + " ;\n".join(lines) + " .\n"


def write_skos(taxonomy: Taxonomy, path: str | Path, *, language: str | None = None) -> Path:
    """Write `taxonomy` as SKOS Turtle that `read_skos` reads back to the same taxonomy.

    Skills are typed ``skos:Concept, esco:Skill`` and groups ``skos:Concept, esco:SkillGroup``;
    essential/optional relations become ``esco:hasEssentialSkill``/``esco:hasOptionalSkill``,
    other relation types ``skos:related``. The file is written atomically.

    Args:
        taxonomy: The taxonomy to write.
        path: Output file (conventionally ``.ttl``).
        language: Language tag of the literals; default ``taxonomy.language`` (``""`` for none).

    Returns:
        The path written.
    """
    path = Path(path).expanduser()
    lang = taxonomy.language if language is None else language
    scheme = _iri(f"urn:skillx:scheme:{quote(taxonomy.name, safe='')}:{quote(taxonomy.version, safe='')}")
    out: list[str] = [
        f"@prefix skos: <{SKOS_NS}> .",
        f"@prefix dcterms: <{DCTERMS_NS}> .",
        f"@prefix esco: <{ESCO_NS}> .",
        f"@prefix owl: <{OWL_NS}> .",
        "",
        f"# {' '.join(filter(None, (taxonomy.name, taxonomy.version)))} ({lang or 'no language tag'}), "
        "written by skillx.write_skos:",
        f"# {len(taxonomy)} skills, {len(taxonomy.groups)} groups, {len(taxonomy.relations)} relations.",
        "",
    ]
    scheme_lines = [f"    dcterms:title {_literal(taxonomy.name, '')}"]
    if taxonomy.version:
        scheme_lines.append(f"    owl:versionInfo {_literal(taxonomy.version, '')}")
    out.append(_block(scheme, "skos:ConceptScheme", scheme_lines))
    for group in taxonomy.groups:
        lines = [f"    skos:prefLabel {_literal(group.preferred_label, lang)}"]
        lines += _values("skos:altLabel", (_literal(a, lang) for a in group.alt_labels))
        if group.code:
            lines.append(f"    skos:notation {_literal(group.code, '')}")
        if group.description:
            lines.append(f"    dcterms:description {_literal(group.description, lang)}")
        lines += _values("skos:broader", map(_iri, group.broader))
        lines.append(f"    skos:inScheme {scheme}")
        out.append(_block(_iri(group.uri), "skos:Concept, esco:SkillGroup", lines))
    outgoing: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for rel in taxonomy.relations:
        predicate = _RELATION_PREDICATES.get(rel.relation_type, "skos:related")
        outgoing[rel.source][predicate].append(_iri(rel.target))
    for skill in taxonomy:
        lines = [f"    skos:prefLabel {_literal(skill.preferred_label, lang)}"]
        lines += _values("skos:altLabel", (_literal(a, lang) for a in skill.alt_labels))
        lines += _values("skos:hiddenLabel", (_literal(h, lang) for h in skill.hidden_labels))
        if skill.description:
            lines.append(f"    dcterms:description {_literal(skill.description, lang)}")
        if skill.skill_type:
            kind = _SKILL_TYPES.get(skill.skill_type)
            lines.append(f"    esco:skillType {_iri(kind) if kind else _literal(skill.skill_type, '')}")
        if skill.reuse_level:
            level = skill.reuse_level
            value = _iri(REUSE_LEVEL_URI + level) if level in _REUSE_LEVELS else _literal(level, "")
            lines.append(f"    esco:skillReuseLevel {value}")
        lines += _values("skos:broader", map(_iri, skill.broader))
        for predicate, targets in outgoing.get(skill.uri, {}).items():
            lines += _values(predicate, targets)
        lines.append(f"    skos:inScheme {scheme}")
        out.append(_block(_iri(skill.uri), "skos:Concept, esco:Skill", lines))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, "\n".join(out))
    except OSError as exc:
        raise TaxonomyError(
            f"Could not write '{path}' ({exc.strerror or exc}). "
            "Pass an output file path in a writable folder."
        ) from None
    return path

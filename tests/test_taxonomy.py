"""The `Taxonomy` model: look-ups, hierarchy, relations, surface forms, fingerprint, export."""

from __future__ import annotations

from dataclasses import replace

import pytest

from skillx.errors import TaxonomyError
from skillx.taxonomy import LabelKind, Skill, SkillGroup, SkillRelation, SurfaceForm, Taxonomy

TOY = "http://skillx.example.org/toy/"


def uri(key: str) -> str:
    return f"{TOY}skill/{key}"


def group(key: str) -> str:
    return f"{TOY}group/{key}"


def test_taxonomy_toy_counts(toy_taxonomy: Taxonomy) -> None:
    assert len(toy_taxonomy) == 44
    assert len(toy_taxonomy.groups) == 6
    assert len(toy_taxonomy.relations) == 15
    assert {s.skill_type for s in toy_taxonomy} == {"knowledge", "skill/competence"}
    assert toy_taxonomy.uris[0] == uri("python")  # CSV order is kept
    assert toy_taxonomy.position(uri("r")) == 1


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("python", ["python"]),
        ("PYTHON (computer programming)", ["python"]),
        ("  Golang ", ["go"]),
        ("c++", ["cpp"]),
        ("r", ["r"]),
        ("pyhton", ["python"]),  # hidden label
        ("first aid", ["first-aid", "first-aid-k"]),  # shared: alternative of one, preferred of another
        ("data analysis", ["data-analysis", "data-mining"]),
        ("no such skill", []),
    ],
)
def test_taxonomy_find_is_case_insensitive_and_exact(
    toy_taxonomy: Taxonomy, label: str, expected: list[str]
) -> None:
    assert [s.uri for s in toy_taxonomy.find(label)] == [uri(k) for k in expected]


def test_taxonomy_getitem_get_contains(toy_taxonomy: Taxonomy) -> None:
    skill = toy_taxonomy[uri("sql")]
    assert skill.preferred_label == "SQL"
    assert toy_taxonomy.get(uri("sql")) is skill
    assert uri("sql") in toy_taxonomy
    assert toy_taxonomy.get("urn:nope") is None
    assert "urn:nope" not in toy_taxonomy
    with pytest.raises(KeyError, match=r"urn:nope"):
        toy_taxonomy["urn:nope"]
    assert toy_taxonomy.label(group("T1")) == "software development"
    assert toy_taxonomy.group(group("T1")) is not None
    with pytest.raises(KeyError):
        toy_taxonomy.label("urn:nope")


def test_taxonomy_broader_narrower_siblings(toy_taxonomy: Taxonomy) -> None:
    assert toy_taxonomy.broader(uri("r")) == (group("T1"), group("T2"))
    assert toy_taxonomy.broader(group("T1")) == (group("T"),)
    assert toy_taxonomy.broader(uri("cpr")) == (uri("first-aid"),)  # a skill under a skill
    assert toy_taxonomy.broader("urn:nope") == ()
    assert set(toy_taxonomy.narrower(group("T"))) == {group(k) for k in ("T1", "T2", "T3", "T4", "T5")}
    assert toy_taxonomy.narrower(uri("first-aid")) == (uri("cpr"),)
    siblings = toy_taxonomy.siblings(uri("go"))
    assert uri("go") not in siblings
    assert uri("python") in siblings and uri("r") in siblings
    assert uri("sql") in siblings  # SQL has T2 and T1 as broader
    assert uri("statistics") not in siblings
    # R sits in two groups: siblings come from both
    assert {uri("python"), uri("statistics")} <= set(toy_taxonomy.siblings(uri("r")))
    assert toy_taxonomy.siblings(group("T1")) == ()  # groups are not skills


def test_taxonomy_related_is_symmetric(toy_taxonomy: Taxonomy) -> None:
    assert set(toy_taxonomy.related(uri("machine-learning"))) == {uri("python"), uri("statistics"), uri("r")}
    assert uri("machine-learning") in toy_taxonomy.related(uri("python"))
    assert toy_taxonomy.related(uri("go")) == ()
    kinds = {r.relation_type for r in toy_taxonomy.relations}
    assert kinds == {"essential", "optional"}


def test_taxonomy_surface_forms_kinds(toy_taxonomy: Taxonomy) -> None:
    forms = toy_taxonomy.surface_forms()
    python = [f for f in forms if f.uri == uri("python")]
    assert python[0] == SurfaceForm("Python (computer programming)", LabelKind.PREFERRED, uri("python"))
    assert {f.text for f in python if f.kind is LabelKind.ALTERNATIVE} == {
        "Python",
        "Python programming",
        "Python 3",
    }
    assert [f.text for f in python if f.kind is LabelKind.HIDDEN] == ["Pyhton"]
    assert sum(f.kind is LabelKind.PREFERRED for f in forms) == len(toy_taxonomy)
    total = sum(len(set(s.labels)) for s in toy_taxonomy)
    assert len(forms) == total


def test_taxonomy_surface_forms_dedupe_within_skill() -> None:
    t = Taxonomy([Skill("urn:a", "Python", alt_labels=("Python", "py"), hidden_labels=("py",))])
    assert [(f.text, f.kind) for f in t.surface_forms()] == [
        ("Python", LabelKind.PREFERRED),
        ("py", LabelKind.ALTERNATIVE),
    ]


def test_taxonomy_rejects_duplicate_uris() -> None:
    with pytest.raises(TaxonomyError, match=r"share the URI 'urn:a'"):
        Taxonomy([Skill("urn:a", "x"), Skill("urn:a", "y")])


def test_taxonomy_fingerprint_stable(toy_taxonomy: Taxonomy) -> None:
    copy = Taxonomy(
        toy_taxonomy.skills,
        toy_taxonomy.groups,
        toy_taxonomy.relations,
        name=toy_taxonomy.name,
        version=toy_taxonomy.version,
        language=toy_taxonomy.language,
    )
    assert copy.fingerprint == toy_taxonomy.fingerprint
    assert len(copy.fingerprint) == 64
    # relation order and group order do not matter
    shuffled = Taxonomy(
        toy_taxonomy.skills,
        reversed(toy_taxonomy.groups),
        reversed(toy_taxonomy.relations),
        name=toy_taxonomy.name,
        version=toy_taxonomy.version,
        language=toy_taxonomy.language,
    )
    assert shuffled.fingerprint == toy_taxonomy.fingerprint


@pytest.mark.parametrize(
    "change",
    [
        lambda s: replace(s, preferred_label=s.preferred_label + " "),
        lambda s: replace(s, alt_labels=(*s.alt_labels, "extra")),
        lambda s: replace(s, hidden_labels=("hidden",)),
        lambda s: replace(s, description="other"),
        lambda s: replace(s, broader=()),
        lambda s: replace(s, skill_type="knowledge" if s.skill_type != "knowledge" else "skill/competence"),
    ],
)
def test_taxonomy_fingerprint_content_sensitive(toy_taxonomy: Taxonomy, change) -> None:  # type: ignore[no-untyped-def]
    skills = list(toy_taxonomy.skills)
    skills[5] = change(skills[5])
    other = Taxonomy(
        skills,
        toy_taxonomy.groups,
        toy_taxonomy.relations,
        name=toy_taxonomy.name,
        version=toy_taxonomy.version,
        language=toy_taxonomy.language,
    )
    assert other.fingerprint != toy_taxonomy.fingerprint


def test_taxonomy_fingerprint_sensitive_to_relations_groups_and_version(toy_taxonomy: Taxonomy) -> None:
    base = dict(name=toy_taxonomy.name, version=toy_taxonomy.version, language=toy_taxonomy.language)
    variants = [
        Taxonomy(toy_taxonomy.skills, toy_taxonomy.groups, toy_taxonomy.relations[1:], **base),
        Taxonomy(toy_taxonomy.skills, toy_taxonomy.groups[1:], toy_taxonomy.relations, **base),
        Taxonomy(
            toy_taxonomy.skills, toy_taxonomy.groups, toy_taxonomy.relations, **{**base, "version": "9"}
        ),
        Taxonomy(reversed(toy_taxonomy.skills), toy_taxonomy.groups, toy_taxonomy.relations, **base),
    ]
    assert len({v.fingerprint for v in variants} | {toy_taxonomy.fingerprint}) == 5


def test_taxonomy_given_fingerprint_is_used() -> None:
    t = Taxonomy([Skill("urn:a", "x")], fingerprint="abc")
    assert t.fingerprint == "abc"


def test_taxonomy_to_pandas(toy_taxonomy: Taxonomy) -> None:
    frame = toy_taxonomy.to_pandas()
    assert list(frame.columns) == [
        "uri",
        "preferred_label",
        "alt_labels",
        "hidden_labels",
        "description",
        "skill_type",
        "reuse_level",
        "broader",
    ]
    assert len(frame) == len(toy_taxonomy)
    row = frame.set_index("uri").loc[uri("javascript")]
    assert row["preferred_label"] == "JavaScript"
    assert row["hidden_labels"] == ["Javascipt"]
    assert row["broader"] == [group("T1")]


def test_taxonomy_flat_custom_taxonomy() -> None:
    t = Taxonomy(
        [Skill("urn:a", "welding"), Skill("urn:b", "soldering", broader=("urn:g",))],
        [SkillGroup("urn:g", "metal work")],
        [SkillRelation("urn:a", "urn:b")],
    )
    assert repr(t).startswith("Taxonomy(name='custom'")
    assert t.related("urn:b") == ("urn:a",)
    assert t.relations[0].relation_type == "related"
    assert t.narrower("urn:g") == ("urn:b",)
    assert [s.uri for s in t] == ["urn:a", "urn:b"]

"""Readers: the ESCO CSV download (zip / folder), SKOS RDF (Turtle, RDF/XML, N-Triples), the writer."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skillx.errors import TaxonomyError, TaxonomyNotFoundError, TaxonomyWarning
from skillx.taxonomy import Skill, SkillRelation, Taxonomy, read_esco_csv, read_skos, write_skos

TOY = "http://skillx.example.org/toy/"


def content(t: Taxonomy) -> tuple[object, ...]:
    """Everything a round trip must keep, independent of order."""
    skills = sorted(
        (
            s.uri,
            s.preferred_label,
            frozenset(s.alt_labels),
            frozenset(s.hidden_labels),
            s.description,
            s.skill_type,
            s.reuse_level,
            frozenset(s.broader),
        )
        for s in t
    )
    groups = sorted(
        (g.uri, g.preferred_label, frozenset(g.alt_labels), g.description, g.code, frozenset(g.broader))
        for g in t.groups
    )
    relations = sorted((r.source, r.target, r.relation_type) for r in t.relations)
    return tuple(skills), tuple(groups), tuple(relations)


# -- ESCO CSV ---------------------------------------------------------------------------------
def test_read_esco_csv_zips_equal_folder(
    tmp_path: Path, toy_taxonomy: Taxonomy, make_esco_zips: Callable[..., list[Path]]
) -> None:
    make_esco_zips(tmp_path)
    from_zips = read_esco_csv(tmp_path)
    assert from_zips.version == "1.1.0"
    assert from_zips.language == "en"
    assert content(from_zips) == content(toy_taxonomy)
    assert from_zips.uris == toy_taxonomy.uris


def test_read_esco_csv_single_zip_picks_up_relations_zip(
    tmp_path: Path, toy_taxonomy: Taxonomy, make_esco_zips: Callable[..., list[Path]]
) -> None:
    labels, _ = make_esco_zips(tmp_path)
    assert content(read_esco_csv(labels)) == content(toy_taxonomy)


def test_read_esco_csv_relation_files_with_language_suffix(
    tmp_path: Path, toy_taxonomy: Taxonomy, make_esco_zips: Callable[..., list[Path]]
) -> None:
    _, relations = make_esco_zips(tmp_path, relation_suffix="_en")
    assert "broaderRelationsSkillPillar_en.csv" in zipfile.ZipFile(relations).namelist()
    t = read_esco_csv(tmp_path)
    assert len(t.relations) == 15
    assert content(t) == content(toy_taxonomy)


def test_read_esco_csv_picks_requested_version(
    tmp_path: Path, make_esco_zips: Callable[..., list[Path]]
) -> None:
    make_esco_zips(tmp_path, "1.1.0")
    make_esco_zips(tmp_path, "1.1.1")
    assert read_esco_csv(tmp_path).version == "1.1.1"  # newest by default
    assert read_esco_csv(tmp_path, esco_version="1.1.0").version == "1.1.0"
    with pytest.raises(TaxonomyNotFoundError, match=r"no ESCO v1.2.0 classification zip"):
        read_esco_csv(tmp_path, esco_version="1.2.0")
    with pytest.raises(TaxonomyNotFoundError, match=r"language 'de'"):
        read_esco_csv(tmp_path, language="de")


def test_read_esco_csv_newline_separated_labels(toy_taxonomy: Taxonomy) -> None:
    assert toy_taxonomy[f"{TOY}skill/python"].alt_labels == ("Python", "Python programming", "Python 3")
    assert toy_taxonomy[f"{TOY}skill/cpr"].alt_labels == ("CPR", "perform CPR", "resuscitate patients")
    assert toy_taxonomy[f"{TOY}skill/javascript"].hidden_labels == ("Javascipt",)


def test_read_esco_csv_missing_path(tmp_path: Path) -> None:
    with pytest.raises(TaxonomyNotFoundError, match=r"SKILLX_ESCO"):
        read_esco_csv(tmp_path / "nope")


def test_read_esco_csv_zip_without_skills_file(tmp_path: Path, toy_taxonomy_dir: Path) -> None:
    bad = tmp_path / "ESCO dataset - v1.1.0 - classification - en - csv.zip"
    with zipfile.ZipFile(bad, "w") as archive:
        archive.write(toy_taxonomy_dir / "skillGroups_en.csv", "skillGroups_en.csv")
    with pytest.raises(TaxonomyNotFoundError, match=r"No 'skills_en.csv'"):
        read_esco_csv(bad)


def test_read_esco_csv_truncated_zip(tmp_path: Path, make_esco_zips: Callable[..., list[Path]]) -> None:
    labels, _ = make_esco_zips(tmp_path)
    labels.write_bytes(labels.read_bytes()[: labels.stat().st_size // 2])
    with pytest.raises(TaxonomyError, match=r"not a readable zip"):
        read_esco_csv(tmp_path)


def _folder_with_skills(tmp_path: Path, data: bytes) -> Path:
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "skills_en.csv").write_bytes(data)
    return folder


def test_read_esco_csv_truncated_csv(tmp_path: Path, toy_taxonomy_dir: Path) -> None:
    data = (toy_taxonomy_dir / "skills_en.csv").read_bytes()
    cut = data.index(b"Python programming")  # inside a quoted multi-line cell
    folder = _folder_with_skills(tmp_path, data[:cut])
    with pytest.raises(TaxonomyError, match=r"could not be parsed as CSV.*truncated"):
        read_esco_csv(folder)


def test_read_esco_csv_not_utf8(tmp_path: Path) -> None:
    text = "conceptUri,preferredLabel,altLabels\nurn:a,gérer le budget,\n"
    folder = _folder_with_skills(tmp_path, text.encode("latin-1"))
    with pytest.raises(TaxonomyError, match=r"not UTF-8"):
        read_esco_csv(folder)


def test_read_esco_csv_wrong_columns(tmp_path: Path) -> None:
    folder = _folder_with_skills(tmp_path, b"uri,label\nurn:a,x\n")
    with pytest.raises(TaxonomyError, match=r"lacks the column.*conceptUri"):
        read_esco_csv(folder)


def test_read_esco_csv_minimal_columns(tmp_path: Path) -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["conceptUri", "preferredLabel"], ["urn:a", "weld metal"]])
    folder = _folder_with_skills(tmp_path, buffer.getvalue().encode())
    t = read_esco_csv(folder)
    assert [s.preferred_label for s in t] == ["weld metal"]
    assert t.groups == () and t.relations == ()


# -- SKOS -------------------------------------------------------------------------------------
def test_read_skos_toy_turtle(toy_ttl: Path, toy_taxonomy: Taxonomy) -> None:
    t = read_skos(toy_ttl)
    assert t.name == "skillx toy"
    assert content(t) == content(toy_taxonomy)
    assert list(t.uris) == sorted(toy_taxonomy.uris)  # RDF has no order: sorted by URI


@pytest.mark.parametrize(("suffix", "fmt"), [(".rdf", "xml"), (".nt", "nt"), (".xml", "xml"), (".n3", "n3")])
def test_read_skos_formats_by_suffix(tmp_path: Path, toy_ttl: Path, suffix: str, fmt: str) -> None:
    from rdflib import Graph

    out = tmp_path / f"toy{suffix}"
    Graph().parse(toy_ttl, format="turtle").serialize(out, format=fmt, encoding="utf-8")
    assert read_skos(out).fingerprint == read_skos(toy_ttl).fingerprint


def test_read_skos_explicit_format(tmp_path: Path, toy_ttl: Path) -> None:
    odd = tmp_path / "toy.data"
    odd.write_bytes(toy_ttl.read_bytes())
    with pytest.raises(TaxonomyError, match=r"Cannot tell the RDF format"):
        read_skos(odd)
    assert len(read_skos(odd, format="turtle")) == 44
    with pytest.raises(TaxonomyError, match=r"Unknown RDF format 'yaml'"):
        read_skos(odd, format="yaml")


def test_skos_round_trip_toy(tmp_path: Path, toy_taxonomy: Taxonomy) -> None:
    out = write_skos(toy_taxonomy, tmp_path / "sub" / "toy.ttl")
    back = read_skos(out)
    assert content(back) == content(toy_taxonomy)
    assert (back.name, back.version, back.language) == ("ESCO", "", "en")
    assert not list(tmp_path.glob("sub/.*"))  # no temporary file left


def test_write_skos_to_a_folder_fails_cleanly(tmp_path: Path, toy_taxonomy: Taxonomy) -> None:
    with pytest.raises(TaxonomyError, match="Could not write"):
        write_skos(toy_taxonomy, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_skos_round_trip_escaping_and_custom_relations(tmp_path: Path) -> None:
    t = Taxonomy(
        [
            Skill(
                "urn:x:1",
                'say "hello"',
                alt_labels=("back\\slash", "two\nlines", "zoë"),
                description="tab\there",
            ),
            Skill("urn:x:2", "Gärtnern", skill_type="custom type", reuse_level="local"),
        ],
        relations=[SkillRelation("urn:x:1", "urn:x:2", "related")],
        name="odd",
        version="2",
        language="de",
    )
    back = read_skos(write_skos(t, tmp_path / "odd.ttl"), language="de")
    assert content(back) == content(t)
    assert (back.name, back.version) == ("odd", "2")


_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\n\t\"\\'"),
    min_size=1,
    max_size=30,
).filter(lambda t: t.strip() == t and t.strip())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pref=_TEXT, alts=st.lists(_TEXT, max_size=4, unique=True), desc=_TEXT)
def test_skos_round_trip_any_text(tmp_path: Path, pref: str, alts: list[str], desc: str) -> None:
    alts = [a for a in alts if a != pref]
    t = Taxonomy([Skill("urn:x:1", pref, alt_labels=tuple(alts), description=desc)], name="h")
    back = read_skos(write_skos(t, tmp_path / "h.ttl"))
    assert content(back) == content(t)


PLAIN = """
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix ex: <http://example.org/> .
ex:tools a skos:Concept ; skos:prefLabel "tools"@en, "Werkzeuge"@de ; skos:narrower ex:hammer .
ex:metal a skos:Concept ; skos:prefLabel "metal work"@en ; skos:broader ex:tools .
ex:weld a skos:Concept ; skos:prefLabel "weld metal"@en, "Metall schweißen"@de ;
    skos:altLabel "welding"@en, "Schweißen"@de, "arc welding" ; skos:hiddenLabel "wleding"@en ;
    skos:definition "Join metal parts by heat."@en ; skos:broader ex:metal ; skos:related ex:solder .
ex:solder a skos:Concept ; skos:prefLabel "solder components"@en ; skos:broader ex:metal ;
    skos:related ex:weld .
ex:hammer a skos:Concept ; skos:prefLabel "use a hammer"@en .
"""


def test_read_skos_plain_inner_concepts_are_groups(tmp_path: Path) -> None:
    path = tmp_path / "plain.ttl"
    path.write_text(PLAIN, encoding="utf-8")
    t = read_skos(path)
    assert t.name == "plain" and t.version == ""
    assert sorted(t.uris) == [
        "http://example.org/hammer",
        "http://example.org/solder",
        "http://example.org/weld",
    ]
    assert {g.preferred_label for g in t.groups} == {"tools", "metal work"}
    weld = t["http://example.org/weld"]
    assert weld.alt_labels == ("arc welding", "welding")  # untagged kept, @de dropped
    assert weld.hidden_labels == ("wleding",)
    assert weld.description == "Join metal parts by heat."
    assert t["http://example.org/hammer"].broader == ("http://example.org/tools",)  # from skos:narrower
    (relation,) = t.relations  # skos:related stated both ways is one relation
    assert {relation.source, relation.target} == {"http://example.org/solder", "http://example.org/weld"}
    assert relation.relation_type == "related"
    assert t.related("http://example.org/weld") == ("http://example.org/solder",)
    assert len(read_skos(path, groups="none")) == 5
    with pytest.warns(TaxonomyWarning, match=r"skipped 3 concept.*prefLabel in language 'de'"):
        german = read_skos(path, language="de")
    assert german["http://example.org/weld"].preferred_label == "Metall schweißen"
    assert german["http://example.org/weld"].alt_labels == ("arc welding", "Schweißen")


def test_read_skos_esco_node_literal_description(tmp_path: Path) -> None:
    path = tmp_path / "esco.ttl"
    path.write_text(
        """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix esco: <http://data.europa.eu/esco/model#> .
<urn:s> a skos:Concept, esco:Skill ; skos:prefLabel "bake bread"@en ;
  esco:skillType <http://data.europa.eu/esco/skill-type/skill> ;
  esco:skillReuseLevel <http://data.europa.eu/esco/skill-reuse-level/sector-specific> ;
  dcterms:description [ esco:nodeLiteral "Make bread."@en ; esco:language "en" ],
                      [ esco:nodeLiteral "Brot backen."@de ] .
""",
        encoding="utf-8",
    )
    (skill,) = read_skos(path)
    assert (skill.description, skill.skill_type, skill.reuse_level) == (
        "Make bread.",
        "skill/competence",
        "sector-specific",
    )


def test_read_skos_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TaxonomyNotFoundError, match=r"SKOS file not found"):
        read_skos(tmp_path / "nope.ttl")


def test_read_skos_no_concepts(tmp_path: Path) -> None:
    path = tmp_path / "foaf.ttl"
    path.write_text('<urn:a> <http://xmlns.com/foaf/0.1/name> "Alice" .\n', encoding="utf-8")
    with pytest.raises(TaxonomyError, match=r"holds no skos:Concept"):
        read_skos(path)


def test_read_skos_wrong_language_lists_languages(tmp_path: Path) -> None:
    path = tmp_path / "de.ttl"
    path.write_text(
        "<urn:a> a <http://www.w3.org/2004/02/skos/core#Concept> ; "
        '<http://www.w3.org/2004/02/skos/core#prefLabel> "schweißen"@de .\n',
        encoding="utf-8",
    )
    with pytest.raises(TaxonomyError, match=r"language 'en' \(labels found in: de\)"):
        read_skos(path)


def test_read_skos_syntax_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.ttl"
    path.write_text(
        '@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n<urn:a> a skos:Concept ;;; "', "utf-8"
    )
    with pytest.raises(TaxonomyError, match=r"could not be parsed as turtle"):
        read_skos(path)


def test_read_skos_unknown_group_rule(toy_ttl: Path) -> None:
    with pytest.raises(TaxonomyError, match=r"group rule"):
        read_skos(toy_ttl, groups="leaves")  # type: ignore[arg-type]


# -- full ESCO (slow) -------------------------------------------------------------------------
def _raw_alt_label_lines(zip_path: Path) -> int:
    with zipfile.ZipFile(zip_path) as archive, archive.open("skills_en.csv") as handle:
        rows = csv.DictReader(io.TextIOWrapper(handle, encoding="utf-8", newline=""))
        return sum(1 for row in rows for line in row["altLabels"].split("\n") if line.strip())


@pytest.mark.slow
def test_read_esco_v110_counts(esco_dir: Path) -> None:
    t = read_esco_csv(esco_dir, esco_version="1.1.0")
    assert (t.name, t.version, t.language) == ("ESCO", "1.1.0", "en")
    assert len(t) == 13891
    zip_path = esco_dir / "ESCO dataset - v1.1.0 - classification - en - csv.zip"
    assert _raw_alt_label_lines(zip_path) == 97458
    assert sum(len(s.alt_labels) for s in t) == 97458
    kinds = [s.skill_type for s in t]
    assert (kinds.count("skill/competence"), kinds.count("knowledge")) == (10833, 3057)
    assert len(t.relations) == 5899
    assert sum(len(c.broader) for c in (*t.skills, *t.groups)) == 20771
    assert [s.preferred_label for s in t.find("Python (computer programming)")] == [
        "Python (computer programming)"
    ]


@pytest.mark.slow
def test_read_esco_v111_loads(esco_dir: Path) -> None:
    t = read_esco_csv(esco_dir, esco_version="1.1.1")
    assert t.version == "1.1.1"
    assert len(t) > 13891
    assert len(t.relations) > 5000 and len(t.groups) > 600


@pytest.mark.slow
def test_skos_round_trip_full_esco(esco_dir: Path, tmp_path: Path) -> None:
    t = read_esco_csv(esco_dir, esco_version="1.1.0")
    back = read_skos(write_skos(t, tmp_path / "esco.ttl"))
    assert (back.name, back.version) == ("ESCO", "1.1.0")
    assert content(back) == content(t)

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skillx.errors import InputError
from skillx.matching import LiteralHit, LiteralMatcher, is_case_sensitive
from skillx.matching.normalise import light_stem
from skillx.matching.stop_list import default_stop_list_path
from skillx.matching.stop_list_builder import compute_stop_list
from skillx.taxonomy import LabelKind, Skill, Taxonomy

SKILLS = [
    Skill("urn:budget", "manage budgets", alt_labels=("budget control",), skill_type="skill/competence"),
    Skill("urn:r", "R", alt_labels=("R programming",), skill_type="knowledge"),
    Skill("urn:go", "Go", skill_type="knowledge"),
    Skill("urn:it", "ICT", alt_labels=("IT",), skill_type="knowledge"),
    Skill("urn:ml", "machine learning", skill_type="knowledge"),
    Skill("urn:learning", "learning", skill_type="skill/competence"),
    Skill("urn:dm", "data mining", alt_labels=("data analysis",), skill_type="knowledge"),
    Skill("urn:da", "perform data analysis", alt_labels=("data analysis",), skill_type="skill/competence"),
    Skill("urn:comm", "communication", skill_type="skill/competence"),
    Skill("urn:ps", "problem solving", skill_type="skill/competence"),
    Skill("urn:cpp", "C++", skill_type="knowledge"),
    Skill("urn:rd", "research and development", hidden_labels=("R&D",), skill_type="knowledge"),
]


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return Taxonomy(SKILLS)


@pytest.fixture(scope="module")
def matcher(taxonomy: Taxonomy) -> LiteralMatcher:
    return LiteralMatcher(taxonomy, stop_list=None)


def top(hits: list[LiteralHit]) -> list[tuple[str, tuple[str, ...]]]:
    return [(h.text, h.uris) for h in hits if not h.nested]


@pytest.mark.parametrize(
    "text",
    [
        "Managing budgets is key",
        "You will manage the budget",
        "managed budgets",
        "budget management",
        "Manages budgets",
    ],
)
def test_match_inflection_and_word_order(matcher: LiteralMatcher, text: str) -> None:
    hits = matcher.match(text)
    assert [h.uris for h in hits] == [("urn:budget",)]
    (hit,) = hits
    assert text[hit.start : hit.end] == hit.text
    assert hit.surface_form == "manage budgets"
    assert hit.kind is LabelKind.PREFERRED


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Skills: Python, R and SQL", [("R", ("urn:r",))]),
        ("r and then", []),
        ("We use Go and Python", [("Go", ("urn:go",))]),
        ("Go to the office daily", []),
        ("go to the office", []),
        ("Support our IT team", [("IT", ("urn:it",))]),
        ("it is great", []),
    ],
)
def test_match_case_rules_for_short_forms(matcher: LiteralMatcher, text: str, expected: list) -> None:
    assert top(matcher.match(text)) == expected


def test_match_without_case_rules_folds_case(taxonomy: Taxonomy) -> None:
    loose = LiteralMatcher(taxonomy, stop_list=None, case_rules=False)
    assert ("it", ("urn:it",)) in top(loose.match("it is great"))


@pytest.mark.parametrize("form", ["R", "C", "Go", "IT", "SAS"])
def test_is_case_sensitive_short_and_acronyms(form: str) -> None:
    assert is_case_sensitive(form)


@pytest.mark.parametrize("form", ["Python", "machine learning", "communication", "Java"])
def test_is_case_sensitive_not_for_words(form: str) -> None:
    assert not is_case_sensitive(form)


def test_match_longest_wins_and_nested_are_flagged(matcher: LiteralMatcher) -> None:
    hits = matcher.match("Experience with machine learning.")
    assert [(h.text, h.nested) for h in hits] == [("machine learning", False), ("learning", True)]
    assert [h.uris for h in hits] == [("urn:ml",), ("urn:learning",)]


def test_match_shared_label_is_ambiguous(matcher: LiteralMatcher) -> None:
    (hit,) = matcher.match("Strong data analysis skills")
    assert hit.ambiguous
    assert hit.uris == ("urn:dm", "urn:da")  # taxonomy order
    assert hit.kind is LabelKind.ALTERNATIVE


@pytest.mark.parametrize(
    ("text", "uri"),
    [
        ("problem-solving", "urn:ps"),
        ("Problem Solving!", "urn:ps"),
        ("C++ developer", "urn:cpp"),
        ("R & D", "urn:rd"),
    ],
)
def test_match_hyphens_and_punctuation(matcher: LiteralMatcher, text: str, uri: str) -> None:
    assert uri in {u for h in matcher.match(text) for u in h.uris}


def test_match_does_not_cross_sentence_punctuation(matcher: LiteralMatcher) -> None:
    assert top(matcher.match("We value data. Mining is not our business")) == []


def test_match_offsets_into_given_string(matcher: LiteralMatcher) -> None:
    text = "  …and   Machine-Learning  "
    (hit, nested) = matcher.match(text)
    assert text[hit.start : hit.end] == hit.text == "Machine-Learning"
    assert nested.nested and nested.text == "Learning"


@pytest.mark.parametrize(
    "stop_list",
    [["communication"], ("Communication",), "json-list", "json-object"],
)
def test_stop_list_override(taxonomy: Taxonomy, tmp_path: Path, stop_list: object) -> None:
    if stop_list == "json-list":
        stop_list = tmp_path / "stop.json"
        stop_list.write_text(json.dumps(["communication"]))
    elif stop_list == "json-object":
        stop_list = tmp_path / "stop.json"
        stop_list.write_text(json.dumps({"forms": ["communication"], "method": "test"}))
    matcher = LiteralMatcher(taxonomy, stop_list=stop_list)  # type: ignore[arg-type]
    assert matcher.match("Good communication and problem solving")[0].uris == ("urn:ps",)
    assert LiteralMatcher(taxonomy, stop_list=None).match("communication")[0].uris == ("urn:comm",)


def test_stop_list_default_is_shipped_and_documented() -> None:
    data = json.loads(default_stop_list_path("en").read_text(encoding="utf-8"))
    assert data["method"] and data["lines_scanned"] > 0
    assert "communication" in data["forms"]
    assert set(data["evidence"]) == set(data["forms"])


@pytest.mark.parametrize("bad", ["missing.json", "notjson"])
def test_stop_list_bad_file_is_clear_error(taxonomy: Taxonomy, tmp_path: Path, bad: str) -> None:
    path = tmp_path / bad
    if bad == "notjson":
        path.write_text("{nope")
    with pytest.raises(InputError, match="stop"):
        LiteralMatcher(taxonomy, stop_list=path)


def test_compute_stop_list_flags_frequent_generic_forms() -> None:
    skills = (
        [Skill("urn:c", "communication")]
        + [Skill(f"urn:c{i}", f"communication skill {i}") for i in range(3)]
        + [Skill("urn:py", "Python")]
    )
    matcher = LiteralMatcher(Taxonomy(skills), stop_list=None)
    texts = ["good communication"] * 5 + ["Python"] * 5 + ["nothing"] * 10
    entries, summary = compute_stop_list(matcher, texts, min_line_share=0.1, min_containing=3)
    assert [e.form for e in entries] == ["communication"]
    assert entries[0].lines == 5 and entries[0].containing_skills == 3
    assert summary["lines_scanned"] == 20


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("managing", "manag"),
        ("manage", "manag"),
        ("budgets", "budget"),
        ("management", "manag"),
        ("studies", "study"),
        ("experience", "experienc"),
    ],
)
def test_light_stem(word: str, stem: str) -> None:
    assert light_stem(word) == stem


def test_match_many_and_empty(matcher: LiteralMatcher) -> None:
    assert matcher.match_many(["", "R is used", "!!!"]) == [[], matcher.match("R is used"), []]


def test_matcher_rejects_non_taxonomy_and_non_text(matcher: LiteralMatcher) -> None:
    with pytest.raises(InputError, match="Taxonomy"):
        LiteralMatcher(["not", "a", "taxonomy"])  # type: ignore[arg-type]
    with pytest.raises(InputError):
        matcher.match(None)  # type: ignore[arg-type]


def test_matcher_on_toy_taxonomy(toy_taxonomy: Taxonomy) -> None:
    matcher = LiteralMatcher(toy_taxonomy, stop_list=None)
    found = {u for h in matcher.match("We use Git, debugging and first aid; Python 3.") for u in h.uris}
    assert "http://skillx.example.org/toy/skill/version-control" in found
    assert "http://skillx.example.org/toy/skill/debug" in found
    assert "http://skillx.example.org/toy/skill/python" in found


@pytest.mark.slow
def test_matcher_full_esco(esco_dir: Path) -> None:
    import time

    from skillx.taxonomy import read_esco_csv

    taxonomy = read_esco_csv(esco_dir, esco_version="1.1.0")
    started = time.perf_counter()
    matcher = LiteralMatcher(taxonomy)
    assert time.perf_counter() - started < 15
    labels = {
        taxonomy.label(u)
        for h in matcher.match("You will be managing budgets, writing SQL and Python, and using R.")
        for u in h.uris
    }
    assert {"manage budgets", "Python (computer programming)", "R"} <= labels
    forms = {h.surface_form.lower() for h in matcher.match("Excellent communication skills, go to the site")}
    assert "communication" not in forms and "go" not in forms


def test_cli_match_prints_hits(toy_taxonomy_dir: Path) -> None:
    import typer
    from typer.testing import CliRunner

    from skillx.cli.matching import register

    app = typer.Typer()
    register(app)
    text = "We use Git and Python daily."
    result = CliRunner().invoke(
        app, ["match", text, "--taxonomy", str(toy_taxonomy_dir), "--stop-list", "none"]
    )
    assert result.exit_code == 0, result.output
    assert "Git" in result.output and "python" in result.output.lower()
    result = CliRunner().invoke(app, ["match", "x", "--taxonomy", str(toy_taxonomy_dir / "missing")])
    assert result.exit_code == 1


# -- on-disk cache of the normalised labels ------------------------------------------------------
CACHE_TEXTS = [
    "You will be managing the budgets and doing budget management.",
    "We use R, Go and C++ for R&D; IT support and data analysis.",
    "Problem-solving, machine learning and communication.",
]


def _hits(matcher: LiteralMatcher) -> list[list[LiteralHit]]:
    return [matcher.match(text) for text in CACHE_TEXTS]


@pytest.fixture
def matcher_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache folder for this test only."""
    monkeypatch.setenv("SKILLX_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "matcher"


def _cache_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def test_matcher_cache_round_trip_gives_identical_hits(taxonomy: Taxonomy, matcher_cache: Path) -> None:
    plain = LiteralMatcher(taxonomy, stop_list=["communication"], cache=False)
    assert _cache_files(matcher_cache) == []
    cold = LiteralMatcher(taxonomy, stop_list=["communication"], cache=True)
    assert cold.cache_hit_ is False
    (entry,) = _cache_files(matcher_cache)
    warm = LiteralMatcher(taxonomy, stop_list=["communication"], cache=True)
    assert warm.cache_hit_ is True
    assert _hits(warm) == _hits(cold) == _hits(plain)
    assert warm.n_forms_ == plain.n_forms_
    assert not any(p.name.endswith(".tmp") for p in entry.parent.iterdir())  # atomic write, no leftovers


def test_matcher_cache_default_skips_small_taxonomies(taxonomy: Taxonomy, matcher_cache: Path) -> None:
    matcher = LiteralMatcher(taxonomy, stop_list=None)
    assert matcher.cache_hit_ is False and _cache_files(matcher_cache) == []


@pytest.mark.parametrize(
    "change",
    [
        {"stop_list": ["communication", "learning"]},
        {"case_rules": False},
        {"normalise": False},
        {"taxonomy": Taxonomy([*SKILLS[:-1], Skill("urn:rd", "research and development")])},
    ],
    ids=["stop-list", "case-rules", "normalise", "taxonomy"],
)
def test_matcher_cache_key_changes_with_inputs(taxonomy: Taxonomy, matcher_cache: Path, change: dict) -> None:
    options = {"taxonomy": taxonomy, "stop_list": ["communication"], "cache": True}
    LiteralMatcher(**options)
    changed = LiteralMatcher(**{**options, **change})
    assert changed.cache_hit_ is False  # a stale entry is never reused
    assert len(_cache_files(matcher_cache)) == 2
    fresh = LiteralMatcher(**{**options, **change, "cache": False})
    assert _hits(changed) == _hits(fresh)


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # truncated
        lambda data: b"not json at all",
        lambda data: data.replace(b'"manage budgets"', b'"manage budgetz"', 1),  # edited body
        lambda data: data.replace(b'"format": 1', b'"format": 0', 1),  # another format / key
        lambda data: b"",
    ],
    ids=["truncated", "garbage", "edited", "other-key", "empty"],
)
def test_matcher_cache_corrupt_entry_is_rebuilt(taxonomy: Taxonomy, matcher_cache: Path, damage) -> None:
    expected = _hits(LiteralMatcher(taxonomy, stop_list=None, cache=True))
    (entry,) = _cache_files(matcher_cache)
    entry.write_bytes(damage(entry.read_bytes()))
    with pytest.warns(UserWarning, match="literal-matcher cache"):
        rebuilt = LiteralMatcher(taxonomy, stop_list=None, cache=True)
    assert rebuilt.cache_hit_ is False
    assert _hits(rebuilt) == expected
    again = LiteralMatcher(taxonomy, stop_list=None, cache=True)  # the rebuild rewrote the entry
    assert again.cache_hit_ is True and _hits(again) == expected


def test_matcher_cache_entry_of_older_code_is_replaced(
    taxonomy: Taxonomy, matcher_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import skillx.matching.cache as matcher_cache_module

    LiteralMatcher(taxonomy, stop_list=None, cache=True)
    LiteralMatcher(taxonomy, stop_list=["learning"], cache=True)  # other inputs: kept
    assert len(_cache_files(matcher_cache)) == 2
    monkeypatch.setattr(matcher_cache_module, "_code_hash", "edited-normaliser")
    newer = LiteralMatcher(taxonomy, stop_list=None, cache=True)
    assert newer.cache_hit_ is False  # changed matching code: never reuse the old keys
    assert len(_cache_files(matcher_cache)) == 2  # the superseded entry was deleted


def test_matcher_cache_unwritable_folder_still_builds(
    taxonomy: Taxonomy, matcher_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import skillx.matching.cache as matcher_cache_module

    def fail(*args: object, **kwargs: object) -> None:
        raise PermissionError("read-only cache")

    monkeypatch.setattr(matcher_cache_module, "save_groups", fail)
    with pytest.warns(UserWarning, match="Could not write the literal-matcher cache"):
        matcher = LiteralMatcher(taxonomy, stop_list=None, cache=True)
    assert _hits(matcher) == _hits(LiteralMatcher(taxonomy, stop_list=None, cache=False))


@pytest.mark.slow
def test_matcher_cache_full_esco_identical_and_skips_the_build(
    esco_dir: Path, matcher_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The speed-up is a benchmark (`benchmarks/throughput.py pipeline --load-only`, docs/benchmarks.md,
    # "Load time"); here: a warm load gives the same matches without normalising the labels again.
    from skillx.taxonomy import read_esco_csv

    taxonomy = read_esco_csv(esco_dir, esco_version="1.1.0")
    text = " ".join(CACHE_TEXTS) + " Writing SQL and Python; Excellent communication skills, go to the site."
    plain = LiteralMatcher(taxonomy, cache=False)
    cold = LiteralMatcher(taxonomy)  # cache=None caches a taxonomy of this size
    assert cold.cache_hit_ is False and len(_cache_files(matcher_cache)) == 1

    def no_rebuild(self: LiteralMatcher) -> None:
        raise AssertionError("a warm cache must not normalise the labels again")

    monkeypatch.setattr(LiteralMatcher, "_compute_groups", no_rebuild)
    warm = LiteralMatcher(taxonomy)
    assert warm.cache_hit_ is True
    assert warm.match(text) == cold.match(text) == plain.match(text)
    assert warm.n_forms_ == plain.n_forms_


def test_matching_modules_import_no_cycle() -> None:
    # every import between skillx.matching modules, function-local ones included
    import ast

    folder = Path(__file__).resolve().parents[1] / "skillx" / "matching"
    names = {p.stem for p in folder.glob("*.py") if p.stem != "__init__"}
    graph: dict[str, set[str]] = {}
    for name in names:
        tree = ast.parse((folder / f"{name}.py").read_text(encoding="utf-8"))
        deps: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module.startswith("skillx.matching."):
                    deps.add(node.module.rsplit(".", 1)[1])
                elif node.module == "skillx.matching":
                    deps.update(alias.name for alias in node.names if alias.name in names)
        graph[name] = deps & names

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(d == goal or (d not in seen and reaches(d, goal, seen | {d})) for d in graph[start])

    assert [name for name in sorted(names) if reaches(name, name, set())] == []
    assert "literal" not in graph["stop_list"] and "stop_list_builder" not in graph["literal"]
    assert graph["normalise"] == set()

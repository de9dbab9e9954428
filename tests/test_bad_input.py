"""Hostile input through the library and the taxonomy readers (docs/robustness.md).

Each row of a table is one hostile input; it must give a clear error or a graceful result.
"""

from __future__ import annotations

import json
import logging
import os
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from skillx.errors import InputError, SkillIndexError, TaxonomyError, TaxonomyWarning
from skillx.extractor import SkillExtractor
from skillx.index import SkillIndex
from skillx.matching import LiteralMatcher
from skillx.ranker import SemanticRanker
from skillx.taxonomy import Skill, Taxonomy, read_esco_csv, read_skos
from skillx.taxonomy import validate as validate_module

HOSTILE_TEXTS = {
    "lone surrogates": "Python\ud800 and SQL\udfff. Git \ud83d\ude00 required.",
    "control characters": "Python\x00 and\x07 SQL\x1b[31m, Git\x7f.",
    "closing parens": "a." + ")" * 10_000,
    "open comments": "<!--" * 2_500,
    "script": "<p>Python</p><script>manage_budget();</script>",
    "bidi and zero width": "\u202ePython\u200b\u2066SQL\ufeff",
    "only markup": "<br><hr><!-- -->",
    "noncharacters": "\ufffe\uffff Python",
}


@pytest.fixture(scope="module")
def extractor(toy_taxonomy: Taxonomy) -> SkillExtractor:
    ranker = SemanticRanker.from_pretrained(taxonomy=toy_taxonomy)
    return SkillExtractor(toy_taxonomy, ranker=ranker, matcher=LiteralMatcher(toy_taxonomy))


@pytest.fixture(scope="module")
def literal_extractor(toy_taxonomy: Taxonomy) -> SkillExtractor:
    return SkillExtractor(toy_taxonomy, matcher=LiteralMatcher(toy_taxonomy))


# -- texts through extract ---------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(HOSTILE_TEXTS))
def test_extract_hostile_text_graceful(extractor: SkillExtractor, name: str) -> None:
    text = HOSTILE_TEXTS[name]
    results = extractor.extract(text, min_score=0.0)
    for sentence in results:
        assert 0 <= sentence.start <= sentence.end <= len(text)
        for match in sentence.skills:
            if match.start is not None and match.end is not None:
                assert sentence.start <= match.start <= match.end <= sentence.end


def test_extract_many_one_bad_text_loses_nothing(extractor: SkillExtractor) -> None:
    texts = ["Python is required.", "SQL\ud800 and Git.", "Knowledge of Git."]
    results = extractor.extract_many(texts, min_score=0.0)
    assert [len(r) for r in results] == [1, 1, 1]
    assert results[1][0].text == "SQL\ufffd and Git."


def test_script_content_gives_no_skills(literal_extractor: SkillExtractor) -> None:
    text = "<p>Python</p><script>var budget = manageBudgets(); // Python</script>"
    (sentence,) = literal_extractor.extract(text)
    assert sentence.text == "Python"
    assert all(m.end is None or m.end <= text.index("<script>") for m in sentence.skills)


def test_literal_matcher_never_raises_on_surrogates(toy_taxonomy: Taxonomy) -> None:
    matcher = LiteralMatcher(toy_taxonomy)
    text = "Python\ud800 and \udfffSQL\x00"
    for hit in matcher.match(text):
        assert 0 <= hit.start <= hit.end <= len(text)


def test_encoder_replaces_surrogates(extractor: SkillExtractor) -> None:
    assert extractor.ranker is not None
    clean = extractor.ranker.encode(["Python\ufffd"])
    dirty = extractor.ranker.encode(["Python\ud800"])
    assert np.allclose(clean, dirty)


# -- the memory bound: one huge text is scored block by block -------------------------------
def test_long_text_scored_in_blocks(extractor: SkillExtractor, monkeypatch: pytest.MonkeyPatch) -> None:
    assert extractor.ranker is not None
    sizes: list[int] = []
    original = extractor.ranker.score_matrix

    def spy(sentences: Any, **kwargs: Any) -> np.ndarray:
        sizes.append(len(sentences))
        return original(sentences, **kwargs)

    monkeypatch.setattr(extractor.ranker, "score_matrix", spy)
    text = " ".join(f"Skill number {i} is Python." for i in range(40))
    results = extractor.extract_many([text, "SQL."], batch_size=8, min_score=0.0)
    assert len(results[0]) == 40 and len(results[1]) == 1
    assert max(sizes) <= 8  # never one score matrix for the whole text
    assert [s.index for s in results[0]] == list(range(40))


# -- options -------------------------------------------------------------------------------------
@pytest.mark.parametrize("k", [2.5, float("inf"), 0, -1, True, "5", None, np.float64(3.0)])
def test_extract_bad_k_is_input_error(literal_extractor: SkillExtractor, k: object) -> None:
    with pytest.raises(InputError, match=r"k must be a whole number"):
        literal_extractor.extract("Python", k=k)  # type: ignore[arg-type]


@pytest.mark.parametrize("k", [1, np.int64(3), 10**9])
def test_extract_integer_k_accepted(literal_extractor: SkillExtractor, k: int) -> None:
    assert literal_extractor.extract("Python and SQL", k=k)


@pytest.mark.parametrize("value", [np.float32(0.2), np.float64(0.5), 0, 1, 0.3])
def test_min_score_any_real_accepted(literal_extractor: SkillExtractor, value: float) -> None:
    literal_extractor.extract("Python", min_score=value)
    SkillExtractor(literal_extractor.taxonomy, matcher=literal_extractor.matcher, min_score=value)


@pytest.mark.parametrize("value", [float("nan"), np.float32("nan"), 1.5, -0.1, True, "0.2", float("inf")])
def test_min_score_bad_refused(literal_extractor: SkillExtractor, value: object) -> None:
    with pytest.raises(InputError, match=r"min_score"):
        literal_extractor.extract("Python", min_score=value)  # type: ignore[arg-type]


# -- the skill index ---------------------------------------------------------------------------
class FakeEncoder:
    """Deterministic 8-d embeddings; `nan=True` returns NaN rows."""

    def __init__(self, *, nan: bool = False) -> None:
        self.nan = nan

    def encode(self, texts: list[str], **kwargs: Any) -> np.ndarray:
        rows = np.array([[len(t) % 7 + 1.0, *(ord(c) % 5 for c in (t + "xxxxxxx")[:7])] for t in texts])
        return np.full_like(rows, np.nan) if self.nan else rows

    def get_sentence_embedding_dimension(self) -> int:
        return 8


def test_index_with_nan_embeddings_refused(toy_taxonomy: Taxonomy) -> None:
    n = len(toy_taxonomy)
    embeddings = np.ones((n, 4), dtype=np.float32)
    embeddings[3, 1] = np.nan
    with pytest.raises(SkillIndexError, match=r"NaN or infinite.*rebuild"):
        SkillIndex(
            embeddings,
            np.arange(n),
            uris=toy_taxonomy.uris,
            skill_text="preferred",
            model_fingerprint="m",
            taxonomy_fingerprint=toy_taxonomy.fingerprint,
        )
    with pytest.raises(SkillIndexError, match=r"encoder returns NaN"):
        SkillIndex.build(toy_taxonomy, FakeEncoder(nan=True), model_fingerprint="fake")


def test_saved_index_with_nan_rebuilt_at_warning(
    toy_taxonomy: Taxonomy, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    encoder = FakeEncoder()
    SkillIndex.load_or_build(tmp_path, toy_taxonomy, encoder, model_fingerprint="fake")
    saved = np.load(tmp_path / "embeddings.npy")
    saved[0, 0] = np.nan
    np.save(tmp_path / "embeddings.npy", saved)
    with caplog.at_level(logging.INFO, logger="skillx"):
        index = SkillIndex.load_or_build(tmp_path, toy_taxonomy, encoder, model_fingerprint="fake")
    assert np.isfinite(index.embeddings).all()
    warned = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert warned and "NaN" in warned[0].getMessage()


def test_stale_index_rebuilt_at_warning_with_reason(
    toy_taxonomy: Taxonomy, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    encoder = FakeEncoder()
    SkillIndex.load_or_build(tmp_path, toy_taxonomy, encoder, model_fingerprint="old")
    with caplog.at_level(logging.WARNING, logger="skillx"):
        SkillIndex.load_or_build(tmp_path, toy_taxonomy, encoder, model_fingerprint="new")
    assert any("stale" in r.getMessage() and "model" in r.getMessage() for r in caplog.records)


def test_corrupt_index_rebuilt_at_warning(
    toy_taxonomy: Taxonomy, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    encoder = FakeEncoder()
    SkillIndex.load_or_build(tmp_path, toy_taxonomy, encoder, model_fingerprint="fake")
    (tmp_path / "embeddings.npy").write_bytes(b"not numpy")
    with caplog.at_level(logging.WARNING, logger="skillx"):
        SkillIndex.load_or_build(tmp_path, toy_taxonomy, encoder, model_fingerprint="fake")
    assert any("unusable" in r.getMessage() for r in caplog.records)


# -- the encoder's offline switches ----------------------------------------------------------
def test_load_encoder_scopes_offline_switches(monkeypatch: pytest.MonkeyPatch) -> None:
    import sentence_transformers

    from skillx import encoder as encoder_module

    seen: dict[str, str | None] = {}

    class Fake:
        def __init__(self, *args: object, **kwargs: object) -> None:
            seen.update({k: os.environ.get(k) for k in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")})

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "0")
    monkeypatch.setattr(sentence_transformers, "SentenceTransformer", Fake)
    encoder_module.load_encoder()
    assert seen == {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}  # offline during the load
    assert "HF_HUB_OFFLINE" not in os.environ  # and restored afterwards
    assert os.environ["TRANSFORMERS_OFFLINE"] == "0"


# -- taxonomy readers ------------------------------------------------------------------------
def _write_csv(
    folder: Path, rows: list[tuple[str, str]], broader: list[tuple[str, str]] | None = None
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["conceptUri,preferredLabel,altLabels"] + [f'"{u}","{label}",""' for u, label in rows]
    (folder / "skills_en.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    if broader:
        links = ["conceptUri,broaderUri"] + [f"{c},{p}" for c, p in broader]
        (folder / "broaderRelationsSkillPillar.csv").write_text("\n".join(links) + "\n", encoding="utf-8")
    return folder


def test_csv_empty_label_skipped_with_warning_naming_it(tmp_path: Path) -> None:
    folder = _write_csv(tmp_path / "t", [("urn:a", "Python"), ("urn:empty", "  "), ("urn:b", "SQL")])
    with pytest.warns(TaxonomyWarning, match=r"skipped 1 concept.*'urn:empty'"):
        taxonomy = read_esco_csv(folder)
    assert taxonomy.uris == ("urn:a", "urn:b")


def test_csv_duplicate_preferred_labels_warned(tmp_path: Path) -> None:
    folder = _write_csv(tmp_path / "t", [("urn:a", "Python"), ("urn:b", "python"), ("urn:c", "SQL")])
    with pytest.warns(TaxonomyWarning, match=r"'python' by 'urn:a', 'urn:b'"):
        taxonomy = read_esco_csv(folder)
    assert len(taxonomy) == 3


def test_csv_cyclic_hierarchy_is_error_naming_a_concept(tmp_path: Path) -> None:
    folder = _write_csv(
        tmp_path / "t",
        [("urn:a", "Python"), ("urn:b", "SQL"), ("urn:c", "Git")],
        broader=[("urn:a", "urn:b"), ("urn:b", "urn:c"), ("urn:c", "urn:a")],
    )
    with pytest.raises(TaxonomyError, match=r"cycle through 'urn:[abc]'"):
        read_esco_csv(folder)


SKOS_CYCLE = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<urn:a> a skos:Concept ; skos:prefLabel "a"@en ; skos:broader <urn:b> .
<urn:b> a skos:Concept ; skos:prefLabel "b"@en ; skos:broader <urn:a> .
<urn:c> a skos:Concept ; skos:prefLabel ""@en .
"""


@pytest.mark.filterwarnings("ignore::skillx.errors.TaxonomyWarning")
def test_skos_cycle_is_error(tmp_path: Path) -> None:
    path = tmp_path / "cycle.ttl"
    path.write_text(SKOS_CYCLE, encoding="utf-8")
    with pytest.raises(TaxonomyError, match=r"cycle through 'urn:[ab]'"):
        read_skos(path)


def test_skos_empty_label_warned(tmp_path: Path) -> None:
    path = tmp_path / "empty.ttl"
    path.write_text(SKOS_CYCLE.replace(" ; skos:broader <urn:b>", ""), encoding="utf-8")
    with pytest.warns(TaxonomyWarning, match=r"'urn:c'"):
        taxonomy = read_skos(path, groups="none")
    assert "urn:c" not in taxonomy


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
 <!ENTITY a "lol">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
 <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
 <!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:skos="http://www.w3.org/2004/02/skos/core#">
  <skos:Concept rdf:about="urn:a"><skos:prefLabel xml:lang="en">&h;</skos:prefLabel></skos:Concept>
</rdf:RDF>
"""


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_rdf_entity_expansion_refused_quickly(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "laughs.rdf"
    path.write_text(BILLION_LAUGHS, encoding=encoding)
    started = time.perf_counter()
    with pytest.raises(TaxonomyError, match=r"declares XML entities"):
        read_skos(path)
    assert time.perf_counter() - started < 5


def test_zip_bomb_refused_before_extraction(tmp_path: Path) -> None:
    bomb = tmp_path / "ESCO dataset - v1.1.0 - classification - en - csv.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("skills_en.csv", b"conceptUri,preferredLabel\n" + b" " * (8 << 20))
    assert bomb.stat().st_size < 100_000
    with pytest.raises(TaxonomyError, match=r"zip bomb"):
        read_esco_csv(bomb)


def test_zip_total_size_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validate_module, "MAX_UNCOMPRESSED_BYTES", 100)
    archive_path = tmp_path / "ESCO dataset - v1.1.0 - classification - en - csv.zip"
    with zipfile.ZipFile(archive_path, "w") as archive:
        archive.writestr("skills_en.csv", "conceptUri,preferredLabel\n" + "urn:a,Python\n" * 20)
    with pytest.raises(TaxonomyError, match=r"more than the 100-byte cap"):
        read_esco_csv(archive_path)


def test_duplicate_label_warning_names_skills() -> None:
    with pytest.warns(TaxonomyWarning, match=r"'urn:x', 'urn:y'"):
        validate_module.warn_duplicate_labels([Skill("urn:x", "Go"), Skill("urn:y", "go")], "test")


# -- the benchmark's cases stay runnable ------------------------------------------------------
def test_hostile_benchmark_cases_segment(benchmark_script: Any) -> None:
    from skillx.text import clean_text, segment

    module = benchmark_script("hostile_input")
    worst = module.cases(2_000)
    assert len(worst) >= 12 and all(1_900 <= len(text) <= 2_000 for text in worst.values())
    for text in worst.values():
        clean_text(text)
        for s in segment(text):
            assert 0 <= s.start < s.end <= len(text)


# -- the command line: bytes in, rows out (docs/robustness.md, "Command line") -------------------
def _truncated_gzip(lines: int = 400) -> bytes:
    import gzip

    data = gzip.compress("".join(f"Python and SQL, ad {i}\n" for i in range(lines)).encode())
    return data[: len(data) // 2]


def _readable_ids(path: Path) -> list[int]:
    """Ids (positions) of the records a reader gets from `path` before it breaks off."""
    from skillx.corpus import read_texts

    ids: list[int] = []
    with pytest.raises(InputError):
        for record in read_texts(path):
            ids.append(record.index)
    return ids


LONG_AD = "<div><p>" + "We need Python and SQL skills for this role. " * 700 + "</p></div>"  # ~31,000 chars


@dataclass(frozen=True)
class CliCase:
    """One hostile input through `skillx extract`.

    ``ids``: ids of the records that must be written (a callable gets the tmp folder);
    ``output``: where they are (``stdout`` or a file name in the tmp folder, ``None``: nothing).
    """

    args: list[str]
    exit_code: int
    message: str = ""
    ids: list[Any] | Callable[[Path], list[Any]] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    stdin: bytes | None = None
    output: str | None = "stdout"
    model_loaded: bool = True


CLI_CASES = {
    "JSONL \\ud800 escape": CliCase(
        ["{tmp}/ads.jsonl"],
        0,
        ids=[0, 1, 2],
        files={"ads.jsonl": b'{"text": "Python"}\n{"text": "SQL\\ud800 and Git"}\n{"text": "Git"}\n'},
    ),
    "lone surrogate in the argument": CliCase(["Python \udcff and SQL"], 0, ids=[0]),
    "non-UTF-8 bytes on stdin": CliCase(
        [], 3, "line 2 (record 1) skipped: not UTF-8", ids=[0, 2], stdin=b"Python\n\xff\xfe SQL\nGit\n"
    ),
    "Latin-1 file without --encoding": CliCase(
        ["{tmp}/ads.txt"], 3, "--encoding", ids=[1], files={"ads.txt": "café Python\nSQL\n".encode("latin-1")}
    ),
    "Latin-1 file with --encoding latin-1": CliCase(
        ["{tmp}/ads.txt", "--encoding", "latin-1"],
        0,
        ids=[0, 1],
        files={"ads.txt": "café Python\nSQL\n".encode("latin-1")},
    ),
    "Latin-1 with --whole": CliCase(
        ["{tmp}/ad.txt", "--whole"],
        1,
        "--encoding",
        files={"ad.txt": "café Python\n".encode("latin-1")},
        output=None,
        model_loaded=False,
    ),
    "UTF-16 with BOM": CliCase(
        ["{tmp}/ads.txt"], 0, ids=[0, 1], files={"ads.txt": "café Python\nSQL\n".encode("utf-16")}
    ),
    "binary junk line": CliCase(
        ["{tmp}/ads.txt"], 3, "binary", ids=[0, 2], files={"ads.txt": b"Python\n\x00\x01\x02\x00\nSQL\n"}
    ),
    "CSV row with too few fields": CliCase(
        ["{tmp}/ads.csv", "--column", "text"],
        3,
        "field(s)",
        ids=[0, 2],
        files={"ads.csv": b"id,text\n1,Python\n2\n3,SQL\n"},
    ),
    "record over 20,000 characters": CliCase(
        ["{tmp}/ads.jsonl"],
        0,
        ids=[0, 1],
        files={
            "ads.jsonl": (json.dumps({"text": LONG_AD}) + "\n" + json.dumps({"text": "SQL"}) + "\n").encode()
        },
    ),
    "truncated .gz keeps what was read": CliCase(
        ["{tmp}/ads.txt.gz", "-o", "{tmp}/out.jsonl"],
        1,
        "truncated or corrupt",
        ids=lambda tmp: _readable_ids(tmp / "ads.txt.gz"),
        files={"ads.txt.gz": _truncated_gzip()},
        output="out.jsonl.partial",
    ),
    "--strict writes the good lines before the bad one": CliCase(
        ["{tmp}/ads.jsonl", "--strict"],
        1,
        "drop --strict",
        ids=list(range(99)),
        files={
            "ads.jsonl": "".join(json.dumps({"text": f"Python {i}"}) + "\n" for i in range(99)).encode()
            + b'{"text": broken\n{"text": "SQL"}\n'
        },
    ),
    "--whole on truncated gzip": CliCase(
        ["{tmp}/ad.txt.gz", "--whole"],
        1,
        "truncated or not a valid gzip",
        files={"ad.txt.gz": _truncated_gzip()},
        output=None,
        model_loaded=False,
    ),
    "--whole on a .gz that is not gzip": CliCase(
        ["{tmp}/ad.txt.gz", "--whole"],
        1,
        "truncated or not a valid gzip",
        files={"ad.txt.gz": b"plain text, not gzip"},
        output=None,
        model_loaded=False,
    ),
    "unknown --text-field": CliCase(
        ["{tmp}/ads.jsonl", "--text-field", "body"],
        1,
        "Pass one of them as --text-field",
        files={"ads.jsonl": b'{"text": "Python"}\n'},
        output=None,
    ),
    "-o is a folder": CliCase(["Python", "-o", "{tmp}"], 1, "is a folder", output=None, model_loaded=False),
    "-o in a missing folder": CliCase(
        ["Python", "-o", "{tmp}/no/such/out.jsonl"], 1, "does not exist", output=None, model_loaded=False
    ),
    "-o /dev/full": CliCase(["Python", "-o", "/dev/full"], 1, "No space left", output=None),
    "Rich markup in --format table": CliCase(
        ["Python [/b] and [link=https://evil.example]SQL[/link]", "--format", "table"],
        0,
        "",
        output="table",
    ),
}


@pytest.fixture
def cli_runner(extractor: SkillExtractor, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A CliRunner whose `extract` reuses the toy extractor; ``.loads`` counts model loads."""
    from typer.testing import CliRunner

    import skillx.cli.extract as cli_extract

    runner = CliRunner()
    runner.loads = 0  # type: ignore[attr-defined]

    def build(**kwargs: Any) -> SkillExtractor:
        runner.loads += 1  # type: ignore[attr-defined]
        return extractor

    monkeypatch.setattr(cli_extract, "build_extractor", build)
    return runner


@pytest.mark.parametrize("name", list(CLI_CASES))
def test_cli_hostile_input(cli_runner: Any, tmp_path: Path, name: str) -> None:
    from skillx.cli import app

    case = CLI_CASES[name]
    if "/dev/full" in case.args and not Path("/dev/full").exists():  # pragma: no cover - Linux has it
        pytest.fail("/dev/full is missing on this machine")
    for file_name, data in case.files.items():
        (tmp_path / file_name).write_bytes(data)
    args = ["extract", *(a.replace("{tmp}", str(tmp_path)) for a in case.args), "--min-score", "0"]
    result = cli_runner.invoke(app, args, input=case.stdin)
    assert result.exit_code == case.exit_code, result.output
    assert "Traceback" not in result.output and "Aborted" not in result.output
    if case.message:
        assert case.message in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == (1 if case.exit_code == 1 else 0), result.stderr
    assert "strict=False" not in result.stderr and "text_field=" not in result.stderr
    assert cli_runner.loads == (1 if case.model_loaded else 0)
    if case.output == "table":
        assert "[/b]" in result.stdout and "[link=https://evil.example]" in result.stdout
        return
    if case.output is None:
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left
        return
    text = result.stdout if case.output == "stdout" else (tmp_path / case.output).read_text()
    expected = case.ids(tmp_path) if callable(case.ids) else case.ids
    assert expected, "a case must expect some records"
    written = [json.loads(line)["id"] for line in text.splitlines()]
    assert written == expected  # every readable record, none lost
    if case.output != "stdout":
        assert not (tmp_path / case.output.removesuffix(".partial")).exists()  # the -o path untouched


def test_cli_one_record_breaking_extraction_loses_no_other(
    cli_runner: Any, extractor: SkillExtractor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from skillx.cli import app

    assert extractor.ranker is not None
    real = extractor.ranker.score_matrix

    def fragile(sentences: Any, **kwargs: Any) -> np.ndarray:
        if any("BOOM" in s for s in sentences):
            raise RuntimeError("tokenizer exploded")
        return real(sentences, **kwargs)

    monkeypatch.setattr(extractor.ranker, "score_matrix", fragile)
    path = tmp_path / "ads.txt"
    path.write_text("Python\nSQL\nBOOM Git\nGit\n")
    result = cli_runner.invoke(app, ["extract", str(path), "-o", str(tmp_path / "out.jsonl")])
    assert result.exit_code == 3, result.output
    assert "record 2 not processed: RuntimeError: tokenizer exploded" in result.stderr
    assert "3 records written" in result.stderr and "1 failed" in result.stderr
    lines = (tmp_path / "out.jsonl").read_text().splitlines()
    assert [json.loads(line)["id"] for line in lines] == [0, 1, 3]

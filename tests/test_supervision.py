from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd
import pytest

from skillx.errors import InputError
from skillx.matching import LiteralMatcher
from skillx.supervision import PAIR_COLUMNS, build_pairs, stats_path
from skillx.taxonomy import Skill, Taxonomy

SKILLS = [
    Skill("urn:budget", "manage budgets"),
    Skill("urn:py", "Python"),
    Skill("urn:dm", "data mining", alt_labels=("data analysis",)),
    Skill("urn:da", "perform data analysis", alt_labels=("data analysis",)),
]
LINES = [
    "You will be managing budgets. Python is a plus.",
    "Nothing relevant here",
    "<li>Strong data analysis</li><li>Python</li>",
] * 20


@pytest.fixture(scope="module")
def matcher() -> LiteralMatcher:
    return LiteralMatcher(Taxonomy(SKILLS), stop_list=None)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    path = tmp_path / "ads.tsv.gz"
    path.write_bytes(gzip.compress(("source\tsentence\n" + "".join(f"web\t{t}\n" for t in LINES)).encode()))
    return path


@pytest.mark.parametrize("suffix", [".parquet", ".jsonl"])
def test_build_pairs_writes_rows_and_stats(
    tmp_path: Path, corpus: Path, matcher: LiteralMatcher, suffix: str
) -> None:
    out = tmp_path / f"pairs{suffix}"
    stats = build_pairs(corpus, out, matcher=matcher, progress=False, chunk_size=7)
    frame = pd.read_parquet(out) if suffix == ".parquet" else pd.read_json(out, lines=True)
    assert list(frame.columns) == list(PAIR_COLUMNS)
    first = frame.iloc[0]
    assert first["sentence"][first["start"] : first["end"]] == first["matched_text"] == "managing budgets"
    assert first["uri"] == "urn:budget" and first["line_no"] == 2 and first["source"] == "web"
    assert stats.lines_read == 60 and stats.sentences == 100
    assert stats.pairs == len(frame) == 20 * (2 + 3)
    assert stats.sentences_with_hit == 80 and stats.distinct_skills == 4
    assert stats.ambiguous_share == pytest.approx(40 / 100)
    assert stats.complete
    saved = json.loads(stats_path(out).read_text())
    assert saved["pairs"] == stats.pairs and saved["top_surface_forms"][0][1] == 40
    assert "pairs" in stats.to_table()


def test_build_pairs_workers_give_identical_output(
    tmp_path: Path, corpus: Path, matcher: LiteralMatcher
) -> None:
    one = build_pairs(corpus, tmp_path / "a.parquet", matcher=matcher, progress=False, chunk_size=5)
    two = build_pairs(
        corpus, tmp_path / "b.parquet", matcher=matcher, progress=False, chunk_size=5, workers=2
    )
    assert pd.read_parquet(tmp_path / "a.parquet").equals(pd.read_parquet(tmp_path / "b.parquet"))
    assert one.pairs == two.pairs


def test_build_pairs_wrong_column_creates_nothing(
    tmp_path: Path, corpus: Path, matcher: LiteralMatcher
) -> None:
    out = tmp_path / "pairs.parquet"
    with pytest.raises(InputError, match="Available: source, sentence"):
        build_pairs(corpus, out, matcher=matcher, column="text", progress=False)
    assert list(tmp_path.glob("pairs*")) == []


def test_build_pairs_truncated_corpus_keeps_written_pairs(tmp_path: Path, matcher: LiteralMatcher) -> None:
    data = gzip.compress("".join(f"Python line {i} with managing budgets\n" for i in range(20000)).encode())
    corpus = tmp_path / "ads.txt.gz"
    corpus.write_bytes(data[: len(data) // 2])
    out = tmp_path / "pairs.parquet"
    with pytest.raises(InputError, match="truncated"):
        build_pairs(corpus, out, matcher=matcher, progress=False, chunk_size=100)
    frame = pd.read_parquet(out)  # a valid file with what was read before the damage
    assert len(frame) > 0 and frame["line_no"].is_monotonic_increasing
    stats = json.loads(stats_path(out).read_text())
    assert stats["complete"] is False and stats["pairs"] == len(frame)
    assert not list(tmp_path.glob(".*partial"))


def test_build_pairs_skips_bad_lines_and_counts_them(
    tmp_path: Path, matcher: LiteralMatcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("skillx.corpus.MAX_RECORD_CHARS", 100_000)  # only records beyond the cap are junk
    corpus = tmp_path / "ads.txt"
    corpus.write_bytes(
        b"Python\n\xff\xfe junk\n\x00\x01\x02\x03\n" + b"z" * 200_000 + b"\nmanaging budgets\n"
    )
    stats = build_pairs(corpus, tmp_path / "p.jsonl", matcher=matcher, progress=False)
    assert stats.lines_skipped == 3 and stats.pairs == 2


def test_build_pairs_bad_options(tmp_path: Path, corpus: Path, matcher: LiteralMatcher) -> None:
    with pytest.raises(InputError, match="workers"):
        build_pairs(corpus, tmp_path / "p.parquet", matcher=matcher, workers=0)
    with pytest.raises(InputError, match="does not exist"):
        build_pairs(corpus, tmp_path / "no" / "p.parquet", matcher=matcher)


def test_cli_build_pairs(tmp_path: Path, corpus: Path, toy_taxonomy_dir: Path) -> None:
    import typer
    from typer.testing import CliRunner

    from skillx.cli.matching import register

    app = typer.Typer()
    register(app)
    out = tmp_path / "pairs.parquet"
    args = ["build-pairs", str(corpus), "-o", str(out), "--taxonomy", str(toy_taxonomy_dir), "--no-progress"]
    result = CliRunner().invoke(app, [*args, "--limit", "10"])
    assert result.exit_code == 0, result.output
    assert "lines read" in result.output and out.exists() and stats_path(out).exists()
    result = CliRunner().invoke(app, [*args, "--column", "nope"])
    assert result.exit_code == 1 and "Available: source, sentence" in result.output


@pytest.fixture
def mixed_corpus(tmp_path: Path) -> Path:
    """Three sources, two openly licensed ("open_a", "open_b") and one not ("closed")."""
    rows = [("open_a", LINES[0]), ("closed", LINES[0]), ("open_b", LINES[2]), ("closed", LINES[2])] * 5
    path = tmp_path / "mixed.tsv"
    path.write_text("source\tsentence\n" + "".join(f"{s}\t{t}\n" for s, t in rows), encoding="utf-8")
    return path


def test_build_pairs_sources_keeps_only_those_sources(
    tmp_path: Path, mixed_corpus: Path, matcher: LiteralMatcher
) -> None:
    out = tmp_path / "open.parquet"
    stats = build_pairs(mixed_corpus, out, matcher=matcher, progress=False, sources=["open_a", "open_b"])
    frame = pd.read_parquet(out)
    assert set(frame["source"]) == {"open_a", "open_b"}
    assert stats.lines_read == 10 and stats.sources == {"open_a": 5, "open_b": 5}
    everything = build_pairs(mixed_corpus, tmp_path / "all.parquet", matcher=matcher, progress=False)
    assert everything.pairs == 2 * stats.pairs and everything.sources == {}
    assert "source open_a" in stats.to_table()


def test_build_pairs_unknown_source_warns_with_the_sources_present(
    tmp_path: Path, mixed_corpus: Path, matcher: LiteralMatcher
) -> None:
    with pytest.warns(UserWarning, match=r"open_c.*other sources there: closed, open_a, open_b"):
        stats = build_pairs(
            mixed_corpus, tmp_path / "p.parquet", matcher=matcher, progress=False, sources="open_c"
        )
    assert stats.pairs == 0


def test_build_pairs_sources_needs_a_source_column(tmp_path: Path, matcher: LiteralMatcher) -> None:
    path = tmp_path / "plain.txt"
    path.write_text("\n".join(LINES[:3]), encoding="utf-8")
    with pytest.raises(InputError, match="no source column"):
        build_pairs(path, tmp_path / "p.parquet", matcher=matcher, sources=["web"])
    assert not (tmp_path / "p.parquet").exists()
    with pytest.raises(InputError, match="sources is empty"):
        build_pairs(path, tmp_path / "p.parquet", matcher=matcher, sources=[" "])


def test_cli_build_pairs_sources(tmp_path: Path, mixed_corpus: Path, toy_taxonomy_dir: Path) -> None:
    import typer
    from typer.testing import CliRunner

    from skillx.cli.matching import register

    app = typer.Typer()
    register(app)
    out = tmp_path / "pairs.parquet"
    args = ["build-pairs", str(mixed_corpus), "-o", str(out), "--taxonomy", str(toy_taxonomy_dir)]
    result = CliRunner().invoke(app, [*args, "--no-progress", "--sources", "open_a,open_b"])
    assert result.exit_code == 0, result.output
    assert json.loads(stats_path(out).read_text())["sources"] == {"open_a": 5, "open_b": 5}


def test_pairs_by_source_counts_pairs_and_sentences() -> None:
    from skillx.supervision import pairs_by_source

    frame = pd.DataFrame({"sentence": ["a", "a", "b", "c"], "source": ["x", "x", "x", "y"]})
    assert pairs_by_source(frame) == [
        {"name": "x", "pairs": 3, "sentences": 2},
        {"name": "y", "pairs": 1, "sentences": 1},
    ]
    assert pairs_by_source(frame[["sentence"]]) == [{"name": "unknown", "pairs": 4, "sentences": 3}]

"""Pseudo-labelled pairs (self-training): sentence sampling, teacher agreement, caps, file layout."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from skillx.errors import InputError
from skillx.supervision import PAIR_COLUMNS, build_pseudo_pairs
from skillx.supervision.pseudo import as_pair_rows, select_pseudo_pairs, unmatched_sentences
from skillx.taxonomy import Taxonomy

CORPUS_LINES = [
    "We need someone who talks clearly to customers and colleagues every single day.",
    "You will write Python code for our data platform and review pull requests.",
    "Benefits",  # a heading: too short to label
    "Team player who enjoys working closely with other people in a small group.",
    "You will write Python code for our data platform and review pull requests.",  # repeated
    "Keep the accounts of the company and prepare the yearly budget for the board.",
]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    path = tmp_path / "ads.txt"
    path.write_text("\n".join(CORPUS_LINES) + "\n", encoding="utf-8")
    return path


def labels_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "sentence": [f"s{i}" for i in range(6)],
        "uri_0": ["a", "a", "a", "b", "c", "d"],
        "score_0": [0.9, 0.8, 0.7, 0.9, 0.5, 0.9],
        "uri_1": ["a", "a", "a", "b", "c", "x"],
        "score_1": [0.9, 0.9, 0.9, 0.55, 0.9, 0.9],
        "source": "ads",
        "line_no": range(1, 7),
    })


def test_select_keeps_confident_agreement_and_caps_per_skill() -> None:
    labels = labels_frame()
    chosen = select_pseudo_pairs(labels, min_score=0.6, per_skill=0)
    # b: second teacher below threshold; c: first teacher below; d: teachers disagree
    assert chosen["sentence"].tolist() == ["s0", "s1", "s2"] and set(chosen["uri"]) == {"a"}
    capped = select_pseudo_pairs(labels, min_score=0.6, per_skill=2, seed=3)
    assert len(capped) == 2 and capped.index.is_monotonic_increasing
    assert capped.equals(select_pseudo_pairs(labels, min_score=0.6, per_skill=2, seed=3))
    one_teacher = select_pseudo_pairs(labels.drop(columns=["uri_1", "score_1"]), min_score=0.6, per_skill=0)
    assert one_teacher["uri"].tolist() == ["a", "a", "a", "b", "d"]
    with pytest.raises(InputError, match="uri_0"):
        select_pseudo_pairs(labels[["sentence"]], min_score=0.6, per_skill=0)


def test_pair_rows_have_the_build_pairs_layout_and_no_mention() -> None:
    from skillx.training import read_pairs

    rows = as_pair_rows(select_pseudo_pairs(labels_frame(), min_score=0.6, per_skill=0))
    assert tuple(rows.columns) == PAIR_COLUMNS
    assert (rows["label_kind"] == "pseudo").all() and (rows["start"] == -1).all()
    assert rows["surface_form"].tolist() == ["pseudo:a"] * 3
    assert len(read_pairs(rows)) == 3


def test_unmatched_sentences_skip_matched_short_and_repeated(corpus: Path) -> None:
    matched = {CORPUS_LINES[5]}
    found, drawn = unmatched_sentences(corpus, matched, lines=100, seed=0)
    texts = [t for t, _, _ in found]
    assert drawn == len(CORPUS_LINES)
    assert texts == [CORPUS_LINES[0], CORPUS_LINES[1], CORPUS_LINES[3]]
    assert [line for _, _, line in found] == [1, 2, 4] and found[0][1] == "ads.txt"
    some, drawn = unmatched_sentences(corpus, set(), lines=2, seed=5)
    assert drawn == 2 and some == unmatched_sentences(corpus, set(), lines=2, seed=5)[0]
    with pytest.raises(InputError, match="lines"):
        unmatched_sentences(corpus, set(), lines=0)


def test_build_pseudo_pairs_end_to_end(corpus: Path, tmp_path: Path, toy_taxonomy: Taxonomy,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The base encoder stands in for a trained teacher (same ranker, no training needed)."""
    from skillx.ranker import SemanticRanker
    from skillx.supervision import pseudo

    base = SemanticRanker.from_pretrained(None, taxonomy=toy_taxonomy)
    monkeypatch.setattr(pseudo, "_teacher", lambda path, taxonomy: base)
    literal = pd.DataFrame({"sentence": [CORPUS_LINES[5]], "uri": [next(iter(toy_taxonomy)).uri]})
    out = tmp_path / "pseudo.parquet"
    stats = build_pseudo_pairs(corpus, literal, out, teachers=["teacher"], taxonomy=toy_taxonomy,
                               lines=100, min_score=0.2, per_skill=1)
    rows = pd.read_parquet(out)
    assert stats.candidates == 3 and stats.pairs == len(rows) > 0
    assert stats.confident >= stats.pairs and rows["uri"].value_counts().max() == 1
    assert not set(rows["sentence"]) & set(literal["sentence"])
    expected = {t: r[0].uri for t, r in zip(CORPUS_LINES[:2] + CORPUS_LINES[3:4],
                                           base.rank(CORPUS_LINES[:2] + CORPUS_LINES[3:4], k=1), strict=True)}
    assert all(expected[s] == u for s, u in zip(rows["sentence"], rows["uri"], strict=True))
    saved = json.loads((tmp_path / "pseudo.stats.json").read_text())
    assert saved["pairs"] == stats.pairs and saved["teachers"] == ["teacher"]
    none = build_pseudo_pairs(corpus, literal, tmp_path / "none.parquet", teachers=["teacher"],
                              taxonomy=toy_taxonomy, lines=100, min_score=1.0)
    assert none.pairs == 0 and len(pd.read_parquet(tmp_path / "none.parquet")) == 0


def test_build_pseudo_pairs_bad_input(corpus: Path, tmp_path: Path, toy_taxonomy: Taxonomy) -> None:
    literal = pd.DataFrame({"sentence": ["x"], "uri": ["y"]})
    with pytest.raises(InputError, match="skillx train"):
        build_pseudo_pairs(corpus, literal, tmp_path / "p.parquet", teachers=[tmp_path],
                           taxonomy=toy_taxonomy)
    with pytest.raises(InputError, match="at least one teacher"):
        build_pseudo_pairs(corpus, literal, tmp_path / "p.parquet", teachers=[], taxonomy=toy_taxonomy)
    with pytest.raises(InputError, match="min_score"):
        build_pseudo_pairs(corpus, literal, tmp_path / "p.parquet", teachers=[tmp_path],
                           taxonomy=toy_taxonomy, min_score=2.0)
    with pytest.raises(InputError, match="does not exist"):
        build_pseudo_pairs(corpus, literal, tmp_path / "no" / "p.parquet", teachers=[tmp_path],
                           taxonomy=toy_taxonomy)
    assert not list(tmp_path.glob("*.parquet"))


def test_cli_pseudo_label_names_a_missing_teacher(corpus: Path, tmp_path: Path,
                                                  toy_taxonomy_dir: Path) -> None:
    from typer.testing import CliRunner

    from skillx.cli import app

    pairs = tmp_path / "pairs.csv"
    pairs.write_text("sentence,uri\nx,y\n")
    result = CliRunner().invoke(app, [
        "pseudo-label", str(corpus), "--pairs", str(pairs), "--model", str(tmp_path / "nope"),
        "--output", str(tmp_path / "p.parquet"), "--taxonomy", str(toy_taxonomy_dir),
    ])
    assert result.exit_code == 1 and "not a skillx model directory" in result.output
    assert not (tmp_path / "p.parquet").exists()


def test_cli_train_concatenates_pairs_files_and_checks_each(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from skillx.cli import app

    good = tmp_path / "pairs.csv"
    good.write_text("sentence,uri\nWrite Python.,urn:x\n")
    result = CliRunner().invoke(app, ["train", str(good), str(tmp_path / "missing.parquet"),
                                      "--output", str(tmp_path / "model")])
    assert result.exit_code == 1 and result.output.startswith("Error: ")
    assert "missing.parquet" in result.output
    assert not (tmp_path / "model").exists()

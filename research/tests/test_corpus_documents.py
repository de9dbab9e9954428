"""research/corpus_documents.py: pseudo-ads from a corpus file and the noisy-OR."""

from __future__ import annotations

import gzip

import pytest


def test_pseudo_ads_are_runs_of_one_source(research_script, tmp_path) -> None:
    cd = research_script("corpus_documents")
    corpus = tmp_path / "c.tsv.gz"
    rows = [("a", f"a{i}") for i in range(6)] + [("b", f"b{i}") for i in range(3)]
    with gzip.open(corpus, "wt", encoding="utf-8") as handle:
        handle.write("source\tsentence\n")
        handle.writelines(f"{s}\t{t}\n" for s, t in rows)
    ads = cd.pseudo_ads(corpus, per_source=2, lines=2)
    assert ads == [("a", "a0\na1"), ("a", "a3\na4"), ("b", "b0\nb1"), ("b", "b1\nb2")]


def test_noisy_or(research_script) -> None:
    cd = research_script("corpus_documents")
    assert cd.noisy_or([0.5, 0.5]) == pytest.approx(0.75)
    assert cd.noisy_or([]) == 0.0

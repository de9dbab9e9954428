"""research/hubness_penalty.py: streaming hub statistics, the penalty, the seeded corpus sample."""

from __future__ import annotations

import gzip

import numpy as np
import pytest


def test_streamed_statistics_equal_the_whole_matrix(research_script) -> None:
    script = research_script("hubness_penalty")
    rng = np.random.default_rng(0)
    scores = rng.normal(size=(257, 6)).astype(np.float32)
    stats = script.HubStats(6, top=10)
    for start in range(0, len(scores), 40):  # blocks smaller and larger than `top`
        stats.add(scores[start : start + 40])
    best = np.sort(scores, axis=0)[-10:]
    np.testing.assert_allclose(stats.measure("csls"), best.mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(stats.measure("mean"), scores.mean(axis=0), rtol=1e-5)
    with pytest.raises(ValueError, match="csls"):
        stats.measure("median")
    with pytest.raises(ValueError, match="No rows"):
        script.HubStats(6, top=3).measure("mean")


def test_the_penalty_demotes_the_hub_column(research_script) -> None:
    script = research_script("hubness_penalty")

    def text_scores(texts, batch_size, show_progress):
        return np.array([[0.50, 0.45, 0.10]] * len(texts), dtype=np.float32)

    scores = script.penalised(text_scores, np.array([0.2, 0.0, 0.0], dtype=np.float32))(["a", "b"], 64, False)
    assert scores.shape == (2, 3)
    assert scores[0].argmax() == 1  # the hub (column 0) fell below column 1
    np.testing.assert_allclose(scores[0], [0.30, 0.45, 0.10], rtol=1e-6)


def test_the_corpus_sample_is_fixed_by_its_seed(research_script, tmp_path) -> None:
    script = research_script("hubness_penalty")
    path = tmp_path / "corpus.tsv.gz"
    lines = [f"src\tline number {i} about welding and teamwork" for i in range(300)]
    lines += ["src\ttoo short", "src\tline number 0 about welding and teamwork"]  # filtered, duplicate
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("source\tsentence\n" + "\n".join(lines) + "\n")
    first = script.corpus_sample(path, 50, seed=3)
    assert first == script.corpus_sample(path, 50, seed=3)
    assert first != script.corpus_sample(path, 50, seed=4)
    assert len(first) == len(set(first)) == 50
    assert "too short" not in first
    assert len(script.corpus_sample(path, 1000, seed=3)) == 300  # capped at the distinct lines

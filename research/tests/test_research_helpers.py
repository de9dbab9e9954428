"""research/diversify_top_k.py (MMR re-ordering) and research/paired_bootstrap.py (intervals)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest


def test_mmr_lambda_one_is_the_plain_ranking_and_lower_lambda_skips_near_duplicates(research_script) -> None:
    diversify = research_script("diversify_top_k")
    # skills 0 and 1 are near-duplicates; skill 2 is different and scores a little lower
    skills = np.array([[1.0, 0.0], [0.999, 0.045], [0.0, 1.0], [0.6, 0.8]], dtype=np.float32)
    skills /= np.linalg.norm(skills, axis=1, keepdims=True)
    scores = np.array([0.9, 0.88, 0.8, 0.1], dtype=np.float32)
    assert diversify.mmr_order(scores, skills, lam=1.0, pool=4, k=3) == [0, 1, 2]
    assert diversify.mmr_order(scores, skills, lam=0.7, pool=4, k=3) == [0, 2, 1]
    assert diversify.mmr_order(scores, skills, lam=0.7, pool=2, k=3) == [0, 1]  # the pool bounds k


def test_paired_bootstrap_interval_excludes_zero_only_for_a_clear_gain(research_script) -> None:
    bootstrap_interval = research_script("paired_bootstrap").bootstrap_interval
    clear = [0.2] * 40 + [0.0] * 10
    mean, low, high = bootstrap_interval(clear, resamples=2000, seed=0)
    assert mean == pytest.approx(0.16) and 0 < low <= mean <= high
    noisy = [0.5, -0.5] * 25
    mean, low, high = bootstrap_interval(noisy, resamples=2000, seed=0)
    assert mean == 0 and low < 0 < high
    again = bootstrap_interval(noisy, resamples=500, seed=1)
    assert again == bootstrap_interval(noisy, resamples=500, seed=1)


def test_paired_bootstrap_compares_two_per_sentence_files(research_script, tmp_path, capsys) -> None:
    bootstrap = research_script("paired_bootstrap")
    sentences = [f"sentence {i}" for i in range(20)]
    a = {"k": 5, "source": "a", "splits": {"tech": {s: 0.0 for s in sentences}}}
    half = {s: 1.0 if i < 10 else 0.0 for i, s in enumerate(sentences)}
    b = {"k": 5, "source": "b", "splits": {"tech": half}}
    (tmp_path / "a.json").write_text(json.dumps(a), encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps(b), encoding="utf-8")
    assert bootstrap.main([str(tmp_path / "a.json"), str(tmp_path / "b.json"), "--resamples", "500"]) == 0
    out = capsys.readouterr().out
    assert "tech" in out and "B-A +50.0" in out and "differ: 10" in out
    with pytest.raises(SystemExit, match="RP@10"):
        bootstrap.main([str(tmp_path / "a.json"), str(tmp_path / "b.json"), "--k", "10"])
    b["splits"]["tech"]["another sentence"] = 1.0
    (tmp_path / "b.json").write_text(json.dumps(b), encoding="utf-8")
    with pytest.raises(SystemExit, match="different sentences"):
        bootstrap.main([str(tmp_path / "a.json"), str(tmp_path / "b.json")])


def test_subsample_pairs_keeps_whole_sentences_with_a_fixed_seed(research_script):
    import pandas as pd

    subsample = research_script("subsample_pairs").subsample
    pairs = pd.DataFrame(
        {
            "sentence": [f"s{i // 2}" for i in range(40)],  # 20 sentences, 2 pairs each
            "uri": [f"u{i}" for i in range(40)],
        }
    )
    half = subsample(pairs, 0.5, seed=1)
    assert half["sentence"].nunique() == 10
    assert len(half) == 20  # both pairs of every kept sentence
    assert half.equals(subsample(pairs, 0.5, seed=1))
    assert not half.equals(subsample(pairs, 0.5, seed=2))
    with pytest.raises(ValueError, match="fraction"):
        subsample(pairs, 0.0)


def test_seed_comparison_averages_seeds_before_the_bootstrap(research_script, tmp_path, capsys) -> None:
    comparison = research_script("seed_comparison")
    sentences = [f"sentence {i}" for i in range(10)]

    def write(name: str, values: list[float]) -> str:
        payload = {"k": 5, "source": name, "splits": {"tech": dict(zip(sentences, values, strict=True))}}
        (tmp_path / f"{name}.json").write_text(json.dumps(payload), encoding="utf-8")
        return str(tmp_path / f"{name}.json")

    # B beats A by one sentence in seed 1 and loses one in seed 2: the seeds cancel
    a = [write("a1", [0.0] * 10), write("a2", [0.0] * 10)]
    b = [write("b1", [1.0] + [0.0] * 9), write("b2", [0.0] * 10)]
    table = comparison.seed_table(
        [comparison.read_per_sentence(Path(p), 5) for p in a],
        [comparison.read_per_sentence(Path(p), 5) for p in b],
    )
    assert table["tech"]["a"] == [0.0, 0.0] and table["tech"]["b"] == [0.1, 0.0]
    assert table["tech"]["mean_diffs"].tolist() == [0.5] + [0.0] * 9
    assert comparison.main(["--a", *a, "--b", *b, "--resamples", "200"]) == 0
    out = capsys.readouterr().out
    assert "B-A per seed +0.0 .. +10.0" in out and "seed-averaged B-A +5.0" in out
    with pytest.raises(SystemExit, match="as many A files"):
        comparison.seed_table([comparison.read_per_sentence(Path(a[0]), 5)], [])


def test_lowercase_forms_counts_capitalised_forms_not_acronyms(research_script) -> None:
    capitalised = research_script("lowercase_forms").capitalised
    assert capitalised("Chef") and capitalised("JavaScript") and capitalised("Obs & Gynae")
    assert not capitalised("SQL") and not capitalised("plan menus") and not capitalised("")

"""research/document_aggregation.py: pseudo-ads, the aggregation rules and the ad-level rows."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest


def test_pseudo_ads_are_runs_of_one_split(research_script) -> None:
    agg = research_script("document_aggregation")
    split = ("TECH", "TECH", "TECH", "HOUSE", "HOUSE")
    assert agg.pseudo_ads(split, 2) == [[0, 1], [2], [3, 4]]


def test_rules_differ_only_on_repeated_evidence(research_script) -> None:
    agg = research_script("document_aggregation")
    single = [(0.4, True)]
    assert all(rule(single) == pytest.approx(0.4) for rule in agg.RULES.values())
    repeated = [(0.4, True), (0.4, True), (0.2, False)]
    assert agg.noisy_or(repeated) == pytest.approx(1 - 0.6 * 0.6 * 0.8)
    assert agg.best(repeated) == pytest.approx(0.4)
    assert agg.literal_once(repeated) == pytest.approx(1 - 0.6 * 0.8)  # the literal lines count once


def test_ad_rows_support_labels_and_the_repeated_gap(research_script) -> None:
    from skillx.fusion import FEATURES

    agg = research_script("document_aggregation")
    # two sentences; skill 7 in both (literal), skill 9 in the second only (gold of sentence 0)
    features = np.zeros((3, len(FEATURES)))
    features[:2, FEATURES.index("literal_preferred")] = 1
    cands = SimpleNamespace(
        features=features,
        sentence=np.array([0, 1, 1]),
        rank=np.array([0, 0, 1]),
        position=np.array([7, 7, 9]),
    )
    probs = np.array([0.5, 0.5, 0.05])
    thresholds = np.full(3, 0.2)
    gold = [{9}, set()]
    (row,) = agg.ad_rows([[0, 1]], cands, probs, thresholds, gold, agg.noisy_or, k=5)
    p, y, n_gold, threshold, support = row
    assert p.tolist() == [pytest.approx(0.75)]  # skill 9 at 0.05 < 0.2 / 2 is no support
    assert y.tolist() == [0] and n_gold == 1 and threshold == pytest.approx(0.2)
    assert support.tolist() == [2]
    summary = agg.summarise([row])
    assert summary["repeated"] == 1 and summary["repeated_gap"] == pytest.approx(0.75)
    assert summary["precision"] == 0.0 and summary["recall"] == 0.0

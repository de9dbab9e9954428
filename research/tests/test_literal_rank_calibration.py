"""research/literal_rank_calibration.py: the extra candidate features and the rank groups."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest


def test_literal_rank_features_and_rank_groups(research_script) -> None:
    from skillx.fusion import FEATURES

    lit = research_script("literal_rank_calibration")
    features = np.zeros((4, len(FEATURES)))
    features[[0, 2], FEATURES.index("literal_preferred")] = 1
    features[:, FEATURES.index("log_rank")] = np.log1p([0, 1, 0, 1])
    sentence = np.array([0, 0, 1, 1])
    extra = lit.extra_features(features, sentence)
    assert extra["literal_log_rank"].tolist() == [0.0, 0.0, 0.0, 0.0]  # both hits are at rank 0
    assert extra["log_literal_hits"].tolist() == pytest.approx(np.log1p([1, 1, 1, 1]).tolist())
    cands = SimpleNamespace(rank=np.array([0, 1, 0, 1]), label=np.array([1, 0, 0, 1]))
    groups = lit.by_rank(np.array([0.9, 0.2, 0.5, 0.4]), cands, lit.literal_rows(features) > 0, k=5)
    assert groups == [("0", 2, pytest.approx(0.7), pytest.approx(0.5))]

"""research/base_calibration_features.py: the feature subsets and the paired F1 bootstrap."""

from __future__ import annotations

import numpy as np
import pytest


def test_variants_are_subsets_of_the_shipped_features(research_script) -> None:
    from skillx.calibration import CALIBRATOR_FEATURES

    module = research_script("base_calibration_features")
    variants = module.variants()
    assert variants["one feature (before 2026-12-03)"] is None
    assert variants["all features"] == tuple(CALIBRATOR_FEATURES)
    for features in variants.values():
        assert features is None or set(features) <= set(CALIBRATOR_FEATURES)
    assert not set(variants["all but the sentence"]) & set(module.SENTENCE)


def test_bootstrap_f1_difference_brackets_the_difference(research_script) -> None:
    module = research_script("base_calibration_features")
    n_gold = np.ones(40, dtype=np.int64)
    # (fold assignments, [correct, kept], sentences): b finds 30 of 40 gold pairs, a finds 10
    a = np.zeros((2, 2, 40))
    b = np.zeros((2, 2, 40))
    a[:, :, :10] = 1
    b[:, :, :30] = 1
    lo, hi = module.bootstrap_f1_difference(a, b, n_gold, samples=200)
    # F1 a = 2*10/(10+40) = 0.4, b = 2*30/(30+40) = 0.857
    assert lo < 0.857 - 0.4 < hi and lo > 0
    same_lo, same_hi = module.bootstrap_f1_difference(a, a, n_gold, samples=50)
    assert same_lo == pytest.approx(0.0) and same_hi == pytest.approx(0.0)

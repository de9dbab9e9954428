"""research/score_ensemble.py: the score mix and the ranking it gives."""

from __future__ import annotations

import numpy as np
import pytest


def test_mix_moves_the_ranking_towards_the_base_encoder(research_script) -> None:
    from skillx.fusion import rank_positions

    module = research_script("score_ensemble")
    trained = np.array([0.9, 0.8, 0.1, 0.0])
    base = np.array([0.1, 0.5, 0.9, 0.0])
    assert rank_positions(module.mixed(trained, base, 0.0), 2) == [0, 1]
    assert module.mixed(trained, base, 0.5).tolist() == pytest.approx([0.5, 0.65, 0.5, 0.0])
    assert rank_positions(module.mixed(trained, base, 0.5), 3) == [1, 0, 2]  # tie: lower position first
    assert module.metrics([1, 0, 2], {2})[3] == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="shape"):
        module.mixed(trained, base[:3], 0.5)

"""research/boost_rule.py: picking a setting on some folds and scoring the others with it."""

from __future__ import annotations

import numpy as np


def test_each_fold_is_scored_with_the_setting_the_other_folds_pick(research_script) -> None:
    module = research_script("boost_rule")
    # 2 settings x 4 sentences x (RP@1, RP@5, RP@10, MRR)
    table = np.zeros((2, 4, 4))
    table[0, :, 1] = [1, 1, 0, 0]  # setting 0: better RP@5 on sentences 0-1
    table[1, :, 0] = [1, 1, 1, 1]  # setting 1: RP@1 everywhere, RP@5 on sentences 2-3
    table[1, :, 1] = [0, 0, 1, 1]
    assert module.pick(table, np.array([True, True, False, False]), (1,)) == 0
    assert module.pick(table, np.array([False, False, True, True]), (1,)) == 1
    assert module.pick(table, np.ones(4, bool), (1,)) == 0  # tie on RP@5: the first setting
    assert module.pick(table, np.ones(4, bool), (0, 1, 2)) == 1
    folds = np.array([0, 0, 1, 1])
    out, picks = module.out_of_fold(table, folds, (1,))
    assert picks == [1, 0]  # fold 0 is scored with what sentences 2-3 prefer, and back
    assert out[:, 1].tolist() == [0, 0, 0, 0]  # out of fold, RP@5 is lost everywhere

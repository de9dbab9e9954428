"""research/sense_penalty.py: a hit in another sense counts against its skill."""

from __future__ import annotations

import numpy as np
import pytest


def test_penalised_scores_subtract_the_boost_of_failed_hits_only(research_script) -> None:
    from skillx.fusion import FusionParams, LiteralEvidence, SkillFeatures

    module = research_script("sense_penalty")
    semantic = np.array([0.9, 0.8, 0.5, 0.05], dtype=np.float32)  # a sentence about skills 0 and 1
    siblings = (np.array([1]), np.array([0]), np.array([3]), np.array([2]))
    skills = SkillFeatures(np.zeros(4), np.zeros(4, dtype=np.int64), np.zeros(4), siblings)
    params = FusionParams(literal_boost=0.3, sibling_rank=2)
    hits = [LiteralEvidence(0), LiteralEvidence(2)]  # skill 2's sibling (3) ranks last: another sense
    plain = module.penalised_scores(semantic, hits, params, skills, 0.0)
    assert plain.tolist() == pytest.approx([1.2, 0.8, 0.5, 0.05])
    penalised = module.penalised_scores(semantic, hits, params, skills, 1.0)
    assert penalised.tolist() == pytest.approx([1.2, 0.8, 0.2, 0.05])

"""Fusion of literal and semantic evidence, calibrated scores (inference only; fitting: test_calibration)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from skillx.errors import InputError, ModelError
from skillx.fusion import (
    FusionParams,
    LiteralEvidence,
    SkillFeatures,
    agrees_with_sentence,
    default_fusion,
    fuse,
    fused_scores,
    rank_positions,
)


def test_fused_scores_adds_boost_only_to_hit_skills():
    params = FusionParams(literal_boost=0.3, ambiguous_weight=0.5)
    sem = np.array([0.1, 0.2, 0.3], dtype=np.float32)
    raw = fused_scores(sem, [LiteralEvidence(0), LiteralEvidence(2, ambiguous=True)], params)
    np.testing.assert_allclose(raw, [0.4, 0.2, 0.45], rtol=1e-6)
    np.testing.assert_allclose(sem, [0.1, 0.2, 0.3])  # input untouched


def test_fused_scores_counts_a_skill_once_with_its_strongest_hit():
    params = FusionParams(literal_boost=0.2, ambiguous_weight=0.5)
    raw = fused_scores(
        np.zeros(2), [LiteralEvidence(1, ambiguous=True), LiteralEvidence(1), LiteralEvidence(1)], params
    )
    np.testing.assert_allclose(raw, [0.0, 0.2], rtol=1e-6)


def test_fuse_literal_hit_outranks_close_semantic_candidate_and_keeps_offsets():
    params = FusionParams(literal_boost=0.2)
    sem = np.array([0.50, 0.45, 0.10, 0.05], dtype=np.float32)
    out = fuse(sem, [LiteralEvidence(1, start=10, end=16)], params, k=3)
    assert [m.position for m in out] == [1, 0, 2]
    assert (out[0].start, out[0].end, out[0].source) == (10, 16, "both")
    assert out[1].source == "semantic" and out[1].start is None
    assert [m.score for m in out] == sorted((m.score for m in out), reverse=True)


def test_fuse_marks_literal_only_when_semantic_alone_misses_it():
    params = FusionParams(literal_boost=0.6)
    sem = np.array([0.50, 0.45, 0.10, 0.05], dtype=np.float32)
    out = fuse(sem, [LiteralEvidence(3, start=0, end=3)], params, k=2)
    assert out[0].position == 3 and out[0].source == "literal"


def test_fuse_scores_are_calibrated_probabilities_and_min_score_filters():
    params = FusionParams(literal_boost=0.2, slope=10.0, intercept=-5.0)
    sem = np.array([0.9, 0.5, 0.1], dtype=np.float32)
    out = fuse(sem, [], params, k=3)
    expected = 1 / (1 + np.exp(-(10 * np.array([0.9, 0.5, 0.1]) - 5)))
    np.testing.assert_allclose([m.score for m in out], expected, rtol=1e-5)
    kept = fuse(sem, [], params, k=3, min_score=0.5)
    assert [m.position for m in kept] == [0, 1]
    assert fuse(sem, [], params, k=3, min_score=0.999) == []


def test_fuse_literal_only_returns_only_hits():
    params = FusionParams()
    out = fuse(None, [LiteralEvidence(4), LiteralEvidence(2, ambiguous=True)], params, k=5, n_skills=6)
    assert [m.position for m in out] == [4, 2]
    assert {m.source for m in out} == {"literal"}


@pytest.mark.parametrize("k", [0, -1])
def test_fuse_rejects_bad_k(k):
    with pytest.raises(InputError, match="k must be"):
        fuse(np.zeros(3), [], FusionParams(), k=k)


def test_fuse_rejects_evidence_outside_the_matrix():
    with pytest.raises(InputError, match="outside"):
        fuse(np.zeros(3), [LiteralEvidence(7)], FusionParams())


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"slope": -1.0}, "slope"),
        ({"threshold": 1.5}, "threshold"),
        ({"literal_boost": float("nan")}, "finite"),
        ({"sibling_rank": -1}, "sibling_rank"),
        ({"sibling_rank": 2.5}, "whole number"),
        ({"sibling_rank": True}, "whole number"),
    ],
)
def test_fusion_params_validate(kwargs, match):
    with pytest.raises(InputError, match=match):
        FusionParams(**kwargs)


def test_fusion_params_json_round_trip(tmp_path):
    params = FusionParams(
        literal_boost=0.15, slope=7.5, intercept=-3.0, threshold=0.42, metrics={"rp@5": 0.5}
    )
    path = params.save(tmp_path / "fusion.json")
    assert FusionParams.load(path) == params
    # also readable from a model dir's skillx.json under the "fusion" key
    (tmp_path / "skillx.json").write_text(json.dumps({"skill_text": "preferred", "fusion": params.to_dict()}))
    assert FusionParams.load(tmp_path / "skillx.json") == params


def _four_skills(siblings):
    n = len(siblings)
    near = tuple(np.array(s) for s in siblings)
    return SkillFeatures(np.zeros(n), np.zeros(n, dtype=np.int64), np.zeros(n), near)


def test_sense_check_drops_a_hit_whose_siblings_are_far_from_the_sentence():
    # "Spark plug replacement": the label of skill 3 (SPARK) occurs and the encoder even ranks
    # it 2nd, but its sibling (skill 2, another data tool) is last; skill 1's sibling 0 is first
    sem = np.array([0.60, 0.50, 0.05, 0.55], dtype=np.float32)
    skills = _four_skills([[1], [0], [3], [2]])
    hits = [LiteralEvidence(1, 0, 4), LiteralEvidence(3, 5, 10)]
    params = FusionParams(literal_boost=0.3, sibling_rank=2)
    gated = fused_scores(sem, hits, params, skills=skills)
    np.testing.assert_allclose(gated, [0.60, 0.80, 0.05, 0.55], rtol=1e-6)
    out = fuse(sem, hits, params, k=2, skills=skills)
    assert [m.position for m in out] == [1, 0]
    # without the siblings, or with the check off, the boost goes to both as before
    np.testing.assert_allclose(fused_scores(sem, hits, params), [0.60, 0.80, 0.05, 0.85], rtol=1e-6)
    off = FusionParams(literal_boost=0.3, sibling_rank=0)
    ungated = fused_scores(sem, hits, off, skills=skills)
    np.testing.assert_allclose(ungated, [0.60, 0.80, 0.05, 0.85], rtol=1e-6)
    # the best sibling must rank strictly within the first sibling_rank: 4th of 4 passes 4, not 3
    assert agrees_with_sentence(hits[1:], sem, skills.siblings, 4) == hits[1:]
    assert agrees_with_sentence(hits[1:], sem, skills.siblings, 3) == []


def test_sense_check_keeps_hits_of_skills_without_siblings_and_literal_only_rankings():
    skills = _four_skills([[], [], [], []])
    sem = np.array([0.9, 0.1, 0.1, 0.0], dtype=np.float32)
    assert agrees_with_sentence([LiteralEvidence(3)], sem, skills.siblings, 1) == [LiteralEvidence(3)]
    # literal only: no meaning to consult, every hit counts
    lonely = _four_skills([[1], [0], [3], [2]])
    out = fuse(None, [LiteralEvidence(3)], FusionParams(sibling_rank=1), k=5, n_skills=4, skills=lonely)
    assert [m.position for m in out] == [3]


def test_sibling_positions_follow_the_taxonomy(toy_taxonomy):
    facts = SkillFeatures.from_taxonomy(toy_taxonomy)
    uris = toy_taxonomy.uris
    for i, uri in enumerate(uris):
        assert sorted(uris[j] for j in facts.siblings[i]) == sorted(toy_taxonomy.siblings(uri))


def test_fusion_params_load_errors_name_the_fix(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        FusionParams.load(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ModelError, match="not valid JSON"):
        FusionParams.load(bad)
    with pytest.raises(InputError, match="Unknown fusion parameter"):
        FusionParams.from_dict({"boost": 1})


def test_default_fusion_is_bundled_and_valid():
    params = default_fusion()
    assert params.literal_boost >= 0 and params.slope > 0 and 0 <= params.threshold <= 1


@pytest.mark.parametrize(("k", "expected"), [(1, [1]), (3, [1, 3, 2]), (4, [1, 3, 2, 0]), (9, [1, 3, 2, 0])])
def test_rank_positions_best_first_ties_by_position(k, expected):
    raw = np.array([0.1, 0.9, 0.5, 0.9])
    assert rank_positions(raw, k) == expected


def test_fusion_module_only_applies_parameters():
    import skillx.fusion

    for name in ("fit_fusion", "rp_at_k", "fitted_fusion", "_fit_logistic"):
        assert not hasattr(skillx.fusion, name), f"{name} belongs in skillx.calibration / evaluation"

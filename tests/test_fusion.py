"""Fusion of literal and semantic evidence, and its calibration (synthetic scores)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from skillx.errors import InputError, ModelError
from skillx.fusion import (
    FusionParams,
    LiteralEvidence,
    default_fusion,
    fit_fusion,
    fuse,
    fused_scores,
    rank_positions,
    rp_at_k,
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


def test_rank_positions_and_rp_at_k_hand_computed():
    raw = np.array([0.1, 0.9, 0.5, 0.9])
    assert rank_positions(raw, 3) == [1, 3, 2]
    assert rp_at_k([1, 3, 2], {3, 0}, 2) == 0.5
    assert rp_at_k([1, 3, 2], {2}, 5) == 1.0
    with pytest.raises(InputError):
        rp_at_k([1], set(), 1)


def _synthetic_problem(seed: int = 0, n: int = 120, n_skills: int = 40):
    """Gold skills get a noisy semantic bump; literal hits are right 80% of the time."""
    rng = np.random.default_rng(seed)
    sem = rng.normal(0.2, 0.08, size=(n, n_skills)).astype(np.float32)
    gold, evidence = [], []
    for i in range(n):
        if i % 6 == 0:  # a sentence with no skill at all
            gold.append(set())
            evidence.append([])
            continue
        g = {int(x) for x in rng.choice(n_skills, size=2, replace=False)}
        for pos in g:
            sem[i, pos] += rng.normal(0.12, 0.08)
        hits = [LiteralEvidence(pos) for pos in g if rng.random() < 0.6]
        if rng.random() < 0.2:
            hits.append(LiteralEvidence(int(rng.integers(n_skills))))
        gold.append(g)
        evidence.append(hits)
    return sem, evidence, gold


def test_fit_fusion_learns_a_positive_boost_that_beats_semantic_only():
    sem, evidence, gold = _synthetic_problem()
    params = fit_fusion(sem, evidence, gold, model="toy", fitted_on="synthetic")
    assert params.literal_boost > 0
    scored = [i for i, g in enumerate(gold) if g]

    def mean_rp(p):
        return np.mean(
            [rp_at_k(rank_positions(fused_scores(sem[i], evidence[i], p), 5), gold[i], 5) for i in scored]
        )

    assert mean_rp(params) > mean_rp(FusionParams(literal_boost=0.0))
    assert params.metrics["rp@5"] == pytest.approx(mean_rp(params), abs=1e-4)
    assert params.model == "toy" and 0 < params.threshold < 1


def test_fit_fusion_calibration_is_roughly_calibrated():
    sem, evidence, gold = _synthetic_problem(seed=1, n=300)
    params = fit_fusion(sem, evidence, gold)
    probs, hits = [], []
    for i in range(len(gold)):
        raw = fused_scores(sem[i], evidence[i], params)
        for pos in rank_positions(raw, 10):
            probs.append(float(params.calibrate(raw[pos])))
            hits.append(pos in gold[i])
    # Platt scaling on its own training data: mean predicted probability == observed rate
    assert np.mean(probs) == pytest.approx(np.mean(hits), abs=0.02)
    # higher scores really are more often right
    probs_arr, hits_arr = np.array(probs), np.array(hits)
    assert hits_arr[probs_arr >= 0.5].mean() > hits_arr[probs_arr < 0.5].mean()


def test_fit_fusion_rejects_mismatched_inputs():
    with pytest.raises(InputError, match="one row"):
        fit_fusion(np.zeros((2, 3)), [[]], [{1}, {2}])
    with pytest.raises(InputError, match="at least one sentence"):
        fit_fusion(np.zeros((1, 3)), [[]], [set()])

"""Fitting the fusion boost and score calibration (`skillx.calibration`), on synthetic scores."""

from __future__ import annotations

import numpy as np
import pytest

from skillx.calibration import _fit_logistic, fit_fusion, fit_model_fusion, store_model_fusion
from skillx.errors import InputError, ModelError
from skillx.evaluation.metrics import r_precision_at_k
from skillx.fusion import FusionParams, LiteralEvidence, fused_scores, rank_positions
from skillx.model_dir import ModelMeta, TaxonomyRef, read_model_meta, write_model_meta


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


def _mean_rp(params, sem, evidence, gold, k=5):
    scored = [i for i, g in enumerate(gold) if g]
    ranked = [rank_positions(fused_scores(sem[i], evidence[i], params), k) for i in scored]
    return np.mean([r_precision_at_k(r, gold[i], k) for r, i in zip(ranked, scored, strict=True)])


def test_fit_fusion_learns_a_positive_boost_that_beats_semantic_only():
    sem, evidence, gold = _synthetic_problem()
    params = fit_fusion(sem, evidence, gold, model="toy", fitted_on="synthetic")
    assert params.literal_boost > 0
    semantic_only = FusionParams(literal_boost=0.0)
    assert _mean_rp(params, sem, evidence, gold) > _mean_rp(semantic_only, sem, evidence, gold)
    assert params.metrics["rp@5"] == pytest.approx(_mean_rp(params, sem, evidence, gold), abs=1e-4)
    assert params.model == "toy" and 0 < params.threshold < 1


def test_fit_fusion_result_is_pinned():
    """The fit moved modules; the parameters it finds for the same inputs must not change."""
    sem, evidence, gold = _synthetic_problem()
    params = fit_fusion(sem, evidence, gold, model="toy", fitted_on="synthetic")
    assert params.to_dict() == {
        "literal_boost": 0.4,
        "ambiguous_weight": 0.0,  # no ambiguous hits: the first weight of the grid wins the tie
        "slope": pytest.approx(15.430093, abs=2e-6),
        "intercept": pytest.approx(-7.961036, abs=2e-6),
        "threshold": 0.1864,
        "model": "toy",
        "fitted_on": "synthetic",
        "metrics": {"rp@5": 0.815, "f1_at_threshold": 0.748, "n_sentences": 120, "n_scored_sentences": 100},
    }


def test_fit_fusion_picks_the_boost_by_hand_computed_rp():
    # Sentence 0: gold 2, semantic prefers 0 (0.5 vs 0.3), a right literal hit on 2: any
    # boost above 0.2 fixes it. Sentence 1: gold 0, a wrong hit on 1 (0.1 vs 0.5): a boost
    # above 0.4 breaks it. RP@1 per boost: 0.0 -> 0.5, 0.1 -> 0.5, 0.3 -> 1.0, 0.5 -> 0.5.
    sem = np.array([[0.5, 0.1, 0.3], [0.5, 0.1, 0.1]], dtype=np.float32)
    evidence = [[LiteralEvidence(2)], [LiteralEvidence(1)]]
    params = fit_fusion(sem, evidence, [{2}, {0}], boosts=(0.0, 0.1, 0.3, 0.5), k=1, candidates=3)
    assert params.literal_boost == 0.3 and params.metrics["rp@1"] == 1.0
    # without the right hit no boost beats 0.5, and the first grid value wins the tie
    params = fit_fusion(sem, [[], evidence[1]], [{2}, {0}], boosts=(0.0, 0.1, 0.3, 0.5), k=1, candidates=3)
    assert params.literal_boost == 0.0 and params.metrics["rp@1"] == 0.5


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


def test_fit_logistic_needs_both_classes():
    with pytest.raises(InputError, match="both correct and wrong"):
        _fit_logistic(np.array([0.1, 0.2]), np.array([1, 1]))


def _model_dir(tmp_path, **meta):
    (tmp_path / "model").mkdir()
    write_model_meta(tmp_path, ModelMeta(**meta))
    return tmp_path


def test_store_model_fusion_keeps_the_rest_of_the_metadata(tmp_path):
    taxonomy = TaxonomyRef(name="ESCO", version="1.1.0", language="en", fingerprint="abc")
    validation = {"best": {"rp@5": 0.5}}
    model = _model_dir(tmp_path, skill_text="preferred+alt", taxonomy=taxonomy, validation=validation)
    before = read_model_meta(model)
    params = FusionParams(literal_boost=0.1, threshold=0.2, fitted_on="v.csv")
    store_model_fusion(model, params)
    after = read_model_meta(model)
    assert after is not None and before is not None
    assert after.fusion == params
    assert after.replace(fusion=None) == before


def test_fit_model_fusion_refuses_a_folder_that_is_no_model_dir(tmp_path):
    with pytest.raises(ModelError, match="skillx train --out"):
        fit_model_fusion(tmp_path, ["v.csv"])
    with pytest.raises(ModelError, match="skillx train --out"):
        store_model_fusion(tmp_path, FusionParams())


def test_fit_model_fusion_stores_the_fit_in_the_model_meta(tmp_path, toy_taxonomy_dir, caplog):
    import logging

    import skillx
    from skillx.encoder import default_model_path

    model = tmp_path / "model-dir"
    model.mkdir()
    (model / "model").symlink_to(default_model_path(), target_is_directory=True)
    write_model_meta(model, ModelMeta(skill_text="preferred", validation={"best": {"rp@5": 0.5}}))
    bench = tmp_path / "toy_validation_annotations.csv"
    rows = [
        ("Strong Python skills", "Python (computer programming)"),
        ("You keep patient records up to date", "maintain patient records"),
        ("Serving drinks at the bar", "serve beverages"),
        ("Experience with SQL databases", "SQL"),
        ("You give first aid when needed", "provide first aid"),
        ("We offer a competitive salary", "LABEL NOT PRESENT"),
    ]
    bench.write_text("sentence,span,sub_span,label\n" + "".join(f"{s},x,,{lab}\n" for s, lab in rows))
    params = fit_model_fusion(model, [bench], taxonomy=toy_taxonomy_dir)
    meta = read_model_meta(model)
    assert meta is not None and meta.fusion == params
    assert meta.validation == {"best": {"rp@5": 0.5}} and meta.skill_text == "preferred"
    assert params.metrics["n_sentences"] == 6 and params.fitted_on == bench.name
    with caplog.at_level(logging.WARNING, logger="skillx"):
        assert skillx.load(model, taxonomy=toy_taxonomy_dir).fusion == params
    assert "no fusion calibration" not in caplog.text

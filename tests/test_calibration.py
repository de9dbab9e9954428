"""Fitting the fusion boost and score calibration (`skillx.calibration`), on synthetic scores."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from skillx.calibration import _fit_logistic, fit_fusion, fit_model_fusion, store_model_fusion
from skillx.errors import InputError, ModelError
from skillx.evaluation.metrics import r_precision_at_k
from skillx.fusion import FusionParams, LiteralEvidence, SkillFeatures, fused_scores, rank_positions
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
        "sibling_rank": 500,
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


def test_fit_fusion_fits_the_boost_with_the_sense_check_on():
    # Skills 0-2 are siblings, and 3-4. Sentences 0 and 1: a right hit on the encoder's 2nd or
    # 3rd skill needs a boost of 0.3. Sentence 2: a hit in another sense (skill 3, whose sibling
    # 4 is last) that the same boost would put first. Without the siblings no boost gets all
    # three right; with them 0.3 does.
    sem = np.array(
        [[0.5, 0.3, 0.1, 0.0, 0.0], [0.5, 0.1, 0.3, 0.0, 0.0], [0.5, 0.3, 0.28, 0.25, 0.0]], dtype=np.float32
    )
    evidence = [[LiteralEvidence(1)], [LiteralEvidence(2)], [LiteralEvidence(3)]]
    near = tuple(np.array(s) for s in ([1, 2], [0, 2], [0, 1], [4], [3]))
    skills = SkillFeatures(np.zeros(5), np.zeros(5, dtype=np.int64), np.zeros(5), near)
    gold = [{1}, {2}, {0}]
    plain = fit_fusion(sem, evidence, gold, boosts=(0.0, 0.3), sibling_rank=2, k=1, candidates=4)
    assert plain.metrics["rp@1"] == pytest.approx(2 / 3, abs=1e-4)
    checked = fit_fusion(
        sem, evidence, gold, boosts=(0.0, 0.3), sibling_rank=2, k=1, candidates=4, skills=skills
    )
    assert checked.literal_boost == 0.3 and checked.metrics["rp@1"] == 1.0 and checked.sibling_rank == 2


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


# -- the multi-feature calibration -----------------------------------------------------------------
from skillx.calibration import (  # noqa: E402
    _train_calibrator,
    candidate_table,
    decision_metrics,
    expected_calibration_error,
    fit_calibrator,
    oof_probabilities,
    running_min,
    sentence_folds,
)
from skillx.fusion import (  # noqa: E402
    FEATURES,
    Calibrator,
    best_evidence,
    candidate_features,
    fuse,
    threshold_for_precision,
)


def _texts(n):
    tail = ", and more, and even more"
    return [" ".join(["word"] * (2 + i % 9)) + (tail if i % 4 == 0 else "") for i in range(n)]


def _fitted(seed=0):
    sem, evidence, gold = _synthetic_problem(seed)
    return sem, evidence, gold, fit_fusion(sem, evidence, gold, texts=_texts(len(gold)))


def test_candidate_features_on_a_toy_sentence():
    raw = np.array([0.1, 0.5, 0.3, 0.2])
    sem = np.array([0.1, 0.25, 0.3, 0.2])
    evidence = {1: LiteralEvidence(1, 0, 6, ambiguous=False, kind="alternative")}
    skills = SkillFeatures(np.array([0.0, 1.0, 0.0, 0.0]), np.array([0, 3, 1, 0]), np.zeros(4))
    text = "Python, SQL and Git, daily"
    feats = candidate_features(raw, sem, [1, 2, 3], evidence, text, skills)
    col = {name: feats[:, i] for i, name in enumerate(FEATURES)}
    assert col["raw"].tolist() == [0.5, 0.3, 0.2]
    assert col["cosine"].tolist() == [0.25, 0.3, 0.2]
    assert col["margin"].tolist() == pytest.approx([0.0, 0.2, 0.3])
    assert col["gap_next"].tolist() == pytest.approx([0.2, 0.1, 0.1])  # the last: to the skill left out
    assert col["log_rank"].tolist() == pytest.approx(np.log1p([0, 1, 2]).tolist())
    assert col["literal_alternative"].tolist() == [1.0, 0.0, 0.0]
    assert col["literal_preferred"].sum() == 0 and col["literal_hidden"].sum() == 0
    assert col["knowledge"].tolist() == [1.0, 0.0, 0.0]
    assert col["reuse_sector_specific"].tolist() == [1.0, 0.0, 0.0]
    assert col["reuse_transversal"].tolist() == [0.0, 1.0, 0.0]
    assert col["log_words"].tolist() == pytest.approx([np.log1p(5)] * 3)
    assert col["n_clauses"].tolist() == [0.0] * 3  # one-word pieces are no clauses


def test_a_skills_probability_does_not_depend_on_k():
    sem, evidence, gold, params = _fitted()
    texts = _texts(len(gold))
    for i in range(0, len(gold), 7):
        five = fuse(sem[i], evidence[i], params, k=5, text=texts[i])
        for k in (1, 2, 3):
            first = fuse(sem[i], evidence[i], params, k=k, text=texts[i])
            assert [m.position for m in first] == [m.position for m in five[:k]]
            assert [m.score for m in first] == pytest.approx([m.score for m in five[:k]])


def test_fit_fusion_with_texts_stores_a_calibrator_that_survives_json(tmp_path):
    _, _, _, params = _fitted()
    cal = params.calibrator
    assert cal is not None and 0 < len(cal.features) <= len(FEATURES)
    assert len(cal.coef) == len(cal.mean) == len(cal.scale) == len(cal.features)
    assert "log_supervision" not in cal.features  # constant (unrecorded) features are dropped
    assert cal.curve and all(0 <= p <= 1 and 0 <= r <= 1 for _, p, r in cal.curve)
    assert params.threshold == cal.document_threshold  # documented default: the sentence threshold
    assert FusionParams.load(params.save(tmp_path / "f.json")) == params
    meta = ModelMeta(skill_text="preferred", fusion=params)
    write_model_meta(tmp_path / "m", meta)
    assert read_model_meta(tmp_path / "m").fusion == params


def test_old_one_feature_skillx_json_still_loads_and_scores(tmp_path):
    old = {"format": "skillx-model", "skill_text": "preferred", "fusion": {
        "literal_boost": 0.15, "ambiguous_weight": 0.0, "slope": 9.4, "intercept": -7.0, "threshold": 0.12,
        "model": "m", "fitted_on": "x", "metrics": {"rp@5": 0.6}}}  # fmt: skip
    (tmp_path / "skillx.json").write_text(__import__("json").dumps(old))
    params = read_model_meta(tmp_path).fusion
    assert params.calibrator is None and params.document_threshold == 0.12
    out = fuse(np.array([0.9, 0.1, 0.5]), [], params, k=2)
    assert [m.position for m in out] == [0, 2]
    assert out[0].score == pytest.approx(float(params.calibrate(0.9)))
    assert "calibrator" not in params.to_dict()
    with pytest.raises(InputError, match="no precision/recall curve"):
        params.threshold_for_precision(0.7)


def test_out_of_fold_probabilities_never_see_their_own_sentences():
    sem, evidence, gold, params = _fitted()
    cands = candidate_table(sem, evidence, gold, _texts(len(gold)), params)
    fold = sentence_folds(len(gold), 5, seed=0)
    assert len(fold) == len(gold) and set(np.bincount(fold).tolist()) <= {24}
    # every row of a sentence is in exactly one fold: the sentence's
    row_fold = fold[cands.sentence]
    for s in range(len(gold)):
        assert len(set(row_fold[cands.sentence == s].tolist())) == 1
    before, _ = oof_probabilities(cands, fold)
    # scramble the labels of fold 0: its own out-of-fold probabilities must not move
    flipped = cands.label.copy()
    in0 = row_fold == 0
    flipped[in0] = 1 - flipped[in0]
    after, _ = oof_probabilities(replace(cands, label=flipped), fold)
    assert np.allclose(before[in0], after[in0])
    assert not np.allclose(before[~in0], after[~in0])


def test_oof_probabilities_fit_on_another_scoring_applies_its_calibrators():
    sem, evidence, gold, params = _fitted()
    texts = _texts(len(gold))
    cands = candidate_table(sem, evidence, gold, texts, params)
    fold = sentence_folds(len(gold), 5, seed=0)
    same, same_thr = oof_probabilities(cands, fold)
    self_fit, self_thr = oof_probabilities(cands, fold, fit_on=cands)
    assert np.allclose(same, self_fit) and np.allclose(same_thr, self_thr)
    # the same sentences scored another way: fitted on the old scores, applied to the new ones
    shifted = candidate_table(sem + 0.2, evidence, gold, texts, params)
    moved, moved_thr = oof_probabilities(shifted, fold, fit_on=cands)
    refit, _ = oof_probabilities(shifted, fold)
    assert np.allclose(moved_thr[shifted.rank == 0], same_thr[cands.rank == 0])  # thresholds from fit_on
    assert not np.allclose(moved, refit)
    fewer = candidate_table(sem[:-1], evidence[:-1], gold[:-1], texts[:-1], params)
    with pytest.raises(InputError, match="same sentences"):
        oof_probabilities(cands, fold, fit_on=fewer)


def test_calibrated_probabilities_hold_out_of_fold_on_synthetic_data():
    sem, evidence, gold = _synthetic_problem(seed=3, n=300)
    texts = _texts(len(gold))
    params = fit_fusion(sem, evidence, gold)
    cands = candidate_table(sem, evidence, gold, texts, params)
    fold = sentence_folds(len(gold), 5)
    probs, thresholds = oof_probabilities(cands, fold)
    top = cands.rank < 5
    assert expected_calibration_error(probs[top], cands.label[top]) < 0.06
    m = decision_metrics(probs, cands, thresholds)
    assert m["gold"] == sum(len(g) for g in gold) and 0 < m["f1"] <= 1


def test_min_score_is_a_monotone_probability_and_keeps_a_prefix_of_the_ranking():
    sem, evidence, gold, params = _fitted()
    texts = _texts(len(gold))
    for i in range(0, len(gold), 7):
        full = fuse(sem[i], evidence[i], params, k=10, min_score=0.0, text=texts[i])
        scores = [m.score for m in full]
        assert scores == sorted(scores, reverse=True) and all(0 <= p <= 1 for p in scores)
        for t in (0.1, 0.3, 0.6):
            kept = fuse(sem[i], evidence[i], params, k=10, min_score=t, text=texts[i])
            assert [m.position for m in kept] == [m.position for m in full if m.score >= t]


def test_rescoring_leaves_the_ranking_and_rp_at_k_unchanged():
    sem, evidence, gold, params = _fitted()
    texts = _texts(len(gold))
    one_feature = replace(params, calibrator=None)
    for i in range(len(gold)):
        a = [m.position for m in fuse(sem[i], evidence[i], params, k=5, text=texts[i], min_score=0.0)]
        b = [m.position for m in fuse(sem[i], evidence[i], one_feature, k=5, min_score=0.0)]
        assert a == b
    assert params.metrics["rp@5"] == pytest.approx(_mean_rp(params, sem, evidence, gold), abs=1e-4)


def test_running_min_is_per_sentence():
    sem, evidence, gold, params = _fitted()
    cands = candidate_table(sem, evidence, gold, _texts(len(gold)), params, candidates=3)
    probs = np.tile([0.2, 0.5, 0.1], len(gold))
    assert running_min(probs, cands).tolist() == [0.2, 0.2, 0.1] * len(gold)


@pytest.mark.parametrize(
    ("target", "expected"),
    [(1.0, 0.9), (0.85, 0.7), (0.8, 0.5), (0.5, 0.1), (0.3, 0.1)],
)
def test_threshold_for_precision_on_a_synthetic_curve(target, expected):
    curve = [(0.9, 1.0, 0.1), (0.7, 0.86, 0.3), (0.5, 0.8, 0.45), (0.3, 0.79, 0.5), (0.1, 0.5, 0.8)]
    # precision 0.79 at 0.3 breaks the 0.8 promise, so 0.8 stops at 0.5
    assert threshold_for_precision(curve, target) == expected


def test_threshold_for_precision_refuses_the_impossible():
    with pytest.raises(InputError, match=r"the most it can promise is 0\.60"):
        threshold_for_precision([(0.5, 0.6, 0.2)], 0.9)
    # 0.9 is reached at 0.3, but the higher threshold 0.5 gives 0.7: 0.7 is the most promisable
    with pytest.raises(InputError, match=r"the most it can promise is 0\.70"):
        threshold_for_precision([(0.5, 0.7, 0.2), (0.3, 0.9, 0.3)], 0.9)
    with pytest.raises(InputError, match="fraction"):
        threshold_for_precision([(0.5, 0.6, 0.2)], 1.5)


def test_threshold_for_precision_skips_the_few_pairs_at_the_top_of_the_curve():
    # the shape of a real curve: the two highest thresholds keep one or two wrong pairs
    curve = [(0.96, 0.0, 0.0), (0.94, 0.0, 0.0), (0.92, 0.5, 0.0076), (0.88, 0.8, 0.0305),
             (0.7, 0.7727, 0.1298), (0.6, 0.7037, 0.145), (0.58, 0.6721, 0.1565),
             (0.2, 0.45, 0.33)]  # fmt: skip
    assert threshold_for_precision(curve, 0.7) == 0.6
    assert threshold_for_precision(curve, 0.8) == 0.88
    with pytest.raises(InputError, match=r"the most it can promise is 0\.80"):
        threshold_for_precision(curve, 0.85)


def test_calibrator_rejects_bad_parameters():
    with pytest.raises(InputError, match="Unknown calibration feature"):
        Calibrator(("nope",), (0.0,), (1.0,), (1.0,), 0.0)
    with pytest.raises(InputError, match="one mean"):
        Calibrator(("raw",), (0.0, 1.0), (1.0,), (1.0,), 0.0)
    with pytest.raises(InputError, match="Refit"):
        Calibrator.from_dict({"features": ["raw"]})


def test_fit_calibrator_reports_out_of_fold_metrics():
    sem, evidence, gold, params = _fitted()
    cands = candidate_table(sem, evidence, gold, _texts(len(gold)), params)
    cal, threshold = fit_calibrator(cands, folds=4)
    assert cal.metrics["folds"] == 4 and 0 < cal.metrics["oof_f1"] <= 1 and 0 < threshold < 1
    assert best_evidence([], params) == {}


def _scored(seed=0, n=150):
    from skillx.calibration import ScoredSentences

    sem, evidence, gold = _synthetic_problem(seed, n=n)
    n_skills = sem.shape[1]
    return ScoredSentences(
        texts=tuple(_texts(len(gold))),
        split=tuple("a.csv" if i % 2 else "b.csv" for i in range(len(gold))),
        gold=tuple(frozenset(g) for g in gold),
        semantic=sem,
        evidence=tuple(
            tuple(LiteralEvidence(e.position, 0, 3, False, "preferred") for e in ev) for ev in evidence
        ),
        knowledge=(np.arange(n_skills) % 2).astype(np.float64),
        reuse=np.arange(n_skills) % 5,
        # skills in groups of four: each one's siblings are the other three of its group
        siblings=tuple(
            np.array([j for j in range(i - i % 4, i - i % 4 + 4) if j != i]) for i in range(n_skills)
        ),
    )


def test_scored_sentences_round_trip_and_fit(tmp_path):
    from skillx.calibration import ScoredSentences, fit_scored_fusion

    scored = _scored()
    back = ScoredSentences.load(scored.save(tmp_path / "scored"))
    assert back.texts == scored.texts and back.gold == scored.gold and back.evidence == scored.evidence
    assert np.array_equal(back.semantic, scored.semantic) and np.array_equal(back.reuse, scored.reuse)
    assert [s.tolist() for s in back.siblings] == [s.tolist() for s in scored.siblings]
    assert back.skill_features().siblings == back.siblings
    # a cache written before the siblings were stored still loads (no sense check)
    (tmp_path / "scored" / "siblings.npz").unlink()
    assert ScoredSentences.load(tmp_path / "scored").siblings == ()
    params = fit_scored_fusion(back)
    assert params.calibrator is not None and params.fitted_on == "b.csv, a.csv"


def test_fit_bundled_fusion_refits_the_calibration_and_keeps_the_boost(tmp_path, tool_script):
    from skillx.fusion import default_fusion

    tool = tool_script("fit_bundled_fusion")
    _scored().save(tmp_path / "scored")
    out = tmp_path / "fusion.json"
    assert tool.main(["--cache", str(tmp_path / "scored"), "--data", "b.csv", "--data", "a.csv",
                      "--output", str(out)]) == 0  # fmt: skip
    fitted, bundled = FusionParams.load(out), default_fusion()
    assert fitted.literal_boost == bundled.literal_boost
    assert fitted.ambiguous_weight == bundled.ambiguous_weight
    assert fitted.calibrator is not None and fitted.calibrator.curve
    # only the fused score and the label kinds; constant ones (no alternative-label hit here) dropped
    assert "raw" in fitted.calibrator.features and set(fitted.calibrator.features) <= set(tool.BASE_FEATURES)
    assert fitted.threshold == fitted.calibrator.document_threshold and fitted.fitted_on == "b.csv, a.csv"


def test_the_bundled_fusion_is_what_the_tool_fits_and_takes_a_precision_target(tool_script, toy_taxonomy_dir):
    import skillx
    from skillx.fusion import default_fusion, threshold_for_precision

    bundled = default_fusion()
    assert bundled.calibrator is not None
    assert bundled.calibrator.features == tool_script("fit_bundled_fusion").BASE_FEATURES
    extractor = skillx.load("base", taxonomy=toy_taxonomy_dir, precision=0.7)
    assert extractor.min_score == threshold_for_precision(bundled.calibrator.curve, 0.7) > bundled.threshold


def test_decision_benchmark_reports_before_and_after_on_the_same_folds(tmp_path, benchmark_script, capsys):
    module = benchmark_script("decisions")
    _scored(n=120).save(tmp_path / "scored")
    out = tmp_path / "d.json"
    assert module.main(["--cache", str(tmp_path / "scored"), "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "platt" in printed and "calibrator" in printed and "reliability" in printed
    results = __import__("json").loads(out.read_text())
    for method in ("platt", "calibrator"):
        rows = results["methods"][method]["splits"]
        assert set(rows) == {"a.csv", "b.csv", "all"}
        assert 0 <= rows["all"]["f1"] <= 1 and 0 <= rows["all"]["ece"] <= 1
    # re-scoring does not re-rank: RP@5 is the same before and after
    rp = [results["methods"][m]["splits"]["all"]["rp@5"] for m in ("platt", "calibrator")]
    assert rp[0] == rp[1] > 0


def test_a_rare_flag_gets_a_bounded_effect_not_one_scaled_by_its_tiny_spread():
    # four wrong rows carry a flag (as four wrong hidden-label hits on validation did): the fitted
    # effect must stay small, or every future row with the flag is marked wrong
    sem, evidence, gold, params = _fitted()
    cands = candidate_table(sem, evidence, gold, _texts(len(gold)), params)
    hidden = FEATURES.index("literal_hidden")
    wrong = np.flatnonzero(cands.label == 0)[:4]
    feats = cands.features.copy()
    feats[:, hidden] = 0.0
    feats[wrong, hidden] = 1.0
    cal = _train_calibrator(replace(cands, features=feats), np.arange(len(cands.label)), FEATURES, 0.3)
    i = cal.features.index("literal_hidden")
    assert (cal.mean[i], cal.scale[i]) == (0.0, 1.0)  # the flag is read as it is
    assert -1.0 < cal.coef[i] / cal.scale[i] < 0.0  # some evidence, shrunk by the L2 penalty
    # the continuous features are still standardised
    j = cal.features.index("raw")
    assert cal.scale[j] != 1.0 and cal.mean[j] != 0.0

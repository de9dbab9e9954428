"""Fit the fusion parameters (literal boost and score calibration) on validation data.

The one place where `skillx.fusion.FusionParams` are *fitted*; `skillx.fusion` only applies
them. Three levels, each built on the one before:

* `fit_fusion`: from a score matrix, literal hits and gold skill positions;
* `fit_extractor_fusion`: from a `SkillExtractor` and benchmark CSVs;
* `fit_model_fusion`: for a skillx model directory, storing the result as
  `ModelMeta.fusion` in its ``skillx.json`` through `store_model_fusion`, the only writer
  of a model's fusion (`skillx train --benchmark` and `skillx benchmark --fit-fusion`).

Only ever pass *validation* splits: the test splits are held out for reporting.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from skillx.errors import InputError, ModelError
from skillx.evaluation.metrics import r_precision_at_k
from skillx.fusion import (
    FEATURES,
    SIBLING_RANK,
    Calibrator,
    FusionParams,
    LiteralEvidence,
    SkillFeatures,
    best_evidence,
    candidate_features,
    fused_scores,
    rank_positions,
)
from skillx.text import Sentence

if TYPE_CHECKING:
    from skillx.extractor import SkillExtractor
    from skillx.model_dir import ModelMeta
    from skillx.taxonomy import Taxonomy

DEFAULT_BOOSTS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1.0)
"""Grid of literal boosts `fit_fusion` tries."""
DEFAULT_AMBIGUOUS_WEIGHTS = (0.0, 0.5, 1.0)
"""Grid of weights for hits of surface forms shared by several skills."""
CALIBRATION_CANDIDATES = 10
"""Top candidates per sentence the logistic calibration is fitted on."""
CALIBRATOR_FEATURES = FEATURES
"""Features `fit_calibrator` uses by default (constant ones, e.g. unrecorded supervision
counts, are dropped)."""
CALIBRATOR_C = 0.3
"""Inverse L2 strength of the calibrator's logistic regression (standardised features, 0/1 flags
as they are)."""
CV_FOLDS = 5
"""Folds (by sentence) of the out-of-fold estimates."""
DECISION_K = 5
"""Skills per sentence a decision is taken on (the extractor's default ``k``)."""


def fit_fusion(
    semantic: np.ndarray,
    evidence: Sequence[Sequence[LiteralEvidence]],
    gold: Sequence[set[int]],
    *,
    boosts: Sequence[float] = DEFAULT_BOOSTS,
    ambiguous_weights: Sequence[float] = DEFAULT_AMBIGUOUS_WEIGHTS,
    sibling_rank: int = SIBLING_RANK,
    k: int = 5,
    candidates: int = CALIBRATION_CANDIDATES,
    model: str = "",
    fitted_on: str = "",
    texts: Sequence[str] | None = None,
    skills: SkillFeatures | None = None,
    folds: int = CV_FOLDS,
    seed: int = 0,
) -> FusionParams:
    """Tune the literal boost for RP@k, then fit the logistic calibration and the threshold.

    With `texts` a multi-feature `Calibrator` (`fit_calibrator`) is fitted as well: it
    replaces the one-feature calibration, and the threshold becomes the one that maximises
    its *out-of-fold* F1 (folds by sentence).

    Sentences with an empty gold set take part in the calibration as negatives only (they
    teach the "no skill here" decision) and are left out of the RP@k used for the boost.
    On ties the first boost (then ambiguous weight) of the grid wins.

    Args:
        semantic: Cosine scores, shape ``(n_sentences, n_skills)``.
        evidence: Literal hits per sentence.
        gold: Gold skill positions per sentence (may be empty).
        boosts: Grid of literal boosts to try.
        ambiguous_weights: Grid of weights for ambiguous hits.
        sibling_rank: The sense check of literal hits (`FusionParams.sibling_rank`); it
            applies only with `skills` that know the siblings.
        k: The K of the RP@K that the boost maximises.
        candidates: How many top candidates per sentence the calibration is fitted on.
        model: Encoder name to record.
        fitted_on: Data set names to record.
        texts: The sentences (turns on the multi-feature calibration).
        skills: Per-skill facts for the calibration features and the sense check.
        folds: Cross-validation folds of the multi-feature calibration.
        seed: Seed of the fold assignment.

    Returns:
        Fitted `FusionParams` with the validation metrics in ``metrics``.

    Raises:
        InputError: If the inputs do not line up, no sentence has a gold skill, or the
            candidates are all right or all wrong.
    """
    semantic = np.asarray(semantic, dtype=np.float32)
    if semantic.ndim != 2 or semantic.shape[0] != len(evidence) or len(evidence) != len(gold):
        raise InputError(
            "fit_fusion needs one row of semantic scores, one evidence list and one gold set per "
            f"sentence; got {semantic.shape}, {len(evidence)} and {len(gold)}."
        )
    scored = [i for i, g in enumerate(gold) if g]
    if not scored:
        raise InputError("fit_fusion needs at least one sentence with a gold skill.")

    best: tuple[float, float, float] | None = None  # (rp, boost, ambiguous_weight)
    for boost in boosts:
        for amb in ambiguous_weights if boost > 0 else (1.0,):
            params = FusionParams(literal_boost=boost, ambiguous_weight=amb, sibling_rank=sibling_rank)
            rp = float(
                np.mean(
                    [
                        r_precision_at_k(
                            rank_positions(fused_scores(semantic[i], evidence[i], params, skills=skills), k),
                            gold[i],
                            k,
                        )
                        for i in scored
                    ]
                )
            )
            if best is None or rp > best[0] + 1e-12:
                best = (rp, boost, amb)
    assert best is not None
    rp_best, boost, amb = best
    params = FusionParams(literal_boost=boost, ambiguous_weight=amb, sibling_rank=sibling_rank)

    xs: list[float] = []
    ys: list[int] = []
    per_sentence: list[tuple[int, list[int], np.ndarray]] = []
    for i in range(len(gold)):
        raw = fused_scores(semantic[i], evidence[i], params, skills=skills)
        ranked = rank_positions(raw, candidates)
        per_sentence.append((i, ranked, raw))
        for pos in ranked:
            xs.append(float(raw[pos]))
            ys.append(int(pos in gold[i]))
    slope, intercept = _fit_logistic(np.asarray(xs), np.asarray(ys))
    params = replace(params, slope=slope, intercept=intercept)

    # threshold: maximise F1 of kept (sentence, skill) pairs among the top k
    n_gold = sum(len(g) for g in gold)
    pairs: list[tuple[float, int]] = []
    for i, ranked, raw in per_sentence:
        top = ranked[:k]
        probs = params.calibrate(raw[top]).tolist()
        pairs.extend((float(p), int(pos in gold[i])) for pos, p in zip(top, probs, strict=True))
    pairs.sort(key=lambda t: -t[0])
    best_f1, threshold, tp = -1.0, 0.5, 0
    for n_kept, (prob, hit) in enumerate(pairs, start=1):
        tp += hit
        f1 = 2 * tp / (n_kept + n_gold) if n_gold else 0.0
        if f1 > best_f1:
            best_f1, threshold = f1, prob
    params = replace(
        params,
        threshold=round(float(threshold), 4),
        model=model,
        fitted_on=fitted_on,
        metrics={
            f"rp@{k}": round(rp_best, 4),
            "f1_at_threshold": round(best_f1, 4),
            "n_sentences": len(gold),
            "n_scored_sentences": len(scored),
        },
    )
    if texts is None:
        return params
    if len(texts) != len(gold):
        raise InputError(f"fit_fusion needs one text per sentence; got {len(texts)} for {len(gold)}.")
    cands = candidate_table(semantic, evidence, gold, texts, params, skills=skills, candidates=candidates)
    calibrator, cal_threshold = fit_calibrator(cands, folds=folds, seed=seed, k=k)
    return replace(params, calibrator=calibrator, threshold=cal_threshold)


def _fit_logistic(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """One-feature logistic regression (Platt scaling); returns (slope, intercept)."""
    if y.min() == y.max():
        raise InputError("Calibration needs both correct and wrong candidates; got only one kind.")
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=1e4, max_iter=1000)
    model.fit(x.reshape(-1, 1), y)
    slope = float(model.coef_[0, 0])
    if slope <= 0:
        raise InputError("Calibration found no positive link between fused score and correctness.")
    return round(slope, 6), round(float(model.intercept_[0]), 6)


# -- the multi-feature calibration --------------------------------------------------------------
@dataclass(frozen=True)
class Candidates:
    """The top candidates of every sentence, as rows (sentence by sentence, best first).

    Attributes:
        features: ``(n_rows, len(FEATURES))`` feature matrix (`skillx.fusion.candidate_features`).
        raw: Raw fused score per row.
        label: 1 if the row's skill is a gold skill of its sentence, else 0.
        sentence: Sentence number per row (the CV groups).
        rank: Rank of the row's skill in its sentence (0 = best).
        position: Taxonomy position of the row's skill.
        n_gold: Gold skills per sentence (all of them, found or not: the recall denominator).
        split: Data-set name per sentence.
    """

    features: np.ndarray
    raw: np.ndarray
    label: np.ndarray
    sentence: np.ndarray
    rank: np.ndarray
    position: np.ndarray
    n_gold: np.ndarray
    split: tuple[str, ...]


def candidate_table(
    semantic: np.ndarray,
    evidence: Sequence[Sequence[LiteralEvidence]],
    gold: Sequence[set[int]],
    texts: Sequence[str],
    params: FusionParams,
    *,
    skills: SkillFeatures | None = None,
    candidates: int = CALIBRATION_CANDIDATES,
    split: Sequence[str] | None = None,
) -> Candidates:
    """Rows of the top `candidates` of each sentence under the fusion `params` (boost only).

    Args:
        semantic: Cosine scores ``(n_sentences, n_skills)``.
        evidence: Literal hits per sentence.
        gold: Gold skill positions per sentence (may be empty: a sentence without skills).
        texts: The sentences.
        params: Fusion parameters (their boost orders the candidates).
        skills: Per-skill facts (None: those features are 0, and no sense check).
        candidates: Candidates per sentence.
        split: Data-set name per sentence (default: all ``""``).

    Returns:
        The `Candidates`.
    """
    feats, raws, labels, sents, ranks, positions = [], [], [], [], [], []
    for i, g in enumerate(gold):
        best = best_evidence(evidence[i], params, semantic[i], skills)
        raw = fused_scores(semantic[i], best.values(), params)
        order = rank_positions(raw, candidates)
        feats.append(candidate_features(raw, semantic[i], order, best, texts[i], skills))
        raws.append(raw[order].astype(np.float64))
        labels.append(np.array([int(p in g) for p in order], dtype=np.int64))
        sents.append(np.full(len(order), i, dtype=np.int64))
        ranks.append(np.arange(len(order), dtype=np.int64))
        positions.append(np.asarray(order, dtype=np.int64))
    return Candidates(
        features=np.concatenate(feats) if feats else np.zeros((0, len(FEATURES))),
        raw=np.concatenate(raws) if raws else np.zeros(0),
        label=np.concatenate(labels) if labels else np.zeros(0, dtype=np.int64),
        sentence=np.concatenate(sents) if sents else np.zeros(0, dtype=np.int64),
        rank=np.concatenate(ranks) if ranks else np.zeros(0, dtype=np.int64),
        position=np.concatenate(positions) if positions else np.zeros(0, dtype=np.int64),
        n_gold=np.array([len(g) for g in gold], dtype=np.int64),
        split=tuple(split) if split is not None else ("",) * len(gold),
    )


def sentence_folds(n_sentences: int, folds: int = CV_FOLDS, seed: int = 0) -> np.ndarray:
    """Fold number of each sentence (shuffled, balanced): every candidate of a sentence shares it.

    Example:
        >>> sorted(np.bincount(sentence_folds(10, 5)).tolist())
        [2, 2, 2, 2, 2]
    """
    if folds < 2 or folds > n_sentences:
        raise InputError(f"Cross-validation needs 2 <= folds <= sentences ({n_sentences}); got {folds}.")
    rng = np.random.default_rng(seed)
    fold = np.arange(n_sentences) % folds
    rng.shuffle(fold)
    return fold


def running_min(probs: np.ndarray, cands: Candidates) -> np.ndarray:
    """Probabilities made non-increasing along each sentence's ranking (as `FusionParams.probabilities`)."""
    out = np.asarray(probs, dtype=np.float64).copy()
    for s in np.unique(cands.sentence):
        rows = np.flatnonzero(cands.sentence == s)
        rows = rows[np.argsort(cands.rank[rows], kind="stable")]
        out[rows] = np.minimum.accumulate(out[rows])
    return out


def _train_calibrator(cands: Candidates, rows: np.ndarray, features: Sequence[str], c: float) -> Calibrator:
    from sklearn.linear_model import LogisticRegression

    y = cands.label[rows]
    if y.min() == y.max():
        raise InputError("Calibration needs both correct and wrong candidates; got only one kind.")
    cols = np.array([FEATURES.index(f) for f in features], dtype=np.int64)
    x = cands.features[np.ix_(rows, cols)]
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    keep = scale > 1e-9  # constant features (e.g. unrecorded supervision counts) carry nothing
    # 0/1 features stay 0/1: standardising a flag that a handful of rows carry divides by its
    # tiny spread, so the L2 penalty cannot shrink an effect fitted on those few rows (four
    # wrong hidden-label hits on validation would mark every hidden-label hit wrong)
    binary = np.all((x == 0) | (x == 1), axis=0)
    mean[binary] = 0.0
    scale[binary & keep] = 1.0
    names = [f for f, k in zip(features, keep, strict=True) if k]
    z = (x[:, keep] - mean[keep]) / scale[keep]
    model = LogisticRegression(C=c, max_iter=2000)
    model.fit(z, y)
    return Calibrator(
        features=tuple(names),
        mean=tuple(round(float(v), 6) for v in mean[keep]),
        scale=tuple(round(float(v), 6) for v in scale[keep]),
        coef=tuple(round(float(v), 6) for v in model.coef_[0]),
        intercept=round(float(model.intercept_[0]), 6),
    )


def oof_probabilities(
    cands: Candidates,
    fold: np.ndarray,
    *,
    method: str = "calibrator",
    features: Sequence[str] = CALIBRATOR_FEATURES,
    c: float = CALIBRATOR_C,
    k: int = DECISION_K,
    fit_on: Candidates | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold probabilities and thresholds: each fold scored by a model fitted on the others.

    The threshold of each fold is the F1-best one on the *training* folds, so the decisions
    measured on the held-out fold are those a user would get.

    With `fit_on`, the calibrators and thresholds are fitted on those candidates (the same
    sentences, scored another way) and applied to `cands`: what a model fitted with one
    scoring gives when it is loaded with another (e.g. clause scoring turned on).

    Args:
        cands: Candidate rows.
        fold: Fold number per sentence (`sentence_folds`).
        method: ``"calibrator"`` (multi-feature) or ``"platt"`` (one-feature, the raw score).
        features: Calibrator features.
        c: Inverse regularisation strength of the calibrator.
        k: Candidates per sentence a decision is taken on.
        fit_on: Candidates to fit on (default: `cands`); same sentences as `cands`.

    Returns:
        ``(probabilities per row, threshold per row)``.

    Raises:
        InputError: For an unknown method, or `fit_on` over other sentences.
    """
    if method not in ("calibrator", "platt"):
        raise InputError(f"Unknown calibration method '{method}'. Available: calibrator, platt.")
    fit = cands if fit_on is None else fit_on
    if len(fit.n_gold) != len(cands.n_gold) or not np.array_equal(fit.n_gold, cands.n_gold):
        raise InputError("fit_on must hold the same sentences as cands (scored another way).")
    row_fold = fold[cands.sentence]
    fit_fold = fold[fit.sentence]
    probs = np.zeros(len(cands.label))
    thresholds = np.zeros(len(cands.label))
    for f in np.unique(fold):
        train, test = np.flatnonzero(fit_fold != f), np.flatnonzero(row_fold == f)
        if method == "platt":
            slope, intercept = _fit_logistic(fit.raw[train], fit.label[train])
            params = FusionParams(slope=slope, intercept=intercept)
            p_all = params.calibrate(cands.raw)
            p_fit = p_all if fit is cands else params.calibrate(fit.raw)
        else:
            model = _train_calibrator(fit, train, features, c)
            p_all = running_min(model.predict(cands.features), cands)
            p_fit = p_all if fit is cands else running_min(model.predict(fit.features), fit)
        train_sents = np.flatnonzero(fold != f)
        threshold, _ = best_f1_threshold(p_fit, fit, k=k, sentences=train_sents)
        probs[test] = p_all[test]
        thresholds[test] = threshold
    return probs, thresholds


def _kept(cands: Candidates, k: int, sentences: np.ndarray | None) -> np.ndarray:
    mask = cands.rank < k
    if sentences is not None:
        mask &= np.isin(cands.sentence, sentences)
    return mask


def decision_metrics(
    probs: np.ndarray,
    cands: Candidates,
    threshold: float | np.ndarray,
    *,
    k: int = DECISION_K,
    sentences: np.ndarray | None = None,
) -> dict[str, float]:
    """Micro precision, recall and F1 of the (sentence, skill) pairs kept at `threshold`.

    A pair is kept when its skill is among the sentence's top `k` and its probability is at
    least the threshold. Recall counts *every* gold pair of the sentences, found or not;
    sentences without gold skills add false positives only.

    Args:
        probs: Probability per candidate row.
        cands: The candidate rows.
        threshold: One threshold, or one per row.
        k: Candidates per sentence a decision is taken on.
        sentences: Restrict to these sentence numbers (default: all).

    Returns:
        precision, recall, f1, kept, correct, gold.
    """
    mask = _kept(cands, k, sentences) & (np.asarray(probs) >= np.asarray(threshold) - 1e-12)
    tp = int(cands.label[mask].sum())
    kept = int(mask.sum())
    n_gold = int(cands.n_gold.sum() if sentences is None else cands.n_gold[sentences].sum())
    precision = tp / kept if kept else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * tp / (kept + n_gold) if kept + n_gold else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "kept": kept, "correct": tp, "gold": n_gold}


def best_f1_threshold(
    probs: np.ndarray, cands: Candidates, *, k: int = DECISION_K, sentences: np.ndarray | None = None
) -> tuple[float, float]:
    """The threshold that maximises the F1 of kept pairs (on `sentences`), and that F1."""
    mask = _kept(cands, k, sentences)
    p, y = np.asarray(probs)[mask], cands.label[mask]
    n_gold = int(cands.n_gold.sum() if sentences is None else cands.n_gold[sentences].sum())
    order = np.argsort(-p, kind="stable")
    tp = np.cumsum(y[order])
    kept = np.arange(1, len(order) + 1)
    f1 = 2 * tp / (kept + n_gold)
    # only cut between distinct probabilities: ties are kept or dropped together
    last = np.r_[p[order][1:] < p[order][:-1], True] if len(order) else np.zeros(0, dtype=bool)
    if not last.any():
        return 0.5, 0.0
    best = int(np.flatnonzero(last)[np.argmax(f1[last])])
    return float(p[order][best]), float(f1[best])


def expected_calibration_error(probs: np.ndarray, labels: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error over `bins` equal-width probability bins.

    Example:
        >>> expected_calibration_error(np.array([0.2, 0.2, 0.8, 0.8]), np.array([0, 0, 1, 1]))
        0.2
    """
    table = reliability_table(probs, labels, bins)
    n = sum(r["n"] for r in table)
    return round(sum(r["n"] * abs(r["mean_probability"] - r["accuracy"]) for r in table) / max(n, 1), 10)


def reliability_table(probs: np.ndarray, labels: np.ndarray, bins: int = 10) -> list[dict[str, Any]]:
    """Per non-empty bin: its range, count, mean predicted probability and observed accuracy."""
    p = np.asarray(probs, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    which = np.minimum((p * bins).astype(int), bins - 1)
    rows = []
    for b in range(bins):
        sel = which == b
        if sel.any():
            rows.append(
                {
                    "bin": f"{b / bins:.1f}-{(b + 1) / bins:.1f}",
                    "n": int(sel.sum()),
                    "mean_probability": float(p[sel].mean()),
                    "accuracy": float(y[sel].mean()),
                }
            )
    return rows


def precision_recall_curve(
    probs: np.ndarray,
    cands: Candidates,
    *,
    k: int = DECISION_K,
    thresholds: Sequence[float] | None = None,
) -> list[tuple[float, float, float]]:
    """``(threshold, precision, recall)`` of the kept pairs, thresholds descending.

    Default thresholds: 0.02 to 0.98 in steps of 0.02 (points keeping nothing are left out).
    """
    grid = thresholds if thresholds is not None else [round(0.98 - 0.02 * i, 2) for i in range(49)]
    out = []
    for t in sorted(grid, reverse=True):
        m = decision_metrics(probs, cands, t, k=k)
        if m["kept"]:
            out.append((float(t), round(m["precision"], 4), round(m["recall"], 4)))
    return out


def fit_calibrator(
    cands: Candidates,
    *,
    features: Sequence[str] = CALIBRATOR_FEATURES,
    c: float = CALIBRATOR_C,
    folds: int = CV_FOLDS,
    seed: int = 0,
    k: int = DECISION_K,
) -> tuple[Calibrator, float]:
    """Fit the multi-feature calibration on all rows; its threshold and curve come out-of-fold.

    Args:
        cands: Candidate rows of the validation sentences (`candidate_table`).
        features: Feature names (a subset of `skillx.fusion.FEATURES`).
        c: Inverse L2 strength.
        folds: Cross-validation folds, by sentence.
        seed: Seed of the fold assignment.
        k: Candidates per sentence a decision is taken on.

    Returns:
        ``(calibrator, sentence threshold)``: the threshold maximises the out-of-fold F1.
    """
    fold = sentence_folds(len(cands.n_gold), folds, seed)
    oof, fold_thresholds = oof_probabilities(cands, fold, features=features, c=c, k=k)
    threshold, _ = best_f1_threshold(oof, cands, k=k)
    at_default = decision_metrics(oof, cands, fold_thresholds, k=k)
    top = cands.rank < k
    model = _train_calibrator(cands, np.arange(len(cands.label)), features, c)
    metrics = {
        "oof_precision": round(at_default["precision"], 4),
        "oof_recall": round(at_default["recall"], 4),
        "oof_f1": round(at_default["f1"], 4),
        "oof_ece": round(expected_calibration_error(oof[top], cands.label[top]), 4),
        "folds": folds,
        "n_sentences": len(cands.n_gold),
        "n_candidates_per_sentence": int(cands.rank.max() + 1) if len(cands.rank) else 0,
        "c": c,
    }
    return (
        replace(
            model,
            document_threshold=round(threshold, 4),
            curve=tuple(precision_recall_curve(oof, cands, k=k)),
            metrics=metrics,
        ),
        round(threshold, 4),
    )


# -- scored validation data, cached -------------------------------------------------------------
@dataclass(frozen=True)
class ScoredSentences:
    """Benchmark sentences with everything the fits need: score once, fit many times.

    Attributes:
        texts: The sentences.
        split: Data-set name per sentence.
        gold: Gold skill positions per sentence.
        semantic: Cosine scores ``(n_sentences, n_skills)``.
        evidence: Literal hits per sentence.
        knowledge: Per-skill `SkillFeatures.knowledge`.
        reuse: Per-skill `SkillFeatures.reuse`.
        siblings: Per-skill `SkillFeatures.siblings` (empty in caches written before them).
    """

    texts: tuple[str, ...]
    split: tuple[str, ...]
    gold: tuple[frozenset[int], ...]
    semantic: np.ndarray
    evidence: tuple[tuple[LiteralEvidence, ...], ...]
    knowledge: np.ndarray
    reuse: np.ndarray
    siblings: tuple[np.ndarray, ...] = ()

    def skill_features(self) -> SkillFeatures:
        """The per-skill facts (supervision counts not recorded: 0)."""
        return SkillFeatures(self.knowledge, self.reuse, np.zeros(len(self.knowledge)), self.siblings)

    def save(self, directory: str | Path) -> Path:
        """Write as ``semantic.npy`` + ``sentences.json`` in `directory`; returns it."""
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        np.save(path / "semantic.npy", self.semantic.astype(np.float32), allow_pickle=False)
        facts = np.stack([self.knowledge, self.reuse]).astype(np.int8)
        np.save(path / "skills.npy", facts, allow_pickle=False)
        if self.siblings:  # ragged: all positions in one array, cut at the offsets
            offsets = np.cumsum([0] + [len(s) for s in self.siblings])
            flat = np.concatenate(self.siblings).astype(np.int32)
            np.savez(path / "siblings.npz", positions=flat, offsets=offsets)
        data = {
            "texts": list(self.texts),
            "split": list(self.split),
            "gold": [sorted(g) for g in self.gold],
            "evidence": [
                [[e.position, e.start, e.end, e.ambiguous, e.kind] for e in ev] for ev in self.evidence
            ],
        }
        (path / "sentences.json").write_text(json.dumps(data), encoding="utf-8")
        return path

    @classmethod
    def load(cls, directory: str | Path) -> ScoredSentences:
        """Read what `save` wrote."""
        path = Path(directory)
        data = json.loads((path / "sentences.json").read_text(encoding="utf-8"))
        skills = np.load(path / "skills.npy", allow_pickle=False)
        siblings: tuple[np.ndarray, ...] = ()
        if (path / "siblings.npz").exists():
            with np.load(path / "siblings.npz", allow_pickle=False) as data_np:
                flat, offsets = data_np["positions"], data_np["offsets"]
            siblings = tuple(flat[a:b] for a, b in itertools.pairwise(offsets))
        return cls(
            texts=tuple(data["texts"]),
            split=tuple(data["split"]),
            gold=tuple(frozenset(g) for g in data["gold"]),
            semantic=np.load(path / "semantic.npy", allow_pickle=False),
            evidence=tuple(tuple(LiteralEvidence(*e) for e in ev) for ev in data["evidence"]),
            knowledge=skills[0].astype(np.float64),
            reuse=skills[1].astype(np.int64),
            siblings=siblings,
        )


def score_benchmarks(extractor: SkillExtractor, paths: Sequence[str | Path]) -> ScoredSentences:
    """Score every sentence of benchmark CSVs once (the slow step of fitting).

    Raises:
        InputError: If the extractor lacks a ranker or matcher, or no file is given.
    """
    if extractor.ranker is None or extractor.matcher is None:
        raise InputError("Fitting the fusion needs an extractor with both a semantic ranker and a matcher.")
    if not paths:
        raise InputError("Pass at least one benchmark (validation) CSV to fit the fusion on.")
    texts: list[str] = []
    gold: list[set[int]] = []
    split: list[str] = []
    for path in paths:
        s, g = benchmark_sentences(path, extractor)
        texts.extend(s)
        gold.extend(g)
        split.extend([Path(path).name] * len(s))
    semantic = extractor.score_sentences(texts)
    evidence = [tuple(extractor.literal_evidence(Sentence(t, 0, len(t)))) for t in texts]
    facts = SkillFeatures.from_taxonomy(extractor.taxonomy)
    return ScoredSentences(
        texts=tuple(texts),
        split=tuple(split),
        gold=tuple(frozenset(g) for g in gold),
        semantic=np.asarray(semantic, dtype=np.float32),
        evidence=tuple(evidence),
        knowledge=facts.knowledge,
        reuse=facts.reuse,
        siblings=facts.siblings,
    )


def benchmark_sentences(path: str | Path, extractor: SkillExtractor) -> tuple[list[str], list[set[int]]]:
    """All sentences of a benchmark CSV with their gold skill positions.

    Unlike the RP@K protocol, sentences without any ESCO label (only ``LABEL NOT PRESENT`` /
    ``UNDERSPECIFIED``) are kept with an empty gold set: they teach the calibration that
    some sentences have no skill.

    Args:
        path: Benchmark CSV (columns ``sentence`` and ``label``).
        extractor: Gives the taxonomy that resolves the labels.

    Returns:
        ``(sentences, gold positions)``.
    """
    from skillx.evaluation import load_benchmark

    bench = load_benchmark(path, extractor.taxonomy)  # validates the file and the protocol
    import pandas as pd

    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    taxonomy = extractor.taxonomy
    gold_by_sentence = {
        s: {taxonomy.position(u) for u in g} for s, g in zip(bench.sentences, bench.gold, strict=True)
    }
    sentences = list(dict.fromkeys(frame["sentence"].tolist()))
    return sentences, [gold_by_sentence.get(s, set()) for s in sentences]


def fit_extractor_fusion(
    extractor: SkillExtractor,
    paths: Sequence[str | Path],
    *,
    k: int = 5,
    model: str = "",
) -> FusionParams:
    """Tune the literal boost for RP@k and fit the calibration on benchmark files.

    Args:
        extractor: An extractor with both a semantic ranker and a literal matcher.
        paths: Benchmark CSVs (validation splits only).
        k: The K of RP@K that the boost maximises.
        model: Model name recorded in the parameters.

    Returns:
        The fitted `FusionParams` (not set on the extractor: assign or save them yourself).

    Raises:
        InputError: If the extractor lacks a ranker or matcher, or no file is given.
    """
    return fit_scored_fusion(score_benchmarks(extractor, paths), k=k, model=model)


def fit_scored_fusion(scored: ScoredSentences, *, k: int = 5, model: str = "", seed: int = 0) -> FusionParams:
    """`fit_fusion` (with the multi-feature calibration) on sentences scored by `score_benchmarks`."""
    params = fit_fusion(
        scored.semantic,
        scored.evidence,
        [set(g) for g in scored.gold],
        k=k,
        model=model,
        fitted_on=", ".join(dict.fromkeys(scored.split)),
        texts=scored.texts,
        skills=scored.skill_features(),
        seed=seed,
    )
    return replace(params, metrics={**params.metrics, "n_candidates_per_sentence": CALIBRATION_CANDIDATES})


def fit_model_fusion(
    model_dir: str | Path,
    benchmarks: Sequence[str | Path],
    *,
    taxonomy: Taxonomy | str | Path | None = None,
    esco_version: str = "1.1.0",
) -> FusionParams:
    """Fit the fusion of a model directory on benchmark CSVs and store it in its ``skillx.json``.

    `skillx.load` reads the model's calibration from `ModelMeta.fusion`; without one it falls
    back to the base encoder's parameters (and warns), which do not calibrate a fine-tuned
    encoder's cosine scores.

    Args:
        model_dir: A skillx model directory (as written by `SkillEncoderTrainer.save`).
        benchmarks: Validation CSVs (columns ``sentence`` and ``label``); validation splits only.
        taxonomy: The taxonomy the model was trained with (a `Taxonomy` or ESCO files; None:
            as `skillx.load` finds it).
        esco_version: ESCO version when `taxonomy` is not a `Taxonomy`.

    Returns:
        The fitted parameters (also written into ``skillx.json``).

    Raises:
        ModelError: If `model_dir` is not a skillx model directory.
        InputError: If no benchmark is given or a file is unusable.
    """
    from skillx.fusion import default_fusion
    from skillx.loading import load

    path = Path(model_dir).expanduser()
    _model_meta(path)  # fail before the slow part
    # the fit reads raw cosine scores and literal hits only; passing the bundled parameters
    # just silences the "no fusion calibration" warning of a model that has none yet
    extractor = load(path, taxonomy=taxonomy, esco_version=esco_version, fusion=default_fusion())
    params = fit_extractor_fusion(extractor, list(benchmarks), model=str(path))
    store_model_fusion(path, params)
    return params


def store_model_fusion(model_dir: str | Path, params: FusionParams) -> Path:
    """Store `params` as the fusion of a skillx model directory (`ModelMeta.fusion`).

    The rest of its ``skillx.json`` is kept as it is.

    Args:
        model_dir: A skillx model directory.
        params: Fitted fusion parameters.

    Returns:
        The path of the rewritten ``skillx.json``.

    Raises:
        ModelError: If `model_dir` is not a skillx model directory.
    """
    from skillx.model_dir import write_model_meta

    path = Path(model_dir).expanduser()
    return write_model_meta(path, _model_meta(path).replace(fusion=params))


def _model_meta(path: Path) -> ModelMeta:
    from skillx.model_dir import is_skillx_model_dir, read_model_meta

    meta = read_model_meta(path) if is_skillx_model_dir(path) else None
    if meta is None:
        raise ModelError(
            f"'{path}' is not a skillx model directory (skillx.json + model/). Pass the folder "
            "written by `skillx train --out`."
        )
    return meta

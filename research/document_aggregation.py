"""How should sentence probabilities add up to an ad-level probability?

`extract_document` takes the noisy-OR ``1 - prod(1 - p_i)`` of a skill's supporting sentences,
which treats every sentence as independent evidence. A surface form that an ad repeats
("Google" in every line of a Google ad, matched to `search engines`) is one piece of evidence
written many times: if it is the wrong sense in one sentence it is wrong in all of them. This
compares aggregation rules on pseudo-ads of the validation splits (runs of `--window`
consecutive sentences of one split, which come from the same ad or two neighbouring ads; the
splits keep the ads' sentence order but mark no ad boundaries). The gold of a pseudo-ad is the
union of its sentences' gold skills.

Sentence probabilities are out-of-fold (the calibrator of each fold fitted on the others, as in
`benchmarks/decisions.py`); a sentence supports a skill when the skill is in its top `k` with
a probability of at least half its threshold, as in `extract_document`. Rules:

* ``noisy_or``: ``1 - prod(1 - p_i)`` over the supporting sentences (shipped);
* ``max``: the best sentence alone;
* ``literal_once``: the sentences where the skill has a literal hit count as one piece of
  evidence (their best probability), combined by noisy-OR with the semantic-only sentences.

For each rule: ad-level precision, recall and F1 at the shipped rule's threshold (the
sentence threshold) and at the F1-best one, the expected calibration error and the Brier score,
with a paired bootstrap over pseudo-ads against ``noisy_or``.

Example:
    python research/document_aggregation.py --cache scored/ --window 8 --window 12
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from _common import DEFAULT_DATA, add_scored_sentence_args

LITERAL_FLAGS = ("literal_preferred", "literal_alternative", "literal_hidden")
Row = tuple[np.ndarray, np.ndarray, int, float, np.ndarray]
"""One pseudo-ad: probabilities and 0/1 labels of its skills, its number of gold skills, its
threshold, and how many sentences support each skill."""


def noisy_or(evidence: Sequence[tuple[float, bool]]) -> float:
    """``1 - prod(1 - p)`` over every supporting sentence."""
    return 1.0 - float(np.prod([1.0 - p for p, _ in evidence]))


def best(evidence: Sequence[tuple[float, bool]]) -> float:
    """The best supporting sentence alone."""
    return max(p for p, _ in evidence)


def literal_once(evidence: Sequence[tuple[float, bool]]) -> float:
    """Literal sentences as one piece of evidence (their best), noisy-OR with the others."""
    literal = [p for p, is_literal in evidence if is_literal]
    pieces = [p for p, is_literal in evidence if not is_literal] + ([max(literal)] if literal else [])
    return 1.0 - float(np.prod([1.0 - p for p in pieces]))


RULES: dict[str, Callable[[Sequence[tuple[float, bool]]], float]] = {
    "noisy_or": noisy_or,
    "max": best,
    "literal_once": literal_once,
}


def pseudo_ads(split: Sequence[str], window: int) -> list[list[int]]:
    """Runs of `window` consecutive sentences of one split (the last run of a split may be shorter)."""
    ads: list[list[int]] = []
    for name in dict.fromkeys(split):
        members = [i for i, s in enumerate(split) if s == name]
        ads.extend(members[a : a + window] for a in range(0, len(members), window))
    return ads


def ad_rows(
    ads: Sequence[Sequence[int]],
    cands: Any,
    probs: np.ndarray,
    thresholds: np.ndarray,
    gold: Sequence[set[int]],
    rule: Callable[[Sequence[tuple[float, bool]]], float],
    k: int,
) -> list[Row]:
    """One `Row` per pseudo-ad, over the skills its sentences support."""
    from skillx.fusion import FEATURES

    literal_cols = [FEATURES.index(name) for name in LITERAL_FLAGS]
    is_literal = cands.features[:, literal_cols].max(axis=1) > 0
    out = []
    for members in ads:
        rows = np.flatnonzero(np.isin(cands.sentence, members) & (cands.rank < k))
        threshold = float(thresholds[rows].mean()) if len(rows) else 0.0
        support: dict[int, list[tuple[float, bool]]] = {}
        for r in rows:
            if probs[r] >= thresholds[r] / 2:
                support.setdefault(int(cands.position[r]), []).append((float(probs[r]), bool(is_literal[r])))
        union = set().union(*(gold[s] for s in members))
        skills = sorted(support)
        p = np.array([rule(support[s]) for s in skills])
        y = np.array([int(s in union) for s in skills])
        n = np.array([len(support[s]) for s in skills])
        out.append((p, y, len(union), threshold, n))
    return out


def ad_metrics(rows: Sequence[Row], threshold: float | None) -> dict[str, float]:
    """Micro precision / recall / F1 of the kept ad skills (each ad's own threshold when None)."""
    tp = fp = n_gold = 0
    for p, y, g, t, _ in rows:
        kept = p >= (t if threshold is None else threshold)
        tp += int(y[kept].sum())
        fp += int((1 - y[kept]).sum())
        n_gold += g
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def summarise(rows: Sequence[Row], *, search: bool = True) -> dict[str, float]:
    """F1 at each ad's threshold, the F1-best fixed threshold, ECE and Brier of the ad probabilities,
    and the calibration gap (mean probability - observed rate) of skills with several supporting sentences."""
    from skillx.calibration import expected_calibration_error

    p = np.concatenate([r[0] for r in rows]) if rows else np.zeros(0)
    y = np.concatenate([r[1] for r in rows]) if rows else np.zeros(0)
    n = np.concatenate([r[4] for r in rows]) if rows else np.zeros(0)
    repeated = n >= 2
    at = ad_metrics(rows, None)
    grid = np.unique(np.round(p, 3)) if search else np.zeros(0)  # the bootstrap skips the search
    best_f1, best_t = 0.0, 0.0
    for t in grid:
        f1 = ad_metrics(rows, float(t))["f1"]
        if f1 > best_f1:
            best_f1, best_t = f1, float(t)
    return {
        **at,
        "best_f1": best_f1,
        "best_threshold": best_t,
        "ece": expected_calibration_error(p, y) if len(p) else 0.0,
        "brier": float(np.mean((p - y) ** 2)) if len(p) else 0.0,
        "skills": float(len(p)),
        "mean_p": float(p.mean()) if len(p) else 0.0,
        "observed": float(y.mean()) if len(y) else 0.0,
        "repeated": float(repeated.sum()),
        "repeated_gap": float(p[repeated].mean() - y[repeated].mean()) if repeated.any() else 0.0,
    }


def bootstrap(
    base: Sequence[Row] | None,
    other: Sequence[Row],
    n: int,
    seed: int,
) -> dict[str, tuple[float, float, float]]:
    """Mean and 95% interval of other - base (F1 at each ad's threshold, ECE, Brier, the gap of
    repeated skills), resampling ads; with `base` None, of `other`'s own values."""
    rng = np.random.default_rng(seed)
    keys = ("f1", "ece", "brier", "repeated_gap")
    diffs: dict[str, list[float]] = {key: [] for key in keys}
    for _ in range(n):
        pick = rng.integers(0, len(other), len(other))
        b = summarise([other[i] for i in pick], search=False)
        a = summarise([base[i] for i in pick], search=False) if base is not None else dict.fromkeys(keys, 0.0)
        for key in keys:
            diffs[key].append(b[key] - a[key])
    return {
        key: (float(np.mean(v)), float(np.percentile(v, 2.5)), float(np.percentile(v, 97.5)))
        for key, v in diffs.items()
    }


def scored_candidates(
    args: argparse.Namespace,
) -> tuple[Any, np.ndarray, np.ndarray, list[set[int]], tuple[str, ...]]:
    """Candidates of the validation sentences with out-of-fold probabilities and thresholds."""
    from skillx.calibration import (
        ScoredSentences,
        candidate_table,
        fit_fusion,
        oof_probabilities,
        score_benchmarks,
        sentence_folds,
    )
    from skillx.fusion import FusionParams, default_fusion
    from skillx.loading import load

    if (args.cache / "sentences.json").is_file():
        scored = ScoredSentences.load(args.cache)
    else:
        extractor = load(args.model, taxonomy=args.esco, fusion=default_fusion())
        scored = score_benchmarks(extractor, args.data)
        scored.save(args.cache)
    gold = [set(g) for g in scored.gold]
    boost = fit_fusion(scored.semantic, scored.evidence, gold)
    params = FusionParams(literal_boost=boost.literal_boost, ambiguous_weight=boost.ambiguous_weight)
    cands = candidate_table(
        scored.semantic, scored.evidence, gold, scored.texts, params,
        skills=scored.skill_features(), split=scored.split,
    )  # fmt: skip
    probs, thresholds = oof_probabilities(cands, sentence_folds(len(gold), args.folds, args.seed))
    return cands, probs, thresholds, gold, scored.split


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_scored_sentence_args(parser)
    parser.add_argument("--window", type=int, action="append", default=None, help="sentences per pseudo-ad")
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--bootstrap", type=int, default=1000)
    args = parser.parse_args(argv)
    args.data = args.data or DEFAULT_DATA
    args.window = args.window or [8]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cands, probs, thresholds, gold, split = scored_candidates(args)
    for window in args.window:
        ads = pseudo_ads(split, window)
        print(f"\n## window {window}: {len(ads)} pseudo-ads")
        rows = {
            name: ad_rows(ads, cands, probs, thresholds, gold, rule, args.k) for name, rule in RULES.items()
        }
        print(
            "| rule | skills | precision | recall | F1 | best F1 (threshold) | ECE | Brier | mean p "
            "| observed | repeated: skills | repeated: mean p - observed [95%] |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for name, r in rows.items():
            s = summarise(r)
            _, lo, hi = bootstrap(None, r, args.bootstrap, args.seed)["repeated_gap"]
            print(
                f"| {name} | {s['skills']:.0f} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | "
                f"{s['best_f1']:.3f} ({s['best_threshold']:.2f}) | {s['ece']:.3f} | {s['brier']:.4f} | "
                f"{s['mean_p']:.3f} | {s['observed']:.3f} | {s['repeated']:.0f} | "
                f"{s['repeated_gap']:+.3f} [{lo:+.3f}, {hi:+.3f}] |"
            )
        for name in RULES:
            if name == "noisy_or":
                continue
            d = bootstrap(rows["noisy_or"], rows[name], args.bootstrap, args.seed)
            cells = ", ".join(f"{key} {m:+.3f} [{lo:+.3f}, {hi:+.3f}]" for key, (m, lo, hi) in d.items())
            print(f"{name} - noisy_or: {cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

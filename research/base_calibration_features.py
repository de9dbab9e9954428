"""Which calibrator features carry over to real ads for the bundled base encoder?

The multi-feature calibrator raises the base encoder's out-of-fold F1 on validation, but
refitted on it the sample ad's headers ("What you will do", "What we offer") and its salary
sentence get skills: its rank and margin features lift every sentence's best candidate, and
for the untrained encoder the fit gives the cosine a negative weight beside the fused score
and prefers short sentences and transversal skills. Every validation sentence mentions a
skill (none is a header), so out-of-fold F1 cannot see this. This script fits feature subsets
and reports, per subset:

* out-of-fold F1 at the default threshold and ECE on the validation splits (mean over
  several fold assignments, as `benchmarks/decisions.py`);
* on boilerplate that names no skill (job-ad headers, company and benefit lines, how to apply:
  `BOILERPLATE`, written for this probe), how many lines keep a skill at the fitted threshold.

Example:
    python research/base_calibration_features.py --cache scored-base/ --fold-seeds 6
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from typing import Any

import numpy as np
from _common import DEFAULT_DATA, add_scored_sentence_args

SKILL_TYPE = ("knowledge", "reuse_transversal", "reuse_cross_sector", "reuse_sector_specific",
              "reuse_occupation_specific")  # fmt: skip
SENTENCE = ("log_words", "n_clauses")
EVIDENCE = ("raw", "log_rank", "margin", "gap_next",
            "literal_preferred", "literal_alternative", "literal_hidden", "literal_ambiguous")  # fmt: skip


def variants() -> dict[str, tuple[str, ...] | None]:
    """Feature subsets by name (None: the one-feature calibration of the fused score)."""
    from skillx.calibration import CALIBRATOR_FEATURES

    every = tuple(CALIBRATOR_FEATURES)
    return {
        "one feature (before 2026-12-03)": None,
        "all features": every,
        "all but the skill type": tuple(f for f in every if f not in SKILL_TYPE),
        "all but the sentence": tuple(f for f in every if f not in SENTENCE),
        "all but skill type and sentence": tuple(f for f in every if f not in SKILL_TYPE + SENTENCE),
        "evidence (no cosine, sentence, skill type)": EVIDENCE,
        "raw and literal flags (shipped for base)": ("raw", *EVIDENCE[4:]),
    }


BOILERPLATE = (
    "What you will do",
    "What we offer",
    "What you bring",
    "About us",
    "Your profile",
    "Your tasks",
    "Benefits",
    "Requirements",
    "Responsibilities",
    "Who we are",
    "Why join us?",
    "How to apply",
    "Job description",
    "The role",
    "Apply now!",
    "We offer a competitive salary, 28 days of paid leave and a hybrid working model.",
    "We offer a competitive salary and a company pension scheme.",
    "Flexible working hours and the option to work from home.",
    "30 days of holiday per year plus bank holidays.",
    "A free gym membership and fresh fruit every day.",
    "Free parking on site.",
    "We are an equal opportunity employer.",
    "We welcome applications from all backgrounds.",
    "Please send your CV and cover letter to jobs@example.com.",
    "Apply before 31 March via our careers page.",
    "Only shortlisted candidates will be contacted.",
    "The position is full-time and permanent.",
    "This is a temporary contract for six months.",
    "Salary: 45,000 to 55,000 EUR per year.",
    "Location: Rotterdam, the Netherlands.",
    "Start date: as soon as possible.",
    "Our company was founded in 1998 and employs 250 people.",
    "We are a family-owned business with offices in three countries.",
    "Join a friendly and international team.",
    "You will report to the head of department.",
    "Reference number: 2024-117.",
    "For more information, visit our website.",
    "We look forward to receiving your application!",
    "Recruitment agencies need not apply.",
    "Working hours: Monday to Friday, 9 to 5.",
)  # fmt: skip


def oof_decisions(
    cands: Any, features: tuple[str, ...] | None, fold_seeds: int
) -> tuple[float, float, np.ndarray]:
    """Mean out-of-fold F1 at the default threshold and ECE over `fold_seeds` fold assignments,
    and per fold assignment and sentence the (correct, kept) pairs, for the bootstrap."""
    from skillx.calibration import (
        decision_metrics,
        expected_calibration_error,
        oof_probabilities,
        sentence_folds,
    )

    f1s, eces, counts = [], [], []
    top = cands.rank < 5
    n = len(cands.n_gold)
    for seed in range(fold_seeds):
        fold = sentence_folds(n, seed=seed)
        if features is None:
            probs, thresholds = oof_probabilities(cands, fold, method="platt")
        else:
            probs, thresholds = oof_probabilities(cands, fold, features=features)
        f1s.append(decision_metrics(probs, cands, thresholds)["f1"])
        eces.append(expected_calibration_error(probs[top], cands.label[top]))
        kept = top & (probs >= thresholds - 1e-12)
        counts.append(np.stack([np.bincount(cands.sentence[kept], weights=cands.label[kept], minlength=n),
                                np.bincount(cands.sentence[kept], minlength=n)]))  # fmt: skip
    return float(np.mean(f1s)), float(np.mean(eces)), np.stack(counts)


def bootstrap_f1_difference(
    a: np.ndarray, b: np.ndarray, n_gold: np.ndarray, samples: int
) -> tuple[float, float]:
    """95% interval of F1(b) - F1(a), sentences resampled (paired), fold assignments averaged."""
    rng = np.random.default_rng(0)
    n = len(n_gold)

    def f1(c: np.ndarray, idx: np.ndarray) -> float:
        tp, kept = c[:, 0, idx].sum(axis=1), c[:, 1, idx].sum(axis=1)
        return float(np.mean(2 * tp / (kept + n_gold[idx].sum())))

    diffs = []
    for _ in range(samples):
        idx = rng.integers(0, n, n)
        diffs.append(f1(b, idx) - f1(a, idx))
    lo, hi = np.percentile(diffs, [2.5, 97.5])
    return float(lo), float(hi)


def fitted_params(cands: Any, base: Any, features: tuple[str, ...] | None) -> Any:
    """`base` with the calibration fitted on all rows (the threshold out-of-fold, as shipped)."""
    from skillx.calibration import _fit_logistic, best_f1_threshold, fit_calibrator

    if features is None:
        slope, intercept = _fit_logistic(cands.raw, cands.label)
        params = replace(base, slope=slope, intercept=intercept, calibrator=None)
        threshold, _ = best_f1_threshold(params.calibrate(cands.raw), cands)
        return replace(params, threshold=round(threshold, 4))
    calibrator, threshold = fit_calibrator(cands, features=features)
    return replace(base, calibrator=calibrator, threshold=threshold)


def boilerplate_hits(extractor: Any, params: Any) -> list[tuple[str, str, float]]:
    """(line, skill label, score) of every skill kept on `BOILERPLATE` under `params`."""
    extractor.fusion = params
    extractor.min_score = params.threshold
    found = []
    for line, sentences in zip(BOILERPLATE, extractor.extract_many(list(BOILERPLATE)), strict=True):
        found.extend((line, m.label, m.score) for s in sentences for m in s.skills)
    return found


def main(argv: list[str] | None = None) -> int:
    from skillx.calibration import ScoredSentences, candidate_table
    from skillx.fusion import default_fusion
    from skillx.loading import load

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_scored_sentence_args(parser)
    parser.add_argument("--fold-seeds", type=int, default=6, help="fold assignments to average over")
    parser.add_argument("--bootstrap", type=int, default=1000, help="bootstrap samples of the F1 difference")
    parser.add_argument("--show", action="store_true", help="print every boilerplate line that keeps a skill")
    args = parser.parse_args(argv)
    if not (args.cache / "sentences.json").is_file():
        sys.exit(
            f"No scored sentences in {args.cache}: "
            "run benchmarks/decisions.py --model base --cache DIR first."
        )
    scored = ScoredSentences.load(args.cache)
    base = default_fusion() if args.model is None else load(args.model, taxonomy=args.esco).fusion
    cands = candidate_table(
        scored.semantic, scored.evidence, [set(g) for g in scored.gold], scored.texts,
        replace(base, calibrator=None), skills=scored.skill_features(),
    )  # fmt: skip
    extractor = load(args.model or "base", taxonomy=args.esco)
    data = ", ".join(str(p) for p in args.data or DEFAULT_DATA)
    print(f"{len(scored.texts)} validation sentences, {len(BOILERPLATE)} boilerplate lines; "
          f"{args.fold_seeds} fold assignments; data: {data}")  # fmt: skip
    print("| calibration | out-of-fold F1 | F1 against the first row (95%) | ECE | threshold "
          "| boilerplate lines with a skill | skills kept |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    first = None
    for name, features in variants().items():
        f1, ece, counts = oof_decisions(cands, features, args.fold_seeds)
        if first is None:
            first, against = (f1, counts), "-"
        else:
            lo, hi = bootstrap_f1_difference(first[1], counts, cands.n_gold, args.bootstrap)
            against = f"{f1 - first[0]:+.3f} ({lo:+.3f} .. {hi:+.3f})"
        params = fitted_params(cands, base, features)
        hits = boilerplate_hits(extractor, params)
        lines = len({h[0] for h in hits})
        print(
            f"| {name} | {f1:.3f} | {against} | {ece:.3f} | {params.threshold:.3f} | {lines} | {len(hits)} |"
        )
        if args.show:
            for line, label, score in hits:
                print(f"    {line[:50]!r}: {label} {score:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Are literal hits after the first of a sentence underestimated, and can a feature fix it?

In a list of skills ("Skills: Python, Java, SQL, Docker, ...") every literal hit after the best
has a low rank, a large margin and a low cosine against the whole sentence, which the
calibrator reads as "probably wrong" for any candidate. This prints, out-of-fold on the
validation splits (as `benchmarks/decisions.py`), the mean probability against the observed
rate of literal hits by fused rank, then refits the calibrator with one extra feature set at a
time (literal hits' own rank and margin, their cosine, the number of literal hits in the
sentence) over several fold seeds: F1 at the default threshold, ECE, and the gap of literal
hits at rank >= 1.

Example:
    python research/literal_rank_calibration.py --cache scored/ --fold-seeds 6
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from typing import Any

import numpy as np
from _common import DEFAULT_DATA, add_scored_sentence_args

VARIANTS: dict[str, tuple[str, ...]] = {
    "shipped": (),
    "+ literal rank and margin": ("literal_log_rank", "literal_margin"),
    "+ literal cosine": ("literal_cosine",),
    "+ literal hits in the sentence": ("log_literal_hits",),
    "+ literal x literal hits": ("literal_log_literal_hits",),
}


def literal_rows(features: np.ndarray) -> np.ndarray:
    """1.0 for the candidates with a literal hit (any kind), else 0.0 (shipped columns)."""
    from skillx.fusion import FEATURES

    kinds = ("literal_preferred", "literal_alternative", "literal_hidden")
    return features[:, [FEATURES.index(f) for f in kinds]].max(axis=1)


def extra_features(features: np.ndarray, sentence: np.ndarray) -> dict[str, np.ndarray]:
    """Candidate columns not in `skillx.fusion.FEATURES`, from the shipped ones."""
    from skillx.fusion import FEATURES

    is_literal = literal_rows(features)
    hits = np.bincount(sentence, weights=is_literal)[sentence]
    return {
        "literal_log_rank": is_literal * features[:, FEATURES.index("log_rank")],
        "literal_margin": is_literal * features[:, FEATURES.index("margin")],
        "literal_cosine": is_literal * features[:, FEATURES.index("cosine")],
        "log_literal_hits": np.log1p(hits),
        "literal_log_literal_hits": is_literal * np.log1p(hits),
    }


def with_extra_features(cands: Any) -> tuple[Any, tuple[str, ...]]:
    """`cands` with the extra columns appended, and the feature names to read them by.

    The calibration code finds columns by name in `skillx.fusion.FEATURES`; the names are
    added there (and in `skillx.calibration`) for this process only.
    """
    import skillx.calibration
    import skillx.fusion

    extra = extra_features(cands.features, cands.sentence)
    names = tuple(skillx.fusion.FEATURES) + tuple(extra)
    skillx.fusion.FEATURES = names
    skillx.calibration.FEATURES = names
    return replace(cands, features=np.column_stack([cands.features, *extra.values()])), names


def by_rank(
    probs: np.ndarray, cands: Any, literal: np.ndarray, k: int
) -> list[tuple[str, int, float, float]]:
    """(rank group, rows, mean probability, observed rate) of the literal hits in the top `k`."""
    later = (cands.rank >= 2) & (cands.rank < k)
    groups = [("0", cands.rank == 0), ("1", cands.rank == 1), (f"2-{k - 1}", later)]
    out = []
    for name, mask in groups:
        rows = literal & mask
        if rows.any():
            out.append((name, int(rows.sum()), float(probs[rows].mean()), float(cands.label[rows].mean())))
    return out


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_scored_sentence_args(parser)
    parser.add_argument("--fold-seeds", type=int, default=6, help="fold assignments to average over")
    parser.add_argument("--k", type=int, default=5)
    args = parser.parse_args(argv)
    args.data = args.data or DEFAULT_DATA
    args.folds, args.seed = 5, 0
    return args


def main(argv: list[str] | None = None) -> int:
    from document_aggregation import scored_candidates

    from skillx.calibration import (
        decision_metrics,
        expected_calibration_error,
        oof_probabilities,
        sentence_folds,
    )
    from skillx.fusion import FEATURES

    args = parse_args(argv)
    cands, probs, _, gold, _ = scored_candidates(args)
    literal = literal_rows(cands.features) > 0
    shipped = tuple(FEATURES)
    cands, _ = with_extra_features(cands)
    print("Literal hits by fused rank (shipped calibrator, out-of-fold, fold seed 0):")
    print("| rank | rows | mean probability | observed |\n|---|---|---|---|")
    for name, n, p, y in by_rank(probs, cands, literal, args.k):
        print(f"| {name} | {n} | {p:.3f} | {y:.3f} |")
    top = cands.rank < args.k
    later = literal & top & (cands.rank >= 1)
    print(f"\nOver {args.fold_seeds} fold seeds (mean; F1 per seed in brackets):")
    print("| calibrator | F1 | F1 per fold seed | ECE | literal hits at rank >= 1: mean p - observed |")
    print("|---|---|---|---|---|")
    for name, extra in VARIANTS.items():
        f1s, eces, gaps = [], [], []
        for seed in range(args.fold_seeds):
            p, thr = oof_probabilities(cands, sentence_folds(len(gold), 5, seed), features=shipped + extra)
            f1s.append(decision_metrics(p, cands, thr)["f1"])
            eces.append(expected_calibration_error(p[top], cands.label[top]))
            gaps.append(p[later].mean() - cands.label[later].mean())
        per = " ".join(f"{f:.3f}" for f in f1s)
        print(f"| {name} | {np.mean(f1s):.3f} | {per} | {np.mean(eces):.3f} | {np.mean(gaps):+.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

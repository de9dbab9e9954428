"""Which rule should pick the literal boost: RP@5 alone, or RP@1, RP@5 and RP@10 together?

`fit_fusion` picks the boost and the ambiguous weight with the best RP@5 over the validation
sentences. RP@5 is nearly flat across the grid (`boost_curve.py`), so the pick follows a
sentence or two, while RP@1 and MRR move by several points between boosts RP@5 cannot tell
apart. This compares the two fitting rules out of fold: the sentences with gold skills are cut
into `--folds` folds (`skillx.calibration.sentence_folds`, one assignment per `--fold-seed`);
each fold is scored with the boost each rule picks on the other folds. Per model it prints the
out-of-fold RP@1 / RP@5 / RP@10 / MRR of both rules and the paired bootstrap of their
per-sentence difference (averaged over fold seeds), per split; with several models, also the
bootstrap of the difference averaged over models.

Example:
    python research/boost_rule.py --cache dec/s42 --model M42 --cache dec/s43 --model M43 --fold-seeds 6
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from paired_bootstrap import bootstrap_interval
from score_ensemble import per_sentence, scored_model

METRICS = ("RP@1", "RP@5", "RP@10", "MRR")
RULES = {"RP@5": (1,), "RP@1+5+10": (0, 1, 2)}  # columns of the metric table each rule averages


def grid_table(
    scored: Any, fusion: Any, boosts: Sequence[float], weights: Sequence[float], rows: list[int]
) -> tuple[list[tuple[float, float]], np.ndarray]:
    """The (boost, ambiguous weight) grid as `fit_fusion` walks it, and the per-sentence metrics
    of each: shape ``(n_settings, len(rows), 4)``."""
    settings = [(b, a) for b in boosts for a in (weights if b > 0 else (1.0,))]
    table = np.stack(
        [per_sentence(scored.semantic, scored, replace(fusion, literal_boost=b, ambiguous_weight=a), rows)
         for b, a in settings]
    )  # fmt: skip
    return settings, table


def pick(table: np.ndarray, train: np.ndarray, columns: tuple[int, ...]) -> int:
    """The setting with the best mean of `columns` over the `train` sentences; the first on ties."""
    score = table[:, train][:, :, list(columns)].mean(axis=(1, 2))
    return int(np.flatnonzero(score >= score.max() - 1e-12)[0])


def out_of_fold(
    table: np.ndarray, folds: np.ndarray, columns: tuple[int, ...]
) -> tuple[np.ndarray, list[int]]:
    """Per-sentence metrics, each sentence scored with the setting picked on the other folds."""
    out = np.empty(table.shape[1:])
    picks = []
    for f in np.unique(folds):
        chosen = pick(table, folds != f, columns)
        picks.append(chosen)
        out[folds == f] = table[chosen, folds == f]
    return out, picks


def main(argv: list[str] | None = None) -> int:
    from skillx.calibration import DEFAULT_AMBIGUOUS_WEIGHTS, DEFAULT_BOOSTS, sentence_folds

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cache", type=Path, action="append", required=True, help="a model's scores")
    parser.add_argument("--model", action="append", required=True, help="each --cache's model (its fusion)")
    parser.add_argument("--folds", type=int, default=5, help="folds by sentence")
    parser.add_argument("--fold-seeds", type=int, default=6, help="fold assignments averaged")
    args = parser.parse_args(argv)
    if len(args.cache) != len(args.model):
        sys.exit(f"Give one --model per --cache ({len(args.cache)} caches, {len(args.model)} models).")
    diffs = []
    for cache, model in zip(args.cache, args.model, strict=True):
        scored, fusion, rows, split_of = scored_model(cache, model)
        settings, table = grid_table(scored, fusion, DEFAULT_BOOSTS, DEFAULT_AMBIGUOUS_WEIGHTS, rows)
        results = {}
        for rule, columns in RULES.items():
            runs = [out_of_fold(table, sentence_folds(len(rows), args.folds, seed), columns)
                    for seed in range(args.fold_seeds)]  # fmt: skip
            results[rule] = np.mean([m for m, _ in runs], axis=0)
            chosen = sorted({settings[p] for _, picks in runs for p in picks})
            whole = settings[pick(table, np.ones(len(rows), bool), columns)]
            print(f"{Path(model).name}, rule {rule}: on all sentences {whole}; per fold {chosen}")
        diff = results["RP@1+5+10"] - results["RP@5"]
        diffs.append(diff)
        for split in dict.fromkeys(split_of):
            ids = split_of == split
            for rule, m in results.items():
                cells = " | ".join(f"{100 * v:.1f}" for v in m[ids].mean(axis=0))
                print(f"| {Path(model).name} | {split.split('_')[0]} | {rule} | {cells} |")
            for j, name in enumerate(METRICS):
                mean, lo, hi = bootstrap_interval(diff[ids, j], resamples=1000, seed=0)
                print(f"|   difference | {split.split('_')[0]} | {name} | "
                      f"{100 * mean:+.1f} [{100 * lo:+.1f}, {100 * hi:+.1f}] |")  # fmt: skip
    if len(diffs) > 1:
        mean_diff = np.mean(diffs, axis=0)
        for split in dict.fromkeys(split_of):
            ids = split_of == split
            for j, name in enumerate(METRICS):
                mean, lo, hi = bootstrap_interval(mean_diff[ids, j], resamples=1000, seed=0)
                print(f"| models' mean difference | {split.split('_')[0]} | {name} | "
                      f"{100 * mean:+.1f} [{100 * lo:+.1f}, {100 * hi:+.1f}] |")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Is configuration B better than A across training seeds? Seed means and a paired bootstrap.

A and B are each several per-sentence result files (``--per-sentence-out`` of
`token_attention.py` or `paired_bootstrap.py`), one per training seed, given in the same seed
order. Per split the script prints each seed's RP@K of A and B and their difference, the
spread of that difference over seeds, and a paired bootstrap over sentences of the
seed-averaged difference (averaging first removes most of the seed noise that a single run
carries; the interval then covers the sampling of sentences).

    python research/seed_comparison.py --a ps/pooled-s42-...json ps/pooled-s43-...json \
        --b ps/contextual-s42-...json ps/contextual-s43-...json
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from paired_bootstrap import PerSentence, bootstrap_interval, paired, read_per_sentence


def seed_table(a_runs: list[PerSentence], b_runs: list[PerSentence]) -> dict[str, dict[str, object]]:
    """Per split: per-seed means of A and B, and the seed-averaged per-sentence differences."""
    if len(a_runs) != len(b_runs) or not a_runs:
        raise SystemExit(
            f"Give as many A files as B files, one per seed (got {len(a_runs)} and {len(b_runs)})."
        )
    table: dict[str, dict[str, object]] = {}
    for a, b in zip(a_runs, b_runs, strict=True):
        for name, pairs in paired(a, b).items():
            values = np.asarray(pairs, dtype=np.float64)  # (sentences, 2), sentence order is sorted
            row = table.setdefault(name, {"a": [], "b": [], "diffs": []})
            row["a"].append(float(values[:, 0].mean()))  # type: ignore[union-attr]
            row["b"].append(float(values[:, 1].mean()))  # type: ignore[union-attr]
            row["diffs"].append(values[:, 1] - values[:, 0])  # type: ignore[union-attr]
    for name, row in table.items():
        if len(row["diffs"]) != len(a_runs):  # type: ignore[arg-type]
            raise SystemExit(f"Split '{name}' is missing from some seeds' files.")
        row["mean_diffs"] = np.mean(np.stack(row["diffs"]), axis=0)  # type: ignore[arg-type]
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--a", type=Path, nargs="+", required=True, help="A's files, one per seed.")
    parser.add_argument("--b", type=Path, nargs="+", required=True, help="B's files, same seed order.")
    parser.add_argument("--k", type=int, default=5, help="RP@K cut-off of the files.")
    parser.add_argument("--resamples", type=int, default=10_000, help="Bootstrap resamples.")
    parser.add_argument("--seed", type=int, default=0, help="Bootstrap seed.")
    args = parser.parse_args(argv)

    a_runs = [read_per_sentence(path, args.k) for path in args.a]
    b_runs = [read_per_sentence(path, args.k) for path in args.b]
    for name, row in seed_table(a_runs, b_runs).items():
        a_means = 100 * np.asarray(row["a"])
        b_means = 100 * np.asarray(row["b"])
        seed_diffs = b_means - a_means
        mean, low, high = bootstrap_interval(row["mean_diffs"], resamples=args.resamples, seed=args.seed)
        per_seed = ", ".join(f"{a:.1f}->{b:.1f}" for a, b in zip(a_means, b_means, strict=True))
        print(
            f"{name:<18} seeds {len(a_means)}: {per_seed}; A {a_means.mean():.1f} B {b_means.mean():.1f}; "
            f"B-A per seed {seed_diffs.min():+.1f} .. {seed_diffs.max():+.1f}; seed-averaged B-A "
            f"{100 * mean:+.1f} (95% interval {100 * low:+.1f} .. {100 * high:+.1f})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Is model B really better than model A on a benchmark split? Paired bootstrap of RP@5.

Both models rank every skill for every benchmark sentence (semantic ranker). The per-sentence
RP@K differences B - A are resampled with replacement (`--resamples`, fixed `--seed`); the
script prints the mean difference and its 95% percentile interval per split. An interval that
holds 0 means the splits cannot tell the two models apart (research/results.md).

Example:
    python research/paired_bootstrap.py ~/.cache/skillx/models/default OTHER_MODEL
"""

from __future__ import annotations

import argparse
from pathlib import Path

from _common import DEFAULT_DATA, SHARED


def bootstrap_interval(differences, *, resamples: int, seed: int) -> tuple[float, float, float]:
    """Mean of `differences` and the 2.5 / 97.5 percentiles of resampled means."""
    import numpy as np

    diffs = np.asarray(differences, dtype=np.float64)
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, diffs.size, size=(resamples, diffs.size))
    means = diffs[picks].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(diffs.mean()), float(low), float(high)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("model_a", help="skillx model directory, or 'base'.")
    parser.add_argument("model_b", help="skillx model directory, or 'base'.")
    parser.add_argument("--data", type=Path, action="append", help="Benchmark CSV (repeatable).")
    parser.add_argument("--esco", type=Path, default=SHARED / "esco", help="ESCO CSV folder.")
    parser.add_argument("--k", type=int, default=5, help="RP@K cut-off.")
    parser.add_argument("--resamples", type=int, default=10_000, help="Bootstrap resamples.")
    parser.add_argument("--seed", type=int, default=0, help="Bootstrap seed.")
    args = parser.parse_args(argv)

    import numpy as np

    import skillx
    from skillx.evaluation import load_benchmark
    from skillx.evaluation.metrics import r_precision_at_k
    from skillx.ranker import SemanticRanker

    taxonomy = skillx.load_taxonomy(args.esco)
    rankers = [
        SemanticRanker.from_pretrained(None if m == "base" else m, taxonomy=taxonomy)
        for m in (args.model_a, args.model_b)
    ]
    uris = taxonomy.uris
    for path in args.data or DEFAULT_DATA:
        benchmark = load_benchmark(path, taxonomy)
        per_model = []
        for ranker in rankers:
            scores = ranker.score_matrix(list(benchmark.sentences))
            top = np.argsort(-scores, axis=1, kind="stable")[:, : args.k]
            rankings = [[uris[j] for j in row] for row in top]
            per_model.append(
                [r_precision_at_k(r, gold, args.k) for r, gold in zip(rankings, benchmark.gold, strict=True)]
            )
        diffs = np.subtract(per_model[1], per_model[0])
        mean, low, high = bootstrap_interval(diffs, resamples=args.resamples, seed=args.seed)
        print(
            f"{benchmark.name:<18} n {diffs.size:3d}  RP@{args.k} A {100 * np.mean(per_model[0]):.1f}  "
            f"B {100 * np.mean(per_model[1]):.1f}  B-A {100 * mean:+.1f} "
            f"(95% interval {100 * low:+.1f} .. {100 * high:+.1f}); sentences where they differ: "
            f"{int(np.count_nonzero(diffs))}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

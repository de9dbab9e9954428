"""Which gold skills does a model miss? Hit rate in the top 5 by how often the corpus names the skill.

For every (sentence, gold skill) of the benchmark files, the skill's rank under the semantic
ranker of MODEL, bucketed by the number of unambiguous distant-supervision pairs that the
pairs file holds for that skill (0 = the corpus never names it literally, so only its
description row teaches it). Answers "is coverage what limits the model?".

Example:
    python research/gold_coverage.py --model ~/.cache/skillx/models/default --pairs work/pairs.parquet
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from _common import DEFAULT_DATA, SHARED

BUCKETS = ((0, 0), (1, 5), (6, 50), (51, None))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", required=True, help="skillx model directory, or 'base' (zero-shot).")
    parser.add_argument("--pairs", type=Path, required=True, help="Pairs file the model was trained on.")
    parser.add_argument("--data", type=Path, action="append", help="Benchmark CSV (repeatable).")
    parser.add_argument("--esco", type=Path, default=SHARED / "esco", help="ESCO CSV folder.")
    parser.add_argument("--k", type=int, default=5, help="Cut-off for a hit.")
    args = parser.parse_args(argv)

    import numpy as np

    import skillx
    from skillx.evaluation import load_benchmark
    from skillx.ranker import SemanticRanker
    from skillx.training import read_pairs

    taxonomy = skillx.load_taxonomy(args.esco)
    pairs = read_pairs(args.pairs)
    if "ambiguous" in pairs.columns:
        pairs = pairs[~pairs["ambiguous"].fillna(False).astype(bool)]
    counts = Counter(pairs["uri"])
    model = None if args.model == "base" else args.model
    ranker = SemanticRanker.from_pretrained(model, taxonomy=taxonomy)
    for path in args.data or DEFAULT_DATA:
        benchmark = load_benchmark(path, taxonomy)
        scores = ranker.score_matrix(list(benchmark.sentences))
        hits: dict[tuple[int, int | None], list[bool]] = {b: [] for b in BUCKETS}
        for row, gold in enumerate(benchmark.gold):
            for uri in gold:
                rank = int((scores[row] > scores[row, taxonomy.position(uri)]).sum())
                n = counts.get(uri, 0)
                bucket = next(b for b in BUCKETS if n >= b[0] and (b[1] is None or n <= b[1]))
                hits[bucket].append(rank < args.k)
        total = [h for bucket in hits.values() for h in bucket]
        print(f"{benchmark.name}: {len(total)} gold items, top-{args.k} hit rate {np.mean(total):.3f}")
        for (low, high), bucket in hits.items():
            span = f"{low}" if low == high else f"{low}-{high}" if high else f">{low - 1}"
            rate = f"{np.mean(bucket):.3f}" if bucket else "-"
            print(f"  pairs per skill {span:>6}: {len(bucket):4d} items, hit rate {rate}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

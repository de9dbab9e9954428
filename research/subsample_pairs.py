"""A fraction of a pairs file, sampled by sentence, for the data-scaling question.

How many job-ad sentences does the method need? Train on 25/50/100% of the distant-supervision
pairs and compare validation RP@5. Sampling is by *sentence* (every pair of a kept sentence is
kept, so a sentence's co-mentioned skills stay together), with a fixed seed.

    python research/subsample_pairs.py PAIRS.parquet --fraction 0.25 --output pairs-25.parquet
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd


def subsample(pairs: pd.DataFrame, fraction: float, *, seed: int = 42) -> pd.DataFrame:
    """The pairs of a seeded random `fraction` of the distinct sentences, in their order."""
    if not 0.0 < fraction <= 1.0:
        raise ValueError(f"fraction must be in (0, 1], got {fraction}")
    sentences = pairs["sentence"].drop_duplicates().to_numpy()
    order = np.random.default_rng(seed).permutation(len(sentences))
    kept = set(sentences[order[: round(fraction * len(sentences))]])
    return pairs[pairs["sentence"].isin(kept)].reset_index(drop=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("pairs", type=Path)
    parser.add_argument("--fraction", type=float, required=True)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args()
    pairs = pd.read_parquet(args.pairs)
    sample = subsample(pairs, args.fraction, seed=args.seed)
    sample.to_parquet(args.output, index=False)
    print(
        f"{args.output}: {sample['sentence'].nunique():,} sentences, {len(sample):,} pairs "
        f"({args.fraction:.0%} of {pairs['sentence'].nunique():,} sentences, seed {args.seed})"
    )


if __name__ == "__main__":
    main()

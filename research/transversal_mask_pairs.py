"""Mask the mention of transversal skills in training pairs, so their rows teach the context.

The benchmark annotates ESCO's transversal skills ("work in teams", "communicate with
customers") mostly from paraphrases, and about half of the frequent ones are still missed by the
trained model (results.md, "Which gold skills are missed?"): a literal pair teaches that the
sentence *says* the label, which the literal matcher already knows. Masking every mention traded
TECH for HOUSE (results.md, "Mention masking"); TECH's gold skills are mostly named literally,
HOUSE's transversal ones mostly not. This writes a pairs file in which the mention of a
transversal skill's pair is replaced by ``[MASK]`` with probability `--p` (seeded per pair, so
the file is the same on every run), and every other pair is left alone. Same columns; ``start``
and ``end`` index the mask.

    python research/transversal_mask_pairs.py PAIRS.parquet --output pairs-tmask.parquet --p 0.5
"""

from __future__ import annotations

import argparse
import hashlib
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

MASK = "[MASK]"  # BERT-style tokenizers (all-MiniLM-L6-v2) read it as their mask token


def keep_draw(sentence: str, uri: str, seed: int) -> float:
    """A uniform number in [0, 1) fixed by the pair and `seed` (independent of row order)."""
    digest = hashlib.blake2b(f"{seed}\x00{uri}\x00{sentence}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def masked_pairs(pairs: pd.DataFrame, transversal: set[str], p: float, seed: int) -> pd.DataFrame:
    """`pairs` with the mention of each drawn transversal pair replaced by ``[MASK]``."""
    out = pairs.copy()
    sentences = out["sentence"].astype(str).tolist()
    starts = out["start"].astype(int).tolist()
    ends = out["end"].astype(int).tolist()
    for i, uri in enumerate(out["uri"].astype(str)):
        if uri not in transversal or keep_draw(sentences[i], uri, seed) >= p:
            continue
        text, a, b = sentences[i], starts[i], ends[i]
        sentences[i] = text[:a] + MASK + text[b:]
        ends[i] = a + len(MASK)
    out["sentence"], out["end"] = sentences, ends
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("pairs", type=Path, help="Pairs file (skillx build-pairs).")
    parser.add_argument("--output", type=Path, required=True, help="Pairs file to write.")
    parser.add_argument("--p", type=float, default=0.5, help="Probability of masking a transversal pair.")
    parser.add_argument("--seed", type=int, default=0, help="Seed of the per-pair draws.")
    parser.add_argument("--esco", default=None, help="ESCO CSV folder or zip (default: SKILLX_ESCO).")
    args = parser.parse_args(argv)
    if not args.pairs.is_file():
        raise SystemExit(
            f"No pairs file at '{args.pairs}': run `skillx build-pairs` (or `make model`) first."
        )
    if not 0.0 <= args.p <= 1.0:
        raise SystemExit(f"--p must be in [0, 1], got {args.p}.")

    from skillx.taxonomy import load_taxonomy
    from skillx.training import read_pairs

    pairs = read_pairs(args.pairs)
    missing = {"start", "end", "uri", "sentence"} - set(pairs.columns)
    if missing:
        raise SystemExit(
            f"'{args.pairs}' has no {sorted(missing)} columns: rebuild it with `skillx build-pairs`."
        )
    taxonomy = load_taxonomy(args.esco)
    transversal = {skill.uri for skill in taxonomy.skills if skill.reuse_level == "transversal"}
    out = masked_pairs(pairs, transversal, args.p, args.seed)
    n_transversal = int(pairs["uri"].isin(transversal).sum())
    n_masked = int(out["sentence"].str.contains(MASK, regex=False).sum())
    print(
        f"{len(pairs):,} pairs; {n_transversal:,} of transversal skills "
        f"({n_transversal / max(len(pairs), 1):.1%}); {n_masked:,} masked at p {args.p}"
    )
    out.to_parquet(args.output, index=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

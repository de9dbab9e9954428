"""Pseudo-labelled pairs: corpus sentences that name no skill, labelled by trained models.

Literal matching only finds sentences that *name* a skill, so the encoder never sees a
paraphrase ("Team player who likes to engage with colleagues") paired with its skill ("work
in teams"). This script retrieves such sentences from the corpus and labels them with
trained skillx models (the teachers), keeping a label only when every teacher puts the same
skill first with a cosine of at least ``--min-score``. The output is a pairs file in the
layout of ``skillx build-pairs`` (``label_kind`` = ``"pseudo"``, no mention offsets), so
``skillx train`` takes it as is, or concatenated with the literal pairs.

The library does the same in one call (`skillx.supervision.build_pseudo_pairs`, ``skillx
pseudo-label``); this script adds a cache for experiments: ``--scores`` keeps every
candidate's top-1 per teacher, so a second run with other thresholds, or with only the first
``--agree`` teachers, just re-selects.

Example:
    python benchmarks/pseudo_pairs.py --corpus ../shared/corpora/jobads_en.tsv.gz \\
        --pairs work/pairs.parquet --teacher ~/.cache/skillx/models/default \\
        --lines 60000 --scores work/pseudo_scores.parquet --out work/pseudo_pairs.parquet
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from _common import SHARED


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpora" / "jobads_en.tsv.gz")
    parser.add_argument("--pairs", type=Path, required=True, help="Literal pairs (sentences skipped).")
    parser.add_argument("--teacher", action="append", required=True, help="skillx model dir (repeatable).")
    parser.add_argument("--esco", type=Path, default=SHARED / "esco", help="ESCO CSV folder.")
    parser.add_argument("--lines", type=int, default=60000, help="Corpus lines to sample.")
    parser.add_argument("--min-score", type=float, default=0.6, help="Cosine every teacher must reach.")
    parser.add_argument("--per-skill", type=int, default=20, help="Pseudo pairs kept per skill (0: all).")
    parser.add_argument("--agree", type=int, default=0, help="Use only the first N teachers (0: all).")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--scores", type=Path, help="Cache of the scored candidates (read if present).")
    parser.add_argument("--out", type=Path, required=True, help="Pseudo pairs parquet to write.")
    args = parser.parse_args(argv)

    import pandas as pd

    import skillx
    from skillx.ranker import SemanticRanker
    from skillx.supervision.pseudo import (
        as_pair_rows,
        label_candidates,
        select_pseudo_pairs,
        unmatched_sentences,
    )
    from skillx.training import read_pairs

    taxonomy = skillx.load_taxonomy(args.esco)
    if args.scores and args.scores.is_file():
        labels = pd.read_parquet(args.scores)
    else:
        matched = set(read_pairs(args.pairs)["sentence"])
        candidates, _ = unmatched_sentences(args.corpus, matched, lines=args.lines, seed=args.seed)
        print(f"{len(candidates):,} candidate sentences without a literal match", file=sys.stderr)
        teachers = [SemanticRanker.from_pretrained(t, taxonomy=taxonomy) for t in args.teacher]
        labels = label_candidates(candidates, teachers)
        if args.scores:
            labels.to_parquet(args.scores, index=False)
    if args.agree:  # agreement of the first N teachers only
        teacher_of = {c: c.rsplit("_", 1)[-1] for c in labels.columns if c.startswith(("uri_", "score_"))}
        labels = labels.drop(columns=[c for c, t in teacher_of.items() if int(t) >= args.agree])
    chosen = select_pseudo_pairs(labels, min_score=args.min_score, per_skill=args.per_skill, seed=args.seed)
    pairs = as_pair_rows(chosen)
    pairs.to_parquet(args.out, index=False)
    print(
        f"{len(pairs):,} pseudo pairs over {pairs['uri'].nunique():,} skills "
        f"(of {len(labels):,} candidates) -> {args.out}",
        file=sys.stderr,
    )
    for uri, n in pairs["uri"].value_counts().head(15).items():
        print(f"  {n:>4}  {taxonomy[uri].preferred_label}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

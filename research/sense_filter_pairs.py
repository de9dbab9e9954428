"""Drop distant-supervision pairs whose sentence means another sense of the matched label.

A literal match pairs every job-ad sentence that writes "chef" with the ESCO skill `Chef`
(a configuration-management tool), every "Tracey Sparks" with `SPARK`, every python in a zoo
with `Python`. Trained on such pairs, the encoder learns the wrong sense itself, and then no
gate on its own score can undo it at inference (`sense_gate.py`). This filter asks an encoder
that has *not* been trained on the pairs (the bundled base encoder by default) whether the
sentence agrees with the skill: a pair is kept only if that encoder ranks the skill among the
`--max-rank` best of all ESCO skills for the sentence. With `--judge siblings` it asks about the
skill's ESCO siblings instead (skills sharing a broader concept, which do not carry the matched
word): a pair is kept if one of them ranks among the `--max-rank` best (a skill without siblings
keeps its pairs). That is the judge `skillx.fusion`'s sense check uses at inference.
`--exempt-transversal` keeps every pair of an ESCO transversal skill ("team-working",
"leadership"): their siblings are other attitudes, which the judge ranks low for right pairs too.

It writes the kept pairs (same columns, same order) and prints how many were dropped, the
surface forms losing the most pairs, and a few dropped sentences per form, so the cut can be
read by hand. Train on the output with `skillx train` as `make model` does.

    python research/sense_filter_pairs.py PAIRS.parquet --output pairs-sense.parquet --max-rank 50
    python research/sense_filter_pairs.py PAIRS.parquet --output pairs-sib.parquet --judge siblings \
        --max-rank 100 --ranks sibling-ranks.npy
    python research/sense_filter_pairs.py PAIRS.parquet --output pairs-sib-xt.parquet --judge siblings \
        --max-rank 500 --exempt-transversal --ranks sibling-ranks.npy   # reuses the ranks
    python research/sense_filter_pairs.py PAIRS.parquet --output pairs-form-xt.parquet --judge siblings \
        --max-rank 500 --exempt-transversal --by-form 20 --ranks sibling-ranks.npy

`--by-form N` judges (surface form, skill) groups of at least N pairs instead: a group goes
when at least half its pairs fail, every other pair stays.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd
from _common import SHARED


def pair_ranks(pairs: pd.DataFrame, extractor, *, block: int = 2048, siblings=None) -> np.ndarray:
    """Per pair: how many skills the encoder scores strictly above the pair's skill.

    With `siblings` (per skill position, its siblings' positions: `skillx.fusion.sibling_positions`),
    the same count for the skill's best-scored sibling instead; -1 for a skill without siblings.
    """
    uris = extractor.ranker.index.uris
    position = {u: i for i, u in enumerate(uris)}
    sentences = pairs["sentence"].drop_duplicates().tolist()
    row_of = {s: i for i, s in enumerate(sentences)}
    sent_rows = pairs["sentence"].map(row_of).to_numpy()
    skill_cols = pairs["uri"].map(position).to_numpy()
    ranks = np.full(len(pairs), -1, dtype=np.int64)
    order = np.argsort(sent_rows, kind="stable")
    from tqdm import tqdm

    start = 0
    for a in tqdm(range(0, len(sentences), block), desc="ranking pairs", unit="block"):
        scores = extractor.score_sentences(sentences[a : a + block])
        end = start
        while end < len(order) and sent_rows[order[end]] < a + block:
            end += 1
        ascending: dict[int, np.ndarray] = {}  # block row -> its scores sorted, for the counts
        for p in order[start:end]:
            col = skill_cols[p]
            if col != col:  # NaN: a URI outside this taxonomy (kept, rank -1)
                continue
            judged = np.array([int(col)]) if siblings is None else siblings[int(col)]
            if len(judged) == 0:
                continue
            r = sent_rows[p] - a
            if r not in ascending:
                ascending[r] = np.sort(scores[r])
            above = len(ascending[r]) - np.searchsorted(ascending[r], scores[r][judged], side="right")
            ranks[p] = int(above.min())
        start = end
    return ranks


def keep_by_form(pairs: pd.DataFrame, keep: np.ndarray, ranks: np.ndarray, min_pairs: int) -> np.ndarray:
    """Per pair: False if its (surface form, skill) group has >= `min_pairs` judged pairs and at
    least half of them fail (`keep` False), else True.

    One pair's verdict is noisy (a right hit in a long list of requirements fails too); most of
    a form's pairs failing marks a wrong sense the corpus repeats ("chef" the cook).
    """
    judged = pd.Series(ranks >= 0, index=pairs.index)
    group = [pairs["surface_form"].str.casefold(), pairs["uri"]]
    failing = (judged & ~pd.Series(keep, index=pairs.index)).groupby(group).transform("sum")
    size = judged.groupby(group).transform("sum")
    return ~((size >= min_pairs) & (2 * failing >= size)).to_numpy()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("pairs", type=Path)
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--max-rank", type=int, default=50, help="Keep a pair if its skill ranks below this.")
    parser.add_argument(
        "--model", default="base", help="The judging encoder (not the one trained on the pairs)."
    )
    parser.add_argument(
        "--judge",
        choices=("skill", "siblings"),
        default="skill",
        help="Rank the pair's skill itself, or its best ESCO sibling.",
    )
    parser.add_argument(
        "--exempt-transversal",
        action="store_true",
        help="Keep every pair of an ESCO transversal skill (its siblings are other attitudes that "
        "no concrete sentence ranks high, so the sibling judge drops right pairs).",
    )
    parser.add_argument(
        "--by-form",
        type=int,
        default=None,
        metavar="MIN_PAIRS",
        help="Judge (surface form, skill) groups instead of pairs: drop every pair of a group of at "
        "least MIN_PAIRS pairs of which at least half fail the judge, keep every other pair.",
    )
    parser.add_argument("--esco", type=Path, default=SHARED / "esco")
    parser.add_argument("--ranks", type=Path, help="Keep (or reuse) the per-pair ranks here (.npy).")
    parser.add_argument("--show", type=int, default=25, help="Surface forms to print.")
    args = parser.parse_args()

    import skillx

    pairs = pd.read_parquet(args.pairs)
    taxonomy = skillx.load_taxonomy(args.esco)
    if args.ranks and args.ranks.exists():
        ranks = np.load(args.ranks)
    else:
        from skillx.fusion import sibling_positions

        extractor = skillx.load(args.model, taxonomy=taxonomy)
        siblings = sibling_positions(taxonomy) if args.judge == "siblings" else None
        ranks = pair_ranks(pairs, extractor, siblings=siblings)
        if args.ranks:
            np.save(args.ranks, ranks)
    keep = ranks < args.max_rank  # -1 (unknown skill, or no siblings to ask) is kept
    if args.by_form is not None:
        keep = keep_by_form(pairs, keep, ranks, args.by_form)
    if args.exempt_transversal:
        transversal = {skill.uri for skill in taxonomy.skills if skill.reuse_level == "transversal"}
        keep |= pairs["uri"].isin(transversal).to_numpy()
    kept = pairs[keep].reset_index(drop=True)
    kept.to_parquet(args.output, index=False)
    dropped = pairs[~keep].assign(rank=ranks[~keep])
    forms = (
        pairs.assign(dropped=~keep)
        .groupby(pairs["surface_form"].str.casefold())["dropped"]
        .agg(["sum", "size"])
    )
    forms = forms.sort_values("sum", ascending=False).head(args.show)
    print(
        f"{args.output}: kept {len(kept):,} of {len(pairs):,} pairs ({len(kept) / len(pairs):.1%}), "
        f"{kept['uri'].nunique():,} of {pairs['uri'].nunique():,} skills; "
        f"judge {args.model} ({args.judge}), max rank {args.max_rank}"
        + (", transversal skills exempt" if args.exempt_transversal else "")
        + (f", by (form, skill) groups of >= {args.by_form} pairs" if args.by_form is not None else "")
    )
    print(
        "rank quantiles (25/50/75/90%):", np.percentile(ranks[ranks >= 0], [25, 50, 75, 90]).round().tolist()
    )
    print("\nsurface forms losing the most pairs (dropped / all), with dropped sentences:")
    for form, row in forms.iterrows():
        examples = dropped[dropped["surface_form"].str.casefold() == form]["sentence"].head(2).tolist()
        print(f"- {form!r}: {int(row['sum']):,} / {int(row['size']):,}")
        for s in examples:
            print(f"    {s[:110]}")
    summary = {
        "pairs": len(pairs),
        "kept": len(kept),
        "max_rank": args.max_rank,
        "judge": args.model,
        "ranked": args.judge,
        "exempt_transversal": args.exempt_transversal,
        "by_form": args.by_form,
    }
    args.output.with_suffix(".filter.json").write_text(json.dumps(summary, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

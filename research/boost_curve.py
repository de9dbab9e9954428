"""How sharply does the literal boost that `fit_fusion` picks beat its neighbours?

`fit_fusion` picks the boost (and ambiguous weight) with the best RP@5 over both validation
splits, first on ties. Trained seeds of one configuration got different boosts (0.4 for
the default's seed 42, 0.1 for seeds 43 and 44). If RP@5 is flat across the grid, the pick is
noise, and a boost chosen on one model's 136 sentences can cost the ranks RP@5 does not see
(RP@1). This prints fused RP@1 / RP@5 / RP@10 / MRR per split for each boost of the grid,
for each cached model, with the ambiguous weight and sense check of the model's own fusion.

Example:
    python research/boost_curve.py --cache dec/s42 --model M42 --cache dec/s43 --model M43
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from score_ensemble import per_sentence, scored_model


def main(argv: list[str] | None = None) -> int:
    from skillx.calibration import DEFAULT_BOOSTS

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cache", type=Path, action="append", required=True, help="a model's scores")
    parser.add_argument("--model", action="append", required=True, help="each --cache's model (its fusion)")
    parser.add_argument("--boost", type=float, action="append", default=None, help="boosts (default: grid)")
    args = parser.parse_args(argv)
    if len(args.cache) != len(args.model):
        sys.exit(f"Give one --model per --cache ({len(args.cache)} caches, {len(args.model)} models).")
    boosts = args.boost or list(DEFAULT_BOOSTS)
    print("| model | fitted boost | boost | split | RP@1 | RP@5 | RP@10 | MRR |")
    print("|---|---|---|---|---|---|---|---|")
    for cache, model in zip(args.cache, args.model, strict=True):
        scored, fusion, rows, split_of = scored_model(cache, model)
        for boost in boosts:
            m = per_sentence(scored.semantic, scored, replace(fusion, literal_boost=boost), rows)
            for split in dict.fromkeys(split_of):
                rp1, rp5, rp10, mrr = 100 * m[split_of == split].mean(axis=0)
                print(f"| {Path(model).name} | {fusion.literal_boost} | {boost} | {split.split('_')[0]} | "
                      f"{rp1:.1f} | {rp5:.1f} | {rp10:.1f} | {mrr:.1f} |")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Do averaged scores beat one model: several training seeds, or the untrained base encoder?

Two questions on cached score matrices (`benchmarks/decisions.py --model M --cache DIR` writes
them; all caches must hold the same sentences scored against the same taxonomy):

* **Seed ensemble** (`--cache` and `--model` once per member): the seed alone moves RP@5 by
  about 5 TECH points, and averaging *weights* ("soups") landed at the seeds' mean. Averaging
  the members' *scores* removes seed noise instead of averaging it. Each member is scored with
  its own fitted fusion; the mean of their cosines with a boost fitted the same way
  (`skillx.calibration.fit_fusion`, on the same validation sentences). The bootstrap compares
  the ensemble with the seed-averaged single models, sentence by sentence, and with
  the first member alone (the model a user would otherwise get).
* **Base mix** (`--base DIR --w W`): for skills without training pairs the trained encoder does
  worse than the base encoder it started from (research/results.md, "Which gold skills are
  missed?"), and averaging weights towards it (WiSE-FT) lowered RP@5. This mixes the scores,
  ``(1 - w) * trained + w * base``, fused with the first member's fusion, against w = 0.

Prints RP@1 / RP@5 / RP@10 / MRR per split for the semantic ranker alone and with literal
fusion, with the paired bootstrap of RP@5. Either way the product would pay one more encoder
pass per sentence for each member or the base encoder.

Examples:
    python research/score_ensemble.py --cache s42/ --model M42 --cache s43/ --model M43 \
        --cache s44/ --model M44
    python research/score_ensemble.py --cache scored/ --model MODEL --base scored-base/ --w 0.1 --w 0.2
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np
from paired_bootstrap import bootstrap_interval
from sense_penalty import per_sentence as metrics  # RP@1, RP@5, RP@10 and MRR of one ranking


def mixed(trained: np.ndarray, base: np.ndarray, w: float) -> np.ndarray:
    """The convex mix of two cosine matrices (same shape), so the fusion boost keeps its scale."""
    if trained.shape != base.shape:
        raise ValueError(f"score matrices differ in shape: {trained.shape} and {base.shape}")
    return (1.0 - w) * trained + w * base


def model_fusion(model: str) -> Any:
    """The fusion a model's skillx.json holds (the bundled default when it has none)."""
    from skillx.fusion import default_fusion
    from skillx.model_dir import read_model_meta

    meta = read_model_meta(model)
    return meta.fusion if meta is not None and meta.fusion is not None else default_fusion()


def scored_model(cache: Path, model: str) -> tuple[Any, Any, list[int], np.ndarray]:
    """A model's cached scores, its fusion, the sentences with gold skills and their split names."""
    from skillx.calibration import ScoredSentences

    if not (cache / "sentences.json").is_file():
        sys.exit(f"No scored sentences in {cache}: run benchmarks/decisions.py --model M --cache DIR.")
    scored = ScoredSentences.load(cache)
    rows = [i for i, g in enumerate(scored.gold) if g]
    return scored, model_fusion(model), rows, np.array([scored.split[i] for i in rows])


def per_sentence(semantic: np.ndarray, scored: Any, params: Any, rows: list[int]) -> np.ndarray:
    """RP@1, RP@5, RP@10 and MRR of each of `rows` (one row each) under `params`."""
    from skillx.fusion import fused_scores, rank_positions

    skills = scored.skill_features()
    out = []
    for i in rows:
        raw = fused_scores(semantic[i], scored.evidence[i], params, skills=skills)
        out.append(metrics(rank_positions(raw, 10), set(scored.gold[i])))
    return np.array(out)


def report(name: str, label: str, m: np.ndarray, splits: list[str], split_of: np.ndarray,
           against: np.ndarray | None) -> None:  # fmt: skip
    """One table row per split; the RP@5 bootstrap against `against` (same rows) when given."""
    for split in splits:
        ids = split_of == split
        cell = ""
        if against is not None:
            mean, lo, hi = bootstrap_interval(m[ids, 1] - against[ids], resamples=1000, seed=0)
            cell = f"{100 * mean:+.1f} [{100 * lo:+.1f}, {100 * hi:+.1f}]"
        rp1, rp5, rp10, mrr = 100 * m[ids].mean(axis=0)
        values = f"{rp1:.1f} | {rp5:.1f} | {rp10:.1f} | {mrr:.1f}"
        print(f"| {name} | {label} | {split.split('_')[0]} | {values} | {cell} |")


def main(argv: list[str] | None = None) -> int:
    from skillx.calibration import fit_fusion
    from skillx.fusion import FusionParams

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cache", type=Path, action="append", required=True, help="a member's scores")
    parser.add_argument("--model", action="append", required=True, help="each --cache's model (its fusion)")
    parser.add_argument("--base", type=Path, default=None, help="the sentences scored by the base encoder")
    parser.add_argument("--w", type=float, action="append", default=None, help="base encoder weights to try")
    args = parser.parse_args(argv)
    if len(args.cache) != len(args.model):
        sys.exit(f"Give one --model per --cache ({len(args.cache)} caches, {len(args.model)} models).")
    loaded = [scored_model(c, m) for c, m in zip(args.cache, args.model, strict=True)]
    members, fusions = [m[0] for m in loaded], [m[1] for m in loaded]
    first, _, rows, split_of = loaded[0]
    base = scored_model(args.base, "base")[0] if args.base else None
    if any(s.texts != first.texts for s in [*members, *([base] if base else [])]):
        sys.exit("The caches hold different sentences: score the same --data with every model.")
    splits = list(dict.fromkeys(split_of))
    semantic_only = FusionParams(literal_boost=0.0)
    print("| ranker | scores | split | RP@1 | RP@5 | RP@10 | MRR | RP@5 against the reference [95%] |")
    print("|---|---|---|---|---|---|---|---|")
    if len(members) > 1:
        mean = np.mean([s.semantic for s in members], axis=0)
        boost = fit_fusion(mean, first.evidence, [set(g) for g in first.gold], skills=first.skill_features())
        for name, ens_params in (("semantic", semantic_only), ("fused", boost)):
            singles = [
                per_sentence(s.semantic, s, semantic_only if name == "semantic" else f, rows)
                for s, f in zip(members, fusions, strict=True)
            ]  # fmt: skip
            for j, m in enumerate(singles):
                report(name, f"member {j + 1} ({args.model[j]})", m, splits, split_of, None)
            seed_mean = np.mean(singles, axis=0)
            report(name, "members' mean", seed_mean, splits, split_of, None)
            label = "ensemble" + (f" (boost {ens_params.literal_boost})" if name == "fused" else "")
            ensemble = per_sentence(mean, first, ens_params, rows)
            report(name, label + " against the mean", ensemble, splits, split_of, seed_mean[:, 1])
            report(name, label + " against member 1", ensemble, splits, split_of, singles[0][:, 1])
    if base is not None:
        for name, params in (("semantic", semantic_only), ("fused", fusions[0])):
            reference = per_sentence(first.semantic, first, params, rows)
            report(name, "w 0", reference, splits, split_of, None)
            for w in args.w or [0.1, 0.2, 0.3]:
                m = per_sentence(mixed(first.semantic, base.semantic, w), first, params, rows)
                report(name, f"w {w}", m, splits, split_of, reference[:, 1])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

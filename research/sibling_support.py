"""Does the ESCO neighbourhood's agreement improve the ranking (sibling support)?

A skill that fits a sentence usually brings its ESCO siblings (skills under the same broader
concept) up with it: "Python and Django" scores other programming languages too. A skill that
ranks high on one word alone does not: for "Head chef wanted for our busy kitchen." the
trained encoder ranks `Chef` (a configuration-management tool) first, while its siblings (the
other software tools) are nowhere. This re-ranks each sentence's best `--pool` candidates by

    score'(s) = score(s) + lam * support(s),   support(s) = mean of the top `--top` sibling cosines

(a skill without siblings supports itself), for the semantic ranker alone and with literal
fusion (the model's boost and sense check), and prints RP@5/RP@10/MRR per split with the paired
bootstrap of RP@5 against lam = 0.

Example:
    python research/sibling_support.py --cache scored/ --model MODEL --lam 0.1 --lam 0.2 --lam 0.3
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import numpy as np
from _common import add_scored_sentence_args
from paired_bootstrap import bootstrap_interval
from sense_penalty import per_sentence as metrics  # RP@1, RP@5, RP@10 and MRR of one ranking


def support(
    semantic: np.ndarray, candidates: np.ndarray, siblings: tuple[np.ndarray, ...], top: int
) -> np.ndarray:
    """Mean of the `top` highest sibling cosines of each candidate (its own cosine without siblings)."""
    out = np.empty(len(candidates), dtype=np.float64)
    for i, pos in enumerate(candidates):
        sib = siblings[pos] if pos < len(siblings) else ()
        if len(sib) == 0:
            out[i] = semantic[pos]
            continue
        scores = semantic[sib]
        k = min(top, len(scores))
        out[i] = float(np.mean(np.partition(scores, len(scores) - k)[-k:]))
    return out


def reranked(
    raw: np.ndarray, semantic: np.ndarray, siblings: Any, lam: float, pool: int, top: int
) -> list[int]:
    """The sentence's best 10 positions after adding `lam` x support within the best `pool`."""
    cand = np.argpartition(-raw, pool - 1)[:pool]
    score = raw[cand] + lam * support(semantic, cand, siblings, top) if lam else raw[cand]
    order = np.lexsort((cand, -score))
    return cand[order][:10].tolist()


def main(argv: list[str] | None = None) -> int:
    from skillx.calibration import ScoredSentences
    from skillx.fusion import FusionParams, default_fusion, fused_scores
    from skillx.model_dir import read_model_meta

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_scored_sentence_args(parser)
    parser.add_argument("--lam", type=float, action="append", default=None, help="support weights to try")
    parser.add_argument("--top", type=int, default=3, help="sibling cosines averaged into the support")
    parser.add_argument("--pool", type=int, default=256, help="candidates re-ranked per sentence")
    args = parser.parse_args(argv)
    if not (args.cache / "sentences.json").is_file():
        sys.exit(
            f"No scored sentences in {args.cache}: run benchmarks/decisions.py --model MODEL --cache DIR."
        )
    scored = ScoredSentences.load(args.cache)
    if not scored.siblings:
        sys.exit("This cache has no siblings: score it again with the current skillx.")
    meta = read_model_meta(args.model) if args.model not in (None, "base") else None
    fusion = meta.fusion if meta is not None and meta.fusion is not None else default_fusion()
    skills = scored.skill_features()
    lams = [0.0, *(args.lam or [0.1, 0.2, 0.3])]
    rows = [i for i, g in enumerate(scored.gold) if g]
    rankers = {"semantic": FusionParams(literal_boost=0.0), "fused": fusion}
    print(f"model {args.model}; boost {fusion.literal_boost}; pool {args.pool}; "
          f"support = mean of top {args.top}")  # fmt: skip
    print("| ranker | lam | split | RP@5 | RP@10 | MRR | RP@5 against lam 0 [95%] |")
    print("|---|---|---|---|---|---|---|")
    for name, params in rankers.items():
        raws = {i: fused_scores(scored.semantic[i], scored.evidence[i], params, skills=skills) for i in rows}
        base: dict[str, np.ndarray] = {}
        for lam in lams:
            per = {
                i: metrics(reranked(raws[i], scored.semantic[i], scored.siblings, lam, args.pool, args.top),
                           set(scored.gold[i]))
                for i in rows
            }  # fmt: skip
            for split in dict.fromkeys(scored.split):
                ids = [i for i in rows if scored.split[i] == split]
                m = np.array([per[i] for i in ids])
                if lam == 0:
                    base[split] = m[:, 1]
                    against = ""
                else:
                    _, lo, hi = bootstrap_interval(m[:, 1] - base[split], resamples=1000, seed=0)
                    delta = 100 * (m[:, 1].mean() - base[split].mean())
                    against = f"{delta:+.1f} [{100 * lo:+.1f}, {100 * hi:+.1f}]"
                _, rp5, rp10, mrr = 100 * m.mean(axis=0)
                short = split.split("_")[0]
                print(f"| {name} | {lam} | {short} | {rp5:.1f} | {rp10:.1f} | {mrr:.1f} | {against} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

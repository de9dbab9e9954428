"""Should a literal hit in another sense count *against* its skill?

The sense check (`skillx.fusion.agrees_with_sentence`) takes the boost away from a hit whose
skill's ESCO siblings are nowhere near the sentence ("Head chef wanted for our busy kitchen."
names `Chef`, a configuration-management tool). The skill keeps its cosine, which the matched
word inflates, and a model trained on literal pairs has learned the wrong sense as well: the
default model still ranks `Chef` first for that sentence. This subtracts `penalty` x the boost
the hit would have had from such a skill's score (an ambiguous form's weight applies as
well), and reports per split RP@1/5/10 and MRR, fused, with the paired bootstrap of RP@5
against no penalty and the number of sentences whose top 5 changes; then the probe
sentences through the model's ranking.

Example:
    python research/sense_penalty.py --cache scored/ --model MODEL --penalty 0.5 --penalty 1
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
from _common import add_scored_sentence_args
from paired_bootstrap import bootstrap_interval

PROBES = (
    "Head chef wanted for our busy kitchen.",
    "Our chef prepares fresh pasta every morning.",
    "Care for the python and other reptiles in our zoo.",
    "Spark plug replacement and engine servicing.",
    "Experience with Chef and Puppet for configuration management.",
    "Python and Django experience required.",
    "You know Spark and Scala.",
)


def penalised_scores(
    semantic: np.ndarray, evidence: Sequence[Any], params: Any, skills: Any, penalty: float
) -> np.ndarray:
    """`skillx.fusion.fused_scores`, minus `penalty` x the hit's boost for hits in another sense."""
    from skillx.fusion import agrees_with_sentence, best_evidence, fused_scores

    raw = fused_scores(semantic, evidence, params, skills=skills)
    if not penalty or not skills.siblings:
        return raw
    agreed = {
        ev.position for ev in agrees_with_sentence(evidence, semantic, skills.siblings, params.sibling_rank)
    }
    failed = [ev for ev in evidence if ev.position not in agreed]
    for pos, ev in best_evidence(failed, params).items():  # strongest failed hit per skill
        raw[pos] -= penalty * params.literal_weight(ev)
    return raw


def per_sentence(ranked: list[int], gold: set[int]) -> tuple[float, float, float, float]:
    from skillx.evaluation.metrics import r_precision_at_k

    first = next((r for r, p in enumerate(ranked) if p in gold), None)
    mrr = 0.0 if first is None else 1.0 / (first + 1)
    rp1, rp5, rp10 = (r_precision_at_k(ranked, gold, k) for k in (1, 5, 10))
    return rp1, rp5, rp10, mrr


def main(argv: list[str] | None = None) -> int:
    from skillx.calibration import ScoredSentences
    from skillx.fusion import default_fusion, rank_positions
    from skillx.loading import load
    from skillx.text import Sentence

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_scored_sentence_args(parser)
    parser.add_argument("--penalty", type=float, action="append", default=None, help="penalties to try")
    parser.add_argument("--sibling-rank", type=int, default=None, help="sense check (default: the model's)")
    args = parser.parse_args(argv)
    if not (args.cache / "sentences.json").is_file():
        sys.exit(
            f"No scored sentences in {args.cache}: run benchmarks/decisions.py --model MODEL --cache DIR."
        )
    scored = ScoredSentences.load(args.cache)
    extractor = load(args.model or "base", taxonomy=args.esco)
    params = extractor.fusion if args.model not in (None, "base") else default_fusion()
    if args.sibling_rank is not None:
        params = replace(params, sibling_rank=args.sibling_rank)
        extractor.fusion = params
    skills = scored.skill_features()
    penalties = [0.0, *(args.penalty or [0.5, 1.0])]
    rows = [i for i, g in enumerate(scored.gold) if g]
    print(f"model {args.model or 'base'}; boost {params.literal_boost}; sibling rank {params.sibling_rank}")
    print("| penalty | split | RP@1 | RP@5 | RP@10 | MRR | RP@5 against 0 [95%] | top 5 changed |")
    print("|---|---|---|---|---|---|---|---|")
    tops0: dict[int, list[int]] = {}
    rp5_0: dict[int, float] = {}
    for penalty in penalties:
        tops = {
            i: rank_positions(
                penalised_scores(scored.semantic[i], scored.evidence[i], params, skills, penalty), 10
            )
            for i in rows
        }
        if penalty == 0:
            tops0 = tops
        for split in dict.fromkeys(scored.split):
            ids = [i for i in rows if scored.split[i] == split]
            m = np.array([per_sentence(tops[i], set(scored.gold[i])) for i in ids])
            if penalty == 0:
                rp5_0.update({i: m[j, 1] for j, i in enumerate(ids)})
                against, changed = "", ""
            else:
                diff = m[:, 1] - np.array([rp5_0[i] for i in ids])
                _, lo, hi = bootstrap_interval(diff, resamples=1000, seed=0)
                against = f"{100 * diff.mean():+.1f} [{100 * lo:+.1f}, {100 * hi:+.1f}]"
                changed = str(sum(tops[i][:5] != tops0[i][:5] for i in ids))
            rp1, rp5, rp10, mrr = 100 * m.mean(axis=0)
            short = split.split("_")[0]
            cells = f"{rp1:.1f} | {rp5:.1f} | {rp10:.1f} | {mrr:.1f} | {against} | {changed}"
            print(f"| {penalty} | {short} | {cells} |")

    print("\nProbes, top 3 of the fused ranking:")
    semantic = extractor.score_sentences(list(PROBES))
    live = extractor.skill_features
    for text, sem in zip(PROBES, semantic, strict=True):
        evidence = list(extractor.literal_evidence(Sentence(text, 0, len(text))))
        for penalty in penalties:
            top = rank_positions(penalised_scores(sem, evidence, params, live, penalty), 3)
            labels = ", ".join(extractor.taxonomy.skills[p].preferred_label for p in top)
            print(f"  {text[:48]!r:52s} penalty {penalty}: {labels}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Does diversifying the top k help? Maximal marginal relevance (MMR) over the semantic ranking.

For each benchmark sentence the top `--pool` skills of MODEL's semantic ranker are re-ordered
greedily: the next skill maximises ``lam * cosine(sentence, skill) - (1 - lam) * max cosine
(skill, skills already picked)``, with the skill embeddings of the model's index. ``lam = 1``
is the plain ranking. Prints RP@5 / RP@10 / MRR per lambda (research/results.md).

Example:
    python research/diversify_top_k.py --model ~/.cache/skillx/models/default --lam 1 --lam 0.9 --lam 0.8
"""

from __future__ import annotations

import argparse
from pathlib import Path

from _common import DEFAULT_DATA, SHARED


def mmr_order(scores, skill_embeddings, *, lam: float, pool: int, k: int) -> list[int]:
    """Column indices of the top `k` skills of one score row, picked greedily by MMR."""
    import numpy as np

    candidates = [int(j) for j in np.argsort(-scores, kind="stable")[:pool]]
    picked: list[int] = []
    while candidates and len(picked) < k:
        if picked:
            redundancy = (skill_embeddings[candidates] @ skill_embeddings[picked].T).max(axis=1)
            gain = lam * scores[candidates] - (1.0 - lam) * redundancy
            best = candidates[int(np.argmax(gain))]
        else:
            best = candidates[0]
        picked.append(best)
        candidates.remove(best)
    return picked


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", required=True, help="skillx model directory, or 'base' (zero-shot).")
    parser.add_argument("--data", type=Path, action="append", help="Benchmark CSV (repeatable).")
    parser.add_argument("--esco", type=Path, default=SHARED / "esco", help="ESCO CSV folder.")
    parser.add_argument(
        "--lam", type=float, action="append", help="MMR lambda (repeatable; default 1, 0.9, 0.8, 0.7)."
    )
    parser.add_argument("--pool", type=int, default=50, help="Candidates re-ordered per sentence.")
    args = parser.parse_args(argv)

    import numpy as np

    import skillx
    from skillx.evaluation import evaluate_rankings, load_benchmark
    from skillx.ranker import SemanticRanker

    taxonomy = skillx.load_taxonomy(args.esco)
    ranker = SemanticRanker.from_pretrained(None if args.model == "base" else args.model, taxonomy=taxonomy)
    if ranker.index.n_texts != ranker.index.n_skills:
        parser.error("the model's index has several texts per skill; MMR needs one embedding per skill")
    skills = np.asarray(ranker.index.embeddings, dtype=np.float32)
    uris = taxonomy.uris
    for path in args.data or DEFAULT_DATA:
        benchmark = load_benchmark(path, taxonomy)
        scores = ranker.score_matrix(list(benchmark.sentences))
        for lam in args.lam or [1.0, 0.9, 0.8, 0.7]:
            rankings = [
                [uris[j] for j in mmr_order(row, skills, lam=lam, pool=args.pool, k=10)] for row in scores
            ]
            m = evaluate_rankings(rankings, benchmark.gold)
            print(
                f"{benchmark.name:<18} lambda {lam:.2f}  RP@5 {m['rp@5']:.3f}  RP@10 {m['rp@10']:.3f}  "
                f"MRR {m['mrr']:.3f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

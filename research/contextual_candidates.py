"""Contextual scoring on the pooled top N only: how much ranking does it keep, how much time does it save?

The attention term costs one ``tokens x skill texts`` product per sentence, most of it on skills
the pooled cosine already ranks far down. This script scores the validation splits with the
attention computed for each sentence's N best skill texts by pooled cosine only (the others keep
their pooled cosine in the attention's place) and compares, per N: the share of sentences whose
top 5 equals the full computation's, RP@5 of the semantic ranking, and the attention time
(`skillx.contextual.attention_block_scores`, as the ranker runs it, one sentence at a time).

Example:
    python research/contextual_candidates.py --model MODEL --candidates 100 300 1000 3000
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from _common import DEFAULT_DATA, SHARED


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", required=True, help="skillx model directory.")
    parser.add_argument("--candidates", type=int, nargs="+", default=[100, 300, 1000, 3000])
    parser.add_argument("--data", type=Path, action="append", help="Benchmark CSV (repeatable).")
    parser.add_argument("--esco", type=Path, default=SHARED / "esco")
    parser.add_argument("--k", type=int, default=5)
    args = parser.parse_args(argv)

    import skillx
    from skillx.contextual import ContextualScoring, attention_block_scores
    from skillx.encoder import encode_with_tokens
    from skillx.evaluation import load_benchmark
    from skillx.evaluation.metrics import r_precision_at_k

    taxonomy = skillx.load_taxonomy(args.esco)
    ranker = skillx.load(args.model, taxonomy=taxonomy, scoring="contextual").ranker
    assert ranker is not None and ranker.contextual is not None
    weight, tau = ranker.contextual.pooled_weight, ranker.contextual.tau
    texts = ranker.index.embeddings
    uris = taxonomy.uris
    settings = [0, *sorted(args.candidates)]  # 0: every text
    # the product's own computation (`attention_block_scores`), one sentence at a time
    scorings = {n: ContextualScoring(tau=tau, pooled_weight=weight, candidates=n) for n in settings}
    agree = {n: 0 for n in settings}
    seconds = {n: 0.0 for n in settings}
    rp: dict[int, dict[str, list[float]]] = {n: {} for n in settings}
    gaps: list[float] = []
    total = 0
    for path in args.data or DEFAULT_DATA:
        bench = load_benchmark(path, taxonomy)
        pooled, tokens = encode_with_tokens(ranker.encoder, list(bench.sentences))
        # the pooled cosine serves the pooled term as well, so the product computes it anyway
        texts_cosine = pooled @ texts.T
        skill_cosine = ranker.index.aggregate_texts(texts_cosine)
        for row, (token_rows, gold) in enumerate(zip(tokens, bench.gold, strict=True)):
            total += 1
            full_top: list[int] = []
            for n in settings:
                start = time.perf_counter()
                row_cosine = texts_cosine[row : row + 1]
                attention = attention_block_scores(row_cosine, [token_rows], texts, scorings[n])[0]
                seconds[n] += time.perf_counter() - start
                mixed = weight * skill_cosine[row] + (1.0 - weight) * ranker.index.aggregate_texts(attention)
                top = list(np.argsort(-mixed, kind="stable")[: args.k])
                if n == 0:
                    full_top = top
                    gaps.append(float(np.median(attention - texts_cosine[row])))
                agree[n] += top == full_top
                rp[n].setdefault(bench.name, []).append(
                    float(r_precision_at_k([uris[j] for j in top], gold, args.k))
                )
    print(f"model {args.model}: {texts.shape[0]} skill texts, {total} sentences")
    print(f"median over sentences of median(attention - pooled cosine) per text: {np.median(gaps):+.3f}")
    names = sorted(rp[0])
    print("candidates  same top-5  " + "  ".join(f"{n:>18}" for n in names) + "  attention ms/sentence")
    for n in settings:
        cells = "  ".join(f"{100 * np.mean(rp[n][name]):18.1f}" for name in names)
        label = "all" if n == 0 else str(n)
        print(f"{label:>10}  {100 * agree[n] / total:9.1f}%  {cells}  {1000 * seconds[n] / total:8.2f}")


if __name__ == "__main__":
    main()

"""Does scoring skills against a sentence's tokens (attention) beat the pooled sentence vector?

Mean-pooling a sentence into one vector blurs sentences that name several skills. Contextual
scoring keeps the encoder's token embeddings h_t (unit length) and scores a skill embedding q
by attention over them:

    a_t = q . h_t,   w = softmax_t(a_t / tau),   score_att(q) = sum_t w_t a_t

and mixes it with the pooled cosine: ``alpha * cos(q, mean) + (1 - alpha) * score_att``
(alpha = 1 is the shipped semantic ranker), and also with the model's literal boost added on
top (``fused``: the ranking `skillx.load` gives, with the boost fitted for pooled cosines).
This script measures the scorer at *inference*
only, on an encoder trained with the pooled objective: a gain here says the token embeddings
already carry per-skill evidence that pooling loses; no gain leaves training it (the issue's
full version) as the open question. Special tokens ([CLS], [SEP]) are left out of the attention.

It prints RP@5 per split for every (tau, alpha), then the paired bootstrap (per sentence,
both splits) of the best mix on the two splits together against alpha = 1. The grid is chosen
on the same validation sentences it is measured on: read a small best-of-grid gain as noise.

    python research/token_attention.py --model MODEL_DIR [--tau 0.05 --tau 0.1] [--alpha 0.5]

``--per-sentence-out DIR`` keeps every cell's per-sentence RP@K as
``DIR/<model>-tau<T>-alpha<A>-<semantic|fused>.json``, the format ``paired_bootstrap.py`` reads,
so that two models (each with its own scoring) can be compared sentence by sentence.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from _common import DEFAULT_DATA, SHARED
from paired_bootstrap import bootstrap_interval


def attention_scores(tokens: np.ndarray, ranker, tau: float) -> np.ndarray:
    """score_att of every skill for one sentence's unit token embeddings ``(L, dim)``.

    The product's own scorer (`skillx.contextual.attention_text_scores`), aggregated over a
    skill's texts as the model's skill index aggregates cosines.
    """
    from skillx.contextual import attention_text_scores

    return ranker.index.aggregate_texts(attention_text_scores(tokens, ranker.index.embeddings, tau))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", required=True, help="skillx model directory, or 'base'.")
    parser.add_argument("--data", type=Path, action="append", help="Benchmark CSV (repeatable).")
    parser.add_argument("--esco", type=Path, default=SHARED / "esco")
    parser.add_argument("--tau", type=float, action="append", help="Attention temperature(s).")
    parser.add_argument("--alpha", type=float, action="append", help="Weight(s) of the pooled cosine.")
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--resamples", type=int, default=10_000)
    parser.add_argument("--per-sentence-out", type=Path, help="Folder for per-sentence result files.")
    args = parser.parse_args(argv)
    taus = args.tau or [0.02, 0.05, 0.1]
    alphas = sorted(set(args.alpha or [1.0, 0.75, 0.5, 0.25, 0.0]) | {1.0}, reverse=True)

    import skillx
    from skillx.evaluation import load_benchmark
    from skillx.evaluation.metrics import r_precision_at_k
    from skillx.fusion import fused_scores
    from skillx.text import Sentence

    taxonomy = skillx.load_taxonomy(args.esco)
    extractor = skillx.load(args.model, taxonomy=taxonomy)
    ranker = extractor.ranker
    assert ranker is not None
    uris = taxonomy.uris
    # (tau, alpha, fused) -> split -> per-sentence RP@K
    results: dict[tuple[float, float, bool], dict[str, list[float]]] = {}
    per_sentence: dict[tuple[float, float, bool], dict[str, dict[str, float]]] = {}
    extra_seconds = 0.0
    n_sentences = 0
    for path in args.data or DEFAULT_DATA:
        benchmark = load_benchmark(path, taxonomy)
        sentences = list(benchmark.sentences)
        pooled = ranker.score_matrix(sentences)
        evidence = [extractor.literal_evidence(Sentence(text, 0, len(text))) for text in sentences]
        token_sets = ranker.encoder.encode(sentences, output_value="token_embeddings", convert_to_numpy=False)
        n_sentences += len(sentences)
        for tau in taus:
            start = time.perf_counter()
            attention = np.empty_like(pooled)
            for row, tokens in enumerate(token_sets):
                h = tokens.float().cpu().numpy()[1:-1]  # drop [CLS] and [SEP]
                h /= np.linalg.norm(h, axis=1, keepdims=True) + 1e-12
                attention[row] = attention_scores(h, ranker, tau)
            extra_seconds += time.perf_counter() - start
            for alpha in alphas:
                mixed = alpha * pooled + (1.0 - alpha) * attention
                boosted = np.stack(
                    [fused_scores(row, ev, extractor.fusion) for row, ev in zip(mixed, evidence, strict=True)]
                )
                for fused, scores in ((False, mixed), (True, boosted)):
                    top = np.argsort(-scores, axis=1, kind="stable")[:, : args.k]
                    values = [
                        float(r_precision_at_k([uris[j] for j in row], gold, args.k))
                        for row, gold in zip(top, benchmark.gold, strict=True)
                    ]
                    results.setdefault((tau, alpha, fused), {})[benchmark.name] = values
                    per_sentence.setdefault((tau, alpha, fused), {})[benchmark.name] = dict(
                        zip(sentences, values, strict=True)
                    )
    if args.per_sentence_out is not None:
        args.per_sentence_out.mkdir(parents=True, exist_ok=True)
        for (tau, alpha, fused), splits_rows in per_sentence.items():
            kind = "fused" if fused else "semantic"
            name = f"{Path(args.model).name}-tau{tau:g}-alpha{alpha:g}-{kind}.json"
            payload = {"k": args.k, "source": args.model, "tau": tau, "alpha": alpha, "splits": splits_rows}
            (args.per_sentence_out / name).write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    splits = sorted(next(iter(results.values())))
    print(f"RP@{args.k} (x100) of alpha * pooled + (1 - alpha) * attention, model {args.model}")
    print("tau    alpha  ranking  " + "  ".join(f"{name:>16}" for name in splits) + "  mean")
    for (tau, alpha, fused), per_split in results.items():
        means = [100 * np.mean(per_split[name]) for name in splits]
        kind = "fused   " if fused else "semantic"
        cells = "  ".join(f"{m:16.1f}" for m in means)
        print(f"{tau:<6} {alpha:<6} {kind} {cells}  {np.mean(means):.1f}")
    print(
        f"attention scoring cost: {1000 * extra_seconds / (n_sentences * len(taus)):.1f} ms per sentence "
        f"against {ranker.n_skills} skills ({ranker.index.n_texts} texts), numpy on the CPU"
    )
    for fused in (False, True):
        baseline_key = (taus[0], 1.0, fused)
        best = max(
            (key for key in results if key[1] != 1.0 and key[2] == fused),
            key=lambda key: np.mean([np.mean(results[key][name]) for name in splits]),
            default=None,
        )
        if best is None:
            continue
        print(
            f"\npaired bootstrap ({'fused' if fused else 'semantic'}), best mix tau={best[0]} "
            f"alpha={best[1]} minus alpha=1 (pooled):"
        )
        for name in splits:
            diffs = np.array(results[best][name]) - np.array(results[baseline_key][name])
            mean, low, high = bootstrap_interval(diffs, resamples=args.resamples, seed=0)
            print(
                f"  {name:<18} {100 * mean:+.1f} (95% interval {100 * low:+.1f} .. {100 * high:+.1f}), "
                f"sentences that differ: {int(np.count_nonzero(diffs))}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

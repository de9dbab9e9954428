"""Can clause scores come from the sentence's own token vectors instead of re-encoding each clause?

Clause scoring (`skillx.load(clause_margin=0.15)`) encodes every clause of a sentence that lists
several requirements once more, which halves throughput. A contextual model already has the
sentence's token embeddings; a clause can be scored from the tokens inside its span: the mean of
their (unnormalised) vectors as the pooled clause vector, and attention over them, mixed as the
model mixes a sentence. Those tokens saw the whole sentence, so the clause keeps its context.

Semantic ranker alone, validation splits: RP@5 / RP@10 / MRR per split for whole sentences,
re-encoded clauses (the shipped option) and token clauses at each `--margin`, with the paired
bootstrap of token clauses against re-encoded clauses and against whole sentences.

Example:
    python research/token_clauses.py --model ~/.cache/skillx/models/default --margin 0.1 --margin 0.15
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from _common import DEFAULT_DATA
from paired_bootstrap import bootstrap_interval

SHIPPED_MARGIN = 0.15


def clause_spans(text: str, clauses: Sequence[str]) -> list[tuple[int, int]]:
    """Character spans of `clauses` (as `split_clauses` returns them, in order) in `text`."""
    spans, cursor = [], 0
    for clause in clauses:
        start = text.find(clause, cursor)
        if start < 0:
            continue
        spans.append((start, start + len(clause)))
        cursor = start + len(clause)
    return spans


def tokens_in(offsets: np.ndarray, span: tuple[int, int]) -> np.ndarray:
    """Rows of the tokens whose character offsets lie inside `span` (empty tokens left out)."""
    start, end = span
    inside = (offsets[:, 0] >= start) & (offsets[:, 1] <= end) & (offsets[:, 1] > offsets[:, 0])
    return np.flatnonzero(inside)


def token_clause_scores(ranker: Any, text: str) -> np.ndarray | None:
    """Best clause score per skill from the sentence's token vectors; None without clauses."""
    from skillx.contextual import attention_block_scores
    from skillx.encoder import normalize_rows
    from skillx.text import split_clauses

    spans = clause_spans(text, split_clauses(text))
    if len(spans) < 2:
        return None
    encoder = ranker.encoder
    output = encoder.encode([text], output_value=None, show_progress_bar=False)[0]
    n = int(output["attention_mask"].sum())
    states = output["token_embeddings"][:n].float().cpu().numpy()
    encoded = encoder.tokenizer(
        text, return_offsets_mapping=True, truncation=True, max_length=encoder.max_seq_length
    )
    offsets = np.asarray(encoded["offset_mapping"][:n])
    states, offsets = states[1 : n - 1], offsets[1 : n - 1]  # the special tokens carry the whole sentence
    texts = ranker.index.embeddings
    best = None
    for span in spans:
        rows = tokens_in(offsets, span)
        if len(rows) == 0:
            continue
        pooled = normalize_rows(states[rows].mean(axis=0, keepdims=True))
        cosine = pooled @ texts.T
        scoring = ranker.contextual
        if scoring is None:
            mixed = cosine
        else:
            attention = attention_block_scores(cosine, [normalize_rows(states[rows])], texts, scoring)
            mixed = scoring.pooled_weight * cosine + (1.0 - scoring.pooled_weight) * attention
        skill = np.asarray(ranker.index.aggregate_texts(mixed), dtype=np.float32)[0]
        best = skill if best is None else np.maximum(best, skill)
    return best


def per_sentence(scores: np.ndarray, gold: Sequence[frozenset[int]]) -> dict[str, np.ndarray]:
    """RP@5, RP@10 and MRR of each sentence's ranking by `scores`."""
    from skillx.evaluation.metrics import r_precision_at_k, reciprocal_rank

    out: dict[str, list[float]] = {"rp@5": [], "rp@10": [], "mrr": []}
    for row, g in zip(scores, gold, strict=True):
        order = np.argsort(-row, kind="stable")
        out["rp@5"].append(r_precision_at_k(order[:5].tolist(), g, 5))
        out["rp@10"].append(r_precision_at_k(order[:10].tolist(), g, 10))
        out["mrr"].append(reciprocal_rank(order[:1000].tolist(), g))
    return {key: np.array(v) for key, v in out.items()}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="skillx model directory (a contextual one)")
    parser.add_argument("--esco", default=None, help="ESCO CSV folder or zip (default: SKILLX_ESCO)")
    parser.add_argument("--data", type=Path, action="append", default=None, help="validation CSVs")
    parser.add_argument("--margin", type=float, action="append", default=None, help="clause margins")
    parser.add_argument("--resamples", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    args.data = args.data or DEFAULT_DATA
    args.margin = args.margin or [SHIPPED_MARGIN]
    return args


def main(argv: list[str] | None = None) -> int:
    import skillx
    from skillx.evaluation import load_benchmark

    args = parse_args(argv)
    extractor = skillx.load(args.model, taxonomy=args.esco, literal=False)
    ranker = extractor.ranker
    position = {uri: i for i, uri in enumerate(extractor.taxonomy.uris)}
    for path in args.data:
        bench = load_benchmark(path, extractor.taxonomy)
        gold = [frozenset(position[u] for u in g) for g in bench.gold]
        sentences = list(bench.sentences)
        ranker.clause_margin = None
        whole = ranker.score_matrix(sentences)
        ranker.clause_margin = SHIPPED_MARGIN
        reencoded = ranker.score_matrix(sentences)
        ranker.clause_margin = None
        clauses = [token_clause_scores(ranker, s) for s in sentences]
        rows = {
            "whole sentence": per_sentence(whole, gold),
            f"re-encoded clauses, {SHIPPED_MARGIN}": per_sentence(reencoded, gold),
        }
        for margin in args.margin:
            combined = whole.copy()
            for i, best in enumerate(clauses):
                if best is not None:
                    combined[i] = np.maximum(combined[i], best - margin)
            rows[f"token clauses, {margin}"] = per_sentence(combined, gold)
        with_clauses = sum(c is not None for c in clauses)
        print(f"\n## {bench.name}: {len(sentences)} sentences, {with_clauses} with clauses")
        print("| scoring | RP@5 | RP@10 | MRR |\n|---|---|---|---|")
        for name, m in rows.items():
            cells = " | ".join(f"{100 * m[key].mean():.1f}" for key in ("rp@5", "rp@10", "mrr"))
            print(f"| {name} | {cells} |")
        for name, m in rows.items():
            if not name.startswith("token"):
                continue
            for base in ("whole sentence", f"re-encoded clauses, {SHIPPED_MARGIN}"):
                cells = []
                for key in ("rp@5", "rp@10", "mrr"):
                    mean, lo, hi = bootstrap_interval(
                        100 * (m[key] - rows[base][key]), resamples=args.resamples, seed=args.seed
                    )
                    cells.append(f"{key} {mean:+.1f} [{lo:+.1f}, {hi:+.1f}]")
                print(f"{name} - {base}: " + ", ".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())

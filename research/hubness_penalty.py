"""Do "hub" skills crowd the top k, and does a per-skill hubness penalty (CSLS) fix it?

In a nearest-neighbour space some items are close to almost every query ("hubs"): a generic
skill that scores high on most sentences takes a top-5 slot from the specific one the sentence
asks for. Cross-domain similarity local scaling (CSLS, Conneau et al. 2018) corrects this
without labels: each skill's hubness r(s) is measured on unlabelled text, here a seeded sample
of the job-ad corpus (never the benchmark), and every semantic score becomes

    score'(x, s) = score(x, s) - lam * r(s)

(CSLS proper is 2 cos - r(x) - r(s); r(x) is the same for every skill of a sentence, so it
ranks like lam = 0.5). Two measures of r(s): ``csls`` (the mean of the skill's `--top` best
scores over the sample, CSLS's own) and ``mean`` (its mean score over the whole sample, a
centring). The penalty is applied inside the model's ranker, so the fused ranking (the model's
boost and sense check) and the semantic ranking alone both see it, as users would.

Writes per-sentence files as `product_per_sentence.py` does (``<model>-fused.json``, and
``<model>-hub-<measure><top>-l<lam>-fused.json`` per setting; ``-rpK`` for cut-offs other than
5) for `seed_comparison.py`, prints the split means and the sample's strongest hubs.

Example:
    python research/hubness_penalty.py MODEL --out ps/ --lam 0.25 --lam 0.5 --lam 1 --k 1 5 10
"""

from __future__ import annotations

import argparse
import gzip
from pathlib import Path
from typing import Any

import numpy as np
from _common import DEFAULT_DATA, SHARED
from _per_sentence import add_per_sentence_args, write_settings


def corpus_sample(path: Path, n: int, seed: int, min_words: int = 4, max_words: int = 60) -> list[str]:
    """`n` distinct corpus lines of `min_words`..`max_words` words, drawn with `seed`."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n").split("\t")
        column = header.index("sentence")
        lines = []
        for line in handle:
            fields = line.rstrip("\n").split("\t")
            if len(fields) > column and min_words <= len(fields[column].split()) <= max_words:
                lines.append(fields[column])
    unique = list(dict.fromkeys(lines))
    rng = np.random.default_rng(seed)
    picked = rng.choice(len(unique), size=min(n, len(unique)), replace=False)
    return [unique[i] for i in sorted(picked)]


class HubStats:
    """Streaming per-column statistics of score blocks: the mean and the mean of the `top` best."""

    def __init__(self, n_columns: int, top: int) -> None:
        self.top = top
        self.best = np.full((0, n_columns), -np.inf, dtype=np.float32)
        self.total = np.zeros(n_columns, dtype=np.float64)
        self.rows = 0

    def add(self, block: np.ndarray) -> None:
        block = np.asarray(block, dtype=np.float32)
        self.total += block.sum(axis=0)
        self.rows += len(block)
        both = np.concatenate([self.best, block], axis=0)
        if len(both) > self.top:
            both = np.partition(both, len(both) - self.top, axis=0)[-self.top :]
        self.best = both

    def measure(self, name: str) -> np.ndarray:
        if self.rows == 0:
            raise ValueError("No rows were added.")
        if name == "mean":
            return (self.total / self.rows).astype(np.float32)
        if name == "csls":
            return self.best.mean(axis=0).astype(np.float32)
        raise ValueError(f"Unknown hubness measure {name!r}: use 'csls' or 'mean'.")


def penalised(text_scores: Any, penalty: np.ndarray) -> Any:
    """A ranker's `_text_scores` with `penalty` (one value per skill column) subtracted."""

    def scores(texts: list[str], batch_size: int, show_progress: bool | None) -> np.ndarray:
        return np.asarray(text_scores(texts, batch_size, show_progress), dtype=np.float32) - penalty

    return scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("model", help="skillx model directory (contextual or clause scoring)")
    parser.add_argument("--lam", type=float, action="append", default=None, help="penalty weights")
    parser.add_argument("--measure", action="append", choices=["csls", "mean"], default=None)
    parser.add_argument("--top", type=int, default=10, help="best scores averaged by 'csls'")
    parser.add_argument("--sample", type=int, default=20000, help="corpus lines scored for r(s)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the corpus sample")
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpora" / "jobads_en.tsv.gz")
    add_per_sentence_args(parser)
    args = parser.parse_args(argv)

    import skillx
    from skillx.evaluation import load_benchmark

    taxonomy = skillx.load_taxonomy(args.esco)
    benches = [load_benchmark(path, taxonomy) for path in args.data or DEFAULT_DATA]
    extractor = skillx.load(args.model, taxonomy=taxonomy)
    ranker = extractor.ranker
    if ranker is None or (ranker.contextual is None and ranker.clause_margin is None):
        raise SystemExit("This model ranks pooled vectors with the index directly: use a contextual model.")
    original = ranker._text_scores
    cache = args.out / f"{Path(args.model).name}-hub-stats-s{args.seed}-n{args.sample}-top{args.top}.npz"
    args.out.mkdir(parents=True, exist_ok=True)
    if cache.is_file():
        saved = np.load(cache)
        measures = {"csls": saved["csls"], "mean": saved["mean"]}
    else:
        texts = corpus_sample(args.corpus, args.sample, args.seed)
        stats = HubStats(ranker.index.n_skills, args.top)
        for start in range(0, len(texts), 1000):
            stats.add(original(texts[start : start + 1000], 64, False))
            print(f"hubness: {min(start + 1000, len(texts))}/{len(texts)} corpus lines", flush=True)
        measures = {name: stats.measure(name) for name in ("csls", "mean")}
        np.savez(cache, **measures)

    gold_count = np.zeros(ranker.index.n_skills, dtype=int)
    column = {uri: j for j, uri in enumerate(ranker.index.uris)}
    for bench in benches:
        for gold in bench.gold:
            for uri in gold:
                if uri in column:
                    gold_count[column[uri]] += 1
    labels = ranker._labels
    for name, r in measures.items():
        order = np.argsort(-r)[:15]
        print(f"\nstrongest hubs by {name} (r, validation gold count):")
        for j in order:
            print(f"  {r[j]:.3f}  {gold_count[j]:>2}  {labels[j]}")
        gold_r = r[gold_count > 0]
        print(f"  {name}: all skills mean {r.mean():.3f}, gold skills mean {gold_r.mean():.3f}")

    settings: list[tuple[str, Any]] = [("", None)]
    for name in args.measure or ["csls"]:
        for lam in args.lam or [0.25, 0.5, 1.0]:
            tag = name + (str(args.top) if name == "csls" else "")
            settings.append((f"-hub-{tag}-l{lam:g}", penalised(original, lam * measures[name])))
    print()
    write_settings(
        extractor, settings, benches, args.k, args.out, Path(args.model).name, {"source": str(args.model)}
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

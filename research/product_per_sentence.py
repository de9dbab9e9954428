"""Per-sentence RP@K of what a user runs: `skillx.load(MODEL)`, fused and semantic ranker alone.

`paired_bootstrap.py` scores the semantic ranker, `token_attention.py` mixes scores outside the
product; this one ranks through the extractor as `skillx benchmark --mode fusion --mode semantic`
does (the model's own scoring mode, its fitted fusion and sense check), and writes one
per-sentence file per model, mode and cut-off (``<model dir name>-fused.json``, ``-semantic.json``;
``-clauses`` with clause scoring, ``-rpK`` for a cut-off other than 5) for
`paired_bootstrap.py` and `seed_comparison.py`. It also prints the split means.

Example:
    python research/product_per_sentence.py seeds/pooled-s42 seeds/contextual-s42 --out seeds/ps-product
    python research/product_per_sentence.py seeds/contextual-s42 --out seeds/ps-product \\
        --clause-margin 0.15 --k 1 5 10
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from _common import DEFAULT_DATA, SHARED


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("models", nargs="+", help="skillx model directories.")
    parser.add_argument("--out", type=Path, required=True, help="Folder for the per-sentence files.")
    parser.add_argument("--data", type=Path, action="append", help="Benchmark CSV (repeatable).")
    parser.add_argument("--esco", type=Path, default=SHARED / "esco", help="ESCO CSV folder.")
    parser.add_argument("--scoring", default="auto", help="Scoring mode passed to skillx.load.")
    parser.add_argument(
        "--k",
        type=int,
        nargs="+",
        default=[5],
        help="RP@K cut-offs; one file each (K other than 5 adds -rpK to the name).",
    )
    parser.add_argument(
        "--clause-margin",
        type=float,
        default=None,
        help="Clause scoring margin passed to skillx.load; the files get a -clauses suffix.",
    )
    parser.add_argument(
        "--max-seq-length",
        type=int,
        default=None,
        help="Word pieces the encoder reads per sentence (default: the model's own); "
        "the files get a -lenN suffix.",
    )
    args = parser.parse_args(argv)

    import skillx
    from skillx.evaluation import load_benchmark
    from skillx.evaluation.metrics import r_precision_at_k
    from skillx.evaluation.runner import rankings_of

    taxonomy = skillx.load_taxonomy(args.esco)
    benches = [load_benchmark(path, taxonomy) for path in args.data or DEFAULT_DATA]
    args.out.mkdir(parents=True, exist_ok=True)
    for model in args.models:
        extractor = skillx.load(
            model, taxonomy=taxonomy, scoring=args.scoring, clause_margin=args.clause_margin
        )
        if args.max_seq_length is not None:
            extractor.ranker.encoder.max_seq_length = args.max_seq_length
        for kind, ranker in (("fused", extractor), ("semantic", extractor.ranker)):
            # rank once at the deepest cut-off; every RP@K reads the same rankings
            ranked = {
                bench.name: (bench, rankings_of(ranker, bench, depth=max(args.k)))  # type: ignore[arg-type]
                for bench in benches
            }
            for k in args.k:
                splits = {
                    name: {
                        sentence: float(r_precision_at_k(ranking, gold, k))
                        for sentence, ranking, gold in zip(bench.sentences, rankings, bench.gold, strict=True)
                    }
                    for name, (bench, rankings) in ranked.items()
                }
                suffix = (
                    ("" if args.clause_margin is None else "-clauses")
                    + ("" if args.max_seq_length is None else f"-len{args.max_seq_length}")
                    + ("" if k == 5 else f"-rp{k}")
                )
                name = f"{Path(model).name}-{kind}{suffix}.json"
                payload = {
                    "k": k,
                    "source": str(model),
                    "scoring": args.scoring,
                    "clause_margin": args.clause_margin,
                    "max_seq_length": args.max_seq_length,
                    "splits": splits,
                }
                (args.out / name).write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
                means = "  ".join(
                    f"{split} {100 * sum(v.values()) / len(v):.1f}" for split, v in splits.items()
                )
                print(f"{Path(model).name:<24} {kind + suffix:<24} RP@{k}: {means}", flush=True)


if __name__ == "__main__":
    main()

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
from pathlib import Path

from _common import DEFAULT_DATA
from _per_sentence import add_per_sentence_args, file_namer, write_per_sentence


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("models", nargs="+", help="skillx model directories.")
    add_per_sentence_args(parser)
    parser.add_argument("--scoring", default="auto", help="Scoring mode passed to skillx.load.")
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

    taxonomy = skillx.load_taxonomy(args.esco)
    benches = [load_benchmark(path, taxonomy) for path in args.data or DEFAULT_DATA]
    suffix = ("" if args.clause_margin is None else "-clauses") + (
        "" if args.max_seq_length is None else f"-len{args.max_seq_length}"
    )
    for model in args.models:
        extractor = skillx.load(
            model, taxonomy=taxonomy, scoring=args.scoring, clause_margin=args.clause_margin
        )
        if args.max_seq_length is not None:
            extractor.ranker.encoder.max_seq_length = args.max_seq_length
        write_per_sentence(
            {"fused": extractor, "semantic": extractor.ranker},
            benches,
            args.k,
            args.out,
            file_namer(Path(model).name, suffix=suffix),
            {
                "source": str(model),
                "scoring": args.scoring,
                "clause_margin": args.clause_margin,
                "max_seq_length": args.max_seq_length,
            },
        )


if __name__ == "__main__":
    main()

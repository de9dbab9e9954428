"""What do two fusion parameter files keep on corpus text? A check beside the validation numbers.

Reads every `--every`-th line of the job-ad corpus (up to `--lines`), extracts with one model
under each `--fusion` file at that file's default threshold, and prints the lines that keep a
skill and the kept skills by source (semantic, literal, both). No labels: it shows how a
calibration shifts what users get, not whether it is right.

Example:
    git show HEAD~1:skillx/data/fusion_default.json > before.json
    python research/corpus_keep_rates.py --fusion before.json --fusion skillx/data/fusion_default.json
"""

from __future__ import annotations

import argparse
import collections
from pathlib import Path

from _common import SHARED


def corpus_lines(path: Path, every: int, limit: int) -> list[str]:
    """Every `every`-th sentence of the corpus TSV (column ``sentence``), at most `limit`."""
    from skillx.corpus import read_texts

    lines: list[str] = []
    for record in read_texts(path, column="sentence"):
        if record.index % every == 0:
            lines.append(record.text)
            if len(lines) >= limit:
                break
    return lines


def main(argv: list[str] | None = None) -> int:
    import skillx
    from skillx.fusion import FusionParams

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--fusion", type=Path, action="append", required=True, help="fusion parameters JSON")
    parser.add_argument("--model", default="base", help="model to extract with (default: the bundled base)")
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpora" / "jobads_en.tsv.gz")
    parser.add_argument("--every", type=int, default=300)
    parser.add_argument("--lines", type=int, default=2000)
    args = parser.parse_args(argv)
    lines = corpus_lines(args.corpus, args.every, args.lines)
    extractor = skillx.load(args.model)
    print(f"{len(lines)} corpus lines (every {args.every}th), model {args.model}")
    print("| fusion | min_score | lines with a skill | skills | semantic | both | literal |")
    print("|---|---|---|---|---|---|---|")
    for path in args.fusion:
        params = FusionParams.load(path)
        extractor.fusion, extractor.min_score = params, params.threshold
        results = extractor.extract_many(lines)
        kept = [m for r in results for s in r for m in s.skills]
        with_skill = sum(1 for r in results if any(s.skills for s in r))
        by_source = collections.Counter(m.source for m in kept)
        print(f"| {path} | {params.threshold:.3f} | {with_skill} | {len(kept)} | {by_source['semantic']} "
              f"| {by_source['both']} | {by_source['literal']} |")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Would a case rule fix wrong-sense hits? Capitalised ESCO forms written in lower case.

"Head chef wanted" matches the ESCO form "Chef" (a configuration-management tool) and "python
in the zoo" matches "Python". A rule "a capitalised form (not an acronym) matches only when
written capitalised" would drop those hits. This counts, on the benchmark files, literal hits
of capitalised forms by whether the text writes them in lower case and whether the hit skill
is gold; and, on the first lines of a corpus, how often each such form is written in lower case.

Example:
    python research/lowercase_forms.py --corpus ../shared/corpora/jobads_en.tsv.gz --lines 60000
"""

from __future__ import annotations

import argparse
import gzip
import sys
from collections import Counter, defaultdict
from pathlib import Path

from _common import DEFAULT_DATA, SHARED


def capitalised(form: str) -> bool:
    """An ESCO form written with a capital and at least one lower-case letter ("Chef", "JavaScript")."""
    return form[:1].isupper() and any(ch.islower() for ch in form)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", default=None, help="Model (default: as skillx.load); its matcher is used.")
    parser.add_argument("--data", type=Path, action="append", help="Benchmark CSV (repeatable).")
    parser.add_argument("--esco", type=Path, default=SHARED / "esco", help="ESCO CSV folder.")
    parser.add_argument("--corpus", type=Path, default=None, help="Job-ad corpus (.tsv.gz, text last).")
    parser.add_argument("--lines", type=int, default=60000, help="Corpus lines to read.")
    args = parser.parse_args(argv)

    import skillx
    from skillx.calibration import benchmark_sentences

    extractor = skillx.load(args.model, taxonomy=args.esco)
    matcher, taxonomy = extractor.matcher, extractor.taxonomy
    assert matcher is not None
    counts: Counter[tuple[bool, bool]] = Counter()
    examples: defaultdict[tuple[bool, bool], list[str]] = defaultdict(list)
    for path in args.data or DEFAULT_DATA:
        sentences, gold = benchmark_sentences(path, extractor)
        for text, g in zip(sentences, gold, strict=True):
            for hit in matcher.match(text):
                if not capitalised(hit.surface_form):
                    continue
                key = (hit.text == hit.text.lower(), any(taxonomy.position(u) in g for u in hit.uris))
                counts[key] += 1
                examples[key].append(f"{hit.text!r} ({hit.surface_form}) in {text[:60]!r}")
    print("benchmark hits of capitalised forms:")
    for lower in (True, False):
        for is_gold in (True, False):
            key = (lower, is_gold)
            print(f"  written {'lower' if lower else 'as in ESCO'}, {'gold' if is_gold else 'not gold'}: "
                  f"{counts[key]}  e.g. {'; '.join(examples[key][:4])}")  # fmt: skip
    if args.corpus is not None:
        seen: Counter[str] = Counter()
        lower: Counter[str] = Counter()
        with gzip.open(args.corpus, "rt", encoding="utf-8") as lines:
            for i, line in enumerate(lines):
                if i >= args.lines:
                    break
                for hit in matcher.match(line.rstrip("\n").split("\t")[-1]):
                    if capitalised(hit.surface_form):
                        seen[hit.surface_form] += 1
                        lower[hit.surface_form] += hit.text == hit.text.lower()
        print(f"corpus, first {args.lines} lines: {sum(seen.values())} hits of capitalised forms, "
              f"{sum(lower.values())} written in lower case")  # fmt: skip
        print("  most often lower case (lower / all):",
              ", ".join(f"{f} {lower[f]}/{seen[f]}" for f, _ in lower.most_common(12)))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Would a diversity rule help? Precision of ranked skills that repeat a theme of a better one.

Multi-skill sentences often get a top 5 of one theme ("maintain wind turbines", "design wind
turbines", "inspect wind turbines"). A diversity rule would push such repeats below the next
skill of a new theme. It can only gain if the repeats are less often gold than what would
replace them. For every benchmark sentence this ranks MODEL's fused top 200 (`skillx.load`)
and marks a skill of the top 20 *crowded* when its label shares a content word (longer than 3 letters, not
a generic verb) with a better-ranked skill's label; it prints the gold precision of crowded and
new-theme skills in rank bands 1-5, 6-10 and 11-20 per split, and where the gold skills rank.

Example:
    python research/theme_crowding.py MODEL
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from _common import DEFAULT_DATA, SHARED

# function words and the verbs that start hundreds of ESCO labels: they name no theme
GENERIC = frozenset(
    {
        *("with", "that", "from", "into", "have", "their", "your", "this"),
        *("work", "apply", "manage", "perform", "ensure"),
    }
)
BANDS = ((0, 5, "1-5"), (5, 10, "6-10"), (10, 20, "11-20"))


def content_words(label: str) -> frozenset[str]:
    """The words of a label that name its theme (lower case, longer than 3, not generic)."""
    return frozenset(w for w in re.findall(r"[a-z]+", label.lower()) if len(w) > 3 and w not in GENERIC)


def crowded_flags(labels: Sequence[str]) -> list[bool]:
    """For a ranking's labels, best first: does each share a content word with a better one?"""
    seen: set[str] = set()
    flags = []
    for label in labels:
        words = content_words(label)
        flags.append(bool(words & seen))
        seen |= words
    return flags


def band_precision(
    rankings: Iterable[tuple[Sequence[bool], Sequence[bool]]],
) -> dict[tuple[str, bool], tuple[int, float]]:
    """``{(band, crowded): (n, gold precision)}`` over (labels' crowded flags, is-gold flags) rows."""
    counts: Counter[tuple[str, bool, bool]] = Counter()
    for crowded, gold in rankings:
        for start, stop, band in BANDS:
            for c, g in zip(crowded[start:stop], gold[start:stop], strict=True):
                counts[(band, c, g)] += 1
    out = {}
    for _, _, band in BANDS:
        for c in (False, True):
            n = counts[(band, c, True)] + counts[(band, c, False)]
            out[(band, c)] = (n, counts[(band, c, True)] / n if n else 0.0)
    return out


def gold_rank_bands(rankings: Iterable[Sequence[str]], golds: Iterable[frozenset[str]]) -> Counter[str]:
    """How many gold skills sit at ranks 1-5, 6-10, 11-50, 51-200 or below the ranking."""
    bands: Counter[str] = Counter()
    for ranking, gold in zip(rankings, golds, strict=True):
        position = {uri: i + 1 for i, uri in enumerate(ranking)}
        for uri in gold:
            rank = position.get(uri)
            if rank is None:
                bands["below"] += 1
            else:
                band = "1-5" if rank <= 5 else "6-10" if rank <= 10 else "11-50" if rank <= 50 else "51-200"
                bands[band] += 1
    return bands


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("model", help="skillx model directory")
    parser.add_argument("--data", type=Path, action="append", help="benchmark CSV (repeatable)")
    parser.add_argument("--esco", type=Path, default=SHARED / "esco", help="ESCO CSV folder")
    args = parser.parse_args(argv)

    import skillx
    from skillx.evaluation import load_benchmark
    from skillx.evaluation.runner import rankings_of

    taxonomy = skillx.load_taxonomy(args.esco)
    labels = {skill.uri: skill.preferred_label for skill in taxonomy}
    extractor = skillx.load(args.model, taxonomy=taxonomy)
    for path in args.data or DEFAULT_DATA:
        bench = load_benchmark(path, taxonomy)
        rankings = rankings_of(extractor, bench, depth=200)
        bands = gold_rank_bands(rankings, bench.gold)
        shown = ", ".join(f"{band} {bands[band]}" for band in ("1-5", "6-10", "11-50", "51-200", "below"))
        print(f"{bench.name:<18} gold skills by rank: {shown}")
        rows = [
            (crowded_flags([labels[u] for u in ranking[:20]]), [u in gold for u in ranking[:20]])
            for ranking, gold in zip(rankings, bench.gold, strict=True)
        ]
        for (band, crowded), (n, precision) in band_precision(rows).items():
            kind = "crowded" if crowded else "new theme"
            print(f"{bench.name:<18} ranks {band:<6} {kind:<10} n {n:>4}  precision {100 * precision:5.1f}%")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

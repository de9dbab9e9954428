"""What do the two ad-level rules keep on corpus pseudo-ads?

Pseudo-ads are `--lines` consecutive corpus lines of one source, `--per-source` of them spread
over each source. Every ad is extracted once with ``document_min_score=0.0``; each skill's
supporting sentence probabilities (`DocumentSkill.sentence_scores`) then give both rules: the
best sentence (shipped) and the noisy-OR ``1 - prod(1 - p_i)`` (before 2026-12-03), each kept at
the model's document threshold. Prints the ad skills each rule keeps, those only the noisy-OR
keeps (no sentence reaches the threshold) with examples, and the skills found in most ads.

Example:
    python research/corpus_documents.py --corpus ../shared/corpora/jobads_en.tsv.gz --per-source 25 --lines 12
"""

from __future__ import annotations

import argparse
import collections
import gzip
import math
import sys
from pathlib import Path

from _common import SHARED


def pseudo_ads(corpus: Path, per_source: int, lines: int) -> list[tuple[str, str]]:
    """``(source, text)``: `per_source` runs of `lines` consecutive lines per source, spread evenly."""
    by_source: dict[str, list[str]] = collections.defaultdict(list)
    with gzip.open(corpus, "rt", encoding="utf-8") as handle:
        next(handle)  # header: source<TAB>sentence
        for line in handle:
            source, _, sentence = line.rstrip("\n").partition("\t")
            by_source[source].append(sentence)
    ads = []
    for source, sentences in by_source.items():
        step = max(1, len(sentences) // per_source)
        for i in range(per_source):
            chunk = sentences[i * step : i * step + lines]
            if chunk:
                ads.append((source, "\n".join(chunk)))
    return ads


def noisy_or(probabilities: list[float]) -> float:
    """``1 - prod(1 - p)``."""
    return 1.0 - math.prod(1.0 - p for p in probabilities)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="skillx model (default: what skillx.load() picks)")
    parser.add_argument("--esco", default=None, help="ESCO CSV folder or zip (default: SKILLX_ESCO)")
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpora" / "jobads_en.tsv.gz")
    parser.add_argument("--per-source", type=int, default=25)
    parser.add_argument("--lines", type=int, default=12)
    parser.add_argument("--examples", type=int, default=10)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    import skillx

    args = parse_args(argv)
    extractor = skillx.load(args.model, taxonomy=args.esco)
    threshold = extractor.document_min_score
    ads = pseudo_ads(args.corpus, args.per_source, args.lines)
    kept = {"best sentence": 0, "noisy-OR": 0}
    only_noisy: list[tuple[str, str, float, list[float]]] = []
    found_in: collections.Counter[str] = collections.Counter()
    for source, doc in zip(
        (s for s, _ in ads),
        extractor.extract_documents([t for _, t in ads], document_min_score=0.0),
        strict=True,
    ):
        for skill in doc.skills:
            scores = list(skill.sentence_scores)
            best, combined = max(scores), noisy_or(scores)
            kept["best sentence"] += best >= threshold
            kept["noisy-OR"] += combined >= threshold
            if best >= threshold:
                found_in[skill.label] += 1
            elif combined >= threshold:
                only_noisy.append((source, skill.label, combined, scores))
    print(f"{len(ads)} pseudo-ads of {args.lines} lines; document threshold {threshold:.3f}")
    for rule, n in kept.items():
        print(f"ad skills kept, {rule}: {n}")
    print(f"kept by the noisy-OR only (no sentence reaches the threshold): {len(only_noisy)}")
    for source, label, combined, scores in only_noisy[: args.examples]:
        print(f"  {source}: {label} {combined:.3f} from {[round(p, 3) for p in scores]}")
    print("skills in most ads (best sentence):")
    for label, n in found_in.most_common(15):
        print(f"  {n} {label}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

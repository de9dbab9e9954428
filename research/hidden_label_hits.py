"""What do two fitted fusions keep of corpus sentences with a hidden-label hit?

ESCO's hidden labels ("leadership" for `lead others`, "Linux" for `operating systems`) are
search terms; a few of them occur in the validation splits. A calibrator that reads the flag
``literal_hidden`` learns its effect from those few rows. This compares two fusion parameter
files (``skillx.json`` of a model, or a fusion JSON) on the corpus sentences that have a
hidden-label hit: skills kept at each file's default ``min_score``, sentences left with none,
and the median probability of each sentence's best skill.

Example:
    python research/hidden_label_hits.py --model MODEL --before old/skillx.json --after MODEL/skillx.json \\
        --corpus ../shared/corpora/jobads_en.tsv.gz --lines 20000
"""

from __future__ import annotations

import argparse
import gzip
import sys
from pathlib import Path
from typing import Any

from _common import SHARED


def hidden_hit_sentences(extractor: Any, corpus: Path, lines: int) -> list[str]:
    """The corpus sentences (one per line, text last) among the first `lines` with a hidden-label hit."""
    from skillx.text import Sentence

    out = []
    with gzip.open(corpus, "rt", encoding="utf-8") as handle:
        for i, line in enumerate(handle):
            if i >= lines:
                break
            text = line.rstrip("\n").split("\t")[-1]
            if any(e.kind == "hidden" for e in extractor.literal_evidence(Sentence(text, 0, len(text)))):
                out.append(text)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", default=None, help="Model (default: as skillx.load).")
    parser.add_argument("--before", type=Path, required=True, help="Fusion parameters A (skillx.json).")
    parser.add_argument("--after", type=Path, required=True, help="Fusion parameters B (skillx.json).")
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpora" / "jobads_en.tsv.gz")
    parser.add_argument("--lines", type=int, default=20000, help="Corpus lines to read.")
    parser.add_argument("--esco", type=Path, default=SHARED / "esco", help="ESCO CSV folder.")
    parser.add_argument("--examples", type=int, default=6, help="Sentences to print with their skills.")
    args = parser.parse_args(argv)

    import numpy as np

    import skillx
    from skillx.fusion import FusionParams

    extractor = skillx.load(args.model, taxonomy=args.esco)
    sentences = hidden_hit_sentences(extractor, args.corpus, args.lines)
    print(f"{len(sentences)} of the first {args.lines} corpus lines have a hidden-label hit")
    for name, path in (("before", args.before), ("after", args.after)):
        extractor.fusion = FusionParams.load(path)
        threshold = extractor.fusion.threshold  # each file's own default min_score
        ranked = [extractor.extract(s, k=5, min_score=0.0) for s in sentences]
        kept = [sum(1 for part in r for m in part.skills if m.score >= threshold) for r in ranked]
        best = [max((m.score for part in r for m in part.skills), default=0.0) for r in ranked]
        print(
            f"{name}: min_score {threshold:.3f}; skills kept {sum(kept)}; sentences with none "
            f"{sum(k == 0 for k in kept)}; median best probability {float(np.median(best)):.3f}"
        )
        for text, r in list(zip(sentences, ranked, strict=True))[: args.examples]:
            shown = [(m.label, round(m.score, 2)) for part in r for m in part.skills if m.score >= threshold]
            print(f"    {text[:60]!r}: {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

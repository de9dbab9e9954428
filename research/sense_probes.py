"""Top skills of the wrong-sense probes, through what a user runs (`skillx.load(MODEL).extract`).

The probes of `sense_penalty.py`: four sentences where a skill label occurs in another sense
(the head chef, pasta chef, zoo python, spark plug) and three where it means the skill. Prints
each model's top `--k` skills with their calibrated scores, so a training change that should
fix a wrong sense can be read off directly.

    python research/sense_probes.py ~/.cache/skillx/models/default occ/occ-s42 --k 3
"""

from __future__ import annotations

import argparse
from typing import Any

import _common  # noqa: F401  (offline switches before a model loads)
from sense_penalty import PROBES


def probe_lines(extractor: Any, k: int) -> list[str]:
    """One line per probe: the sentence and its top `k` skills with calibrated scores."""
    lines = []
    for probe in PROBES:
        (sentence,) = extractor.extract(probe, k=k, min_score=0.0)
        top = ", ".join(f"{s.label[:40]} {s.score:.2f}" for s in sentence.skills)
        lines.append(f"  {probe[:46]!r:50s} {top}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("models", nargs="+", help="skillx model directories (or 'base').")
    parser.add_argument("--k", type=int, default=3, help="skills shown per probe")
    args = parser.parse_args(argv)
    import skillx

    for model in args.models:
        extractor = skillx.load(None if model == "base" else model)
        print(f"\n{model}", *probe_lines(extractor, args.k), sep="\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

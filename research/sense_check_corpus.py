"""Which corpus literal hits fail the sense check, and are they wrong senses?

The sense check (`skillx.fusion.agrees_with_sentence`) drops a literal hit's boost when none
of its skill's ESCO siblings ranks among the sentence's `sibling_rank` best skills. Validation
has too few such hits to judge a tighter check (or a penalty for failed hits,
`sense_penalty.py`), so this reads every `--every`-th corpus line, segments it as `skillx`
does, counts the unambiguous hits that fail at each `--rank`, and prints a seeded sample of the
hits that fail at each rank but not at the next looser one, to be read by hand.

Example:
    python research/sense_check_corpus.py --model MODEL --rank 100 --rank 200 --rank 500
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from _common import SHARED
from corpus_keep_rates import corpus_lines


def main(argv: list[str] | None = None) -> int:
    import skillx
    from skillx.fusion import agrees_with_sentence
    from skillx.text import Sentence, segment

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", default="base")
    parser.add_argument("--rank", type=int, action="append", default=None, help="sibling ranks to compare")
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpora" / "jobads_en.tsv.gz")
    parser.add_argument("--every", type=int, default=150)
    parser.add_argument("--lines", type=int, default=4000)
    parser.add_argument("--sample", type=int, default=20, help="failed hits printed per rank")
    args = parser.parse_args(argv)
    ranks = sorted(args.rank or [200, 500])
    # the product scores sentences, not corpus lines (some hold several sentences)
    lines = [s.text for line in corpus_lines(args.corpus, args.every, args.lines) for s in segment(line)]
    extractor = skillx.load(args.model)
    siblings = extractor.skill_features.siblings  # type: ignore[union-attr]
    semantic = extractor.score_sentences(lines)
    hits = 0
    failed: dict[int, set[tuple[str, str, str]]] = {r: set() for r in ranks}
    for text, scores in zip(lines, semantic, strict=True):
        evidence = [e for e in extractor.literal_evidence(Sentence(text, 0, len(text))) if not e.ambiguous]
        hits += len(evidence)
        for rank in ranks:
            agreed = {e.position for e in agrees_with_sentence(evidence, scores, siblings, rank)}
            failed[rank].update(
                (text, text[e.start : e.end], extractor.taxonomy.skills[e.position].preferred_label)
                for e in evidence
                if e.position not in agreed
            )
    counts = ", ".join(f"rank {r}: {len(failed[r])}" for r in ranks)
    print(f"{args.model}: {len(lines)} sentences, {hits} unambiguous literal hits; failing at {counts}")
    rng = random.Random(0)
    for rank, looser in zip(ranks, [*ranks[1:], None], strict=True):
        only = sorted(failed[rank] - (failed[looser] if looser else set()))
        what = f"fail at {rank}" + (f" but not at {looser}" if looser else "")
        print(f"\n{what}: {len(only)} hits; a sample:")
        for text, matched, label in rng.sample(only, min(args.sample, len(only))):
            print(f"  [{matched}] -> {label} :: {text[:100]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

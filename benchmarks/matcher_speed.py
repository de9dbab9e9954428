"""Speed of the literal matcher: build time on full ESCO and lines/s of segment + match.

Compares `LiteralMatcher` with a naive baseline (spaCy PhraseMatcher, attr="LOWER", over
every surface form) on the same corpus lines in the same run.

    nice -n 5 python benchmarks/matcher_speed.py --esco ../shared/esco \
        --corpus ../shared/corpora/jobads_en.tsv.gz --limit 50000 --json matcher_speed.json
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

from skillx.corpus import read_texts
from skillx.matching import LiteralMatcher
from skillx.taxonomy import read_esco_csv
from skillx.text import segment

FULL_CORPUS_LINES = 649_954


def phrase_matcher_baseline(taxonomy, lines: list[str]) -> dict[str, float]:  # type: ignore[no-untyped-def]
    import spacy
    from spacy.matcher import PhraseMatcher

    started = time.perf_counter()
    nlp = spacy.blank("en")
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    forms = sorted({f.text for f in taxonomy.surface_forms()})
    for i in range(0, len(forms), 5000):
        matcher.add("SKILL", list(nlp.tokenizer.pipe(forms[i : i + 5000])))
    build = time.perf_counter() - started
    started = time.perf_counter()
    hits = 0
    for doc in nlp.tokenizer.pipe(lines, batch_size=1000):
        hits += len(matcher(doc))
    seconds = time.perf_counter() - started
    return {"build_s": build, "match_s": seconds, "lines_per_s": len(lines) / seconds, "hits": hits}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--esco", default="../shared/esco")
    parser.add_argument("--esco-version", dest="version", default="1.1.0")
    parser.add_argument("--corpus", default="../shared/corpora/jobads_en.tsv.gz")
    parser.add_argument("--limit", type=int, default=50_000, help="corpus lines to time")
    parser.add_argument("--no-baseline", action="store_true", help="skip the PhraseMatcher baseline")
    parser.add_argument("--json", default=None, help="write the results here")
    args = parser.parse_args()

    taxonomy = read_esco_csv(args.esco, esco_version=args.version)
    n_forms = len(taxonomy.surface_forms())
    started = time.perf_counter()
    matcher = LiteralMatcher(taxonomy)
    build = time.perf_counter() - started

    lines = [r.text for r in read_texts(args.corpus, limit=args.limit)]
    started = time.perf_counter()
    sentences = [s.text for line in lines for s in segment(line)]
    seg_s = time.perf_counter() - started
    started = time.perf_counter()
    hits = sum(len(h) for h in matcher.match_many(sentences))
    match_s = time.perf_counter() - started
    ours = (seg_s + match_s) / len(lines)
    results: dict[str, object] = {
        "esco_version": taxonomy.version,
        "surface_forms": n_forms,
        "lines": len(lines),
        "sentences": len(sentences),
        "build_s": round(build, 2),
        "segment_s": round(seg_s, 2),
        "match_s": round(match_s, 2),
        "lines_per_s": round(len(lines) / (seg_s + match_s)),
        "match_only_lines_per_s": round(len(lines) / match_s),
        "hits": hits,
        "full_corpus_extrapolated_s_1_worker": round(ours * FULL_CORPUS_LINES),
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {__import__('os').cpu_count()} CPUs",
    }
    rows = [
        ("LiteralMatcher build (s)", f"{build:.2f}"),
        ("segment + match, lines/s", f"{results['lines_per_s']:,}"),
        ("match only, lines/s", f"{results['match_only_lines_per_s']:,}"),
        ("full corpus, 1 worker (s, extrapolated)", f"{results['full_corpus_extrapolated_s_1_worker']:,}"),
    ]
    if not args.no_baseline:
        base = phrase_matcher_baseline(taxonomy, sentences)
        results["baseline_phrasematcher"] = {k: round(v, 2) for k, v in base.items()}
        results["speedup_match_only"] = round(base["match_s"] / match_s, 1)
        rows += [
            ("PhraseMatcher(LOWER) build (s)", f"{base['build_s']:.2f}"),
            ("PhraseMatcher tokenize + match, lines/s", f"{base['lines_per_s']:,.0f}"),
            ("speed-up of LiteralMatcher (match only)", f"{results['speedup_match_only']}x"),
        ]
    width = max(len(r[0]) for r in rows)
    print(f"ESCO {taxonomy.version}: {n_forms:,} forms; {len(lines):,} lines, {len(sentences):,} sentences")
    for name, value in rows:
        print(f"{name:<{width}}  {value:>10}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

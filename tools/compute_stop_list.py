"""Compute the matcher's stop list of generic surface forms over a job-ad corpus.

A surface form is stop-listed when it fires (as a top-level hit) on at least
``--min-line-share`` of the corpus sentences AND its words sit inside the labels of at
least ``--min-containing`` other skills (it is a generic head word, not a specific skill
name); frequent label fragments that begin or end with a conjunction or preposition
("and procedures") are listed too. The result is written to
``skillx/data/stop_list_<lang>.json`` with the method, thresholds and per-form evidence.

    python tools/compute_stop_list.py --esco ../shared/esco \
        --corpus ../shared/corpora/jobads_en.tsv.gz --output skillx/data/stop_list_en.json
"""

from __future__ import annotations

import argparse
import datetime
import json
import time
from pathlib import Path

from skillx.corpus import read_texts
from skillx.matching import LiteralMatcher
from skillx.matching.stop_list_builder import compute_stop_list
from skillx.taxonomy import read_esco_csv
from skillx.text import segment


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--esco", default="../shared/esco", help="ESCO CSV zip folder")
    parser.add_argument("--esco-version", dest="version", default="1.1.1", help="ESCO version")
    parser.add_argument("--corpus", default="../shared/corpora/jobads_en.tsv.gz")
    parser.add_argument("--column", default=None)
    parser.add_argument("--limit", type=int, default=None, help="read at most this many corpus lines")
    parser.add_argument("--min-line-share", type=float, default=0.001)
    parser.add_argument("--min-containing", type=int, default=15)
    parser.add_argument("--max-words", type=int, default=1)
    parser.add_argument("--output", "-o", dest="out", default=None, help="write the stop list JSON here")
    parser.add_argument("--json", default=None, help="also write every candidate with its evidence here")
    args = parser.parse_args()

    taxonomy = read_esco_csv(args.esco, esco_version=args.version)
    matcher = LiteralMatcher(taxonomy, stop_list=None)
    started = time.perf_counter()
    texts = (
        s.text for r in read_texts(args.corpus, column=args.column, limit=args.limit) for s in segment(r.text)
    )
    entries, summary = compute_stop_list(
        matcher,
        texts,
        min_line_share=args.min_line_share,
        min_containing=args.min_containing,
        max_words=args.max_words,
    )
    summary["seconds"] = round(time.perf_counter() - started, 1)
    print(f"{'form':<32} {'sentences':>9} {'share':>7} {'in labels of':>12}")
    for e in entries:
        print(f"{e.form:<32} {e.lines:>9} {e.line_share:>7.2%} {e.containing_skills:>12}")
    print(
        f"{len(entries)} forms stop-listed over {summary['lines_scanned']:,} sentences "
        f"({summary['seconds']} s)"
    )
    if args.out:
        payload = {
            "description": (
                "Surface forms too generic to be evidence of a skill; LiteralMatcher(stop_list='default')."
            ),
            "method": (
                "A form is listed when it fires as a top-level literal hit on at least min_line_share of "
                "the corpus sentences and its words occur inside the labels of at least min_containing "
                "other skills, or it is a label fragment beginning or ending with a conjunction or "
                "preposition (e.g. 'and procedures'). Computed by tools/compute_stop_list.py; "
                "see docs/distant-supervision.md."
            ),
            "taxonomy": f"ESCO {taxonomy.version} ({taxonomy.language})",
            "corpus": Path(args.corpus).name,
            "date": datetime.date.today().isoformat(),
            **summary,
            "forms": sorted(e.form for e in entries),
            "evidence": {
                e.form: {
                    "sentences": e.lines,
                    "share": round(e.line_share, 5),
                    "containing_skills": e.containing_skills,
                }
                for e in entries
            },
        }
        Path(args.out).write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {args.out}")
    if args.json:
        rows = [
            {
                "form": e.form,
                "sentences": e.lines,
                "share": e.line_share,
                "containing_skills": e.containing_skills,
            }
            for e in entries
        ]
        Path(args.json).write_text(
            json.dumps({**summary, "entries": rows}, indent=1) + "\n", encoding="utf-8"
        )


if __name__ == "__main__":
    main()

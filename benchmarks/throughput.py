"""Throughput of the semantic ranker on job-ad sentences, index build and load times, peak memory.

Measures, on the first N lines of a job-ad corpus (TSV/CSV with a ``sentence`` column, or
plain text, gzip allowed):

* sentences/s of the bare encoder pass (``encoder.encode``) and of ``SemanticRanker.rank`` at
  k=5, for each batch size; the ranking overhead is (t_rank - t_encode) / t_encode;
* index build time (encode every skill text of the full ESCO, save) per skill-text mode;
* index load time from disk (second, warm, load);
* peak resident memory of the process after each phase.

Example:
    nice -n 5 python benchmarks/throughput.py -n 2000 --batch-size 32 --batch-size 128 --json out.json
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import json
import os
import platform
import resource
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from _common import SHARED

DEFAULT_CORPUS = SHARED / "corpora" / "jobads_en.tsv.gz"
DEFAULT_ESCO = SHARED / "esco"


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def read_sentences(path: Path, n: int, column: str = "sentence") -> list[str]:
    """First `n` non-empty sentences of a corpus file (TSV/CSV with a header, or plain text)."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:  # type: ignore[operator]
        name = path.name.removesuffix(".gz")
        if name.endswith((".tsv", ".csv")):
            reader = csv.DictReader(handle, delimiter="\t" if name.endswith(".tsv") else ",")
            if reader.fieldnames is None or column not in reader.fieldnames:
                raise SystemExit(f"'{path}' has no column '{column}' (columns: {reader.fieldnames}).")
            rows = (row[column] for row in reader)
        else:
            rows = (line.rstrip("\n") for line in handle)
        out: list[str] = []
        for text in rows:
            if text and text.strip():
                out.append(text)
                if len(out) >= n:
                    break
    return out


def timed(fn, repeat: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """(wall s, CPU s) of the call with the least CPU time over `repeat` calls.

    CPU time (all threads of this process) is what other processes on a shared machine
    disturb least; wall time is what a user sees.
    """
    best = (float("inf"), float("inf"))
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        run = (time.perf_counter() - wall, time.process_time() - cpu)
        best = min(best, run, key=lambda r: r[1])
    return best


class _Precomputed:
    """Stands in for the encoder with embeddings computed beforehand: times rank() minus the model."""

    def __init__(self, encoder, embeddings) -> None:  # type: ignore[no-untyped-def]
        self.encoder = encoder
        self.embeddings = embeddings

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self.encoder, name)

    def encode(self, texts, **kwargs):  # type: ignore[no-untyped-def]
        return self.embeddings[: len(texts)]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="Job-ad corpus (default shared).")
    parser.add_argument("--column", default="sentence", help="Text column of a TSV/CSV corpus.")
    parser.add_argument("-n", "--sentences", type=int, default=2000, help="Sentences to rank (default 2000).")
    parser.add_argument("--esco", type=Path, default=DEFAULT_ESCO, help="ESCO CSV zip or folder.")
    parser.add_argument("--esco-version", default="1.1.0")
    parser.add_argument("--model", default="default", help="'default' or a model directory.")
    parser.add_argument("--skill-text", default="preferred", help="Skill-text mode of the ranked index.")
    parser.add_argument(
        "--batch-size", type=int, action="append", help="Encoder batch size (repeatable; 32, 128)."
    )
    parser.add_argument("-k", type=int, default=5, help="Skills per sentence (default 5).")
    parser.add_argument("--repeat", type=int, default=1, help="Timed repetitions; the best is kept.")
    parser.add_argument(
        "--build-mode",
        action="append",
        default=None,
        help="Skill-text mode whose full index build is timed (repeatable; default: --skill-text).",
    )
    parser.add_argument("--no-build", action="store_true", help="Skip the timed index builds.")
    parser.add_argument(
        "--load-mode",
        action="append",
        default=[],
        help="Skill-text mode whose index in the user cache is timed loading (repeatable; built if missing).",
    )
    parser.add_argument("--no-rank", action="store_true", help="Skip the ranking timings.")
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's).")
    parser.add_argument("--json", type=Path, default=None, help="Write the results as JSON here.")
    args = parser.parse_args(argv)
    args.batch_size = args.batch_size or [32, 128]
    args.build_mode = args.build_mode or [args.skill_text]
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    import numpy
    import sentence_transformers
    import torch

    import skillx
    from skillx.encoder import encode, load_encoder, model_fingerprint
    from skillx.index import SkillIndex, default_index_dir
    from skillx.ranker import SemanticRanker
    from skillx.taxonomy import read_esco_csv

    report: dict = {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.argv[0]).name, *(argv if argv is not None else sys.argv[1:])]),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, torch threads {torch.get_num_threads()}",
        "versions": {
            "python": platform.python_version(),
            "skillx": skillx.__version__,
            "torch": torch.__version__,
            "sentence_transformers": sentence_transformers.__version__,
            "numpy": numpy.__version__,
        },
    }
    start = time.perf_counter()
    taxonomy = read_esco_csv(args.esco, version=args.esco_version)
    report["taxonomy_read_s"] = round(time.perf_counter() - start, 2)
    start = time.perf_counter()
    _ = taxonomy.fingerprint
    report["taxonomy_fingerprint_s"] = round(time.perf_counter() - start, 3)
    model = None if args.model == "default" else args.model
    encoder = load_encoder(model, num_threads=args.threads)
    fingerprint = model_fingerprint(encoder)
    report["peak_rss_mib_after_load"] = round(peak_rss_mib())

    builds = []
    with tempfile.TemporaryDirectory(prefix="skillx-bench-") as tmp:
        if not args.no_build:
            for mode in args.build_mode:
                start = time.perf_counter()
                index = SkillIndex.build(taxonomy, encoder, skill_text=mode, show_progress=False)
                built = time.perf_counter() - start
                folder = index.save(Path(tmp) / mode.replace("+", "_"))
                del index
                loads = [
                    timed(
                        lambda f=folder: SkillIndex.load(
                            f, taxonomy=taxonomy, encoder_fingerprint=fingerprint
                        ),
                        1,
                    )
                    for _ in range(2)
                ]
                size = sum(p.stat().st_size for p in folder.iterdir()) / 2**20
                builds.append(
                    {
                        "skill_text": mode,
                        "build_s": round(built, 1),
                        "load_cold_s": round(loads[0], 3),
                        "load_warm_s": round(loads[1], 3),
                        "size_mib": round(size, 1),
                        "peak_rss_mib": round(peak_rss_mib()),
                    }
                )
                print(f"built {mode}: {builds[-1]}", file=sys.stderr, flush=True)
    report["index"] = builds
    loads = []
    for mode in args.load_mode:
        cached = SkillIndex.load_or_build(
            None, taxonomy, encoder, skill_text=mode, model_fingerprint=fingerprint
        )
        folder = default_index_dir(fingerprint, taxonomy, mode)
        del cached
        cold, warm = (
            timed(lambda f=folder: SkillIndex.load(f, taxonomy=taxonomy, encoder_fingerprint=fingerprint), 1)[
                0
            ]
            for _ in range(2)
        )
        size = sum(p.stat().st_size for p in folder.iterdir()) / 2**20
        meta = SkillIndex.read_meta(folder)
        loads.append(
            {
                "skill_text": mode,
                "n_texts": meta["n_texts"],
                "size_mib": round(size, 1),
                "load_first_s": round(cold, 3),
                "load_warm_s": round(warm, 3),
            }
        )
        print(f"loaded {mode}: {loads[-1]}", file=sys.stderr, flush=True)
    report["cached_index_loads"] = loads
    if args.no_rank:
        report["peak_rss_mib"] = round(peak_rss_mib())
        print(
            json.dumps(
                {"index": builds, "cached_index_loads": loads, "peak_rss_mib": report["peak_rss_mib"]},
                indent=2,
            )
        )
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        return 0

    index = SkillIndex.load_or_build(
        None, taxonomy, encoder, skill_text=args.skill_text, model_fingerprint=fingerprint
    )
    ranker = SemanticRanker(encoder, index, taxonomy)
    sentences = read_sentences(args.corpus, args.sentences, args.column)
    report["n_sentences"] = len(sentences)
    runs = []
    non_blank = [t for t in sentences if t.strip()]
    for batch_size in args.batch_size:
        t_encode = timed(
            lambda b=batch_size: encode(encoder, sentences, batch_size=b, show_progress=False), args.repeat
        )
        t_rank = timed(
            lambda b=batch_size: ranker.rank(sentences, k=args.k, batch_size=b, show_progress=False),
            args.repeat,
        )
        runs.append(
            {
                "batch_size": batch_size,
                "encode_wall_s": round(t_encode[0], 2),
                "encode_cpu_s": round(t_encode[1], 2),
                "rank_wall_s": round(t_rank[0], 2),
                "rank_cpu_s": round(t_rank[1], 2),
                "encode_per_s": round(len(sentences) / t_encode[0], 1),
                "rank_per_s": round(len(sentences) / t_rank[0], 1),
                "overhead_cpu_pct": round(100 * (t_rank[1] - t_encode[1]) / t_encode[1], 1),
            }
        )
        print(f"batch {batch_size}: {runs[-1]}", file=sys.stderr, flush=True)
    embeddings = encode(encoder, non_blank, show_progress=False)
    report["top_k_only_s"] = round(timed(lambda: index.top_k(embeddings, args.k), args.repeat)[0], 3)
    no_model = SemanticRanker(_Precomputed(encoder, embeddings), index, taxonomy)
    post = timed(lambda: no_model.rank(sentences, k=args.k), args.repeat)
    report["rank_without_model_s"] = round(post[0], 3)
    report["rank"] = runs
    report["skill_text"] = args.skill_text
    report["k"] = args.k
    report["peak_rss_mib"] = round(peak_rss_mib())
    report["load_average"] = [round(x, 1) for x in os.getloadavg()]

    print(
        f"\nranking {len(sentences)} sentences, k={args.k}, skill text '{args.skill_text}' "
        f"({index.n_texts} texts), {report['machine']}, load average {report['load_average']}"
    )
    print(
        f"{'batch':>5} {'encode s':>9} {'enc CPU s':>10} {'rank s':>8} {'rank CPU s':>11} "
        f"{'encode/s':>9} {'rank/s':>8} {'overhead (CPU)':>15}"
    )
    for r in runs:
        print(
            f"{r['batch_size']:>5} {r['encode_wall_s']:>9.2f} {r['encode_cpu_s']:>10.2f} "
            f"{r['rank_wall_s']:>8.2f} {r['rank_cpu_s']:>11.2f} {r['encode_per_s']:>9.1f} "
            f"{r['rank_per_s']:>8.1f} {r['overhead_cpu_pct']:>14.1f}%"
        )
    print(
        f"rank() without the model pass (top-k + records), all {len(sentences)} sentences: "
        f"{report['rank_without_model_s']} s (top-k alone {report['top_k_only_s']} s)"
    )
    if builds:
        print(
            f"\n{'skill text':<18} {'build s':>8} {'load cold s':>12} {'load warm s':>12} "
            f"{'MiB':>6} {'peak RSS':>9}"
        )
        for b in builds:
            print(
                f"{b['skill_text']:<18} {b['build_s']:>8.1f} {b['load_cold_s']:>12.3f} "
                f"{b['load_warm_s']:>12.3f} {b['size_mib']:>6.1f} {b['peak_rss_mib']:>8}M"
            )
    print(
        f"\ntaxonomy read {report['taxonomy_read_s']} s, fingerprint {report['taxonomy_fingerprint_s']} s; "
        f"peak RSS {report['peak_rss_mib']} MiB"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

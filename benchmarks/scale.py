"""One machine, all cores: one process, a pool of N workers and Spark local[N] on the same ads.

On the first --sentences corpus sentences, grouped into pseudo job ads (up to --ad-size
consecutive sentences of the same source), with one model and one ESCO, in ONE run:

* ``one process``: the plain `SkillExtractor` in one process with every core's torch threads;
* ``N independent``: N concurrent processes, each on 1/N of the ads with cores/N threads (the
  ideal that any parallel path is held to: no coordination at all);
* ``pool``: `skillx.parallel.extract_many(..., n_process=N)` (the library's process pool);
* ``spark``: `skillx.spark.extract_skills` on a Spark ``local[N]`` session (sentence level).

Every path runs in child processes of this script and is timed end to end, each worker's
model load included (the JVM start of Spark is not). Reported per path: sentences/s, ads/s,
peak resident memory per worker (sampled every 0.2 s), throughput as a share of the N
independent processes, and whether the rows equal the one-process rows (same sentence x
skill rows and ranks; scores to 1e-5, the noise of encoding sentences in other batches).

Numbers are noisy on a shared machine: compare the paths of one run with each other.

Examples:
    nice -n 5 python benchmarks/scale.py --sentences 500
    flock /tmp/skillx-heavy.lock nice -n 5 python benchmarks/scale.py --json scale.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import platform
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from _common import SHARED

DEFAULT_CORPUS = SHARED / "corpora" / "jobads_en.tsv.gz"
DEFAULT_ESCO = SHARED / "esco"
Row = tuple[int, int, int, str, float]  # ad, sentence, rank, uri, score


def read_ads(path: Path, *, n_sentences: int, ad_size: int) -> list[str]:
    """Pseudo job ads from the corpus (`benchmarks/throughput.py`'s grouping, every block)."""
    from throughput import read_ads as grouped

    return grouped(path, n_sentences=n_sentences, ad_size=ad_size, stride=1)


def rows_of(results: Sequence[Sequence[Any]], offset: int = 0) -> list[Row]:
    """Comparable rows of `extract_many` output."""
    return [
        (offset + d, s.index, rank, m.uri, float(m.score))
        for d, doc in enumerate(results)
        for s in doc
        for rank, m in enumerate(s.skills, start=1)
    ]


class MemorySampler:
    """Peak RSS (MiB) of every descendant process, sampled in a background thread."""

    def __init__(self, interval: float = 0.2) -> None:
        import psutil

        self._me = psutil.Process()
        self.interval = interval
        self.peaks: dict[int, tuple[str, float]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            try:
                children = self._me.children(recursive=True)
            except psutil.Error:
                children = []
            for child in children:
                try:
                    rss = child.memory_info().rss / 2**20
                    command = child.cmdline()
                    name = " ".join([Path(command[0]).name, *command[1:3]]) if command else ""
                except psutil.Error:
                    continue
                old = self.peaks.get(child.pid, ("", 0.0))[1]
                self.peaks[child.pid] = (name, max(old, rss))
            self._stop.wait(self.interval)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def worker_peaks(self, keep: Callable[[str], bool]) -> list[float]:
        return sorted((rss for name, rss in self.peaks.values() if keep(name)), reverse=True)


def _child(load: dict[str, Any], texts: list[str], threads: int, k: int, out: str) -> None:
    """One single-process run: load, extract, write rows and timings as JSON."""
    import torch

    torch.set_num_threads(threads)
    import skillx

    start = time.perf_counter()
    extractor = skillx.load(**load)
    loaded = time.perf_counter()
    results = extractor.extract_many(texts, k=k)
    done = time.perf_counter()
    payload = {
        "load_s": loaded - start,
        "extract_s": done - loaded,
        "sentences": sum(len(doc) for doc in results),
        "rows": rows_of(results),
    }
    Path(out).write_text(json.dumps(payload), encoding="utf-8")


def run_processes(parts: list[list[str]], load: dict[str, Any], threads: int, k: int) -> dict[str, Any]:
    """Concurrent single-process runs, one per part; wall time until the last one ends."""
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:
        outs = [str(Path(tmp) / f"part{i}.json") for i in range(len(parts))]
        procs = [
            context.Process(target=_child, args=(load, part, threads, k, out))
            for part, out in zip(parts, outs, strict=True)
        ]
        with MemorySampler() as memory:
            start = time.perf_counter()
            for proc in procs:
                proc.start()
            for proc in procs:
                proc.join()
            wall = time.perf_counter() - start
        if any(proc.exitcode != 0 for proc in procs):
            raise SystemExit("a benchmark child process failed (see its traceback above)")
        payloads = [json.loads(Path(out).read_text(encoding="utf-8")) for out in outs]
    rows: list[Row] = []
    offset = 0
    for part, payload in zip(parts, payloads, strict=True):
        rows.extend((offset + r[0], r[1], r[2], r[3], r[4]) for r in payload["rows"])
        offset += len(part)
    return {
        "wall_s": wall,
        "load_s": max(p["load_s"] for p in payloads),
        "sentences": sum(p["sentences"] for p in payloads),
        "rows": rows,
        "worker_peak_mib": memory.worker_peaks(lambda name: True),
    }


def run_pool(ads: list[str], load: dict[str, Any], n: int, k: int) -> dict[str, Any]:
    from skillx.parallel import extract_many

    with MemorySampler() as memory:
        start = time.perf_counter()
        results = extract_many(ads, n_process=n, k=k, **load)
        wall = time.perf_counter() - start
    return {
        "wall_s": wall,
        "sentences": sum(len(doc) for doc in results),
        "rows": rows_of(results),
        "worker_peak_mib": memory.worker_peaks(lambda name: name.startswith("python")),
    }


def run_spark(ads: list[str], load: dict[str, Any], n: int, k: int) -> dict[str, Any]:
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    from skillx.spark import extract_skills

    with MemorySampler() as memory:
        spark = (
            SparkSession.builder.master(f"local[{n}]")
            .appName("skillx-scale")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.memory", "2g")
            .getOrCreate()
        )
        spark.sparkContext.setLogLevel("ERROR")
        df = spark.createDataFrame(list(enumerate(ads)), "ad long, text string").repartition(4 * n).cache()
        df.count()  # the input is in Spark before the clock starts
        model = load.get("model")
        start = time.perf_counter()
        table = extract_skills(
            df, "text", id_col="ad", model=model, taxonomy=load.get("taxonomy"), k=k
        ).toPandas()
        wall = time.perf_counter() - start
        spark.stop()
    rows = [
        (int(r.ad), int(r.sentence), int(r.rank), str(r.uri), float(r.score))
        for r in table.itertuples(index=False)
    ]
    return {
        "wall_s": wall,
        "rows": rows,
        "worker_peak_mib": memory.worker_peaks(lambda name: name.startswith("python")),
        "jvm_peak_mib": max(memory.worker_peaks(lambda name: name.startswith("java")), default=0.0),
    }


def compare(got: list[Row], want: list[Row]) -> dict[str, Any]:
    """Same sentence x skill rows and ranks (ties to 1e-5 aside); the largest score difference."""
    a = {(r[0], r[1], r[3]): r for r in got}
    b = {(r[0], r[1], r[3]): r for r in want}
    diff = max((abs(a[key][4] - b[key][4]) for key in a.keys() & b.keys()), default=0.0)
    rank_changes = sum(1 for key in a.keys() & b.keys() if a[key][2] != b[key][2])
    score_changes = sum(1 for key in a.keys() & b.keys() if abs(a[key][4] - b[key][4]) >= 1e-5)
    same = a.keys() == b.keys() and len(got) == len(want) and diff < 1e-5
    return {
        "identical": same,
        "rows": len(got),
        "missing": len(b.keys() - a.keys()),
        "extra": len(a.keys() - b.keys()),
        "max_score_diff": diff,
        "rank_changes": rank_changes,
        "score_changes": score_changes,
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--corpus", type=Path, default=DEFAULT_CORPUS, help="Job-ad corpus TSV (default shared)."
    )
    parser.add_argument("--sentences", type=int, default=20_000, help="Corpus sentences (default 20000).")
    parser.add_argument("--ad-size", type=int, default=12, help="Most sentences per pseudo ad (default 12).")
    parser.add_argument(
        "--model", default=None, help="Model directory (default: the installed default model)."
    )
    parser.add_argument("--esco", type=Path, default=DEFAULT_ESCO, help="ESCO CSV zips (default shared).")
    parser.add_argument(
        "--workers", type=int, default=2, help="Workers of the pool and Spark local[N] (default 2)."
    )
    parser.add_argument("-k", "--k", type=int, default=5, help="Skills per sentence (default 5).")
    parser.add_argument("--no-spark", action="store_true", help="Skip the Spark path.")
    parser.add_argument("--json", type=Path, default=None, help="Write the results as JSON here.")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    n = args.workers
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    ads = read_ads(args.corpus, n_sentences=args.sentences, ad_size=args.ad_size)
    load = {"model": args.model, "taxonomy": str(args.esco)}
    print(f"{len(ads)} ads from {args.corpus.name}; {n} workers on {cores} cores", file=sys.stderr)

    half = -(-len(ads) // n)
    runs: dict[str, Callable[[], dict[str, Any]]] = {
        "one process": lambda: run_processes([ads], load, cores, args.k),
        f"{n} independent": lambda: run_processes(
            [ads[i : i + half] for i in range(0, len(ads), half)], load, max(1, cores // n), args.k
        ),
        f"pool n_process={n}": lambda: run_pool(ads, load, n, args.k),
    }
    if not args.no_spark:
        runs[f"spark local[{n}]"] = lambda: run_spark(ads, load, n, args.k)
    paths: dict[str, dict[str, Any]] = {}
    for name, run in runs.items():
        print(f"{name}: running", file=sys.stderr, flush=True)
        paths[name] = run()
        print(f"{name}: {paths[name]['wall_s']:.1f} s", file=sys.stderr, flush=True)

    sentences = paths["one process"]["sentences"]
    reference = paths["one process"]["rows"]
    ideal = sentences / paths[f"{n} independent"]["wall_s"]
    report: dict[str, Any] = {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join(["benchmarks/scale.py", *(argv if argv is not None else sys.argv[1:])]),
        "machine": f"{platform.machine()}, {cores} usable cores",
        "ads": len(ads),
        "sentences": sentences,
        "extractor_load_s": paths["one process"]["load_s"],
        "paths": {},
    }
    header = f"{'path':<20} {'sent/s':>8} {'ads/s':>7} {'% of indep.':>11} {'vs 1 proc':>9} "
    print(header + f"{'peak MiB/worker':>16}  identical")
    for name, result in paths.items():
        rate = sentences / result["wall_s"]
        check = compare(result["rows"], reference)
        peaks = result["worker_peak_mib"][: max(1, n if name != "one process" else 1)]
        entry = {
            "wall_s": round(result["wall_s"], 2),
            "sentences_per_s": round(rate, 1),
            "ads_per_s": round(len(ads) / result["wall_s"], 2),
            "share_of_independent": round(rate / ideal, 3),
            "overhead_vs_independent": round(1 - rate / ideal, 3),
            "speedup_vs_one_process": round(rate / (sentences / paths["one process"]["wall_s"]), 3),
            "peak_mib_per_worker": [round(p) for p in peaks],
            "check": check,
        }
        if "jvm_peak_mib" in result:
            entry["jvm_peak_mib"] = round(result["jvm_peak_mib"])
        report["paths"][name] = entry
        print(
            f"{name:<20} {rate:>8.1f} {entry['ads_per_s']:>7.2f} {entry['share_of_independent']:>10.0%} "
            f"{entry['speedup_vs_one_process']:>8.2f}x {max(peaks, default=0):>16.0f}  "
            f"{'yes' if check['identical'] else 'NO'} ({check['rows']} rows: {check['missing']} missing, "
            f"{check['extra']} extra, {check['rank_changes']} rank swaps, {check['score_changes']} scores "
            f"off by >= 1e-5, max diff {check['max_score_diff']:.1e})"
        )
    per_core = ideal / cores
    report["sentences_per_s_per_core"] = round(per_core, 1)
    report["ads_per_s_per_core"] = round(len(ads) / paths[f"{n} independent"]["wall_s"] / cores, 3)
    report["core_hours_per_million_ads"] = round(1e6 / (report["ads_per_s_per_core"] * 3600), 1)
    print(
        f"per core: {per_core:.1f} sentences/s, {report['ads_per_s_per_core']:.3f} ads/s -> "
        f"{report['core_hours_per_million_ads']:.0f} core-hours per million ads; "
        f"extractor load {report['extractor_load_s']:.1f} s"
    )
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

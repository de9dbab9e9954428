"""What every benchmark script shares: offline model loading and where ../shared's data lies.

Importing this module sets the Hugging Face offline switches (nothing may be downloaded at
run time), so scripts import it before anything that loads a model. Only benchmark scripts,
`.ci/run` and the Makefile may point at ../shared; the library never does.
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"
DEFAULT_DATA = [
    SHARED / "benchmark" / "tech_validation_annotations.csv",
    SHARED / "benchmark" / "house_validation_annotations.csv",
]


def peak_rss_kib() -> int:
    """Peak resident memory of this process's own address space, in KiB.

    Linux's ``VmHWM`` (from ``/proc/self/status``), not ``getrusage().ru_maxrss``: the latter
    survives ``fork`` + ``exec``, so a child started by a large parent reports at least the
    parent's size at the fork (two models measured in two children then read the same).
    Elsewhere it falls back to ``ru_maxrss``.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)

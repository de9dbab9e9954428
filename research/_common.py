"""What the research scripts share: offline model loading and where ../shared's data lies.

Importing this module sets the Hugging Face offline switches (nothing may be downloaded at
run time), so scripts import it before anything that loads a model. Only scripts outside the
package (benchmarks/, research/), `.ci/run` and the Makefile may point at ../shared; the
library never does.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"
DEFAULT_DATA = [
    SHARED / "benchmark" / "tech_validation_annotations.csv",
    SHARED / "benchmark" / "house_validation_annotations.csv",
]


def add_scored_sentence_args(parser: argparse.ArgumentParser) -> None:
    """``--cache``, ``--model``, ``--esco`` and ``--data``: the validation sentences scored once
    (`skillx.calibration.ScoredSentences`), by `--model` when the cache is missing."""
    parser.add_argument("--cache", type=Path, required=True, help="scored sentences (written if missing)")
    parser.add_argument("--model", default=None, help="model to score with when the cache is missing")
    parser.add_argument("--esco", default=None, help="ESCO CSV folder or zip (default: SKILLX_ESCO)")
    parser.add_argument("--data", type=Path, action="append", default=None, help="validation CSVs")

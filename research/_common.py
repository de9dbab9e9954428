"""What the research scripts share: offline model loading and where ../shared's data lies.

Importing this module sets the Hugging Face offline switches (nothing may be downloaded at
run time), so scripts import it before anything that loads a model. Only scripts outside the
package (benchmarks/, research/), `.ci/run` and the Makefile may point at ../shared; the
library never does.
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

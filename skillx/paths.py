"""Where skillx keeps its caches and installed models (never in site-packages or the CWD)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

CACHE_ENV = "SKILLX_CACHE_DIR"
ESCO_ENV = "SKILLX_ESCO"


def cache_dir(*parts: str) -> Path:
    """The user cache folder of skillx (or ``$SKILLX_CACHE_DIR``), created on demand.

    Args:
        parts: Sub-folders, e.g. ``cache_dir("taxonomy")``.
    """
    root = os.environ.get(CACHE_ENV) or platformdirs.user_cache_dir("skillx", appauthor=False)
    path = Path(root).expanduser().joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path

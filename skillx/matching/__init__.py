"""Literal matching of taxonomy surface forms in text."""

from __future__ import annotations

from skillx.matching.literal import LiteralHit, LiteralMatcher, is_case_sensitive
from skillx.matching.stop_list import compute_stop_list, default_stop_list_path, load_stop_list

__all__ = [
    "LiteralHit",
    "LiteralMatcher",
    "compute_stop_list",
    "default_stop_list_path",
    "is_case_sensitive",
    "load_stop_list",
]

"""Literal matching of taxonomy surface forms in text.

Modules, lowest first: `normalise` (tokens, stems, case rules), `stop_list` (reading the
stop list), `cache`, `literal` (the matcher). `stop_list_builder` computes the stop list
offline and is not imported here.
"""

from __future__ import annotations

from skillx.matching.literal import LiteralHit, LiteralMatcher
from skillx.matching.normalise import is_case_sensitive
from skillx.matching.stop_list import default_stop_list_path, load_stop_list

__all__ = [
    "LiteralHit",
    "LiteralMatcher",
    "default_stop_list_path",
    "is_case_sensitive",
    "load_stop_list",
]

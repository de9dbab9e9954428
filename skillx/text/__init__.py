"""Text cleaning and segmentation that keeps character offsets into the raw input."""

from __future__ import annotations

from skillx.text.clauses import split_clauses
from skillx.text.clean import OffsetMap, clean_text, clean_with_offsets
from skillx.text.segment import DEFAULT_MAX_CHARS, Sentence, segment

__all__ = [
    "DEFAULT_MAX_CHARS",
    "OffsetMap",
    "Sentence",
    "clean_text",
    "clean_with_offsets",
    "segment",
    "split_clauses",
]

"""Distant supervision: (sentence, skill) pairs from literal matches over a job-ad corpus."""

from __future__ import annotations

from skillx.supervision.pairs import PAIR_COLUMNS, build_pairs, pairs_by_source, stats_path
from skillx.supervision.stats import PairStats

__all__ = ["PAIR_COLUMNS", "PairStats", "build_pairs", "pairs_by_source", "stats_path"]

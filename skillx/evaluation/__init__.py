"""Benchmark loading and ranking metrics (RP@K, MRR, MAP), with the protocol of the field."""

from __future__ import annotations

from skillx.evaluation.benchmark import Benchmark, load_benchmark
from skillx.evaluation.metrics import (
    average_precision,
    evaluate_rankings,
    r_precision_at_k,
    reciprocal_rank,
)
from skillx.evaluation.runner import Ranker, evaluate, rankings_of

__all__ = [
    "Benchmark",
    "Ranker",
    "average_precision",
    "evaluate",
    "evaluate_rankings",
    "load_benchmark",
    "r_precision_at_k",
    "rankings_of",
    "reciprocal_rank",
]

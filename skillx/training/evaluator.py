"""A sentence-transformers evaluator that ranks all skills for benchmark sentences (RP@K, MRR)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from sentence_transformers.base.evaluation.evaluator import BaseEvaluator

from skillx.encoder import encode
from skillx.training.rows import skill_text

if TYPE_CHECKING:
    from skillx.taxonomy import Taxonomy


class BenchmarkEvaluator(BaseEvaluator):
    """Rank every skill of `taxonomy` for each benchmark sentence and score the rankings.

    Used during training to pick the best checkpoint. Metrics per benchmark are prefixed with
    its lower-cased name (``tech_rp@5``); ``rp@5`` is their mean and the primary metric.

    Args:
        benchmarks: Objects with ``name``, ``sentences`` (list of str) and ``gold`` (list of
            sets of skill URIs), e.g. from `skillx.evaluation.load_benchmark`.
        taxonomy: The skills to rank.
        skill_text: How skills are written (must match training).
        skill_embeddings: Fixed skill embeddings (frozen skill tower); None re-encodes the skill
            texts with the model at every evaluation.
        batch_size: Encoding batch size.
    """

    def __init__(
        self,
        benchmarks: Sequence[Any],
        taxonomy: Taxonomy,
        *,
        skill_text: str = "preferred",
        skill_embeddings: np.ndarray | None = None,
        batch_size: int = 128,
    ) -> None:
        super().__init__()
        self.benchmarks = list(benchmarks)
        self.taxonomy = taxonomy
        self.skill_text = skill_text
        self.skill_embeddings = skill_embeddings
        self.batch_size = batch_size
        self.primary_metric = "rp@5"
        self.history: list[dict[str, float]] = []

    def skill_matrix(self, model: Any) -> np.ndarray:
        """The skill embeddings used for ranking (fixed ones, or freshly encoded)."""
        if self.skill_embeddings is not None:
            return self.skill_embeddings
        texts = [skill_text(s, self.skill_text) for s in self.taxonomy]
        return encode(model, texts, batch_size=self.batch_size, show_progress=False)

    def __call__(
        self, model: Any, output_path: str | None = None, epoch: int = -1, steps: int = -1
    ) -> dict[str, float]:
        from skillx.evaluation import evaluate_rankings

        skills = self.skill_matrix(model)
        uris = self.taxonomy.uris
        metrics: dict[str, float] = {}
        primary: list[float] = []
        for bench in self.benchmarks:
            queries = encode(model, list(bench.sentences), batch_size=self.batch_size, show_progress=False)
            scores = queries @ skills.T
            top = np.argsort(-scores, axis=1, kind="stable")  # full ranking: exact MRR and MAP
            rankings = [[uris[int(j)] for j in row] for row in top]
            result = evaluate_rankings(rankings, bench.gold)
            name = str(bench.name).lower()
            for key, value in result.items():
                metrics[f"{name}_{key}"] = float(value)
            primary.append(float(result["rp@5"]))
        metrics["rp@5"] = float(np.mean(primary)) if primary else 0.0
        metrics["steps"] = float(steps)
        self.history.append(metrics)
        return metrics


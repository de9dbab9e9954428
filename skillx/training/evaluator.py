"""`SkillIndexEvaluator`: the checkpoint-selection evaluator, ranking exactly as the saved model does."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from sentence_transformers.sentence_transformer.evaluation import SentenceEvaluator

from skillx.contextual import ContextualScoring
from skillx.evaluation import evaluate_rankings
from skillx.index import SkillIndex, top_k_rows
from skillx.ranker import SemanticRanker

if TYPE_CHECKING:
    from skillx.taxonomy import Taxonomy

# fingerprint recorded on the in-memory index; it is never saved, so it only has to be honest
_IN_TRAINING = "skillx-training-in-progress"


class SkillIndexEvaluator(SentenceEvaluator):
    """Rank every skill for each benchmark sentence through a `SkillIndex`, score with RP@K and MRR.

    At each call the skill index is rebuilt in memory with the model being trained, with the
    skill-text mode and aggregation the saved model will use, and all skills are ranked with
    it (`SkillIndex.top_k` over the whole taxonomy); `skillx.evaluation.evaluate_rankings`
    scores the rankings. So the checkpoint is chosen on the ranker users get, including modes
    with several texts per skill (``preferred+alt``) and contextual scoring.

    Metrics per benchmark are prefixed with its lower-cased name (``tech_rp@5``); ``rp@5`` is
    their mean and the primary metric. Pass it to `SentenceTransformerTrainer(evaluator=...)`.

    Args:
        benchmarks: Objects with ``name``, ``sentences`` (list of str) and ``gold`` (list of
            sets of skill URIs), e.g. from `skillx.evaluation.load_benchmark`.
        taxonomy: The skills to rank.
        skill_text: Skill-text mode of the index (as saved with the model).
        aggregation: How the scores of several texts of a skill combine (``max`` or ``mean``).
        batch_size: Encoding batch size.
        contextual: Contextual scoring of the saved model (`skillx.contextual`); None: pooled.

    Attributes:
        history: The metrics of every call, in order.
        seconds: Wall time spent in calls so far.
    """

    def __init__(
        self,
        benchmarks: Sequence[Any],
        taxonomy: Taxonomy,
        *,
        skill_text: str = "preferred",
        aggregation: str = "max",
        batch_size: int = 128,
        contextual: ContextualScoring | None = None,
    ) -> None:
        super().__init__()
        self.benchmarks = list(benchmarks)
        self.taxonomy = taxonomy
        self.skill_text = skill_text
        self.aggregation = aggregation
        self.batch_size = batch_size
        self.contextual = contextual
        self.primary_metric = "rp@5"
        self.greater_is_better = True
        self.history: list[dict[str, float]] = []
        self.seconds = 0.0

    def build_index(self, model: Any) -> SkillIndex:
        """The skill index of `model` (in memory, never saved)."""
        return SkillIndex.build(
            self.taxonomy,
            model,
            skill_text=self.skill_text,
            aggregation=self.aggregation,
            batch_size=self.batch_size,
            show_progress=False,
            model_fingerprint=_IN_TRAINING,
        )

    def __call__(
        self, model: Any, output_path: str | None = None, epoch: float = -1, steps: int = -1
    ) -> dict[str, float]:
        t0 = time.perf_counter()
        index = self.build_index(model)
        uris = self.taxonomy.uris
        metrics: dict[str, float] = {}
        primary: list[float] = []
        ranker = SemanticRanker(model, index, self.taxonomy, contextual=self.contextual)
        for bench in self.benchmarks:
            sentences = list(bench.sentences)
            scores = ranker.score_matrix(sentences, batch_size=self.batch_size, show_progress=False)
            # every skill ranked (exact MRR and MAP)
            top, _ = top_k_rows(scores, index.n_skills)
            rankings = [[uris[int(j)] for j in row] for row in top]
            result = evaluate_rankings(rankings, bench.gold)
            name = str(bench.name).lower()
            for key, value in result.items():
                metrics[f"{name}_{key}"] = float(value)
            primary.append(float(result["rp@5"]))
        metrics["rp@5"] = float(np.mean(primary)) if primary else 0.0
        metrics["steps"] = float(steps)
        self.history.append(dict(metrics))  # a copy: the trainer renames the returned keys in place
        self.seconds += time.perf_counter() - t0
        return metrics

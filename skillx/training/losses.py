"""Losses that MultipleNegativesRankingLoss does not cover: the frozen-skill-tower softmax."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn


class FrozenSkillTowerLoss(nn.Module):
    """Cross-entropy of each anchor against *every* skill, with fixed skill embeddings.

    The skill embeddings are computed once (with the base encoder) and never change; only the
    sentence tower is trained. Scoring a batch against all ~14k ESCO skills is one matrix
    product, so the full softmax is affordable and every other skill is a negative.

    Expected columns: ``anchor`` (text) and ``label`` (int: row of the positive skill in the
    skill-embedding matrix, i.e. its position in taxonomy order).

    Args:
        model: The SentenceTransformer being trained (the sentence tower).
        skill_embeddings: Array ``(n_skills, dim)``; rows are L2-normalised here.
        scale: Inverse temperature applied to the cosine similarities.
    """

    def __init__(self, model: nn.Module, skill_embeddings: np.ndarray, *, scale: float = 20.0) -> None:
        super().__init__()
        self.model = model
        self.scale = scale
        matrix = torch.as_tensor(np.asarray(skill_embeddings, dtype=np.float32))
        self.register_buffer("skills", nn.functional.normalize(matrix, dim=-1), persistent=False)
        self.cross_entropy = nn.CrossEntropyLoss()

    def forward(self, sentence_features: Iterable[dict[str, Tensor]], labels: Tensor) -> Tensor:
        features = list(sentence_features)
        anchors = self.model(features[0])["sentence_embedding"]
        anchors = nn.functional.normalize(anchors, dim=-1)
        skills: Tensor = self.skills  # type: ignore[assignment]
        logits = self.scale * anchors @ skills.to(anchors.device).T
        return self.cross_entropy(logits, labels.long().to(anchors.device))

    def get_config_dict(self) -> dict[str, Any]:
        return {"scale": self.scale, "n_skills": int(self.skills.shape[0])}  # type: ignore[index]

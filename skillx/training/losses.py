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

    Expected columns: ``anchor`` (text) and ``label``: the row of the positive skill in the
    skill-embedding matrix (its position in taxonomy order), or a list of rows whose first
    entry is the positive and whose other entries (``-1`` pads) are skills also matched in
    the same sentence. Those are positives of the sentence too, so they are left out of its
    softmax instead of being pushed away (`TrainingConfig.mask_co_mentions`).

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
        labels = labels.long().to(anchors.device)
        if labels.dim() == 1:
            return self.cross_entropy(logits, labels)
        return self.cross_entropy(mask_co_mentions(logits, labels), labels[:, 0])

    def get_config_dict(self) -> dict[str, Any]:
        return {"scale": self.scale, "n_skills": int(self.skills.shape[0])}  # type: ignore[index]


def mask_co_mentions(logits: Tensor, labels: Tensor) -> Tensor:
    """`logits` with the co-mentioned skills of each row set to a very low value.

    Args:
        logits: ``(batch, n_skills)`` scores.
        labels: ``(batch, width)`` skill rows: column 0 the positive, then co-mentioned
            skills, ``-1`` for padding. The positive itself is never masked.

    Returns:
        A masked copy of `logits`.
    """
    others = labels[:, 1:]
    rows, cols = torch.nonzero((others >= 0) & (others != labels[:, :1]), as_tuple=True)
    if rows.numel() == 0:
        return logits
    masked = logits.clone()
    masked[rows, others[rows, cols]] = torch.finfo(logits.dtype).min
    return masked

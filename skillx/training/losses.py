"""`ContextualRankingLoss`: the contrastive loss with the contextual score in place of the cosine.

`MultipleNegativesRankingLoss` scores each sentence against every candidate skill text of the
batch (its positive, the explicit negatives, the other rows' candidates) by cosine and takes
the cross-entropy of ``scale * score`` with the positive as the target. This loss keeps all of
that and only swaps the score for the one `skillx.contextual` ranks with at inference: the
pooled cosine mixed with attention over the sentence's token embeddings. So the encoder learns
token embeddings that a skill can attend to, not only a pooled vector.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from skillx.contextual import ContextualScoring


class ContextualRankingLoss(nn.Module):
    """Cross-entropy over in-batch and explicit negatives of the contextual score.

    Args:
        model: The `SentenceTransformer` being trained (mean pooling; its forward pass must
            return ``token_embeddings`` and ``attention_mask``, as the bundled encoders do).
        scoring: Temperature and pooled weight of the score (`ContextualScoring`).
        scale: Inverse softmax temperature of the cross-entropy (as in
            `MultipleNegativesRankingLoss`).
    """

    def __init__(self, model: Any, scoring: ContextualScoring, *, scale: float = 20.0) -> None:
        super().__init__()
        self.model = model
        self.scoring = scoring
        self.scale = scale
        self.cross_entropy = nn.CrossEntropyLoss()

    def batch_scores(self, sentence_features: Any) -> torch.Tensor:
        """Contextual scores ``(batch, batch x (1 + negatives))``; row i's positive is column i."""
        from sentence_transformers.base.losses.merged_forward import embed_columns

        features = list(sentence_features)
        anchor = self.model(features[0])  # keeps "token_embeddings" and "attention_mask"
        # the candidate columns share one forward pass, as in MultipleNegativesRankingLoss
        columns = embed_columns(self.model, features[1:], separate_first=False)
        candidates = F.normalize(torch.cat(columns), dim=-1)
        return contextual_scores(
            anchor["sentence_embedding"], anchor["token_embeddings"], anchor["attention_mask"], candidates,
            self.scoring,
        )  # fmt: skip

    def forward(self, sentence_features: Any, labels: Any = None) -> torch.Tensor:
        scores = self.batch_scores(sentence_features)
        target = torch.arange(scores.shape[0], device=scores.device)  # row i's positive is column i
        return self.cross_entropy(self.scale * scores, target)

    def get_config_dict(self) -> dict[str, float]:
        return {"scale": self.scale, **self.scoring.to_dict()}


def contextual_scores(
    pooled: torch.Tensor,
    tokens: torch.Tensor,
    attention_mask: torch.Tensor,
    candidates: torch.Tensor,
    scoring: ContextualScoring,
) -> torch.Tensor:
    """``(B, N)`` contextual scores of B sentences against N unit candidate embeddings.

    The first token and each sentence's last real token (the special tokens) are left out of
    the attention, as `skillx.encoder.encode_with_tokens` leaves them out at inference.
    """
    tau, weight = scoring.tau, scoring.pooled_weight
    cosine = F.normalize(pooled, dim=-1) @ candidates.T  # (B, N)
    units = F.normalize(tokens, dim=-1)  # (B, L, d)
    mask = attention_mask.bool().clone()
    mask[:, 0] = False
    last = attention_mask.sum(dim=1) - 1
    mask[torch.arange(mask.shape[0]), last] = False
    sims = torch.einsum("bld,nd->bnl", units, candidates)  # (B, N, L)
    logits = (sims / tau).masked_fill(~mask[:, None, :], float("-inf"))
    weights = torch.nan_to_num(torch.softmax(logits, dim=-1))  # a row without tokens: all zero
    attention = (weights * sims.masked_fill(~mask[:, None, :], 0.0)).sum(dim=-1)
    return weight * cosine + (1.0 - weight) * attention

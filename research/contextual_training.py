"""Does training the token-attention scorer with the contrastive loss beat scoring it at inference only?

`token_attention.py` scores skills against a pooled-trained encoder's token embeddings. Here
the same mix is what the loss trains: for a sentence with unit token embeddings h_t (special
tokens left out) and a candidate skill text embedding q (unit length),

    att(q) = sum_t softmax_t(q.h_t / tau) q.h_t
    score(q) = alpha * cos(q, mean-pooled sentence) + (1 - alpha) * att(q)

and the loss is the cross-entropy of ``scale * score`` over the batch's positives and explicit
negatives (`MultipleNegativesRankingLoss` with this score in place of the cosine). Everything
else is `skillx train` as `make model` runs it (same pairs, rows, seed, schedule, checkpoint
choice on validation by the pooled ranking): the script only swaps the loss class that
`SkillEncoderTrainer.fit` builds, then calls the CLI. Read the result with
``token_attention.py --model OUT --tau TAU --alpha ALPHA`` (and ``paired_bootstrap.py``).

    python research/contextual_training.py PAIRS --output OUT --tau 0.02 --alpha 0.75 \
        -b VAL ... --time-budget 2700 --eval-steps 500
"""

from __future__ import annotations

import argparse
import sys

import _common  # noqa: F401  (offline switches before anything loads a model)


def contextual_loss_class(tau: float, alpha: float):
    """A drop-in for `MultipleNegativesRankingLoss(model, scale=...)` with the contextual score."""
    import torch
    import torch.nn.functional as F
    from sentence_transformers.base.losses.merged_forward import embed_columns
    from torch import nn

    class ContextualRankingLoss(nn.Module):
        def __init__(self, model, scale: float = 20.0, **_: object) -> None:
            super().__init__()
            self.model = model
            self.scale = scale
            self.cross_entropy = nn.CrossEntropyLoss()

        def forward(self, sentence_features, labels=None):
            features = list(sentence_features)
            anchor = self.model(features[0])  # keeps "token_embeddings" and "attention_mask"
            # the candidate columns share one forward pass, as in MultipleNegativesRankingLoss
            candidates = F.normalize(
                torch.cat(embed_columns(self.model, features[1:], separate_first=False)), dim=-1
            )
            pooled = F.normalize(anchor["sentence_embedding"], dim=-1) @ candidates.T  # (B, N)
            tokens = F.normalize(anchor["token_embeddings"], dim=-1)  # (B, L, d)
            mask = anchor["attention_mask"].bool().clone()
            mask[:, 0] = False  # [CLS]
            last = anchor["attention_mask"].sum(dim=1) - 1
            mask[torch.arange(mask.shape[0]), last] = False  # [SEP]
            sims = torch.einsum("bld,nd->bnl", tokens, candidates)  # (B, N, L)
            logits = (sims / tau).masked_fill(~mask[:, None, :], float("-inf"))
            weights = torch.softmax(logits, dim=-1)
            attention = (weights * sims.masked_fill(~mask[:, None, :], 0.0)).sum(dim=-1)
            scores = alpha * pooled + (1.0 - alpha) * attention
            target = torch.arange(scores.shape[0], device=scores.device)
            return self.cross_entropy(self.scale * scores, target)

        def get_config_dict(self):
            return {"scale": self.scale, "tau": tau, "alpha": alpha}

    return ContextualRankingLoss


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tau", type=float, default=0.02, help="Attention temperature.")
    parser.add_argument("--alpha", type=float, default=0.75, help="Weight of the pooled cosine.")
    args, rest = parser.parse_known_args(argv)

    from sentence_transformers.sentence_transformer import losses

    losses.MultipleNegativesRankingLoss = contextual_loss_class(args.tau, args.alpha)
    from skillx.cli import main as cli_main

    sys.argv = ["skillx", "train", *rest]
    cli_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Does training the token-attention scorer with the contrastive loss beat scoring it at inference only?

`token_attention.py` scores skills against a pooled-trained encoder's token embeddings. Here
the same mix is what the loss trains: for a sentence with unit token embeddings h_t (special
tokens left out) and a candidate skill text embedding q (unit length),

    att(q) = sum_t softmax_t(q.h_t / tau) q.h_t
    score(q) = alpha * cos(q, mean-pooled sentence) + (1 - alpha) * att(q)

and the loss is the cross-entropy of ``scale * score`` over the batch's positives and explicit
negatives: skillx's `ContextualRankingLoss`, which ``skillx train --contextual`` uses. This
script differs from that command in two ways only, which is why it stays: the checkpoint is
chosen on validation by the *pooled* ranking, and the fusion is fitted on pooled scores (as in
the 2026-12-02 runs of research/results.md). Everything else is `skillx train` as `make model`
runs it (same pairs, rows, seed, schedule). Read the result with
``token_attention.py --model OUT --tau TAU --alpha ALPHA`` (and ``paired_bootstrap.py``).

    python research/contextual_training.py PAIRS --output OUT --tau 0.02 --alpha 0.75 \
        -b VAL ... --time-budget 2700 --eval-steps 500
"""

from __future__ import annotations

import argparse
import sys

import _common  # noqa: F401  (offline switches before anything loads a model)


def install_contextual_loss(tau: float, alpha: float) -> None:
    """Make `SkillEncoderTrainer.fit` build skillx's `ContextualRankingLoss` where it builds MNRL."""
    from sentence_transformers.sentence_transformer import losses

    from skillx.contextual import ContextualScoring
    from skillx.training.losses import ContextualRankingLoss

    scoring = ContextualScoring(tau=tau, pooled_weight=alpha)

    def contextual_loss(model, scale: float = 20.0, **_: object) -> ContextualRankingLoss:
        return ContextualRankingLoss(model, scoring, scale=scale)

    losses.MultipleNegativesRankingLoss = contextual_loss


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tau", type=float, default=0.02, help="Attention temperature.")
    parser.add_argument("--alpha", type=float, default=0.75, help="Weight of the pooled cosine.")
    args, rest = parser.parse_known_args(argv)

    install_contextual_loss(args.tau, args.alpha)
    from skillx.cli import main as cli_main

    sys.argv = ["skillx", "train", *rest]
    cli_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())

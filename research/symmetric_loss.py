"""Does the symmetric contrastive loss help contextual training?

`skillx train --contextual` trains with `ContextualRankingLoss`: for each sentence, a
cross-entropy over the skills of the batch (its positive against the other rows' positives and
the explicit negatives). The symmetric form (as `MultipleNegativesSymmetricRankingLoss` in
sentence-transformers) adds the other direction: for each positive skill, a cross-entropy over
the batch's sentences, its own sentence against the others, and averages the two. The extra
term asks every skill to score its own sentence above sentences that do not name it, which
pushes down skills that score high on every sentence; it costs one more softmax per batch,
no forward pass.

This script swaps the loss's forward pass for the symmetric one, then calls `skillx train` with
its own arguments, so everything else is `make model`'s recipe:

    python research/symmetric_loss.py PAIRS --output OUT -b VAL -b VAL --time-budget 2700 \\
        --eval-steps 500 --seed 42 --contextual
"""

from __future__ import annotations

import sys
from typing import Any

import _common  # noqa: F401  (offline switches before anything loads a model)


def symmetric_forward(self: Any, sentence_features: Any, labels: Any = None) -> Any:
    """`ContextualRankingLoss.forward` with the skill-to-sentence cross-entropy averaged in."""
    return symmetric_loss(self.batch_scores(sentence_features), self.scale, self.cross_entropy)


def symmetric_loss(scores: Any, scale: float, cross_entropy: Any) -> Any:
    """Mean of the sentence-to-skill and skill-to-sentence cross-entropies of a score matrix.

    `scores` is ``(batch, batch x (1 + negatives))``: row i's positive is column i, so the first
    `batch` columns are the positives and column j's own sentence is row j.
    """
    import torch

    batch = scores.shape[0]
    target = torch.arange(batch, device=scores.device)
    forward = cross_entropy(scale * scores, target)
    backward = cross_entropy(scale * scores[:, :batch].T, target)
    return (forward + backward) / 2


def install() -> None:
    """Make `ContextualRankingLoss` symmetric for this process."""
    from skillx.training.losses import ContextualRankingLoss

    ContextualRankingLoss.forward = symmetric_forward  # type: ignore[method-assign]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if "-h" in args or "--help" in args:
        print(__doc__.strip() + "\n\nThe other arguments are those of `skillx train --help`.")
        return 0
    if "--contextual" not in args:
        raise SystemExit("The symmetric loss replaces the contextual one: pass --contextual.")
    install()
    from skillx.cli import main as cli_main

    sys.argv = ["skillx", "train", *args]
    cli_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""research/contextual_training.py: the stock loss is swapped for skillx's contextual loss."""

from __future__ import annotations


def test_install_contextual_loss_makes_the_trainer_build_it(research_script, monkeypatch) -> None:
    from sentence_transformers.sentence_transformer import losses

    from skillx.contextual import ContextualScoring
    from skillx.training.losses import ContextualRankingLoss

    monkeypatch.setattr(losses, "MultipleNegativesRankingLoss", losses.MultipleNegativesRankingLoss)
    research_script("contextual_training").install_contextual_loss(tau=0.05, alpha=0.5)
    built = losses.MultipleNegativesRankingLoss(object(), scale=10.0)
    assert isinstance(built, ContextualRankingLoss)
    assert built.scoring == ContextualScoring(0.05, 0.5) and built.scale == 10.0

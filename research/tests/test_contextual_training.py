"""research/contextual_training.py: the contextual loss against the stock contrastive loss."""

from __future__ import annotations

import pytest
import torch


@pytest.fixture(scope="module")
def encoder():
    from sentence_transformers import SentenceTransformer

    from skillx.encoder import default_model_path

    return SentenceTransformer(str(default_model_path()), device="cpu")


def _features(model, columns):
    return [model.tokenize(list(texts)) for texts in columns]


COLUMNS = (
    ("Head chef wanted for our busy kitchen.", "Experience with Python and Django.", "Drive a van."),
    ("prepare dishes", "Python (computer programming)", "drive vehicles"),
    ("Chef", "Django", "order vehicles"),
)


def test_alpha_one_is_the_stock_multiple_negatives_ranking_loss(research_script, encoder) -> None:
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss

    contextual = research_script("contextual_training").contextual_loss_class(tau=0.02, alpha=1.0)
    with torch.no_grad():
        ours = contextual(encoder, scale=20.0)(_features(encoder, COLUMNS), None)
        stock = MultipleNegativesRankingLoss(encoder, scale=20.0)(_features(encoder, COLUMNS), None)
    assert float(ours) == pytest.approx(float(stock), rel=1e-4)


def test_the_attention_term_changes_the_loss_and_has_gradients(research_script, encoder) -> None:
    loss_class = research_script("contextual_training").contextual_loss_class(tau=0.02, alpha=0.5)
    loss = loss_class(encoder, scale=20.0)(_features(encoder, COLUMNS), None)
    with torch.no_grad():
        pooled_only = research_script("contextual_training").contextual_loss_class(tau=0.02, alpha=1.0)
        base = pooled_only(encoder, scale=20.0)(_features(encoder, COLUMNS), None)
    assert float(loss) != pytest.approx(float(base), rel=1e-3)
    loss.backward()
    grads = [p.grad for p in encoder.parameters() if p.grad is not None]
    assert grads and any(float(g.abs().sum()) > 0 for g in grads)
    encoder.zero_grad()

"""research/symmetric_loss.py: the two directions of the loss."""

from __future__ import annotations

import pytest
import torch


def test_the_backward_direction_reads_the_positive_columns_by_sentence(research_script) -> None:
    script = research_script("symmetric_loss")
    cross_entropy = torch.nn.CrossEntropyLoss()
    # two sentences, their two positives and one explicit negative each (4 columns)
    scores = torch.tensor([[0.9, 0.1, 0.0, 0.2], [0.8, 0.7, 0.3, 0.0]])
    target = torch.arange(2)
    forward = cross_entropy(scores, target)
    # skill 0 scores sentence 1 (0.8) almost as high as its own sentence: the backward term sees it
    backward = cross_entropy(torch.tensor([[0.9, 0.8], [0.1, 0.7]]), target)
    loss = script.symmetric_loss(scores, 1.0, cross_entropy)
    assert loss.item() == pytest.approx(((forward + backward) / 2).item())
    hub = scores.clone()
    hub[1, 0] = 2.0  # skill 0 scores every sentence high
    assert script.symmetric_loss(hub, 1.0, cross_entropy) > loss


def test_it_refuses_to_run_without_contextual_training(research_script) -> None:
    script = research_script("symmetric_loss")
    with pytest.raises(SystemExit, match="--contextual"):
        script.main(["pairs.parquet", "--output", "out"])


def test_help_describes_the_script(research_script, capsys) -> None:
    script = research_script("symmetric_loss")
    assert script.main(["--help"]) == 0  # no training starts, --contextual is not asked for
    out = capsys.readouterr().out
    assert "symmetric form" in out and "skillx train --help" in out


def test_the_forward_pass_scores_the_batch_as_the_product_loss_does(research_script) -> None:
    script = research_script("symmetric_loss")
    scores = torch.tensor([[0.9, 0.1, 0.0, 0.2], [0.8, 0.7, 0.3, 0.0]])

    class Loss:  # the attributes of ContextualRankingLoss that the symmetric forward reads
        scale = 20.0
        cross_entropy = torch.nn.CrossEntropyLoss()

        def batch_scores(self, features):
            assert features == ["features"]
            return scores

    expected = script.symmetric_loss(scores, 20.0, Loss.cross_entropy)
    assert script.symmetric_forward(Loss(), ["features"]).item() == pytest.approx(expected.item())
    from skillx.training.losses import ContextualRankingLoss

    assert callable(ContextualRankingLoss.batch_scores)

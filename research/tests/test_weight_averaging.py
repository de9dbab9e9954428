"""research/weight_averaging.py: argument checks and the weighted average of model weights."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def averaging(research_script):
    return research_script("weight_averaging")


def test_parse_spec(averaging) -> None:
    assert averaging.parse_spec("a/b=c=0.25") == ("a/b=c", 0.25)
    with pytest.raises(SystemExit, match="MODEL=WEIGHT"):
        averaging.parse_spec("model-without-weight")
    with pytest.raises(SystemExit, match="not a number"):
        averaging.parse_spec("model=half")


def test_weights_must_sum_to_one(averaging) -> None:
    with pytest.raises(SystemExit, match="must sum to 1"):
        averaging.main(["base=0.5", "other=0.4"])


def test_needs_a_skillx_model_directory(averaging, tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="not a skillx model directory"):
        averaging.main(["base=0.5", f"{tmp_path}=0.5"])


def test_average_states_is_the_weighted_sum(averaging) -> None:
    import torch

    a = {"w": torch.tensor([0.0, 4.0]), "ids": torch.tensor([0, 1])}
    b = {"w": torch.tensor([2.0, 0.0]), "ids": torch.tensor([0, 1])}
    state = averaging.average_states([(a, 0.25), (b, 0.75)])
    assert torch.allclose(state["w"], torch.tensor([1.5, 1.0]))
    assert torch.equal(state["ids"], a["ids"])  # integer buffers are copied, not averaged

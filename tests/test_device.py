"""`skillx.load(device=...)`: the device reaches the encoder; an unavailable one is a clear error."""

from __future__ import annotations

import pytest
import torch

import skillx
from skillx.encoder import resolve_device
from skillx.errors import ModelError


def test_none_means_cuda_if_available_else_cpu():
    assert resolve_device(None) == ("cuda" if torch.cuda.is_available() else "cpu")
    assert resolve_device("cpu") == "cpu"


@pytest.mark.parametrize("device", ["tpu", "cuda:x", "cpu:1", ""])
def test_unknown_device_lists_the_valid_ones(device):
    with pytest.raises(ModelError, match="cpu, cuda, cuda:N, mps"):
        resolve_device(device)


def test_unavailable_cuda_names_the_fix(toy_taxonomy_dir):
    # no GPU: "cuda" itself is unavailable; with GPUs: one past the last is
    device = f"cuda:{torch.cuda.device_count()}" if torch.cuda.is_available() else "cuda"
    with pytest.raises(ModelError, match=r"device='cuda|cuda:0"):
        skillx.load(taxonomy=toy_taxonomy_dir, device=device)


def test_mps_where_it_exists_else_an_error_naming_the_fix():
    if torch.backends.mps.is_available():
        assert resolve_device("mps") == "mps"
    else:
        with pytest.raises(ModelError, match="device='cpu'"):
            resolve_device("mps")


def test_load_puts_the_encoder_on_the_device(toy_taxonomy_dir):
    extractor = skillx.load(taxonomy=toy_taxonomy_dir, device="cpu")
    assert extractor.ranker is not None
    assert str(extractor.ranker.encoder.device) == "cpu"

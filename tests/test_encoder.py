"""Encoder loading (bundled MiniLM, model folders, skillx model dirs), encoding and fingerprints."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from skillx.encoder import (
    default_model_path,
    encode,
    encoder_fingerprint,
    load_encoder,
    model_fingerprint,
    model_source,
    resolve_model_path,
)
from skillx.errors import ModelError
from skillx.model_dir import ModelMeta, TaxonomyRef, is_skillx_model_dir, read_model_meta, write_model_meta


@pytest.fixture(scope="module")
def minilm():
    return load_encoder()


@pytest.fixture(scope="module")
def model_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("model") / "minilm"
    shutil.copytree(default_model_path(), target)
    return target


def test_default_model_path_is_a_sentence_transformers_folder() -> None:
    path = default_model_path()
    assert (path / "modules.json").is_file()
    assert resolve_model_path(None) == path
    assert resolve_model_path("default") == path


def test_encode_returns_normalised_float32(minilm) -> None:
    vectors = encode(minilm, ["Python programming", "serve drinks to guests", ""])
    assert vectors.shape == (3, 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors[:2], axis=1), 1.0, atol=1e-5)
    similar = float(vectors[0] @ encode(minilm, ["programming in Python"])[0])
    unrelated = float(vectors[0] @ vectors[1])
    assert similar > unrelated + 0.3


def test_encode_empty_list_gives_empty_matrix(minilm) -> None:
    assert encode(minilm, []).shape == (0, 384)


def test_encode_is_independent_of_batch_size(minilm) -> None:
    texts = ["manage budgets", "perform CPR on patients in an emergency", "Go", "clean rooms"]
    np.testing.assert_allclose(
        encode(minilm, texts, batch_size=1), encode(minilm, texts, batch_size=64), atol=1e-5
    )


def test_load_encoder_records_source_and_fingerprint(minilm) -> None:
    assert model_source(minilm) == str(default_model_path())
    assert model_fingerprint(minilm) == encoder_fingerprint(None)


@pytest.mark.parametrize("make", ["missing", "empty_dir", "file", "no_weights"])
def test_load_encoder_bogus_directory_raises_model_error(tmp_path: Path, make: str) -> None:
    target = tmp_path / "m"
    if make == "empty_dir":
        target.mkdir()
    elif make == "file":
        target.write_text("not a model")
    elif make == "no_weights":
        target.mkdir()
        (target / "modules.json").write_text("[]")
    with pytest.raises(ModelError) as info:
        load_encoder(target)
    message = str(info.value)
    assert str(target) in message
    assert "pass" in message.lower() or "save" in message.lower()


def test_load_encoder_broken_config_raises_model_error(tmp_path: Path, model_copy: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(model_copy, broken)
    (broken / "config.json").write_text("{ not json")
    with pytest.raises(ModelError, match="Could not load"):
        load_encoder(broken)


def test_fingerprint_survives_copy_and_sees_changes(tmp_path: Path, model_copy: Path) -> None:
    assert encoder_fingerprint(model_copy) == encoder_fingerprint(default_model_path())
    changed = tmp_path / "changed"
    shutil.copytree(model_copy, changed)
    config = json.loads((changed / "config.json").read_text())
    config["hidden_dropout_prob"] = 0.2
    (changed / "config.json").write_text(json.dumps(config))
    assert encoder_fingerprint(changed) != encoder_fingerprint(model_copy)


def test_skillx_model_dir_loads_its_model_subfolder(tmp_path: Path, model_copy: Path) -> None:
    root = tmp_path / "skillx-model"
    shutil.copytree(model_copy, root / "model")
    assert not is_skillx_model_dir(root)
    write_model_meta(root, ModelMeta(skill_text="preferred+alt", taxonomy=TaxonomyRef(name="ESCO")))
    assert is_skillx_model_dir(root)
    assert resolve_model_path(root) == root / "model"
    meta = read_model_meta(root)
    assert meta is not None and meta.skill_text == "preferred+alt"
    assert meta.taxonomy == TaxonomyRef(name="ESCO")
    encoder = load_encoder(root)
    assert model_fingerprint(encoder) == encoder_fingerprint(model_copy)


def test_num_threads_is_applied_only_when_asked() -> None:
    import torch

    before = torch.get_num_threads()
    load_encoder()
    assert torch.get_num_threads() == before
    try:
        load_encoder(num_threads=1)
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)
    with pytest.raises(ModelError, match="num_threads"):
        load_encoder(num_threads=0)

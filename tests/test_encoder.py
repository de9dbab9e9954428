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
    length_batches,
    load_encoder,
    model_fingerprint,
    model_source,
    resolve_model_path,
    token_lengths,
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


def test_long_texts_go_in_small_batches_and_short_ones_in_full_batches(minilm) -> None:
    texts = ["a short line"] * 300 + ["word " * 400] * 5 + ["a line of middling length " * 4] * 40
    lengths = token_lengths(minilm, texts)
    assert lengths[0] == 5 and lengths[300] == minilm.max_seq_length  # [CLS] a short line [SEP]; cut
    batches = length_batches(minilm, texts, 64)
    assert sorted(i for rows in batches for i in rows) == list(range(len(texts)))
    assert all(1 <= len(rows) <= 64 for rows in batches)
    sizes = {int(lengths[rows[-1]]): len(rows) for rows in batches}
    assert sizes[5] == 64  # short texts never wait for long ones
    assert sizes[minilm.max_seq_length] < 64
    for rows in batches:  # padded work stays within the budget, unless one text alone exceeds it
        assert len(rows) == 1 or len(rows) * max(lengths[rows]) <= 64 * 48


def test_encode_gives_the_same_rows_whatever_the_batches(minilm) -> None:
    texts = ["Go", "word " * 300 + "welding", "manage budgets", "cook pasta " * 30, "clean rooms"]
    direct = minilm.encode(texts, batch_size=1, normalize_embeddings=True)
    np.testing.assert_allclose(encode(minilm, texts, batch_size=2), direct, atol=1e-5)


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


def _saved_at(root: Path, length: int, *, trained_at: int) -> Path:
    """A skillx model dir whose encoder was saved reading `length` word pieces."""
    encoder = load_encoder()
    encoder.max_seq_length = length
    encoder.save(str(root / "model"))
    write_model_meta(root, ModelMeta(training_config={"optim": {"max_seq_length": trained_at}}))
    return root


def test_model_saved_at_its_training_length_reads_whole_sentences(tmp_path: Path) -> None:
    root = _saved_at(tmp_path / "old", 48, trained_at=48)
    assert load_encoder(root / "model").max_seq_length == 48  # a plain folder keeps what it says
    encoder = load_encoder(root)
    assert encoder.max_seq_length == 256
    head = "We are a friendly team in the city centre and we value open communication. " * 4
    short, long = encode(encoder, [head, head + "You will weld steel pipes on site."])
    assert float(short @ long) < 0.99  # the tail past word piece 48 is read


def test_model_saved_at_another_length_keeps_it(tmp_path: Path) -> None:
    assert load_encoder(_saved_at(tmp_path / "m", 128, trained_at=48)).max_seq_length == 128


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

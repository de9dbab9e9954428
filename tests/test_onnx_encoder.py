"""The ONNX inference format: export, OnnxEncoder parity with torch, load_encoder hook, errors."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from skillx.encoder import encode, load_encoder, model_fingerprint, require_torch_encoder, resolve_model_path
from skillx.errors import ModelError
from skillx.model_dir import ModelMeta, write_model_meta
from skillx.onnx_encoder import (
    ONNX_META_FILE,
    ONNX_MODEL_FILE,
    TOKENIZER_FILE,
    OnnxEncoder,
    export_onnx,
    is_onnx_model_dir,
)
from skillx.ranker import SemanticRanker

SENTENCES = [
    "Experience with Python programming and SQL databases",
    "You will welcome guests at our restaurant",
    "Able to perform CPR in an emergency",
    "Strong communication skills and a team player",
    "Python (computer programming)",
    "manage a team",
]


def _fake_onnx_folder(folder: Path, **meta_changes: object) -> Path:
    """A folder with the ONNX marker, a bogus graph and a tokenizer file (no export needed)."""
    folder.mkdir(parents=True, exist_ok=True)
    meta = {
        "format": "onnx-int8",
        "format_version": 1,
        "pooling": "mean",
        "max_seq_length": 256,
        "embedding_dim": 384,
        "input_names": ["input_ids", "attention_mask", "token_type_ids"],
        **meta_changes,
    }
    (folder / ONNX_META_FILE).write_text(json.dumps(meta), encoding="utf-8")
    (folder / ONNX_MODEL_FILE).write_bytes(b"not an onnx graph")
    (folder / TOKENIZER_FILE).write_text("{}", encoding="utf-8")
    return folder


# -- fast: the format marker, errors ---------------------------------------------------------
def test_load_encoder_without_onnxruntime_names_the_extra(tmp_path, monkeypatch) -> None:
    folder = _fake_onnx_folder(tmp_path / "onnx")
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import onnxruntime -> ImportError
    with pytest.raises(ModelError, match=r"pip install 'skillx\[onnx\]'"):
        load_encoder(folder)


def test_export_without_onnx_names_the_extra(tmp_path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(ModelError, match=r"pip install 'skillx\[onnx\]'"):
        export_onnx(None, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_corrupt_onnx_graph_names_the_fix(tmp_path) -> None:
    folder = _fake_onnx_folder(tmp_path / "onnx")
    with pytest.raises(ModelError, match=r"could not load.*Export the model again"):
        load_encoder(folder)


@pytest.mark.parametrize(
    ("damage", "match"),
    [
        (lambda f: (f / ONNX_MODEL_FILE).unlink(), "no model.onnx: the copy is incomplete"),
        (lambda f: (f / TOKENIZER_FILE).unlink(), "no tokenizer.json"),
        (lambda f: (f / ONNX_META_FILE).write_text("{broken", encoding="utf-8"), "not valid JSON"),
        (lambda f: (f / ONNX_META_FILE).write_text('{"format_version": 1}', encoding="utf-8"), "lacks"),
    ],
)
def test_incomplete_onnx_folder_names_the_fix(tmp_path, damage, match) -> None:
    folder = _fake_onnx_folder(tmp_path / "onnx")
    damage(folder)
    with pytest.raises(ModelError, match=match) as caught:
        OnnxEncoder(folder)
    assert "export_onnx" in str(caught.value)


def test_newer_format_version_asks_for_an_upgrade(tmp_path) -> None:
    folder = _fake_onnx_folder(tmp_path / "onnx", format_version=99)
    with pytest.raises(ModelError, match="pip install -U skillx"):
        OnnxEncoder(folder)


def test_unknown_inputs_or_pooling_are_refused(tmp_path) -> None:
    with pytest.raises(ModelError, match=r"cannot feed: \['pixel_values'\]"):
        OnnxEncoder(_fake_onnx_folder(tmp_path / "a", input_names=["input_ids", "pixel_values"]))
    with pytest.raises(ModelError, match="only 'mean' is supported"):
        OnnxEncoder(_fake_onnx_folder(tmp_path / "b", pooling="cls"))


def test_onnx_runs_on_cpu_only(tmp_path) -> None:
    folder = _fake_onnx_folder(tmp_path / "onnx")
    with pytest.raises(ModelError, match=r"CPU only.*device='cpu'"):
        load_encoder(folder, device="cuda")


def test_skillx_model_dir_with_onnx_model_resolves_to_it(tmp_path) -> None:
    folder = _fake_onnx_folder(tmp_path / "m" / "model")
    write_model_meta(tmp_path / "m", ModelMeta(skill_text="preferred"))
    assert is_onnx_model_dir(folder) and not is_onnx_model_dir(tmp_path / "m")
    assert resolve_model_path(tmp_path / "m") == folder


def test_training_refuses_an_onnx_encoder(tmp_path) -> None:
    encoder = OnnxEncoder.__new__(OnnxEncoder)  # no files needed: only the type is checked
    encoder.folder = tmp_path
    with pytest.raises(ModelError, match=r"cannot be fine-tuned.*torch model"):
        require_torch_encoder(encoder)


def test_export_refuses_a_non_empty_output_folder(tmp_path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("x", encoding="utf-8")
    with pytest.raises(ModelError, match=r"not an empty folder.*overwrite=True"):
        export_onnx(None, tmp_path / "out")
    with pytest.raises(ModelError, match="quantize must be 'int8' or None"):
        export_onnx(None, tmp_path / "other", quantize="int4")


# -- slow: a real export of the bundled all-MiniLM-L6-v2 ----------------------------------------
@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict[str, Path]:
    """The bundled base encoder exported once as int8 and once as float32."""
    root = tmp_path_factory.mktemp("onnx-export")
    return {
        "int8": export_onnx(None, root / "int8"),
        "fp32": export_onnx(None, root / "fp32", quantize=None),
    }


@pytest.fixture(scope="module")
def torch_encoder():
    return load_encoder(None)


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1)


@pytest.mark.slow
def test_export_writes_the_format(exported, torch_encoder) -> None:
    folder = exported["int8"]
    meta = json.loads((folder / ONNX_META_FILE).read_text(encoding="utf-8"))
    assert meta["format"] == "onnx-int8" and meta["pooling"] == "mean" and meta["normalize"] is True
    assert meta["max_seq_length"] == torch_encoder.max_seq_length == 256
    assert meta["embedding_dim"] == 384
    assert meta["source_fingerprint"] == model_fingerprint(torch_encoder)
    assert (folder / TOKENIZER_FILE).is_file()
    int8_size = (folder / ONNX_MODEL_FILE).stat().st_size
    assert int8_size < (exported["fp32"] / ONNX_MODEL_FILE).stat().st_size / 3  # int8 weights


@pytest.mark.slow
def test_load_encoder_gives_an_onnx_encoder_with_its_own_fingerprint(exported, torch_encoder) -> None:
    encoder = load_encoder(exported["int8"], num_threads=1)
    assert isinstance(encoder, OnnxEncoder)
    assert encoder.session.get_session_options().intra_op_num_threads == 1
    assert model_fingerprint(encoder) != model_fingerprint(torch_encoder)
    assert model_fingerprint(encoder) != model_fingerprint(load_encoder(exported["fp32"]))


@pytest.mark.slow
def test_float32_export_reproduces_torch_embeddings(exported, torch_encoder) -> None:
    onnx = encode(load_encoder(exported["fp32"]), SENTENCES)
    reference = encode(torch_encoder, SENTENCES)
    assert _cosines(onnx, reference).min() > 0.9999  # same tokens, same pooling


@pytest.mark.slow
def test_int8_embeddings_stay_close_to_torch(exported, torch_encoder) -> None:
    onnx = encode(load_encoder(exported["int8"]), SENTENCES)
    reference = encode(torch_encoder, SENTENCES)
    assert onnx.shape == reference.shape and onnx.dtype == np.float32
    assert _cosines(onnx, reference).min() > 0.98


@pytest.mark.slow
def test_encode_interface_matches_sentence_transformers(exported, torch_encoder) -> None:
    encoder = load_encoder(exported["fp32"])
    single = encoder.encode(SENTENCES[0], normalize_embeddings=True)
    assert single.shape == (384,)
    assert float(single @ torch_encoder.encode(SENTENCES[0], normalize_embeddings=True)) > 0.9999
    assert encode(encoder, []).shape == (0, 384)
    by_one = encoder.encode(SENTENCES, batch_size=1)
    together = encoder.encode(SENTENCES, batch_size=64)
    np.testing.assert_allclose(by_one, together, atol=1e-5)  # padding does not leak into the mean
    long_text = "data engineering with Spark " * 200  # far beyond 256 word pieces: truncated
    assert _cosines(encode(encoder, [long_text]), encode(torch_encoder, [long_text]))[0] > 0.9999


@pytest.mark.slow
def test_max_seq_length_truncates(exported) -> None:
    encoder = load_encoder(exported["int8"])
    head = "We need a data engineer with Python and SQL experience for our team in Berlin"
    encoder.max_seq_length = 8
    a, b = encoder.encode([head + " and cooking", head + " and painting"])
    np.testing.assert_allclose(a, b, atol=1e-6)  # the tails fall beyond 8 word pieces
    encoder.max_seq_length = 256
    a, b = encoder.encode([head + " and cooking", head + " and painting"])
    assert not np.allclose(a, b, atol=1e-3)


@pytest.mark.slow
def test_onnx_ranks_toy_skills_like_torch(exported, toy_taxonomy) -> None:
    torch_ranker = SemanticRanker.from_pretrained(None, taxonomy=toy_taxonomy)
    onnx_ranker = SemanticRanker.from_pretrained(str(exported["int8"]), taxonomy=toy_taxonomy)
    assert isinstance(onnx_ranker.encoder, OnnxEncoder)
    assert onnx_ranker.index.model_fingerprint != torch_ranker.index.model_fingerprint
    torch_top = torch_ranker.rank(SENTENCES, k=3)
    onnx_top = onnx_ranker.rank(SENTENCES, k=3)
    # int8 weights move cosines by up to ~0.035-0.052 (the CPU's int8 kernels differ; 0.009 on
    # average): same top-1, near scores
    for reference, onnx in zip(torch_top, onnx_top, strict=True):
        assert onnx[0].uri == reference[0].uri
        assert onnx[0].score == pytest.approx(reference[0].score, abs=0.05)
        assert len({m.uri for m in onnx} & {m.uri for m in reference}) >= 2
    difference = np.abs(torch_ranker.score_matrix(SENTENCES) - onnx_ranker.score_matrix(SENTENCES))
    assert difference.max() < 0.06 and difference.mean() < 0.015


@pytest.mark.slow
def test_onnx_tokens_reproduce_torch_for_contextual_scoring(exported, torch_encoder, toy_taxonomy) -> None:
    from skillx.contextual import ContextualScoring
    from skillx.encoder import encode_with_tokens

    onnx = load_encoder(exported["fp32"])
    pooled, tokens = encode_with_tokens(onnx, SENTENCES, batch_size=2)
    ref_pooled, ref_tokens = encode_with_tokens(torch_encoder, SENTENCES)
    assert _cosines(pooled, ref_pooled).min() > 0.9999
    for ours, reference in zip(tokens, ref_tokens, strict=True):
        assert ours.shape == reference.shape and _cosines(ours, reference).min() > 0.999
    torch_ranker = SemanticRanker.from_pretrained(None, taxonomy=toy_taxonomy, scoring="contextual")
    onnx_ranker = SemanticRanker.from_pretrained(
        str(exported["fp32"]), taxonomy=toy_taxonomy, scoring="contextual"
    )
    assert onnx_ranker.contextual == ContextualScoring()
    difference = np.abs(torch_ranker.score_matrix(SENTENCES) - onnx_ranker.score_matrix(SENTENCES))
    assert difference.max() < 1e-3

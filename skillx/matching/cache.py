"""On-disk cache of the `LiteralMatcher` groups (normalised key -> surface form, kind, skills).

Building the matcher over full ESCO tokenises and stems ~99k labels (seconds); a warm load
reads one JSON file and only rebuilds the Aho-Corasick automaton. Nothing is pickled.

An entry lives in ``cache_dir("matcher")``, named by a hash over everything that changes
the groups: the taxonomy fingerprint (labels, kinds, skill types, order), the stop-list
content, the matcher options, the cache format and the source of the matching code. The
file repeats that key; a file whose key, format or content does not check out is ignored
(with a warning) and rebuilt, never reused. Files are written atomically
(`skillx.io.atomic_write_bytes`), so a reader never sees a half-written entry; writing an entry
deletes the entries for the same taxonomy, stop list and options left by older code versions.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from skillx.io import atomic_write_bytes
from skillx.paths import cache_dir
from skillx.taxonomy import LabelKind, Taxonomy

CACHE_FORMAT = 1
_KINDS = {kind.value: kind for kind in LabelKind}
_CODE_FILES = ("cache.py", "literal.py", "normalise.py")
_code_hash: str | None = None

# One group: (surface form, kind, taxonomy positions of its skills). Keyed by normalised key
# or by exact token.
GroupRecord = tuple[str, LabelKind, list[int]]


def matcher_cache_dir() -> Path:
    """Folder of the matcher cache (``skillx.paths.cache_dir("matcher")``)."""
    return cache_dir("matcher")


def _matching_code_hash() -> str:
    """Hash of the matching code, so editing the normaliser never reuses stale keys."""
    global _code_hash
    if _code_hash is None:
        digest = hashlib.sha256()
        here = Path(__file__).resolve().parent
        for name in _CODE_FILES:
            with contextlib.suppress(OSError):
                digest.update((here / name).read_bytes())
        _code_hash = digest.hexdigest()[:16]
    return _code_hash


def cache_key(
    taxonomy: Taxonomy, stop_forms: Iterable[str], *, case_rules: bool, normalise: bool
) -> dict[str, Any]:
    """Everything the cached groups depend on, as JSON-able data.

    Args:
        taxonomy: The matched taxonomy (its fingerprint covers labels, kinds, types and order).
        stop_forms: The resolved stop list.
        case_rules: Matcher option.
        normalise: Matcher option.
    """
    from skillx import __version__

    stop_hash = hashlib.sha256("\n".join(sorted(stop_forms)).encode("utf-8")).hexdigest()
    return {
        "format": CACHE_FORMAT,
        "skillx": __version__,
        "code": _matching_code_hash(),
        "taxonomy": [taxonomy.name, taxonomy.version, taxonomy.language, taxonomy.fingerprint],
        "skills": len(taxonomy),
        "stop_list": stop_hash,
        "case_rules": bool(case_rules),
        "normalise": bool(normalise),
    }


def cache_path(key: dict[str, Any]) -> Path:
    """The file holding the entry for `key`."""
    name = hashlib.sha256(json.dumps(key, sort_keys=True).encode("utf-8")).hexdigest()[:32]
    return matcher_cache_dir() / f"{name}.json"


def save_groups(
    path: Path,
    key: dict[str, Any],
    norm_groups: dict[str, GroupRecord],
    exact_groups: dict[str, GroupRecord],
) -> None:
    """Write the groups atomically (skills as taxonomy positions; the key pins the taxonomy).

    The file is two lines: a header (``key`` and the SHA-256 of the body) and the body
    (``{"norm": [...], "exact": [...]}``, each group ``[key, surface form, kind, positions]``).
    """

    def rows(groups: dict[str, GroupRecord]) -> list[list[Any]]:
        return [[k, form, kind.value, at] for k, (form, kind, at) in groups.items()]

    body = json.dumps(
        {"norm": rows(norm_groups), "exact": rows(exact_groups)}, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")
    header = json.dumps({"key": key, "sha256": hashlib.sha256(body).hexdigest()}, sort_keys=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, header.encode("utf-8") + b"\n" + body)
    _prune_superseded(path, key)


_SAME_INPUTS = ("taxonomy", "stop_list", "case_rules", "normalise")


def _prune_superseded(path: Path, key: dict[str, Any]) -> None:
    """Delete entries for the same inputs written by another code or format version (7-8 MB each)."""
    for other in path.parent.glob("*.json"):
        if other == path:
            continue
        with contextlib.suppress(OSError, ValueError, AttributeError):
            with other.open("rb") as handle:
                header = json.loads(handle.readline())
            old = header.get("key", {})
            if all(old.get(name) == key[name] for name in _SAME_INPUTS):
                other.unlink()


def load_groups(
    path: Path, key: dict[str, Any]
) -> tuple[dict[str, GroupRecord], dict[str, GroupRecord]] | None:
    """The cached ``(norm_groups, exact_groups)`` for `key`, or None if absent or unusable.

    A file that exists but is truncated, edited, of another format or for another key is
    reported with a warning and None is returned, so the caller rebuilds (and overwrites) it.
    """
    if not path.is_file():
        return None
    try:
        data = path.read_bytes()
        header_bytes, sep, body = data.partition(b"\n")
        if not sep:
            raise ValueError("no header line")
        header = json.loads(header_bytes)
        if not isinstance(header, dict) or header.get("key") != key:
            raise ValueError("its key does not match this taxonomy, stop list and options")
        if header.get("sha256") != hashlib.sha256(body).hexdigest():
            raise ValueError("its content does not match its checksum (truncated or edited)")
        payload = json.loads(body)
        norm = {k: (form, _KINDS[kind], at) for k, form, kind, at in payload["norm"]}
        exact = {k: (form, _KINDS[kind], at) for k, form, kind, at in payload["exact"]}
        return norm, exact
    except (OSError, ValueError, KeyError, TypeError) as exc:  # JSONDecodeError: ValueError
        warnings.warn(
            f"Ignoring unusable literal-matcher cache file '{path}' ({exc}); rebuilding it.",
            stacklevel=3,
        )
        return None

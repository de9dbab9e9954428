"""Cache of parsed taxonomies under ``cache_dir("taxonomy")``: parquet tables plus JSON metadata.

Nothing is pickled. One entry is a folder named by a key over the source files (resolved path,
size, modification time), the reader, version, language, the cache format and the skillx
version; it holds ``skills.parquet``, ``groups.parquet``, ``relations.parquet`` and
``meta.json`` (name, version, language, fingerprint). Entries are written into a temporary
folder and renamed into place, so a reader never sees a half-written entry.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from skillx.io import replace_directory
from skillx.paths import cache_dir
from skillx.taxonomy.model import Taxonomy
from skillx.taxonomy.records import Skill, SkillGroup, SkillRelation

CACHE_FORMAT = 1
_META = "meta.json"
_SKILL_FIELDS = (
    "uri",
    "preferred_label",
    "alt_labels",
    "hidden_labels",
    "description",
    "skill_type",
    "reuse_level",
    "broader",
)
_GROUP_FIELDS = ("uri", "preferred_label", "alt_labels", "description", "code", "broader")
_LIST_FIELDS = {"alt_labels", "hidden_labels", "broader"}
_SOURCE_SUFFIXES = {".csv", ".zip"}


def taxonomy_cache_dir() -> Path:
    """Root folder of the parsed-taxonomy cache."""
    return cache_dir("taxonomy")


def _file_stamps(path: Path) -> Iterable[list[Any]]:
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            if child.is_file() and child.suffix.lower() in _SOURCE_SUFFIXES:
                stat = child.stat()
                yield [str(child.resolve()), stat.st_size, stat.st_mtime_ns]
    else:
        stat = path.stat()
        yield [str(path.resolve()), stat.st_size, stat.st_mtime_ns]


def cache_key(
    sources: Sequence[str | Path], *, reader: str, version: str, language: str, **options: Any
) -> str:
    """A key that changes whenever a source file, the reader or its options change.

    Args:
        sources: Files or folders the taxonomy is read from (folders: every .csv/.zip inside).
        reader: Reader name, e.g. ``"esco-csv"`` or ``"skos"``.
        version: Requested taxonomy version.
        language: Requested language.
        options: Other reader options that change the result.
    """
    from skillx import __version__

    stamps = [stamp for source in sources for stamp in _file_stamps(Path(source))]
    payload = json.dumps(
        {
            "format": CACHE_FORMAT,
            "skillx": __version__,
            "reader": reader,
            "version": version,
            "language": language,
            "options": options,
            "files": stamps,
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def save_taxonomy(taxonomy: Taxonomy, key: str) -> Path:
    """Write `taxonomy` into the cache under `key` (atomically) and return the entry folder."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    root = taxonomy_cache_dir()
    final = root / key
    tmp = root / f".{key}.{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        for name, records, fields in (
            ("skills", taxonomy.skills, _SKILL_FIELDS),
            ("groups", taxonomy.groups, _GROUP_FIELDS),
        ):
            columns = {
                f: pa.array(
                    [list(getattr(r, f)) if f in _LIST_FIELDS else getattr(r, f) for r in records],
                    type=pa.list_(pa.string()) if f in _LIST_FIELDS else pa.string(),
                )
                for f in fields
            }
            pq.write_table(pa.table(columns), tmp / f"{name}.parquet")
        relations = taxonomy.relations
        pq.write_table(
            pa.table(
                {
                    "source": pa.array([r.source for r in relations], type=pa.string()),
                    "target": pa.array([r.target for r in relations], type=pa.string()),
                    "relation_type": pa.array([r.relation_type for r in relations], type=pa.string()),
                }
            ),
            tmp / "relations.parquet",
        )
        meta = {
            "format": CACHE_FORMAT,
            "name": taxonomy.name,
            "version": taxonomy.version,
            "language": taxonomy.language,
            "fingerprint": taxonomy.fingerprint,
            "skills": len(taxonomy),
        }
        (tmp / _META).write_text(json.dumps(meta, indent=1), encoding="utf-8")
        # If another process wrote the same entry meanwhile, the rename fails: theirs is as good.
        with contextlib.suppress(OSError):
            replace_directory(tmp, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final


def load_cached(key: str) -> Taxonomy | None:
    """The cached taxonomy for `key`, or None when there is no complete, readable entry."""
    entry = taxonomy_cache_dir() / key
    meta_path = entry / _META
    if not meta_path.is_file():
        return None
    try:
        import pyarrow.parquet as pq

        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("format") != CACHE_FORMAT:
            return None
        skills = _rows(pq.ParquetFile(entry / "skills.parquet").read().to_pydict(), _SKILL_FIELDS)
        groups = _rows(pq.ParquetFile(entry / "groups.parquet").read().to_pydict(), _GROUP_FIELDS)
        rel = pq.ParquetFile(entry / "relations.parquet").read().to_pydict()
        taxonomy = Taxonomy(
            (Skill(*row) for row in skills),
            (SkillGroup(*row) for row in groups),
            (
                SkillRelation(*row)
                for row in zip(rel["source"], rel["target"], rel["relation_type"], strict=True)
            ),
            name=meta["name"],
            version=meta["version"],
            language=meta["language"],
            fingerprint=meta["fingerprint"],
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:  # corrupt entry: rebuild it
        import warnings

        warnings.warn(
            f"Ignoring unreadable taxonomy cache entry '{entry}' ({exc}); re-reading.", stacklevel=2
        )
        return None
    return taxonomy


def _rows(table: dict[str, list[Any]], fields: tuple[str, ...]) -> Iterable[tuple[Any, ...]]:
    columns = [[tuple(v) for v in table[f]] if f in _LIST_FIELDS else table[f] for f in fields]
    return zip(*columns, strict=True)


def cached(
    sources: Sequence[str | Path],
    read: Callable[[], Taxonomy],
    *,
    reader: str,
    version: str,
    language: str,
    enabled: bool = True,
    **options: Any,
) -> Taxonomy:
    """`read()` through the cache: a warm hit loads the parquet tables; a miss reads and stores.

    Args:
        sources: The files or folders `read` reads (they key the entry).
        read: Reads the taxonomy from the sources.
        reader: Reader name for the key.
        version: Version for the key.
        language: Language for the key.
        enabled: False reads without touching the cache.
        options: Other reader options for the key.
    """
    if not enabled:
        return read()
    key = cache_key(sources, reader=reader, version=version, language=language, **options)
    hit = load_cached(key)
    if hit is not None:
        return hit
    taxonomy = read()
    try:
        save_taxonomy(taxonomy, key)
    except OSError as exc:  # a read-only cache must not stop the user
        import warnings

        warnings.warn(f"Could not write the taxonomy cache ({exc}); continuing without it.", stacklevel=2)
    return taxonomy

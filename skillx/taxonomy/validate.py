"""Checks every taxonomy reader runs on what it read: labels, duplicates, hierarchy cycles.

Choices (docs/robustness.md): a concept without a preferred label is skipped with a
`TaxonomyWarning` naming it (one bad row should not make a whole language unusable, and an
empty label would otherwise match every sentence); several concepts sharing a preferred
label are kept with a warning naming them; a cycle in the broader hierarchy is an error
naming a concept in it (it has no top, so groups and skills cannot be told apart).
"""

from __future__ import annotations

import warnings
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from skillx.errors import TaxonomyError, TaxonomyWarning
from skillx.taxonomy.records import Skill

MAX_UNCOMPRESSED_BYTES = 1 << 30
"""Largest total uncompressed size of a taxonomy zip (the official ESCO zips hold ~15 MB)."""
MAX_COMPRESSION_RATIO = 100
"""Largest uncompressed/compressed ratio of a zip member over 1 MB (CSV text compresses ~6x)."""
_NAMED = 3  # concepts named in a message


def _examples(uris: Sequence[str]) -> str:
    shown = ", ".join(f"'{u}'" for u in uris[:_NAMED])
    return shown + (f" and {len(uris) - _NAMED} more" if len(uris) > _NAMED else "")


def warn_skipped(uris: Sequence[str], source: object, reason: str) -> None:
    """Warn that concepts were skipped, naming them."""
    if uris:
        warnings.warn(
            f"{source}: skipped {len(uris)} concept(s) {reason}: {_examples(uris)}. Fix the "
            "taxonomy file, or ignore this warning if those concepts are not needed.",
            TaxonomyWarning,
            stacklevel=3,
        )


def warn_duplicate_labels(skills: Iterable[Skill], source: object) -> None:
    """Warn about skills that share a preferred label (case-insensitive), naming them."""
    by_label: dict[str, list[str]] = {}
    for skill in skills:
        by_label.setdefault(skill.preferred_label.casefold(), []).append(skill.uri)
    shared = [(label, uris) for label, uris in by_label.items() if len(uris) > 1]
    if shared:
        label, uris = shared[0]
        warnings.warn(
            f"{source}: {len(shared)} preferred label(s) are shared by several skills, e.g. "
            f"'{label}' by {_examples(uris)}. Results name both skills with the same label; give "
            "each skill its own preferred label to tell them apart.",
            TaxonomyWarning,
            stacklevel=3,
        )


def check_acyclic(parents: Mapping[str, Iterable[str]], source: object) -> None:
    """Raise if the broader hierarchy has a cycle (iterative, linear in the links).

    Raises:
        TaxonomyError: Naming a concept in the cycle.
    """
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for root in parents:
        if root in state:
            continue
        stack = [(root, iter(parents.get(root, ())))]
        state[root] = 1
        while stack:
            node, children = stack[-1]
            for parent in children:
                seen = state.get(parent)
                if seen == 1:
                    raise TaxonomyError(
                        f"{source}: the broader hierarchy has a cycle through '{parent}' (and "
                        f"'{node}'): a concept cannot be broader than itself. Remove one of the "
                        "broader/narrower links of that cycle."
                    )
                if seen is None and parent in parents:
                    state[parent] = 1
                    stack.append((parent, iter(parents.get(parent, ()))))
                    break
                state.setdefault(parent, 2)
            else:
                state[node] = 2
                stack.pop()


def check_zip(archive: zipfile.ZipFile, path: Path) -> None:
    """Refuse a zip whose members would expand past the caps, before anything is extracted.

    zipfile never inflates a member past its declared size, so the declared sizes bound memory.

    Raises:
        TaxonomyError: If the total or one member's compression ratio is too large.
    """
    total = 0
    for info in archive.infolist():
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > (1 << 20) and ratio > MAX_COMPRESSION_RATIO:
            raise TaxonomyError(
                f"'{path}' member '{info.filename}' expands {ratio:.0f}-fold ({info.file_size} bytes): "
                "a zip bomb, not an ESCO download. Nothing was extracted; download the official zip again."
            )
    if total > MAX_UNCOMPRESSED_BYTES:
        raise TaxonomyError(
            f"'{path}' expands to {total} bytes, more than the {MAX_UNCOMPRESSED_BYTES}-byte cap for a "
            "taxonomy zip. Nothing was extracted; download the official ESCO zip again."
        )


def check_no_xml_entities(path: Path) -> None:
    """Refuse RDF/XML that declares entities ("billion laughs", external entities), in bounded time.

    SKOS files have no need for a DTD; the scan reads the file once in blocks.

    Raises:
        TaxonomyError: If the file declares an entity.
    """
    markers = [b"<!ENTITY", "<!ENTITY".encode("utf-16-le"), "<!ENTITY".encode("utf-16-be")]
    keep = max(len(m) for m in markers) - 1
    tail = b""
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            window = tail + block
            if any(marker in window for marker in markers):
                raise TaxonomyError(
                    f"'{path}' declares XML entities (<!ENTITY ...>); skillx refuses them because "
                    "entity expansion can take unbounded time and memory. Remove the DOCTYPE "
                    "declarations, or convert the file to Turtle."
                )
            tail = window[-keep:]

"""Atomic file and folder writes: a reader never sees a half-written file or model directory.

Everything skillx writes for later reading (model metadata, indexes, caches, pairs files,
downloads) goes through here: the data is written beside the target under a temporary name and
renamed into place only once complete; on an error the temporary file is removed.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

__all__ = [
    "AtomicFile",
    "atomic_directory",
    "atomic_path",
    "atomic_write_bytes",
    "atomic_write_text",
    "replace_directory",
]


class AtomicFile:
    """A temporary path beside `target`; `commit()` renames it onto `target`, `discard()` drops it.

    Used as a context manager it yields the temporary path, commits on success and discards on
    any error (Ctrl-C included). The temporary file is not created in advance, so whatever
    writes it creates it with the usual permissions.

    Args:
        target: The final file.
        suffix: Suffix of the temporary name (some writers choose the format from it).
    """

    def __init__(self, target: str | Path, *, suffix: str = ".tmp") -> None:
        self.target = Path(target)
        # pid + random part: two processes (or threads) writing the same target do not collide
        self.path = self.target.with_name(f".{self.target.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}{suffix}")

    def commit(self) -> Path:
        """Move the finished temporary file onto the target; returns the target."""
        os.replace(self.path, self.target)
        return self.target

    def discard(self) -> None:
        """Remove the temporary file, if it was created."""
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> Path:
        return self.path

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            try:
                self.commit()
            except BaseException:
                self.discard()
                raise
        else:
            self.discard()


def atomic_path(target: str | Path, *, suffix: str = ".tmp") -> AtomicFile:
    """``with atomic_path(target) as tmp:`` write `tmp`; it replaces `target` only on success.

    Example:
        >>> import tempfile, pathlib
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> with atomic_path(folder / "a.txt") as tmp:
        ...     _ = tmp.write_text("done")
        >>> (folder / "a.txt").read_text()
        'done'
    """
    return AtomicFile(target, suffix=suffix)


def atomic_write_text(target: str | Path, text: str, *, encoding: str = "utf-8") -> Path:
    """Write `text` to `target` atomically; returns the target."""
    target = Path(target)
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding=encoding)
    return target


def atomic_write_bytes(target: str | Path, data: bytes) -> Path:
    """Write `data` to `target` atomically; returns the target."""
    target = Path(target)
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return target


def replace_directory(tmp: str | Path, target: str | Path) -> Path:
    """Move the finished folder `tmp` to `target`, replacing a folder already there.

    The old folder is first renamed aside and deleted only after the new one is in place, so a
    failure leaves the old one where it was.

    Returns:
        The target.
    """
    tmp, target = Path(tmp), Path(target)
    if not target.exists():
        os.replace(tmp, target)
        return target
    old = target.with_name(f".{target.name}.old-{os.getpid()}.{uuid.uuid4().hex[:8]}")
    os.replace(target, old)
    try:
        os.replace(tmp, target)
    except BaseException:
        os.replace(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)
    return target


@contextmanager
def atomic_directory(target: str | Path) -> Iterator[Path]:
    """``with atomic_directory(target) as tmp:`` fill the folder `tmp`; it replaces `target` on success.

    On an error the temporary folder is deleted and `target` is left as it was.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
    try:
        yield tmp
        replace_directory(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

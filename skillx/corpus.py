"""Streaming readers for text corpora: plain text, JSONL, CSV and TSV, each optionally gzipped.

Bad lines (undecodable bytes, binary junk, corrupt JSON, absurdly long lines) are skipped
with a `CorpusWarning` naming the line number, or raise `InputError` with ``strict=True``.
A wrong column or field name fails at once and lists the available ones.
"""

from __future__ import annotations

import csv
import gzip
import json
import warnings
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from skillx.errors import CorpusWarning, InputError

MAX_LINE_CHARS = 20_000
"""Lines longer than this are skipped: no job-ad sentence is that long, junk often is."""
TEXT_NAMES = ("text", "sentence", "description", "content", "body", "job_description")
SOURCE_NAMES = ("source", "corpus", "origin")


@dataclass(frozen=True, slots=True)
class TextRecord:
    """One text of a corpus.

    Attributes:
        line_no: 1-based line number in the (decompressed) file where the text starts.
        text: The text.
        source: The value of a ``source`` column/field when the corpus has one, else None.
    """

    line_no: int
    text: str
    source: str | None


def _format(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    last = suffixes[-1] if suffixes else ""
    if last in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if last in (".tsv", ".tab"):
        return "tsv"
    if last == ".csv":
        return "csv"
    return "text"


class _Lines:
    """Decoded lines of a file with their numbers; bad lines are reported, not returned."""

    def __init__(self, path: Path, strict: bool) -> None:
        self.path = path
        self.strict = strict
        self.line_no = 0
        self.skipped = 0

    def bad(self, why: str) -> None:
        message = f"{self.path.name}: line {self.line_no} skipped: {why}."
        if self.strict:
            raise InputError(message + " Fix or remove that line, or read with strict=False to skip it.")
        self.skipped += 1
        warnings.warn(message, CorpusWarning, stacklevel=4)

    def __iter__(self) -> Iterator[str]:
        handle: IO[bytes] | gzip.GzipFile
        gz = self.path.suffix.lower() == ".gz"
        try:
            handle = gzip.open(self.path, "rb") if gz else self.path.open("rb")  # noqa: SIM115
        except OSError as exc:
            raise InputError(f"Cannot open corpus '{self.path}': {exc.strerror or exc}.") from None
        with handle:
            while True:
                try:
                    raw = handle.readline(4 * MAX_LINE_CHARS + 1)
                    too_long = len(raw) > 4 * MAX_LINE_CHARS and not raw.endswith(b"\n")
                    while too_long:  # drop the rest of an endless line without holding it
                        rest = handle.readline(1 << 20)
                        if not rest or rest.endswith(b"\n"):
                            break
                except (EOFError, zlib.error, gzip.BadGzipFile, OSError) as exc:
                    raise InputError(
                        f"Corpus '{self.path}' is truncated or corrupt after line {self.line_no} ({exc}). "
                        "The texts before it were read; download or compress the file again to read the rest."
                    ) from None
                if not raw:
                    return
                self.line_no += 1
                if too_long:
                    self.bad(f"longer than {MAX_LINE_CHARS} characters")
                    continue
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    self.bad(f"not UTF-8 ({exc.reason} at byte {exc.start}); re-encode the file as UTF-8")
                    continue
                if self.line_no == 1:
                    line = line.removeprefix("\ufeff")
                line = line.rstrip("\r\n")
                if "\x00" in line or sum(ch < " " and ch != "\t" for ch in line[:2000]) > 8:
                    self.bad("binary data (control characters)")
                    continue
                if len(line) > MAX_LINE_CHARS:
                    self.bad(f"longer than {MAX_LINE_CHARS} characters")
                    continue
                yield line


def _pick(name: str | None, available: list[str], what: str, path: Path, option: str) -> str:
    if name is not None:
        if name not in available:
            raise InputError(
                f"{path.name} has no {what} '{name}'. Available: {', '.join(available) or '(none)'}. "
                f"Pass one of them as {option}."
            )
        return name
    for candidate in TEXT_NAMES:
        if candidate in available:
            return candidate
    if len(available) == 1:
        return available[0]
    raise InputError(
        f"Cannot tell which {what} of {path.name} holds the text (none is called "
        f"{', '.join(TEXT_NAMES)}). Available: {', '.join(available)}. Pass one as {option}."
    )


def read_texts(
    path: str | Path,
    *,
    text_field: str | None = None,
    column: str | None = None,
    limit: int | None = None,
    strict: bool = False,
) -> Iterator[TextRecord]:
    """Stream the texts of a corpus file, in constant memory.

    The format follows the suffix: ``.jsonl``/``.ndjson`` (one JSON object per line),
    ``.csv``, ``.tsv``, anything else is plain text with one text per line; each may end in
    ``.gz``. Empty texts are skipped silently.

    Args:
        path: The corpus file.
        text_field: JSONL field holding the text (default: ``text``, ``sentence``, ...).
        column: CSV/TSV column holding the text (default: ``text``, ``sentence``, ...).
        limit: Stop after this many texts.
        strict: Raise on the first bad line instead of skipping it with a warning.

    Yields:
        `TextRecord` per text, in file order.

    Raises:
        InputError: If the file is missing, a named column/field does not exist (the
            message lists the available ones), a gzip file is truncated (after yielding
            what came before), or, with ``strict=True``, on a bad line.

    Example:
        >>> for record in read_texts("ads.tsv.gz", column="sentence", limit=2):  # doctest: +SKIP
        ...     print(record.line_no, record.text)
    """
    path = Path(path).expanduser()
    if not path.is_file():
        raise InputError(
            f"Corpus file '{path}' does not exist. Pass the path of a .txt, .jsonl, .csv or .tsv file."
        )
    if limit is not None and limit < 0:
        raise InputError(f"limit must be a positive number of texts, got {limit}.")
    kind = _format(path)
    lines = _Lines(path, strict)
    records = {"text": _plain, "jsonl": _jsonl, "csv": _table, "tsv": _table}[kind]
    count = 0
    if limit == 0:
        return
    for record in records(lines, kind, text_field if kind == "jsonl" else column):
        if not record.text.strip():
            continue
        yield record
        count += 1
        if limit is not None and count >= limit:
            return


def _plain(lines: _Lines, kind: str, name: str | None) -> Iterator[TextRecord]:
    for line in lines:
        yield TextRecord(lines.line_no, line, None)


def _jsonl(lines: _Lines, kind: str, name: str | None) -> Iterator[TextRecord]:
    field: str | None = None
    for line in lines:
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            lines.bad(f"not valid JSON ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(obj, dict):
            lines.bad(f"a JSON {type(obj).__name__}, expected an object")
            continue
        if field is None:
            field = _pick(name, list(obj), "field", lines.path, "text_field=")
        value = obj.get(field)
        if not isinstance(value, str):
            lines.bad(f"field '{field}' is missing or not a string")
            continue
        source = next((obj[k] for k in SOURCE_NAMES if isinstance(obj.get(k), str)), None)
        yield TextRecord(lines.line_no, value, source)


def _table(lines: _Lines, kind: str, name: str | None) -> Iterator[TextRecord]:
    tsv = kind == "tsv"
    reader = csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE) if tsv else csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise InputError(f"{lines.path.name}: the header line is not valid {kind.upper()} ({exc}).") from None
    header = [h.strip() for h in header]
    column = _pick(name, header, "column", lines.path, "column=")
    index = header.index(column)
    source_index = next((header.index(k) for k in SOURCE_NAMES if k in header), None)
    while True:
        start = lines.line_no + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            lines.bad(f"not valid {kind.upper()} ({exc})")
            continue
        if not row:
            continue
        if index >= len(row):
            lines.bad(f"{len(row)} field(s), the column '{column}' is field {index + 1}")
            continue
        source = row[source_index] if source_index is not None and source_index < len(row) else None
        yield TextRecord(start, row[index], source)

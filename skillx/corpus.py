"""Streaming readers for text corpora: plain text, JSONL, CSV, TSV (each optionally gzipped) and Parquet.

Bad records (undecodable bytes, binary junk, corrupt JSON, a missing text field) are skipped
and reported (a `CorpusWarning` naming the line, or the caller's ``on_skip`` callback), or
raise `InputError` with ``strict=True``. A wrong column or field name fails at once and lists
the available ones. Long records are read, not dropped: only one beyond `MAX_RECORD_CHARS`
(10 million characters, far beyond any job ad) is skipped, which bounds the memory one line
may take.

Decoding: UTF-8 by default, or the ``encoding`` given; a UTF-16 or UTF-32 byte-order mark is
recognised whatever the encoding says, a UTF-8 one is dropped. Lone surrogates (what a JSON
``\\ud800`` escape decodes to) are replaced by U+FFFD, one code point for one, so offsets into
the text are unchanged and every writer (JSON, CSV, Arrow) can encode it.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import gzip
import io
import json
import re
import warnings
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from skillx.errors import CorpusWarning, InputError

MAX_RECORD_CHARS = 10_000_000
"""Records longer than this are skipped and reported: no job ad is that long, junk can be."""
MAX_LINE_CHARS = MAX_RECORD_CHARS
"""Older name of `MAX_RECORD_CHARS`."""
TEXT_NAMES = ("text", "sentence", "description", "content", "body", "job_description")
SOURCE_NAMES = ("source", "corpus", "origin")
FORMATS = ("text", "jsonl", "csv", "tsv", "parquet")
PARQUET_BATCH_ROWS = 1024
"""Rows per record batch read from a Parquet file (the reader's memory bound)."""

_SURROGATES = re.compile("[\ud800-\udfff]")
_WIDE = {"utf-16": "UTF-16", "utf-32": "UTF-32"}


def repair_surrogates(text: str) -> str:
    """`text` with every lone surrogate replaced by U+FFFD (same length, so offsets hold).

    Example:
        >>> repair_surrogates("Python\\ud800") == "Python\\ufffd"
        True
    """
    return _SURROGATES.sub("\ufffd", text) if _SURROGATES.search(text) else text


@dataclass(frozen=True, slots=True)
class TextRecord:
    """One text of a corpus.

    Attributes:
        line_no: 1-based line number in the (decompressed) file where the text starts (for
            Parquet: the 1-based row number).
        text: The text.
        source: The value of a ``source`` column/field when the corpus has one, else None.
        index: 0-based position of the record in the file: each non-blank line of a text or
            JSONL file, each data row of a CSV/TSV/Parquet file, counting records that were
            skipped as unreadable or empty (so it matches the row position pandas gives).
        id: The value of the ``id_field`` / ``id_column`` asked for, else None.
    """

    line_no: int
    text: str
    source: str | None
    index: int = 0
    id: Any = None


@dataclass(frozen=True, slots=True)
class SkippedRecord:
    """A record that could not be read (what ``on_skip`` receives).

    Attributes:
        name: File name (``<stdin>`` for standard input).
        line_no: 1-based line (Parquet: row) where the record starts.
        index: 0-based position of the record (see `TextRecord.index`).
        reason: What is wrong with it.
        kind: ``"encoding"``, ``"binary"``, ``"length"``, ``"json"``, ``"csv"``, ``"field"``
            or ``"id"``.
    """

    name: str
    line_no: int
    index: int
    reason: str
    kind: str

    def __str__(self) -> str:
        return f"{self.name}: line {self.line_no} skipped: {self.reason}."


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
    if last in (".parquet", ".pq"):
        return "parquet"
    return "text"


def _codec(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise InputError(
            f"Unknown text encoding '{encoding}'. Use a Python codec name such as utf-8, latin-1, "
            "cp1252 or utf-16."
        ) from None


def _sniff(handle: IO[bytes], codec: str) -> str:
    """The codec to decode with: a byte-order mark wins over the one asked for."""
    peek = getattr(handle, "peek", None)
    head = peek(4)[:4] if peek is not None else b""
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if codec == "utf-8" and head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    return codec


def _wide(codec: str) -> bool:
    return codec.startswith(("utf-16", "utf-32"))


class _Lines:
    """Decoded lines of a file with their numbers; bad lines are reported, not returned."""

    def __init__(
        self,
        source: Path | IO[bytes],
        *,
        strict: bool,
        encoding: str,
        on_skip: Callable[[SkippedRecord], None] | None,
    ) -> None:
        self.source = source
        self.name = source.name if isinstance(source, Path) else "<stdin>"
        self.path = source if isinstance(source, Path) else Path(self.name)
        self.strict = strict
        self.codec = _codec(encoding)
        self.on_skip = on_skip
        self.line_no = 0
        self.index = 0
        self.skipped = 0

    def take_index(self) -> int:
        """The index of the next record (each record takes one, read or skipped)."""
        self.index += 1
        return self.index - 1

    def bad(self, why: str, kind: str, *, index: int | None = None, line_no: int | None = None) -> None:
        record = SkippedRecord(
            self.name,
            self.line_no if line_no is None else line_no,
            self.take_index() if index is None else index,
            why,
            kind,
        )
        if self.strict:
            raise InputError(f"{record} Fix or remove that record, or read with strict=False to skip it.")
        self.skipped += 1
        if self.on_skip is not None:
            self.on_skip(record)
        else:
            warnings.warn(str(record), CorpusWarning, stacklevel=4)

    def _open(self) -> IO[bytes]:
        if not isinstance(self.source, Path):
            return self.source
        try:
            if self.source.suffix.lower() == ".gz":
                return gzip.open(self.source, "rb")  # type: ignore[return-value]
            return self.source.open("rb")
        except OSError as exc:
            raise InputError(f"Cannot open corpus '{self.source}': {exc.strerror or exc}.") from None

    def _broken(self, exc: BaseException) -> InputError:
        return InputError(
            f"Corpus '{self.name}' is truncated or corrupt after line {self.line_no} ({exc}). "
            "The texts before it were read; download or compress the file again to read the rest."
        )

    def __iter__(self) -> Iterator[str]:
        raw_handle = self._open()
        try:
            codec = _sniff(raw_handle, self.codec)
        except (EOFError, zlib.error, gzip.BadGzipFile, OSError) as exc:
            raise self._broken(exc) from None
        try:
            if _wide(codec):
                yield from self._text_lines(raw_handle, codec)
            else:
                yield from self._byte_lines(raw_handle, codec)
        finally:
            if isinstance(self.source, Path):
                raw_handle.close()

    def _byte_lines(self, handle: IO[bytes], codec: str) -> Iterator[str]:
        # one line at a time, so an undecodable line is reported alone and the rest is read
        limit = 4 * MAX_RECORD_CHARS
        while True:
            try:
                raw = handle.readline(limit + 1)
                too_long = len(raw) > limit and not raw.endswith(b"\n")
                while too_long:  # drop the rest of an endless line without holding it
                    rest = handle.readline(1 << 20)
                    if not rest or rest.endswith(b"\n"):
                        break
            except (EOFError, zlib.error, gzip.BadGzipFile, OSError) as exc:
                raise self._broken(exc) from None
            if not raw:
                return
            self.line_no += 1
            if too_long:
                self.bad(f"longer than {MAX_RECORD_CHARS:,} characters", "length")
                continue
            try:
                line = raw.decode(codec)
            except UnicodeDecodeError as exc:
                if not raw.strip():
                    continue
                self.bad(
                    f"not {codec.upper()} ({exc.reason} at byte {exc.start}); give the file's encoding "
                    "(e.g. latin-1) or re-encode it as UTF-8",
                    "encoding",
                )
                continue
            if self.line_no == 1:
                line = line.removeprefix("\ufeff")
            if (checked := self._check(line)) is not None:
                yield checked

    def _text_lines(self, handle: IO[bytes], codec: str) -> Iterator[str]:
        # UTF-16/32 cannot be split on the newline byte: decode the stream as a whole
        text = io.TextIOWrapper(handle, encoding=codec, errors="strict", newline="")
        while True:
            try:
                line = text.readline(MAX_RECORD_CHARS + 1)
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"'{self.name}' is not valid {_WIDE.get(codec[:6], codec)} after line {self.line_no} "
                    f"({exc.reason}). The texts before it were read; re-encode the file (e.g. as UTF-8)."
                ) from None
            except (EOFError, zlib.error, gzip.BadGzipFile, OSError) as exc:
                raise self._broken(exc) from None
            if not line:
                return
            self.line_no += 1
            if len(line) > MAX_RECORD_CHARS and not line.endswith("\n"):
                while (rest := text.readline(1 << 20)) and not rest.endswith("\n"):
                    pass
                self.bad(f"longer than {MAX_RECORD_CHARS:,} characters", "length")
                continue
            if (checked := self._check(line.removeprefix("\ufeff"))) is not None:
                yield checked

    def _check(self, line: str) -> str | None:
        line = line.rstrip("\r\n")
        if len(line) > MAX_RECORD_CHARS:
            self.bad(f"longer than {MAX_RECORD_CHARS:,} characters", "length")
            return None
        if "\x00" in line or sum(ch < " " and ch != "\t" for ch in line[:2000]) > 8:
            self.bad(
                "binary data (NUL or control characters; if the file is UTF-16 without a byte-order "
                "mark, give its encoding)",
                "binary",
            )
            return None
        return repair_surrogates(line)


def _pick(name: str | None, available: list[str], what: str, where: str, option: str) -> str:
    if name is not None:
        if name not in available:
            raise InputError(
                f"{where} has no {what} '{name}'. Available: {', '.join(available) or '(none)'}. "
                f"Pass one of them as {option}."
            )
        return name
    for candidate in TEXT_NAMES:
        if candidate in available:
            return candidate
    if len(available) == 1:
        return available[0]
    raise InputError(
        f"Cannot tell which {what} of {where} holds the text (none is called "
        f"{', '.join(TEXT_NAMES)}). Available: {', '.join(available)}. Pass one as {option}."
    )


def read_texts(
    path: str | Path | IO[bytes],
    *,
    text_field: str | None = None,
    column: str | None = None,
    id_field: str | None = None,
    id_column: str | None = None,
    limit: int | None = None,
    strict: bool = False,
    encoding: str = "utf-8",
    input_format: str | None = None,
    on_skip: Callable[[SkippedRecord], None] | None = None,
) -> Iterator[TextRecord]:
    """Stream the texts of a corpus file, in constant memory.

    The format follows the suffix: ``.jsonl``/``.ndjson`` (one JSON object per line),
    ``.csv``, ``.tsv``, ``.parquet`` (read in record batches), anything else is plain text
    with one text per line; each but Parquet may end in ``.gz``. Empty texts are skipped
    silently (they still take an `index`).

    Args:
        path: The corpus file, or a binary stream (e.g. ``sys.stdin.buffer``; then
            `input_format` says what it holds, default plain text).
        text_field: JSONL field holding the text (default: ``text``, ``sentence``, ...).
        column: CSV/TSV/Parquet column holding the text (default: ``text``, ``sentence``, ...).
        id_field: JSONL field holding the record's id (`TextRecord.id`); a line without it
            is a bad record.
        id_column: CSV/TSV/Parquet column holding the record's id.
        limit: Stop after this many texts.
        strict: Raise on the first bad record instead of skipping it.
        encoding: Text encoding of the file (not Parquet); a UTF-16/32 byte-order mark wins.
        input_format: ``"text"``, ``"jsonl"``, ``"csv"``, ``"tsv"`` or ``"parquet"``
            instead of the suffix's.
        on_skip: Called with a `SkippedRecord` for each bad record instead of warning.

    Yields:
        `TextRecord` per text, in file order.

    Raises:
        InputError: If the file is missing, a named column/field does not exist (the
            message lists the available ones), a file is truncated (after yielding what came
            before), or, with ``strict=True``, on a bad record.

    Example:
        >>> for record in read_texts("ads.tsv.gz", column="sentence", limit=2):  # doctest: +SKIP
        ...     print(record.index, record.line_no, record.text)
    """
    source: Path | IO[bytes]
    if isinstance(path, (str, Path)):
        source = Path(path).expanduser()
        if not source.is_file():
            raise InputError(
                f"Corpus file '{source}' does not exist. Pass the path of a .txt, .jsonl, .csv, .tsv "
                "or .parquet file."
            )
        kind = input_format or _format(source)
    else:
        source = path
        kind = input_format or "text"
    if kind not in FORMATS:
        raise InputError(f"Unknown corpus format '{kind}'. Available: {', '.join(FORMATS)}.")
    if limit is not None and limit < 0:
        raise InputError(f"limit must be a positive number of texts, got {limit}.")
    if limit == 0:
        return
    lines = _Lines(source, strict=strict, encoding=encoding, on_skip=on_skip)
    if kind == "parquet":
        if not isinstance(source, Path):
            raise InputError("Parquet is read from a file, not from a stream. Pass the .parquet file.")
        records = _parquet(lines, column, id_column)
    elif kind == "jsonl":
        records = _jsonl(lines, text_field, id_field)
    elif kind in ("csv", "tsv"):
        records = _table(lines, kind, column, id_column)
    else:
        records = _plain(lines)
    count = 0
    for record in records:
        if not record.text.strip():
            continue
        yield record
        count += 1
        if limit is not None and count >= limit:
            return


def read_whole(path: str | Path | IO[bytes], *, encoding: str = "utf-8") -> str:
    """A whole file (or binary stream) as one text, decoded strictly.

    Args:
        path: The file (``.gz`` is decompressed) or a binary stream.
        encoding: As in `read_texts`.

    Returns:
        The text (a UTF-8 byte-order mark dropped, lone surrogates replaced by U+FFFD).

    Raises:
        InputError: If the file is missing, truncated, not valid gzip, larger than
            4 x `MAX_RECORD_CHARS` bytes, or not valid in the encoding (nothing is guessed).
    """
    codec = _codec(encoding)
    limit = 4 * MAX_RECORD_CHARS
    name = "<stdin>"
    if isinstance(path, (str, Path)):
        source = Path(path).expanduser()
        name = source.name
        if not source.is_file():
            raise InputError(f"File '{source}' does not exist.")
    try:
        if isinstance(path, (str, Path)):
            gz = source.suffix.lower() == ".gz"
            opened: Any = gzip.open(source, "rb") if gz else source.open("rb")  # noqa: SIM115
        else:
            opened = contextlib.nullcontext(path)  # a stream we do not own is not closed
        with opened as handle:
            codec = _sniff(handle, codec)
            data = handle.read(limit + 1)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise InputError(
            f"'{name}' is truncated or not a valid gzip file ({exc}). Compress or download it again."
        ) from None
    except OSError as exc:
        raise InputError(f"Cannot read '{name}': {exc.strerror or exc}.") from None
    if len(data) > limit:
        raise InputError(
            f"'{name}' is too large to read as one text (over {limit:,} bytes). Read it one text per "
            "line instead."
        )
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"'{name}' is not valid {codec.upper()} ({exc.reason} at byte {exc.start}). Give its "
            "encoding (e.g. latin-1 or cp1252) or re-encode it as UTF-8."
        ) from None
    return repair_surrogates(text.removeprefix("\ufeff"))


def _plain(lines: _Lines) -> Iterator[TextRecord]:
    for line in lines:
        if not line.strip():
            continue
        yield TextRecord(lines.line_no, line, None, lines.take_index())


def _scalar_id(value: Any) -> bool:
    return value is not None and isinstance(value, (str, int, float)) and not isinstance(value, bool)


def _jsonl(lines: _Lines, name: str | None, id_name: str | None) -> Iterator[TextRecord]:
    field: str | None = None
    for line in lines:
        if not line.strip():
            continue
        index = lines.take_index()
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            lines.bad(f"not valid JSON ({exc.msg} at column {exc.colno})", "json", index=index)
            continue
        if not isinstance(obj, dict):
            lines.bad(f"a JSON {type(obj).__name__}, expected an object", "json", index=index)
            continue
        if field is None:
            field = _pick(name, list(obj), "field", lines.name, "text_field=")
        value = obj.get(field)
        if not isinstance(value, str):
            lines.bad(f"field '{field}' is missing or not a string", "field", index=index)
            continue
        record_id = None
        if id_name is not None:
            record_id = obj.get(id_name)
            if not _scalar_id(record_id):
                lines.bad(f"id field '{id_name}' is missing or not a string or number", "id", index=index)
                continue
            if isinstance(record_id, str):
                record_id = repair_surrogates(record_id)
        source = next((obj[k] for k in SOURCE_NAMES if isinstance(obj.get(k), str)), None)
        yield TextRecord(
            lines.line_no,
            repair_surrogates(value),
            repair_surrogates(source) if source else source,
            index,
            record_id,
        )


def _table(lines: _Lines, kind: str, name: str | None, id_name: str | None) -> Iterator[TextRecord]:
    tsv = kind == "tsv"
    reader = csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE) if tsv else csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise InputError(f"{lines.name}: the header line is not valid {kind.upper()} ({exc}).") from None
    header = [h.strip() for h in header]
    column = _pick(name, header, "column", lines.name, "column=")
    index = header.index(column)
    id_index = header.index(_pick(id_name, header, "column", lines.name, "id_column=")) if id_name else None
    source_index = next((header.index(k) for k in SOURCE_NAMES if k in header), None)
    while True:
        start = lines.line_no + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            lines.bad(f"not valid {kind.upper()} ({exc})", "csv", line_no=start)
            continue
        if not row:
            continue
        position = lines.take_index()
        if index >= len(row) or (id_index is not None and id_index >= len(row)):
            lines.bad(
                f"{len(row)} field(s), the header has {len(header)}", "csv", index=position, line_no=start
            )
            continue
        source = row[source_index] if source_index is not None and source_index < len(row) else None
        record_id = row[id_index] if id_index is not None else None
        yield TextRecord(start, row[index], source, position, record_id)


def _parquet(lines: _Lines, name: str | None, id_name: str | None) -> Iterator[TextRecord]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = lines.path
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"'{lines.name}' is not a readable Parquet file ({exc}).") from None
    schema = parquet.schema_arrow
    column = _pick(name, schema.names, "column", lines.name, "column=")
    column_type = schema.field(column).type
    if not (pa.types.is_string(column_type) or pa.types.is_large_string(column_type)):
        raise InputError(
            f"Column '{column}' of {lines.name} holds {column_type}, not text. "
            "Pass the text column (as column=)."
        )
    id_col = _pick(id_name, schema.names, "column", lines.name, "id_column=") if id_name else None
    source_col = next((k for k in SOURCE_NAMES if k in schema.names), None)
    wanted = list(dict.fromkeys(c for c in (column, id_col, source_col) if c is not None))
    batches = parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=wanted)
    while True:
        try:
            batch = next(batches)
        except StopIteration:
            return
        except (pa.ArrowException, OSError) as exc:
            raise InputError(
                f"Parquet file '{lines.name}' is truncated or corrupt after row {lines.index} ({exc}). "
                "The texts before it were read."
            ) from None
        texts = batch.column(column).to_pylist()
        ids = batch.column(id_col).to_pylist() if id_col else [None] * len(texts)
        sources = batch.column(source_col).to_pylist() if source_col else [None] * len(texts)
        for text, record_id, source in zip(texts, ids, sources, strict=True):
            index = lines.take_index()
            lines.line_no = index + 1
            if text is None:
                continue  # a null text is an empty text
            if id_col is not None and record_id is None:
                lines.bad(f"id column '{id_col}' is empty", "id", index=index)
                continue
            yield TextRecord(
                index + 1,
                repair_surrogates(text),
                source if isinstance(source, str) else None,
                index,
                repair_surrogates(record_id) if isinstance(record_id, str) else record_id,
            )

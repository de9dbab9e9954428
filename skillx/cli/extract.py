"""`skillx extract`: skills of texts given as an argument, on stdin or in a file.

How a run ends (docs/robustness.md, "Command line"):

* 0: every record was written;
* 3: the run finished, but some records were skipped as unreadable or failed (each one is
  reported on stderr with its line or id, and counted in a summary line);
* 1: a user error, or the run stopped (truncated input, ``--strict``, a write error);
* 130 / 143: interrupted by Ctrl-C / SIGTERM.

Output to a file is atomic: it is written beside the target under a temporary name and
renamed onto ``-o`` only when the whole input was read. A run that stops after writing some
records keeps them, valid and complete, in ``<output>.partial``; the ``-o`` path is not touched.
"""

from __future__ import annotations

import csv
import errno
import functools
import gzip
import io
import json
import os
import signal
import stat
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO, TYPE_CHECKING, Any

import typer

from skillx.cli._errors import fail, handle_errors
from skillx.cli._options import DEFAULT_ESCO_VERSION, EscoVersionOption, LanguageOption, TaxonomyOption
from skillx.contextual import SCORING_MODES
from skillx.errors import InputError, SkillxError
from skillx.parallel import LEVELS

if TYPE_CHECKING:
    from skillx.corpus import SkippedRecord
    from skillx.extractor import SkillExtractor
    from skillx.io import AtomicFile
    from skillx.results import DocumentSkills, SentenceSkills

    Result = list[SentenceSkills] | DocumentSkills

FILE_SUFFIXES = {
    ".txt", ".text", ".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".gz", ".md", ".html", ".parquet",
}  # fmt: skip
FORMATS = ("jsonl", "csv", "tsv", "parquet", "table")
CSV_COLUMNS = [
    "id", "sentence", "sentence_start", "sentence_end", "sentence_text",
    "rank", "uri", "label", "score", "source", "start", "end",
]  # fmt: skip
DOCUMENT_COLUMNS = ["id", "rank", "uri", "label", "score", "source", "n_sentences", "sentences"]
PARTIAL_SUFFIX = ".partial"
"""What a stopped run's output is renamed to: ``skills.jsonl`` -> ``skills.jsonl.partial``."""
EXIT_SKIPPED = 3
"""Exit status of a run that finished but skipped or failed some records."""
EXIT_TERMINATED = 143
"""Exit status of a run stopped by SIGTERM (128 + 15), as shells report it."""
MAX_MESSAGES = 100
"""Bad records reported one by one on stderr; the rest only in the summary count."""
PARQUET_FLUSH_ROWS = 8192
"""Output rows per Parquet row group (the writer's memory bound)."""


@dataclass(frozen=True, slots=True)
class InputText:
    """One text to process and its id (``--id-field``/``--id-column``, else its 0-based position)."""

    id: Any
    text: str


class Terminated(BaseException):
    """Raised in the main thread on SIGTERM, so the run can keep its partial output."""


# -- what the user passed ---------------------------------------------------------------------------
def classify_input(value: str | None) -> str:
    """``"stdin"``, ``"file"`` or ``"text"`` for the INPUT argument (None: standard input).

    Raises:
        InputError: For a folder, for something that looks like a file name but does not
            exist, or for no INPUT while standard input is a terminal.
    """
    if value is None:
        if sys.stdin is None or sys.stdin.isatty():
            raise InputError(
                "Missing INPUT. Pass a quoted text, a file, or '-', or pipe text in "
                "(e.g. echo 'Python developer' | skillx extract)."
            )
        return "stdin"
    if value == "-":
        return "stdin"
    if "\n" in value or len(value) > 4096:
        return "text"
    path = Path(value).expanduser()
    try:
        if path.is_file():
            return "file"
        if path.is_dir():
            raise InputError(
                f"'{value}' is a folder. Pass a file (txt, JSONL, CSV/TSV, Parquet, optionally .gz)."
            )
    except OSError:
        return "text"
    looks_like_path = not any(ch.isspace() for ch in value) and (
        "/" in value or "\\" in value or path.suffix.lower() in FILE_SUFFIXES
    )
    if looks_like_path:
        raise InputError(
            f"No such file: '{value}'. Check the path, or quote a sentence to extract skills from it "
            'directly (e.g. skillx extract "Experience with Python").'
        )
    return "text"


def output_format(fmt: str | None, output: Path | None) -> str:
    """The output format: explicit ``--format``, else from the ``-o`` suffix, else JSONL."""
    if fmt is not None:
        fmt = fmt.lower()
        if fmt not in FORMATS:
            raise InputError(f"Unknown output format '{fmt}'. Available: {', '.join(FORMATS)}.")
        return fmt
    if output is None:
        return "jsonl"
    suffixes = [s.lower() for s in output.suffixes]
    gz = bool(suffixes) and suffixes[-1] == ".gz"
    suffix = ([s for s in suffixes if s != ".gz"] or [""])[-1]
    by_suffix = {
        ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv", ".tsv": "tsv",
        ".parquet": "parquet",
    }  # fmt: skip
    if suffix not in by_suffix and _special(output):
        return "jsonl"  # /dev/stdout, /dev/null, a FIFO: no suffix to go by
    if suffix not in by_suffix:
        raise InputError(
            f"Cannot tell the output format from '{output.name}'. Use a .jsonl, .csv, .tsv (optionally "
            ".gz) or .parquet file name, or pass --format."
        )
    if gz and by_suffix[suffix] == "parquet":
        raise InputError("Parquet is compressed already: write to a .parquet file, without .gz.")
    return by_suffix[suffix]


def _special(path: Path) -> bool:
    """Whether `path` exists and is not a regular file or folder (a device, a FIFO)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def check_output_path(output: Path | None) -> None:
    """Fail at once (before any model loads) for an -o that is a folder or has no folder.

    Raises:
        InputError: Naming the fix.
    """
    if output is None:
        return
    if output.is_dir():
        raise InputError(f"-o '{output}' is a folder. Pass a file name, e.g. -o {output / 'skills.jsonl'}.")
    if not output.parent.is_dir():
        raise InputError(
            f"The folder of the output file '{output}' does not exist. Create it first, or pass another -o."
        )


# library wording -> flags, in the messages the command prints (longest first)
_FLAG_WORDS = (
    (
        "give the file's encoding (e.g. latin-1)",
        "pass its encoding with --encoding (e.g. --encoding latin-1)",
    ),
    (
        "Give its encoding (e.g. latin-1 or cp1252)",
        "Pass its encoding with --encoding (e.g. --encoding latin-1)",
    ),
    ("read with strict=False to skip it", "drop --strict to skip it"),
    ("id_column=", "--id-column"),
    ("text_field=", "--text-field"),
    ("column=", "--column"),
)


def flag_words(message: str) -> str:
    """`message` with the library's parameter names replaced by the command's flags."""
    for library, flag in _FLAG_WORDS:
        message = message.replace(library, flag)
    return message


# -- reading ------------------------------------------------------------------------------------------
@dataclass
class RunReport:
    """What happened to the records of one run (printed as the summary line)."""

    written: int = 0
    skipped: int = 0
    failed: int = 0
    messages: int = 0
    where: str = "to standard output"

    def warn(self, message: str) -> None:
        self.messages += 1
        if self.messages <= MAX_MESSAGES:
            typer.secho(f"Warning: {message}", err=True, fg=typer.colors.YELLOW)
        elif self.messages == MAX_MESSAGES + 1:
            typer.secho(
                "Warning: more bad records; only counted from here on (see the summary).",
                err=True,
                fg=typer.colors.YELLOW,
            )

    def summary(self) -> str:
        lost = []
        if self.skipped:
            lost.append(f"{self.skipped:,} skipped as unreadable")
        if self.failed:
            lost.append(f"{self.failed:,} failed")
        plural = "" if self.written == 1 else "s"
        return f"skillx: {self.written:,} record{plural} written {self.where}; " + (
            ", ".join(lost) + " (reported above)." if lost else "none skipped."
        )


def _stdin_bytes() -> IO[bytes]:
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # a text-only stdin (some embedding hosts): re-encode what it gives
        return io.BufferedReader(io.BytesIO(sys.stdin.read().encode("utf-8", "surrogateescape")))
    return stream if hasattr(stream, "peek") else io.BufferedReader(stream)


def read_records(
    kind: str,
    input: str | None,
    *,
    report: RunReport,
    text_field: str | None,
    column: str | None,
    id_field: str | None,
    id_column: str | None,
    strict: bool,
    limit: int | None,
    encoding: str,
) -> Iterator[InputText]:
    """The texts of INPUT (one per line/record) with their ids; bad records are reported.

    With ``strict``, the first bad record raises `InputError` naming ``--strict``.
    """
    from skillx.corpus import read_texts, repair_surrogates

    if kind == "text":
        yield InputText(0, repair_surrogates(input or ""))
        return
    source: Path | IO[bytes] = _stdin_bytes() if kind == "stdin" else Path(input or "").expanduser()

    def skipped(record: SkippedRecord) -> None:
        message = flag_words(
            f"{record.name}: line {record.line_no} (record {record.index}) skipped: {record.reason}."
        )
        if strict:
            raise InputError(f"{message} Fix or remove that record, or drop --strict to skip bad records.")
        report.skipped += 1
        report.warn(message)

    input_format = None
    if kind == "stdin":
        input_format = "jsonl" if text_field is not None or id_field is not None else "text"
    for record in read_texts(
        source,
        text_field=text_field,
        column=column,
        id_field=id_field,
        id_column=id_column,
        limit=limit,
        encoding=encoding,
        input_format=input_format,
        on_skip=skipped,
    ):
        yield InputText(record.index if record.id is None else record.id, record.text)


# -- the seam: records in, results out (where --workers will plug in) ------------------------------
def _read_until_error(records: Iterable[InputText], errors: list[BaseException]) -> Iterator[InputText]:
    """The records up to the first reader error, which is appended to `errors` (raised later)."""
    items = iter(records)
    while True:
        try:
            item = next(items)
        except StopIteration:
            return
        except Exception as exc:  # kept, raised once what was read is out
            errors.append(exc)
            return
        yield item


def extract_records(
    extractor: SkillExtractor,
    records: Iterable[InputText],
    *,
    level: str = "sentence",
    k: int = 5,
    min_score: float | None = None,
    batch_size: int | None = None,
    show_progress: bool = False,
) -> Iterator[tuple[InputText, Result | None, str | None]]:
    """Results of `records`, in input order: ``(record, result, None)`` or ``(record, None, why)``.

    A text that makes extraction fail is reported (``why``) and the others are processed: the
    texts of a failing batch are retried one by one. An error of the reader (a truncated file,
    ``--strict``) is raised only after every text read before it was yielded.

    Args:
        extractor: The loaded extractor.
        records: The texts with their ids (any iterable; read lazily).
        level: ``"sentence"``: a list of `SentenceSkills` per text (texts batched for the
            encoder); ``"document"``: the `DocumentSkills` of `SkillExtractor.extract_document`.
        k: Most skills per sentence.
        min_score: As in `SkillExtractor.extract`.
        batch_size: Sentences per encoder call.
        show_progress: Progress bar over texts on stderr.
    """
    reader_error: list[BaseException] = []
    read = functools.partial(_read_until_error, records, reader_error)

    if level == "document":
        progress = _progress(show_progress)
        try:
            for item in read():
                try:
                    yield item, extractor.extract_document(item.text, k=k, min_score=min_score), None
                except Exception as exc:  # reported per record, the run goes on
                    yield item, None, f"{type(exc).__name__}: {exc}"
                if progress is not None:
                    progress.update(1)
        finally:
            if progress is not None:
                progress.close()
    else:
        source = read()
        while True:
            pending: deque[InputText] = deque()

            def texts(
                source: Iterator[InputText] = source, pending: deque[InputText] = pending
            ) -> Iterator[str]:
                for item in source:
                    pending.append(item)
                    yield item.text

            try:
                for sentences in extractor.iter_extract(
                    texts(), k=k, min_score=min_score, batch_size=batch_size, show_progress=show_progress
                ):
                    yield pending.popleft(), sentences, None
            except Exception:  # one text broke its batch: redo it one by one
                for item in pending:
                    try:
                        yield item, extractor.extract(item.text, k=k, min_score=min_score), None
                    except Exception as exc:
                        yield item, None, f"{type(exc).__name__}: {exc}"
                continue
            break
    if reader_error:
        raise reader_error[0]


def extract_records_parallel(
    records: Iterable[InputText],
    *,
    workers: int,
    level: str = "sentence",
    k: int = 5,
    min_score: float | None = None,
    batch_size: int | None = None,
    **load_options: Any,
) -> Iterator[tuple[InputText, Result | None, str | None]]:
    """`extract_records` on `workers` processes (`skillx.parallel`), in input order.

    Each worker loads the extractor once from `load_options` (paths and plain values, as given
    on the command line). A reader error is raised after every text read before it is yielded.
    """
    from skillx.parallel import iter_extract_records

    reader_error: list[BaseException] = []
    texts = ((item, item.text) for item in _read_until_error(records, reader_error))
    for item, result in iter_extract_records(
        texts, n_process=workers, level=level, k=k, min_score=min_score, batch_size=batch_size,
        **load_options,
    ):  # fmt: skip
        yield item, result, None
    if reader_error:
        raise reader_error[0]


def _progress(show: bool) -> Any:
    if not show:
        return None
    from tqdm.auto import tqdm

    return tqdm(unit="text", desc="extract")


# -- writers ---------------------------------------------------------------------------------------------
def _sentences(result: Result) -> list[SentenceSkills]:
    from skillx.results import DocumentSkills

    return list(result.sentences) if isinstance(result, DocumentSkills) else result


def _document(result: Result) -> DocumentSkills:
    from skillx.results import DocumentSkills

    return result if isinstance(result, DocumentSkills) else DocumentSkills.from_sentences(result)


def _rows(item: InputText, result: Result, level: str) -> list[dict[str, Any]]:
    if level == "document":
        return [
            {
                "id": item.id,
                "rank": rank,
                "uri": s.uri,
                "label": s.label,
                "score": float(s.score),
                "source": s.source,
                "n_sentences": len(s.sentences),
                "sentences": list(s.sentences),
            }
            for rank, s in enumerate(_document(result).skills, start=1)
        ]
    from skillx.results import sentence_rows

    return [{"id": row.pop("doc"), **row} for row in sentence_rows(_sentences(result), doc=item.id)]


class _JsonlWriter:
    def __init__(self, handle: IO[str], level: str) -> None:
        self.handle = handle
        self.level = level

    def write(self, item: InputText, result: Result) -> None:
        doc = _document(result)
        record: dict[str, Any] = {"id": item.id, "skills": [s.to_dict() for s in doc.skills]}
        if self.level == "sentence":
            record["sentences"] = [s.to_dict() for s in _sentences(result)]
        self.handle.write(json.dumps(record, ensure_ascii=False) + "\n")

    def close(self) -> None:
        self.handle.flush()


class _CsvWriter:
    def __init__(self, handle: IO[str], level: str, *, delimiter: str = ",") -> None:
        self.handle = handle
        self.level = level
        self.columns = DOCUMENT_COLUMNS if level == "document" else CSV_COLUMNS
        self.writer = csv.writer(handle, delimiter=delimiter, lineterminator="\n")
        self.writer.writerow(self.columns)

    def write(self, item: InputText, result: Result) -> None:
        for row in _rows(item, result, self.level):
            if "sentences" in row:
                row["sentences"] = " ".join(map(str, row["sentences"]))
            self.writer.writerow(["" if row[c] is None else row[c] for c in self.columns])

    def close(self) -> None:
        self.handle.flush()


class _ParquetWriter:
    """Row groups of `PARQUET_FLUSH_ROWS` rows through pyarrow (constant memory)."""

    def __init__(self, handle: IO[bytes], level: str, *, string_ids: bool) -> None:
        import pyarrow as pa

        self.level = level
        self.string_ids = string_ids
        id_type = pa.string() if string_ids else pa.int64()
        if level == "document":
            fields = [
                ("id", id_type), ("rank", pa.int32()), ("uri", pa.string()), ("label", pa.string()),
                ("score", pa.float64()), ("source", pa.string()), ("n_sentences", pa.int32()),
                ("sentences", pa.list_(pa.int32())),
            ]  # fmt: skip
        else:
            fields = [
                ("id", id_type), ("sentence", pa.int32()), ("sentence_start", pa.int64()),
                ("sentence_end", pa.int64()), ("sentence_text", pa.string()), ("rank", pa.int32()),
                ("uri", pa.string()), ("label", pa.string()), ("score", pa.float64()),
                ("source", pa.string()), ("start", pa.int64()), ("end", pa.int64()),
            ]  # fmt: skip
        self.schema = pa.schema(fields)
        import pyarrow.parquet as pq

        self.writer = pq.ParquetWriter(handle, self.schema)
        self.rows: list[dict[str, Any]] = []

    def write(self, item: InputText, result: Result) -> None:
        for row in _rows(item, result, self.level):
            if self.string_ids:
                row["id"] = str(row["id"])
            self.rows.append(row)
        if len(self.rows) >= PARQUET_FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        import pyarrow as pa

        if self.rows:
            self.writer.write_table(pa.Table.from_pylist(self.rows, schema=self.schema))
            self.rows = []

    def close(self) -> None:
        self.flush()
        self.writer.close()


class _TableWriter:
    def __init__(self, handle: IO[str], level: str) -> None:
        from rich.console import Console

        self.level = level
        # input text is never read as Rich markup, emoji codes or highlighted
        self.console = Console(
            file=handle, width=max(100, min(160, Console().width)), emoji=False, highlight=False, markup=False
        )

    def write(self, item: InputText, result: Result) -> None:
        from rich.table import Table
        from rich.text import Text

        table = Table(title=Text(f"text {item.id}"), show_lines=False, expand=False)
        if self.level == "document":
            table.add_column("skill", max_width=60)
            table.add_column("score", justify="right")
            table.add_column("source")
            table.add_column("sentences")
            for s in _document(result).skills:
                sentences = " ".join(map(str, s.sentences))
                table.add_row(Text(s.label), f"{s.score:.2f}", s.source, sentences)
            self.console.print(table)
            return
        table.add_column("#", justify="right")
        table.add_column("sentence", max_width=60, overflow="fold")
        table.add_column("skill", max_width=45)
        table.add_column("score", justify="right")
        table.add_column("source")
        for sent in _sentences(result):
            if not sent.skills:
                table.add_row(str(sent.index), Text(sent.text), Text("-", style="dim"), "", "")
                continue
            for rank, match in enumerate(sent.skills):
                table.add_row(
                    str(sent.index) if rank == 0 else "",
                    Text(sent.text if rank == 0 else ""),
                    Text(match.label),
                    f"{match.score:.2f}",
                    match.source,
                )
        self.console.print(table)

    def close(self) -> None:
        self.console.file.flush()


Writer = _JsonlWriter | _CsvWriter | _ParquetWriter | _TableWriter


# -- the output file: checked before the model loads, published only when complete -----------------
@dataclass
class Output:
    """Where the rows go: stdout, or a temporary file beside ``-o`` renamed onto it on success.

    A target that exists and is not a regular file (``/dev/null``, ``/dev/full``, a FIFO) is
    written directly: it cannot be replaced by a rename.
    """

    target: Path | None
    fmt: str
    atomic: AtomicFile | None = None
    raw: IO[bytes] | None = None
    text: IO[str] | None = None
    closers: list[Callable[[], None]] = field(default_factory=list)

    def open(self) -> None:
        """Create the temporary file now, so a bad ``-o`` fails before the model loads."""
        from skillx.io import AtomicFile

        if self.target is None:
            if self.fmt == "parquet":
                raise InputError("Parquet output needs a file: pass -o FILE.parquet.")
            return
        target = self.target
        if target.is_dir():
            raise InputError(
                f"-o '{target}' is a folder. Pass a file name, e.g. -o {target / 'skills.jsonl'}."
            )
        folder = target.parent
        if not folder.is_dir():
            raise InputError(
                f"The folder of the output file '{target}' does not exist. Create it first, or pass "
                "another -o."
            )
        direct = target.exists() and not stat.S_ISREG(target.stat().st_mode)
        try:
            if direct:
                self.raw = target.open("wb")
            else:
                self.atomic = AtomicFile(target)
                self.raw = self.atomic.path.open("xb")
        except OSError as exc:
            raise InputError(
                f"Cannot write the output file '{target}' ({exc.strerror or exc}). Pass a writable path "
                "with -o."
            ) from None

    def writer(self, level: str, *, string_ids: bool) -> Writer:
        """The writer of the format, writing to the opened output."""
        if self.fmt == "parquet":
            assert self.raw is not None
            return _ParquetWriter(self.raw, level, string_ids=string_ids)
        if self.raw is None:
            self.text = sys.stdout
        else:
            binary: IO[bytes] = self.raw
            if self.target is not None and self.target.suffix.lower() == ".gz":
                packed = gzip.GzipFile(fileobj=self.raw, mode="wb")
                binary = packed  # type: ignore[assignment]
            self.text = io.TextIOWrapper(binary, encoding="utf-8", newline="", write_through=False)
        if self.fmt == "jsonl":
            return _JsonlWriter(self.text, level)
        if self.fmt in ("csv", "tsv"):
            return _CsvWriter(self.text, level, delimiter="\t" if self.fmt == "tsv" else ",")
        return _TableWriter(self.text, level)

    def _close(self) -> None:
        if self.text is not None and self.text is not sys.stdout:
            self.text.close()  # flushes; closes the gzip member (its trailer), not self.raw
        if self.raw is not None and not self.raw.closed:
            self.raw.close()

    def publish(self) -> None:
        """Close the file and rename it onto the target."""
        self._close()
        if self.atomic is not None:
            self.atomic.commit()

    def abandon(self, *, keep: bool) -> Path | None:
        """After a failure: keep what was written as ``<target>.partial``, or remove it.

        Returns:
            The partial file, when one was kept.
        """
        try:
            self._close()
        except OSError:
            keep = False  # e.g. a full disk: what is there may end mid-record
        if self.atomic is None:
            return None
        if keep:
            partial = self.atomic.target.with_name(self.atomic.target.name + PARTIAL_SUFFIX)
            os.replace(self.atomic.path, partial)
            return partial
        self.atomic.discard()
        return None

    def describe(self) -> str:
        return "to standard output" if self.target is None else f"to {self.target}"


class _WriteError(InputError):
    """Writing the output failed (what was written may end mid-record, so it is not kept)."""


def _write_error(output: Output, exc: OSError) -> _WriteError:
    where = "standard output" if output.target is None else f"'{output.target}'"
    hint = "Free disk space or" if exc.errno == errno.ENOSPC else "Check the path, or"
    return _WriteError(f"Cannot write to {where} ({exc.strerror or exc}). {hint} pass another -o.")


# -- the model -------------------------------------------------------------------------------------------
def build_extractor(
    *,
    model: str | None,
    taxonomy: str | Path | None,
    esco_version: str,
    language: str,
    quiet: bool,
    clause_margin: float | None = None,
    precision: float | None = None,
    scoring: str = "auto",
) -> SkillExtractor:
    """`skillx.load` with the CLI's options; says on stderr which model is used.

    Raises:
        InputError: If the cache folder cannot be created or written (names SKILLX_CACHE_DIR).
    """
    try:  # the "Loading weights" bar of transformers is noise on a command line
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
    except ImportError:  # pragma: no cover
        pass
    from skillx.loading import load
    from skillx.paths import CACHE_ENV

    try:
        extractor = load(
            model,
            taxonomy=taxonomy,
            esco_version=esco_version,
            language=language,
            clause_margin=clause_margin,
            precision=precision,
            scoring=scoring,
        )
    except OSError as exc:
        if isinstance(exc, SkillxError):
            raise
        where = f"'{exc.filename}'" if exc.filename else "the skillx cache"
        raise InputError(
            f"Cannot create or write {where} ({exc.strerror or exc}) while loading the model: skillx "
            f"keeps its indexes and parsed taxonomies in its cache folder. Set {CACHE_ENV} to a "
            "writable folder."
        ) from None
    if not quiet:
        typer.secho(f"skillx: using {extractor.model_name}", err=True, fg=typer.colors.BLUE)
    return extractor


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise Terminated


def run_extract(
    input: str | None,
    *,
    output: Path | None,
    fmt: str | None,
    k: int,
    min_score: float | None,
    model: str | None,
    taxonomy: str | Path | None,
    esco_version: str,
    language: str,
    text_field: str | None,
    column: str | None,
    strict: bool,
    whole: bool,
    limit: int | None,
    batch_size: int,
    progress: bool | None,
    quiet: bool,
    clauses: bool = False,
    level: str = "sentence",
    id_field: str | None = None,
    id_column: str | None = None,
    encoding: str = "utf-8",
    report: RunReport | None = None,
    precision: float | None = None,
    workers: int = 1,
    scoring: str = "auto",
) -> int:
    """Body of `skillx extract`; returns the number of records written.

    Raises:
        InputError: For a bad option, input or output; after writing what was read when the
            input breaks off (the file output then ends in ``.partial``).
        Terminated: On SIGTERM (same output rule).
    """
    report = report if report is not None else RunReport()
    if k < 1:
        raise InputError(f"--k must be at least 1, got {k}.")
    if min_score is not None and not 0.0 <= min_score <= 1.0:
        raise InputError(f"--min-score is a probability in [0, 1], got {min_score}.")
    if level not in LEVELS:
        raise InputError(f"Unknown --level '{level}'. Available: {', '.join(LEVELS)}.")
    if scoring not in SCORING_MODES:
        raise InputError(f"Unknown --scoring '{scoring}'. Available: {', '.join(SCORING_MODES)}.")
    if workers < 1:
        raise InputError(f"--workers must be at least 1, got {workers}.")
    kind = classify_input(input)
    check_output_path(output)
    fmt = output_format(fmt, output)
    if (id_field or id_column) and (kind == "text" or whole):
        raise InputError(
            "--id-field/--id-column need records: a JSONL, CSV/TSV or Parquet input without --whole."
        )
    from skillx.corpus import _codec

    _codec(encoding)  # an unknown --encoding fails before the model loads
    records: Iterator[InputText]
    if whole and kind != "text":  # one text: read (and fail) before the model loads
        from skillx.corpus import read_whole

        source = _stdin_bytes() if kind == "stdin" else Path(input or "").expanduser()
        records = iter([InputText(0, read_whole(source, encoding=encoding))])
    else:
        records = read_records(
            kind,
            input,
            report=report,
            text_field=text_field,
            column=column,
            id_field=id_field,
            id_column=id_column,
            strict=strict,
            limit=limit,
            encoding=encoding,
        )
    if progress is None:
        progress = kind == "file" and not whole and sys.stderr.isatty()
    out = Output(output, fmt)
    out.open()
    report.where = out.describe()
    previous = None
    if threading_main():
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    writer: Writer | None = None
    try:
        from skillx.ranker import RECOMMENDED_CLAUSE_MARGIN

        extractor = build_extractor(
            model=model,
            taxonomy=taxonomy,
            esco_version=esco_version,
            language=language,
            quiet=quiet,
            clause_margin=RECOMMENDED_CLAUSE_MARGIN if clauses else None,
            precision=precision,
            scoring=scoring,
        )
        writer = out.writer(level, string_ids=bool(id_field or id_column))
        results = (
            extract_records_parallel(
                records,
                workers=workers,
                level=level,
                k=k,
                min_score=extractor.min_score if min_score is None else min_score,
                batch_size=batch_size,
                model=model,
                taxonomy=None if taxonomy is None else Path(taxonomy).expanduser().resolve(),
                esco_version=esco_version,
                language=language,
                clause_margin=RECOMMENDED_CLAUSE_MARGIN if clauses else None,
                scoring=scoring,
            )
            if workers > 1
            else extract_records(
                extractor,
                records,
                level=level,
                k=k,
                min_score=min_score,
                batch_size=batch_size,
                show_progress=progress,
            )
        )
        for item, result, why in results:
            if result is None:
                report.failed += 1
                report.warn(f"record {item.id!r} not processed: {why}")
                if strict:
                    raise InputError(
                        f"Record {item.id!r} could not be processed ({why}). Drop --strict to skip it."
                    )
                continue
            try:
                writer.write(item, result)
            except OSError as exc:
                raise _write_error(out, exc) from None
            report.written += 1
        try:
            writer.close()
            out.publish()
        except OSError as exc:
            raise _write_error(out, exc) from None
    except BaseException as exc:
        if isinstance(exc, BrokenPipeError) or out.target is None:
            raise
        keep = report.written > 0 and not isinstance(exc, _WriteError | OSError)
        if writer is not None:
            try:  # a complete file: buffered rows written, the Parquet footer, the gzip trailer
                writer.close()
            except (OSError, ValueError):
                keep = False
        partial = out.abandon(keep=keep)
        report.where = f"to {partial} ({out.target} was not touched)" if partial else "(output removed)"
        raise
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return report.written


def threading_main() -> bool:
    """Whether this is the main thread (only it may set signal handlers)."""
    import threading

    return threading.current_thread() is threading.main_thread()


def register(app: typer.Typer) -> None:
    """Add ``skillx extract`` to the app."""

    @app.command("extract")
    @handle_errors
    def extract_command(
        input: str | None = typer.Argument(
            None,
            metavar="[INPUT]",
            help="Text to read: a quoted sentence, '-' or nothing (with a pipe) for stdin, or a file "
            "(txt: one text per line; JSONL with --text-field; CSV/TSV/Parquet with --column; "
            "optionally .gz).",
        ),
        output: Path | None = typer.Option(  # noqa: B008
            None,
            "-o",
            "--output",
            help="Write here (.jsonl, .csv, .tsv, optionally .gz, or .parquet); default stdout. Written "
            "atomically; a stopped run leaves <output>.partial.",
        ),
        fmt: str | None = typer.Option(
            None, "--format", "-f", help="jsonl, csv, tsv, parquet or table (default: from -o, else jsonl)."
        ),
        level: str = typer.Option(
            "sentence",
            "--level",
            help="sentence: rows per sentence x skill; document: one row per text x skill with its "
            "supporting sentences.",
        ),
        k: int = typer.Option(5, "--k", "-k", help="Most skills per sentence."),
        min_score: float | None = typer.Option(
            None,
            "--min-score",
            help="Minimum calibrated score in [0, 1] (default: the validated threshold; "
            "0 keeps k skills per sentence).",
        ),
        precision: float | None = typer.Option(
            None,
            "--precision",
            help="Instead of --min-score: the threshold that gave this precision "
            "(e.g. 0.7) on validation data (needs a model calibrated by this skillx).",
        ),
        model: str | None = typer.Option(
            None, "--model", "-m", help="Model directory (default: installed default model, else MiniLM)."
        ),
        taxonomy: TaxonomyOption = None,
        esco_version: EscoVersionOption = DEFAULT_ESCO_VERSION,
        language: LanguageOption = "en",
        text_field: str | None = typer.Option(None, "--text-field", help="JSONL field holding the text."),
        column: str | None = typer.Option(None, "--column", help="CSV/TSV/Parquet column holding the text."),
        id_field: str | None = typer.Option(
            None, "--id-field", help="JSONL field holding the record id (default id: the record's position)."
        ),
        id_column: str | None = typer.Option(
            None, "--id-column", help="CSV/TSV/Parquet column holding the record id (default: position)."
        ),
        encoding: str = typer.Option(
            "utf-8",
            "--encoding",
            help="Text encoding of the input (a UTF-16/32 byte-order mark is detected).",
        ),
        strict: bool = typer.Option(False, "--strict", help="Stop at the first unreadable record."),
        whole: bool = typer.Option(
            False, "--whole", help="Read a text file or stdin as ONE text instead of one text per line."
        ),
        limit: int | None = typer.Option(None, "--limit", help="Process at most this many texts."),
        batch_size: int = typer.Option(1024, "--batch-size", help="Sentences per encoder call."),
        progress: bool | None = typer.Option(
            None, "--progress/--no-progress", help="Progress bar (default: on for files in a terminal)."
        ),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="Do not say which model is used."),
        clauses: bool = typer.Option(
            False, "--clauses", help="Also score each clause of list-like sentences (better, slower)."
        ),
        workers: int = typer.Option(
            1,
            "--workers",
            "-w",
            help="Worker processes, each with its own extractor and a share of "
            "the cores (sentence level; output in input order, as with one worker).",
        ),
        scoring: str = typer.Option(
            "auto",
            "--scoring",
            help="auto (as the model was trained), pooled (faster) or contextual "
            "(token-level attention mixed with the pooled cosine).",
        ),
    ) -> None:
        """Extract ESCO skills from job-ad text, sentence by sentence (or per text with --level document)."""
        report = RunReport()
        try:
            run_extract(
                input,
                output=output,
                fmt=fmt,
                k=k,
                min_score=min_score,
                model=model,
                taxonomy=taxonomy,
                esco_version=esco_version,
                language=language,
                text_field=text_field,
                column=column,
                strict=strict,
                whole=whole,
                limit=limit,
                batch_size=batch_size,
                progress=progress,
                quiet=quiet,
                clauses=clauses,
                level=level,
                id_field=id_field,
                id_column=id_column,
                encoding=encoding,
                report=report,
                precision=precision,
                workers=workers,
                scoring=scoring,
            )
        except BrokenPipeError:  # `skillx extract ... | head`
            _silence_stdout()
            sys.stderr.close()
            raise typer.Exit(0) from None
        except OSError as exc:  # writing to stdout (e.g. `> /dev/full`)
            _silence_stdout()
            raise fail(flag_words(str(_write_error(Output(None, "jsonl"), exc)))) from None
        except SkillxError as exc:
            if not isinstance(exc, _WriteError):
                _print_summary(report)
            raise fail(flag_words(str(exc))) from None
        except Terminated:
            _print_summary(report)
            raise fail("terminated (SIGTERM).", code=EXIT_TERMINATED) from None
        except KeyboardInterrupt:
            _print_summary(report)
            raise
        if report.skipped or report.failed:
            _print_summary(report)
            raise typer.Exit(EXIT_SKIPPED)


def _print_summary(report: RunReport) -> None:
    if report.written or report.skipped or report.failed:
        typer.secho(report.summary(), err=True, fg=typer.colors.YELLOW)


def _silence_stdout() -> None:
    # what is left in stdout's buffer cannot be written; stop the interpreter from retrying at exit
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass

"""`skillx extract`: skills of texts given as an argument, on stdin or in a file."""

from __future__ import annotations

import csv
import gzip
import io
import json
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

import typer

from skillx.cli._errors import handle_errors
from skillx.cli._options import DEFAULT_ESCO_VERSION, EscoVersionOption, LanguageOption, TaxonomyOption
from skillx.errors import InputError

if TYPE_CHECKING:
    from skillx.extractor import SkillExtractor
    from skillx.results import SentenceSkills

FILE_SUFFIXES = {".txt", ".text", ".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".gz", ".md", ".html"}
CSV_COLUMNS = [
    "id", "sentence", "sentence_start", "sentence_end", "sentence_text",
    "rank", "uri", "label", "score", "source", "start", "end",
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class InputText:
    """One text to process and where it came from (line number in its file, 1-based)."""

    id: int
    text: str


def classify_input(value: str) -> str:
    """``"stdin"``, ``"file"`` or ``"text"`` for the INPUT argument.

    Raises:
        InputError: For a folder, or for something that looks like a file name but does not exist.
    """
    if value == "-":
        return "stdin"
    if "\n" in value or len(value) > 4096:
        return "text"
    path = Path(value).expanduser()
    try:
        if path.is_file():
            return "file"
        if path.is_dir():
            raise InputError(f"'{value}' is a folder. Pass a file (txt, JSONL, CSV/TSV, optionally .gz).")
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


def _open_text(path: Path) -> IO[str]:
    if path.suffix.lower() == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", errors="replace")
    return path.open(encoding="utf-8", errors="replace")


def _stdin_records(*, whole: bool, text_field: str | None, strict: bool) -> Iterator[InputText]:
    stream = sys.stdin
    if whole:
        yield InputText(1, stream.read())
        return
    for line_no, line in enumerate(stream, start=1):
        line = line.rstrip("\n")
        if not line.strip():
            continue
        if text_field is None:
            yield InputText(line_no, line)
            continue
        try:
            record = json.loads(line)
            text = record[text_field]
            if not isinstance(text, str):
                raise TypeError(f"field '{text_field}' is {type(text).__name__}, not a string")
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            message = f"stdin line {line_no}: cannot read JSON field '{text_field}' ({exc})"
            if strict:
                raise InputError(message + ". Fix the line, or drop --strict to skip bad lines.") from None
            typer.secho(f"Warning: {message}; line skipped.", err=True, fg=typer.colors.YELLOW)
            continue
        yield InputText(line_no, text)


def _file_records(
    path: Path, *, whole: bool, text_field: str | None, column: str | None, strict: bool, limit: int | None
) -> Iterator[InputText]:
    if whole:
        with _open_text(path) as handle:
            yield InputText(1, handle.read())
        return
    from skillx.corpus import read_texts

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for record in read_texts(path, text_field=text_field, column=column, limit=limit, strict=strict):
            for w in caught:
                typer.secho(f"Warning: {w.message}", err=True, fg=typer.colors.YELLOW)
            caught.clear()
            yield InputText(int(record.line_no), record.text)
        for w in caught:
            typer.secho(f"Warning: {w.message}", err=True, fg=typer.colors.YELLOW)


# -- writers -----------------------------------------------------------------------------------
class _JsonlWriter:
    def __init__(self, handle: IO[str]) -> None:
        self.handle = handle

    def write(self, item: InputText, sentences: list[SentenceSkills]) -> None:
        from skillx.results import DocumentSkills

        doc = DocumentSkills.from_sentences(sentences)
        record = {
            "id": item.id,
            "skills": [s.to_dict() for s in doc.skills],
            "sentences": [s.to_dict() for s in sentences],
        }
        self.handle.write(json.dumps(record, ensure_ascii=False) + "\n")

    def close(self) -> None:
        self.handle.flush()


class _CsvWriter:
    def __init__(self, handle: IO[str], *, delimiter: str = ",") -> None:
        self.handle = handle
        self.writer = csv.writer(handle, delimiter=delimiter, lineterminator="\n")
        self.writer.writerow(CSV_COLUMNS)

    def write(self, item: InputText, sentences: list[SentenceSkills]) -> None:
        from skillx.results import sentence_rows

        for row in sentence_rows(sentences, doc=item.id):
            row["id"] = row.pop("doc")
            self.writer.writerow(["" if row[c] is None else row[c] for c in CSV_COLUMNS])

    def close(self) -> None:
        self.handle.flush()


class _TableWriter:
    def __init__(self, handle: IO[str]) -> None:
        from rich.console import Console

        self.console = Console(file=handle, width=max(100, min(160, Console().width)))

    def write(self, item: InputText, sentences: list[SentenceSkills]) -> None:
        from rich.table import Table

        table = Table(title=f"text {item.id}", show_lines=False, expand=False)
        table.add_column("#", justify="right")
        table.add_column("sentence", max_width=60, overflow="fold")
        table.add_column("skill", max_width=45)
        table.add_column("score", justify="right")
        table.add_column("source")
        for sent in sentences:
            if not sent.skills:
                table.add_row(str(sent.index), sent.text, "[dim]-[/dim]", "", "")
                continue
            for rank, match in enumerate(sent.skills):
                table.add_row(
                    str(sent.index) if rank == 0 else "",
                    sent.text if rank == 0 else "",
                    match.label,
                    f"{match.score:.2f}",
                    match.source,
                )
        self.console.print(table)

    def close(self) -> None:
        self.console.file.flush()


def _writer(fmt: str, handle: IO[str]) -> _JsonlWriter | _CsvWriter | _TableWriter:
    if fmt == "jsonl":
        return _JsonlWriter(handle)
    if fmt == "csv":
        return _CsvWriter(handle)
    if fmt == "tsv":
        return _CsvWriter(handle, delimiter="\t")
    return _TableWriter(handle)


def output_format(fmt: str | None, output: Path | None) -> str:
    """The output format: explicit ``--format``, else from the ``-o`` suffix, else JSONL."""
    known = ("jsonl", "csv", "tsv", "table")
    if fmt is not None:
        fmt = fmt.lower()
        if fmt not in known:
            raise InputError(f"Unknown output format '{fmt}'. Available: {', '.join(known)}.")
        return fmt
    if output is None:
        return "jsonl"
    suffixes = [s.lower() for s in output.suffixes if s.lower() != ".gz"]
    suffix = suffixes[-1] if suffixes else ""
    by_suffix = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv", ".tsv": "tsv"}
    if suffix not in by_suffix:
        raise InputError(
            f"Cannot tell the output format from '{output.name}'. Use a .jsonl, .csv or .tsv file "
            "name (optionally .gz), or pass --format."
        )
    return by_suffix[suffix]


def _open_output(output: Path | None) -> IO[str]:
    if output is None:
        return sys.stdout
    if output.parent and not output.parent.exists():
        raise InputError(f"The folder of the output file '{output}' does not exist. Create it first.")
    if output.suffix.lower() == ".gz":
        return io.TextIOWrapper(gzip.open(output, "wb"), encoding="utf-8", newline="")
    return output.open("w", encoding="utf-8", newline="")


def build_extractor(
    *,
    model: str | None,
    taxonomy: str | Path | None,
    esco_version: str,
    language: str,
    quiet: bool,
    clause_margin: float | None = None,
    precision: float | None = None,
) -> SkillExtractor:
    """`skillx.load` with the CLI's options; says on stderr which model is used."""
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:  # the "Loading weights" bar of transformers is noise on a command line
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
    except ImportError:  # pragma: no cover
        pass
    from skillx.loading import load

    extractor = load(
        model, taxonomy=taxonomy, esco_version=esco_version, language=language, clause_margin=clause_margin,
        precision=precision,
    )
    if not quiet:
        typer.secho(f"skillx: using {extractor.model_name}", err=True, fg=typer.colors.BLUE)
    return extractor


def run_extract(
    input: str,
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
    precision: float | None = None,
) -> int:
    """Body of `skillx extract`; returns the number of texts processed."""
    if k < 1:
        raise InputError(f"--k must be at least 1, got {k}.")
    if min_score is not None and not 0.0 <= min_score <= 1.0:
        raise InputError(f"--min-score is a probability in [0, 1], got {min_score}.")
    kind = classify_input(input)
    fmt = output_format(fmt, output)
    if kind == "text":
        records: Iterator[InputText] = iter([InputText(1, input)])
    elif kind == "stdin":
        records = _stdin_records(whole=whole, text_field=text_field, strict=strict)
    else:
        path = Path(input).expanduser()
        records = _file_records(
            path, whole=whole, text_field=text_field, column=column, strict=strict, limit=limit
        )
    if progress is None:
        progress = kind == "file" and not whole and sys.stderr.isatty()

    from skillx.ranker import RECOMMENDED_CLAUSE_MARGIN

    extractor = build_extractor(
        model=model,
        taxonomy=taxonomy,
        esco_version=esco_version,
        language=language,
        quiet=quiet,
        clause_margin=RECOMMENDED_CLAUSE_MARGIN if clauses else None,
        precision=precision,
    )
    handle = _open_output(output)
    writer = _writer(fmt, handle)
    count = 0
    try:
        buffered: list[InputText] = []

        def texts() -> Iterator[str]:
            for item in records:
                buffered.append(item)
                yield item.text

        results = extractor.iter_extract(
            texts(), k=k, min_score=min_score, batch_size=batch_size, show_progress=progress
        )
        for sentences in results:
            item = buffered.pop(0)
            writer.write(item, sentences)
            count += 1
        writer.close()
    finally:
        if handle is not sys.stdout:
            handle.close()
    return count


def register(app: typer.Typer) -> None:
    """Add ``skillx extract`` to the app."""

    @app.command("extract")
    @handle_errors
    def extract_command(
        input: str = typer.Argument(
            ...,
            metavar="INPUT",
            help="Text to read: a quoted sentence, '-' for stdin, or a file (txt: one text per line; "
            "JSONL with --text-field; CSV/TSV with --column; optionally .gz).",
        ),
        output: Path | None = typer.Option(  # noqa: B008
            None, "-o", "--output", help="Write here (.jsonl, .csv or .tsv, optionally .gz); default stdout."
        ),
        fmt: str | None = typer.Option(
            None, "--format", "-f", help="jsonl, csv, tsv or table (default: from -o, else jsonl)."
        ),
        k: int = typer.Option(5, "--k", "-k", help="Most skills per sentence."),
        min_score: float | None = typer.Option(
            None,
            "--min-score",
            help="Minimum calibrated score in [0, 1] (default: the validated threshold; "
            "0 keeps k skills per sentence).",
        ),
        precision: float | None = typer.Option(
            None, "--precision", help="Instead of --min-score: the threshold that gave this precision "
            "(e.g. 0.7) on validation data (needs a model calibrated by this skillx).",
        ),
        model: str | None = typer.Option(
            None, "--model", "-m", help="Model directory (default: installed default model, else MiniLM)."
        ),
        taxonomy: TaxonomyOption = None,
        esco_version: EscoVersionOption = DEFAULT_ESCO_VERSION,
        language: LanguageOption = "en",
        text_field: str | None = typer.Option(None, "--text-field", help="JSONL field holding the text."),
        column: str | None = typer.Option(None, "--column", help="CSV/TSV column holding the text."),
        strict: bool = typer.Option(False, "--strict", help="Stop at the first unreadable line."),
        whole: bool = typer.Option(
            False, "--whole", help="Read a text file or stdin as ONE text instead of one text per line."
        ),
        limit: int | None = typer.Option(None, "--limit", help="Process at most this many texts of a file."),
        batch_size: int = typer.Option(1024, "--batch-size", help="Sentences per encoder call."),
        progress: bool | None = typer.Option(
            None, "--progress/--no-progress", help="Progress bar (default: on for files in a terminal)."
        ),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="Do not say which model is used."),
        clauses: bool = typer.Option(
            False, "--clauses", help="Also score each clause of list-like sentences (better, ~2x slower)."
        ),
    ) -> None:
        """Extract ESCO skills from job-ad text, sentence by sentence."""
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
                precision=precision,
            )
        except BrokenPipeError:  # `skillx extract ... | head`
            sys.stderr.close()
            raise typer.Exit(0) from None

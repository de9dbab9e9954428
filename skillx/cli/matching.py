"""`skillx match` and `skillx build-pairs`: literal matching and the distant-supervision dataset."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from skillx.cli._errors import handle_errors
from skillx.cli._options import DEFAULT_ESCO_VERSION, EscoVersionOption, TaxonomyOption

if TYPE_CHECKING:
    from skillx.matching import LiteralMatcher


def _matcher(
    taxonomy_path: Path | None, esco_version: str, stop_list: str | None, case_rules: bool, normalise: bool
) -> LiteralMatcher:
    from skillx.matching import LiteralMatcher
    from skillx.taxonomy.locate import load_taxonomy

    taxonomy = load_taxonomy(taxonomy_path, esco_version=esco_version)
    spec: str | None = None if stop_list in ("none", "") else stop_list
    return LiteralMatcher(taxonomy, stop_list=spec, case_rules=case_rules, normalise=normalise)


@handle_errors
def match(
    text: str = typer.Argument(..., help="Text to match (quote it)."),
    taxonomy: TaxonomyOption = None,
    esco_version: EscoVersionOption = DEFAULT_ESCO_VERSION,
    stop_list: str = typer.Option(
        "default", "--stop-list", help="'default', 'none', or a JSON file of forms."
    ),
    case_rules: bool = typer.Option(True, "--case-rules/--no-case-rules", help="Case-sensitive short forms."),
    normalise: bool = typer.Option(True, "--normalise/--no-normalise", help="Stem words, allow word order."),
) -> None:
    """Print the literal ESCO hits in TEXT, sentence by sentence."""
    from rich.console import Console
    from rich.table import Table

    from skillx.text import segment

    matcher = _matcher(taxonomy, esco_version, stop_list, case_rules, normalise)
    table = Table("start", "end", "text", "surface form", "kind", "skill", "flags")
    for sentence in segment(text):
        for hit in matcher.match(sentence.text):
            start, end = sentence.raw_span(hit.start, hit.end)
            flags = ", ".join(f for f, on in (("ambiguous", hit.ambiguous), ("nested", hit.nested)) if on)
            labels = "\n".join(f"{matcher.taxonomy.label(u)} <{u}>" for u in hit.uris)
            table.add_row(
                str(start), str(end), text[start:end], hit.surface_form, hit.kind.value, labels, flags
            )
    if table.row_count == 0:
        typer.echo("No literal hits.")
        return
    Console().print(table)


@handle_errors
def build_pairs(
    corpus: Annotated[Path, typer.Argument(help="Corpus: .txt, .jsonl, .csv or .tsv, optionally .gz.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Pairs file: .parquet or .jsonl.")],
    limit: int | None = typer.Option(None, "--limit", help="Read at most N texts."),
    text_field: str | None = typer.Option(None, "--text-field", help="JSONL field with the text."),
    column: str | None = typer.Option(None, "--column", help="CSV/TSV column with the text."),
    taxonomy: TaxonomyOption = None,
    esco_version: EscoVersionOption = DEFAULT_ESCO_VERSION,
    workers: int = typer.Option(1, "--workers", "-w", help="Processes (output order is kept)."),
    stop_list: str = typer.Option(
        "default", "--stop-list", help="'default', 'none', or a JSON file of forms."
    ),
    case_rules: bool = typer.Option(True, "--case-rules/--no-case-rules", help="Case-sensitive short forms."),
    include_nested: bool = typer.Option(False, "--include-nested", help="Also write nested hits."),
    strict: bool = typer.Option(False, "--strict", help="Fail on the first bad corpus line."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Progress bar on stderr."),
    sources: str | None = typer.Option(
        None,
        "--sources",
        help="Comma-separated corpus sources to read (its 'source' column), e.g. the openly "
        "licensed ones; default: all.",
    ),
) -> None:
    """Build (sentence, skill) pairs from a corpus by literal matching and print statistics."""
    from skillx.supervision import build_pairs as run
    from skillx.supervision import stats_path

    matcher = _matcher(taxonomy, esco_version, stop_list, case_rules, True)
    stats = run(
        corpus,
        output,
        matcher=matcher,
        text_field=text_field,
        column=column,
        limit=limit,
        workers=workers,
        include_nested=include_nested,
        strict=strict,
        progress=progress,
        sources=None if sources is None else sources.split(","),
    )
    typer.echo(stats.to_table())
    typer.echo(f"pairs: {output}\nstatistics: {stats_path(output)}")


def register(app: typer.Typer) -> None:
    """Add `match` and `build-pairs` to the skillx command line."""
    app.command("match")(match)
    app.command("build-pairs")(build_pairs)

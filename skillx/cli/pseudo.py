"""`skillx pseudo-label`: self-training pairs, corpus sentences without a literal match labelled by models."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from skillx.cli._errors import handle_errors
from skillx.cli._options import DEFAULT_ESCO_VERSION, EscoVersionOption, TaxonomyOption


def register(app: typer.Typer) -> None:
    """Add ``skillx pseudo-label`` to the app."""

    @app.command("pseudo-label")
    @handle_errors
    def pseudo_label_command(
        corpus: Annotated[Path, typer.Argument(help="Corpus: .txt, .jsonl, .csv or .tsv, optionally .gz.")],
        pairs: Annotated[
            Path,
            typer.Option("--pairs", help="Literal pairs of `skillx build-pairs` (sentences skipped)."),
        ],
        model: Annotated[
            list[Path],
            typer.Option("--model", "-m", help="Teacher skillx model dir (repeatable; all must agree)."),
        ],
        output: Annotated[Path, typer.Option("--output", "-o", help="Pseudo pairs file (.parquet).")],
        lines: Annotated[int, typer.Option(help="Corpus texts to sample.")] = 60_000,
        min_score: Annotated[float, typer.Option(help="Cosine each teacher's top-1 skill must reach.")] = 0.6,
        per_skill: Annotated[int, typer.Option(help="Keep at most this many pairs per skill (0: all).")] = 20,
        seed: Annotated[int, typer.Option(help="Seed of the sample and of the choice under the cap.")] = 42,
        text_field: Annotated[str | None, typer.Option(help="JSONL field with the text.")] = None,
        column: Annotated[str | None, typer.Option(help="CSV/TSV column with the text.")] = None,
        taxonomy: TaxonomyOption = None,
        esco_version: EscoVersionOption = DEFAULT_ESCO_VERSION,
    ) -> None:
        """Label corpus sentences that name no skill with trained models, for `skillx train PAIRS PSEUDO`."""
        import os

        from skillx.supervision import build_pseudo_pairs
        from skillx.taxonomy.locate import load_taxonomy

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        stats = build_pseudo_pairs(
            corpus,
            pairs,
            output,
            teachers=model,
            taxonomy=load_taxonomy(taxonomy, esco_version=esco_version),
            lines=lines,
            min_score=min_score,
            per_skill=per_skill,
            seed=seed,
            text_field=text_field,
            column=column,
        )
        typer.echo(stats.to_table())
        typer.echo(f"pseudo pairs: {output}")

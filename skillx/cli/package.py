"""`skillx package` and `skillx export`: a trained model as a pip-installable wheel or an ONNX copy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from skillx.cli._errors import handle_errors
from skillx.errors import InputError

FORMAT_HELP = (
    "Model format: torch (as trained), onnx (onnxruntime, float32: same results, faster) or "
    "onnx-int8 (onnxruntime, int8 weights: fastest and smallest, small score changes); the onnx "
    "formats need skillx[onnx]."
)


def read_licences(pairs: list[str] | None, file: Path | None) -> dict[str, str]:
    """``{source: licence}`` from ``--licences FILE.json`` and repeated ``--licence SOURCE=LICENCE``.

    Raises:
        InputError: For a flag without ``=`` or a file that is not a JSON object of strings.
    """
    licences: dict[str, str] = {}
    if file is not None:
        try:
            data = json.loads(Path(file).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"Cannot read the licences file '{file}': {exc}.") from None
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise InputError(
                f"'{file}' must hold a JSON object of source name to licence, e.g. "
                '{"onet_tasks": "CC BY 4.0"}.'
            )
        licences.update(data)
    for item in pairs or []:
        source, sep, licence = item.partition("=")
        if not sep or not source.strip() or not licence.strip():
            raise InputError(f"--licence takes SOURCE=LICENCE (e.g. onet_tasks='CC BY 4.0'), got {item!r}.")
        licences[source.strip()] = licence.strip()
    return licences


@handle_errors
def package(
    model_dir: Annotated[Path, typer.Argument(help="Skillx model directory (from `skillx train`).")],
    name: Annotated[str, typer.Option("--name", help="Model name, e.g. esco-en (skillx.load('esco-en')).")],
    version: Annotated[
        str, typer.Option("--package-version", help="Package version (PEP 440), e.g. 0.1.0.")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder for the wheel.")] = Path("dist"),
    format: Annotated[str, typer.Option("--format", "-f", help=FORMAT_HELP)] = "torch",
    licence: Annotated[
        list[str] | None,
        typer.Option(
            "--licence",
            help="SOURCE=LICENCE of a corpus source (repeatable); recorded in the package.",
        ),
    ] = None,
    licences: Annotated[
        Path | None, typer.Option("--licences", help="JSON file {source: licence} (see --licence).")
    ] = None,
    base_model_licence: Annotated[
        str | None,
        typer.Option("--base-model-licence", help="Licence of a base encoder other than the bundled MiniLM."),
    ] = None,
    pairs: Annotated[
        Path | None,
        typer.Option(
            "--pairs", help="Training pairs file: records pairs per source when skillx.json lacks them."
        ),
    ] = None,
) -> None:
    """Build a wheel of MODEL_DIR; `pip install` it, then `skillx.load(NAME)` finds it."""
    import logging

    from skillx.packaging import build_model_package, distribution_name

    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    sources = None
    if pairs is not None:
        from skillx.supervision import pairs_by_source
        from skillx.training import read_pairs

        sources = pairs_by_source(read_pairs(pairs))
    wheel = build_model_package(
        model_dir,
        name=name,
        version=version,
        output_dir=output,
        format=format,
        licences=read_licences(licence, licences),
        base_model_licence=base_model_licence,
        sources=sources,
    )
    size = wheel.stat().st_size / 1e6
    typer.echo(f"wheel: {wheel} ({size:.1f} MB, {distribution_name(name)} {version}, {format})")
    typer.echo(f"install: pip install {wheel}")
    typer.echo(f"use: skillx.load({name!r})  or  skillx extract FILE --model {name}")


@handle_errors
def export(
    model_dir: Annotated[Path, typer.Argument(help="Skillx model directory (from `skillx train`).")],
    output: Annotated[Path, typer.Argument(help="New folder for the copy (must not exist or be empty).")],
    format: Annotated[str, typer.Option("--format", "-f", help=FORMAT_HELP)] = "onnx-int8",
) -> None:
    """Copy MODEL_DIR in another model format; `skillx.load(OUTPUT)` loads the copy."""
    from skillx.packaging import export_model_dir

    target = export_model_dir(model_dir, output, format=format)
    typer.echo(f"model written to {target} ({format}); load it with skillx.load({str(target)!r})")


def register(app: typer.Typer) -> None:
    """Add `package` and `export` to the skillx command line."""
    app.command("package")(package)
    app.command("export")(export)

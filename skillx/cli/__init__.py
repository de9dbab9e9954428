"""The `skillx` command line. Each sub-module registers its own commands.

Sub-modules import heavy libraries (torch, sentence-transformers) inside the command
functions, so `skillx --help` stays fast.
"""

from __future__ import annotations

import importlib
import sys

import typer

from skillx.errors import SkillxError

app = typer.Typer(
    name="skillx",
    help="Extract ESCO skills from job postings.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Each module skillx.cli.<name> defines `register(app: typer.Typer) -> None`.
_COMMAND_MODULES: tuple[str, ...] = (
    "taxonomy", "extract", "benchmark", "models", "matching", "training"
)

for _name in _COMMAND_MODULES:
    importlib.import_module(f"skillx.cli.{_name}").register(app)


def _print_version(value: bool) -> None:
    if value:
        from skillx import __version__

        typer.echo(__version__)
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", help="Print the skillx version and exit.", callback=_print_version, is_eager=True
    ),
) -> None:
    """Extract ESCO skills from job postings."""


def main() -> None:
    """Console entry point: user errors print one clear line and exit with status 1."""
    try:
        app()
    except SkillxError as exc:
        typer.secho(f"Error: {exc}", err=True, fg=typer.colors.RED)
        sys.exit(1)

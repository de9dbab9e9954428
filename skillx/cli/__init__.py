"""The `skillx` command line. Each sub-module registers its own commands.

Sub-modules import heavy libraries (torch, sentence-transformers) inside the command
functions, so `skillx --help` stays fast.
"""

from __future__ import annotations

import importlib
import sys

import typer

from skillx.cli._errors import handle_errors

app = typer.Typer(
    name="skillx",
    help="Extract ESCO skills from job postings.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Each module skillx.cli.<name> defines `register(app: typer.Typer) -> None`.
_COMMAND_MODULES: tuple[str, ...] = (
    "taxonomy", "extract", "benchmark", "models", "package", "matching", "training"
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
        False,
        "--version",
        help="Print the skillx version and exit (the ESCO version of a command is --esco-version).",
        callback=_print_version,
        is_eager=True,
    ),
) -> None:
    """Extract ESCO skills from job postings."""


def main() -> None:
    """Console entry point: user errors print one clear line (see `skillx.cli._errors`)."""
    try:
        handle_errors(app)()
    except typer.Exit as done:  # raised by handle_errors outside a command, e.g. while registering
        sys.exit(done.exit_code)

"""The one error handler of the command line: user errors are one red line, never a traceback."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer

from skillx.errors import SkillxError

P = ParamSpec("P")
R = TypeVar("R")

#: Exit status of a command stopped with Ctrl-C (128 + SIGINT), as shells report it.
EXIT_INTERRUPTED = 130


def fail(message: str, *, code: int = 1) -> typer.Exit:
    """Print ``Error: message`` in red on stderr; return the exit to raise."""
    typer.secho(f"Error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code)


def handle_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Decorate a command: a `SkillxError` exits 1 with its message, Ctrl-C exits 130.

    The wrapper keeps the command's signature (``functools.wraps``), so Typer still reads its
    options from it.
    """

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except SkillxError as exc:
            raise fail(str(exc)) from None
        except KeyboardInterrupt:
            raise fail("interrupted.", code=EXIT_INTERRUPTED) from None

    return run

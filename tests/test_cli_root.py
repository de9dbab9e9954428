"""The root `skillx` command: --version, --help and clean error exits."""

from __future__ import annotations

from typing import Any

import typer
from typer.testing import CliRunner

import skillx
from skillx.cli import app
from skillx.cli._errors import EXIT_INTERRUPTED, handle_errors
from skillx.errors import InputError


def test_cli_version_prints_package_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == skillx.__version__


def test_cli_help_lists_every_command() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("taxonomy", "match", "build-pairs", "train", "extract", "benchmark", "models"):
        assert command in result.stdout


def _commands() -> dict[str, Any]:
    """Every leaf command of the CLI by its full name, e.g. ``"taxonomy info"``."""
    root = typer.main.get_command(app)
    found: dict[str, Any] = {}

    def walk(command: Any, prefix: str) -> None:
        if hasattr(command, "commands"):  # a group (typer ships its own copy of click)
            for name, sub in command.commands.items():
                walk(sub, f"{prefix} {name}".strip())
        else:
            found[prefix] = command

    walk(root, "")
    return found


def _option_names(command: Any) -> set[str]:
    return {name for p in command.params if p.param_type_name == "option" for name in p.opts}


def test_one_option_vocabulary_across_commands() -> None:
    commands = _commands()
    assert {"extract", "match", "build-pairs", "train", "benchmark", "taxonomy info"} <= set(
        commands
    )
    for name, command in commands.items():
        options = _option_names(command)
        # --version is the skillx version (root only); the ESCO version is --esco-version everywhere
        assert "--version" not in options and "-v" not in options, name
        assert "--out" not in options, name
        if "--esco" in options:
            assert "--taxonomy" in options, name
    with_esco_version = {n for n, c in commands.items() if "--esco-version" in _option_names(c)}
    assert with_esco_version == {
        "extract", "match", "build-pairs", "train", "benchmark",
        "taxonomy info", "taxonomy download", "taxonomy convert",
    }  # fmt: skip
    for name in ("build-pairs", "train", "taxonomy convert", "extract", "benchmark"):
        assert {"--output", "-o"} <= _option_names(commands[name]), name


def test_subcommand_version_flag_is_refused() -> None:
    result = CliRunner().invoke(app, ["taxonomy", "info", "--version", "1.1.0"])
    assert result.exit_code == 2 and "No such option" in result.output


def test_unknown_esco_version_is_one_error_line(tmp_path) -> None:
    result = CliRunner().invoke(
        app, ["taxonomy", "download", "--esco-version", "9.9", "--dest", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert result.output.startswith("Error: Unknown ESCO version '9.9'") and "--esco-version" in result.output
    assert "Traceback" not in result.output


def test_esco_is_an_alias_of_taxonomy(tmp_path) -> None:
    missing = str(tmp_path / "nowhere")
    for flag in ("--taxonomy", "--esco"):
        result = CliRunner().invoke(app, ["match", "Python", flag, missing])
        assert result.exit_code == 1 and "No taxonomy at" in result.output, flag


def _command_raising(exc: BaseException) -> typer.Typer:
    demo = typer.Typer()

    @demo.command()
    @handle_errors
    def boom(name: str = typer.Option("x", "--name")) -> None:
        raise exc

    return demo


def test_handle_errors_turns_a_skillx_error_into_one_line() -> None:
    result = CliRunner().invoke(_command_raising(InputError("Bad input. Fix it.")), ["--name", "y"])
    assert result.exit_code == 1
    assert result.output == "Error: Bad input. Fix it.\n"


def test_handle_errors_exits_130_on_ctrl_c() -> None:
    result = CliRunner().invoke(_command_raising(KeyboardInterrupt()), [])
    assert result.exit_code == EXIT_INTERRUPTED == 130
    assert "interrupted" in result.output


def test_handle_errors_lets_bugs_through() -> None:
    result = CliRunner().invoke(_command_raising(ZeroDivisionError("bug")), [])
    assert isinstance(result.exception, ZeroDivisionError)

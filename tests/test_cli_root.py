"""The root `skillx` command: --version, --help and clean error exits."""

from __future__ import annotations

from typer.testing import CliRunner

import skillx
from skillx.cli import app


def test_cli_version_prints_package_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == skillx.__version__


def test_cli_help_lists_every_command() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("taxonomy", "match", "build-pairs", "train", "extract", "benchmark", "models"):
        assert command in result.stdout

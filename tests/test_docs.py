"""The examples in docs/ run: ```python blocks (not ```python no-run) and ```sh command blocks."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
_BLOCK = re.compile(r"^```(?P<info>[^\n]*)\n(?P<body>.*?)^```", re.M | re.S)


def blocks(page: str, language: str) -> list[str]:
    """Bodies of the fenced blocks of `page` whose info string is exactly `language`."""
    text = (DOCS / page).read_text(encoding="utf-8")
    return [m.group("body") for m in _BLOCK.finditer(text) if m.group("info").strip() == language]


@pytest.mark.parametrize("page", ["quickstart.md", "spacy.md"])
def test_docs_python_examples_run(page, monkeypatch, capsys):
    code = blocks(page, "python")
    assert code, f"{page} has no runnable python block"
    monkeypatch.chdir(REPO)  # the examples use the repository's toy taxonomy
    namespace: dict[str, object] = {"__name__": "__docs__"}
    for i, body in enumerate(code):
        try:
            exec(compile(body, f"{page}[block {i}]", "exec"), namespace)
        except Exception as exc:  # pragma: no cover - the message says which block failed
            pytest.fail(f"{page} python block {i} failed: {type(exc).__name__}: {exc}\n{body}")
    assert capsys.readouterr().out  # the examples print something


def test_docs_cli_examples_run():
    commands = [line for body in blocks("cli.md", "sh") for line in body.splitlines() if line.strip()]
    assert len(commands) >= 2
    skillx_bin = str(Path(sys.executable).parent / "skillx")
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    for line in commands:
        argv = shlex.split(line)
        assert argv[0] == "skillx", line
        done = subprocess.run([skillx_bin, *argv[1:]], cwd=REPO, capture_output=True, text=True, env=env)
        assert done.returncode == 0, f"{line}\n{done.stderr}"
        assert done.stdout.strip(), line


def test_sample_job_ad_exists_and_is_realistic():
    text = (DOCS / "examples" / "job_ad.txt").read_text(encoding="utf-8")
    assert 20 <= len(text.splitlines()) <= 40
    assert "<li>" in text and "Python" in text

"""Fixtures of the research scripts' tests (run with ``pytest research/tests``; not in the product suite)."""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

RESEARCH = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def research_script() -> Callable[[str], ModuleType]:
    """``research_script("paired_bootstrap")``: the module of ``research/paired_bootstrap.py``.

    research/ goes on ``sys.path`` first: the scripts import their neighbour ``_common`` as when
    run directly.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if str(RESEARCH) not in sys.path:
        sys.path.insert(0, str(RESEARCH))

    def load(name: str) -> ModuleType:
        path = RESEARCH / f"{name}.py"
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return load

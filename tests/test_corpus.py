from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from skillx.corpus import MAX_LINE_CHARS, TextRecord, read_texts
from skillx.errors import CorpusWarning, InputError

TEXTS = ["Experience with Python.", "Manage budgets, please", 'Quoted "text" here']


def write(path: Path, data: bytes) -> Path:
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(data))
    else:
        path.write_bytes(data)
    return path


def encode(kind: str) -> bytes:
    if kind == "txt":
        return ("\n".join(TEXTS) + "\n").encode()
    if kind == "jsonl":
        return "".join(
            json.dumps({"id": i, "text": t, "source": "s"}) + "\n" for i, t in enumerate(TEXTS)
        ).encode()
    if kind == "csv":
        return (
            "id,text,source\n"
            + "".join(f'{i},"{t.replace(chr(34), 2 * chr(34))}",s\n' for i, t in enumerate(TEXTS))
        ).encode()
    return ("id\ttext\tsource\n" + "".join(f"{i}\t{t}\ts\n" for i, t in enumerate(TEXTS))).encode()


@pytest.mark.parametrize("kind", ["txt", "jsonl", "csv", "tsv"])
@pytest.mark.parametrize("gz", [False, True])
def test_read_texts_formats(tmp_path: Path, kind: str, gz: bool) -> None:
    path = write(tmp_path / f"corpus.{kind}{'.gz' if gz else ''}", encode(kind))
    records = list(read_texts(path))
    assert [r.text for r in records] == TEXTS
    offset = 0 if kind in ("txt", "jsonl") else 1
    assert [r.line_no for r in records] == [1 + offset, 2 + offset, 3 + offset]
    assert {r.source for r in records} == ({None} if kind == "txt" else {"s"})


def test_read_texts_limit_and_named_column(tmp_path: Path) -> None:
    path = write(tmp_path / "c.csv", b"a,b\n1,x\n2,y\n3,z\n")
    assert list(read_texts(path, column="b", limit=2)) == [TextRecord(2, "x", None), TextRecord(3, "y", None)]


@pytest.mark.parametrize(
    ("name", "data", "kwargs", "listed"),
    [
        ("c.csv", b"id,body_text\n1,x\n", {"column": "txt"}, "id, body_text"),
        ("c.tsv", b"id\tbody_text\n1\tx\n", {}, "id, body_text"),
        ("c.jsonl", b'{"id": 1, "msg": "x"}\n', {"text_field": "text"}, "id, msg"),
    ],
)
def test_wrong_column_fails_at_once_listing_available(
    tmp_path: Path, name: str, data: bytes, kwargs: dict[str, str], listed: str
) -> None:
    with pytest.raises(InputError, match=f"Available: {listed}"):
        next(read_texts(write(tmp_path / name, data), **kwargs))


BAD_LINES = [
    (b"\xff\xfe bad bytes\n", "not UTF-8"),
    (b"\x00\x01\x02\x03binary\x00\n", "binary"),
    (b"x" * (MAX_LINE_CHARS + 10) + b"\n", "longer than"),
    (b"y" * (10 * MAX_LINE_CHARS) + b"\n", "longer than"),
]


@pytest.mark.parametrize(("bad", "why"), BAD_LINES)
def test_bad_lines_skipped_with_warning_naming_line(tmp_path: Path, bad: bytes, why: str) -> None:
    path = write(tmp_path / "c.txt", b"first\n" + bad + b"caf\xc3\xa9 third\n")
    with pytest.warns(CorpusWarning, match=f"line 2 skipped: {why}"):
        records = list(read_texts(path))
    assert [(r.line_no, r.text) for r in records] == [(1, "first"), (3, "café third")]


@pytest.mark.parametrize(("bad", "why"), BAD_LINES[:2])
def test_bad_lines_raise_when_strict(tmp_path: Path, bad: bytes, why: str) -> None:
    path = write(tmp_path / "c.txt", b"first\n" + bad)
    with pytest.raises(InputError, match="line 2"):
        list(read_texts(path, strict=True))


def test_corrupt_json_line_skipped(tmp_path: Path) -> None:
    path = write(tmp_path / "c.jsonl", b'{"text": "a"}\n{"text": \n[1, 2]\n\n{"text": "b"}\n')
    with pytest.warns(CorpusWarning) as caught:
        records = list(read_texts(path))
    assert [r.text for r in records] == ["a", "b"]
    messages = " ".join(str(w.message) for w in caught)
    assert "line 2" in messages and "line 3" in messages


def test_truncated_gzip_yields_then_fails(tmp_path: Path) -> None:
    data = gzip.compress(b"".join(f"sentence number {i}\n".encode() for i in range(5000)))
    path = tmp_path / "c.txt.gz"
    path.write_bytes(data[: len(data) // 2])
    records = []
    with pytest.raises(InputError, match="truncated"):
        for record in read_texts(path):
            records.append(record)
    assert records and records[0].text == "sentence number 0"


def test_missing_file_is_clear(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        next(read_texts(tmp_path / "nope.txt"))


def test_empty_lines_are_skipped_silently(tmp_path: Path) -> None:
    path = write(tmp_path / "c.txt", b"\n  \na\r\n\nb")
    assert [(r.line_no, r.text) for r in read_texts(path)] == [(3, "a"), (5, "b")]

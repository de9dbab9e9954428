from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

import skillx.corpus as corpus_module
from skillx.corpus import SkippedRecord, TextRecord, read_texts, read_whole
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
    expected = [TextRecord(2, "x", None, 0), TextRecord(3, "y", None, 1)]
    assert list(read_texts(path, column="b", limit=2)) == expected


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


SMALL_MAX = 1000  # MAX_RECORD_CHARS for these tests, so the "too long" lines stay small
BAD_LINES = [
    (b"\xff\xfe bad bytes\n", "not UTF-8"),
    (b"\x00\x01\x02\x03binary\x00\n", "binary"),
    (b"x" * (4 * SMALL_MAX + 10) + b"\n", "longer than"),
    (b"y" * (40 * SMALL_MAX) + b"\n", "longer than"),
]


@pytest.mark.parametrize(("bad", "why"), BAD_LINES)
def test_bad_lines_skipped_with_warning_naming_line(
    tmp_path: Path, bad: bytes, why: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(corpus_module, "MAX_RECORD_CHARS", SMALL_MAX)
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


# -- long records, record index and ids ------------------------------------------------------
@pytest.mark.parametrize("kind", ["txt", "jsonl", "csv"])
def test_long_record_is_read_not_dropped(tmp_path: Path, kind: str) -> None:
    ad = "<p>" + "Python and SQL. " * 3000 + "</p>"  # ~48,000 characters, an ordinary HTML ad
    data = {
        "txt": f"short\n{ad}\n",
        "jsonl": json.dumps({"text": "short"}) + "\n" + json.dumps({"text": ad}) + "\n",
        "csv": f'text\nshort\n"{ad}"\n',
    }[kind]
    records = list(read_texts(write(tmp_path / f"c.{kind}", data.encode())))
    assert [r.text for r in records] == ["short", ad]


def test_record_index_counts_skipped_records_not_blank_lines(tmp_path: Path) -> None:
    path = write(tmp_path / "c.jsonl", b'{"text": "a"}\n\n{"text": broken\n{"text": ""}\n{"text": "b"}\n')
    skipped: list[SkippedRecord] = []
    records = list(read_texts(path, on_skip=skipped.append))
    assert [(r.index, r.line_no, r.text) for r in records] == [(0, 1, "a"), (3, 5, "b")]
    assert [(s.index, s.line_no, s.kind) for s in skipped] == [(1, 3, "json")]


@pytest.mark.parametrize("kind", ["jsonl", "csv", "tsv"])
def test_ids_from_a_field_or_column(tmp_path: Path, kind: str) -> None:
    path = write(tmp_path / f"c.{kind}", encode(kind))
    options = {"id_field": "id"} if kind == "jsonl" else {"id_column": "id"}
    ids = [r.id for r in read_texts(path, **options)]  # type: ignore[arg-type]
    assert ids == ([0, 1, 2] if kind == "jsonl" else ["0", "1", "2"])


def test_missing_id_is_a_bad_record_and_unknown_id_column_lists_columns(tmp_path: Path) -> None:
    path = write(tmp_path / "c.jsonl", b'{"id": "a", "text": "x"}\n{"text": "y"}\n{"id": 7, "text": "z"}\n')
    skipped: list[SkippedRecord] = []
    assert [r.id for r in read_texts(path, id_field="id", on_skip=skipped.append)] == ["a", 7]
    assert skipped[0].kind == "id" and skipped[0].line_no == 2
    table = write(tmp_path / "c.csv", b"ad,text\n1,x\n")
    with pytest.raises(InputError, match="Available: ad, text"):
        next(read_texts(table, id_column="ad_id"))


def test_parquet_streams_in_batches_with_ids(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "ads.parquet"
    texts = [f"ad {i}" if i != 3 else None for i in range(10)]
    pq.write_table(pa.table({"ad_id": [f"x{i}" for i in range(10)], "body": texts}), path)
    monkeypatch.setattr(corpus_module, "PARQUET_BATCH_ROWS", 4)
    seen: list[int] = []
    real = pq.ParquetFile.iter_batches

    def spy(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(kwargs["batch_size"])
        return real(self, *args, **kwargs)

    monkeypatch.setattr(pq.ParquetFile, "iter_batches", spy)
    records = list(read_texts(path, column="body", id_column="ad_id"))
    assert seen == [4]
    expected = [(i, f"x{i}", f"ad {i}") for i in range(10) if i != 3]
    assert [(r.index, r.id, r.text) for r in records] == expected
    with pytest.raises(InputError, match="holds int64, not text"):
        next(read_texts(_int_column(tmp_path)))


def _int_column(tmp_path: Path) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "ints.parquet"
    pq.write_table(pa.table({"text": [1, 2]}), path)
    return path


# -- encodings ---------------------------------------------------------------------------------
def test_utf16_with_bom_is_decoded(tmp_path: Path) -> None:
    path = write(tmp_path / "c.txt", "café Python\nSQL\n".encode("utf-16"))
    assert [r.text for r in read_texts(path)] == ["café Python", "SQL"]
    assert read_whole(path) == "café Python\nSQL\n"


def test_latin1_needs_encoding_and_is_never_lost_silently(tmp_path: Path) -> None:
    path = write(tmp_path / "c.txt", "first\ncafé\n".encode("latin-1"))
    skipped: list[SkippedRecord] = []
    assert [r.text for r in read_texts(path, on_skip=skipped.append)] == ["first"]
    assert skipped[0].kind == "encoding" and "latin-1" in skipped[0].reason
    assert [r.text for r in read_texts(path, encoding="latin-1")] == ["first", "café"]
    with pytest.raises(InputError, match="not valid UTF-8"):
        read_whole(path)
    assert read_whole(path, encoding="latin-1") == "first\ncafé\n"
    with pytest.raises(InputError, match="Unknown text encoding"):
        next(read_texts(path, encoding="klingon"))


def test_json_surrogate_escape_repaired_one_for_one(tmp_path: Path) -> None:
    path = write(tmp_path / "c.jsonl", b'{"id": "a\\udc00", "text": "Python\\ud800 SQL"}\n')
    (record,) = read_texts(path, id_field="id")
    assert record.text == "Python\ufffd SQL" and record.id == "a\ufffd"


@pytest.mark.parametrize("data", [b"not gzip at all", gzip.compress(b"x" * 10_000)[:40]])
def test_read_whole_bad_gzip_is_one_clear_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "c.txt.gz"
    path.write_bytes(data)
    with pytest.raises(InputError, match="truncated or not a valid gzip"):
        read_whole(path)


def test_stream_input_with_format(tmp_path: Path) -> None:
    import io

    stream = io.BufferedReader(io.BytesIO(b'{"t": "a", "k": 1}\n\xff\xfe\n{"t": "b", "k": 2}\n'))  # type: ignore[arg-type]
    skipped: list[SkippedRecord] = []
    options = {"input_format": "jsonl", "text_field": "t", "id_field": "k"}
    records = list(read_texts(stream, on_skip=skipped.append, **options))
    assert [(r.id, r.text) for r in records] == [(1, "a"), (2, "b")]
    assert skipped[0].name == "<stdin>" and skipped[0].kind == "encoding"

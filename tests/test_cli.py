"""`skillx extract`, `skillx benchmark`, `skillx models` and the command list."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import skillx.cli.extract as cli_extract
from skillx.cli import app
from skillx.extractor import SkillExtractor
from skillx.matching import LiteralMatcher
from skillx.ranker import SemanticRanker

TOY = "http://skillx.example.org/toy/skill/"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def toy_extractor(toy_taxonomy):
    ranker = SemanticRanker.from_pretrained(taxonomy=toy_taxonomy)
    return SkillExtractor(
        toy_taxonomy, ranker=ranker, matcher=LiteralMatcher(toy_taxonomy), model_name="toy MiniLM"
    )


@pytest.fixture
def runner(toy_extractor, monkeypatch):
    """A CliRunner whose `extract` reuses one loaded toy extractor (loading is tested separately)."""
    seen = {}

    def build(**kwargs):
        seen.update(kwargs)
        return toy_extractor

    monkeypatch.setattr(cli_extract, "build_extractor", build)
    r = CliRunner()
    r.seen = seen  # type: ignore[attr-defined]
    return r


def _jsonl(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_help_lists_every_command():
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("taxonomy", "match", "build-pairs", "train", "extract", "benchmark", "models"):
        assert command in result.output


def test_extract_text_argument_to_jsonl(runner):
    result = runner.invoke(app, ["extract", "Experience with Python and SQL.", "--taxonomy", "x"])
    assert result.exit_code == 0, result.output
    (record,) = _jsonl(result.stdout)
    assert record["id"] == 0
    uris = {s["uri"] for s in record["skills"]}
    assert {TOY + "python", TOY + "sql"} <= uris
    sent = record["sentences"][0]
    assert sent["start"] == 0 and sent["skills"][0]["score"] <= 1.0
    assert str(runner.seen["taxonomy"]) == "x"
    assert runner.seen["clause_margin"] is None  # clause scoring is opt-in


def test_extract_clauses_flag_turns_on_clause_scoring(runner):
    from skillx.ranker import RECOMMENDED_CLAUSE_MARGIN

    result = runner.invoke(app, ["extract", "Python, SQL and first aid.", "--clauses"])
    assert result.exit_code == 0, result.output
    assert runner.seen["clause_margin"] == RECOMMENDED_CLAUSE_MARGIN


def test_extract_scoring_option_reaches_load_and_bad_values_are_named(runner):
    result = runner.invoke(app, ["extract", "Python, SQL and first aid.", "--scoring", "pooled"])
    assert result.exit_code == 0, result.output
    assert runner.seen["scoring"] == "pooled"
    result = runner.invoke(app, ["extract", "Python and SQL.", "--scoring", "fast"])
    assert result.exit_code != 0 and "auto, pooled, contextual" in result.output


def test_extract_stdin_one_text_per_line(runner):
    result = runner.invoke(app, ["extract", "-"], input="Python developer\n\nProvide first aid\n")
    assert result.exit_code == 0, result.output
    records = _jsonl(result.stdout)
    assert [r["id"] for r in records] == [0, 1]  # record positions, not line numbers
    assert TOY + "first-aid" in {s["uri"] for s in records[1]["skills"]}


def test_extract_stdin_whole(runner):
    result = runner.invoke(app, ["extract", "-", "--whole"], input="Python developer\nProvide first aid\n")
    (record,) = _jsonl(result.stdout)
    assert len(record["sentences"]) == 2


def test_extract_text_file_and_gzip(runner, tmp_path):
    lines = "Python and SQL\nServe drinks to guests\n"
    plain = tmp_path / "ads.txt"
    plain.write_text(lines)
    packed = tmp_path / "ads.txt.gz"
    packed.write_bytes(gzip.compress(lines.encode()))
    out_plain = runner.invoke(app, ["extract", str(plain)])
    out_gz = runner.invoke(app, ["extract", str(packed)])
    assert out_plain.exit_code == 0 and out_gz.exit_code == 0
    assert _jsonl(out_plain.stdout) == _jsonl(out_gz.stdout)
    assert len(_jsonl(out_gz.stdout)) == 2


def test_extract_jsonl_with_corrupt_line_keeps_going(runner, tmp_path):
    path = tmp_path / "ads.jsonl"
    path.write_text('{"body": "Python and SQL"}\n{"body": broken\n{"body": "Provide first aid"}\n')
    result = runner.invoke(app, ["extract", str(path), "--text-field", "body"])
    assert result.exit_code == 3, result.output  # finished, but a record was skipped
    assert [r["id"] for r in _jsonl(result.stdout)] == [0, 2]
    assert "line 2 (record 1) skipped" in result.stderr
    assert "2 records written to standard output; 1 skipped" in result.stderr


def test_extract_jsonl_strict_stops_with_exit_1(runner, tmp_path):
    path = tmp_path / "ads.jsonl"
    path.write_text('{"body": "Python"}\n{"body": broken\n')
    result = runner.invoke(app, ["extract", str(path), "--text-field", "body", "--strict"])
    assert result.exit_code == 1
    assert "line 2" in result.stderr
    assert "Traceback" not in result.output


def test_extract_csv_column_to_csv_file(runner, tmp_path):
    src = tmp_path / "ads.tsv"
    src.write_text("id\tdescription\n7\tPython and SQL\n8\tWe offer a competitive salary.\n")
    out = tmp_path / "skills.csv"
    result = runner.invoke(app, ["extract", str(src), "--column", "description", "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert rows and set(rows[0]) >= {"id", "sentence", "uri", "label", "score", "source", "start", "end"}
    assert {r["uri"] for r in rows} >= {TOY + "python", TOY + "sql"}
    assert {r["id"] for r in rows} == {"0"}  # the salary line has no skill above min_score


def test_extract_min_score_zero_and_k(runner):
    result = runner.invoke(app, ["extract", "We offer a competitive salary.", "--k", "2", "--min-score", "0"])
    (record,) = _jsonl(result.stdout)
    assert len(record["sentences"][0]["skills"]) == 2


def test_extract_table_format(runner):
    result = runner.invoke(app, ["extract", "Python and SQL", "--format", "table"])
    assert result.exit_code == 0
    assert "Python (computer programming)" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["extract", "missing-file.jsonl"], "No such file"),
        (["extract", "Python", "--k", "0"], "--k must be"),
        (["extract", "Python", "--min-score", "3"], "--min-score"),
        (["extract", "Python", "-o", "out.xlsx"], "Cannot tell the output format"),
        (["extract", "Python", "--format", "xml"], "Unknown output format"),
    ],
)
def test_extract_user_errors_exit_1_with_one_line(runner, args, message):
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_extract_folder_is_a_user_error(runner, tmp_path):
    result = runner.invoke(app, ["extract", str(tmp_path)])
    assert result.exit_code == 1 and "is a folder" in result.stderr


def test_extract_streams_in_batches(runner, toy_extractor, tmp_path, monkeypatch):
    path = tmp_path / "many.txt"
    path.write_text("".join(f"Python and SQL number {i}\n" for i in range(50)))
    calls = []
    real = toy_extractor.ranker.score_matrix
    monkeypatch.setattr(
        toy_extractor.ranker, "score_matrix", lambda s, **kw: calls.append(len(s)) or real(s, **kw)
    )
    result = runner.invoke(app, ["extract", str(path), "--batch-size", "16"])
    assert result.exit_code == 0
    assert len(_jsonl(result.stdout)) == 50
    assert len(calls) >= 3 and max(calls) <= 16  # never the whole file at once


def test_models_lists_installed_models(tmp_path, monkeypatch):
    from skillx.model_dir import ModelMeta, TaxonomyRef, write_model_meta

    monkeypatch.setenv("SKILLX_CACHE_DIR", str(tmp_path))
    empty = CliRunner().invoke(app, ["models"])
    assert empty.exit_code == 0 and "No models installed" in empty.stdout
    model = tmp_path / "models" / "default"
    (model / "model").mkdir(parents=True)
    write_model_meta(
        model, ModelMeta(skill_text="preferred", taxonomy=TaxonomyRef(name="ESCO", version="1.1.0"))
    )
    listed = CliRunner().invoke(app, ["models", "--json"])
    assert listed.exit_code == 0
    (entry,) = json.loads(listed.stdout)
    assert entry["name"] == "default" and entry["taxonomy"].startswith("ESCO 1.1.0")


def test_benchmark_command_on_a_toy_benchmark(tmp_path, toy_taxonomy_dir):
    bench = tmp_path / "toy_validation_annotations.csv"
    bench.write_text(
        "sentence,span,sub_span,label\n"
        "Strong Python skills,Python,,Python (computer programming)\n"
        "You keep patient records up to date,patient records,,maintain patient records\n"
        "Serving drinks at the bar,drinks,,serve beverages\n"
    )
    result = CliRunner().invoke(
        app,
        [
            "benchmark",
            str(bench),
            "--taxonomy",
            str(toy_taxonomy_dir),
            "--mode",
            "fusion",
            "--mode",
            "literal",
        ],
    )
    assert result.exit_code == 0, result.output
    lines = [line.split() for line in result.stdout.splitlines() if line.startswith(("fusion", "literal"))]
    assert [line[0] for line in lines] == ["fusion", "literal"]
    fusion_rp1 = float(lines[0][3])
    assert fusion_rp1 >= 2 / 3


def test_subprocess_real_load_exit_codes(toy_taxonomy_dir):
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    cmd = [str(Path(sys.executable).parent / "skillx"), "extract"]
    ok = subprocess.run(
        [*cmd, "Python and SQL", "--taxonomy", str(toy_taxonomy_dir), "--model", "base"],
        capture_output=True, text=True, env=env,
    )  # fmt: skip  ("base": the same model whatever `make model` installed in this environment)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["skills"][0]["uri"].startswith(TOY)
    assert "using bundled base encoder" in ok.stderr
    bad = subprocess.run(
        [*cmd, "Python", "--taxonomy", "/nonexistent/esco"], capture_output=True, text=True, env=env
    )
    assert bad.returncode == 1
    assert bad.stderr.startswith("Error:") and "Traceback" not in bad.stderr
    bad_model = subprocess.run(
        [*cmd, "Python", "--taxonomy", str(toy_taxonomy_dir), "--model", "/nonexistent/model"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert bad_model.returncode == 1 and "skillx models" in bad_model.stderr


def test_benchmark_fit_fusion_writes_parameters(tmp_path, toy_taxonomy_dir):
    from skillx.fusion import FusionParams

    bench = tmp_path / "toy_validation_annotations.csv"
    rows = [
        ("Strong Python skills", "Python (computer programming)"),
        ("You keep patient records up to date", "maintain patient records"),
        ("Serving drinks at the bar", "serve beverages"),
        ("Experience with SQL databases", "SQL"),
        ("You give first aid when needed", "provide first aid"),
        ("We offer a competitive salary", "LABEL NOT PRESENT"),
    ]
    bench.write_text("sentence,span,sub_span,label\n" + "".join(f"{s},x,,{lab}\n" for s, lab in rows))
    out = tmp_path / "fusion.json"
    args = [
        "benchmark",
        str(bench),
        "--taxonomy",
        str(toy_taxonomy_dir),
        "--fit-fusion",
        "--fusion-out",
        str(out),
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    params = FusionParams.load(out)
    assert params.metrics["n_sentences"] == 6 and params.metrics["n_scored_sentences"] == 5
    assert "toy_validation_annotations.csv" in params.fitted_on
    no_target = CliRunner().invoke(
        app, ["benchmark", str(bench), "--taxonomy", str(toy_taxonomy_dir), "--fit-fusion"]
    )
    assert no_target.exit_code == 1 and "--fusion-out" in no_target.stderr


def test_benchmark_fit_fusion_scores_with_the_fitted_parameters(tmp_path, toy_taxonomy_dir, monkeypatch):
    """`--fit-fusion --fusion-out F` must score with the parameters it just fitted, not the bundled ones."""
    import skillx.evaluation
    from skillx.fusion import FusionParams, default_fusion

    bench = tmp_path / "toy_validation_annotations.csv"
    rows = [
        ("Strong Python skills", "Python (computer programming)"),
        ("You keep patient records up to date", "maintain patient records"),
        ("Serving drinks at the bar", "serve beverages"),
        ("Experience with SQL databases", "SQL"),
        ("You give first aid when needed", "provide first aid"),
        ("We offer a competitive salary", "LABEL NOT PRESENT"),
    ]
    bench.write_text("sentence,span,sub_span,label\n" + "".join(f"{s},x,,{lab}\n" for s, lab in rows))
    scored_with = []
    real_evaluate = skillx.evaluation.evaluate

    def spy(ranker, *args, **kwargs):
        scored_with.append(ranker.fusion)
        return real_evaluate(ranker, *args, **kwargs)

    monkeypatch.setattr(skillx.evaluation, "evaluate", spy)
    out = tmp_path / "fusion.json"
    args = ["benchmark", str(bench), "--taxonomy", str(toy_taxonomy_dir), "--fit-fusion", "--fusion-out"]
    result = CliRunner().invoke(app, [*args, str(out), "--mode", "fusion", "--mode", "literal"])
    assert result.exit_code == 0, result.output
    fitted = FusionParams.load(out)
    assert fitted.to_dict() != default_fusion().to_dict()  # otherwise the test could not tell them apart
    assert len(scored_with) == 2
    assert all(params.to_dict() == fitted.to_dict() for params in scored_with)


# -- ids, levels, Parquet ----------------------------------------------------------------------
ADS = ["Python and SQL. We offer a competitive salary.", "Provide first aid. Serve drinks to guests."]


def _write_ads(tmp_path: Path, kind: str) -> tuple[Path, list[str]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    ids = ["ad-7", "ad-9"]
    path = tmp_path / f"ads.{kind}"
    if kind == "jsonl":
        path.write_text(
            "".join(json.dumps({"ad_id": i, "body": t}) + "\n" for i, t in zip(ids, ADS, strict=True))
        )
    elif kind == "csv":
        path.write_text("ad_id,body\n" + "".join(f'{i},"{t}"\n' for i, t in zip(ids, ADS, strict=True)))
    else:
        pq.write_table(pa.table({"ad_id": ids, "body": ADS}), path)
    return path, ids


@pytest.mark.parametrize("kind", ["jsonl", "csv", "parquet"])
@pytest.mark.parametrize("out", ["jsonl", "csv", "parquet"])
def test_extract_ids_carried_to_every_row(runner, tmp_path, kind, out):
    import pandas as pd

    path, ids = _write_ads(tmp_path, kind)
    option = ["--id-field", "ad_id", "--text-field", "body"] if kind == "jsonl" else ["--id-column", "ad_id"]
    if kind != "jsonl":
        option += ["--column", "body"]
    target = tmp_path / f"skills.{out}"
    result = runner.invoke(app, ["extract", str(path), *option, "-o", str(target), "--min-score", "0"])
    assert result.exit_code == 0, result.output
    if out == "jsonl":
        seen = [json.loads(line)["id"] for line in target.read_text().splitlines()]
    elif out == "csv":
        seen = list(dict.fromkeys(r["id"] for r in csv.DictReader(io.StringIO(target.read_text()))))
    else:
        seen = list(dict.fromkeys(pd.read_parquet(target)["id"]))
    assert seen == ids
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_extract_default_id_is_the_record_position(runner, tmp_path):
    path = tmp_path / "ads.csv"
    path.write_text('text\n"Python and SQL"\n""\n"Provide first aid"\n')
    result = runner.invoke(app, ["extract", str(path), "--min-score", "0"])
    assert [r["id"] for r in _jsonl(result.stdout)] == [0, 2]  # the empty text keeps its position


@pytest.mark.parametrize("out", ["jsonl", "csv", "parquet"])
def test_extract_document_level_rows_match_extract_document(runner, toy_extractor, tmp_path, out):
    import pandas as pd

    path, ids = _write_ads(tmp_path, "jsonl")
    target = tmp_path / f"docs.{out}"
    args = ["extract", str(path), "--text-field", "body", "--id-field", "ad_id", "--level", "document"]
    result = runner.invoke(app, [*args, "--min-score", "0", "-k", "3", "-o", str(target)])
    assert result.exit_code == 0, result.output
    expected = [
        (ad_id, s.uri, s.score, list(s.sentences))
        for ad_id, text in zip(ids, ADS, strict=True)
        for s in toy_extractor.extract_document(text, k=3, min_score=0.0).skills
    ]
    if out == "jsonl":
        records = [json.loads(line) for line in target.read_text().splitlines()]
        assert all("sentences" not in r for r in records)
        got = [(r["id"], s["uri"], s["score"], s["sentences"]) for r in records for s in r["skills"]]
    elif out == "csv":
        rows = list(csv.DictReader(io.StringIO(target.read_text())))
        assert list(rows[0]) == cli_extract.DOCUMENT_COLUMNS
        got = [(r["id"], r["uri"], float(r["score"]), [int(i) for i in r["sentences"].split()]) for r in rows]
    else:
        frame = pd.read_parquet(target)
        assert list(frame.columns) == cli_extract.DOCUMENT_COLUMNS
        got = [(r.id, r.uri, r.score, list(r.sentences)) for r in frame.itertuples()]
    # the CLI encodes in other batches than one extract_document call: scores agree to float noise
    assert [(i, u, s) for i, u, _, s in got] == [(i, u, s) for i, u, _, s in expected]
    assert [g[2] for g in got] == pytest.approx([e[2] for e in expected], abs=1e-5)


def test_extract_parquet_output_needs_a_file(runner):
    result = runner.invoke(app, ["extract", "Python", "--format", "parquet"])
    assert result.exit_code == 1 and "-o FILE.parquet" in result.stderr


def test_extract_reads_stdin_when_no_input_is_given(runner):
    result = runner.invoke(
        app, ["extract", "--min-score", "0"], input="Python developer\nProvide first aid\n"
    )
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in _jsonl(result.stdout)] == [0, 1]


# -- atomic output -----------------------------------------------------------------------------
def _stop_after(toy_extractor, monkeypatch, n: int, how: str) -> None:
    """Make extraction stop (Ctrl-C or SIGTERM) once `n` texts were extracted."""
    import signal

    real = toy_extractor.iter_extract

    def stopping(texts, **kwargs):
        for i, result in enumerate(real(texts, **{**kwargs, "batch_size": 1})):
            if i == n:
                if how == "sigterm":
                    os.kill(os.getpid(), signal.SIGTERM)
                raise KeyboardInterrupt
            yield result

    monkeypatch.setattr(toy_extractor, "iter_extract", stopping)


@pytest.mark.parametrize(("how", "code"), [("ctrl-c", 130), ("sigterm", 143)])
def test_extract_interrupted_keeps_a_valid_partial_and_leaves_the_target(
    runner, toy_extractor, tmp_path, monkeypatch, how, code
):
    src = tmp_path / "ads.txt"
    src.write_text("".join(f"Python and SQL {i}\n" for i in range(10)))
    target = tmp_path / "skills.jsonl.gz"
    target.write_bytes(gzip.compress(b'{"id": "old"}\n'))  # an older result stays as it was
    _stop_after(toy_extractor, monkeypatch, 4, how)
    result = runner.invoke(app, ["extract", str(src), "-o", str(target)])
    assert result.exit_code == code, result.output
    assert gzip.decompress(target.read_bytes()) == b'{"id": "old"}\n'
    partial = tmp_path / "skills.jsonl.gz.partial"
    records = [json.loads(line) for line in gzip.decompress(partial.read_bytes()).splitlines()]
    assert [r["id"] for r in records] == [0, 1, 2, 3]  # complete records, a complete gzip member
    assert "skills.jsonl.gz.partial" in result.stderr
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_extract_interrupted_parquet_partial_is_a_valid_file(runner, toy_extractor, tmp_path, monkeypatch):
    import pandas as pd

    src = tmp_path / "ads.txt"
    src.write_text("".join(f"Python and SQL {i}\n" for i in range(10)))
    _stop_after(toy_extractor, monkeypatch, 3, "ctrl-c")
    result = runner.invoke(app, ["extract", str(src), "-o", str(tmp_path / "s.parquet"), "--min-score", "0"])
    assert result.exit_code == 130, result.output
    frame = pd.read_parquet(tmp_path / "s.parquet.partial")  # buffered rows and the footer were written
    assert sorted(set(frame["id"])) == [0, 1, 2]
    assert not (tmp_path / "s.parquet").exists()


def test_extract_success_replaces_the_target_atomically(runner, tmp_path):
    target = tmp_path / "skills.csv"
    target.write_text("old\n")
    result = runner.invoke(app, ["extract", "Python and SQL", "-o", str(target)])
    assert result.exit_code == 0
    assert target.read_text().startswith("id,sentence,")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["skills.csv"]


# -- messages name flags; cache faults ---------------------------------------------------------
def test_taxonomy_download_allow_unverified_flag(monkeypatch, tmp_path):
    import skillx.taxonomy.download as download
    from skillx.errors import UnverifiedDownloadError

    calls = []

    def fake(version, language, *, dest=None, allow_unverified=None):
        calls.append(allow_unverified)
        if not allow_unverified:
            raise UnverifiedDownloadError("no sha256; opt in with allow_unverified=True (or X=1).")
        return [tmp_path / "esco.zip"]

    monkeypatch.setattr(download, "download_esco", fake)
    refused = CliRunner().invoke(app, ["taxonomy", "download", "--esco-version", "1.0.3"])
    assert refused.exit_code == 1 and "--allow-unverified" in refused.stderr
    assert "allow_unverified=True" not in refused.stderr
    allowed = CliRunner().invoke(
        app, ["taxonomy", "download", "--esco-version", "1.0.3", "--allow-unverified"]
    )
    assert allowed.exit_code == 0 and "esco.zip" in allowed.stdout
    assert calls == [None, True]  # no flag: the library reads $SKILLX_ALLOW_UNVERIFIED


def test_build_extractor_cache_fault_is_one_clear_error(monkeypatch):
    import skillx.loading
    from skillx.errors import InputError

    def read_only(*args, **kwargs):
        raise PermissionError(13, "Permission denied", "/ro/cache/indexes/x.npy")

    monkeypatch.setattr(skillx.loading, "load", read_only)
    with pytest.raises(InputError, match="SKILLX_CACHE_DIR to a writable folder") as caught:
        cli_extract.build_extractor(
            model=None, taxonomy=None, esco_version="1.1.0", language="en", quiet=True
        )
    assert "/ro/cache/indexes/x.npy" in str(caught.value)


@pytest.mark.slow
def test_subprocess_uncreatable_cache_and_stdin_pipe(tmp_path, toy_taxonomy_dir):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "SKILLX_CACHE_DIR": str(blocker / "cache")}
    cmd = [str(Path(sys.executable).parent / "skillx"), "extract", "--taxonomy", str(toy_taxonomy_dir)]
    bad = subprocess.run(cmd, input="Python", capture_output=True, text=True, env=env)
    assert bad.returncode == 1 and "SKILLX_CACHE_DIR" in bad.stderr and "Traceback" not in bad.stderr
    env["SKILLX_CACHE_DIR"] = str(tmp_path / "cache")
    ok = subprocess.run(cmd, input="Python and SQL\n", capture_output=True, text=True, env=env)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["id"] == 0


def _floats(value):
    """Every float in a parsed JSON value, in order."""
    if isinstance(value, float):
        return [value]
    if isinstance(value, dict):
        return [f for v in value.values() for f in _floats(v)]
    if isinstance(value, list):
        return [f for v in value for f in _floats(v)]
    return []


def _without_floats(value):
    """A parsed JSON value with its floats replaced by None (everything else compared exactly)."""
    if isinstance(value, float):
        return None
    if isinstance(value, dict):
        return {k: _without_floats(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_floats(v) for v in value]
    return value


@pytest.mark.slow  # ~40 s: two spawned workers each load the base encoder and the toy taxonomy
@pytest.mark.parametrize("level", ["sentence", "document"])
def test_extract_workers_2_writes_the_same_records_as_1(tmp_path, toy_taxonomy_dir, level):
    """`skillx extract --workers 2` writes the records of one process, in input order; scores
    agree to float noise (a worker's torch sums in another thread count)."""
    ads = [
        "Experience with Python and SQL is required.",
        "You will manage a team and report to the board.",
        "Knowledge of Java; good communication skills.",
        "",
        "We cook for 200 guests a day in our kitchen.",
    ] * 6
    source = tmp_path / "ads.jsonl"
    source.write_text("".join(json.dumps({"text": t, "ad": f"ad-{i}"}) + "\n" for i, t in enumerate(ads)))
    outputs = []
    for workers in ("1", "2"):
        out = tmp_path / f"out-{workers}.jsonl"
        result = CliRunner().invoke(
            app,
            ["extract", str(source), "--taxonomy", str(toy_taxonomy_dir), "--id-field", "ad",
             "--workers", workers, "--level", level, "--output", str(out), "--quiet"],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        outputs.append(out.read_bytes())
    one, two = ([json.loads(line) for line in out.splitlines()] for out in outputs)
    assert one and _without_floats(one) == _without_floats(two)
    assert _floats(two) == pytest.approx(_floats(one), abs=1e-5)
    written = [record["id"] for record in two]
    assert written == [f"ad-{i}" for i, text in enumerate(ads) if text]  # empty texts: no record



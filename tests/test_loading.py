"""`skillx.load` model choice (explicit > package > cache default > bundled), names, taxonomy checks."""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from typer.testing import CliRunner

from skillx.cli import app
from skillx.encoder import default_model_path
from skillx.errors import ModelError, TaxonomyMismatchWarning
from skillx.loading import check_taxonomy, resolve_model
from skillx.model_dir import (
    BUNDLED_BASE_LICENCE,
    ModelMeta,
    Provenance,
    TaxonomyRef,
    read_model_meta,
    write_model_meta,
)
from skillx.packaging import ENTRY_POINT_GROUP, build_model_package

REPO = Path(__file__).resolve().parent.parent


def _model_dir(folder: Path, **meta: object) -> Path:
    """A skillx model directory with metadata only (no weights): enough to be chosen."""
    (folder / "model").mkdir(parents=True)
    write_model_meta(folder, ModelMeta.from_dict({"skill_text": "preferred", **meta}))
    return folder


def _install_fake_packages(monkeypatch, tmp_path: Path, names: list[str]) -> dict[str, Path]:
    """Model packages `names` as importable modules with entry points (no pip needed)."""
    folders, entries = {}, []
    for name in names:
        folder = _model_dir(
            tmp_path / f"{name}-data",
            package={"name": name, "version": "0.1.0", "format": "onnx-int8"},
        )
        module = f"fake_loading_{abs(hash(str(tmp_path)))}_{name.replace('-', '_')}"  # new per test
        (tmp_path / f"{module}.py").write_text(f"def model_path():\n    return {str(folder)!r}\n")
        entries.append(importlib.metadata.EntryPoint(name, f"{module}:model_path", ENTRY_POINT_GROUP))
        folders[name] = folder
    monkeypatch.syspath_prepend(str(tmp_path))
    listed = importlib.metadata.EntryPoints(entries)
    monkeypatch.setattr(importlib.metadata, "entry_points", lambda group: listed.select(group=group))
    return folders


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv("SKILLX_CACHE_DIR", str(root))
    return root


def test_load_default_falls_back_to_the_bundled_encoder(cache) -> None:
    path, description = resolve_model(None)
    assert path is None and "bundled base encoder" in description
    assert str(default_model_path()) in description


def test_load_default_prefers_the_cache_default_over_the_bundled_encoder(cache) -> None:
    default = _model_dir(cache / "models" / "default")
    assert resolve_model(None) == (default, f"user-cache default model (torch) at {default}")
    assert resolve_model("default")[0] == default


def test_load_default_prefers_an_installed_package_over_the_cache_default(
    cache, monkeypatch, tmp_path
) -> None:
    _model_dir(cache / "models" / "default")
    folders = _install_fake_packages(monkeypatch, tmp_path / "site", ["esco-en"])
    path, description = resolve_model(None)
    assert path == folders["esco-en"]
    assert description == f"installed default model package 'esco-en' 0.1.0 (onnx-int8) at {path}"


def test_base_is_the_bundled_encoder_whatever_is_installed(cache, monkeypatch, tmp_path) -> None:
    _model_dir(cache / "models" / "default")
    _install_fake_packages(monkeypatch, tmp_path / "site", ["esco-en"])
    path, description = resolve_model("base")
    assert path is None and description.startswith("bundled base encoder")


def test_load_default_with_several_packages_uses_the_cache_default(
    cache, monkeypatch, tmp_path, caplog
) -> None:
    default = _model_dir(cache / "models" / "default")
    _install_fake_packages(monkeypatch, tmp_path / "site", ["a-model", "b-model"])
    with caplog.at_level("WARNING", logger="skillx"):
        assert resolve_model(None)[0] == default
    assert "skillx.load('a-model')" in caplog.text


def test_an_explicit_model_beats_installed_packages(cache, monkeypatch, tmp_path) -> None:
    _install_fake_packages(monkeypatch, tmp_path / "site", ["esco-en"])
    explicit = _model_dir(tmp_path / "mine")
    assert resolve_model(explicit) == (explicit, f"model (torch) at {explicit}")
    assert resolve_model(str(explicit))[0] == explicit


def test_a_name_finds_the_installed_package_then_a_cache_model(cache, monkeypatch, tmp_path) -> None:
    folders = _install_fake_packages(monkeypatch, tmp_path / "site", ["esco-en"])
    assert resolve_model("esco-en")[0] == folders["esco-en"]
    jobs = _model_dir(cache / "models" / "jobs-v2")
    assert resolve_model("jobs-v2") == (jobs, f"cache model (torch) at {jobs}")


def test_an_unknown_name_lists_the_installed_ones(cache, monkeypatch, tmp_path) -> None:
    _install_fake_packages(monkeypatch, tmp_path / "site", ["esco-en"])
    _model_dir(cache / "models" / "default")
    with pytest.raises(
        ModelError, match=r"no installed model named 'esco-fr' \(installed: esco-en, default\)"
    ):
        resolve_model("esco-fr")


def test_taxonomy_mismatch_warns_naming_both(toy_taxonomy) -> None:
    meta = ModelMeta.from_dict(
        {"taxonomy": {"name": "ESCO", "version": "1.2.0", "language": "en", "fingerprint": "f" * 64}}
    )
    with pytest.warns(TaxonomyMismatchWarning) as caught:
        assert check_taxonomy(meta, toy_taxonomy, model="M") is False
    message = str(caught[0].message)
    assert "ESCO 1.2.0 en (fingerprint ffffffffffff)" in message
    assert (
        f"{toy_taxonomy.version} {toy_taxonomy.language} (fingerprint {toy_taxonomy.fingerprint[:12]})"
        in message
    )
    same = ModelMeta(taxonomy=TaxonomyRef(name="x", version="y", fingerprint=toy_taxonomy.fingerprint))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert check_taxonomy(same, toy_taxonomy, model="M") and check_taxonomy(None, toy_taxonomy, model="M")


def test_provenance_records_sources_licences_and_base_model() -> None:
    meta = ModelMeta.from_dict(
        {
            "taxonomy": {"name": "ESCO", "version": "1.1.0", "fingerprint": "abc"},
            "training": {
                "seed": 42,
                "config": {"seed": 42, "batch_size": 64},
                "data": {
                    "sources": [{"name": "onet", "pairs": 10, "sentences": 7}, {"name": "x", "pairs": 3}]
                },
            },
        }
    )
    provenance = Provenance.of(meta, licences={"onet": "CC BY 4.0"})
    assert provenance.base_model_licence == BUNDLED_BASE_LICENCE and provenance.seed == 42
    assert [(s.name, s.pairs, s.licence) for s in provenance.sources] == [
        ("onet", 10, "CC BY 4.0"),
        ("x", 3, "not stated"),
    ]
    assert provenance.unlicensed_sources == ("x",)
    assert Provenance.from_dict(json.loads(json.dumps(provenance.to_dict()))) == provenance


# -- CLI: package, export, models -----------------------------------------------------------------
def test_cli_package_prints_the_wheel_and_records_licences(tmp_path) -> None:
    model = _model_dir(
        tmp_path / "model",
        taxonomy={"name": "ESCO", "version": "1.1.0", "fingerprint": "abc"},
        training={
            "data": {"sources": [{"name": "onet", "pairs": 4, "sentences": 2}, {"name": "nhs", "pairs": 1}]}
        },
    )
    (model / "model" / "config.json").write_text("{}")
    licences = tmp_path / "licences.json"
    licences.write_text(json.dumps({"nhs": "none stated"}))
    out = tmp_path / "dist"
    result = CliRunner().invoke(
        app,
        ["package", str(model), "--name", "toy-en", "--package-version", "1.2.0", "--output", str(out),
         "--licence", "onet=CC BY 4.0", "--licences", str(licences)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    wheel = out / "skillx_model_toy_en-1.2.0-py3-none-any.whl"
    assert f"wheel: {wheel}" in result.output and f"pip install {wheel}" in result.output
    import zipfile

    with zipfile.ZipFile(wheel) as archive:
        meta = json.loads(archive.read("skillx_model_toy_en/data/skillx.json"))
    licences_in = {s["name"]: s["licence"] for s in meta["package"]["provenance"]["sources"]}
    assert licences_in == {"onet": "CC BY 4.0", "nhs": "none stated"}
    bad = CliRunner().invoke(
        app, ["package", str(model), "--name", "t", "--package-version", "1", "--licence", "onet"]
    )
    assert bad.exit_code == 1 and "SOURCE=LICENCE" in bad.output


def test_cli_export_refuses_an_unknown_format(tmp_path) -> None:
    model = _model_dir(tmp_path / "model")
    result = CliRunner().invoke(app, ["export", str(model), str(tmp_path / "out"), "--format", "tflite"])
    assert result.exit_code == 1 and "Available: torch, onnx, onnx-int8" in result.output


def test_cli_models_lists_packages_and_cache_models(cache, monkeypatch, tmp_path) -> None:
    _install_fake_packages(monkeypatch, tmp_path / "site", ["esco-en"])
    _model_dir(
        cache / "models" / "default",
        taxonomy={"name": "ESCO", "version": "1.1.0", "fingerprint": "abc"},
        validation={"best": {"tech_validation_rp@5": 0.728, "house_validation_rp@5": 0.605}},
    )
    listed = CliRunner().invoke(app, ["models", "--json"])
    assert listed.exit_code == 0, listed.output
    package, default = json.loads(listed.stdout)
    assert (package["name"], package["kind"], package["version"], package["format"]) == (
        "esco-en", "package", "0.1.0", "onnx-int8",
    )  # fmt: skip
    assert (default["name"], default["kind"], default["taxonomy"]) == ("default", "cache", "ESCO 1.1.0")
    assert default["size_mb"] >= 0 and default["validation"]["tech_validation_rp@5"] == 0.728
    table = CliRunner().invoke(app, ["models"], env={"COLUMNS": "250"})
    assert "house 0.605, tech 0.728" in table.stdout
    assert "skillx.load() uses: installed default model package 'esco-en'" in table.stdout


# -- slow: a real package installed with pip --target, loaded by name in a fresh interpreter -------
@pytest.fixture(scope="module")
def base_model_dir(tmp_path_factory, toy_taxonomy) -> Path:
    """The bundled base encoder as a skillx model directory trained "against" the toy taxonomy."""
    from skillx.encoder import load_encoder
    from skillx.index import SkillIndex

    folder = tmp_path_factory.mktemp("loading") / "base"
    shutil.copytree(default_model_path(), folder / "model")
    taxonomy = {
        "name": toy_taxonomy.name,
        "version": toy_taxonomy.version,
        "fingerprint": toy_taxonomy.fingerprint,
    }
    write_model_meta(folder, ModelMeta.from_dict({"skill_text": "preferred", "taxonomy": taxonomy}))
    SkillIndex.build(toy_taxonomy, load_encoder(folder)).save(folder / "index")
    return folder


@pytest.mark.slow
def test_installed_package_loads_by_name_with_skillx_load(base_model_dir, tmp_path, toy_taxonomy_dir) -> None:
    wheel = build_model_package(base_model_dir, name="toy-base", version="0.3.0", output_dir=tmp_path)
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet",
         "--target", str(target), str(wheel)],
        check=True, capture_output=True,
    )  # fmt: skip
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(target), str(REPO)])}
    code = (
        "import logging, skillx\n"
        "logging.basicConfig(level=logging.INFO)\n"
        f"extractor = skillx.load('toy-base', taxonomy={str(toy_taxonomy_dir)!r})\n"
        "print(extractor.model_name)\n"
        "print(extractor.extract('You will welcome guests at our restaurant', k=1)[0].skills[0].label)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300
    )
    assert result.returncode == 0, result.stderr
    description, label = result.stdout.strip().splitlines()[-2:]
    assert description.startswith("model package 'toy-base' 0.3.0 (torch) at ")
    assert str(target) in description and label == "welcome restaurant guests"
    assert "skillx: using model package 'toy-base'" in result.stderr  # logged


@pytest.mark.slow
def test_loading_with_another_taxonomy_warns_and_rebuilds_the_index(
    base_model_dir, tmp_path, toy_taxonomy
) -> None:
    import skillx
    from skillx.taxonomy import Taxonomy

    other = Taxonomy(list(toy_taxonomy)[:-1], name=toy_taxonomy.name, version="9.9", language="en")
    with pytest.warns(TaxonomyMismatchWarning, match=r"9\.9"):
        extractor = skillx.load(base_model_dir, taxonomy=other)
    assert extractor.ranker is not None
    assert extractor.ranker.index.taxonomy_fingerprint == other.fingerprint  # rebuilt, not the shipped one
    assert read_model_meta(base_model_dir).taxonomy.fingerprint == toy_taxonomy.fingerprint  # untouched


@pytest.mark.slow
def test_cli_export_onnx_copy_loads_with_skillx_load(base_model_dir, tmp_path, toy_taxonomy) -> None:
    import skillx
    from skillx.onnx_encoder import OnnxEncoder

    output = tmp_path / "onnx"
    result = CliRunner().invoke(app, ["export", str(base_model_dir), str(output), "--format", "onnx-int8"])
    assert result.exit_code == 0, result.output
    extractor = skillx.load(output, taxonomy=toy_taxonomy)
    assert isinstance(extractor.ranker.encoder, OnnxEncoder) and "(onnx) at" in extractor.model_name
    (sentence,) = extractor.extract("You will welcome guests at our restaurant", k=1)
    assert sentence.skills[0].label == "welcome restaurant guests"

"""Model packages: the wheel's layout and RECORD, pip installs it, the entry-point look-up."""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from skillx.encoder import default_model_path
from skillx.errors import ModelError
from skillx.model_dir import ModelMeta, read_model_meta, write_model_meta
from skillx.packaging import (
    ENTRY_POINT_GROUP,
    build_model_package,
    default_installed_model,
    export_model_dir,
    find_installed_model,
    installed_models,
)

REPO = Path(__file__).resolve().parent.parent
META = {
    "skill_text": "preferred",
    "taxonomy": {"name": "esco", "version": "1.1.0", "language": "en", "fingerprint": "abc123"},
    "validation": {"tech_rp@5": 0.61},
}


@pytest.fixture
def model_dir(tmp_path) -> Path:
    """A small skillx model directory: enough files for packaging, no real weights."""
    folder = tmp_path / "src-model"
    (folder / "model" / "1_Pooling").mkdir(parents=True)
    (folder / "model" / "config.json").write_text('{"hidden_size": 4}', encoding="utf-8")
    (folder / "model" / "model.safetensors").write_bytes(os.urandom(3000))
    (folder / "model" / "1_Pooling" / "config.json").write_text("{}", encoding="utf-8")
    (folder / "index").mkdir()
    (folder / "index" / "embeddings.npy").write_bytes(b"\x93NUMPY fake")
    (folder / ".DS_Store").write_bytes(b"junk")
    write_model_meta(folder, ModelMeta.from_dict(META))
    return folder


PIP_INSTALL = (sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet")


def _pip_install(wheel: Path, target: Path) -> None:
    subprocess.run(
        [*PIP_INSTALL, "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
        text=True,
    )


def _run_in(target: Path, code: str) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh interpreter that sees the packages installed under `target`."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(target), str(REPO)])}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)


def test_build_model_package_writes_a_standard_wheel(model_dir, tmp_path) -> None:
    wheel = build_model_package(model_dir, name="toy-en", version="1.0.0", output_dir=tmp_path / "dist")
    assert wheel.name == "skillx_model_toy_en-1.0.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        info = "skillx_model_toy_en-1.0.0.dist-info"
        assert {
            "skillx_model_toy_en/__init__.py",
            "skillx_model_toy_en/data/skillx.json",
            "skillx_model_toy_en/data/model/model.safetensors",
            "skillx_model_toy_en/data/model/1_Pooling/config.json",
            "skillx_model_toy_en/data/index/embeddings.npy",
            f"{info}/METADATA",
            f"{info}/WHEEL",
            f"{info}/entry_points.txt",
            f"{info}/RECORD",
        } <= names
        assert not any(".DS_Store" in name for name in names)
        metadata = archive.read(f"{info}/METADATA").decode()
        assert "Name: skillx-model-toy-en\n" in metadata and "Version: 1.0.0\n" in metadata
        assert "Requires-Dist: skillx>=" in metadata and "esco 1.1.0 en" in metadata
        wheel_file = archive.read(f"{info}/WHEEL").decode()
        assert "Root-Is-Purelib: true" in wheel_file and "Tag: py3-none-any" in wheel_file
        entry_points = archive.read(f"{info}/entry_points.txt").decode()
        assert entry_points == f"[{ENTRY_POINT_GROUP}]\ntoy-en = skillx_model_toy_en:model_path\n"
        packaged = json.loads(archive.read("skillx_model_toy_en/data/skillx.json"))
    assert packaged["package"]["name"] == "toy-en" and packaged["package"]["format"] == "torch"
    assert packaged["package"]["version"] == "1.0.0" and "skillx" in packaged["package"]["built_with"]
    assert packaged["taxonomy"] == META["taxonomy"] and packaged["validation"] == META["validation"]


def test_record_lists_every_file_with_its_digest_and_size(model_dir, tmp_path) -> None:
    wheel = build_model_package(model_dir, name="toy", version="0.1", output_dir=tmp_path)
    with zipfile.ZipFile(wheel) as archive:
        record_name = next(n for n in archive.namelist() if n.endswith(".dist-info/RECORD"))
        rows = [line.split(",") for line in archive.read(record_name).decode().splitlines()]
        assert {row[0] for row in rows} == set(archive.namelist())
        for path, digest, size in rows:
            if path == record_name:
                assert digest == size == ""
                continue
            content = archive.read(path)
            expected = base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=").decode()
            assert digest == f"sha256={expected}" and int(size) == len(content)


def test_build_leaves_the_source_alone_and_is_reproducible(model_dir, tmp_path) -> None:
    before = (model_dir / "skillx.json").read_bytes()
    first = build_model_package(model_dir, name="toy", version="1.0", output_dir=tmp_path / "a")
    second = build_model_package(model_dir, name="toy", version="1.0", output_dir=tmp_path / "b")
    assert (model_dir / "skillx.json").read_bytes() == before
    assert (read_model_meta(model_dir) or ModelMeta()).package is None
    assert first.read_bytes() == second.read_bytes()
    assert [p.name for p in (tmp_path / "a").iterdir()] == [first.name]  # no temporary leftovers


@pytest.mark.parametrize("name", ["Toy", "toy model", "-toy", "toy.v2", "", "tøy"])
def test_invalid_names_name_the_rule(model_dir, tmp_path, name) -> None:
    with pytest.raises(ModelError, match="lowercase letters, digits, '_' and '-'"):
        build_model_package(model_dir, name=name, version="1.0", output_dir=tmp_path)


@pytest.mark.parametrize("name", ["base", "default"])
def test_reserved_names_are_refused(model_dir, tmp_path, name) -> None:
    with pytest.raises(ModelError, match="reserved"):
        build_model_package(model_dir, name=name, version="1.0", output_dir=tmp_path)


@pytest.mark.parametrize("version", ["one", "1.0.0-final-final", "", "v1..2"])
def test_invalid_versions_name_pep_440(model_dir, tmp_path, version) -> None:
    with pytest.raises(ModelError, match=r"PEP 440 version such as '1.0.0'"):
        build_model_package(model_dir, name="toy", version=version, output_dir=tmp_path)


def test_version_is_normalised(model_dir, tmp_path) -> None:
    wheel = build_model_package(model_dir, name="toy_v2", version="1.0-RC1", output_dir=tmp_path)
    assert wheel.name == "skillx_model_toy_v2-1.0rc1-py3-none-any.whl"


def test_source_must_be_a_skillx_model_dir(tmp_path) -> None:
    (tmp_path / "plain").mkdir()
    with pytest.raises(ModelError, match=r"not a skillx model directory.*skillx train"):
        build_model_package(tmp_path / "plain", name="toy", version="1.0", output_dir=tmp_path / "dist")


def test_unknown_format_lists_the_known_ones(model_dir, tmp_path) -> None:
    with pytest.raises(ModelError, match="Available: torch, onnx, onnx-int8"):
        build_model_package(model_dir, name="toy", version="1.0", output_dir=tmp_path, format="tflite")


def test_onnx_model_cannot_be_packaged_as_torch(model_dir, tmp_path) -> None:
    (model_dir / "model" / "skillx_onnx.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ModelError, match=r"holds an ONNX model.*in its own format"):
        export_model_dir(model_dir, tmp_path / "copy", format="torch")


def test_failed_onnx_copy_leaves_nothing_behind(model_dir, tmp_path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "onnx", None)  # the export stops: onnx is "not installed"
    with pytest.raises(ModelError, match=r"pip install 'skillx\[onnx\]'"):
        export_model_dir(model_dir, tmp_path / "copy", format="onnx-int8")
    assert not (tmp_path / "copy").exists()
    with pytest.raises(ModelError, match=r"pip install 'skillx\[onnx\]'"):
        build_model_package(
            model_dir, name="toy", version="1.0", output_dir=tmp_path / "dist", format="onnx-int8"
        )
    assert list((tmp_path / "dist").iterdir()) == []


def test_pip_installs_the_wheel_and_the_entry_point_finds_it(model_dir, tmp_path) -> None:
    wheel = build_model_package(model_dir, name="toy-en", version="2.0.0", output_dir=tmp_path / "dist")
    target = tmp_path / "site"
    _pip_install(wheel, target)  # pip does not check RECORD digests (measured): the test above does
    result = _run_in(
        target,
        "import json, importlib.metadata as m\n"
        "from skillx.packaging import installed_models, find_installed_model\n"
        f"eps = [e for e in m.entry_points(group={ENTRY_POINT_GROUP!r}) if e.name == 'toy-en']\n"
        "path = find_installed_model('toy-en')\n"
        "print(json.dumps({'eps': len(eps), 'dist': eps[0].dist.version, 'path': str(path),\n"
        "    'all': {k: str(v) for k, v in installed_models().items()},\n"
        "    'missing': find_installed_model('absent')}))\n",
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    path = Path(found["path"])
    assert found["eps"] == 1 and found["dist"] == "2.0.0" and found["missing"] is None
    assert path == target / "skillx_model_toy_en" / "data" and found["all"]["toy-en"] == str(path)
    assert (path / "skillx.json").is_file() and (path / "model" / "model.safetensors").is_file()
    assert json.loads((path / "skillx.json").read_text(encoding="utf-8"))["package"]["version"] == "2.0.0"
    shutil.rmtree(target)  # uninstalling a --target install is deleting it
    gone = _run_in(
        target, "from skillx.packaging import find_installed_model; print(find_installed_model('toy-en'))"
    )
    assert gone.stdout.strip() == "None"


def test_broken_installed_package_names_the_package_to_reinstall(model_dir, tmp_path) -> None:
    wheel = build_model_package(model_dir, name="toy", version="1.0", output_dir=tmp_path / "dist")
    target = tmp_path / "site"
    _pip_install(wheel, target)
    shutil.rmtree(target / "skillx_model_toy" / "data")  # the data folder went missing
    result = _run_in(
        target,
        "from skillx.packaging import find_installed_model\n"
        "try:\n    find_installed_model('toy')\n"
        "except Exception as exc:\n    print(type(exc).__name__, exc)\n",
    )
    assert result.stdout.startswith("ModelError"), result.stderr
    assert "pip install --force-reinstall skillx-model-toy" in result.stdout
    (target / "skillx_model_toy" / "__init__.py").unlink()  # now the module itself is gone
    result = _run_in(target, "from skillx.packaging import installed_models\ninstalled_models()")
    assert "ModelError" in result.stderr and "skillx-model-toy" in result.stderr


def test_two_packages_claiming_one_name_are_reported(monkeypatch) -> None:
    entries = importlib.metadata.EntryPoints(
        [
            importlib.metadata.EntryPoint("toy", "pkg_a:model_path", ENTRY_POINT_GROUP),
            importlib.metadata.EntryPoint("toy", "pkg_b:model_path", ENTRY_POINT_GROUP),
        ]
    )
    monkeypatch.setattr(importlib.metadata, "entry_points", lambda group: entries.select(group=group))
    with pytest.raises(ModelError, match="Two installed packages declare the skillx model 'toy'"):
        installed_models()


def test_nothing_installed_gives_empty_and_none(monkeypatch) -> None:
    monkeypatch.setattr(importlib.metadata, "entry_points", lambda group: importlib.metadata.EntryPoints([]))
    assert installed_models() == {} and find_installed_model("toy") is None
    assert default_installed_model() is None


def _fake_installed(monkeypatch, tmp_path: Path, names: list[str]) -> dict[str, Path]:
    """Model packages `names` as importable modules with entry points (no pip needed)."""
    folders, entries = {}, []
    for name in names:
        folder = tmp_path / f"{name}-data"
        (folder / "model").mkdir(parents=True)
        write_model_meta(folder, ModelMeta(skill_text="preferred"))
        module = f"fake_skillx_model_{name}"
        (tmp_path / f"{module}.py").write_text(
            f"def model_path():\n    return {str(folder)!r}\n", encoding="utf-8"
        )
        entries.append(importlib.metadata.EntryPoint(name, f"{module}:model_path", ENTRY_POINT_GROUP))
        folders[name] = folder
    monkeypatch.syspath_prepend(str(tmp_path))
    listed = importlib.metadata.EntryPoints(entries)
    monkeypatch.setattr(importlib.metadata, "entry_points", lambda group: listed.select(group=group))
    return folders


def test_the_only_installed_package_is_the_default(monkeypatch, tmp_path) -> None:
    folders = _fake_installed(monkeypatch, tmp_path, ["esco_en"])
    assert default_installed_model() == ("esco_en", folders["esco_en"])
    assert installed_models() == folders


def test_several_installed_packages_give_no_default_and_a_warning(monkeypatch, tmp_path, caplog) -> None:
    folders = _fake_installed(monkeypatch, tmp_path, ["b_model", "a_model"])
    with caplog.at_level("WARNING", logger="skillx"):
        assert default_installed_model() is None
    assert "a_model, b_model" in caplog.text and "skillx.load('a_model')" in caplog.text
    assert list(installed_models()) == ["a_model", "b_model"]
    assert find_installed_model("b_model") == folders["b_model"]


# -- slow: the real base encoder, packaged, installed, loaded by name ----------------------------
@pytest.fixture(scope="module")
def real_model_dir(tmp_path_factory, toy_taxonomy) -> Path:
    """The bundled base encoder as a skillx model directory, with a toy-taxonomy index."""
    from skillx.encoder import load_encoder
    from skillx.index import SkillIndex

    folder = tmp_path_factory.mktemp("real") / "base"
    shutil.copytree(default_model_path(), folder / "model")
    write_model_meta(folder, ModelMeta(skill_text="preferred", base_model="all-MiniLM-L6-v2"))
    SkillIndex.build(toy_taxonomy, load_encoder(folder)).save(folder / "index")
    return folder


@pytest.mark.slow
@pytest.mark.parametrize("format", ["torch", "onnx", "onnx-int8"])
def test_installed_package_loads_by_name_and_ranks(
    real_model_dir, tmp_path, toy_taxonomy_dir, format
) -> None:
    wheel = build_model_package(
        real_model_dir, name="mini", version="1.0.0", output_dir=tmp_path, format=format
    )
    target = tmp_path / "site"
    _pip_install(wheel, target)
    result = _run_in(
        target,
        "from skillx.packaging import find_installed_model\n"
        "from skillx.encoder import load_encoder\n"
        "from skillx.ranker import SemanticRanker\n"
        "from skillx.taxonomy import read_esco_csv\n"
        "path = find_installed_model('mini')\n"
        f"taxonomy = read_esco_csv({str(toy_taxonomy_dir)!r})\n"
        "ranker = SemanticRanker.from_pretrained(str(path), taxonomy=taxonomy)\n"
        "from skillx.encoder import model_fingerprint\n"
        "from skillx.index import SkillIndex\n"
        "fingerprint = model_fingerprint(ranker.encoder)  # the shipped index fits the model\n"
        "SkillIndex.load(path / 'index', taxonomy=taxonomy, encoder_fingerprint=fingerprint)\n"
        "print(type(ranker.encoder).__name__)\n"
        "print(ranker.rank(['You will welcome guests at our restaurant'], k=1)[0][0].label)\n",
    )
    assert result.returncode == 0, result.stderr
    kind, label = result.stdout.strip().splitlines()[-2:]
    assert kind == ("SentenceTransformer" if format == "torch" else "OnnxEncoder")
    assert label == "welcome restaurant guests"
    if format != "torch":
        with zipfile.ZipFile(wheel) as archive:
            names = archive.namelist()
        assert "skillx_model_mini/data/model/skillx_onnx.json" in names
        assert not any(name.endswith("model.safetensors") for name in names)  # no torch weights shipped

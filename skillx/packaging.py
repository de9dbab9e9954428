"""Model packages: a skillx model directory shipped as a pip-installable wheel.

As spaCy ships trained pipelines (``pip install en_core_web_sm``), `build_model_package`
turns a trained skillx model directory into a standard wheel, written directly with zipfile
(offline, no build backend)::

    skillx_model_<name>/__init__.py     model_path() -> the data folder below
    skillx_model_<name>/data/           the skillx model directory: skillx.json, model/, index/
    skillx_model_<name>-<version>.dist-info/
        METADATA        Name: skillx-model-<name>, Requires-Dist: skillx
        WHEEL           Root-Is-Purelib: true, Tag: py3-none-any
        entry_points.txt
                        [skillx_models]  <name> = skillx_model_<name>:model_path
        RECORD          sha256 digests and sizes (pip verifies them on install)

Installed packages are found through the ``skillx_models`` entry-point group
(`installed_models`, `find_installed_model`), so ``skillx.load("<name>")`` can resolve them.

The package's ``skillx.json`` gains a ``package`` entry (name, version, format, the skillx
version that built it); the source directory is never modified.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from skillx.errors import ModelError
from skillx.model_dir import INDEX_SUBDIR, META_FILE, MODEL_SUBDIR, ModelMeta, is_skillx_model_dir

logger = logging.getLogger("skillx")

ENTRY_POINT_GROUP = "skillx_models"
PACKAGE_FORMATS = ("torch", "onnx", "onnx-int8")
DATA_DIR = "data"
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")
# Fixed zip timestamps make the wheel of the same files byte-identical (1980-01-01, zip's epoch).
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_CHUNK = 1 << 20


def check_package_name(name: str) -> str:
    """`name` when it can name a model package (lowercase letters, digits, ``_``, ``-``).

    Raises:
        ModelError: Otherwise, with a valid example.
    """
    if name in ("base", "default"):
        raise ModelError(
            f"The model package name {name!r} is reserved (skillx.load({name!r}) means the "
            f"{'bundled base encoder' if name == 'base' else 'default model'}); pick another, "
            "e.g. 'esco-en'."
        )
    if not isinstance(name, str) or not _NAME.match(name):
        raise ModelError(
            f"Invalid model package name {name!r}: use lowercase letters, digits, '_' and '-', "
            "starting with a letter or digit (e.g. 'esco-en' or 'jobads_v2')."
        )
    return name


def check_package_version(version: str) -> str:
    """`version` in its normalised PEP 440 form (``"1.0"`` stays ``"1.0"``, ``"1.0-rc1"`` -> ``"1.0rc1"``).

    Raises:
        ModelError: If it is not a PEP 440 version.
    """
    from packaging.version import InvalidVersion, Version

    try:
        return str(Version(str(version)))
    except InvalidVersion:
        raise ModelError(
            f"Invalid model package version {version!r}: use a PEP 440 version such as '1.0.0', "
            "'0.2.1' or '1.0rc1'."
        ) from None


def distribution_name(name: str) -> str:
    """The pip name of model package `name`: ``skillx-model-<name>`` (PEP 503 normalised)."""
    return "skillx-model-" + re.sub(r"[-_.]+", "-", check_package_name(name))


def import_name(name: str) -> str:
    """The Python package that holds model `name`: ``skillx_model_<name>`` (``-`` becomes ``_``)."""
    return "skillx_model_" + check_package_name(name).replace("-", "_")


def export_model_dir(model_dir: str | Path, output_dir: str | Path, *, format: str = "torch") -> Path:
    """Copy a skillx model directory to `output_dir` in the given model format.

    ``torch`` copies everything. ``onnx`` (float32 weights) and ``onnx-int8`` (int8 weights)
    export ``model/`` with `skillx.onnx_encoder.export_onnx` in place of the torch weights, and carry the
    saved skill index over re-stamped with the ONNX encoder's fingerprint (see `_carry_index`):
    the skill embeddings stay the float32 ones, so the package loads without re-encoding the
    taxonomy. An index that did not fit the torch model is left out (rebuilt on first use).

    Args:
        model_dir: A skillx model directory (``skillx.json`` + ``model/``); not modified.
        output_dir: Folder to create; must not exist or be empty.
        format: One of `PACKAGE_FORMATS`.

    Returns:
        `output_dir`.

    Raises:
        ModelError: If `model_dir` is not a skillx model directory, the format is unknown, or
            `output_dir` is not empty.
    """
    from skillx.onnx_encoder import is_onnx_model_dir, read_onnx_meta

    source = Path(model_dir).expanduser()
    if format not in PACKAGE_FORMATS:
        raise ModelError(f"Unknown model format {format!r}. Available: {', '.join(PACKAGE_FORMATS)}.")
    if not is_skillx_model_dir(source):
        raise ModelError(
            f"'{source}' is not a skillx model directory (it needs {META_FILE} and {MODEL_SUBDIR}/). "
            "Package the folder written by `skillx train` (or SkillEncoderTrainer.save)."
        )
    target = Path(output_dir).expanduser()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ModelError(f"'{target}' exists and is not an empty folder. Choose another output folder.")
    source_is_onnx = is_onnx_model_dir(source / MODEL_SUBDIR)
    if format == "torch" and source_is_onnx:
        raise ModelError(
            f"'{source}' holds an ONNX model; package it in its own format, or package the "
            "torch model directory it was exported from."
        )
    if source_is_onnx and read_onnx_meta(source / MODEL_SUBDIR).get("format") != format:
        raise ModelError(
            f"'{source}' holds an ONNX model that is not {format}; package the torch model "
            "directory it was exported from."
        )
    created = not target.exists()
    try:
        if format == "torch" or source_is_onnx:
            shutil.copytree(source, target, ignore=_ignored, dirs_exist_ok=True)
        else:
            _export_onnx_copy(source, target, quantize="int8" if format == "onnx-int8" else None)
    except BaseException:
        if created:  # no half-written model directory is left behind
            shutil.rmtree(target, ignore_errors=True)
        raise
    return target


def _export_onnx_copy(source: Path, target: Path, *, quantize: str | None) -> None:
    """`source` copied to `target` with ``model/`` exported to ONNX and the index carried."""
    from skillx.onnx_encoder import export_onnx

    skipped = {MODEL_SUBDIR, INDEX_SUBDIR}
    shutil.copytree(
        source,
        target,
        ignore=lambda d, names: _ignored(d, names) | (skipped if d == str(source) else set()),
        dirs_exist_ok=True,
    )
    export_onnx(source / MODEL_SUBDIR, target / MODEL_SUBDIR, quantize=quantize)
    _carry_index(source, target)


def _carry_index(source: Path, target: Path) -> None:
    """Copy the torch model's skill index into the ONNX copy, stamped with the ONNX fingerprint.

    Why not re-encode the skills with the int8 model: the float32 skill embeddings are the
    more exact ones (int8 queries rank against them as the ONNX tests pin), a frozen-skill-tower
    model's index holds base-encoder embeddings that the model itself cannot reproduce, and
    encoding a whole taxonomy takes minutes. Only an index that fits the torch model is carried.
    """
    from skillx.encoder import encoder_fingerprint
    from skillx.errors import SkillIndexError
    from skillx.index import META_FILE as INDEX_META_FILE
    from skillx.index import SkillIndex
    from skillx.model_dir import atomic_write_text

    index = source / INDEX_SUBDIR
    if not index.is_dir():
        return
    try:
        meta = SkillIndex.read_meta(index)
    except SkillIndexError as exc:
        logger.info("Not carrying the skill index into the ONNX copy: %s", exc)
        return
    torch_fingerprint = encoder_fingerprint(source / MODEL_SUBDIR)
    if meta.get("model_fingerprint") != torch_fingerprint:
        logger.info("Not carrying the skill index of '%s': it was built by another model.", source)
        return
    shutil.copytree(index, target / INDEX_SUBDIR, ignore=_ignored)
    meta["model_fingerprint"] = encoder_fingerprint(target / MODEL_SUBDIR)
    meta["embedded_by_model_fingerprint"] = torch_fingerprint  # the float32 model that embedded the skills
    text = json.dumps(meta, indent=2, sort_keys=True) + "\n"
    atomic_write_text(target / INDEX_SUBDIR / INDEX_META_FILE, text)


def build_model_package(
    model_dir: str | Path,
    *,
    name: str,
    version: str,
    output_dir: str | Path = "dist",
    format: str = "torch",
    summary: str | None = None,
    licences: Mapping[str, str] | None = None,
    base_model_licence: str | None = None,
    sources: Sequence[Mapping[str, Any]] | None = None,
) -> Path:
    """Build a wheel that installs the skillx model directory `model_dir` as model `name`.

    Offline and deterministic: the wheel is written directly (no build backend, fixed zip
    timestamps). Install it with ``pip install <wheel>``; then ``skillx.load("<name>")``
    (through the ``skillx_models`` entry point) finds it.

    Args:
        model_dir: A skillx model directory (``skillx.json`` + ``model/``, optionally
            ``index/``); it is copied, never modified.
        name: Model name: lowercase letters, digits, ``_`` and ``-`` (e.g. ``"esco-en"``).
            The distribution is ``skillx-model-<name>``, the module ``skillx_model_<name>``.
        version: PEP 440 version of the package, e.g. ``"1.0.0"``.
        output_dir: Folder for the wheel (created).
        format: ``"torch"`` (the model as trained), ``"onnx"`` or ``"onnx-int8"`` (exported
            with `skillx.onnx_encoder.export_onnx`, float32 or int8 weights; needs
            ``skillx[onnx]`` to build and to run).
        summary: One-line description; default names the model and its taxonomy.
        licences: Licence of each corpus source the model was trained from, as its user
            states them (``{"onet_tasks": "CC BY 4.0"}``); recorded with the sources' pair
            counts in the package's `skillx.model_dir.Provenance`. Sources left out read
            ``"not stated"`` (logged as a warning).
        base_model_licence: Licence of the base encoder when it is not the bundled
            all-MiniLM-L6-v2 (Apache-2.0).
        sources: Pairs per corpus source (`skillx.supervision.pairs_by_source` of the training
            pairs) for a model whose ``skillx.json`` does not record them yet (``skillx train``
            does); stored in the package's copy only.

    Returns:
        Path of the written ``.whl``.

    Raises:
        ModelError: For an invalid name, version or format, or a folder that is not a skillx
            model directory.

    Example:
        >>> build_model_package("models/esco-en", name="esco-en", version="1.0.0")  # doctest: +SKIP
        PosixPath('dist/skillx_model_esco_en-1.0.0-py3-none-any.whl')
    """
    import skillx
    from skillx.model_dir import Provenance, read_model_meta, write_model_meta

    check_package_name(name)
    version = check_package_version(version)
    module = import_name(name)
    dist = distribution_name(name)
    out = Path(output_dir).expanduser()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".skillx-package-", dir=out) as tmp:
        data = export_model_dir(model_dir, Path(tmp) / DATA_DIR, format=format)
        meta = read_model_meta(data) or ModelMeta()
        if sources is not None:
            meta = meta.replace(training_data={**meta.training_data, "sources": [dict(s) for s in sources]})
        provenance = Provenance.of(meta, licences=licences, base_model_licence=base_model_licence)
        if provenance.unlicensed_sources:
            logger.warning(
                "skillx: no licence stated for the corpus sources %s of model %r; declare them "
                "(licences={...}, `skillx package --licence SOURCE=LICENCE`) before publishing it.",
                ", ".join(provenance.unlicensed_sources),
                name,
            )
        meta = meta.replace(
            package={
                "name": name,
                "version": version,
                "format": format,
                "distribution": dist,
                "built_with": {"skillx": skillx.__version__},
                "provenance": provenance.to_dict(),
            }
        )
        write_model_meta(data, meta)
        files = {
            f"{module}/__init__.py": _init_py(name, version, format).encode("utf-8"),
        }
        info = f"{dist.replace('-', '_')}-{version}.dist-info"
        files[f"{info}/METADATA"] = _metadata(dist, version, format, meta, summary).encode("utf-8")
        files[f"{info}/WHEEL"] = (
            f"Wheel-Version: 1.0\nGenerator: skillx {skillx.__version__}\n"
            "Root-Is-Purelib: true\nTag: py3-none-any\n"
        ).encode()
        files[f"{info}/entry_points.txt"] = f"[{ENTRY_POINT_GROUP}]\n{name} = {module}:model_path\n".encode()
        wheel = out / f"{dist.replace('-', '_')}-{version}-py3-none-any.whl"
        partial = Path(tmp) / wheel.name
        _write_wheel(partial, files, data, f"{module}/{DATA_DIR}", f"{info}/RECORD")
        os.replace(partial, wheel)
    return wheel


def installed_models() -> dict[str, Path]:
    """Model packages installed in this environment, by name (``skillx_models`` entry points).

    Returns:
        ``{name: model directory}``, sorted by name.

    Raises:
        ModelError: If an installed package's entry point is broken (names the package to
            reinstall) or two packages claim the same name.
    """
    return {name: _resolve(entry) for name, entry in sorted(_entry_points().items())}


def installed_model_entries() -> dict[str, Path | ModelError]:
    """Like `installed_models`, but a broken package maps to its error instead of raising.

    For listings (``skillx models``) where one broken install must not hide the others.

    Raises:
        ModelError: If two packages claim the same name.
    """
    found: dict[str, Path | ModelError] = {}
    for name, entry in sorted(_entry_points().items()):
        try:
            found[name] = _resolve(entry)
        except ModelError as exc:
            found[name] = exc
    return found


def find_installed_model(name: str) -> Path | None:
    """The model directory of the installed model package `name`, or None if none is installed.

    Raises:
        ModelError: If that package is broken (names the package to reinstall) or two
            packages claim the name.
    """
    entry = _entry_points().get(name)
    return None if entry is None else _resolve(entry)


def default_installed_model() -> tuple[str, Path] | None:
    """The model package `skillx.load()` uses when no model is named: the only one installed.

    With several installed, none is chosen (which one would depend on install order): a
    warning names them so the user passes one, e.g. ``skillx.load("esco-en")``.

    Returns:
        ``(name, model directory)``, or None when no package (or more than one) is installed.

    Raises:
        ModelError: If the only installed package is broken (names the package to reinstall).
    """
    entries = _entry_points()
    if len(entries) == 1:
        ((name, entry),) = entries.items()
        return name, _resolve(entry)
    if entries:
        logger.warning(
            "Several skillx model packages are installed (%s); none is used by default. Name one, "
            "e.g. skillx.load(%r).",
            ", ".join(sorted(entries)),
            min(entries),
        )
    return None


# -- helpers ---------------------------------------------------------------------------------
def _ignored(directory: str, names: list[str]) -> set[str]:
    """Hidden files and Python caches stay out of a copied model directory."""
    return {n for n in names if n.startswith(".") or n == "__pycache__" or n.endswith(".pyc")}


def _init_py(name: str, version: str, format: str) -> str:
    return f'''"""skillx model package {name!r} {version} ({format}): ``skillx.load({name!r})`` loads it."""

from pathlib import Path

__version__ = {version!r}
NAME = {name!r}
FORMAT = {format!r}


def model_path() -> Path:
    """The skillx model directory this package ships (skillx.json, model/, index/)."""
    return Path(__file__).resolve().parent / {DATA_DIR!r}
'''


def _metadata(dist: str, version: str, format: str, meta: ModelMeta, summary: str | None) -> str:
    import skillx

    taxonomy = meta.taxonomy
    parts = () if taxonomy is None else (taxonomy.name, taxonomy.version, taxonomy.language)
    described = " ".join(str(part) for part in parts if part)
    summary = summary or f"skillx model{' for ' + described if described else ''} ({format})"
    name = (meta.package or {}).get("name")
    major, minor = skillx.__version__.split(".")[:2]
    requires = [f"skillx>={major}.{minor}"]
    if format in ("onnx", "onnx-int8"):
        requires.append("onnxruntime>=1.17")
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {dist}",
        f"Version: {version}",
        f"Summary: {' '.join(summary.split())}",
        *(f"Requires-Dist: {req}" for req in requires),
        "Description-Content-Type: text/markdown",
        "",
        f"A skillx model: `pip install` this wheel, then `skillx.load({name!r})`.",
        "",
    ]
    for key in ("base_model", "skill_text"):
        if getattr(meta, key):
            lines.append(f"- {key}: {getattr(meta, key)}")
    if meta.validation.get("best"):
        lines.append(f"- validation: {dict(meta.validation['best'])}")
    if taxonomy is not None and described:
        lines.append(f"- taxonomy: {described} (fingerprint {taxonomy.fingerprint or 'unknown'})")
    provenance = meta.provenance
    if provenance is not None:
        lines.append(f"- base encoder: {provenance.base_model} ({provenance.base_model_licence})")
        for source in provenance.sources:
            lines.append(f"- trained on: {source.name}, {source.pairs} pairs ({source.licence})")
    return "\n".join(lines) + "\n"


def _write_wheel(path: Path, files: dict[str, bytes], data: Path, data_arc: str, record_arc: str) -> None:
    """Write the wheel zip: `files`, the tree `data` under `data_arc`, then RECORD."""
    records: list[str] = []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for arcname, content in files.items():
            records.append(_add(archive, arcname, io.BytesIO(content)))
        for file in _tree(data):
            with file.open("rb") as handle:
                records.append(_add(archive, f"{data_arc}/{file.relative_to(data).as_posix()}", handle))
        records.append(f"{record_arc},,")
        _add(archive, record_arc, io.BytesIO(("\n".join(records) + "\n").encode("utf-8")))


def _tree(folder: Path) -> Iterator[Path]:
    """Files under `folder`, sorted (copytree has already replaced links by their targets)."""
    return (file for file in sorted(folder.rglob("*")) if file.is_file())


def _add(archive: zipfile.ZipFile, arcname: str, stream: Any) -> str:
    """Store `stream` as `arcname`, hashing while copying; returns its RECORD line."""
    info = zipfile.ZipInfo(arcname, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    digest = hashlib.sha256()
    size = 0
    with archive.open(info, "w", force_zip64=True) as target:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            target.write(chunk)
    encoded = base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode("ascii")
    return f"{arcname},sha256={encoded},{size}"


def _entry_points() -> dict[str, Any]:
    from importlib.metadata import entry_points

    found: dict[str, Any] = {}
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        other = found.get(entry.name)
        if other is not None and _dist_name(other) != _dist_name(entry):
            raise ModelError(
                f"Two installed packages declare the skillx model {entry.name!r}: "
                f"{_dist_name(other)} and {_dist_name(entry)}. Uninstall one with "
                f"`pip uninstall {_dist_name(entry)}`."
            )
        found[entry.name] = entry
    return found


def _dist_name(entry: Any) -> str:
    dist = getattr(entry, "dist", None)
    return str(getattr(dist, "name", None) or f"the package providing {entry.value}")


def _resolve(entry: Any) -> Path:
    package = _dist_name(entry)
    fix = f"Reinstall it with `pip install --force-reinstall {package}`, or uninstall it."
    try:
        path = Path(entry.load()())
    except Exception as exc:  # a broken install can fail in any way; the user needs one message
        raise ModelError(
            f"The installed skillx model {entry.name!r} ({package}) is broken: "
            f"{type(exc).__name__}: {exc}. {fix}"
        ) from exc
    if not is_skillx_model_dir(path):
        raise ModelError(
            f"The installed skillx model {entry.name!r} ({package}) points at '{path}', which is not "
            f"a skillx model directory ({META_FILE} + {MODEL_SUBDIR}/). {fix}"
        )
    return path

"""`skillx models`: the installed model packages and the models in the user cache."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from skillx.cli._errors import handle_errors
from skillx.errors import SkillxError


def folder_size(path: Path) -> int:
    """Bytes of the files under `path`."""
    return sum(file.stat().st_size for file in path.rglob("*") if file.is_file())


def describe_model_dir(name: str, path: Path, *, kind: str) -> dict[str, Any]:
    """One row of ``skillx models`` for the model directory `path`.

    Returns:
        name, kind (``package`` or ``cache``), path, version, format, taxonomy (name version
        language), taxonomy_fingerprint, skill_text, validation (the best validation metrics
        of its training run), calibrated (whether a fusion is fitted), size_mb, and ``error``
        when its ``skillx.json`` cannot be read.
    """
    from skillx.model_dir import MODEL_SUBDIR, read_model_meta
    from skillx.onnx_encoder import is_onnx_model_dir, read_onnx_meta

    entry: dict[str, Any] = {"name": name, "kind": kind, "path": str(path)}
    entry["size_mb"] = round(folder_size(path) / 1e6, 1)
    model = path / MODEL_SUBDIR
    fmt = "torch"
    if is_onnx_model_dir(model):
        try:
            fmt = str(read_onnx_meta(model).get("format") or "onnx")
        except SkillxError:
            fmt = "onnx (unreadable)"
    try:
        meta = read_model_meta(path)
    except SkillxError as exc:  # a broken skillx.json should not hide the others
        return {**entry, "version": "", "format": fmt, "taxonomy": "", "taxonomy_fingerprint": "",
                "skill_text": "", "validation": {}, "calibrated": False, "error": str(exc)}  # fmt: skip
    tax = meta.taxonomy if meta is not None else None
    validation = meta.validation if meta is not None else {}
    best = validation.get("best", validation) or {}  # no "best": an older, flat record
    package = dict(meta.package or {}) if meta is not None else {}
    return {
        **entry,
        "version": str(package.get("version") or ""),
        "format": str(package.get("format") or fmt),
        "taxonomy": " ".join(x for x in (tax.name, tax.version, tax.language) if x) if tax else "",
        "taxonomy_fingerprint": tax.fingerprint if tax else "",
        "skill_text": (meta.skill_text if meta is not None else None) or "",
        "validation": dict(best) if isinstance(best, dict) else {},
        "calibrated": meta is not None and meta.fusion is not None,
    }


def list_models() -> list[dict[str, Any]]:
    """Installed model packages (``skillx_models`` entry points), then the cache's models.

    The cache's ``default`` comes first among the cache models. A broken package is listed
    with its ``error`` rather than hiding the others.

    Returns:
        One dict per model (see `describe_model_dir`).
    """
    from skillx.model_dir import is_skillx_model_dir
    from skillx.packaging import installed_model_entries
    from skillx.paths import cache_dir

    found: list[dict[str, Any]] = []
    for name, path in installed_model_entries().items():
        if isinstance(path, SkillxError):
            found.append({"name": name, "kind": "package", "path": "", "error": str(path), "validation": {}})
        else:
            found.append(describe_model_dir(name, path, kind="package"))
    root = cache_dir("models")
    cached = sorted(p for p in root.iterdir() if is_skillx_model_dir(p)) if root.is_dir() else []
    cached.sort(key=lambda p: (p.name != "default", p.name))
    found += [describe_model_dir(p.name, p, kind="cache") for p in cached]
    return found


def _rp5(validation: dict[str, Any]) -> str:
    """``tech 0.728, house 0.605``: the RP@5 per validation split, else the first few metrics."""
    shown = {k.removesuffix("_validation_rp@5"): v for k, v in validation.items() if k.endswith("_rp@5")}
    if not shown:
        shown = {k: v for k, v in validation.items() if k != "steps"}
    return ", ".join(f"{k} {v:.3f}" for k, v in shown.items() if isinstance(v, (int, float)))[:60]


def register(app: typer.Typer) -> None:
    """Add ``skillx models`` to the app."""

    @app.command("models")
    @handle_errors
    def models_command(
        json_out: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    ) -> None:
        """List installed model packages and the models in the user cache (which one skillx.load() uses)."""
        import json

        from skillx.loading import resolve_model
        from skillx.paths import cache_dir

        models = list_models()
        if json_out:
            typer.echo(json.dumps(models, indent=2))
            return
        root: Path = cache_dir("models")
        if not models:
            typer.echo(
                f"No models installed (no model package, nothing in {root}). skillx uses the bundled "
                "all-MiniLM-L6-v2 base encoder. Install a model package (`pip install` a wheel from "
                "`skillx package`), or train one with `skillx train --install-default`."
            )
            return
        from rich.console import Console
        from rich.table import Table

        table = Table(title="skillx models")
        for col in ("name", "kind", "version", "format", "taxonomy", "validation RP@5", "size", "path"):
            table.add_column(col)
        for m in models:
            if "error" in m and "taxonomy" not in m:
                table.add_row(m["name"], m["kind"], "", "", "", f"[red]broken: {m['error']}[/red]", "", "")
                continue
            table.add_row(
                m["name"],
                m["kind"],
                m["version"],
                m["format"],
                m["taxonomy"],
                _rp5(m["validation"]) + (" (uncalibrated)" if not m["calibrated"] else ""),
                f"{m['size_mb']:.0f} MB",
                m["path"],
            )
        console = Console()
        console.print(table)
        try:
            _, description = resolve_model(None)
        except SkillxError as exc:
            description = f"none ({exc})"
        console.print(f"skillx.load() uses: {description}", highlight=False)

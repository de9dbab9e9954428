"""`skillx models`: the models installed in the user cache."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from skillx.cli._errors import handle_errors
from skillx.errors import SkillxError


def installed_models() -> list[dict[str, Any]]:
    """Skillx model directories under ``cache_dir("models")``, ``default`` first.

    Returns:
        One dict per model: name, path, taxonomy, skill_text, validation (the best validation
        metrics of its training run), calibrated (whether a fusion is fitted), and ``error``
        when its ``skillx.json`` cannot be read.
    """
    from skillx.model_dir import is_skillx_model_dir, read_model_meta
    from skillx.paths import cache_dir

    root = cache_dir("models")
    found: list[dict[str, Any]] = []
    for path in sorted(p for p in root.iterdir() if p.is_dir()):
        if not is_skillx_model_dir(path):
            continue
        entry: dict[str, Any] = {"name": path.name, "path": str(path)}
        try:
            meta = read_model_meta(path)
        except SkillxError as exc:  # a broken skillx.json should not hide the others
            found.append({**entry, "taxonomy": "", "skill_text": "", "validation": {}, "calibrated": False,
                          "error": str(exc)})  # fmt: skip
            continue
        tax = meta.taxonomy if meta is not None else None
        validation = meta.validation if meta is not None else {}
        best = validation.get("best", validation) or {}  # no "best": an older, flat record
        found.append(
            {
                **entry,
                "taxonomy": " ".join(x for x in (tax.name, tax.version, tax.language) if x) if tax else "",
                "skill_text": (meta.skill_text if meta is not None else None) or "",
                "validation": dict(best) if isinstance(best, dict) else {},
                "calibrated": meta is not None and meta.fusion is not None,
            }
        )
    found.sort(key=lambda m: (m["name"] != "default", m["name"]))
    return found


def register(app: typer.Typer) -> None:
    """Add ``skillx models`` to the app."""

    @app.command("models")
    @handle_errors
    def models_command(
        json_out: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    ) -> None:
        """List the models installed in the user cache (the one named 'default' is used by default)."""
        import json

        from skillx.paths import cache_dir

        models = installed_models()
        if json_out:
            typer.echo(json.dumps(models, indent=2))
            return
        root: Path = cache_dir("models")
        if not models:
            typer.echo(
                f"No models installed in {root}. skillx uses the bundled all-MiniLM-L6-v2 base "
                f"encoder. Train one with `skillx train` and copy it to {root / 'default'} to make "
                "it the default."
            )
            return
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"models in {root}")
        for col in ("name", "taxonomy", "skill text", "calibrated", "validation", "path"):
            table.add_column(col)
        for m in models:
            metrics = ", ".join(
                f"{k}={v:.3f}" for k, v in m["validation"].items() if isinstance(v, (int, float))
            )[:60]
            table.add_row(
                m["name"],
                m["taxonomy"],
                str(m["skill_text"]),
                "yes" if m["calibrated"] else "no",
                metrics,
                m["path"],
            )
        Console().print(table)

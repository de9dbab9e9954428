"""The stop list of surface forms too generic to be evidence: finding and reading it.

The shipped list is computed offline by `skillx.matching.stop_list_builder.compute_stop_list`
(run by the stop-list tool script); nothing here is typed in by hand. This module only reads
lists, so the matcher does not depend on the builder.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from skillx.errors import InputError


def default_stop_list_path(language: str = "en") -> Path:
    """Path of the stop list shipped with skillx for `language`."""
    return Path(str(resources.files("skillx") / "data" / f"stop_list_{language}.json"))


def load_stop_list(spec: str | Path | Iterable[str] | None, *, language: str = "en") -> frozenset[str]:
    """Resolve the `stop_list` argument of `LiteralMatcher` into a set of surface forms.

    Args:
        spec: ``"default"``, None, a JSON file path, or an iterable of forms.
        language: Taxonomy language, picks the shipped default list.

    Raises:
        InputError: If the file is missing or is not a JSON list / ``{"forms": [...]}``.
    """
    if spec is None:
        return frozenset()
    if isinstance(spec, str) and spec == "default":
        path = default_stop_list_path(language)
        if not path.exists():
            return frozenset()  # no list computed for this language: nothing is stopped
        return _read(path)
    if isinstance(spec, (str, Path)):
        return _read(Path(spec))
    forms = list(spec)
    if not all(isinstance(f, str) for f in forms):
        raise InputError("stop_list must hold strings (surface forms), e.g. ['communication', 'plan'].")
    return frozenset(forms)


def _read(path: Path) -> frozenset[str]:
    if not path.is_file():
        raise InputError(
            f"Stop list file '{path}' does not exist. Pass stop_list='default', None (no stop "
            "list), a JSON file with a list of forms, or a list of forms."
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"Stop list '{path}' is not valid UTF-8 JSON ({exc}).") from None
    forms = data.get("forms") if isinstance(data, dict) else data
    if not isinstance(forms, list) or not all(isinstance(f, str) for f in forms):
        raise InputError(
            f"Stop list '{path}' must be a JSON list of strings or an object with a 'forms' list."
        )
    return frozenset(forms)

"""The stop list of surface forms too generic to be evidence: loading and computing it.

A form goes on the list when it is both *frequent* in job ads and *unspecific* in the
taxonomy. Frequency is the share of corpus lines on which the form fires as a top-level
(non-nested) hit; specificity is the number of other skills whose labels contain the form's
words ("communication" sits inside dozens of ESCO labels, "Python" inside one or two).
The shipped list is computed by ``tools/compute_stop_list.py`` with
`compute_stop_list`; nothing here is typed in by hand.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skillx.errors import InputError

if TYPE_CHECKING:
    from skillx.matching.literal import LiteralMatcher

# Words a well-formed skill label never starts or ends with.
_DANGLING = frozenset({"and", "or", "of", "for", "with", "to", "the", "a", "an", "&"})


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


@dataclass(frozen=True, slots=True)
class StopListEntry:
    """Why one surface form was judged generic.

    Attributes:
        form: The surface form.
        lines: Corpus lines on which it fired as a top-level hit.
        line_share: ``lines`` divided by the lines scanned.
        containing_skills: Other skills whose labels contain its words.
        uris: Skills having this form.
    """

    form: str
    lines: int
    line_share: float
    containing_skills: int
    uris: tuple[str, ...]


def containing_counts(matcher: LiteralMatcher) -> dict[str, int]:
    """For each surface form, how many *other* skills have a label containing its words."""
    from skillx.matching.normalise import tokenize

    by_key: dict[str, set[str]] = {}
    for form in matcher.taxonomy.surface_forms():
        key = matcher.key(form.text)
        if key:
            by_key.setdefault(key, set()).add(form.uri)
    holders: dict[str, set[str]] = {}
    for skill in matcher.taxonomy:
        for label in skill.labels:
            words = (matcher.key(label) or " ").split()
            n = len(words)
            for size in range(1, min(n, 4) + 1):  # every contiguous sub-phrase of up to 4 words
                for i in range(n - size + 1):
                    sub = f" {' '.join(words[i : i + size])} "
                    if sub in by_key:
                        holders.setdefault(sub, set()).add(skill.uri)
    counts: dict[str, int] = {}
    for form in matcher.taxonomy.surface_forms():
        key = matcher.key(form.text)
        if key and tokenize(form.text):
            counts[form.text] = len(holders.get(key, set()) - by_key[key])
    return counts


def compute_stop_list(
    matcher: LiteralMatcher,
    texts: Iterable[str],
    *,
    min_line_share: float = 0.001,
    min_containing: int = 15,
    max_words: int = 1,
) -> tuple[list[StopListEntry], dict[str, Any]]:
    """Compute the generic surface forms of a taxonomy over a corpus.

    Args:
        matcher: A matcher built with ``stop_list=None`` (so every form can fire).
        texts: Corpus sentences (one per item).
        min_line_share: A form must fire on at least this share of lines ...
        min_containing: ... and sit inside the labels of at least this many other skills.
        max_words: Only forms of at most this many words are considered.

    Acronyms and short forms that the case rules already match case-sensitively ("IT",
    "R") are exempt. Frequent label fragments that begin or end with a conjunction or
    preposition ("and procedures") are listed whatever their length.

    Returns:
        The stop-listed entries (most frequent first) and a summary of how they were
        computed (lines scanned, thresholds).
    """
    from skillx.matching.literal import is_case_sensitive

    fired: Counter[str] = Counter()
    form_uris: dict[str, tuple[str, ...]] = {}
    n_lines = 0
    for text in texts:
        n_lines += 1
        seen = set()
        for hit in matcher.match(text):
            if not hit.nested and hit.surface_form not in seen:
                seen.add(hit.surface_form)
                fired[hit.surface_form] += 1
                form_uris[hit.surface_form] = hit.uris
    containing = containing_counts(matcher)

    def generic(form: str) -> bool:
        words = form.lower().split()
        if words[0] in _DANGLING or words[-1] in _DANGLING:
            return True  # a label fragment such as "and procedures"
        return (
            containing.get(form, 0) >= min_containing
            and len(words) <= max_words
            and not (matcher.case_rules and is_case_sensitive(form) and form != form.lower())
        )

    entries = [
        StopListEntry(form, count, count / max(n_lines, 1), containing.get(form, 0), form_uris[form])
        for form, count in fired.most_common()
        if count / max(n_lines, 1) >= min_line_share and generic(form)
    ]
    summary = {
        "lines_scanned": n_lines,
        "min_line_share": min_line_share,
        "min_containing": min_containing,
        "max_words": max_words,
    }
    return entries, summary

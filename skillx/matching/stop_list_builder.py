"""Computing the stop list offline: surface forms too generic to be evidence of a skill.

A form goes on the list when it is both *frequent* in job ads and *unspecific* in the
taxonomy. Frequency is the share of corpus lines on which the form fires as a top-level
(non-nested) hit; specificity is the number of other skills whose labels contain the form's
words ("communication" sits inside dozens of ESCO labels, "Python" inside one or two).

Only the tool that writes ``skillx/data/stop_list_<lang>.json`` uses this module; the matcher
reads the result through `skillx.matching.stop_list`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from skillx.matching.normalise import is_case_sensitive, tokenize

if TYPE_CHECKING:
    from skillx.matching.literal import LiteralMatcher

# Words a well-formed skill label never starts or ends with.
_DANGLING = frozenset({"and", "or", "of", "for", "with", "to", "the", "a", "an", "&"})


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

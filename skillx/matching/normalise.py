"""Tokens and normalised keys shared by surface forms and text, so both line up exactly."""

from __future__ import annotations

import re
from collections.abc import Callable

# Words (letters/digits, with a trailing "+"/"#" as in C++ and C#) and the punctuation that
# may not be skipped inside a match. Hyphens, apostrophes and quotes are skipped, so
# "problem-solving" and "problem solving" give the same tokens.
TOKEN = re.compile(r"[^\W_]+(?:[+#]+(?![^\W_]))?|[&/.,;:!?()\[\]]")
ARTICLES = frozenset({"a", "an", "the"})


def tokenize(text: str) -> list[tuple[str, int, int]]:
    """``(token, start, end)`` for every token of `text`."""
    return [(m.group(), m.start(), m.end()) for m in TOKEN.finditer(text)]


_KEEP_S = ("ss", "us", "is", "ys", "as", "os")
_DOUBLE = frozenset("bdfgmnprt")


def light_stem(word: str) -> str:
    """Strip English inflections (plural, -ing, -ed, final -e) and the noun suffix -ment.

    Deliberately lighter than Porter/Snowball, which conflate "experience" with
    "experiment" and "organisation" with "organising": only endings that do not change
    what a skill label means are removed, so "managing budgets", "managed budget",
    "manage budgets" and "budget management" share their words.

    Args:
        word: A lower-case word.

    Returns:
        The stem; words of four letters or fewer are returned unchanged.
    """
    if len(word) <= 4 or not word.isalpha():
        return word
    w = word
    if w.endswith("ies") or w.endswith("ied"):
        w = w[:-3] + "y"
    elif w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(_KEEP_S):
        w = w[:-1]
    if w.endswith("ing") and len(w) > 5:
        w = w[:-3]
    elif w.endswith("ed") and len(w) > 5 and not w.endswith("eed"):
        w = w[:-2]
    else:
        if w.endswith("ments"):
            w = w[:-1]
        if w.endswith("ment") and len(w) >= 8:
            w = w[:-4]
    if len(w) > 3 and w[-1] == w[-2] and w[-1] in _DOUBLE:
        w = w[:-1]  # running -> run, planned -> plan
    if w.endswith("e") and len(w) > 3:
        w = w[:-1]
    return w


def make_normaliser(normalise: bool) -> Callable[[str], str]:
    """A cached token normaliser: lower case, ``&`` -> ``and``, and `light_stem`.

    Args:
        normalise: When False only case is folded (no stemming).
    """
    cache: dict[str, str] = {"&": "and"}

    def norm(token: str) -> str:
        value = cache.get(token)
        if value is None:
            value = token.lower()
            if normalise:
                value = light_stem(value)
            if len(cache) < 500_000:
                cache[token] = value
        return value

    return norm


def is_case_sensitive(form: str) -> bool:
    """Whether a surface form only matches with its own capitalisation.

    Single-word forms of one or two characters ("R", "C", "Go", "IT") and short
    all-capital acronyms ("SAS", "CAD", "ACT") collide with ordinary English words once
    lower-cased, so they are matched case-sensitively and without stemming.
    """
    tokens = tokenize(form)
    if len(tokens) != 1:
        return False
    token = tokens[0][0]
    letters = [ch for ch in token if ch.isalpha()]
    return len(token) <= 2 or (2 <= len(letters) <= 4 and all(ch.isupper() for ch in letters))

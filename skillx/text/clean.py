"""Cleaning of job-ad text (HTML tags, entities, bullets, odd whitespace) with an offset map.

The cleaner works on *pieces*: stretches of the raw string that are copied unchanged
(``exact``) and replacements (a tag becomes a line break, ``&amp;`` becomes ``&``). A
position in the cleaned string can therefore always be traced back to the raw string.
"""

from __future__ import annotations

import bisect
import html
import re
from dataclasses import dataclass

# Block-level tags end a line; inline tags (b, i, span, a, ...) vanish.
_BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)
_BULLETS = "•·▪◦●■□►▸▹➢➤✓✔✗❖◆◇○‣⁃"
_SPECIAL = re.compile(
    r"(?P<tag><(?:!--.*?--|/?(?P<name>[a-zA-Z][a-zA-Z0-9]*)\b[^<>]{0,2000}?/?)>)"
    r"|(?P<entity>&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});)"
    r"|(?P<dash>(?:^|(?<=\n))[ \t]*[-*+–—][ \t]+)"
    rf"|(?P<bullet>[ \t]*[{_BULLETS}][ \t]*)"
    r"|(?P<space>(?! (?=[^\s\u200b\u200c\u200d\u2060\ufeff]))[\s\u200b\u200c\u200d\u2060\ufeff]+)"
    r"|(?P<control>[\x00-\x08\x0b\x0c\x0e-\x1f\x7f])",
    re.DOTALL,
)
_NEEDS_CLEANING = re.compile(
    rf"[<&{_BULLETS}\x00-\x08\x0b-\x1f\x7f\u00a0\u2000-\u200d\u2028\u2029\u2060\ufeff]"
    r"|\s\s|^[ \t]*[-*+–—][ \t]",
    re.M,
)
_LINE_BREAKS = frozenset("\n\r\u2028\u2029\x0b\x0c\x85")


@dataclass(frozen=True, slots=True)
class OffsetMap:
    """Maps offsets of a cleaned string back into the raw string it came from.

    Attributes:
        clean_starts: Start offset of each piece in the cleaned string (ascending).
        raw_starts: Start offset of each piece in the raw string.
        raw_ends: End offset of each piece in the raw string.
        exact: Whether each piece is an unchanged copy of the raw text.
    """

    clean_starts: tuple[int, ...]
    raw_starts: tuple[int, ...]
    raw_ends: tuple[int, ...]
    exact: tuple[bool, ...]

    def raw_start(self, offset: int) -> int:
        """Raw offset of the character at cleaned `offset`."""
        i = max(bisect.bisect_right(self.clean_starts, offset) - 1, 0)
        if self.exact[i]:
            return self.raw_starts[i] + offset - self.clean_starts[i]
        return self.raw_starts[i]

    def raw_end(self, offset: int) -> int:
        """Raw offset just after the character ending at cleaned `offset` (exclusive end)."""
        if offset <= 0:
            return self.raw_starts[0] if self.raw_starts else 0
        i = max(bisect.bisect_right(self.clean_starts, offset - 1) - 1, 0)
        if self.exact[i]:
            return self.raw_starts[i] + offset - self.clean_starts[i]
        return self.raw_ends[i]


def _replacement(match: re.Match[str]) -> str:
    kind = match.lastgroup
    if kind == "tag":
        name = (match.group("name") or "").lower()
        return "\n" if name in _BLOCK_TAGS else ""
    if kind == "entity":
        value = html.unescape(match.group())
        if value == match.group():  # unknown entity: keep it as written
            return value
        return " " if value.isspace() else value
    if kind in ("dash", "bullet"):
        return "\n"
    if kind == "space":
        text = match.group()
        if any(ch in _LINE_BREAKS for ch in text):
            return "\n"
        return "" if not any(ch.isspace() for ch in text) else " "
    return ""  # control characters


def clean_with_offsets(text: str) -> tuple[str, OffsetMap]:
    """Clean `text` and return the cleaned string with a map back into `text`.

    Args:
        text: Raw job-ad text (HTML, bullets, prose).

    Returns:
        The cleaned text (no tags or entities; bullets and block tags become line breaks;
        runs of spaces become one space) and its `OffsetMap`.
    """
    out: list[str] = []
    clean_starts: list[int] = []
    raw_starts: list[int] = []
    raw_ends: list[int] = []
    exact: list[bool] = []
    pos = 0
    length = 0

    def add(piece: str, start: int, end: int, same: bool) -> None:
        nonlocal length
        if not piece:
            return
        out.append(piece)
        clean_starts.append(length)
        raw_starts.append(start)
        raw_ends.append(end)
        exact.append(same)
        length += len(piece)

    if _NEEDS_CLEANING.search(text):
        for match in _SPECIAL.finditer(text):
            replacement = _replacement(match)
            if match.start() > pos:
                add(text[pos : match.start()], pos, match.start(), True)
            add(replacement, match.start(), match.end(), replacement == match.group())
            pos = match.end()
    if pos < len(text):
        add(text[pos:], pos, len(text), True)
    mapping = OffsetMap(tuple(clean_starts), tuple(raw_starts), tuple(raw_ends), tuple(exact))
    return "".join(out), mapping


def clean_text(text: str) -> str:
    """Strip HTML tags and entities, turn bullets into line breaks and tidy whitespace.

    Args:
        text: Raw job-ad text.

    Returns:
        The cleaned text: one line per paragraph, bullet or block element; single spaces;
        no leading or trailing whitespace.

    Example:
        >>> clean_text("<ul><li>Python &amp; SQL</li><li>Git</li></ul>")
        'Python & SQL\\nGit'
    """
    cleaned, _ = clean_with_offsets(text)
    lines = (" ".join(line.split()) for line in cleaned.split("\n"))
    return "\n".join(line for line in lines if line)

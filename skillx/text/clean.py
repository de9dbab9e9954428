"""Cleaning of job-ad text (HTML tags, entities, bullets, odd whitespace) with an offset map.

The cleaner works on *pieces*: stretches of the raw string that are copied unchanged
(``exact``) and replacements (a tag becomes a line break, ``&amp;`` becomes ``&``). A
position in the cleaned string can therefore always be traced back to the raw string.

Hostile input (see docs/robustness.md):

* Lone surrogates (``"\\ud800"``, e.g. from a JSON ``\\ud800`` escape) are replaced by
  U+FFFD, one code point for one, so offsets into the caller's string do not move; control
  characters are dropped.
* What a browser would not display is dropped: ``<script>`` and ``<style>`` elements with
  their content, comments, ``<!DOCTYPE ...>`` and other declarations, processing
  instructions. As in a browser, one that is never closed runs to the end of the text.
* The scan is linear in the input: every pattern is bounded, and the search for a closing
  marker is never repeated over the same stretch.
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
# Elements whose content is code, not text: dropped up to their end tag.
_RAW_TEXT_TAGS = frozenset(["script", "style"])
_BULLETS = "•·▪◦●■□►▸▹➢➤✓✔✗❖◆◇○‣⁃"
_SURROGATES = re.compile("[\ud800-\udfff]")
REPLACEMENT_CHARACTER = "\ufffd"
"""What a lone surrogate becomes (one code point for one, so offsets stay put)."""
_SPECIAL = re.compile(
    r"(?P<markup><!--|<!|<\?)"  # comment, declaration, processing instruction: end found by scan
    r"|(?P<tag></?(?P<name>[a-zA-Z][a-zA-Z0-9]*)\b[^<>]{0,2000}?/?>)"
    r"|(?P<entity>&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});)"
    r"|(?P<dash>(?:^|(?<=\n))[ \t]*[-*+–—][ \t]+)"
    rf"|(?P<bullet>[ \t]*[{_BULLETS}][ \t]*)"
    r"|(?P<space>(?! (?=[^\s\u200b\u200c\u200d\u2060\ufeff]))[\s\u200b\u200c\u200d\u2060\ufeff]+)"
    r"|(?P<control>[\x00-\x08\x0b\x0c\x0e-\x1f\x7f])",
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


class _EndFinder:
    """Finds where a comment, declaration or script/style element ends, in linear total time.

    Each search remembers its answer: a later search from a position before that answer gets
    it again without scanning (there is no closer in between), so hostile input such as
    100 KB of ``"<!--"`` is scanned once, not once per marker.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._found: dict[str, int] = {}

    def _find(self, key: str, pattern: re.Pattern[str], start: int) -> int:
        """End of the first match of `pattern` at or after `start`, or len(text) if none."""
        known = self._found.get(key)
        if known is not None and (known == -1 or known >= start):
            found = known
        else:
            hit = pattern.search(self.text, start)
            found = hit.start() if hit else -1
            self._found[key] = found
        if found == -1:  # never closed: like a browser, it runs to the end of the text
            return len(self.text)
        return _match_end(pattern, self.text, found)

    def markup_end(self, opener: str, start: int) -> int:
        """End (exclusive) of the comment / declaration / instruction opened just before `start`."""
        if opener == "<!--":
            if self.text.startswith(">", start):  # "<!-->" is an empty comment
                return start + 1
            if self.text.startswith("->", start):  # so is "<!--->"
                return start + 2
            return self._find("-->", _COMMENT_END, start)
        return self._find(">", _GT, start)

    def element_end(self, name: str, start: int) -> int:
        """End (exclusive) of the end tag of the script/style element opened before `start`."""
        return self._find(name, _END_TAGS[name], start)


def _match_end(pattern: re.Pattern[str], text: str, found: int) -> int:
    hit = pattern.match(text, found)
    return hit.end() if hit else found + 1


_COMMENT_END = re.compile("-->")
_GT = re.compile(">")
_END_TAGS = {
    name: re.compile(rf"</{name}\b[^<>]{{0,2000}}>|</{name}\b", re.IGNORECASE) for name in _RAW_TEXT_TAGS
}


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

    if _SURROGATES.search(text):  # the tokenizers cannot encode them; same length keeps offsets
        text = _SURROGATES.sub(REPLACEMENT_CHARACTER, text)
    if _NEEDS_CLEANING.search(text):
        ends = _EndFinder(text)
        match = _SPECIAL.search(text)
        while match is not None:
            start, end = match.start(), match.end()
            replacement = _replacement(match)
            kind = match.lastgroup
            if kind == "markup":
                end = ends.markup_end(match.group(), end)
                replacement = ""
            elif kind == "tag" and not match.group().startswith("</"):
                name = (match.group("name") or "").lower()
                if name in _RAW_TEXT_TAGS:
                    end = ends.element_end(name, end)
                    replacement = "\n"
            if start > pos:
                add(text[pos:start], pos, start, True)
            add(replacement, start, end, replacement == text[start:end])
            pos = end
            match = _SPECIAL.search(text, end) if end < len(text) else None
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

"""Sentence and bullet segmentation with character offsets into the raw text."""

from __future__ import annotations

import itertools
import re
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from skillx.errors import InputError
from skillx.text.clean import OffsetMap, clean_with_offsets

if TYPE_CHECKING:
    from collections.abc import Callable

    from spacy.tokens import Doc

DEFAULT_MAX_CHARS = 600
# Run-on sentences glued without a space: "our team.Also a chance" -> split after the period.
_GLUED = re.compile(r"(?<=[a-z]{2}[.!?])(?=[A-Z][a-z])")
# A block needs the sentencizer only if sentence punctuation is followed by more text.
_MAYBE_SEVERAL = re.compile(r"[.!?;…](?=[\s\"')\]]*\S)")
# spaCy's tokenizer strips prefixes and suffixes one character at a time, which is quadratic
# in the length of one token (")" * 10000 took minutes): runs of this many non-space
# characters are kept away from it and become segments of their own (chunked at max_chars).
LONG_RUN = 100
_LONG_RUN = re.compile(rf"(?<!\S)\S{{{LONG_RUN},}}")
# Text given to the sentencizer at once is cut at a space before this length (bounds memory).
_WINDOW = 10_000
_nlp: Callable[[str], Doc] | None = None
_nlp_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence or bullet of a text.

    Attributes:
        text: The cleaned sentence (no tags, entities or bullet marks; single spaces).
        start: Offset of its first character in the raw input.
        end: Offset just after its last character in the raw input.
    """

    text: str
    start: int
    end: int
    _offsets: tuple[OffsetMap, int] | None = field(default=None, compare=False, repr=False)

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of `self.text` (e.g. a matcher hit) to offsets in the raw input.

        Args:
            start: Start offset in `self.text`.
            end: End offset (exclusive) in `self.text`.

        Returns:
            ``(raw_start, raw_end)`` such that ``raw[raw_start:raw_end]`` shows the span in
            the user's own text.
        """
        if self._offsets is None:
            return self.start + start, self.start + end
        mapping, base = self._offsets
        return mapping.raw_start(base + start), mapping.raw_end(base + end)


def _sentencizer() -> Callable[[str], Doc]:
    """spaCy's English tokenizer and rule-based sentencizer, built without `spacy.blank`.

    `spacy.blank` loads every installed spaCy plugin through entry points (including ours,
    which imports torch); the tokenizer rules and the sentencizer need none of that.
    """
    global _nlp
    with _nlp_lock:
        if _nlp is None:
            from spacy.lang.en import English
            from spacy.pipeline import Sentencizer
            from spacy.tokenizer import Tokenizer
            from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex
            from spacy.vocab import Vocab

            defaults = English.Defaults
            tokenizer = Tokenizer(
                Vocab(),
                rules=defaults.tokenizer_exceptions,
                prefix_search=compile_prefix_regex(defaults.prefixes or ()).search,
                suffix_search=compile_suffix_regex(defaults.suffixes or ()).search,
                infix_finditer=compile_infix_regex(defaults.infixes or ()).finditer,
                token_match=defaults.token_match,
                url_match=defaults.url_match,
            )
            sentencizer = Sentencizer()
            _nlp = lambda text: sentencizer(tokenizer(text))  # noqa: E731
        return _nlp


def _sentence_spans(part: str) -> list[tuple[int, int]]:
    """Sentence spans of `part` from spaCy's sentencizer, in time linear in ``len(part)``.

    Long runs without spaces are never tokenised (they are spans of their own), and the
    rest goes to the sentencizer in windows of at most `_WINDOW` characters cut at spaces.
    """
    spans: list[tuple[int, int]] = []
    pos = 0
    for run in (*_LONG_RUN.finditer(part), None):
        stop = run.start() if run is not None else len(part)
        while pos < stop:
            cut = stop
            if cut - pos > _WINDOW:
                space = part.rfind(" ", pos + 1, pos + _WINDOW)
                cut = space if space > pos else pos + _WINDOW
            if part[pos:cut].strip():
                doc = _sentencizer()(part[pos:cut])
                spans.extend((pos + s.start_char, pos + s.end_char) for s in doc.sents)
            pos = cut
        if run is not None:
            spans.append(run.span())
            pos = run.end()
    return spans


def _split_block(block: str, max_chars: int) -> list[tuple[int, int]]:
    """(start, end) sentence spans inside one line of cleaned text."""
    spans: list[tuple[int, int]] = []
    glued = _GLUED.finditer(block) if ("." in block or "!" in block or "?" in block) else ()
    cuts = [0, *(m.start() for m in glued), len(block)]
    for a, b in itertools.pairwise(cuts):
        part = block[a:b]
        if _MAYBE_SEVERAL.search(part):
            spans.extend((a + start, a + end) for start, end in _sentence_spans(part))
        else:
            spans.append((a, b))
    out: list[tuple[int, int]] = []
    for a, b in spans:
        while b - a > max_chars:  # chunk run-on text at the last space before the limit
            cut = block.rfind(" ", a + 1, a + max_chars + 1)
            cut = cut if cut > a else a + max_chars
            out.append((a, cut))
            a = cut
        out.append((a, b))
    return out


def segment(text: str, *, max_chars: int = DEFAULT_MAX_CHARS) -> list[Sentence]:
    """Clean `text` and split it into sentences and bullets, keeping raw offsets.

    Line breaks, block HTML tags and bullet marks always end a segment; inside a line a
    spaCy rule-based sentencizer (``spacy.blank("en")``, no model download) splits prose.
    Segments longer than `max_chars` are cut into chunks at spaces, never truncated.

    Args:
        text: Raw job-ad text (HTML, bullet lists, prose).
        max_chars: Longest segment returned; longer run-on sentences are chunked.

    Returns:
        Sentences in text order; ``[]`` for empty or whitespace-only input. For each
        sentence ``s``, ``text[s.start:s.end]`` is the sentence as written in the input.

    Raises:
        InputError: If `text` is not a string or `max_chars` is smaller than 20.

    Example:
        >>> [s.text for s in segment("<li>Python</li><li>SQL &amp; Git</li>")]
        ['Python', 'SQL & Git']
    """
    if not isinstance(text, str):
        raise InputError(f"segment() needs a str, got {type(text).__name__}. Decode bytes first.")
    if max_chars < 20:
        raise InputError(f"max_chars must be at least 20, got {max_chars}.")
    cleaned, mapping = clean_with_offsets(text)
    plain = len(mapping.exact) == 1 and mapping.exact[0] and mapping.raw_starts[0] == 0
    sentences: list[Sentence] = []
    line_start = 0
    for line in cleaned.split("\n"):
        for a, b in _split_block(line, max_chars) if line.strip() else ():
            piece = line[a:b]
            stripped = piece.strip()
            if not stripped:
                continue
            a += len(piece) - len(piece.lstrip())
            b = a + len(stripped)
            base = line_start + a
            normalised = " ".join(stripped.split()) if "  " in stripped else stripped
            if plain and normalised == stripped:
                sentences.append(Sentence(stripped, base, base + len(stripped)))
            else:
                sentences.append(
                    Sentence(
                        normalised,
                        mapping.raw_start(base),
                        mapping.raw_end(base + len(stripped)),
                        (mapping, base) if normalised == stripped else _collapsed(mapping, base, stripped),
                    )
                )
        line_start += len(line) + 1
    return sentences


def _collapsed(mapping: OffsetMap, base: int, stripped: str) -> tuple[OffsetMap, int]:
    """Offset map for a sentence whose inner runs of spaces were collapsed to one."""
    clean_starts: list[int] = []
    raw_starts: list[int] = []
    raw_ends: list[int] = []
    exact: list[bool] = []
    pos = 0
    for match in re.finditer(r"\S+| +", stripped):
        piece = match.group()
        clean_starts.append(pos)
        raw_starts.append(mapping.raw_start(base + match.start()))
        raw_ends.append(mapping.raw_end(base + match.end()))
        same = not piece.startswith(" ") and raw_ends[-1] - raw_starts[-1] == len(piece)
        exact.append(same)
        pos += 1 if piece.startswith(" ") else len(piece)
    return OffsetMap(tuple(clean_starts), tuple(raw_starts), tuple(raw_ends), tuple(exact)), 0

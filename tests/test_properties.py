"""Property-based tests over arbitrary text, surrogates and control characters included.

For any string: `clean_text`, `segment`, the literal matcher and `extract` never raise, offsets
slice the caller's string, and no example takes long (a generous bound: linear time is pinned
by the hostile-input tests in tests/test_text.py and benchmarks/hostile_input.py).
"""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skillx.extractor import SkillExtractor
from skillx.matching import LiteralMatcher
from skillx.ranker import SemanticRanker
from skillx.taxonomy import Taxonomy
from skillx.text import clean_text, segment
from skillx.text.clean import REPLACEMENT_CHARACTER, clean_with_offsets

# every code point, lone surrogates (Cs) and control characters (Cc) included
ANY_CHAR = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, blacklist_categories=())
MARKUP = st.sampled_from(
    [
        "<",
        ">",
        "&",
        "&amp;",
        "<!--",
        "-->",
        "<!DOCTYPE x>",
        "<script>",
        "</script>",
        "<style>",
        "<li>",
        "</p>",
        "<br/>",
        "•",
        " - ",
        ".",
        "!",
        "?",
        ")",
        "\n",
        "\t",
        "\r\n",
        "\u2028",
        "\x00",
        "\ud800",
        "\udfff",
        "\u200b",
        "\ufeff",
        "Python",
        "SQL",
        "Git",
        " and ",
    ]
)
TEXT = st.one_of(
    st.text(ANY_CHAR, max_size=300),
    st.lists(st.one_of(MARKUP, st.text(ANY_CHAR, max_size=8)), max_size=60).map("".join),
)
PER_EXAMPLE_SECONDS = 5.0
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module", autouse=True)
def _warm_up() -> None:
    segment("Loads spaCy's tokenizer once. Not timed.")


def _timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    assert time.perf_counter() - started < PER_EXAMPLE_SECONDS
    return result


@FAST
@given(TEXT)
def test_clean_text_never_raises(text: str) -> None:
    cleaned = _timed(clean_text, text)
    assert isinstance(cleaned, str)
    assert not any("\ud800" <= ch <= "\udfff" for ch in cleaned)
    cleaned.encode("utf-8")  # what a tokenizer needs: never raises


@FAST
@given(TEXT)
def test_clean_with_offsets_maps_into_the_raw_text(text: str) -> None:
    cleaned, mapping = _timed(clean_with_offsets, text)
    for offset in range(len(cleaned)):
        start, end = mapping.raw_start(offset), mapping.raw_end(offset + 1)
        assert 0 <= start < end <= len(text) or (start == end and 0 <= start <= len(text))


@FAST
@given(TEXT)
def test_segment_offsets_slice_the_original(text: str) -> None:
    sentences = _timed(segment, text)
    previous_end = 0
    for s in sentences:
        assert 0 <= s.start < s.end <= len(text)
        assert s.start >= previous_end  # in text order, not overlapping
        previous_end = s.end
        assert s.text and s.text == s.text.strip()
        assert not any("\ud800" <= ch <= "\udfff" for ch in s.text)
        raw = text[s.start : s.end]
        # the sentence's first and last characters are where the offsets say (surrogates -> U+FFFD)
        first, last = raw[0], raw[-1]
        repaired = {ch: REPLACEMENT_CHARACTER for ch in (first, last) if "\ud800" <= ch <= "\udfff"}
        assert s.text[0] == repaired.get(first, first) or first in "<&"
        assert s.text[-1] == repaired.get(last, last) or last in ">;"


@pytest.fixture(scope="module")
def matcher(toy_taxonomy: Taxonomy) -> LiteralMatcher:
    return LiteralMatcher(toy_taxonomy)


@pytest.fixture(scope="module")
def extractor(toy_taxonomy: Taxonomy, matcher: LiteralMatcher) -> SkillExtractor:
    ranker = SemanticRanker.from_pretrained(taxonomy=toy_taxonomy)
    return SkillExtractor(toy_taxonomy, ranker=ranker, matcher=matcher)


@FAST
@given(text=TEXT)
def test_matcher_never_raises(matcher: LiteralMatcher, text: str) -> None:
    for hit in _timed(matcher.match, text):
        assert 0 <= hit.start < hit.end <= len(text)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXT)
def test_extract_never_raises_and_offsets_slice(extractor: SkillExtractor, text: str) -> None:
    results = _timed(extractor.extract, text, min_score=0.0)
    for sentence in results:
        assert 0 <= sentence.start < sentence.end <= len(text)
        for match in sentence.skills:
            if match.start is not None and match.end is not None:
                assert sentence.start <= match.start < match.end <= sentence.end

from __future__ import annotations

import pytest

from skillx.errors import InputError
from skillx.text import Sentence, clean_text, segment

HTML_AD = (
    "<h2>Data Analyst</h2><p>We are hiring!&nbsp;Join our team.</p>"
    "<ul><li>Python &amp; SQL</li><li>Managing   budgets</li></ul>"
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<ul><li>Python &amp; SQL</li><li>Git</li></ul>", "Python & SQL\nGit"),
        ("a&nbsp;b\u200b c", "a b c"),
        ("• first • second", "first\nsecond"),
        ("- dash item\n* star item", "dash item\nstar item"),
        ("x<br/>y<b>z</b>", "x\nyz"),
        ("   \n\t ", ""),
    ],
)
def test_clean_text_strips_markup(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "texts"),
    [
        (HTML_AD, ["Data Analyst", "We are hiring!", "Join our team.", "Python & SQL", "Managing budgets"]),
        ("Skills:\n• Python\n• SQL\n- Git", ["Skills:", "Python", "SQL", "Git"]),
        (
            "Join our team.Also a chance to lead. Apply now!",
            ["Join our team.", "Also a chance to lead.", "Apply now!"],
        ),
        ("Use tools e.g. Excel daily", ["Use tools e.g. Excel daily"]),
        ("", []),
        ("  \n  ", []),
    ],
)
def test_segment_splits_sentences_and_bullets(raw: str, texts: list[str]) -> None:
    assert [s.text for s in segment(raw)] == texts


@pytest.mark.parametrize("raw", [HTML_AD, "Plain sentence. Another one!\n\n• bullet", "a  b\tc &amp; d"])
def test_segment_offsets_point_into_raw_text(raw: str) -> None:
    for sentence in segment(raw):
        shown = raw[sentence.start : sentence.end]
        assert clean_text(shown) == sentence.text
        assert sentence.raw_span(0, len(sentence.text)) == (sentence.start, sentence.end)


def test_segment_plain_text_is_identical_slice() -> None:
    raw = "Experience with Python. Knowledge of SQL."
    for sentence in segment(raw):
        assert raw[sentence.start : sentence.end] == sentence.text


def test_sentence_raw_span_maps_through_entities() -> None:
    raw = "<li>Python &amp; SQL</li>"
    (sentence,) = segment(raw)
    start = sentence.text.index("SQL")
    a, b = sentence.raw_span(start, start + 3)
    assert raw[a:b] == "SQL"
    a, b = sentence.raw_span(0, len(sentence.text))
    assert raw[a:b] == "Python &amp; SQL"


def test_segment_chunks_long_run_on_text_without_losing_words() -> None:
    raw = " ".join(f"word{i}" for i in range(400))
    sentences = segment(raw, max_chars=100)
    assert len(sentences) > 1
    assert all(len(s.text) <= 100 for s in sentences)
    assert " ".join(s.text for s in sentences) == raw
    for s in sentences:
        assert raw[s.start : s.end] == s.text


def test_sentence_is_frozen() -> None:
    sentence = Sentence("a", 0, 1)
    with pytest.raises(AttributeError):
        sentence.text = "b"  # type: ignore[misc]
    assert sentence == Sentence("a", 0, 1)


@pytest.mark.parametrize(("value", "kwargs"), [(b"bytes", {}), (None, {}), ("text", {"max_chars": 5})])
def test_segment_rejects_bad_input(value: object, kwargs: dict[str, int]) -> None:
    with pytest.raises(InputError):
        segment(value, **kwargs)  # type: ignore[arg-type]


def test_split_clauses_on_list_punctuation_and_conjunctions() -> None:
    from skillx.text import split_clauses

    assert split_clauses("Fluency in English; good communication AND project writing skills (a plus)") == [
        "Fluency in English",
        "good communication",
        "project writing skills",
        "a plus",
    ]
    assert split_clauses("Java, C# or Python and strong SQL skills") == []  # one clause of 2+ words
    assert split_clauses("Java, C# or Python", min_words=1) == ["Java", "C#", "Python"]
    assert split_clauses("Experience with databases") == []
    assert split_clauses("") == []


# -- hostile input (docs/robustness.md) ------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<!DOCTYPE html><p>Python</p>", "Python"),
        ("<p>SQL</p><!-- manage budgets -->", "SQL"),
        ("<script>manage_budget();</script><p>Git</p>", "Git"),
        ("<STYLE type='text/css'>p { budget: 1 }</STYLE >Java", "Java"),
        ("a<!-->b<!--->c", "abc"),
        ("<?xml version='1.0'?>Go", "Go"),
        ("Python<!-- never closed, as in a browser", "Python"),
        ("Python<script>never closed", "Python"),
        ("x<script>a</style>b</script>y", "x\ny"),
    ],
)
def test_clean_text_drops_code_comments_and_declarations(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


def test_segment_offsets_exact_around_dropped_html() -> None:
    raw = "<!DOCTYPE html><style>.a{}</style><p>Python &amp; SQL</p><script>x()</script><li>Git</li>"
    sentences = segment(raw)
    assert [s.text for s in sentences] == ["Python & SQL", "Git"]
    assert [raw[s.start : s.end] for s in sentences] == ["Python &amp; SQL", "Git"]


def test_segment_replaces_lone_surrogates_one_for_one() -> None:
    raw = "Python\ud800 and SQL. Git\udfff."
    sentences = segment(raw)
    assert [s.text for s in sentences] == ["Python\ufffd and SQL.", "Git\ufffd."]
    for s in sentences:  # offsets still index the caller's string
        assert raw[s.start : s.end].replace("\ud800", "\ufffd").replace("\udfff", "\ufffd") == s.text
    assert clean_text("a\ud83d\ude00b") == "a\ufffd\ufffdb"


def test_segment_drops_control_characters() -> None:
    raw = "Python\x00\x07 and\x1b SQL"
    (sentence,) = segment(raw)
    assert sentence.text == "Python and SQL"
    assert raw[sentence.start : sentence.end] == raw


HOSTILE = {
    "closing parens": "a." + ")" * 100_000,
    "open comments": "<!--" * 25_000,
    "less-than signs": "<" * 100_000,
    "bang markers": "<!" * 50_000,
    "open scripts": "<script>" * 12_500,
    "nested tags": "<div>" * 10_000 + "x" + "</div>" * 10_000,
    "no spaces": "x" * 100_000,
    "dotted run": "a." * 50_000,
    "ampersands": "&#" * 50_000,
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_segment_is_fast_on_hostile_input(name: str) -> None:
    import time

    raw = HOSTILE[name]
    segment("warm up. The sentencizer.")
    started = time.perf_counter()
    sentences = segment(raw)
    elapsed = time.perf_counter() - started
    # the target is well under a second on 100 KB; generous bound for a loaded CI machine
    assert elapsed < 5.0, f"{name}: {elapsed:.1f} s"
    assert all(len(s.text) <= 600 for s in sentences)
    assert all(0 <= s.start <= s.end <= len(raw) for s in sentences)


def test_segment_long_run_is_its_own_segment() -> None:
    url = "https://example.com/" + "a" * 200
    sentences = segment(f"Apply at {url} today. Python is required.")
    texts = [s.text for s in sentences]
    assert url in texts
    assert "Python is required." in texts

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
        "Fluency in English", "good communication", "project writing skills", "a plus"]
    assert split_clauses("Java, C# or Python and strong SQL skills") == []  # one clause of 2+ words
    assert split_clauses("Java, C# or Python", min_words=1) == ["Java", "C#", "Python"]
    assert split_clauses("Experience with databases") == []
    assert split_clauses("") == []

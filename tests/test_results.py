"""`skillx.to_pandas` keeps the caller's ids (skillx/results.py)."""

from __future__ import annotations

import pytest

import skillx
from skillx.errors import InputError
from skillx.results import SentenceSkills, SkillMatch


def _sentence(index: int, uri: str) -> SentenceSkills:
    return SentenceSkills(index, "text", 0, 4, (SkillMatch(uri, uri.upper(), 0.9),))


RESULTS = [[_sentence(0, "a"), _sentence(1, "b")], [], [_sentence(0, "c")]]


def test_to_pandas_keeps_the_callers_ids() -> None:
    frame = skillx.to_pandas(RESULTS, ids=["ad-7", "ad-8", "ad-9"])
    assert frame["doc"].tolist() == ["ad-7", "ad-7", "ad-9"]
    assert frame["uri"].tolist() == ["a", "b", "c"]


def test_to_pandas_default_ids_are_positions() -> None:
    assert skillx.to_pandas(RESULTS)["doc"].tolist() == [0, 0, 2]


def test_to_pandas_one_text_takes_one_id() -> None:
    assert skillx.to_pandas(RESULTS[0], ids=[42])["doc"].tolist() == [42, 42]


@pytest.mark.parametrize("ids", [["x"], ["x", "y", "z", "w"]])
def test_to_pandas_wrong_number_of_ids_is_clear(ids: list[str]) -> None:
    with pytest.raises(InputError, match="one id per text"):
        skillx.to_pandas(RESULTS, ids=ids)

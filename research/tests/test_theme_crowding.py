"""research/theme_crowding.py: theme words, crowded flags, precision by rank band."""

from __future__ import annotations

import pytest


def test_a_skill_repeating_a_better_skills_theme_is_crowded(research_script) -> None:
    script = research_script("theme_crowding")
    labels = ["maintain wind turbines", "design wind turbines", "Python (computer programming)", "use Python"]
    assert script.crowded_flags(labels) == [False, True, False, True]
    assert script.content_words("work in teams") == frozenset({"teams"})  # generic verbs do not make a theme
    assert script.crowded_flags(["work in teams", "work independently"]) == [False, False]


def test_precision_is_counted_per_band_and_flag(research_script) -> None:
    script = research_script("theme_crowding")
    crowded = [False, True, True, False, False] + [True] * 5
    gold = [True, False, True, False, False, False, False, False, False, True]
    out = script.band_precision([(crowded, gold)])
    assert out[("1-5", False)] == (3, pytest.approx(1 / 3))
    assert out[("1-5", True)] == (2, pytest.approx(0.5))
    assert out[("6-10", True)] == (5, pytest.approx(0.2))
    assert out[("11-20", False)] == (0, 0.0)


def test_gold_ranks_are_banded(research_script) -> None:
    script = research_script("theme_crowding")
    ranking = [f"s{i}" for i in range(1, 61)]
    bands = script.gold_rank_bands([ranking], [frozenset({"s1", "s7", "s60", "missing"})])
    assert bands == {"1-5": 1, "6-10": 1, "51-200": 1, "below": 1}

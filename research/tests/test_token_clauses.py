"""research/token_clauses.py: clause spans and the tokens inside them."""

from __future__ import annotations

import numpy as np


def test_clause_spans_follow_the_text_in_order(research_script) -> None:
    tc = research_script("token_clauses")
    text = "Python and SQL, Python again"
    spans = tc.clause_spans(text, ["Python", "SQL", "Python again"])
    assert [text[a:b] for a, b in spans] == ["Python", "SQL", "Python again"]
    assert spans[2][0] > spans[0][0]  # the second "Python" is found after the first


def test_tokens_in_keeps_the_tokens_inside_a_span(research_script) -> None:
    tc = research_script("token_clauses")
    offsets = np.array([[0, 6], [7, 10], [10, 10], [11, 14], [14, 15]])
    assert tc.tokens_in(offsets, (0, 10)).tolist() == [0, 1]  # the empty token is left out
    assert tc.tokens_in(offsets, (11, 15)).tolist() == [3, 4]

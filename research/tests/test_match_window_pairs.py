"""research/match_window_pairs.py: long training sentences cut to a window around their match."""

from __future__ import annotations

import pandas as pd


def _words(text: str) -> int:
    """One piece per word: the tests count in words."""
    return len(text.split())


def test_the_window_keeps_the_match_whole_and_stays_within_the_budget(research_script) -> None:
    window = research_script("match_window_pairs").window
    before, after = (" ".join(f"{c}{i}" for i in range(40)) for c in "wv")
    sentence = before + " machine learning " + after
    start = sentence.index("machine learning")
    a, b = window(sentence, start, start + len("machine learning"), _words, 10)
    cut = sentence[a:b]
    assert "machine learning" in cut and len(cut.split()) == 10
    assert cut.split()[0] == "w36" and cut.split()[-1] == "v3"  # centred: four words each side
    edge = sentence.index("w1 ")
    a, b = window(sentence, edge, edge + 2, _words, 10)
    assert sentence[a:b].split() == [f"w{i}" for i in range(10)]  # at the start, it grows right


def test_only_pairs_past_the_limit_move_each_to_its_window(research_script) -> None:
    windowed_pairs = research_script("match_window_pairs").windowed_pairs
    tail = " ".join(f"x{i}" for i in range(30))
    long = "Python " + tail + " SQL and Excel"
    rows = []
    for word, uri in (("Python", "u:py"), ("SQL", "u:sql"), ("Excel", "u:xl")):
        start = long.index(word)
        rows.append({"sentence": long, "start": start, "end": start + len(word), "uri": uri})
    rows.append({"sentence": "Short SQL line", "start": 6, "end": 9, "uri": "u:sql"})
    out = windowed_pairs(pd.DataFrame(rows), _words, 20)
    assert len(out) == 4 and list(out["uri"]) == ["u:py", "u:sql", "u:xl", "u:sql"]
    assert list(out["sentence"][[0, 3]]) == [long, "Short SQL line"]  # within the limit: unchanged
    for row in out.iloc[1:3].itertuples():
        assert row.sentence != long and len(row.sentence.split()) <= 20
        assert row.sentence[row.start : row.end] == {"u:sql": "SQL", "u:xl": "Excel"}[row.uri]

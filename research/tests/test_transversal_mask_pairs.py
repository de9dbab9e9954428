"""research/transversal_mask_pairs.py: transversal mentions masked, seeded per pair."""

from __future__ import annotations

import pandas as pd


def _pairs() -> pd.DataFrame:
    rows = []
    for i in range(200):
        sentence = f"Ad {i}: strong teamwork and Python needed."
        for word, uri in (("teamwork", "u:team"), ("Python", "u:py")):
            start = sentence.index(word)
            rows.append({"sentence": sentence, "start": start, "end": start + len(word), "uri": uri})
    return pd.DataFrame(rows)


def test_only_transversal_mentions_are_masked_at_about_p(research_script) -> None:
    script = research_script("transversal_mask_pairs")
    pairs = _pairs()
    out = script.masked_pairs(pairs, {"u:team"}, 0.5, seed=0)
    team, py = out[out["uri"] == "u:team"], out[out["uri"] == "u:py"]
    masked = team["sentence"].str.contains("[MASK]", regex=False)
    assert 70 <= int(masked.sum()) <= 130  # 200 draws at p 0.5
    assert not py["sentence"].str.contains("[MASK]", regex=False).any()
    assert py["sentence"].tolist() == pairs[pairs["uri"] == "u:py"]["sentence"].tolist()
    for row in team[masked].itertuples():  # the span indexes the mask, the rest is unchanged
        assert row.sentence[row.start : row.end] == "[MASK]"
        assert "teamwork" not in row.sentence and row.sentence.endswith(" and Python needed.")
    assert list(pairs.columns) == list(out.columns) and len(out) == len(pairs)


def test_the_draws_are_fixed_by_the_seed(research_script) -> None:
    script = research_script("transversal_mask_pairs")
    pairs = _pairs()
    first = script.masked_pairs(pairs, {"u:team"}, 0.5, seed=0)
    shuffled = pairs.sample(frac=1, random_state=1)  # the draw is the pair's, not its row's
    assert first.equals(script.masked_pairs(shuffled, {"u:team"}, 0.5, seed=0).sort_index())
    assert not first.equals(script.masked_pairs(pairs, {"u:team"}, 0.5, seed=1))
    assert script.masked_pairs(pairs, {"u:team"}, 0.0, 0).equals(pairs)
    assert script.masked_pairs(pairs, {"u:team"}, 1.0, 0)["sentence"].str.contains("MASK").sum() == 200

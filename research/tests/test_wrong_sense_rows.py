"""research/wrong_sense_rows.py: extra rows whose negative is the wrong-sense skill."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd


def test_the_positive_is_the_title_skill_closest_to_the_sentence(research_script) -> None:
    wrong_sense_rows = research_script("wrong_sense_rows").wrong_sense_rows
    dropped = pd.DataFrame(
        {
            "sentence": ["Head chef wanted.", "Head chef wanted.", "Tailor made rota.", "Post: Chef"],
            "uri": ["chef-tool", "chef-tool", "dressmaking", "chef-tool"],
        }
    )
    titles = pd.Series(["head chef", "head chef", "tailor", "chef"])
    by_label = {"head chef": {"o:head"}, "chef": {"o:cook"}, "tailor": {"o:tailor"}}
    skills_of = {
        "o:head": {"lead kitchen", "cook"},
        "o:cook": {"cook", "unknown"},
        "o:tailor": {"dressmaking"},
    }

    def similarity(sentences: list[str], uris: list[str]) -> np.ndarray:
        assert uris == ["cook", "lead kitchen"]  # known skills of the titles, the wrong one left out
        return np.array([[0.2, 0.9] if "Head" in s else [0.5, 0.1] for s in sentences])

    rows = wrong_sense_rows(
        dropped, titles, by_label, skills_of, {"cook", "lead kitchen", "dressmaking"}, similarity
    )
    # one row per distinct (sentence, wrong skill); "tailor" has no skill left but the wrong one
    assert rows.to_dict("records") == [
        {"sentence": "Head chef wanted.", "uri": "lead kitchen", "wrong_uri": "chef-tool"},
        {"sentence": "Post: Chef", "uri": "cook", "wrong_uri": "chef-tool"},
    ]


def test_extra_rows_are_appended_with_the_wrong_skill_as_every_negative(research_script, monkeypatch) -> None:
    module = research_script("wrong_sense_rows")
    import skillx.training.rows as rows_module
    import skillx.training.trainer as trainer

    base = pd.DataFrame(
        {
            "anchor": ["Python developer."],
            "positive": ["Python"],
            "negative_1": ["Ruby"],
            "positive_uri": ["python"],
            "matched_uris": [["python"]],
            "origin": ["corpus"],
        }
    )
    monkeypatch.setattr(rows_module, "build_rows", lambda *a, **k: (base.copy(), "stats"))
    monkeypatch.setattr(rows_module, "skill_text", lambda skill, mode: skill.upper())
    monkeypatch.setattr(trainer, "build_rows", trainer.build_rows)  # restored after the test
    extra = pd.DataFrame({"sentence": ["Head chef wanted."], "uri": ["cook"], "wrong_uri": ["chef"]})
    module.install_extra_rows(extra)
    taxonomy = {"cook": "cook", "chef": "chef"}
    rows, stats = trainer.build_rows("pairs", taxonomy, SimpleNamespace(skill_text="preferred"))
    assert stats == "stats"
    assert rows.columns.tolist() == base.columns.tolist()
    assert rows.iloc[1][["anchor", "positive", "negative_1", "origin"]].tolist() == [
        "Head chef wanted.",
        "COOK",
        "CHEF",
        "wrong-sense",
    ]

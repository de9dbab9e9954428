"""research/occupation_title_pairs.py (pairs inside a job title) and research/sense_probes.py."""

from __future__ import annotations

import pandas as pd


def _pairs(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    """(sentence, matched text, skill uri) -> a pairs frame with the match's first offsets."""
    records = []
    for sentence, matched, uri in rows:
        start = sentence.lower().index(matched.lower())
        records.append(
            {
                "sentence": sentence,
                "start": start,
                "end": start + len(matched),
                "uri": uri,
                "matched_text": matched,
            }
        )
    return pd.DataFrame(records)


def test_a_match_inside_an_unrelated_title_is_dropped_and_a_related_one_kept(research_script) -> None:
    title_verdicts = research_script("occupation_title_pairs").title_verdicts
    by_label = {"head chef": {"occ:cook"}, "chef": {"occ:cook"}, "journalist": {"occ:journalist"}}
    skills_of = {"occ:cook": {"skill:cooking"}, "occ:journalist": {"skill:journalist"}}
    pairs = _pairs(
        [
            ("Head chef wanted for our busy kitchen.", "chef", "skill:chef-tool"),  # the cook: dropped
            ("Automate servers with Chef and Puppet.", "Chef", "skill:chef-tool"),  # a bare title too
            ("We need a journalist for the desk.", "journalist", "skill:journalist"),  # a skill of the title
            ("Experience with chefs' knives.", "chefs", "skill:knives"),  # no title around the match
        ]
    )
    verdicts = title_verdicts(pairs, by_label, skills_of)
    assert verdicts["title"].tolist() == ["head chef", "chef", "journalist", ""]
    # the title rule cannot tell "Chef and Puppet" from the cook: a bare title is always a title
    assert verdicts["drop"].tolist() == [True, True, False, False]


def test_a_title_counts_only_where_it_covers_the_match_as_whole_words(research_script) -> None:
    title_verdicts = research_script("occupation_title_pairs").title_verdicts
    by_label = {"data controller": {"occ:dc"}, "tailor": {"occ:tailor"}}
    skills_of: dict[str, set[str]] = {}
    pairs = _pairs(
        [
            ("The Trust, as a Data Controller, will process your data.", "Controller", "skill:robotics"),
            ("Tune the PID controller of the data plant.", "controller", "skill:robotics"),  # no title here
            (
                "Tailored programmes for every trainee.",
                "Tailor",
                "skill:dressmaking",
            ),  # not the word "tailor"
        ]
    )
    verdicts = title_verdicts(pairs, by_label, skills_of)
    assert verdicts["drop"].tolist() == [True, False, False]


def test_sense_probes_print_each_probe_with_its_top_skills(research_script) -> None:
    from types import SimpleNamespace

    module = research_script("sense_probes")

    def extract(text: str, *, k: int, min_score: float):
        skills = [SimpleNamespace(label=f"skill {i} of {text[:4]}", score=0.9 - i / 10) for i in range(k)]
        return [SimpleNamespace(skills=skills)]

    lines = module.probe_lines(SimpleNamespace(extract=extract), 2)
    assert len(lines) == len(module.PROBES)
    assert "'Head chef wanted for our busy kitchen.'" in lines[0]
    assert lines[0].endswith("skill 0 of Head 0.90, skill 1 of Head 0.80")


def test_any_title_around_the_match_that_lists_the_skill_keeps_the_pair(research_script) -> None:
    title_verdicts = research_script("occupation_title_pairs").title_verdicts
    by_label = {"chef": {"occ:cook"}, "head chef": {"occ:head-cook"}}
    skills_of = {"occ:cook": set(), "occ:head-cook": {"skill:lead-kitchen"}}
    pairs = _pairs([("Head chef wanted for our busy kitchen.", "chef", "skill:lead-kitchen")])
    assert title_verdicts(pairs, by_label, skills_of)["drop"].tolist() == [False]

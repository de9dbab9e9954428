"""research/sense_gate.py (gates on literal hits) and research/sense_filter_pairs.py (pair ranks)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from skillx.fusion import LiteralEvidence


def test_rank_and_delta_gates_keep_only_hits_the_encoder_agrees_with(research_script) -> None:
    gate_weights = research_script("sense_gate").gate_weights
    semantic = np.array([0.60, 0.55, 0.30, 0.05])
    hits = [LiteralEvidence(1, 0, 4), LiteralEvidence(3, 5, 9)]
    assert gate_weights(semantic, hits, ("rank", 2), False) == {1: 1.0, 3: 0.0}
    assert gate_weights(semantic, hits, ("rank", 4), False) == {1: 1.0, 3: 1.0}
    assert gate_weights(semantic, hits, ("delta", 0.1), False) == {1: 1.0, 3: 0.0}
    assert gate_weights(semantic, hits, ("none", 0), False) == {1: 1.0, 3: 1.0}


def test_sense_gate_keeps_the_best_of_the_skills_sharing_a_span(research_script) -> None:
    gate_weights = research_script("sense_gate").gate_weights
    semantic = np.array([0.2, 0.5, 0.1])
    shared = [LiteralEvidence(0, 0, 5, ambiguous=True), LiteralEvidence(1, 0, 5, ambiguous=True)]
    assert gate_weights(semantic, shared, ("none", 0), True) == {0: 0.0, 1: 1.0}
    # a skill that also has a span of its own keeps it
    own = [*shared, LiteralEvidence(0, 10, 14)]
    assert gate_weights(semantic, own, ("none", 0), True)[0] == 1.0


def test_pair_ranks_count_the_skills_scored_above_the_pair(research_script) -> None:
    pair_ranks = research_script("sense_filter_pairs").pair_ranks
    scores = {"a chef": [0.9, 0.1, 0.5], "spark and flair": [0.2, 0.3, 0.4]}
    extractor = SimpleNamespace(
        ranker=SimpleNamespace(index=SimpleNamespace(uris=("u0", "u1", "u2"))),
        score_sentences=lambda texts: np.array([scores[t] for t in texts]),
    )
    pairs = pd.DataFrame(
        {"sentence": ["a chef", "spark and flair", "a chef", "a chef"], "uri": ["u1", "u0", "u0", "gone"]}
    )
    # block=1 checks the walk over sentence blocks; an unknown URI is kept with rank -1
    assert pair_ranks(pairs, extractor, block=1).tolist() == [2, 2, 0, -1]
    assert pair_ranks(pairs, extractor).tolist() == [2, 2, 0, -1]


def test_sibling_ranks_take_the_best_sibling(research_script) -> None:
    pair_ranks = research_script("sense_filter_pairs").pair_ranks
    scores = {"a chef": [0.9, 0.1, 0.5, 0.3], "spark and flair": [0.2, 0.3, 0.4, 0.1]}
    extractor = SimpleNamespace(
        ranker=SimpleNamespace(index=SimpleNamespace(uris=("u0", "u1", "u2", "u3"))),
        score_sentences=lambda texts: np.array([scores[t] for t in texts]),
    )
    siblings = (np.array([1, 3]), np.array([0, 3]), np.array([], dtype=np.int32), np.array([0, 1]))
    pairs = pd.DataFrame({"sentence": ["a chef", "a chef", "spark and flair", "a chef"],
                          "uri": ["u1", "u0", "u3", "u2"]})  # fmt: skip
    # u1's siblings u0 (rank 0) and u3 (2): 0; u0's u1 (3), u3 (2): 2; u3's u0 (2), u1 (1): 1;
    # u2 has no siblings to ask: -1 (kept)
    assert pair_ranks(pairs, extractor, siblings=siblings, block=1).tolist() == [0, 2, 1, -1]


def test_keep_by_form_drops_whole_groups_that_mostly_fail(research_script) -> None:
    import numpy as np
    import pandas as pd

    module = research_script("sense_filter_pairs")
    pairs = pd.DataFrame(
        {
            "surface_form": ["Chef", "chef", "chef", "chef", "SQL", "SQL", "SQL", "SQL"],
            "uri": ["u:chef"] * 4 + ["u:sql"] * 4,
        }
    )
    ranks = np.array([900, 800, 10, 700, 5, 900, 3, 1])  # chef: 3 of 4 fail; SQL: 1 of 4 fails
    keep = ranks < 500
    assert module.keep_by_form(pairs, keep, ranks, 4).tolist() == [False] * 4 + [True] * 4
    assert module.keep_by_form(pairs, keep, ranks, 5).tolist() == [True] * 8  # groups too small to judge

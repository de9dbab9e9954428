"""research/description_view.py and research/_per_sentence.py: the score mix, the per-sentence files."""

from __future__ import annotations

import json

import numpy as np
import pytest


def test_the_mix_interpolates_the_two_views(research_script) -> None:
    script = research_script("description_view")
    calls = []

    def own(texts, batch_size, show_progress):
        return np.array([[0.6, 0.2]] * len(texts), dtype=np.float32)

    def view(texts, batch_size, show_progress):
        calls.append(len(texts))
        return np.array([[0.1, 0.5]] * len(texts), dtype=np.float32)

    np.testing.assert_allclose(script.mixed(own, view, 0.25)(["a"], 8, False), [[0.475, 0.275]], rtol=1e-6)
    np.testing.assert_allclose(script.mixed(own, view, 1.0)(["a", "b"], 8, False), [[0.1, 0.5]] * 2)
    assert script.mixed(own, view, 1.0)(["a"], 8, False).argmax() == 1  # the view alone reorders
    calls.clear()
    np.testing.assert_allclose(script.mixed(own, view, 0.0)(["a"], 8, False), [[0.6, 0.2]])
    assert calls == []  # w = 0 does not score the view at all


def test_views_of_different_skill_sets_are_refused(research_script) -> None:
    script = research_script("description_view")

    def own(texts, batch_size, show_progress):
        return np.zeros((len(texts), 3), dtype=np.float32)

    def view(texts, batch_size, show_progress):
        return np.zeros((len(texts), 2), dtype=np.float32)

    with pytest.raises(ValueError, match="different skill sets"):
        script.mixed(own, view, 0.5)(["a"], 8, False)


class _FixedRanker:
    """Ranks the same URIs for every sentence."""

    def __init__(self, uris: list[str]) -> None:
        self.uris = uris

    def rank(self, sentences, *, k):
        return [self.uris[:k] for _ in sentences]


def test_per_sentence_files_hold_rp_at_k_per_sentence(research_script, tmp_path) -> None:
    research_script("_common")  # puts research/ on sys.path
    helpers = research_script("_per_sentence")
    from skillx.evaluation.benchmark import Benchmark

    bench = Benchmark(name="toy", sentences=("s1", "s2"), gold=(frozenset({"a"}), frozenset({"c", "d"})))
    means = helpers.write_per_sentence(
        {"fused": _FixedRanker(["a", "b", "c"]), "semantic": _FixedRanker(["b", "c", "d"])},
        [bench],
        [1, 5],
        tmp_path / "ps",
        lambda kind, k: f"m-{kind}{'' if k == 5 else f'-rp{k}'}.json",
        {"source": "toy"},
    )
    fused = json.loads((tmp_path / "ps" / "m-fused.json").read_text())
    assert fused["k"] == 5 and fused["source"] == "toy"
    assert fused["splits"]["toy"] == {"s1": 1.0, "s2": 0.5}  # RP@5: 1 of min(5, 2) gold for s2
    semantic_rp1 = json.loads((tmp_path / "ps" / "m-semantic-rp1.json").read_text())
    assert semantic_rp1["splits"]["toy"] == {"s1": 0.0, "s2": 0.0}
    assert means[("semantic", 5)]["toy"] == pytest.approx(50.0)  # s1 0, s2 both gold in the top 5


class _ScoringRanker:
    """Ranks columns by its `_text_scores`, as the product's ranker does."""

    uris = ("a", "b", "c")

    def _text_scores(self, texts, batch_size, show_progress):
        return np.array([[0.9, 0.5, 0.1]] * len(texts), dtype=np.float32)

    def rank(self, sentences, *, k):
        scores = self._text_scores(list(sentences), 64, False)
        return [[self.uris[j] for j in np.argsort(-row)[:k]] for row in scores]


class _Extractor:
    def __init__(self) -> None:
        self.ranker = _ScoringRanker()

    def rank(self, sentences, *, k):
        return self.ranker.rank(sentences, k=k)


def test_each_setting_replaces_the_scores_and_the_own_come_back(research_script, tmp_path) -> None:
    research_script("_common")
    helpers = research_script("_per_sentence")
    from skillx.evaluation.benchmark import Benchmark

    bench = Benchmark(name="toy", sentences=("s1",), gold=(frozenset({"c"}),))
    extractor = _Extractor()
    own = extractor.ranker._text_scores

    def c_first(texts, batch_size, show_progress):
        return np.array([[0.1, 0.2, 0.9]] * len(texts), dtype=np.float32)

    helpers.write_settings(
        extractor, [("", None), ("-c", c_first)], [bench], [1], tmp_path, "m", {"source": "t"}
    )
    assert json.loads((tmp_path / "m-fused-rp1.json").read_text())["splits"]["toy"] == {"s1": 0.0}
    changed = json.loads((tmp_path / "m-c-semantic-rp1.json").read_text())
    assert changed["splits"]["toy"] == {"s1": 1.0} and changed["setting"] == "-c"
    assert extractor.ranker._text_scores == own

    def broken(texts, batch_size, show_progress):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        helpers.write_settings(extractor, [("-x", broken)], [bench], [5], tmp_path, "m", {})
    assert extractor.ranker._text_scores == own  # put back even when a setting fails

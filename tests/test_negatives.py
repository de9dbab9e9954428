"""Tests of skillx.negatives: the registry, determinism, exclusions and tier order."""

from __future__ import annotations

import numpy as np
import pytest

from skillx.errors import InputError, NotFittedError, UnknownNameError
from skillx.negatives import (
    NegativeSampler,
    RandomSampler,
    SamplerMix,
    SimilarSampler,
    TaxonomySampler,
    available_samplers,
    get_sampler,
    register_sampler,
)
from skillx.taxonomy import Skill, SkillGroup, SkillRelation, Taxonomy


@pytest.fixture
def tree() -> Taxonomy:
    """root > {G1 > {G1a: a1 a2 a3, G1b: b1 b2}, G2 > {G2a: c1 c2}}, relation a1 - c1."""
    groups = [
        SkillGroup("g:root", "root"),
        SkillGroup("g:1", "one", broader=("g:root",)),
        SkillGroup("g:2", "two", broader=("g:root",)),
        SkillGroup("g:1a", "one a", broader=("g:1",)),
        SkillGroup("g:1b", "one b", broader=("g:1",)),
        SkillGroup("g:2a", "two a", broader=("g:2",)),
    ]
    skills = [Skill(f"s:{n}", f"skill {n}", broader=(g,)) for n, g in [
        ("a1", "g:1a"), ("a2", "g:1a"), ("a3", "g:1a"), ("b1", "g:1b"), ("b2", "g:1b"),
        ("c1", "g:2a"), ("c2", "g:2a"),
    ]]
    return Taxonomy(skills, groups, [SkillRelation("s:a1", "s:c1")])


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def test_registry_lists_builtins() -> None:
    assert {"random", "taxonomy", "similar"} <= set(available_samplers())


def test_registry_unknown_name_lists_known_ones() -> None:
    with pytest.raises(UnknownNameError, match=r"Unknown negative sampler 'nope'\. Available: .*random"):
        get_sampler("nope")


def test_registry_bad_option_is_input_error() -> None:
    with pytest.raises(InputError, match="Bad options for negative sampler 'taxonomy'"):
        get_sampler("taxonomy", deepness=3)


def test_registry_user_sampler_registered_and_used(tree: Taxonomy, monkeypatch: pytest.MonkeyPatch) -> None:
    from skillx.negatives import base

    monkeypatch.setattr(base, "_REGISTRY", dict(base._REGISTRY))  # registration undone after the test

    @register_sampler("last_skills_test")
    class LastSkills(NegativeSampler):
        def _candidates(self, anchor, positive_uri, *, rng):
            return reversed(self.uris_)

    sampler = get_sampler("last_skills_test").fit(tree)
    assert sampler.sample("x", "s:a1", n=2, rng=rng()) == ["s:c2", "s:c1"]
    assert "last_skills_test" in available_samplers()


def test_sampler_unfitted_raises() -> None:
    with pytest.raises(NotFittedError, match=r"[Cc]all .fit."):
        RandomSampler().sample("x", "s:a1", n=1, rng=rng())


@pytest.mark.parametrize("name", ["random", "taxonomy"])
def test_sampler_deterministic_given_seed(tree: Taxonomy, name: str) -> None:
    def draw(seed: int) -> list[list[str]]:
        s = get_sampler(name).fit(tree)
        g = rng(seed)
        return [s.sample("x", uri, n=3, rng=g) for uri in tree.uris]

    assert draw(7) == draw(7)
    assert draw(7) != draw(8) or name == "taxonomy"  # taxonomy tiers may coincide on tiny data


@pytest.mark.parametrize("name", ["random", "taxonomy"])
def test_sampler_never_returns_positive_or_excluded(tree: Taxonomy, name: str) -> None:
    s = get_sampler(name).fit(tree)
    for seed in range(20):
        out = s.sample("x", "s:a1", n=4, exclude={"s:a2", "s:b1"}, rng=rng(seed))
        assert len(out) == len(set(out)) == 4
        assert not {"s:a1", "s:a2", "s:b1"} & set(out)


def test_taxonomy_tiers_siblings_then_cousins_then_related(tree: Taxonomy) -> None:
    s = TaxonomySampler(depth=2).fit(tree)
    assert [set(t) for t in s.neighbours("s:a1")] == [{"s:a2", "s:a3"}, {"s:b1", "s:b2"}, {"s:c1"}]
    for seed in range(10):
        out = s.sample("x", "s:a1", n=5, rng=rng(seed))
        assert set(out[:2]) == {"s:a2", "s:a3"}
        assert set(out[2:4]) == {"s:b1", "s:b2"}
        assert out[4] == "s:c1"


def test_taxonomy_depth_one_skips_cousins(tree: Taxonomy) -> None:
    s = TaxonomySampler(depth=1, include_related=False).fit(tree)
    assert [set(t) for t in s.neighbours("s:a1")] == [{"s:a2", "s:a3"}]


def test_taxonomy_shortfall_filled_randomly_and_counted(tree: Taxonomy) -> None:
    s = TaxonomySampler(depth=1, include_related=False).fit(tree)
    out = s.sample("x", "s:b1", n=4, rng=rng(1))  # one sibling only
    assert out[0] == "s:b2" and len(set(out)) == 4 and "s:b1" not in out
    assert s.shortfall_ == 3


def test_sampler_asks_more_than_taxonomy_has_returns_all_others(tree: Taxonomy) -> None:
    out = RandomSampler().fit(tree).sample("x", "s:a1", n=50, rng=rng())
    assert sorted(out) == sorted(u for u in tree.uris if u != "s:a1")


def _embeddings() -> np.ndarray:
    # a1 ~ a2 near-duplicates (cos > 0.9); b1 close to a1 (cos 0.8); c2 far.
    vecs = {
        "a1": [1.0, 0.0, 0.0], "a2": [0.99, 0.1, 0.0], "a3": [0.5, 0.5, 0.7],
        "b1": [0.8, 0.6, 0.0], "b2": [0.6, 0.0, 0.8], "c1": [0.7, 0.0, 0.71], "c2": [0.0, 0.0, 1.0],
    }
    return np.array([vecs[k] for k in ["a1", "a2", "a3", "b1", "b2", "c1", "c2"]], dtype=np.float32)


def test_similar_skips_near_duplicates_and_excluded(tree: Taxonomy) -> None:
    s = SimilarSampler(pool=6, margin=0.9, shuffle_pool=False).fit(tree, skill_embeddings=_embeddings())
    out = s.sample("x", "s:a1", n=2, rng=rng())
    assert out == ["s:b1", "s:c1"]  # a2 is a near-duplicate (cos > 0.9), so it is skipped
    out = s.sample("x", "s:a1", n=2, exclude=["s:b1"], rng=rng())  # literal match in the sentence
    assert out == ["s:c1", "s:b2"]


def test_similar_sentence_query_uses_encoder(tree: Taxonomy) -> None:
    class FakeEncoder:
        calls = 0

        def encode(self, texts, **kwargs):
            FakeEncoder.calls += 1
            return np.array([[0.0, 0.0, 1.0] for _ in texts], dtype=np.float32)

    s = SimilarSampler(query="sentence", pool=3, shuffle_pool=False)
    s.fit(tree, encoder=FakeEncoder(), skill_embeddings=_embeddings())
    s.prepare(["some sentence", "some sentence"])
    assert s.sample("some sentence", "s:a1", n=1, rng=rng()) == ["s:c2"]  # nearest to the sentence
    assert FakeEncoder.calls == 1  # sentences embedded once, in batch


def test_similar_without_encoder_or_embeddings_names_fix(tree: Taxonomy) -> None:
    with pytest.raises(InputError, match=r"encoder=.*skill_embeddings="):
        SimilarSampler().fit(tree)


def test_mix_columns_distinct_in_spec_order(tree: Taxonomy) -> None:
    mix = SamplerMix({"taxonomy": 2, "similar": 1, "random": 1}, options={"similar": {"shuffle_pool": False}})
    mix.fit(tree, skill_embeddings=_embeddings())
    assert mix.n_negatives == 4
    out = mix.sample("x", "s:a1", exclude=["s:a3"], rng=rng(3))
    assert len(out) == len(set(out)) == 4 and not {"s:a1", "s:a3"} & set(out)
    assert out[:2] == ["s:a2", out[1]] and out[1] in {"s:b1", "s:b2"}  # sibling a2 first, then a cousin
    assert out[2] not in out[:2]


def test_mix_rejects_bad_counts_and_options() -> None:
    with pytest.raises(InputError, match="integer >= 0"):
        SamplerMix({"random": -1})
    with pytest.raises(InputError, match="not in the spec"):
        SamplerMix({"random": 1}, options={"taxonomy": {"depth": 1}})

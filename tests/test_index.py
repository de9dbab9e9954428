"""SkillIndex: skill-text modes, aggregation, exact top-k, chunking, save/load and staleness."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from skillx.encoder import encode, load_encoder, model_fingerprint
from skillx.errors import InputError, SkillIndexError, StaleIndexError, TaxonomyError, UnknownNameError
from skillx.index import SkillIndex, skill_text_names, skill_texts, top_k_rows
from skillx.paths import cache_dir
from skillx.taxonomy import Skill, Taxonomy

QUERIES = [
    "Experience with Python and SQL databases",
    "You will greet guests and serve drinks at the bar",
    "Able to perform CPR and give first aid",
    "Strong communication skills",
    "Build web applications in JavaScript",
]


@pytest.fixture(scope="module")
def minilm():
    return load_encoder()


@pytest.fixture(scope="module")
def queries(minilm) -> np.ndarray:
    return encode(minilm, QUERIES)


@pytest.fixture(scope="module")
def alt_index(toy_taxonomy, minilm) -> SkillIndex:
    return SkillIndex.build(toy_taxonomy, minilm, skill_text="preferred+alt")


def _synthetic(n_skills: int, rows: np.ndarray, owners: list[int]) -> SkillIndex:
    return SkillIndex(
        rows,
        np.asarray(owners),
        uris=[f"urn:{i}" for i in range(n_skills)],
        skill_text="preferred",
        model_fingerprint="m",
        taxonomy_fingerprint="t",
    )


def test_skill_text_modes_are_registered(toy_taxonomy) -> None:
    assert {"preferred", "preferred+alt", "label+description"} <= set(skill_text_names())
    texts, owners = skill_texts(toy_taxonomy, "preferred")
    assert texts == [s.preferred_label for s in toy_taxonomy]
    assert owners.tolist() == list(range(len(toy_taxonomy)))
    texts, owners = skill_texts(toy_taxonomy, "preferred+alt")
    python = toy_taxonomy.find("Python (computer programming)")[0]
    row = toy_taxonomy.position(python.uri)
    assert [t for t, o in zip(texts, owners, strict=True) if o == row] == [
        python.preferred_label,
        *python.alt_labels,
    ]
    texts, _ = skill_texts(toy_taxonomy, "label+description")
    assert texts[row].startswith("Python (computer programming): The techniques")


def test_unknown_mode_and_aggregation_list_the_known_ones(toy_taxonomy, minilm) -> None:
    with pytest.raises(UnknownNameError, match=r"Unknown skill-text mode 'labels'.*preferred\+alt"):
        SkillIndex.build(toy_taxonomy, minilm, skill_text="labels")
    with pytest.raises(UnknownNameError, match="Available: max, mean"):
        SkillIndex.build(toy_taxonomy, minilm, aggregation="sum")


def test_empty_taxonomy_is_rejected(minilm) -> None:
    with pytest.raises(TaxonomyError, match="no skills"):
        SkillIndex.build(Taxonomy([]), minilm)


def test_preferred_index_scores_are_cosines(toy_taxonomy, minilm, queries) -> None:
    index = SkillIndex.build(toy_taxonomy, minilm)
    assert (index.n_skills, index.n_texts, index.dim) == (len(toy_taxonomy), len(toy_taxonomy), 384)
    assert index.uris == toy_taxonomy.uris
    labels = encode(minilm, [s.preferred_label for s in toy_taxonomy])
    np.testing.assert_allclose(index.scores(queries), queries @ labels.T, atol=1e-5)


@pytest.mark.parametrize("aggregation", ["max", "mean"])
def test_multi_text_aggregation_equals_brute_force(alt_index, queries, aggregation) -> None:
    alt_index.aggregation = aggregation
    try:
        sims = queries @ alt_index.embeddings.T
        reduce = np.max if aggregation == "max" else np.mean
        expected = np.stack(
            [reduce(sims[:, alt_index.owners == s], axis=1) for s in range(alt_index.n_skills)], axis=1
        )
        np.testing.assert_allclose(alt_index.scores(queries), expected, atol=1e-6)
    finally:
        alt_index.aggregation = "max"
    assert alt_index.n_texts > alt_index.n_skills


def test_top_k_is_sorted_and_agrees_with_scores(alt_index, queries) -> None:
    indices, values = alt_index.top_k(queries, 5)
    assert indices.shape == values.shape == (len(QUERIES), 5)
    scores = alt_index.scores(queries)
    np.testing.assert_allclose(np.take_along_axis(scores, indices, axis=1), values)
    assert np.all(np.diff(values, axis=1) <= 0)
    np.testing.assert_allclose(values[:, 0], scores.max(axis=1))
    again = alt_index.top_k(queries, 5)
    assert np.array_equal(again[0], indices) and np.array_equal(again[1], values)


def test_top_k_finds_the_obvious_skills(alt_index, queries, toy_taxonomy) -> None:
    indices, _ = alt_index.top_k(queries, 3)
    top = [{toy_taxonomy.skills[j].preferred_label for j in row} for row in indices.tolist()]
    assert "SQL" in top[0] or "Python (computer programming)" in top[0]
    assert "serve beverages" in top[1] or "welcome restaurant guests" in top[1]
    assert "perform cardiopulmonary resuscitation" in top[2] or "provide first aid" in top[2]


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 1024])
def test_chunking_gives_identical_results(alt_index, queries, chunk_size) -> None:
    # BLAS may round the last float32 bit differently for other block shapes; nothing more.
    full_scores = alt_index.scores(queries)
    full_top = alt_index.top_k(queries, 7)
    np.testing.assert_allclose(alt_index.scores(queries, chunk_size=chunk_size), full_scores, atol=1e-6)
    chunked = alt_index.top_k(queries, 7, chunk_size=chunk_size)
    assert np.array_equal(chunked[0], full_top[0])
    np.testing.assert_allclose(chunked[1], full_top[1], atol=1e-6)
    assert np.array_equal(
        alt_index.scores(queries, chunk_size=chunk_size), alt_index.scores(queries, chunk_size=chunk_size)
    )


def test_memory_budget_limits_the_query_block(alt_index) -> None:
    small = SkillIndex(
        alt_index.embeddings,
        alt_index.owners,
        uris=alt_index.uris,
        skill_text="preferred+alt",
        model_fingerprint="m",
        taxonomy_fingerprint="t",
        memory_budget=1,
    )
    assert small._query_chunk() == 1
    assert alt_index._query_chunk() == 1024


def test_top_k_breaks_ties_by_skill_position() -> None:
    rows = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    index = _synthetic(5, rows, [0, 1, 2, 3, 4])
    indices, values = index.top_k(np.array([[1.0, 0.0]], dtype=np.float32), 2)
    assert indices.tolist() == [[0, 2]]
    assert values.tolist() == [[1.0, 1.0]]
    indices, _ = index.top_k(np.array([[0.0, 1.0]], dtype=np.float32), 4)
    assert indices.tolist() == [[1, 4, 0, 2]]


@pytest.mark.parametrize("k", [1, 2, 3, 5, 8, 9])
def test_top_k_rows_matches_a_stable_full_sort(k: int) -> None:
    rng = np.random.default_rng(k)
    scores = rng.integers(0, 4, size=(6, 9)).astype(np.float32)  # many ties
    indices, values = top_k_rows(scores, k)
    expected = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    assert np.array_equal(indices, expected)
    assert np.array_equal(values, np.take_along_axis(scores, expected, axis=1))


def test_top_k_clips_k_and_validates_input(alt_index, queries) -> None:
    indices, _ = alt_index.top_k(queries[:1], 10_000)
    assert sorted(indices[0].tolist()) == list(range(alt_index.n_skills))
    with pytest.raises(InputError, match="positive integer"):
        alt_index.top_k(queries, 0)
    with pytest.raises(InputError, match=r"shape \(n, 384\)"):
        alt_index.scores(np.zeros((2, 10), dtype=np.float32))


def test_multi_text_owners_must_cover_every_skill() -> None:
    with pytest.raises(SkillIndexError, match="every skill"):
        _synthetic(3, np.eye(3, dtype=np.float32), [0, 2, 2])


def test_save_load_round_trip(alt_index, toy_taxonomy, queries, tmp_path: Path) -> None:
    alt_index.save(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["embeddings.npy", "index.json", "owners.npy"]
    meta = json.loads((tmp_path / "index.json").read_text())
    assert meta["skill_text"] == "preferred+alt"
    assert meta["taxonomy_fingerprint"] == toy_taxonomy.fingerprint
    assert meta["model_fingerprint"] == alt_index.model_fingerprint
    assert np.load(tmp_path / "embeddings.npy", allow_pickle=False).dtype == np.float32
    loaded = SkillIndex.load(tmp_path, taxonomy=toy_taxonomy, encoder_fingerprint=alt_index.model_fingerprint)
    assert (loaded.skill_text, loaded.n_texts, loaded.uris) == (
        "preferred+alt",
        alt_index.n_texts,
        alt_index.uris,
    )
    assert np.array_equal(loaded.scores(queries), alt_index.scores(queries))


def test_load_refuses_stale_or_missing_index(alt_index, toy_taxonomy, tmp_path: Path) -> None:
    with pytest.raises(SkillIndexError, match="No skill index"):
        SkillIndex.load(tmp_path / "nothing", taxonomy=toy_taxonomy)
    alt_index.save(tmp_path)
    other = Taxonomy([*toy_taxonomy.skills[:-1]])
    with pytest.raises(StaleIndexError, match="taxonomy"):
        SkillIndex.load(tmp_path, taxonomy=other)
    with pytest.raises(StaleIndexError, match="model"):
        SkillIndex.load(tmp_path, taxonomy=toy_taxonomy, encoder_fingerprint="another-model")
    with pytest.raises(StaleIndexError, match="skill-text mode"):
        SkillIndex.load(tmp_path, taxonomy=toy_taxonomy, skill_text="preferred")
    (tmp_path / "embeddings.npy").write_bytes(b"garbage")
    with pytest.raises(SkillIndexError, match="rebuild"):
        SkillIndex.load(tmp_path, taxonomy=toy_taxonomy)


def test_load_or_build_reuses_fresh_and_rebuilds_stale(toy_taxonomy, minilm, tmp_path, monkeypatch) -> None:
    built: list[str] = []
    original = SkillIndex.build.__func__  # type: ignore[attr-defined]

    def counting_build(cls, taxonomy, encoder, **kwargs):
        built.append(kwargs["skill_text"])
        return original(cls, taxonomy, encoder, **kwargs)

    monkeypatch.setattr(SkillIndex, "build", classmethod(counting_build))
    first = SkillIndex.load_or_build(tmp_path, toy_taxonomy, minilm, skill_text="preferred")
    again = SkillIndex.load_or_build(tmp_path, toy_taxonomy, minilm, skill_text="preferred")
    assert built == ["preferred"]
    assert np.array_equal(first.embeddings, again.embeddings)
    # another mode: rebuilt, never reused
    alt = SkillIndex.load_or_build(tmp_path, toy_taxonomy, minilm, skill_text="preferred+alt")
    assert built == ["preferred", "preferred+alt"] and alt.n_texts > alt.n_skills
    # aggregation alone does not change the embeddings: reused
    mean = SkillIndex.load_or_build(
        tmp_path, toy_taxonomy, minilm, skill_text="preferred+alt", aggregation="mean"
    )
    assert len(built) == 2 and mean.aggregation == "mean"
    # another taxonomy: rebuilt
    smaller = Taxonomy([*toy_taxonomy.skills[:10]])
    rebuilt = SkillIndex.load_or_build(tmp_path, smaller, minilm, skill_text="preferred+alt")
    assert len(built) == 3 and rebuilt.n_skills == 10
    # another model fingerprint: rebuilt
    SkillIndex.load_or_build(tmp_path, smaller, minilm, skill_text="preferred+alt", model_fingerprint="x")
    assert len(built) == 4
    assert json.loads((tmp_path / "index.json").read_text())["model_fingerprint"] == "x"


def test_default_location_is_the_user_cache(toy_taxonomy, minilm) -> None:
    index = SkillIndex.load_or_build(None, toy_taxonomy, minilm, skill_text="preferred")
    folders = [p for p in cache_dir("index").iterdir() if (p / "index.json").is_file()]
    metas = [json.loads((p / "index.json").read_text()) for p in folders]
    assert any(
        m["taxonomy_fingerprint"] == toy_taxonomy.fingerprint
        and m["model_fingerprint"] == model_fingerprint(minilm)
        and m["skill_text"] == "preferred"
        for m in metas
    )
    assert index.n_skills == len(toy_taxonomy)


def test_duplicate_texts_are_encoded_once(minilm) -> None:
    taxonomy = Taxonomy(
        [
            Skill("urn:a", "data analysis", alt_labels=("analyse data",)),
            Skill("urn:b", "data mining", alt_labels=("data analysis",)),
        ]
    )
    calls: list[list[str]] = []

    class Spy:
        def __getattr__(self, name):
            return getattr(minilm, name)

        def encode(self, texts, **kwargs):
            calls.append(list(texts))
            return minilm.encode(texts, **kwargs)

    index = SkillIndex.build(taxonomy, Spy(), skill_text="preferred+alt", model_fingerprint="m")
    assert [sorted(c) for c in calls] == [["analyse data", "data analysis", "data mining"]]
    assert index.n_texts == 4
    np.testing.assert_allclose(index.embeddings[0], index.embeddings[3])

"""SemanticRanker: ranking records, input rules, determinism and loading from model directories."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from skillx.encoder import default_model_path, load_encoder
from skillx.errors import InputError, TaxonomyError
from skillx.index import SkillIndex
from skillx.model_dir import ModelMeta, TaxonomyRef, write_model_meta
from skillx.ranker import RECOMMENDED_CLAUSE_MARGIN, SemanticRanker
from skillx.results import SkillMatch
from skillx.taxonomy import Taxonomy

SENTENCES = [
    "Experience with Python programming and SQL databases",
    "You will welcome guests at our restaurant",
    "Able to perform CPR in an emergency",
]


@pytest.fixture(scope="module")
def minilm():
    return load_encoder()


@pytest.fixture(scope="module")
def ranker(toy_taxonomy, minilm) -> SemanticRanker:
    return SemanticRanker(minilm, SkillIndex.build(toy_taxonomy, minilm), toy_taxonomy)


def test_rank_returns_skill_matches_best_first(ranker, toy_taxonomy) -> None:
    results = ranker.rank(SENTENCES, k=3)
    assert len(results) == 3 and all(len(row) == 3 for row in results)
    for row in results:
        assert all(isinstance(m, SkillMatch) and m.source == "semantic" for m in row)
        assert all(m.start is None and m.end is None for m in row)
        assert [m.score for m in row] == sorted((m.score for m in row), reverse=True)
        assert all(toy_taxonomy[m.uri].preferred_label == m.label for m in row)
    tops = [row[0].label for row in results]
    assert tops[1] == "welcome restaurant guests"
    assert tops[2] == "perform cardiopulmonary resuscitation"
    assert {"Python (computer programming)", "SQL"} & {m.label for m in results[0]}


def test_rank_is_deterministic_and_matches_score_matrix(ranker) -> None:
    first = ranker.rank(SENTENCES, k=5)
    assert ranker.rank(SENTENCES, k=5) == first
    matrix = ranker.score_matrix(SENTENCES)
    assert matrix.shape == (3, ranker.n_skills) and matrix.dtype == np.float32
    for row, matches in zip(matrix, first, strict=True):
        assert [ranker.taxonomy.uris[j] for j in np.argsort(-row, kind="stable")[:5]] == [
            m.uri for m in matches
        ]
        assert matches[0].score == pytest.approx(float(row.max()), abs=1e-6)


def test_blank_sentences_give_empty_lists_and_nan_rows(ranker) -> None:
    results = ranker.rank(["", "  \n\t", SENTENCES[1]], k=2)
    assert results[0] == [] and results[1] == []
    assert results[2][0].label == "welcome restaurant guests"
    assert ranker.rank([]) == []
    assert ranker.rank(["   "]) == [[]]
    matrix = ranker.score_matrix(["", SENTENCES[0]])
    assert np.isnan(matrix[0]).all() and not np.isnan(matrix[1]).any()


def test_non_string_items_raise_type_error_naming_the_position(ranker) -> None:
    with pytest.raises(TypeError, match="position 1 is NoneType"):
        ranker.rank(["fine", None])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="position 0 is float"):
        ranker.score_matrix([math.nan])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="single string"):
        ranker.rank("Python programming")


def test_bad_k_raises_input_error(ranker) -> None:
    for k in (0, -1, 2.5, True):
        with pytest.raises(InputError, match="positive integer"):
            ranker.rank(SENTENCES, k=k)  # type: ignore[arg-type]


def test_k_beyond_the_taxonomy_returns_every_skill(ranker, toy_taxonomy) -> None:
    row = ranker.rank([SENTENCES[0]], k=1000)[0]
    assert sorted(m.uri for m in row) == sorted(toy_taxonomy.uris)


def test_long_sentences_are_truncated_by_the_encoder(ranker) -> None:
    limit = ranker.encoder.max_seq_length
    long_text = "I can serve drinks to guests. " * limit  # far beyond max_seq_length word pieces
    a, b = ranker.encode([long_text, long_text + " Also expert in welding and nuclear physics."])
    np.testing.assert_allclose(a, b, atol=1e-6)  # the tail beyond the limit is not seen
    assert ranker.rank([long_text], k=1)[0][0].label == "serve beverages"


def test_empty_taxonomy_and_foreign_index_are_rejected(minilm, ranker, toy_taxonomy) -> None:
    with pytest.raises(TaxonomyError, match="no skills"):
        SemanticRanker.from_pretrained(taxonomy=Taxonomy([]))
    with pytest.raises(TaxonomyError, match="no skills"):
        SemanticRanker(minilm, ranker.index, Taxonomy([]))
    smaller = Taxonomy([*toy_taxonomy.skills[:5]])
    with pytest.raises(TaxonomyError, match="not those of"):
        SemanticRanker(minilm, ranker.index, smaller)


def test_from_pretrained_default_model_builds_then_reuses_the_cache(toy_taxonomy, monkeypatch) -> None:
    ranker = SemanticRanker.from_pretrained(taxonomy=toy_taxonomy, skill_text="preferred+alt")
    assert ranker.index.skill_text == "preferred+alt"
    monkeypatch.setattr(SkillIndex, "build", _no_build)
    again = SemanticRanker.from_pretrained(taxonomy=toy_taxonomy, skill_text="preferred+alt")
    assert np.array_equal(again.index.embeddings, ranker.index.embeddings)


def _no_build(*args, **kwargs):
    raise AssertionError("the index should have been reused, not rebuilt")


def _skillx_dir(root: Path, skill_text: str) -> Path:
    shutil.copytree(default_model_path(), root / "model")
    write_model_meta(root, ModelMeta(skill_text=skill_text, taxonomy=TaxonomyRef(name="toy")))
    return root


def test_from_pretrained_reuses_the_index_of_a_skillx_model_dir(
    tmp_path, toy_taxonomy, minilm, monkeypatch
) -> None:
    root = _skillx_dir(tmp_path / "m", "label+description")
    SkillIndex.build(toy_taxonomy, load_encoder(root), skill_text="label+description").save(root / "index")
    monkeypatch.setattr(SkillIndex, "build", _no_build)
    ranker = SemanticRanker.from_pretrained(root, taxonomy=toy_taxonomy)
    assert ranker.index.skill_text == "label+description"  # read from skillx.json
    top = ranker.rank([SENTENCES[2]], k=2)[0]
    assert "perform cardiopulmonary resuscitation" in {m.label for m in top}


def test_from_pretrained_rebuilds_a_stale_model_dir_index_in_the_cache(
    tmp_path, toy_taxonomy, minilm
) -> None:
    root = _skillx_dir(tmp_path / "m", "preferred")
    smaller = Taxonomy([*toy_taxonomy.skills[:5]])
    SkillIndex.build(smaller, minilm, skill_text="preferred").save(root / "index")
    ranker = SemanticRanker.from_pretrained(root, taxonomy=toy_taxonomy)
    assert ranker.n_skills == len(toy_taxonomy)
    # the model directory is left as it was
    assert SkillIndex.load(root / "index", taxonomy=smaller).n_skills == 5


# -- clause scoring ----------------------------------------------------------------------------
LIST_SENTENCE = (
    "We offer a friendly team, and you will greet guests at the restaurant door, perform CPR in "
    "emergencies and write SQL queries for reports"
)
CPR = "perform cardiopulmonary resuscitation"


@pytest.fixture(scope="module")
def clause_ranker(ranker, minilm, toy_taxonomy) -> SemanticRanker:
    return SemanticRanker(minilm, ranker.index, toy_taxonomy, clause_margin=RECOMMENDED_CLAUSE_MARGIN)


def test_clause_scoring_is_off_by_default(ranker) -> None:
    assert ranker.clause_margin is None and "clause_margin=None" in repr(ranker)


def test_clause_scores_are_the_max_of_sentence_and_clause_scores(ranker, clause_ranker) -> None:
    from skillx.text import split_clauses

    clauses = split_clauses(LIST_SENTENCE)
    assert len(clauses) == 4
    sentence_scores = ranker.score_matrix([LIST_SENTENCE])[0]
    clause_scores = ranker.score_matrix(clauses).max(axis=0)
    expected = np.maximum(sentence_scores, clause_scores - RECOMMENDED_CLAUSE_MARGIN)
    got = clause_ranker.score_matrix([LIST_SENTENCE, "Python"])
    np.testing.assert_allclose(got[0], expected, atol=1e-5)
    assert (got[0] > sentence_scores + 1e-4).any()  # some clause wins over the sentence
    np.testing.assert_allclose(got[1], ranker.score_matrix(["Python"])[0], atol=1e-6)  # no clauses


def test_clause_scoring_finds_each_requirement_of_a_list_sentence(ranker, clause_ranker) -> None:
    assert CPR not in {m.label for m in ranker.rank([LIST_SENTENCE], k=6)[0]}
    found = clause_ranker.rank([LIST_SENTENCE, "", SENTENCES[1]], k=6)
    assert CPR in {m.label for m in found[0]}
    assert found[1] == [] and found[2][0].label == "welcome restaurant guests"
    matrix = clause_ranker.score_matrix([LIST_SENTENCE])[0]
    assert found[0][0].score == pytest.approx(float(matrix.max()), abs=1e-6)


@pytest.mark.parametrize("margin", [-0.1, 2.5, "0.1", True])
def test_bad_clause_margin_is_rejected(minilm, ranker, toy_taxonomy, margin) -> None:
    with pytest.raises(InputError, match=r"clause_margin .* \[0, 2\]"):
        SemanticRanker(minilm, ranker.index, toy_taxonomy, clause_margin=margin)

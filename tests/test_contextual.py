"""Contextual scoring: the attention math, the ranker that uses it, its record and its training loss."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest

import skillx.contextual as contextual_module
from skillx.contextual import ContextualScoring, attention_text_scores, check_scoring_mode, resolve_scoring
from skillx.errors import InputError, ModelError
from skillx.model_dir import ModelMeta, read_model_meta, write_model_meta
from skillx.taxonomy import Taxonomy

SENTENCES = [
    "Experience with Python and SQL, plus strong communication with customers.",
    "Head chef wanted for our busy kitchen.",
    "",
    "Manage budgets",
]


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


# -- the record ---------------------------------------------------------------------------------
def test_scoring_record_round_trips_and_names_bad_values() -> None:
    scoring = ContextualScoring(tau=0.05, pooled_weight=0.5)
    assert ContextualScoring.from_dict(scoring.to_dict()) == scoring
    assert ContextualScoring().to_dict() == {
        "kind": "contextual", "tau": 0.02, "pooled_weight": 0.75, "candidates": 256,
    }  # fmt: skip
    # a record written before `candidates` existed reads with the recommended count
    older = {"kind": "contextual", "tau": 0.05, "pooled_weight": 0.5}
    assert ContextualScoring.from_dict(older).candidates == 256
    with pytest.raises(InputError, match="candidates"):
        ContextualScoring(candidates=-1)
    with pytest.raises(InputError, match="candidates"):
        ContextualScoring(candidates=2.5)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="tau"):
        ContextualScoring(tau=0.0)
    with pytest.raises(InputError, match="scoring='pooled'"):
        ContextualScoring(pooled_weight=1.0)
    with pytest.raises(InputError, match="finite"):
        ContextualScoring(tau=float("nan"))
    with pytest.raises(InputError, match="kind 'contextual'"):
        ContextualScoring.from_dict({"kind": "pooled"})
    with pytest.raises(InputError, match="lacks 'tau'"):
        ContextualScoring.from_dict({"kind": "contextual", "pooled_weight": 0.5})
    stored = ContextualScoring(tau=0.1, pooled_weight=0.5)
    assert resolve_scoring("auto", stored) == stored and resolve_scoring("auto", None) is None
    assert resolve_scoring("pooled", stored) is None
    assert resolve_scoring("contextual", stored) == stored
    assert resolve_scoring("contextual", None) == ContextualScoring()
    assert check_scoring_mode("pooled") == "pooled"
    with pytest.raises(InputError, match="auto, pooled, contextual"):
        check_scoring_mode("fast")


def test_model_meta_stores_scoring_and_marks_the_layout(tmp_path: Path) -> None:
    plain = ModelMeta(skill_text="preferred")
    assert plain.to_dict()["format_version"] == 1 and "scoring" not in plain.to_dict()
    meta = plain.replace(contextual=ContextualScoring())
    data = meta.to_dict()
    # an older skillx refuses layout 2 rather than scoring pooled against a contextual calibration
    assert data["format_version"] == 2 and data["scoring"]["kind"] == "contextual"
    (tmp_path / "model").mkdir()
    write_model_meta(tmp_path, meta)
    assert read_model_meta(tmp_path).contextual == ContextualScoring()
    bad = {**data, "scoring": {"kind": "contextual", "tau": -1, "pooled_weight": 0.5}}
    (tmp_path / "skillx.json").write_text(json.dumps(bad), encoding="utf-8")
    with pytest.raises(ModelError, match="stored scoring is unusable"):
        read_model_meta(tmp_path)


# -- the attention math -------------------------------------------------------------------------
def test_attention_goes_from_the_mean_token_to_the_best_token_as_tau_shrinks() -> None:
    rng = np.random.default_rng(0)
    tokens = _unit(rng.normal(size=(6, 8)))
    texts = _unit(rng.normal(size=(5, 8)))
    sims = tokens @ texts.T
    sharp = attention_text_scores(tokens, texts, tau=1e-4)
    np.testing.assert_allclose(sharp, sims.max(axis=0), atol=1e-5)
    flat = attention_text_scores(tokens, texts, tau=1.0)
    weights = np.exp(sims) / np.exp(sims).sum(axis=0)
    np.testing.assert_allclose(flat, (weights * sims).sum(axis=0), rtol=1e-5)
    assert np.all(flat <= sharp + 1e-6)
    assert attention_text_scores(tokens[:0], texts, tau=0.02).tolist() == [0.0] * 5


def test_attention_blocks_over_skill_texts_give_the_same_scores(monkeypatch) -> None:
    rng = np.random.default_rng(1)
    tokens = _unit(rng.normal(size=(4, 8)))
    texts = _unit(rng.normal(size=(11, 8)))
    whole = attention_text_scores(tokens, texts, tau=0.02)
    monkeypatch.setattr(contextual_module, "_TEXT_BLOCK", 3)
    np.testing.assert_allclose(attention_text_scores(tokens, texts, tau=0.02), whole, rtol=1e-6)


# -- the encoder and the ranker (bundled MiniLM, toy taxonomy) ------------------------------------
@pytest.fixture(scope="module")
def encoder():
    from skillx.encoder import load_encoder

    return load_encoder(None)


def test_encode_with_tokens_gives_the_pooled_embedding_and_word_piece_tokens(encoder) -> None:
    from skillx.encoder import encode, encode_with_tokens

    texts = ["Python and SQL", "Head chef wanted for our busy kitchen."]
    pooled, tokens = encode_with_tokens(encoder, texts, batch_size=1)
    np.testing.assert_allclose(pooled, encode(encoder, texts), atol=1e-5)
    pieces = [len(encoder.tokenizer(t)["input_ids"]) - 2 for t in texts]  # without [CLS] and [SEP]
    assert [t.shape for t in tokens] == [(n, 384) for n in pieces]
    np.testing.assert_allclose(np.linalg.norm(tokens[1], axis=1), 1.0, rtol=1e-5)
    # padding to a longer neighbour in the batch does not change a text's tokens
    _, batched = encode_with_tokens(encoder, texts, batch_size=2)
    np.testing.assert_allclose(batched[0], tokens[0], atol=1e-4)
    empty_pooled, empty_tokens = encode_with_tokens(encoder, [])
    assert empty_pooled.shape == (0, 384) and empty_tokens == []


@pytest.fixture(scope="module")
def rankers(encoder, toy_taxonomy: Taxonomy):
    from skillx.index import SkillIndex
    from skillx.ranker import SemanticRanker

    index = SkillIndex.build(toy_taxonomy, encoder, show_progress=False, model_fingerprint="test")
    pooled = SemanticRanker(encoder, index, toy_taxonomy)
    mixed = SemanticRanker(encoder, index, toy_taxonomy, contextual=ContextualScoring())
    return pooled, mixed


def test_contextual_ranker_scores_the_documented_mix(rankers, encoder) -> None:
    from skillx.encoder import encode_with_tokens

    pooled_ranker, ranker = rankers
    scores = ranker.score_matrix(SENTENCES)
    assert np.isnan(scores[2]).all() and not np.isnan(scores[[0, 1, 3]]).any()
    cosine = pooled_ranker.score_matrix(SENTENCES)
    _, tokens = encode_with_tokens(encoder, SENTENCES[:2])
    for row, token_rows in enumerate(tokens):
        attention = attention_text_scores(token_rows, ranker.index.embeddings, 0.02)
        np.testing.assert_allclose(scores[row], 0.75 * cosine[row] + 0.25 * attention, atol=1e-5)
    assert not np.allclose(scores[0], cosine[0], atol=1e-3)  # the attention term moves scores


def test_candidates_limit_the_attention_to_the_pooled_best_texts(rankers, encoder, toy_taxonomy) -> None:
    from skillx.encoder import encode_with_tokens
    from skillx.ranker import SemanticRanker

    pooled_ranker, _ = rankers
    index = pooled_ranker.index
    narrow = SemanticRanker(encoder, index, toy_taxonomy, contextual=ContextualScoring(candidates=5))
    scores = narrow.score_matrix(SENTENCES)
    assert np.isnan(scores[2]).all()
    cosine = pooled_ranker.score_matrix(SENTENCES)
    _, tokens = encode_with_tokens(encoder, [SENTENCES[0], SENTENCES[1], SENTENCES[3]])
    for row, token_rows in zip((0, 1, 3), tokens, strict=True):
        picked = np.argsort(-cosine[row], kind="stable")[:5]
        rest = np.setdiff1d(np.arange(index.n_skills), picked)
        attention = attention_text_scores(token_rows, index.embeddings[picked], 0.02)
        # the five best by cosine get the documented mix, the others their cosine
        mixed = 0.75 * cosine[row, picked] + 0.25 * attention
        np.testing.assert_allclose(scores[row, picked], mixed, atol=1e-5)
        np.testing.assert_allclose(scores[row, rest], cosine[row, rest], atol=1e-5)


def test_contextual_blocks_sorted_by_length_keep_each_row_its_sentence(rankers, monkeypatch) -> None:
    import skillx.ranker as ranker_module

    _, ranker = rankers
    texts = ["I can serve drinks to guests and also cook pasta for them every evening.", "Go",
             "We need strong Golang developers.", "clean rooms", "Manage budgets well."]
    alone = np.vstack([ranker.score_matrix([t]) for t in texts])
    monkeypatch.setattr(ranker_module, "_CONTEXTUAL_BLOCK", 2)  # three blocks, shortest texts first
    np.testing.assert_allclose(ranker.score_matrix(texts), alone, atol=1e-5)


def test_contextual_rank_agrees_with_its_score_matrix(rankers) -> None:
    _, ranker = rankers
    ranked = ranker.rank(SENTENCES, k=3)
    scores = ranker.score_matrix(SENTENCES)
    assert ranked[2] == []
    for row in (0, 1, 3):
        best = np.argsort(-scores[row], kind="stable")[:3]
        assert [m.uri for m in ranked[row]] == [ranker.index.uris[j] for j in best]
        np.testing.assert_allclose([m.score for m in ranked[row]], scores[row, best], atol=1e-5)
    assert "contextual=ContextualScoring" in repr(ranker)


def test_contextual_and_clause_scoring_combine(rankers, encoder, toy_taxonomy: Taxonomy) -> None:
    from skillx.ranker import SemanticRanker

    _, ranker = rankers
    both = SemanticRanker(
        encoder, ranker.index, toy_taxonomy, clause_margin=0.15, contextual=ranker.contextual
    )
    whole = ranker.score_matrix(SENTENCES[:1])
    clauses = both.score_matrix(SENTENCES[:1])
    assert np.all(clauses >= whole - 1e-6)  # a clause can only raise a skill's score


def test_ranker_refuses_a_scoring_that_is_not_a_record(rankers, encoder, toy_taxonomy: Taxonomy) -> None:
    from skillx.ranker import SemanticRanker

    with pytest.raises(InputError, match="ContextualScoring"):
        SemanticRanker(encoder, rankers[0].index, toy_taxonomy, contextual={"tau": 0.02})


# -- the training loss --------------------------------------------------------------------------
def test_training_score_equals_the_inference_score(encoder, rankers) -> None:
    """The loss trains exactly the score that the ranker ranks with (same tokens left out)."""
    import torch

    from skillx.training.losses import contextual_scores

    _, ranker = rankers
    texts = [*SENTENCES[:2], SENTENCES[3]]
    features = encoder.tokenize(texts)
    with torch.no_grad():
        out = encoder(dict(features))
        candidates = torch.from_numpy(ranker.index.embeddings[:7])
        trained = contextual_scores(
            out["sentence_embedding"], out["token_embeddings"], out["attention_mask"], candidates,
            ContextualScoring(),
        ).numpy()  # fmt: skip
    np.testing.assert_allclose(trained, ranker.score_matrix(texts)[:, :7], atol=1e-4)


def test_training_config_carries_contextual_scoring(tmp_path: Path) -> None:
    from skillx.training import TrainingConfig

    cfg = TrainingConfig(contextual={"tau": 0.05, "pooled_weight": 0.5})
    assert cfg.contextual == ContextualScoring(0.05, 0.5)
    assert TrainingConfig.from_json(cfg.to_json()) == cfg
    assert TrainingConfig().contextual is None
    with pytest.raises(InputError, match="pooled_weight"):
        TrainingConfig(contextual={"tau": 0.05, "pooled_weight": 2.0})


@pytest.mark.slow  # ~40 s: two training steps, save, index build, fit, reload
def test_contextual_training_end_to_end(toy_taxonomy: Taxonomy, toy_taxonomy_dir: Path, tmp_path: Path,
                                        caplog: pytest.LogCaptureFixture) -> None:
    """`skillx train --contextual`: the model records its scoring and `skillx.load` ranks with it."""
    from typer.testing import CliRunner

    import skillx
    from skillx.cli import app
    from tests.test_training import cli_training_files

    pairs, bench, config = cli_training_files(toy_taxonomy, tmp_path)
    out = tmp_path / "model"
    result = CliRunner().invoke(app, [
        "train", str(pairs), "--output", str(out), "--config", str(config), "--contextual",
        "--taxonomy", str(toy_taxonomy_dir), "--benchmark", str(bench), "--max-steps", "2",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    meta = read_model_meta(out)
    assert meta.contextual == ContextualScoring() and meta.fusion is not None
    assert meta.training_config["contextual"] == {"tau": 0.02, "pooled_weight": 0.75, "candidates": 256}
    extractor = skillx.load(out, taxonomy=toy_taxonomy)
    assert extractor.ranker.contextual == ContextualScoring()
    with caplog.at_level(logging.WARNING, logger="skillx"):
        fast = skillx.load(out, taxonomy=toy_taxonomy, scoring="pooled")
    assert fast.ranker.contextual is None and "calibrated for contextual scoring" in caplog.text
    assert fast.extract("Must be good at Python in practice.")  # the fallback still extracts


# the loss itself: weight 1 is the stock loss, the attention term moves it and trains the encoder
LOSS_COLUMNS = (
    ("Head chef wanted for our busy kitchen.", "Experience with Python and Django.", "Drive a van."),
    ("prepare dishes", "Python (computer programming)", "drive vehicles"),
    ("Chef", "Django", "order vehicles"),
)


def _loss_features(model):
    return [model.tokenize(list(texts)) for texts in LOSS_COLUMNS]


def test_pooled_weight_one_is_the_stock_multiple_negatives_ranking_loss(encoder) -> None:
    import torch
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss

    from skillx.training.losses import ContextualRankingLoss

    loss = ContextualRankingLoss(encoder, ContextualScoring(), scale=20.0)
    # ContextualScoring refuses weight 1 (that is pooled scoring); the loss only reads the two fields
    loss.scoring = type("Pooled", (), {"tau": 0.02, "pooled_weight": 1.0})()
    with torch.no_grad():
        ours = loss(_loss_features(encoder), None)
        stock = MultipleNegativesRankingLoss(encoder, scale=20.0)(_loss_features(encoder), None)
    assert float(ours) == pytest.approx(float(stock), rel=1e-4)


def test_the_attention_term_changes_the_loss_and_has_gradients(encoder) -> None:
    import torch
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss

    from skillx.training.losses import ContextualRankingLoss

    loss = ContextualRankingLoss(encoder, ContextualScoring(pooled_weight=0.5), scale=20.0)
    value = loss(_loss_features(encoder), None)
    with torch.no_grad():
        stock = MultipleNegativesRankingLoss(encoder, scale=20.0)(_loss_features(encoder), None)
    assert float(value) != pytest.approx(float(stock), rel=1e-3)
    value.backward()
    grads = [p.grad for p in encoder.parameters() if p.grad is not None]
    assert grads and any(float(g.abs().sum()) > 0 for g in grads)
    encoder.zero_grad()
    config = loss.get_config_dict()
    assert config == {
        "scale": 20.0, "kind": "contextual", "tau": 0.02, "pooled_weight": 0.5, "candidates": 256,
    }  # fmt: skip


def test_load_scoring_modes_and_the_calibration_warning(toy_taxonomy: Taxonomy, caplog) -> None:
    import skillx

    with caplog.at_level(logging.WARNING, logger="skillx"):
        pooled = skillx.load(taxonomy=toy_taxonomy, scoring="pooled")
    assert pooled.ranker.contextual is None and "calibrated for" not in caplog.text
    with caplog.at_level(logging.WARNING, logger="skillx"):
        mixed = skillx.load(taxonomy=toy_taxonomy, scoring="contextual")
    # the bundled encoder's calibration was fitted on pooled cosines
    assert mixed.ranker.contextual == ContextualScoring() and "calibrated for pooled scoring" in caplog.text
    assert mixed.extract("Experience with Python and SQL.")[0].skills
    with pytest.raises(InputError, match="auto, pooled, contextual"):
        skillx.load(taxonomy=toy_taxonomy, scoring="fast")

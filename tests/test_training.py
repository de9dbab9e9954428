"""Tests of skillx.training: config, row building, and a short real fine-tuning run (slow)."""

from __future__ import annotations

import json
import zlib
from dataclasses import fields
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from skillx.errors import InputError, NotFittedError, UnknownNameError
from skillx.taxonomy import Taxonomy
from skillx.training import OptimConfig, RowConfig, SkillEncoderTrainer, TrainingConfig, build_rows

TEMPLATES = [
    "You have solid experience with {}.",
    "Knowledge of {} is a big plus.",
    "We expect you to {} on a daily basis.",
    "Our team relies on {} every day.",
    "Hands-on {} skills are required for this role.",
    "The ideal candidate is confident with {}.",
]


def make_pairs(taxonomy: Taxonomy, per_skill: int = 8, seed: int = 0) -> pd.DataFrame:
    """Sentences built from templates around a skill label, with the mention's offsets."""
    rng = np.random.default_rng(seed)
    rows = []
    for skill in taxonomy:
        forms = [skill.preferred_label, *skill.alt_labels]
        for i in range(per_skill):
            form = forms[int(rng.integers(len(forms)))]
            template = TEMPLATES[(i + len(skill.uri)) % len(TEMPLATES)]
            sentence = template.format(form)
            start = sentence.index(form)
            rows.append({
                "sentence": sentence, "start": start, "end": start + len(form), "uri": skill.uri,
                "surface_form": form, "ambiguous": False,
            })
    return pd.DataFrame(rows)


ROW_KEYS = {f.name for f in fields(RowConfig)}
OPTIM_KEYS = {f.name for f in fields(OptimConfig)}


def config(**options) -> TrainingConfig:
    """Test shorthand: flat options, each sent to the part of TrainingConfig it belongs to."""
    top = {k: v for k, v in options.items() if k not in ROW_KEYS | OPTIM_KEYS}
    return TrainingConfig(**top, rows=RowConfig(**{k: v for k, v in options.items() if k in ROW_KEYS}),
                          optim=OptimConfig(**{k: v for k, v in options.items() if k in OPTIM_KEYS}))


def small_config(**overrides) -> TrainingConfig:
    # the row tests check the explicit negative columns
    base = dict(negatives={"taxonomy": 1, "random": 1}, description_anchors=False, max_pairs_per_skill=0,
                max_pairs_per_form=0)
    base.update(overrides)
    return config(**base)


# -- config -----------------------------------------------------------------------------------
def test_config_json_round_trip_nests_rows_and_optim(tmp_path: Path) -> None:
    cfg = TrainingConfig(seed=3, skill_text="preferred+alt",
                         rows=RowConfig(negatives={"similar": 2}, max_rows=9),
                         optim=OptimConfig(batch_size=16, eval_steps=5))
    data = json.loads(cfg.to_json())
    assert set(data) == {"base_model", "skill_text", "seed", "rows", "optim", "contextual"}
    assert data["contextual"] is None  # pooled training unless asked
    assert data["rows"]["negatives"] == {"similar": 2} and data["optim"]["batch_size"] == 16
    assert TrainingConfig.from_json(cfg.to_json()) == cfg
    cfg.to_json(tmp_path / "c.json")
    assert TrainingConfig.from_json(tmp_path / "c.json") == cfg
    assert TrainingConfig.from_dict({"optim": {"max_steps": 7}}).optim == OptimConfig(max_steps=7)


def test_config_defaults() -> None:
    cfg = TrainingConfig()
    assert (cfg.base_model, cfg.skill_text, cfg.seed) == (None, "preferred", 42)
    assert cfg.rows == RowConfig(negatives={"taxonomy": 1}, max_pairs_per_skill=50, max_pairs_per_form=100)
    assert (cfg.optim.batch_size, cfg.optim.epochs, cfg.optim.max_seq_length) == (64, 0.45, 48)
    assert cfg.rows.n_negatives == 1


@pytest.mark.parametrize(("make", "match"), [
    (lambda: OptimConfig(batch_size=1), "OptimConfig: batch_size must be >= 2"),
    (lambda: OptimConfig(epochs=0), "set epochs > 0 or max_steps > 0"),
    (lambda: OptimConfig(warmup_ratio=1.0), "warmup_ratio"),
    (lambda: OptimConfig(batch_sampler="fast"), "batch_sampler must be one of no_duplicates"),
    (lambda: OptimConfig(eval_steps=-1), "eval_steps"),
    (lambda: OptimConfig(time_budget_s=-5), "time_budget_s"),
    (lambda: RowConfig(negatives={"random": -1}), "RowConfig: negatives counts"),
    (lambda: RowConfig(max_rows=-1), "max_rows must be >= 0"),
    (lambda: TrainingConfig(optim={"batch_size": 1}), "batch_size"),
    (lambda: TrainingConfig(rows=3), "rows must be a RowConfig"),
])
def test_config_rejects_bad_values(make, match: str) -> None:
    with pytest.raises(InputError, match=match):
        make()


@pytest.mark.parametrize(("data", "match"), [
    ({"lr": 0.1}, r"Unknown TrainingConfig option\(s\) \['lr'\]\. Valid options: base_model, contextual"),
    ({"optim": {"lr": 0.1}}, r"Unknown optim option\(s\) \['lr'\].*learning_rate"),
    ({"rows": {"mask_mentions": 0.3}}, r"Unknown rows option\(s\) \['mask_mentions'\].*max_rows"),
    ({"batch_size": 8}, r"'batch_size' belongs in 'optim'"),  # the old flat layout
])
def test_config_unknown_option_lists_valid_ones(data: dict, match: str) -> None:
    with pytest.raises(InputError, match=match):
        TrainingConfig.from_dict(data)


def test_config_with_options_replaces_parts_partially() -> None:
    cfg = TrainingConfig(optim=OptimConfig(batch_size=16)).with_options(seed=1, optim={"max_steps": 3})
    assert cfg.seed == 1 and cfg.optim == OptimConfig(batch_size=16, max_steps=3)
    with pytest.raises(InputError, match="Unknown optim option"):
        cfg.with_options(optim={"steps": 3})


def test_optim_config_maps_onto_training_arguments(tmp_path: Path) -> None:
    args = OptimConfig(batch_size=16, epochs=0.5, learning_rate=1e-4, eval_steps=10, logging_steps=5,
                       batch_sampler="no_duplicates").training_arguments(str(tmp_path), seed=7, evaluate=True)
    assert (args.per_device_train_batch_size, args.num_train_epochs, args.max_steps) == (16, 0.5, -1)
    assert (args.learning_rate, args.seed, args.data_seed, args.logging_steps) == (1e-4, 7, 7, 5)
    assert args.eval_strategy == "steps" and args.eval_steps == 10
    assert args.save_strategy == "no" and args.batch_sampler == "no_duplicates"
    quiet = OptimConfig(max_steps=3, eval_steps=10).training_arguments(str(tmp_path), seed=7)
    assert quiet.max_steps == 3 and quiet.eval_strategy == "no"  # no evaluator: no eval


def test_config_unknown_sampler_lists_registered_ones() -> None:
    with pytest.raises(UnknownNameError, match=r"Unknown negative sampler 'hard'\. Available: .*random"):
        RowConfig(negatives={"hard": 1})


def test_config_unknown_skill_text_lists_modes() -> None:
    with pytest.raises(UnknownNameError, match="preferred"):
        TrainingConfig(skill_text="label-ish")


# -- rows -------------------------------------------------------------------------------------
def test_rows_columns_and_negatives_exclude_sentence_matches(toy_taxonomy: Taxonomy) -> None:
    pairs = make_pairs(toy_taxonomy, per_skill=3)
    python, sql = toy_taxonomy.find("Python")[0].uri, toy_taxonomy.find("SQL")[0].uri
    both = "Python and SQL are a must."
    pairs = pd.concat([pairs, pd.DataFrame([
        {"sentence": both, "start": 0, "end": 6, "uri": python, "surface_form": "Python"},
        {"sentence": both, "start": 11, "end": 14, "uri": sql, "surface_form": "SQL"},
    ])], ignore_index=True)
    cfg = small_config(negatives={"taxonomy": 3, "random": 2})
    rows, stats = build_rows(pairs, toy_taxonomy, cfg)
    assert list(rows.columns) == ["anchor", "positive", *[f"negative_{i}" for i in range(1, 6)],
                                  "positive_uri", "matched_uris", "origin"]
    assert stats.corpus_rows == len(rows) == len(pairs)
    for _, row in rows[rows["anchor"] == both].iterrows():
        negatives = {row[f"negative_{i}"] for i in range(1, 6)}
        assert not {"Python (computer programming)", "SQL"} & negatives  # both literally matched
        assert len(negatives) == 5
        assert sorted(row["matched_uris"]) == sorted([python, sql])


def test_rows_deterministic_given_seed(toy_taxonomy: Taxonomy) -> None:
    pairs = make_pairs(toy_taxonomy)
    a, _ = build_rows(pairs, toy_taxonomy, small_config(seed=1, max_pairs_per_skill=3))
    b, _ = build_rows(pairs, toy_taxonomy, small_config(seed=1, max_pairs_per_skill=3))
    c, _ = build_rows(pairs, toy_taxonomy, small_config(seed=2, max_pairs_per_skill=3))
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


def test_rows_unknown_uris_skipped_and_counted(toy_taxonomy: Taxonomy) -> None:
    pairs = make_pairs(toy_taxonomy, per_skill=2)
    ghost = pd.DataFrame([{"sentence": "Fly a spaceship.", "uri": "urn:nowhere", "start": 0, "end": 3}] * 3)
    rows, stats = build_rows(pd.concat([pairs, ghost]), toy_taxonomy, small_config())
    assert stats.unknown_uri_pairs == 3 and stats.unknown_uris == 1
    assert "urn:nowhere" not in set(rows["positive_uri"])


def test_rows_empty_or_foreign_pairs_raise(toy_taxonomy: Taxonomy, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="empty"):
        build_rows(pd.DataFrame(columns=["sentence", "uri"]), toy_taxonomy, small_config())
    with pytest.raises(InputError, match="None of the 1 pairs"):
        build_rows(pd.DataFrame([{"sentence": "x", "uri": "urn:x"}]), toy_taxonomy, small_config())
    with pytest.raises(InputError, match="lacks column"):
        build_rows(pd.DataFrame([{"text": "x", "uri": "urn:x"}]), toy_taxonomy, small_config())
    with pytest.raises(InputError, match="build-pairs"):
        build_rows(tmp_path / "missing.parquet", toy_taxonomy, small_config())


def test_rows_caps_per_skill_and_form_keep_rare_skills(toy_taxonomy: Taxonomy) -> None:
    pairs = make_pairs(toy_taxonomy, per_skill=2)
    comm = toy_taxonomy.find("communication")[0].uri
    flood = pd.DataFrame([{"sentence": f"Good communication skills, part {i}.", "uri": comm,
                           "surface_form": "communication"} for i in range(200)])
    rows, stats = build_rows(pd.concat([pairs, flood]), toy_taxonomy,
                             small_config(max_pairs_per_skill=10, max_pairs_per_form=5))
    counts = rows["positive_uri"].value_counts()
    assert counts[comm] <= 10
    assert set(counts.index) == set(toy_taxonomy.uris)  # every rare skill kept
    assert stats.capped_by_form > 0


def test_rows_max_rows_round_robin_keeps_every_skill(toy_taxonomy: Taxonomy) -> None:
    pairs = make_pairs(toy_taxonomy, per_skill=6)
    rows, stats = build_rows(pairs, toy_taxonomy, small_config(max_rows=len(toy_taxonomy) * 2))
    assert len(rows) == len(toy_taxonomy) * 2 and stats.capped_by_max_rows == len(pairs) - len(rows)
    assert rows["positive_uri"].value_counts().max() == 2


def test_rows_description_anchors(toy_taxonomy: Taxonomy) -> None:
    pairs = make_pairs(toy_taxonomy, per_skill=2)
    rows, stats = build_rows(pairs, toy_taxonomy, small_config(description_anchors=True))
    corpus = rows[rows["origin"] == "corpus"]
    assert stats.corpus_rows == len(corpus) and corpus["anchor"].isin(set(pairs["sentence"])).all()
    described = rows[rows["origin"] == "description"]
    assert stats.description_rows == len(described) == len(toy_taxonomy)
    assert stats.rows == len(rows) == len(corpus) + len(described)
    python = toy_taxonomy.find("Python")[0]
    assert python.description in set(described["anchor"])
    few, stats = build_rows(pairs, toy_taxonomy,
                            small_config(description_anchors=True, max_description_rows=5))
    assert stats.description_rows == 5 == int((few["origin"] == "description").sum())


def test_rows_ignore_pseudo_label_kind(toy_taxonomy: Taxonomy) -> None:
    """The self-training path is gone: a ``label_kind`` column no longer splits the balancing."""
    pairs = make_pairs(toy_taxonomy, per_skill=6)
    tagged = pairs.assign(label_kind=["pseudo" if i % 2 else "preferred" for i in range(len(pairs))])
    cfg = small_config(max_pairs_per_skill=4)
    plain, _ = build_rows(pairs, toy_taxonomy, cfg)
    with_kind, _ = build_rows(tagged, toy_taxonomy, cfg)
    pd.testing.assert_frame_equal(plain, with_kind)
    assert set(with_kind["origin"]) == {"corpus"}


def test_trainer_save_before_fit_raises(tmp_path: Path) -> None:
    with pytest.raises(NotFittedError):
        SkillEncoderTrainer().save(tmp_path / "m")


# -- real fine-tuning (slow, ~1 minute) -----------------------------------------------------------
@pytest.fixture(scope="module")
def trained(toy_taxonomy: Taxonomy) -> SkillEncoderTrainer:
    cfg = config(
        seed=0, max_steps=16, batch_size=12, learning_rate=5e-5, warmup_ratio=0.0, max_seq_length=32,
        negatives={"taxonomy": 1, "similar": 1}, description_anchors=True, logging_steps=1, num_threads=2,
    )
    return SkillEncoderTrainer(cfg).fit(make_pairs(toy_taxonomy, per_skill=8), toy_taxonomy)


def cli_training_files(taxonomy: Taxonomy, folder: Path) -> tuple[Path, Path, Path]:
    """Pairs, a validation CSV (ten skills and one sentence without any) and a small config."""
    pairs = folder / "pairs.parquet"
    make_pairs(taxonomy, per_skill=2).to_parquet(pairs)
    bench = folder / "toy_validation_annotations.csv"
    bench.write_text(
        "sentence,span,sub_span,label\n"
        + "".join(f"Must be good at {s.preferred_label.lower()} in practice,x,,{s.preferred_label}\n"
                  for s in list(taxonomy)[:10])
        + "We offer a competitive salary,x,,LABEL NOT PRESENT\n"
    )
    config = folder / "config.json"
    small_config(seed=0, batch_size=8, max_seq_length=32, num_threads=2).to_json(config)
    return pairs, bench, config


def toy_benchmark(taxonomy: Taxonomy):
    from skillx.evaluation import Benchmark

    skills = list(taxonomy)[:12]
    return Benchmark(
        name="toy",
        sentences=tuple(f"Must be good at {s.preferred_label.lower()} in practice." for s in skills),
        gold=tuple(frozenset({s.uri}) for s in skills),
    )


def skill_loss(model, taxonomy: Taxonomy, pairs: pd.DataFrame) -> float:
    """Mean cross-entropy of each training sentence against every skill text (scale 20)."""
    import torch

    skills = model.encode([s.preferred_label for s in taxonomy], normalize_embeddings=True,
                          convert_to_tensor=True)
    sentences = model.encode(pairs["sentence"].tolist(), normalize_embeddings=True, convert_to_tensor=True)
    labels = torch.tensor([taxonomy.position(u) for u in pairs["uri"]])
    return float(torch.nn.functional.cross_entropy(20 * sentences @ skills.T, labels))


@pytest.mark.slow
def test_trainer_loss_falls(trained: SkillEncoderTrainer, toy_taxonomy: Taxonomy) -> None:
    from skillx.encoder import load_encoder

    losses = [h["loss"] for h in trained.history_]
    assert len(losses) == 16 and all(np.isfinite(losses))
    pairs = make_pairs(toy_taxonomy, per_skill=8)
    before = skill_loss(load_encoder(None), toy_taxonomy, pairs)
    assert skill_loss(trained.model_, toy_taxonomy, pairs) < 0.8 * before
    assert trained.steps_ == 16 and trained.pairs_per_second_ > 0


# -- callbacks --------------------------------------------------------------------------------
def _trainer_state(step: int, max_steps: int = 10):
    from transformers import TrainerControl, TrainerState

    return TrainerState(global_step=step, max_steps=max_steps), TrainerControl()


def test_time_budget_callback_stops_past_the_budget() -> None:
    from skillx.training.callbacks import TimeBudgetCallback

    state, control = _trainer_state(3)
    unlimited = TimeBudgetCallback(0)
    unlimited.on_train_begin(None, state, control)
    assert not unlimited.on_step_end(None, state, control).should_training_stop and not unlimited.stopped
    tight = TimeBudgetCallback(1e-9)
    tight.on_train_begin(None, state, control)
    assert tight.on_step_end(None, state, control).should_training_stop and tight.stopped
    roomy = TimeBudgetCallback(3600)
    state, control = _trainer_state(3)
    roomy.on_train_begin(None, state, control)
    assert not roomy.on_step_end(None, state, control).should_training_stop


def test_loss_history_callback_records_logged_losses() -> None:
    from skillx.training.callbacks import LossHistoryCallback

    history = LossHistoryCallback()
    for step, logs in [(1, {"loss": 2.5}), (2, {"eval_rp@5": 0.3}), (3, {"loss": 1.5, "grad_norm": 4.0})]:
        state, control = _trainer_state(step)
        history.on_log(None, state, control, logs=logs)
    assert history.history == [{"step": 1, "loss": 2.5}, {"step": 3, "loss": 1.5}]


def test_best_weights_callback_keeps_the_first_best_evaluation() -> None:
    import torch

    from skillx.training.callbacks import BestWeightsCallback

    model = torch.nn.Linear(2, 1)
    best = BestWeightsCallback("eval_rp@5")
    for step, score in enumerate([0.2, 0.5, 0.4, 0.5]):  # the tie at step 3 keeps step 1
        with torch.no_grad():
            model.weight.fill_(float(step))
        state, control = _trainer_state(step)
        best.on_evaluate(None, state, control, metrics={"eval_rp@5": score, "eval_runtime": 1.0}, model=model)
    assert (best.best_score, best.best_index, best.n_evaluations) == (0.5, 1, 4)
    assert best.best_state is not None and torch.all(best.best_state["weight"] == 1.0)
    assert torch.all(model.weight == 3.0)  # the model itself is untouched until the trainer loads it


@pytest.mark.parametrize(("step", "stop", "evaluate"),
                         [(4, False, False), (10, False, True), (4, True, True)])
def test_best_weights_callback_asks_for_a_final_evaluation(step: int, stop: bool, evaluate: bool) -> None:
    from skillx.training.callbacks import BestWeightsCallback

    state, control = _trainer_state(step, max_steps=10)
    control.should_training_stop = stop  # e.g. set by the time budget
    assert BestWeightsCallback().on_step_end(None, state, control).should_evaluate is evaluate


# -- checkpoint-selection evaluator -------------------------------------------------------------
class HashEncoder:
    """Deterministic fake encoder: each text's vector is seeded by its CRC32 (no model download)."""

    def encode(self, texts, **kwargs):
        return np.stack([np.random.default_rng(zlib.crc32(t.encode())).normal(size=16) for t in texts])


def test_evaluator_preferred_matches_first_text_argsort(toy_taxonomy: Taxonomy) -> None:
    """With one text per skill the index-based evaluator ranks as a plain argsort of cosines did."""
    from skillx.encoder import encode
    from skillx.evaluation import evaluate_rankings
    from skillx.training.evaluator import SkillIndexEvaluator
    from skillx.training.rows import skill_text

    bench = toy_benchmark(toy_taxonomy)
    encoder = HashEncoder()
    metrics = SkillIndexEvaluator([bench], toy_taxonomy, skill_text="preferred")(encoder, steps=3)
    skills = encode(encoder, [skill_text(s, "preferred") for s in toy_taxonomy])
    top = np.argsort(-(encode(encoder, list(bench.sentences)) @ skills.T), axis=1, kind="stable")
    expected = evaluate_rankings([[toy_taxonomy.uris[j] for j in row] for row in top], bench.gold)
    assert metrics == {**{f"toy_{k}": v for k, v in expected.items()}, "rp@5": expected["rp@5"], "steps": 3.0}


def test_evaluator_ranks_through_every_skill_text(toy_taxonomy: Taxonomy) -> None:
    """``preferred+alt``: a sentence equal to an alternative label finds its skill (max over texts)."""
    from skillx.evaluation import Benchmark
    from skillx.training.evaluator import SkillIndexEvaluator

    skills = [s for s in toy_taxonomy if s.alt_labels][:8]
    bench = Benchmark(name="alt", sentences=tuple(s.alt_labels[0] for s in skills),
                      gold=tuple(frozenset({s.uri}) for s in skills))
    evaluator = SkillIndexEvaluator([bench], toy_taxonomy, skill_text="preferred+alt")
    metrics = evaluator(HashEncoder(), steps=0)
    assert metrics["alt_rp@1"] == 1.0 and metrics["rp@5"] == 1.0  # the identical text scores 1.0
    first_text_only = SkillIndexEvaluator([bench], toy_taxonomy, skill_text="preferred")(HashEncoder())
    assert first_text_only["alt_rp@1"] < 1.0
    assert evaluator.history == [metrics] and evaluator.seconds > 0


@pytest.mark.slow
def test_trainer_model_dir_reloads_and_ranks(trained: SkillEncoderTrainer, toy_taxonomy: Taxonomy,
                                             tmp_path: Path) -> None:
    from skillx.encoder import load_encoder
    from skillx.ranker import SemanticRanker

    out = trained.save(tmp_path / "model")
    assert {p.name for p in out.iterdir()} == {"model", "index", "skillx.json"}
    meta = json.loads((out / "skillx.json").read_text())
    assert meta["taxonomy"]["fingerprint"] == toy_taxonomy.fingerprint
    assert meta["training"]["config"]["seed"] == 0 and meta["training"]["data"]["corpus_rows"] > 0
    assert meta["validation"]["best"] is None  # trained without validation benchmarks
    encoder = load_encoder(out)
    assert encoder.max_seq_length == load_encoder(None).max_seq_length == 256  # not the training 32
    ranker = SemanticRanker.from_pretrained(out, taxonomy=toy_taxonomy)
    top = ranker.rank(["We need strong Golang developers."], k=3)[0]
    assert top[0].label == "Go"
    # saving again over the same model directory replaces it, leaving no temporary folders
    trained.save(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


@pytest.mark.slow
def test_trainer_failed_save_leaves_nothing(trained: SkillEncoderTrainer, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args, **kwargs):
        raise KeyboardInterrupt  # e.g. Ctrl-C while the index is being built

    monkeypatch.setattr(SkillEncoderTrainer, "_save_index", boom)
    with pytest.raises(KeyboardInterrupt):
        trained.save(tmp_path / "model")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow  # ~2 minutes: ten steps with three validation passes, then ten without
def test_trainer_validates_and_keeps_best_weights(toy_taxonomy: Taxonomy, tmp_path: Path) -> None:
    cfg = config(seed=0, max_steps=10, batch_size=12, learning_rate=5e-5, warmup_ratio=0.0, max_seq_length=32,
                 description_anchors=False, eval_steps=5, logging_steps=1, num_threads=2)
    trainer = SkillEncoderTrainer(cfg).fit(make_pairs(toy_taxonomy, per_skill=6), toy_taxonomy,
                                           validation=[toy_benchmark(toy_taxonomy)])
    assert [int(v["steps"]) for v in trainer.validation_] == [0, 5, 10]
    assert trainer.best_metrics_["rp@5"] == max(v["rp@5"] for v in trainer.validation_)
    assert 0.0 <= trainer.best_metrics_["toy_rp@5"] <= 1.0 and len(trainer.history_) == 10
    out = trainer.save(tmp_path / "model")
    meta = json.loads((out / "skillx.json").read_text())
    assert meta["validation"]["best"] == trainer.best_metrics_
    assert meta["training"]["config"]["optim"]["eval_steps"] == 5
    # validation passes leave the training's random stream alone: the same losses without them
    plain = SkillEncoderTrainer(cfg).fit(make_pairs(toy_taxonomy, per_skill=6), toy_taxonomy)
    assert plain.history_ == trainer.history_ and plain.validation_ == [] and plain.best_metrics_ is None


def test_length_grouped_batches_cover_rows_once_without_repeated_positive() -> None:
    from datasets import Dataset

    from skillx.training.batching import LengthGroupedBatchSampler

    rng = np.random.default_rng(0)
    anchors = ["word " * int(n) for n in rng.integers(1, 40, size=300)]
    positives = [f"skill {i % 7}" for i in range(300)]  # only 7 distinct positives
    data = Dataset.from_dict({"anchor": anchors, "positive": positives})
    sampler = LengthGroupedBatchSampler(data, batch_size=6, drop_last=False, seed=1)
    batches = list(sampler)
    assert sorted(i for b in batches for i in b) == list(range(300))
    assert all(len({positives[i] for i in b}) == len(b) for b in batches)
    assert batches == list(LengthGroupedBatchSampler(data, batch_size=6, drop_last=False, seed=1))
    assert len(sampler) == len(batches)  # the trainer's schedule length; may exceed ceil(300 / 6)
    spread = np.mean([np.ptp([len(anchors[i]) for i in b]) for b in batches if len(b) == 6])
    assert spread < 0.5 * np.ptp([len(a) for a in anchors])  # similar lengths share a batch


@pytest.mark.parametrize(("content", "match"), [("sentence,uri\n", "empty"), (None, "not found")])
def test_cli_train_bad_pairs_fail_early(tmp_path: Path, content: str | None, match: str) -> None:
    from typer.testing import CliRunner

    from skillx.cli import app

    pairs = tmp_path / "pairs.csv"
    if content is not None:
        pairs.write_text(content)
    result = CliRunner().invoke(app, ["train", str(pairs), "--output", str(tmp_path / "model")])
    assert result.exit_code == 1 and result.output.startswith("Error: ") and match in result.output
    assert not (tmp_path / "model").exists()


@pytest.mark.slow  # ~25 s: one training step, model save, index build, reload and fit
def test_cli_train_with_benchmark_stores_fusion(toy_taxonomy: Taxonomy, toy_taxonomy_dir: Path,
                                                tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """`skillx train --benchmark` fits the score calibration there and stores it in skillx.json."""
    import logging

    from typer.testing import CliRunner

    import skillx
    from skillx.cli import app
    from skillx.fusion import FusionParams

    pairs, bench, config = cli_training_files(toy_taxonomy, tmp_path)
    out = tmp_path / "model"
    result = CliRunner().invoke(app, [
        "train", str(pairs), "--output", str(out), "--config", str(config),
        "--taxonomy", str(toy_taxonomy_dir),
        "--benchmark", str(bench), "--max-steps", "1",
    ])
    assert result.exit_code == 0, result.output
    meta = json.loads((out / "skillx.json").read_text())
    params = FusionParams.from_dict(meta["fusion"])
    assert params.metrics["n_sentences"] == 11 and "toy_validation_annotations.csv" in params.fitted_on
    assert "fusion fitted" in result.output
    with caplog.at_level(logging.WARNING, logger="skillx"):
        extractor = skillx.load(out, taxonomy=toy_taxonomy)
    assert extractor.fusion == params
    assert "no fusion calibration" not in caplog.text

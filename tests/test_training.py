"""Tests of skillx.training: config, row building, and a short real fine-tuning run (slow)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from skillx.errors import InputError, NotFittedError, UnknownNameError
from skillx.taxonomy import Taxonomy
from skillx.training import SkillEncoderTrainer, TrainingConfig, build_rows

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


def small_config(**overrides) -> TrainingConfig:
    # trained skill tower: the row tests check the explicit negative columns it consumes
    base = dict(negatives={"taxonomy": 1, "random": 1}, description_anchors=False, max_pairs_per_skill=0,
                max_pairs_per_form=0, frozen_skill_tower=False)
    base.update(overrides)
    return TrainingConfig(**base)


# -- config -----------------------------------------------------------------------------------
def test_config_json_round_trip(tmp_path: Path) -> None:
    cfg = TrainingConfig(seed=3, negatives={"similar": 2}, mask_mentions=0.5, frozen_skill_tower=True)
    assert TrainingConfig.from_json(cfg.to_json()) == cfg
    cfg.to_json(tmp_path / "c.json")
    assert TrainingConfig.from_json(tmp_path / "c.json") == cfg


@pytest.mark.parametrize(("options", "match"), [
    ({"batch_size": 1}, "batch_size"),
    ({"mask_mentions": 1.5}, "mask_mentions"),
    ({"mask_min_pairs": -1}, "mask_min_pairs"),
    ({"mask_min_pairs": 50}, "set mask_mentions > 0"),
    ({"average_tail": 1.0}, "average_tail"),
    ({"batch_sampler": "fast"}, "batch_sampler"),
    ({"negatives": {"random": -1}}, "negatives"),
    ({"mask_co_mentions": True, "frozen_skill_tower": False}, "frozen_skill_tower=True"),
])
def test_config_rejects_bad_values(options: dict, match: str) -> None:
    with pytest.raises(InputError, match=match):
        TrainingConfig(**options)


def test_config_unknown_option_lists_valid_ones() -> None:
    with pytest.raises(InputError, match=r"Unknown TrainingConfig option\(s\) \['lr'\].*learning_rate"):
        TrainingConfig.from_dict({"lr": 0.1})


def test_config_unknown_sampler_lists_registered_ones() -> None:
    with pytest.raises(UnknownNameError, match=r"Unknown negative sampler 'hard'\. Available: .*random"):
        TrainingConfig(negatives={"hard": 1})


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


def test_frozen_tower_labels_list_co_mentions_and_pad(toy_taxonomy: Taxonomy) -> None:
    from skillx.training.trainer import _frozen_tower_labels

    python, sql = toy_taxonomy.find("Python")[0].uri, toy_taxonomy.find("SQL")[0].uri
    rows = pd.DataFrame({"positive_uri": [python, sql, python],
                         "matched_uris": [[python, sql], [python, sql], []]})
    p, s = toy_taxonomy.position(python), toy_taxonomy.position(sql)
    assert _frozen_tower_labels(rows, toy_taxonomy, False) == [p, s, p]
    assert _frozen_tower_labels(rows, toy_taxonomy, True) == [[p, s], [s, p], [p, -1]]


def test_frozen_loss_leaves_co_mentions_out_of_the_softmax() -> None:
    import torch

    from skillx.training.losses import mask_co_mentions

    logits = torch.tensor([[5.0, 4.0, 1.0, 0.0], [0.0, 1.0, 2.0, 3.0]])
    labels = torch.tensor([[1, 0, -1], [3, 3, -1]])  # row 0: skill 0 co-mentioned; row 1: none
    masked = mask_co_mentions(logits, labels)
    assert masked[0, 0] < -1e30 and torch.equal(masked[0, 1:], logits[0, 1:])
    assert torch.equal(masked[1], logits[1])  # the positive itself is never masked
    plain = torch.nn.functional.cross_entropy(logits, labels[:, 0])
    kept = torch.nn.functional.cross_entropy(masked, labels[:, 0])
    assert kept < plain  # the co-mentioned skill no longer competes with the positive


def test_rows_deterministic_given_seed(toy_taxonomy: Taxonomy) -> None:
    pairs = make_pairs(toy_taxonomy)
    a, _ = build_rows(pairs, toy_taxonomy, small_config(seed=1, mask_mentions=0.5, max_pairs_per_skill=3))
    b, _ = build_rows(pairs, toy_taxonomy, small_config(seed=1, mask_mentions=0.5, max_pairs_per_skill=3))
    c, _ = build_rows(pairs, toy_taxonomy, small_config(seed=2, mask_mentions=0.5, max_pairs_per_skill=3))
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


def test_rows_pseudo_pairs_are_capped_apart_from_literal_ones(toy_taxonomy: Taxonomy) -> None:
    pairs = make_pairs(toy_taxonomy, per_skill=6).assign(label_kind="preferred")
    comm = toy_taxonomy.find("communication")[0].uri
    pseudo = pd.DataFrame([{"sentence": f"Team player who talks to people, take {i}.", "uri": comm,
                            "start": -1, "end": -1, "surface_form": f"pseudo:{comm}",
                            "label_kind": "pseudo"} for i in range(9)])
    config = small_config(max_pairs_per_skill=4, mask_mentions=1.0)
    rows, stats = build_rows(pd.concat([pairs, pseudo]), toy_taxonomy, config)
    literal_rows, _ = build_rows(pairs, toy_taxonomy, config)
    assert stats.pseudo_rows == 4 and stats.corpus_rows == len(literal_rows)
    assert stats.rows == len(rows) == len(literal_rows) + 4
    pseudo_rows = rows[rows["origin"] == "pseudo"]
    assert set(pseudo_rows["positive_uri"]) == {comm}
    assert pseudo_rows["anchor"].str.startswith("Team player").all()  # no offsets: nothing masked
    # the literal pairs of that skill are not displaced by the pseudo ones
    literal_comm = rows[(rows["origin"] == "corpus") & (rows["positive_uri"] == comm)]
    assert len(literal_comm) == 4


def test_rows_max_rows_round_robin_keeps_every_skill(toy_taxonomy: Taxonomy) -> None:
    pairs = make_pairs(toy_taxonomy, per_skill=6)
    rows, stats = build_rows(pairs, toy_taxonomy, small_config(max_rows=len(toy_taxonomy) * 2))
    assert len(rows) == len(toy_taxonomy) * 2 and stats.capped_by_max_rows == len(pairs) - len(rows)
    assert rows["positive_uri"].value_counts().max() == 2


def test_rows_mask_mentions_and_description_anchors(toy_taxonomy: Taxonomy) -> None:
    pairs = make_pairs(toy_taxonomy, per_skill=2)
    rows, stats = build_rows(pairs, toy_taxonomy,
                             small_config(mask_mentions=1.0, mask_token="[MASK]", description_anchors=True))
    corpus = rows[rows["origin"] == "corpus"]
    assert stats.masked_rows == len(corpus) and corpus["anchor"].str.contains(r"\[MASK\]", regex=True).all()
    described = rows[rows["origin"] == "description"]
    assert stats.description_rows == len(described) == len(toy_taxonomy)
    python = toy_taxonomy.find("Python")[0]
    assert python.description in set(described["anchor"])


def test_rows_mask_min_pairs_masks_only_frequent_skills(toy_taxonomy: Taxonomy) -> None:
    skills = list(toy_taxonomy)
    frequent, rare = skills[0].uri, skills[1].uri
    pairs = make_pairs(toy_taxonomy, per_skill=2)
    pairs = pairs[pairs["uri"].isin({frequent, rare})]
    pairs = pd.concat([pairs, make_pairs(toy_taxonomy, per_skill=6, seed=1).query("uri == @frequent")],
                      ignore_index=True)  # 8 pairs of `frequent`, 2 of `rare`
    rows, stats = build_rows(pairs, toy_taxonomy, small_config(mask_mentions=1.0, mask_min_pairs=5,
                                                              description_anchors=False))
    masked = rows["anchor"].str.contains(r"\[MASK\]", regex=True)
    assert masked[rows["positive_uri"] == frequent].all()
    assert not masked[rows["positive_uri"] == rare].any()
    assert stats.masked_rows == int((rows["positive_uri"] == frequent).sum())


def test_rows_label_anchors_use_unshared_alternative_labels(toy_taxonomy: Taxonomy) -> None:
    pairs = make_pairs(toy_taxonomy, per_skill=1)
    rows, stats = build_rows(pairs, toy_taxonomy, small_config(label_anchors=1))
    labels = rows[rows["origin"] == "label"]
    assert stats.label_rows == len(labels) > 0
    assert stats.rows == len(rows)
    assert labels["positive_uri"].value_counts().max() == 1
    owners: dict[str, set[str]] = {}
    for skill in toy_taxonomy:
        for label in skill.labels:
            owners.setdefault(label.casefold(), set()).add(skill.uri)
    for anchor, uri in zip(labels["anchor"], labels["positive_uri"], strict=True):
        skill = toy_taxonomy[uri]
        assert anchor in skill.alt_labels and anchor.casefold() != skill.preferred_label.casefold()
        assert owners[anchor.casefold()] == {uri}  # a label two skills share is not a signal
    more, _ = build_rows(pairs, toy_taxonomy, small_config(label_anchors=10))
    more_labels = set(more.loc[more["origin"] == "label", "anchor"].str.casefold())
    assert len(more_labels) > len(labels)
    assert not more_labels & {"data analysis", "first aid"}  # toy labels that two skills share


def test_trainer_save_before_fit_raises(tmp_path: Path) -> None:
    with pytest.raises(NotFittedError):
        SkillEncoderTrainer().save(tmp_path / "m")


# -- real fine-tuning (slow, ~1 minute) -----------------------------------------------------------
@pytest.fixture(scope="module")
def trained(toy_taxonomy: Taxonomy) -> SkillEncoderTrainer:
    cfg = TrainingConfig(
        seed=0, max_steps=16, batch_size=12, learning_rate=5e-5, warmup_ratio=0.0, max_seq_length=32,
        negatives={"taxonomy": 1, "similar": 1}, description_anchors=True, mask_mentions=0.3,
        logging_steps=1, num_threads=2, frozen_skill_tower=False,
    )
    return SkillEncoderTrainer(cfg).fit(make_pairs(toy_taxonomy, per_skill=8), toy_taxonomy)


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


def test_trainer_keeps_best_evaluated_weights() -> None:
    import torch

    from skillx.training.trainer import SkillEncoderTrainer as T
    from skillx.training.trainer import _RunState

    model = torch.nn.Linear(2, 1)
    scores = iter([0.2, 0.5, 0.4])
    run = _RunState()
    for step in (0, 1, 2):
        with torch.no_grad():
            model.weight.fill_(float(step))
        T._evaluate(model, lambda m, steps: {"rp@5": next(scores), "steps": float(steps)}, run, step)
    assert run.best_metrics == {"rp@5": 0.5, "steps": 1.0}
    assert run.best_state is not None and torch.all(run.best_state["weight"] == 1.0)
    assert [e["steps"] for e in run.evaluations] == [0.0, 1.0, 2.0]


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
    assert encoder.max_seq_length == 32
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


@pytest.mark.slow
def test_trainer_frozen_skill_tower_validates_and_reloads(toy_taxonomy: Taxonomy, tmp_path: Path) -> None:
    from skillx.ranker import SemanticRanker

    cfg = TrainingConfig(seed=0, max_steps=10, batch_size=12, learning_rate=5e-5, warmup_ratio=0.0,
                         max_seq_length=32, frozen_skill_tower=True, description_anchors=False,
                         eval_steps=5, logging_steps=1, num_threads=2, mask_co_mentions=True)
    pairs = make_pairs(toy_taxonomy, per_skill=6)
    python, sql = toy_taxonomy.find("Python")[0].uri, toy_taxonomy.find("SQL")[0].uri
    both = "Python and SQL are a must."  # two positives in one sentence: labels of width 2
    extra = pd.DataFrame([{"sentence": both, "uri": python}, {"sentence": both, "uri": sql}])
    pairs = pd.concat([pairs, extra], ignore_index=True)
    trainer = SkillEncoderTrainer(cfg).fit(pairs, toy_taxonomy, validation=[toy_benchmark(toy_taxonomy)])
    assert [int(v["steps"]) for v in trainer.validation_] == [0, 5, 10]
    assert trainer.best_metrics_["rp@5"] == max(v["rp@5"] for v in trainer.validation_)
    assert 0.0 <= trainer.best_metrics_["toy_rp@5"] <= 1.0
    out = trainer.save(tmp_path / "frozen")
    meta = json.loads((out / "skillx.json").read_text())
    assert meta["skill_tower"] == "frozen" and meta["validation"]["best"] == trainer.best_metrics_
    ranker = SemanticRanker.from_pretrained(out, taxonomy=toy_taxonomy)
    np.testing.assert_allclose(ranker.index.embeddings, trainer.base_skill_embeddings_, atol=1e-6)
    assert ranker.rank(["Experience with Golang."], k=1)[0][0].label == "Go"


def test_tail_average_is_the_mean_of_the_tail_steps() -> None:
    import torch

    from skillx.training.averaging import TailAverage, tail_start_step

    assert tail_start_step(10, 0.5) == 6 and tail_start_step(10, 0.01) == 10 and tail_start_step(3, 0.9) == 1
    model = torch.nn.Embedding(3, 2)
    model.register_buffer("ids", torch.arange(3))  # integer buffers are never averaged
    tail = TailAverage(start_step=3)
    for step, value in enumerate([9.0, 9.0, 1.0, 2.0, 6.0], start=1):
        with torch.no_grad():
            model.weight.fill_(value)
        tail.update(model, step)
    assert tail.n_averaged == 3
    state = tail.state_dict(model)
    assert torch.allclose(state["weight"], torch.full((3, 2), 3.0))  # mean of 1, 2, 6
    assert torch.equal(state["ids"], torch.arange(3)) and torch.all(model.weight == 6.0)


@pytest.mark.slow
def test_trainer_average_tail_is_a_validated_candidate(toy_taxonomy: Taxonomy) -> None:
    cfg = TrainingConfig(seed=0, max_steps=8, batch_size=12, learning_rate=5e-5, warmup_ratio=0.0,
                         max_seq_length=32, negatives={"taxonomy": 1}, description_anchors=False,
                         eval_steps=4, logging_steps=1, num_threads=2, average_tail=0.5)
    trainer = SkillEncoderTrainer(cfg).fit(make_pairs(toy_taxonomy, per_skill=6), toy_taxonomy,
                                           validation=[toy_benchmark(toy_taxonomy)])
    steps = [(int(v["steps"]), int(v.get("averaged_steps", 0))) for v in trainer.validation_]
    assert steps == [(0, 0), (4, 0), (8, 0), (8, 4)]  # the last candidate: mean of steps 5-8
    assert trainer.best_metrics_["rp@5"] == max(v["rp@5"] for v in trainer.validation_)


@pytest.mark.slow
def test_trainer_average_tail_without_validation_is_the_result(toy_taxonomy: Taxonomy) -> None:
    import torch

    def weights(average_tail: float) -> dict[str, torch.Tensor]:
        cfg = TrainingConfig(seed=0, max_steps=4, batch_size=12, learning_rate=1e-4, warmup_ratio=0.0,
                             max_seq_length=32, negatives={}, description_anchors=False, num_threads=2,
                             average_tail=average_tail)
        trainer = SkillEncoderTrainer(cfg).fit(make_pairs(toy_taxonomy, per_skill=6), toy_taxonomy)
        return {k: v.clone() for k, v in trainer.model_.state_dict().items() if v.is_floating_point()}

    last = weights(0.0)
    one_step_mean = weights(0.25)  # the mean of the last step alone is the last step
    two_step_mean = weights(0.5)
    assert all(torch.allclose(last[k], one_step_mean[k]) for k in last)
    assert not all(torch.allclose(last[k], two_step_mean[k]) for k in last)


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

    pairs = tmp_path / "pairs.parquet"
    make_pairs(toy_taxonomy, per_skill=2).to_parquet(pairs)
    bench = tmp_path / "toy_validation_annotations.csv"
    skills = list(toy_taxonomy)[:10]
    bench.write_text(
        "sentence,span,sub_span,label\n"
        + "".join(f"Must be good at {s.preferred_label.lower()} in practice,x,,{s.preferred_label}\n"
                  for s in skills)
        + "We offer a competitive salary,x,,LABEL NOT PRESENT\n"
    )
    config = tmp_path / "config.json"
    small_config(seed=0, batch_size=8, max_seq_length=32, num_threads=2).to_json(config)
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


@pytest.mark.slow  # ~15 s: one training step and a model save
def test_cli_train_takes_literal_and_pseudo_pairs_files(toy_taxonomy: Taxonomy, toy_taxonomy_dir: Path,
                                                        tmp_path: Path) -> None:
    """`skillx train LITERAL PSEUDO`: both files are used, pseudo rows counted apart."""
    from typer.testing import CliRunner

    from skillx.cli import app
    from skillx.supervision.pseudo import as_pair_rows

    literal = tmp_path / "pairs.parquet"
    make_pairs(toy_taxonomy, per_skill=2).to_parquet(literal)
    comm = toy_taxonomy.find("communication")[0].uri
    chosen = pd.DataFrame({"sentence": ["You like talking to people all day long."], "uri": [comm],
                           "source": ["ads"], "line_no": [7]})
    pseudo = tmp_path / "pseudo.parquet"
    as_pair_rows(chosen).to_parquet(pseudo)
    config = tmp_path / "config.json"
    small_config(seed=0, batch_size=8, max_seq_length=32, num_threads=2).to_json(config)
    out = tmp_path / "model"
    result = CliRunner().invoke(app, [
        "train", str(literal), str(pseudo), "--output", str(out), "--config", str(config),
        "--taxonomy", str(toy_taxonomy_dir), "--max-steps", "1",
    ])
    assert result.exit_code == 0, result.output
    assert "pseudo 1," in result.output
    data = json.loads((out / "skillx.json").read_text())["training"]
    assert data["steps"] == 1 and data["data"]["pseudo_rows"] == 1

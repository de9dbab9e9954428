"""`ModelMeta`: the typed, versioned ``skillx.json`` of a model directory."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from skillx.errors import ModelError
from skillx.fusion import FusionParams
from skillx.model_dir import (
    META_FORMAT_VERSION,
    ModelMeta,
    TaxonomyRef,
    read_model_meta,
    runtime_versions,
    write_model_meta,
)

# what `SkillEncoderTrainer.metadata()` writes today (abridged values, every key)
TRAINER_JSON = {
    "format": "skillx-model",
    "skill_text": "preferred",
    "skill_tower": "frozen",
    "taxonomy": {
        "name": "ESCO",
        "version": "1.1.0",
        "language": "en",
        "fingerprint": "f00d",
        "skills": 13939,
    },
    "training": {
        "config": {"base_model": "all-MiniLM-L6-v2", "seed": 0, "batch_size": 64},
        "seed": 0,
        "data": {"corpus_rows": 1000, "pairs": 800},
        "steps": 500,
        "train_seconds": 12.5,
        "pairs_per_second": 64.0,
        "stopped_by_time_budget": False,
        "final_loss": 0.7,
    },
    "validation": {"best": {"rp@5": 0.61, "steps": 500.0}, "history": [{"rp@5": 0.5, "steps": 0.0}]},
    "versions": {"skillx": "0.1.0", "sentence_transformers": "5.0", "transformers": "4.5", "torch": "2.6"},
    "fusion": FusionParams(literal_boost=0.3, threshold=0.15, metrics={"rp@5": 0.6}).to_dict(),
}


def _write(directory: Path, data: object) -> Path:
    (directory / "skillx.json").write_text(json.dumps(data), encoding="utf-8")
    return directory


def test_model_meta_reads_what_the_trainer_writes(tmp_path):
    meta = read_model_meta(_write(tmp_path, TRAINER_JSON))
    assert meta is not None and meta.format_version == META_FORMAT_VERSION
    assert meta.taxonomy == TaxonomyRef("ESCO", "1.1.0", "en", "f00d", skills=13939)
    assert meta.skill_text == "preferred" and meta.skill_tower == "frozen"
    assert meta.base_model == "all-MiniLM-L6-v2"  # from the training config
    assert meta.training_config["batch_size"] == 64 and meta.training_data == {
        "corpus_rows": 1000,
        "pairs": 800,
    }
    assert meta.training_run["steps"] == 500 and "config" not in meta.training_run
    assert meta.validation["best"] == {"rp@5": 0.61, "steps": 500.0}
    assert meta.fusion == FusionParams(literal_boost=0.3, threshold=0.15, metrics={"rp@5": 0.6})
    assert meta.versions["torch"] == "2.6" and meta.created is None and meta.extra == {}


def test_model_meta_json_layout_is_kept_on_rewrite(tmp_path):
    """Rewriting an existing skillx.json only adds the version, `created` and the top-level base model."""
    meta = ModelMeta.from_dict(TRAINER_JSON)
    written = json.loads(write_model_meta(tmp_path, meta).read_text(encoding="utf-8"))
    assert written.pop("format_version") == 1  # layout 1: no contextual scoring to refuse
    assert isinstance(written.pop("created"), str)
    assert written.pop("base_model") == "all-MiniLM-L6-v2"
    assert written == TRAINER_JSON


def test_model_meta_round_trip(tmp_path):
    meta = ModelMeta(
        skill_text="preferred+alt",
        base_model="all-mpnet-base-v2",
        taxonomy=TaxonomyRef(name="ESCO", version="1.2.0", language="de", fingerprint="abc"),
        training_config={"epochs": 1, "negatives": {"random": 2}},
        training_data={"rows": 10},
        validation={"best": {"rp@5": 0.4}},
        fusion=FusionParams(slope=9.0),
        versions=runtime_versions(),
        created="2026-01-01T00:00:00+00:00",
        extra={"note": "kept"},
    )
    write_model_meta(tmp_path, meta)
    assert read_model_meta(tmp_path) == meta
    assert ModelMeta.from_dict(meta.to_dict()) == meta


def test_write_model_meta_stamps_created_once(tmp_path):
    write_model_meta(tmp_path, ModelMeta(skill_text="preferred"))
    first = read_model_meta(tmp_path)
    assert first is not None and first.created
    write_model_meta(tmp_path, first.replace(skill_text="label+description"))
    second = read_model_meta(tmp_path)
    assert second is not None and second.created == first.created and second.skill_text == "label+description"


def test_model_meta_is_frozen_and_replace_returns_a_copy():
    meta = ModelMeta(skill_text="preferred")
    with pytest.raises(dataclasses.FrozenInstanceError):
        meta.skill_text = "x"  # type: ignore[misc]
    fitted = meta.replace(fusion=FusionParams())
    assert meta.fusion is None and fitted.fusion == FusionParams()
    assert dataclasses.replace(meta, skill_text="x").skill_text == "x"


def test_model_meta_maps_the_old_metrics_key_to_validation():
    meta = ModelMeta.from_dict({"skill_text": "preferred", "metrics": {"rp@5": 0.5}})
    assert meta.validation == {"rp@5": 0.5}
    assert "metrics" not in meta.to_dict() and meta.to_dict()["validation"] == {"rp@5": 0.5}


def test_model_meta_minimal_legacy_file_loads(tmp_path):
    """The smallest skillx.json older code wrote: no format, no version, no training."""
    meta = read_model_meta(_write(tmp_path, {"skill_text": "preferred", "taxonomy": {"name": "toy"}}))
    assert meta == ModelMeta(skill_text="preferred", taxonomy=TaxonomyRef(name="toy"))


def test_model_meta_keeps_unknown_keys(tmp_path):
    data = {**TRAINER_JSON, "future_key": {"a": 1}, "notes": "hand-written"}
    meta = read_model_meta(_write(tmp_path, data))
    assert meta is not None and meta.extra == {"future_key": {"a": 1}, "notes": "hand-written"}
    assert meta.to_dict()["future_key"] == {"a": 1}


def test_model_meta_from_a_newer_skillx_names_the_fix(tmp_path):
    _write(tmp_path, {**TRAINER_JSON, "format_version": META_FORMAT_VERSION + 1})
    with pytest.raises(ModelError, match=r"newer skillx.*Upgrade skillx"):
        read_model_meta(tmp_path)


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("[1, 2]", "JSON object"),
        ("{oops", "not valid JSON"),
        ('{"format_version": "one"}', "invalid format_version"),
        ('{"format": "something-else"}', "not skillx model metadata"),
        ('{"taxonomy": "ESCO"}', "'taxonomy' must be a JSON object"),
        ('{"skill_text": 3}', "'skill_text' must be a string"),
        ('{"fusion": {"slope": -1}}', "Refit it"),
    ],
)
def test_read_model_meta_corrupt_files_name_the_fix(tmp_path, content, match):
    (tmp_path / "skillx.json").write_text(content, encoding="utf-8")
    with pytest.raises(ModelError, match=match):
        read_model_meta(tmp_path)


def test_read_model_meta_without_a_file_is_none(tmp_path):
    assert read_model_meta(tmp_path) is None


def test_write_model_meta_refuses_plain_dicts_and_unserialisable_values(tmp_path):
    with pytest.raises(ModelError, match=r"ModelMeta\.from_dict"):
        write_model_meta(tmp_path, {"skill_text": "preferred"})  # type: ignore[arg-type]
    with pytest.raises(ModelError, match="JSON-serialisable"):
        write_model_meta(tmp_path, ModelMeta(extra={"path": tmp_path}))
    assert not (tmp_path / "skillx.json").exists()


def test_runtime_versions_names_skillx():
    import skillx

    assert runtime_versions()["skillx"] == skillx.__version__

"""`SkillEncoderTrainer`: fine-tune the bi-encoder on distant-supervision rows, save a model dir."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from skillx.errors import InputError, ModelError, not_fitted
from skillx.training.averaging import TailAverage, tail_start_step
from skillx.training.config import TrainingConfig
from skillx.training.rows import RowStats, build_rows, skill_text

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

    from skillx.taxonomy import Taxonomy

logger = logging.getLogger(__name__)


class SkillEncoderTrainer:
    """Fine-tunes a sentence-transformers bi-encoder to rank skills for job-ad sentences.

    Rows (see `skillx.training.rows.build_rows`) have the columns ``anchor`` (sentence),
    ``positive`` (skill text) and ``negative_1..n``; they are trained with
    `MultipleNegativesRankingLoss` (explicit negatives plus in-batch negatives), or, with
    ``frozen_skill_tower=True``, with `FrozenSkillTowerLoss` (``anchor`` + ``label``: a full
    softmax over fixed base-encoder skill embeddings; only the sentence tower is trained).
    If validation benchmarks are given, RP@5 (mean over the benchmarks) is measured before
    training, every ``eval_steps`` steps and at the end, and the best evaluated weights are kept
    (so a run that does not beat the base encoder returns the base encoder). With
    ``average_tail`` > 0 the mean of the weights over the last part of the run is evaluated as
    one more candidate (without validation it is the result).

    Args:
        config: The run's options (defaults: `TrainingConfig()`).

    Attributes:
        model_: The trained SentenceTransformer.
        stats_: `RowStats` of the rows built from the pairs.
        history_: ``[{"step": int, "loss": float}, ...]`` training losses as logged.
        validation_: Every evaluation (list of metric dicts); ``best_metrics_`` the kept one.
        train_seconds_: Wall time of the optimisation loop (without row building and saving).
        pairs_per_second_: Rows processed per second of training.

    Example:
        >>> trainer = SkillEncoderTrainer(TrainingConfig(max_steps=100))  # doctest: +SKIP
        >>> trainer.fit("pairs.parquet", taxonomy).save("my-model")  # doctest: +SKIP
    """

    def __init__(self, config: TrainingConfig | None = None) -> None:
        self.config = config if config is not None else TrainingConfig()

    # -- training ---------------------------------------------------------------------------
    def fit(
        self,
        pairs: str | Path | pd.DataFrame,
        taxonomy: Taxonomy,
        *,
        validation: Sequence[Any] | None = None,
    ) -> SkillEncoderTrainer:
        """Build rows from `pairs` and fine-tune the base encoder.

        Args:
            pairs: Pairs file (parquet/csv/tsv/jsonl) or DataFrame with ``sentence`` and ``uri``
                columns (``start``/``end``, ``surface_form``, ``ambiguous`` used if present).
            taxonomy: The taxonomy the pairs refer to; pairs with other URIs are skipped and
                counted in ``stats_.unknown_uri_pairs``.
            validation: Benchmarks (``name``, ``sentences``, ``gold`` URI sets), e.g. from
                `skillx.evaluation.load_benchmark`.

        Returns:
            self

        Raises:
            InputError: Empty pairs, bad columns, no usable pair, bad config.
            ModelError: The base model cannot be loaded.
        """
        import torch
        from datasets import Dataset
        from sentence_transformers import SentenceTransformerTrainer, SentenceTransformerTrainingArguments
        from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss
        from transformers import TrainerCallback, set_seed

        from skillx.encoder import load_encoder, require_torch_encoder

        cfg = self.config
        cfg.validate()
        if cfg.num_threads > 0:
            torch.set_num_threads(cfg.num_threads)
        set_seed(cfg.seed)
        model = require_torch_encoder(load_encoder(cfg.base_model))
        model.max_seq_length = cfg.max_seq_length

        needs_skill_matrix = cfg.frozen_skill_tower or cfg.negatives.get("similar", 0) > 0
        base_skills = self._encode_skills(model, taxonomy) if needs_skill_matrix else None
        rows, stats = build_rows(pairs, taxonomy, cfg, encoder=model, skill_embeddings=base_skills)
        if cfg.frozen_skill_tower:
            assert base_skills is not None
            columns: dict[str, list[Any]] = {
                "anchor": rows["anchor"].tolist(),
                "label": _frozen_tower_labels(rows, taxonomy, cfg.mask_co_mentions),
            }
            from skillx.training.losses import FrozenSkillTowerLoss

            loss: Any = FrozenSkillTowerLoss(model, base_skills, scale=cfg.scale)
        else:
            names = ["anchor", "positive", *[c for c in rows.columns if c.startswith("negative_")]]
            columns = {c: rows[c].tolist() for c in names}
            loss = MultipleNegativesRankingLoss(model, scale=cfg.scale)
        dataset = Dataset.from_dict(columns)

        evaluator = None
        if validation:
            from skillx.training.evaluator import BenchmarkEvaluator

            evaluator = BenchmarkEvaluator(
                validation,
                taxonomy,
                skill_text=cfg.skill_text,
                skill_embeddings=base_skills if cfg.frozen_skill_tower else None,
            )

        run = _RunState()
        trainer_self = self

        class _Monitor(TrainerCallback):
            """Time budget, loss history, periodic validation keeping the best weights."""

            def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
                run.started = time.perf_counter()
                if cfg.average_tail > 0:
                    run.tail = TailAverage(tail_start_step(int(state.max_steps), cfg.average_tail))

            def on_log(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
                logs = kwargs.get("logs")
                if logs and "loss" in logs:
                    run.history.append({"step": int(state.global_step), "loss": float(logs["loss"])})

            def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
                step = int(state.global_step)
                run.steps = step
                if run.tail is not None:
                    run.tail.update(model, step)
                elapsed = time.perf_counter() - run.started
                if cfg.time_budget_s > 0 and elapsed >= cfg.time_budget_s:
                    logger.info("time budget of %.0f s reached at step %d", cfg.time_budget_s, step)
                    run.budget_hit = True
                    control.should_training_stop = True
                if evaluator is not None and cfg.eval_steps > 0 and step % cfg.eval_steps == 0:
                    trainer_self._evaluate(model, evaluator, run, step)

        with tempfile.TemporaryDirectory(prefix="skillx-train-") as scratch:
            args = SentenceTransformerTrainingArguments(
                output_dir=scratch,
                per_device_train_batch_size=cfg.batch_size,
                num_train_epochs=cfg.epochs,
                max_steps=cfg.max_steps if cfg.max_steps > 0 else -1,
                learning_rate=cfg.learning_rate,
                **_warmup(cfg.warmup_ratio),
                seed=cfg.seed,
                data_seed=cfg.seed,
                batch_sampler=_batch_sampler(cfg.batch_sampler),
                save_strategy="no",
                eval_strategy="no",
                logging_steps=cfg.logging_steps,
                report_to="none",
                use_cpu=not torch.cuda.is_available(),
                disable_tqdm=True,
                dataloader_drop_last=False,
            )
            trainer = SentenceTransformerTrainer(
                model=model, args=args, train_dataset=dataset, loss=loss, callbacks=[_Monitor()]
            )
            if evaluator is not None:  # the base model is a candidate too: training must beat it
                self._evaluate(model, evaluator, run, 0)
            t0, eval_before = time.perf_counter(), run.eval_seconds
            trainer.train()
            # optimisation time only: validation passes during training are not counted
            train_seconds = time.perf_counter() - t0 - (run.eval_seconds - eval_before)
        if evaluator is not None and (not run.evaluations or run.evaluations[-1]["steps"] != run.steps):
            self._evaluate(model, evaluator, run, run.steps)
        if run.tail is not None and run.tail.n_averaged > 0:
            # the averaged weights are the result, or one more candidate when validating
            model.load_state_dict(run.tail.state_dict(model))
            if evaluator is not None:
                self._evaluate(model, evaluator, run, run.steps, averaged_steps=run.tail.n_averaged)
        if run.best_state is not None:
            model.load_state_dict(run.best_state)

        self.model_: SentenceTransformer = model
        self.taxonomy_ = taxonomy
        self.stats_: RowStats = stats
        self.history_ = run.history
        self.validation_ = run.evaluations
        self.best_metrics_ = run.best_metrics
        self.steps_ = run.steps
        self.stopped_by_time_budget_ = run.budget_hit
        self.train_seconds_ = train_seconds
        self.pairs_per_second_ = run.steps * cfg.batch_size / train_seconds if train_seconds > 0 else 0.0
        self.base_skill_embeddings_ = base_skills if cfg.frozen_skill_tower else None
        return self

    def _encode_skills(self, model: Any, taxonomy: Taxonomy) -> np.ndarray:
        """Base-encoder skill embeddings (one row per skill), reusing the user-cache index."""
        from skillx.index import SkillIndex

        index = SkillIndex.load_or_build(
            None, taxonomy, model, skill_text=self.config.skill_text, batch_size=256
        )
        if index.n_texts == index.n_skills:
            return np.asarray(index.embeddings, dtype=np.float32)
        from skillx.encoder import encode

        texts = [skill_text(s, self.config.skill_text) for s in taxonomy]
        return encode(model, texts, batch_size=256)

    @staticmethod
    def _evaluate(model: Any, evaluator: Any, state: _RunState, step: int, averaged_steps: int = 0) -> None:
        t0 = time.perf_counter()
        metrics = evaluator(model, steps=step)
        if averaged_steps:
            metrics["averaged_steps"] = float(averaged_steps)
        state.eval_seconds += time.perf_counter() - t0
        state.evaluations.append(metrics)
        logger.info("step %d validation %s", step, {k: round(v, 4) for k, v in metrics.items()})
        if state.best_metrics is None or metrics["rp@5"] > state.best_metrics["rp@5"]:
            state.best_metrics = metrics
            state.best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}

    # -- saving -----------------------------------------------------------------------------
    def save(self, directory: str | Path, *, build_index: bool = True) -> Path:
        """Write a skillx model directory atomically.

        The directory is assembled in a temporary folder beside the target and moved into place
        with `os.replace` at the end, so an interrupted or failed save never leaves a
        half-written model at `directory`. An existing skillx model directory at the same path
        is replaced; any other non-empty folder is refused.

        Layout: ``model/`` (sentence-transformers), ``skillx.json`` (config, seed, versions,
        row statistics, validation metrics, taxonomy fingerprint, skill_text) and ``index/``
        (the SkillIndex of the whole taxonomy, unless `build_index` is False).

        Returns:
            The model directory.

        Raises:
            NotFittedError: If `fit` was not called.
            ModelError: If the target is an existing non-model folder.
        """
        if not hasattr(self, "model_"):
            raise not_fitted(self)
        from skillx.model_dir import INDEX_SUBDIR, MODEL_SUBDIR, is_skillx_model_dir, write_model_meta

        target = Path(directory).expanduser().resolve()
        if target.exists() and not is_skillx_model_dir(target) and any(target.iterdir()):
            raise ModelError(
                f"'{target}' exists and is not a skillx model directory; refusing to overwrite it. "
                "Choose a new or empty folder."
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
        try:
            self.model_.save(str(tmp / MODEL_SUBDIR))
            if build_index:
                self._save_index(tmp / MODEL_SUBDIR, tmp / INDEX_SUBDIR)
            write_model_meta(tmp, self.metadata())
            _swap_into_place(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return target

    def _save_index(self, model_path: Path, index_path: Path) -> None:
        from skillx.encoder import encoder_fingerprint
        from skillx.index import SkillIndex

        fingerprint = encoder_fingerprint(model_path)
        if self.base_skill_embeddings_ is not None:
            # frozen skill tower: skills keep their base-encoder embeddings
            n = len(self.taxonomy_)
            index = SkillIndex(
                self.base_skill_embeddings_,
                np.arange(n, dtype=np.int32),
                uris=self.taxonomy_.uris,
                skill_text=self.config.skill_text,
                model_fingerprint=fingerprint,
                taxonomy_fingerprint=self.taxonomy_.fingerprint,
            )
        else:
            index = SkillIndex.build(
                self.taxonomy_, self.model_, skill_text=self.config.skill_text, model_fingerprint=fingerprint
            )
        index.save(index_path)

    def metadata(self) -> dict[str, Any]:
        """The ``skillx.json`` content of the trained model."""
        if not hasattr(self, "model_"):
            raise not_fitted(self)
        import sentence_transformers
        import torch
        import transformers

        from skillx import __version__

        tax = self.taxonomy_
        return {
            "format": "skillx-model",
            "skill_text": self.config.skill_text,
            "skill_tower": "frozen" if self.config.frozen_skill_tower else "trained",
            "taxonomy": {
                "name": tax.name,
                "version": tax.version,
                "language": tax.language,
                "fingerprint": tax.fingerprint,
                "skills": len(tax),
            },
            "training": {
                "config": self.config.to_dict(),
                "seed": self.config.seed,
                "data": self.stats_.to_dict(),
                "steps": self.steps_,
                "train_seconds": round(self.train_seconds_, 1),
                "pairs_per_second": round(self.pairs_per_second_, 2),
                "stopped_by_time_budget": self.stopped_by_time_budget_,
                "final_loss": self.history_[-1]["loss"] if self.history_ else None,
            },
            "validation": {"best": self.best_metrics_, "history": self.validation_},
            "versions": {
                "skillx": __version__,
                "sentence_transformers": sentence_transformers.__version__,
                "transformers": transformers.__version__,
                "torch": torch.__version__,
            },
        }


class _RunState:
    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.history: list[dict[str, float]] = []
        self.evaluations: list[dict[str, float]] = []
        self.best_metrics: dict[str, float] | None = None
        self.best_state: dict[str, Any] | None = None
        self.steps = 0
        self.budget_hit = False
        self.eval_seconds = 0.0
        self.tail: TailAverage | None = None


def _frozen_tower_labels(rows: pd.DataFrame, taxonomy: Taxonomy, mask_co_mentions: bool) -> list[Any]:
    """``label`` column of `FrozenSkillTowerLoss`: the positive's row, or with `mask_co_mentions`
    ``[positive, co-mentioned..., -1 pads]`` (one width for the whole dataset, so batches stack)."""
    positives = [taxonomy.position(u) for u in rows["positive_uri"]]
    if not mask_co_mentions:
        return positives
    others = [
        [taxonomy.position(u) for u in matched if u != positive_uri]
        for matched, positive_uri in zip(rows["matched_uris"], rows["positive_uri"], strict=True)
    ]
    width = 1 + max((len(o) for o in others), default=0)
    return [[p, *o, *[-1] * (width - 1 - len(o))] for p, o in zip(positives, others, strict=True)]


def _warmup(ratio: float) -> dict[str, Any]:
    """Warm-up as a ratio: ``warmup_steps`` takes a float ratio from transformers 5 on."""
    import transformers

    if int(transformers.__version__.split(".")[0]) >= 5:
        return {"warmup_steps": ratio}
    return {"warmup_ratio": ratio}


def _batch_sampler(name: str) -> Any:
    from sentence_transformers.base.sampler import BatchSamplers

    if name == "length_grouped":
        from skillx.training.batching import LengthGroupedBatchSampler

        return LengthGroupedBatchSampler
    if name == "no_duplicates":
        return BatchSamplers.NO_DUPLICATES
    if name == "default":
        return BatchSamplers.BATCH_SAMPLER
    raise InputError(f"Unknown batch_sampler '{name}'. Use no_duplicates, length_grouped or default.")


def _swap_into_place(tmp: Path, target: Path) -> None:
    """Move the finished `tmp` folder to `target`, replacing an old model there."""
    if not target.exists():
        os.replace(tmp, target)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    old.rmdir()
    os.replace(target, old)
    try:
        os.replace(tmp, target)
    except BaseException:
        os.replace(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)


def train(
    pairs: str | Path | pd.DataFrame,
    taxonomy: Taxonomy,
    output_dir: str | Path,
    *,
    config: TrainingConfig | None = None,
    validation: Sequence[Any] | None = None,
) -> Path:
    """Train a skill encoder and save it as a skillx model directory (one call).

    Args:
        pairs: Pairs file or DataFrame (see `SkillEncoderTrainer.fit`).
        taxonomy: The taxonomy of the pairs.
        output_dir: Where the model directory goes.
        config: Options; defaults to `TrainingConfig()`.
        validation: Optional benchmarks for checkpoint selection.

    Returns:
        The model directory.
    """
    return SkillEncoderTrainer(config).fit(pairs, taxonomy, validation=validation).save(output_dir)

"""`SkillEncoderTrainer`: fine-tune the bi-encoder on distant-supervision rows, save a model dir."""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from skillx.errors import ModelError, not_fitted, require_extra
from skillx.io import replace_directory
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
    `MultipleNegativesRankingLoss` (explicit negatives plus in-batch negatives). If validation
    benchmarks are given, a `SkillIndexEvaluator` measures RP@5 (mean over the benchmarks)
    before training, every ``optim.eval_steps`` steps and at the end, ranking through the same
    `SkillIndex` the saved model uses, and the best evaluated weights are kept (so a run that
    does not beat the base encoder returns the base encoder).

    Args:
        config: The run's options (defaults: `TrainingConfig()`).

    Attributes:
        model_: The trained SentenceTransformer.
        stats_: `RowStats` of the rows built from the pairs.
        history_: ``[{"step": int, "loss": float}, ...]`` training losses as logged.
        validation_: Every evaluation (list of metric dicts); ``best_metrics_`` the kept one.
        train_seconds_: Wall time of the optimisation loop (without row building, validation
            and saving).
        pairs_per_second_: Rows processed per second of training.

    Example:
        >>> cfg = TrainingConfig(optim=OptimConfig(max_steps=100))  # doctest: +SKIP
        >>> trainer = SkillEncoderTrainer(cfg)  # doctest: +SKIP
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
                columns (``surface_form`` and ``ambiguous`` used if present).
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
        require_extra("train", "datasets", "accelerate")
        import torch
        from datasets import Dataset
        from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss
        from transformers import set_seed

        from skillx.encoder import load_encoder, require_torch_encoder
        from skillx.training.callbacks import BestWeightsCallback, LossHistoryCallback, TimeBudgetCallback

        cfg = self.config
        cfg.validate()
        optim = cfg.optim
        if optim.num_threads > 0:
            torch.set_num_threads(optim.num_threads)
        set_seed(cfg.seed)
        model = require_torch_encoder(load_encoder(cfg.base_model))
        read_length = model.max_seq_length
        model.max_seq_length = optim.max_seq_length  # short rows train faster; see the restore below

        # the "similar" sampler ranks skills by base-encoder similarity
        similar = cfg.rows.negatives.get("similar", 0) > 0
        base_skills = self._encode_skills(model, taxonomy) if similar else None
        rows, stats = build_rows(pairs, taxonomy, cfg, encoder=model, skill_embeddings=base_skills)
        names = ["anchor", "positive", *[c for c in rows.columns if c.startswith("negative_")]]
        dataset = Dataset.from_dict({c: rows[c].tolist() for c in names})
        loss: Any
        if cfg.contextual is None:
            loss = MultipleNegativesRankingLoss(model, scale=optim.scale)
        else:
            from skillx.training.losses import ContextualRankingLoss

            loss = ContextualRankingLoss(model, cfg.contextual, scale=optim.scale)

        evaluator = None
        if validation:
            from skillx.training.evaluator import SkillIndexEvaluator

            evaluator = SkillIndexEvaluator(
                validation, taxonomy, skill_text=cfg.skill_text, contextual=cfg.contextual
            )
        budget = TimeBudgetCallback(optim.time_budget_s)
        losses = LossHistoryCallback()
        best = BestWeightsCallback("eval_rp@5")
        callbacks: list[Any] = [budget, losses] + ([best] if evaluator is not None else [])

        with tempfile.TemporaryDirectory(prefix="skillx-train-") as scratch:
            trainer = _trainer(
                model=model,
                args=optim.training_arguments(scratch, seed=cfg.seed, evaluate=evaluator is not None),
                train_dataset=dataset,
                loss=loss,
                evaluator=evaluator,
                callbacks=callbacks,
            )
            if evaluator is not None:  # the base model is a candidate too: training must beat it
                trainer.evaluate()
            eval_before = evaluator.seconds if evaluator is not None else 0.0
            t0 = time.perf_counter()
            trainer.train()
            # optimisation time only: validation passes during training are not counted
            eval_during = (evaluator.seconds - eval_before) if evaluator is not None else 0.0
            train_seconds = time.perf_counter() - t0 - eval_during
            steps = int(trainer.state.global_step)
            if evaluator is not None and evaluator.history[-1]["steps"] != steps:
                trainer.evaluate()  # the final weights were not evaluated yet
        if best.best_state is not None:
            model.load_state_dict(best.best_state)
        # the training length is a speed setting, not the model's: saved at it, the model would
        # cut every longer sentence at inference and miss the skills named in its tail
        model.max_seq_length = read_length

        self.model_: SentenceTransformer = model
        self.taxonomy_ = taxonomy
        self.stats_: RowStats = stats
        self.history_ = losses.history
        self.validation_ = list(evaluator.history) if evaluator is not None else []
        self.best_metrics_ = self.validation_[best.best_index] if best.best_index >= 0 else None
        self.steps_ = steps
        self.stopped_by_time_budget_ = budget.stopped
        self.train_seconds_ = train_seconds
        self.pairs_per_second_ = steps * optim.batch_size / train_seconds if train_seconds > 0 else 0.0
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
        from skillx.model_dir import (
            INDEX_SUBDIR,
            MODEL_SUBDIR,
            ModelMeta,
            is_skillx_model_dir,
            write_model_meta,
        )

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
            write_model_meta(tmp, ModelMeta.from_dict(self.metadata()))
            replace_directory(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return target

    def _save_index(self, model_path: Path, index_path: Path) -> None:
        from skillx.encoder import encoder_fingerprint
        from skillx.index import SkillIndex

        fingerprint = encoder_fingerprint(model_path)
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
        scoring = {} if self.config.contextual is None else {"scoring": self.config.contextual.to_dict()}
        return {
            "format": "skillx-model",
            "skill_text": self.config.skill_text,
            **scoring,
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


def _trainer(**kwargs: Any) -> Any:
    """A `SentenceTransformerTrainer` whose evaluations leave the training's random stream alone.

    The trainer's evaluation loop iterates a DataLoader, which draws a seed from torch's global
    generator; without `fork_rng` every validation pass would shift the dropout masks of the
    steps after it, so a run with validation would train differently from the same run without.
    """
    import torch
    from sentence_transformers import SentenceTransformerTrainer

    class _Trainer(SentenceTransformerTrainer):
        def evaluate(self, *args: Any, **kw: Any) -> dict[str, float]:
            with torch.random.fork_rng(devices=list(range(torch.cuda.device_count()))):
                return super().evaluate(*args, **kw)

    return _Trainer(**kwargs)


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

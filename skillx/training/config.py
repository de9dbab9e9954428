"""Options of a bi-encoder training run, split by concern; JSON round-trippable.

`TrainingConfig` holds what the run is about (base model, skill-text mode, seed) and two parts:
`RowConfig` (how distant-supervision pairs become training rows) and `OptimConfig` (how the
rows are optimised; it maps onto `SentenceTransformerTrainingArguments`).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from skillx.contextual import ContextualScoring
from skillx.errors import InputError

BATCH_SAMPLERS = ("no_duplicates", "length_grouped", "default")


def _check(owner: str, checks: list[tuple[bool, str]]) -> None:
    for ok, message in checks:
        if not ok:
            raise InputError(f"Invalid {owner}: {message}.")


def _known_keys(cls: type, data: Any, where: str) -> dict[str, Any]:
    """`data` as a dict after checking that every key is a field of `cls`."""
    if not isinstance(data, dict):
        raise InputError(f"{where} must be a JSON object of option: value, got {type(data).__name__}.")
    known = [f.name for f in fields(cls)]
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise InputError(
            f"Unknown {where} option(s) {unknown}. Valid options: {', '.join(sorted(known))}."
            + _placement_hint(unknown)
        )
    return data


def _placement_hint(unknown: list[str]) -> str:
    """Where keys of the old flat layout belong now (" 'batch_size' belongs in 'optim'.")."""
    homes = {"rows": RowConfig, "optim": OptimConfig}
    hints = [
        f"'{key}' belongs in '{part}'"
        for key in unknown
        for part, cls in homes.items()
        if key in {f.name for f in fields(cls)}
    ]
    return f" ({'; '.join(hints)}.)" if hints else ""


@dataclass(frozen=True)
class RowConfig:
    """How distant-supervision pairs become training rows (`skillx.training.build_rows`).

    Attributes:
        negatives: Sampler name -> explicit negatives per row, e.g. ``{"taxonomy": 1,
            "similar": 1}``; each negative is one ``negative_i`` column. Empty: in-batch
            negatives only. Samplers are registered by name (`skillx.negatives`).
        sampler_options: Per-sampler constructor options, e.g. ``{"taxonomy": {"depth": 1}}``.
        max_pairs_per_skill: Keep at most this many pairs per skill, so frequent skills such
            as "communication" do not dominate while rare ones are all kept. 0: no cap.
        max_pairs_per_form: Keep at most this many pairs per matched surface form. 0: no cap.
        max_rows: Keep at most this many corpus rows after the caps, taking the skills
            round-robin so rare skills stay. 0: no cap.
        drop_ambiguous: Drop pairs whose surface form belongs to several skills.
        description_anchors: Add one row per skill with its description as the anchor and the
            skill itself as the positive (covers skills the corpus never mentions).
        max_description_rows: Cap on those rows, drawn at random (0: every skill with a
            description).
    """

    negatives: dict[str, int] = field(default_factory=lambda: {"taxonomy": 1})
    sampler_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    max_pairs_per_skill: int = 50
    max_pairs_per_form: int = 100
    max_rows: int = 0
    drop_ambiguous: bool = True
    description_anchors: bool = True
    max_description_rows: int = 0

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Check value ranges and sampler names; raise `InputError` naming the fix."""
        _check("RowConfig", [
            (isinstance(self.negatives, dict), "negatives must be a dict of sampler name: count"),
            (
                isinstance(self.negatives, dict)
                and all(
                    isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in self.negatives.values()
                ),
                "negatives counts must be integers >= 0 (0 or {}: in-batch negatives only)",
            ),
            (
                isinstance(self.sampler_options, dict),
                "sampler_options must be a dict of sampler name: options",
            ),
            (self.max_pairs_per_skill >= 0, "max_pairs_per_skill must be >= 0 (0: no cap)"),
            (self.max_pairs_per_form >= 0, "max_pairs_per_form must be >= 0 (0: no cap)"),
            (self.max_rows >= 0, "max_rows must be >= 0 (0: no cap)"),
            (self.max_description_rows >= 0, "max_description_rows must be >= 0 (0: every described skill)"),
        ])
        from skillx.errors import unknown_name
        from skillx.negatives import available_samplers

        for name in self.negatives:
            if name not in available_samplers():
                raise unknown_name("negative sampler", name, available_samplers())

    @property
    def n_negatives(self) -> int:
        """Explicit negatives per row."""
        return sum(self.negatives.values())


@dataclass(frozen=True)
class OptimConfig:
    """How the rows are optimised; `training_arguments` maps it onto sentence-transformers.

    Attributes:
        max_seq_length: Word pieces per training text; longer texts are truncated. Training
            only: the saved model reads as many word pieces as its base encoder.
        batch_size: Rows per optimisation step (each row's positive is an in-batch negative
            of the others).
        epochs: Passes over the rows, fractions allowed (ignored when `max_steps` > 0).
        max_steps: Stop after this many steps (0: use `epochs`).
        learning_rate: Peak AdamW learning rate (linear warm-up, then linear decay).
        warmup_ratio: Fraction of the steps spent warming up.
        scale: Inverse temperature of the softmax over cosine similarities
            (MultipleNegativesRankingLoss).
        batch_sampler: ``"length_grouped"`` (batches of similar anchor length, no repeated
            positive), ``"no_duplicates"`` (no repeated text within a batch) or ``"default"``.
        eval_steps: With validation benchmarks, evaluate every this many steps (0: only before
            and after training). The best evaluated weights are kept.
        time_budget_s: Stop training after this many seconds (0: no budget).
        num_threads: torch CPU threads (0: leave torch's default).
        logging_steps: Record the training loss every this many steps.
    """

    max_seq_length: int = 48
    batch_size: int = 64
    epochs: float = 0.45
    max_steps: int = 0
    learning_rate: float = 5e-5
    warmup_ratio: float = 0.05
    scale: float = 20.0
    batch_sampler: str = "length_grouped"
    eval_steps: int = 0
    time_budget_s: float = 0.0
    num_threads: int = 0
    logging_steps: int = 50

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Check value ranges; raise `InputError` naming the field and the fix."""
        _check("OptimConfig", [
            (self.max_seq_length >= 8, "max_seq_length must be >= 8"),
            (self.batch_size >= 2, "batch_size must be >= 2 (in-batch negatives need two rows)"),
            (self.max_steps >= 0, "max_steps must be >= 0 (0: train for `epochs`)"),
            (self.epochs > 0 or self.max_steps > 0, "set epochs > 0 or max_steps > 0"),
            (self.learning_rate > 0, "learning_rate must be > 0"),
            (0 <= self.warmup_ratio < 1, "warmup_ratio must be in [0, 1)"),
            (self.scale > 0, "scale must be > 0"),
            (
                self.batch_sampler in BATCH_SAMPLERS,
                f"batch_sampler must be one of {', '.join(BATCH_SAMPLERS)}",
            ),
            (self.eval_steps >= 0, "eval_steps must be >= 0 (0: evaluate before and after training only)"),
            (self.time_budget_s >= 0, "time_budget_s must be >= 0 (0: no budget)"),
            (self.num_threads >= 0, "num_threads must be >= 0 (0: torch's default)"),
            (self.logging_steps >= 1, "logging_steps must be >= 1"),
        ])

    def training_arguments(self, output_dir: str, *, seed: int, evaluate: bool = False) -> Any:
        """The `SentenceTransformerTrainingArguments` of this run (the one place they are set).

        Args:
            output_dir: Scratch folder of the trainer (nothing is saved there: ``save_strategy="no"``).
            seed: Seed of the trainer (initialisation, dropout, batch order).
            evaluate: Whether an evaluator runs every `eval_steps` steps.

        Returns:
            The arguments.
        """
        import torch
        from sentence_transformers import SentenceTransformerTrainingArguments

        periodic = evaluate and self.eval_steps > 0
        return SentenceTransformerTrainingArguments(
            output_dir=output_dir,
            per_device_train_batch_size=self.batch_size,
            num_train_epochs=self.epochs,
            max_steps=self.max_steps if self.max_steps > 0 else -1,
            learning_rate=self.learning_rate,
            **_warmup(self.warmup_ratio),
            seed=seed,
            data_seed=seed,
            batch_sampler=_batch_sampler(self.batch_sampler),
            save_strategy="no",
            eval_strategy="steps" if periodic else "no",
            eval_steps=self.eval_steps if periodic else None,
            logging_steps=self.logging_steps,
            report_to="none",
            use_cpu=not torch.cuda.is_available(),
            disable_tqdm=True,
            dataloader_drop_last=False,
        )


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
    return BatchSamplers.BATCH_SAMPLER


@dataclass(frozen=True)
class TrainingConfig:
    """Options of one training run. Every field has a default; `to_json`/`from_json` round-trip.

    Attributes:
        base_model: Encoder to start from: None/"default" (bundled all-MiniLM-L6-v2) or a local
            sentence-transformers / skillx model directory.
        skill_text: Skill-text mode of `skillx.index` (``"preferred"``: the preferred label;
            ``"preferred+alt"``, ``"label+description"``, ...). Training positives use the
            mode's first text; the saved index and checkpoint selection use all of them.
        seed: Seed of every random choice (row balancing, negatives, batch order, dropout).
        rows: How pairs become rows (`RowConfig`).
        optim: How rows are optimised (`OptimConfig`).
        contextual: Train, choose the checkpoint and calibrate for contextual scoring
            (`skillx.contextual.ContextualScoring`, or a dict of its ``tau`` and
            ``pooled_weight``); None trains the pooled cosine.

    Example:
        >>> cfg = TrainingConfig(optim=OptimConfig(max_steps=100), rows=RowConfig(negatives={}))
        >>> TrainingConfig.from_json(cfg.to_json()) == cfg
        True
    """

    base_model: str | None = None
    skill_text: str = "preferred"
    seed: int = 42
    rows: RowConfig = field(default_factory=RowConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    contextual: ContextualScoring | None = None

    def __post_init__(self) -> None:
        # nested dicts (e.g. from JSON or keyword arguments) become their config objects
        if isinstance(self.rows, dict):
            object.__setattr__(self, "rows", RowConfig(**_known_keys(RowConfig, self.rows, "rows")))
        if isinstance(self.optim, dict):
            object.__setattr__(self, "optim", OptimConfig(**_known_keys(OptimConfig, self.optim, "optim")))
        if isinstance(self.contextual, dict):
            scoring = {"kind": "contextual", **self.contextual}
            object.__setattr__(self, "contextual", ContextualScoring.from_dict(scoring))
        self.validate()

    def validate(self) -> None:
        """Check every part; raise `InputError` (or `UnknownNameError`) naming the fix."""
        _check("TrainingConfig", [
            (isinstance(self.rows, RowConfig), "rows must be a RowConfig (or a dict of its options)"),
            (isinstance(self.optim, OptimConfig), "optim must be an OptimConfig (or a dict of its options)"),
            (isinstance(self.seed, int) and not isinstance(self.seed, bool), "seed must be an integer"),
            (self.contextual is None or isinstance(self.contextual, ContextualScoring),
             "contextual must be a ContextualScoring, a dict of its tau and pooled_weight, or None"),
        ])
        self.rows.validate()
        self.optim.validate()
        from skillx.index import get_skill_text

        get_skill_text(self.skill_text)  # unknown mode: error listing the registered ones

    def with_options(self, **options: Any) -> TrainingConfig:
        """A copy with some top-level fields replaced (``rows``/``optim`` as objects or partial dicts).

        Example:
            >>> TrainingConfig().with_options(seed=1, optim={"max_steps": 10}).optim.max_steps
            10
        """
        _known_keys(TrainingConfig, options, "TrainingConfig")
        for part in ("rows", "optim"):
            if isinstance(options.get(part), dict):
                current = getattr(self, part)
                options[part] = replace(current, **_known_keys(type(current), options[part], part))
        return replace(self, **options)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON dict of every field (``rows`` and ``optim`` as nested dicts)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainingConfig:
        """Build from a (nested) dict; unknown keys raise `InputError` listing the valid ones."""
        return cls(**_known_keys(cls, data, "TrainingConfig"))

    def to_json(self, path: str | Path | None = None) -> str:
        """JSON text of the config; also written to `path` when given."""
        text = json.dumps(self.to_dict(), indent=2, sort_keys=True)
        if path is not None:
            Path(path).write_text(text + "\n", encoding="utf-8")
        return text

    @classmethod
    def from_json(cls, source: str | Path) -> TrainingConfig:
        """Read a config from a JSON file path or a JSON string."""
        text = str(source)
        if not text.lstrip().startswith("{"):
            path = Path(source)
            if not path.is_file():
                raise InputError(f"Training config file '{path}' not found. Pass a JSON file or JSON text.")
            text = path.read_text(encoding="utf-8")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"Training config is not valid JSON ({exc}). Fix the file and retry.") from None
        if not isinstance(data, dict):
            raise InputError("Training config JSON must be an object of option: value.")
        return cls.from_dict(data)

"""`TrainingConfig`: every option of a bi-encoder training run, JSON round-trippable."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from skillx.errors import InputError

BATCH_SAMPLERS = ("no_duplicates", "length_grouped", "default")


@dataclass
class TrainingConfig:
    """Options of one training run. Every field has a default; `to_json`/`from_json` round-trip.

    Attributes:
        seed: Seed of every random choice (row balancing, negatives, masking, shuffling, init).
        base_model: Encoder to start from: None/"default" (bundled all-MiniLM-L6-v2) or a local
            sentence-transformers / skillx model directory.
        max_seq_length: Word pieces per text. Job-ad sentences are short: median 28 word pieces,
            9% longer than 48, 2% longer than 64 (docs/training.md).
        batch_size: Rows per optimisation step.
        epochs: Passes over the rows (ignored when `max_steps` > 0). The default, 0.45, is where
            the trained skill tower peaks; a full epoch lowered HOUSE RP@5 (docs/training.md).
        max_steps: Stop after this many steps (0 or less: use `epochs`).
        learning_rate: Peak AdamW learning rate (linear warm-up then decay).
        warmup_ratio: Fraction of steps spent warming up.
        average_tail: Average the weights over this final fraction of the steps (SWA-style,
            `skillx.training.averaging`); the mean is the trained model, or with validation one
            more candidate for the kept checkpoint. 0: off.
        negatives: Sampler name -> negatives per row, e.g. ``{"taxonomy": 1, "similar": 1}``;
            each negative is one ``negative_i`` column. Empty: in-batch negatives only. Used
            when the skill tower is trained; the frozen tower's full softmax already has every
            skill (taxonomy neighbours included) as a negative, so it draws none.
        sampler_options: Per-sampler constructor options, e.g. ``{"taxonomy": {"depth": 1}}``.
        max_pairs_per_skill: Keep at most this many pairs per skill (frequent skills such as
            "communication" do not dominate; rare ones are all kept). 0: no cap. Raising
            it to 150 (with 150 per form) cost 6-8 HOUSE RP@5 points (docs/training.md).
        max_pairs_per_form: Keep at most this many pairs per matched surface form. 0: no cap.
        max_rows: Keep at most this many corpus rows after the caps, taking the skills
            round-robin so rare skills stay. 0: no cap.
        drop_ambiguous: Drop pairs whose surface form belongs to several skills.
        mask_mentions: Probability of replacing the literal mention in the anchor with
            `mask_token` (0: never, 1: always), so the model learns from the context too.
        mask_min_pairs: Mask only mentions of skills with at least this many pairs (before the
            caps), i.e. the frequent, mostly transversal skills whose label the model sees often
            anyway; rare skills keep their literal mention. 0: every skill.
        mask_token: Text that replaces a masked mention.
        description_anchors: Add one row per skill with its description as the anchor and the
            skill itself as the positive (covers skills the corpus never mentions).
        max_description_rows: Cap on those rows (0: all skills with a description).
        label_anchors: Add up to this many rows per skill with one of its alternative labels as
            the anchor (synonyms the corpus may never use; labels shared by several skills are
            skipped). 0: none.
        skill_text: Skill-text mode of `skillx.index` (``"preferred"``: the preferred label;
            ``"label+description"``, ...). The saved index uses the same mode.
        frozen_skill_tower: Keep skill embeddings fixed (computed once with the base encoder)
            and train the sentence tower only, with a full softmax over all skills. Twice the
            pairs/s of the trained tower, but 3.2 and 5.8 TECH RP@5 points below the default
            trained tower with taxonomy negatives (seeds 42 and 43) (docs/training.md, "Negative samplers
            at full length").
        mask_co_mentions: With the frozen skill tower, leave the other skills literally matched
            in the same sentence out of that row's softmax (they are positives of the sentence,
            not negatives). The trained tower never draws them as negatives anyway.
        scale: Inverse temperature of the softmax over cosine similarities.
        batch_sampler: ``"no_duplicates"`` (no repeated text within a batch),
            ``"length_grouped"`` (batches of similar anchor length, no repeated positive) or
            ``"default"``.
        eval_steps: Evaluate on the validation benchmarks every this many steps (0: only at
            the end). The best evaluated model is kept.
        time_budget_s: Stop training after this many seconds (evaluating once more); 0: none.
        num_threads: torch CPU threads (0: leave torch's default).
        logging_steps: Record the training loss every this many steps (``history_``).
    """

    seed: int = 42
    base_model: str | None = None
    max_seq_length: int = 48
    batch_size: int = 64
    epochs: float = 0.45
    max_steps: int = 0
    learning_rate: float = 5e-5
    warmup_ratio: float = 0.05
    average_tail: float = 0.0
    negatives: dict[str, int] = field(default_factory=lambda: {"taxonomy": 1})
    sampler_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    max_pairs_per_skill: int = 50
    max_pairs_per_form: int = 100
    max_rows: int = 0
    drop_ambiguous: bool = True
    mask_mentions: float = 0.0
    mask_min_pairs: int = 0
    mask_token: str = "[MASK]"
    description_anchors: bool = True
    max_description_rows: int = 0
    label_anchors: int = 0
    skill_text: str = "preferred"
    frozen_skill_tower: bool = False
    mask_co_mentions: bool = False
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
        checks: list[tuple[bool, str]] = [
            (self.max_seq_length >= 8, "max_seq_length must be >= 8"),
            (self.batch_size >= 2, "batch_size must be >= 2 (in-batch negatives need two rows)"),
            (self.epochs > 0 or self.max_steps > 0, "set epochs > 0 or max_steps > 0"),
            (self.learning_rate > 0, "learning_rate must be > 0"),
            (0 <= self.warmup_ratio < 1, "warmup_ratio must be in [0, 1)"),
            (0 <= self.average_tail < 1, "average_tail must be in [0, 1) (0: no weight averaging)"),
            (0.0 <= self.mask_mentions <= 1.0, "mask_mentions is a probability in [0, 1]"),
            (self.scale > 0, "scale must be > 0"),
            (self.label_anchors >= 0, "label_anchors must be >= 0"),
            (self.mask_min_pairs >= 0, "mask_min_pairs must be >= 0 (0: mask every skill's mentions)"),
            (
                self.mask_min_pairs == 0 or self.mask_mentions > 0,
                "mask_min_pairs only narrows which mentions mask_mentions masks; set mask_mentions > 0",
            ),
            (self.logging_steps >= 1, "logging_steps must be >= 1"),
            (
                self.frozen_skill_tower or not self.mask_co_mentions,
                "mask_co_mentions applies to the frozen skill tower only; set frozen_skill_tower=True "
                "(the trained tower never draws co-mentioned skills as negatives anyway)",
            ),
            (self.batch_sampler in BATCH_SAMPLERS, f"batch_sampler must be one of {BATCH_SAMPLERS}"),
            (
                all(isinstance(v, int) and v >= 0 for v in self.negatives.values()),
                "negatives counts must be integers >= 0",
            ),
        ]
        for ok, message in checks:
            if not ok:
                raise InputError(f"Invalid TrainingConfig: {message}.")
        from skillx.index import get_skill_text

        get_skill_text(self.skill_text)  # unknown mode: error listing the registered ones
        from skillx.errors import unknown_name
        from skillx.negatives import available_samplers

        for name in self.negatives:
            if name not in available_samplers():
                raise unknown_name("negative sampler", name, available_samplers())

    @property
    def n_negatives(self) -> int:
        """Explicit negatives per row."""
        return sum(self.negatives.values())

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON dict of every field."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainingConfig:
        """Build from a dict; unknown keys raise `InputError` listing the valid ones."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InputError(
                f"Unknown TrainingConfig option(s) {unknown}. Valid options: {', '.join(sorted(known))}."
            )
        return cls(**data)

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

"""Fine-tune the skill bi-encoder with sentence-transformers and write a skillx model directory.

Importing this package is cheap; torch and sentence-transformers load when training starts.
"""

from __future__ import annotations

from skillx.training.config import OptimConfig, RowConfig, TrainingConfig
from skillx.training.rows import RowStats, build_rows, read_pairs, skill_text
from skillx.training.trainer import SkillEncoderTrainer, train

__all__ = [
    "OptimConfig",
    "RowConfig",
    "RowStats",
    "SkillEncoderTrainer",
    "TrainingConfig",
    "build_rows",
    "read_pairs",
    "skill_text",
    "train",
]

"""skillx: extract ESCO skills from job postings on a CPU.

Every public name is imported on first use, so ``import skillx`` stays light (no pandas,
torch or spaCy); type checkers see the real names through the ``TYPE_CHECKING`` block.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from skillx._version import __version__

if TYPE_CHECKING:
    from skillx.contextual import ContextualScoring
    from skillx.corpus import TextRecord, read_texts
    from skillx.encoder import load_encoder
    from skillx.evaluation import Benchmark, evaluate, evaluate_rankings, load_benchmark
    from skillx.extractor import SkillExtractor
    from skillx.fusion import FusionParams
    from skillx.index import SkillIndex
    from skillx.loading import load
    from skillx.matching import LiteralHit, LiteralMatcher
    from skillx.negatives import NegativeSampler, get_sampler, register_sampler
    from skillx.ranker import SemanticRanker
    from skillx.results import (
        DocumentSkill,
        DocumentSkills,
        MatchSource,
        SentenceSkills,
        SkillMatch,
        to_pandas,
    )
    from skillx.supervision import PairStats, build_pairs
    from skillx.taxonomy import (
        LabelKind,
        Skill,
        SkillGroup,
        SkillRelation,
        SurfaceForm,
        Taxonomy,
        download_esco,
        load_taxonomy,
        read_esco_csv,
        read_skos,
        write_skos,
    )
    from skillx.text import Sentence, clean_text, segment
    from skillx.training import OptimConfig, RowConfig, SkillEncoderTrainer, TrainingConfig, train

# Public name -> module that defines it; imported on first attribute access.
_LAZY: dict[str, str] = {
    "LabelKind": "skillx.taxonomy",
    "Skill": "skillx.taxonomy",
    "SkillGroup": "skillx.taxonomy",
    "SkillRelation": "skillx.taxonomy",
    "SurfaceForm": "skillx.taxonomy",
    "Taxonomy": "skillx.taxonomy",
    "download_esco": "skillx.taxonomy",
    "load_taxonomy": "skillx.taxonomy",
    "read_esco_csv": "skillx.taxonomy",
    "read_skos": "skillx.taxonomy",
    "write_skos": "skillx.taxonomy",
    "load": "skillx.loading",
    "SkillExtractor": "skillx.extractor",
    "MatchSource": "skillx.results",
    "SkillMatch": "skillx.results",
    "SentenceSkills": "skillx.results",
    "DocumentSkill": "skillx.results",
    "DocumentSkills": "skillx.results",
    "to_pandas": "skillx.results",
    "FusionParams": "skillx.fusion",
    "ContextualScoring": "skillx.contextual",
    "Sentence": "skillx.text",
    "clean_text": "skillx.text",
    "segment": "skillx.text",
    "LiteralHit": "skillx.matching",
    "LiteralMatcher": "skillx.matching",
    "TextRecord": "skillx.corpus",
    "read_texts": "skillx.corpus",
    "PairStats": "skillx.supervision",
    "build_pairs": "skillx.supervision",
    "train": "skillx.training",
    "TrainingConfig": "skillx.training",
    "RowConfig": "skillx.training",
    "OptimConfig": "skillx.training",
    "SkillEncoderTrainer": "skillx.training",
    "get_sampler": "skillx.negatives",
    "register_sampler": "skillx.negatives",
    "NegativeSampler": "skillx.negatives",
    "load_encoder": "skillx.encoder",
    "SkillIndex": "skillx.index",
    "SemanticRanker": "skillx.ranker",
    "Benchmark": "skillx.evaluation",
    "load_benchmark": "skillx.evaluation",
    "evaluate": "skillx.evaluation",
    "evaluate_rankings": "skillx.evaluation",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'skillx' has no attribute '{name}'")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "Benchmark",
    "ContextualScoring",
    "DocumentSkill",
    "DocumentSkills",
    "FusionParams",
    "LabelKind",
    "LiteralHit",
    "LiteralMatcher",
    "MatchSource",
    "NegativeSampler",
    "OptimConfig",
    "PairStats",
    "RowConfig",
    "SemanticRanker",
    "Sentence",
    "SentenceSkills",
    "Skill",
    "SkillEncoderTrainer",
    "SkillExtractor",
    "SkillGroup",
    "SkillIndex",
    "SkillMatch",
    "SkillRelation",
    "SurfaceForm",
    "Taxonomy",
    "TextRecord",
    "TrainingConfig",
    "__version__",
    "build_pairs",
    "clean_text",
    "download_esco",
    "evaluate",
    "evaluate_rankings",
    "get_sampler",
    "load",
    "load_benchmark",
    "load_encoder",
    "load_taxonomy",
    "read_esco_csv",
    "read_skos",
    "read_texts",
    "register_sampler",
    "segment",
    "to_pandas",
    "train",
    "write_skos",
]

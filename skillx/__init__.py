"""skillx: extract ESCO skills from job postings on a CPU."""

from __future__ import annotations

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

__version__ = "0.1.0"

# Public names imported on first use, so `import skillx` stays light (no torch, no spaCy).
_LAZY: dict[str, str] = {
    "load": "skillx.loading",
    "SkillExtractor": "skillx.extractor",
    "SentenceSkills": "skillx.documents",
    "DocumentSkill": "skillx.documents",
    "DocumentSkills": "skillx.documents",
    "to_pandas": "skillx.documents",
    "FusionParams": "skillx.fusion",
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
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value

__all__ = [
    "Benchmark",
    "DocumentSkill",
    "DocumentSkills",
    "FusionParams",
    "LabelKind",
    "LiteralHit",
    "LiteralMatcher",
    "NegativeSampler",
    "PairStats",
    "SemanticRanker",
    "Sentence",
    "SentenceSkills",
    "Skill",
    "SkillEncoderTrainer",
    "SkillExtractor",
    "SkillGroup",
    "SkillIndex",
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

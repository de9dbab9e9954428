"""skillx: extract ESCO skills from job postings on a CPU."""

from __future__ import annotations

from skillx.taxonomy import LabelKind, Skill, SkillGroup, SkillRelation, SurfaceForm, Taxonomy, read_esco_csv

__version__ = "0.1.0"

__all__ = [
    "LabelKind",
    "Skill",
    "SkillGroup",
    "SkillRelation",
    "SurfaceForm",
    "Taxonomy",
    "__version__",
    "read_esco_csv",
]

"""Skills taxonomies: records, the `Taxonomy` object, and readers for ESCO CSV and SKOS."""

from skillx.taxonomy.esco_csv import read_esco_csv
from skillx.taxonomy.model import Taxonomy
from skillx.taxonomy.records import LabelKind, Skill, SkillGroup, SkillRelation, SurfaceForm

__all__ = [
    "LabelKind",
    "Skill",
    "SkillGroup",
    "SkillRelation",
    "SurfaceForm",
    "Taxonomy",
    "read_esco_csv",
]

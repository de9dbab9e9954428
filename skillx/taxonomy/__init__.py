"""Skills taxonomies: records, the `Taxonomy` object, readers (ESCO CSV, SKOS), cache and locator."""

from skillx.taxonomy.download import download_esco
from skillx.taxonomy.esco_csv import read_esco_csv
from skillx.taxonomy.locate import load_taxonomy, locate_taxonomy
from skillx.taxonomy.manifest import EscoManifest, load_manifest
from skillx.taxonomy.model import Taxonomy
from skillx.taxonomy.records import LabelKind, Skill, SkillGroup, SkillRelation, SurfaceForm
from skillx.taxonomy.skos import read_skos, write_skos

__all__ = [
    "EscoManifest",
    "LabelKind",
    "Skill",
    "SkillGroup",
    "SkillRelation",
    "SurfaceForm",
    "Taxonomy",
    "download_esco",
    "load_manifest",
    "load_taxonomy",
    "locate_taxonomy",
    "read_esco_csv",
    "read_skos",
    "write_skos",
]

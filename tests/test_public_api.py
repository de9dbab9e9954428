"""The public surface of `skillx`: pinned, importable, typed and light to import."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

import skillx

# Adding or removing a public name is a decision: update this list on purpose.
PUBLIC_NAMES = [
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

ROOT = Path(__file__).resolve().parents[1]


def test_all_is_pinned() -> None:
    assert sorted(skillx.__all__) == PUBLIC_NAMES


def test_every_public_name_resolves() -> None:
    for name in skillx.__all__:
        assert getattr(skillx, name) is not None, name
    assert set(skillx._LAZY) | {"__version__"} == set(skillx.__all__)


def test_unknown_name_raises_attribute_error() -> None:
    try:
        skillx.no_such_name  # noqa: B018
    except AttributeError as exc:
        assert "no_such_name" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("expected AttributeError")


def test_type_checking_block_names_every_lazy_name() -> None:
    # mypy sees only the TYPE_CHECKING imports; a lazy name missing there is `object` to users.
    tree = ast.parse((ROOT / "skillx" / "__init__.py").read_text(encoding="utf-8"))
    block = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"
    )
    typed = {
        alias.name: node.module
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert typed == skillx._LAZY


def test_results_records_are_exported_from_one_module() -> None:
    from skillx import results

    for name in (
        "MatchSource",
        "SkillMatch",
        "SentenceSkills",
        "DocumentSkill",
        "DocumentSkills",
        "to_pandas",
    ):
        assert getattr(skillx, name) is getattr(results, name)


def test_version_has_one_source() -> None:
    from skillx._version import __version__

    assert skillx.__version__ == __version__
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^dynamic = \["version"\]$', pyproject, re.M)
    assert not re.search(r"^version = \"", pyproject, re.M)
    assert 'attr = "skillx._version.__version__"' in pyproject


def test_import_is_light() -> None:
    code = (
        "import sys, skillx; "
        "print(sorted(m for m in ('pandas', 'numpy', 'torch', 'spacy', 'sentence_transformers', 'typer') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_missing_extra_names_the_pip_command() -> None:
    from skillx.errors import MissingExtraError, SkillxError, require_extra

    require_extra("train", "json")  # installed: no error
    with pytest.raises(MissingExtraError, match=r"pip install 'skillx\[train\]'") as caught:
        require_extra("train", "json", "no_such_module_for_skillx")
    assert isinstance(caught.value, SkillxError) and isinstance(caught.value, ImportError)
    assert "no_such_module_for_skillx is not installed" in str(caught.value)


def test_optional_packages_are_extras_not_dependencies() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    core = pyproject.split("dependencies = [", 1)[1].split("]", 1)[0]
    for name in ("datasets", "accelerate", "scikit-learn", "rapidfuzz", "pyspark"):
        assert f'"{name}' not in core, name
    assert re.search(r'^train = \[.*"datasets.*"accelerate.*"scikit-learn', pyproject, re.M)

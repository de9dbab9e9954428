"""`skillx.parallel`: a spawn pool of workers gives what one process gives, in input order."""

from __future__ import annotations

import pytest

from skillx.errors import InputError, InputTypeError
from skillx.parallel import LoadSpec, extract_many, iter_extract_records, threads_per_worker
from skillx.results import SentenceSkills

TEMPLATES = (
    "Experience with {} is required.",
    "You will {} every day.",
    "Good knowledge of {} and {} is a plus.",
    "We offer a competitive salary.",
)
SKILLS = ("Python", "SQL", "first aid", "statistics", "manage budgets", "serve beverages", "Git", "R")


def ads(n: int) -> list[str]:
    """`n` small job ads of 1 to 4 sentences built from templates (deterministic)."""
    out = []
    for i in range(n):
        lines = []
        for j in range(1 + i % 4):
            template = TEMPLATES[(i + j) % len(TEMPLATES)]
            a, b = SKILLS[(i + j) % len(SKILLS)], SKILLS[(i * 3 + j) % len(SKILLS)]
            lines.append(template.format(a, b))
        out.append("\n".join(lines))
    return out


def rows(results: list[list[SentenceSkills]]) -> list[tuple]:
    """Every (text, sentence, offsets, rank, uri, source, span) plus the score to 6 digits."""
    return [
        (d, s.index, s.start, s.end, r, m.uri, m.source, m.start, m.end, round(m.score, 6))
        for d, doc in enumerate(results)
        for s in doc
        for r, m in enumerate(s.skills)
    ]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return ads(120)


@pytest.mark.slow  # two spawned workers each import torch and load the encoder
def test_extract_many_two_processes_equals_one(texts, toy_taxonomy_dir):
    one = extract_many(texts, n_process=1, taxonomy=toy_taxonomy_dir, min_score=0.0, chunk_size=16)
    two = extract_many(texts, n_process=2, taxonomy=toy_taxonomy_dir, min_score=0.0, chunk_size=16)
    assert len(one) == len(texts) and sum(len(s.skills) for doc in one for s in doc) > 300
    assert rows(two) == rows(one)


@pytest.mark.slow
def test_iter_extract_records_keeps_ids_and_order(texts, toy_taxonomy_dir):
    records = [(f"ad-{i}", text) for i, text in enumerate(texts[:40])]
    out = list(iter_extract_records(iter(records), n_process=2, taxonomy=toy_taxonomy_dir, chunk_size=3))
    assert [key for key, _ in out] == [key for key, _ in records]
    sentences = [len(result) for _, result in out]
    assert sentences == [text.count("\n") + 1 for _, text in records]


def test_in_memory_taxonomy_is_a_clear_error(toy_taxonomy):
    with pytest.raises(InputError, match="Pass the path"):
        extract_many(["Python."], n_process=2, taxonomy=toy_taxonomy)


def test_in_memory_option_is_a_clear_error(toy_taxonomy_dir):
    from skillx.fusion import default_fusion

    with pytest.raises(InputError, match="fusion"):
        LoadSpec.create(None, toy_taxonomy_dir, fusion=default_fusion())


@pytest.mark.parametrize(("records", "error"), [([("a", None)], InputTypeError), (["abc"], InputTypeError)])
def test_bad_records_name_the_problem(records, error, toy_taxonomy_dir):
    with pytest.raises(error, match="position 0"):
        list(iter_extract_records(records, taxonomy=toy_taxonomy_dir))


def test_bad_n_process_is_a_clear_error(toy_taxonomy_dir):
    with pytest.raises(InputError, match="n_process"):
        extract_many(["Python."], n_process=0, taxonomy=toy_taxonomy_dir)


def test_threads_are_split_across_workers():
    assert threads_per_worker(1) >= threads_per_worker(2) >= 1
    assert threads_per_worker(10_000) == 1


def test_relative_paths_become_absolute_for_workers(toy_taxonomy_dir, monkeypatch):
    monkeypatch.chdir(toy_taxonomy_dir.parent)
    spec = LoadSpec.create(None, "csv", esco_version="1.1.0")
    assert spec.taxonomy == str(toy_taxonomy_dir.resolve())
    assert spec.options == (("esco_version", "1.1.0"),)


@pytest.mark.slow
def test_document_level_in_workers_equals_extract_document(texts, toy_taxonomy_dir):
    import skillx

    records = list(enumerate(texts[:60]))
    out = list(
        iter_extract_records(records, n_process=2, level="document", taxonomy=toy_taxonomy_dir, chunk_size=7)
    )
    extractor = skillx.load(taxonomy=toy_taxonomy_dir)
    assert [key for key, _ in out] == [key for key, _ in records]
    for (_, text), (_, got) in zip(records, out, strict=True):
        want = extractor.extract_document(text)
        assert [(s.uri, s.sentences) for s in got.skills] == [(s.uri, s.sentences) for s in want.skills]
        # other batches move the last digits of a score (docs/spark.md)
        assert [s.score for s in got.skills] == pytest.approx([s.score for s in want.skills], abs=1e-5)
    assert sum(len(doc.skills) for _, doc in out) > 60


def test_unknown_level_is_a_clear_error(toy_taxonomy_dir):
    with pytest.raises(InputError, match="sentence, document"):
        list(iter_extract_records([(0, "Python.")], level="paragraph", taxonomy=toy_taxonomy_dir))


def test_workers_load_the_model_this_process_would_load(toy_taxonomy_dir, tmp_path, monkeypatch):
    # the default is resolved once, here: workers never pick another installed package
    assert LoadSpec.create(None, toy_taxonomy_dir, pin_default=True).model == "base"
    assert LoadSpec.create(None, toy_taxonomy_dir).model is None  # Spark executors resolve it
    (tmp_path / "base").mkdir()  # a folder named "base" does not shadow the name
    monkeypatch.chdir(tmp_path)
    assert LoadSpec.create("base", toy_taxonomy_dir).model == "base"
    monkeypatch.setattr("skillx.loading.resolve_model", lambda model: (tmp_path, "a model"))
    assert LoadSpec.create("default", toy_taxonomy_dir, pin_default=True).model == str(tmp_path)

"""SkillExtractor on the toy taxonomy with the real bundled MiniLM encoder."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import skillx
from skillx.errors import InputError, InputTypeError, ModelError, TaxonomyNotFoundError
from skillx.extractor import SkillExtractor
from skillx.fusion import FusionParams
from skillx.matching import LiteralMatcher
from skillx.ranker import SemanticRanker
from skillx.results import DocumentSkills, SentenceSkills, SkillMatch, to_pandas

TOY = "http://skillx.example.org/toy/skill/"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def ranker(toy_taxonomy):
    return SemanticRanker.from_pretrained(taxonomy=toy_taxonomy)


@pytest.fixture(scope="module")
def extractor(toy_taxonomy, ranker):
    return SkillExtractor(toy_taxonomy, ranker=ranker, matcher=LiteralMatcher(toy_taxonomy))


AD = (
    "<ul><li>5+ years of Python &amp; SQL</li>\n"
    "<li>We offer a competitive salary.</li></ul>\n"
    "Knowledge of Git is a plus. You will provide first aid to guests."
)


def _same(a: list[list[SentenceSkills]], b: list[list[SentenceSkills]]) -> bool:
    """Equal up to float noise of batched encoding (padding changes the last digits)."""
    if len(a) != len(b):
        return False
    for da, db in zip(a, b, strict=True):
        if [(r.index, r.text, r.start, r.end) for r in da] != [(r.index, r.text, r.start, r.end) for r in db]:
            return False
        for ra, rb in zip(da, db, strict=True):
            if [m.uri for m in ra.skills] != [m.uri for m in rb.skills]:
                return False
            if any(abs(x.score - y.score) > 1e-4 for x, y in zip(ra.skills, rb.skills, strict=True)):
                return False
    return True


def test_extract_sentences_have_offsets_into_the_raw_text(extractor):
    result = extractor.extract(AD, min_score=0.0)
    assert [r.index for r in result] == list(range(len(result)))
    assert len(result) == 4
    for r in result:
        assert isinstance(r, SentenceSkills)
        raw = AD[r.start : r.end]
        assert r.text.split()[0] in raw and r.text.split()[-1] in raw
    assert result[0].text == "5+ years of Python & SQL"  # entity decoded, tags gone


def test_extract_literal_offsets_point_at_the_mention(extractor):
    result = extractor.extract(AD)
    found = {m.uri: AD[m.start : m.end] for r in result for m in r.skills if m.start is not None}
    assert found[TOY + "python"] == "Python"
    assert found[TOY + "sql"] == "SQL"
    assert found[TOY + "version-control"] == "Git"
    by_uri = {m.uri: m for r in result for m in r.skills}
    assert by_uri[TOY + "python"].source in {"both", "literal"}


def test_extract_results_are_best_first_probabilities(extractor):
    for r in extractor.extract(AD, k=4, min_score=0.0):
        scores = [m.score for m in r.skills]
        assert len(scores) == 4
        assert scores == sorted(scores, reverse=True)
        assert all(0.0 <= s <= 1.0 for s in scores)
        assert {m.source for m in r.skills} <= {"literal", "semantic", "both"}


def test_extract_no_skill_sentence_is_empty_by_default(extractor):
    (salary,) = extractor.extract("We offer a competitive salary.")
    assert salary.skills == ()
    (everything,) = extractor.extract("We offer a competitive salary.", k=3, min_score=0.0)
    assert len(everything.skills) == 3
    assert max(m.score for m in everything.skills) < extractor.min_score


def test_extract_min_score_and_k_filter(extractor):
    text = "Python, SQL, Git, statistics and machine learning."
    top1 = extractor.extract(text, k=1, min_score=0.0)[0].skills
    assert len(top1) == 1
    strict = extractor.extract(text, k=10, min_score=0.9)[0].skills
    assert all(m.score >= 0.9 for m in strict)
    loose = extractor.extract(text, k=10, min_score=0.0)[0].skills
    assert len(loose) == 10 and len(strict) < len(loose)


@pytest.mark.parametrize("text", ["", "   \n\t ", "<p></p>"])
def test_extract_empty_input_gives_no_sentences(extractor, text):
    assert extractor.extract(text) == []


@pytest.mark.parametrize("bad", [None, 3, b"Python"])
def test_extract_rejects_non_str(extractor, bad):
    with pytest.raises(TypeError, match="needs a str"):
        extractor.extract(bad)


def test_extract_many_names_the_bad_position(extractor):
    with pytest.raises(InputTypeError, match="position 2") as info:
        extractor.extract_many(["Python", "SQL", None])
    assert isinstance(info.value, TypeError)
    with pytest.raises(InputTypeError, match="single str"):
        extractor.extract_many("Python")


@pytest.mark.parametrize(("kwargs", "match"), [({"k": 0}, "k must"), ({"min_score": 2.0}, "min_score")])
def test_extract_rejects_bad_options(extractor, kwargs, match):
    with pytest.raises(InputError, match=match):
        extractor.extract("Python", **kwargs)


def test_extract_many_equals_extract_and_batches_encoder_calls(extractor, monkeypatch):
    texts = ["Python and SQL.\nGit.", "", "Provide first aid. Serve drinks.", "Budgeting. Statistics."]
    single = [extractor.extract(t) for t in texts]
    calls = []
    real = extractor.ranker.score_matrix

    def counting(sentences, **kwargs):
        calls.append(len(sentences))
        return real(sentences, **kwargs)

    monkeypatch.setattr(extractor.ranker, "score_matrix", counting)
    many = extractor.extract_many(texts, batch_size=64)
    assert _same(many, single)
    n = sum(len(doc) for doc in many)
    assert n >= 5
    assert calls == [n]  # all sentences of all texts in one encoder call
    calls.clear()
    extractor.extract_many(texts, batch_size=2)
    assert 1 < len(calls) < n and sum(calls) == n


def test_extract_identical_sentences_are_encoded_once(extractor, monkeypatch):
    calls = []
    real = extractor.ranker.score_matrix
    monkeypatch.setattr(
        extractor.ranker, "score_matrix", lambda s, **kw: calls.append(list(s)) or real(s, **kw)
    )
    result = extractor.extract("Python.\nPython.\nPython.")
    assert calls == [["Python."]]
    assert len(result) == 3
    assert [(m.uri, m.score) for m in result[0].skills] == [(m.uri, m.score) for m in result[2].skills]
    assert (result[2].skills[0].start, result[2].skills[0].end) == (16, 22)  # own offsets


def test_extract_one_megabyte_is_chunked_not_truncated(extractor):
    block = "We are looking for a developer with Python and SQL experience and a love of clean code. " * 20
    text = (block + "\n") * 600 + "Finally, you provide first aid."
    assert len(text) > 1_000_000
    start = time.perf_counter()
    result = extractor.extract(text)
    elapsed = time.perf_counter() - start
    assert result[-1].end == len(text)  # the last sentence is there
    assert TOY + "first-aid" in {m.uri for m in result[-1].skills}
    assert max(r.end - r.start for r in result) <= extractor.max_chars + 50
    assert elapsed < 120


@pytest.mark.parametrize(
    "text",
    [
        "🚀 Python-Entwickler:in gesucht 💻 – SQL &amp; Git!",
        "我们正在寻找熟悉 Python 和 SQL 的工程师。",
        "نبحث عن مطور Python يتقن SQL.",
        "<div><b>Python</b><br/>SQL<script>x</script></div>",
    ],
)
def test_extract_unicode_and_html(extractor, text):
    result = extractor.extract(text)
    assert result
    for r in result:
        assert 0 <= r.start < r.end <= len(text)
        for m in r.skills:
            if m.start is not None:
                assert text[m.start : m.end].lower() in {"python", "sql", "git"}
    assert TOY + "python" in {m.uri for r in result for m in r.skills}


def test_document_view_takes_the_best_supporting_sentence(extractor):
    text = "Python is a must.\nWe use Python and SQL daily.\nWe offer a competitive salary."
    sentences = extractor.extract(text)
    doc = DocumentSkills.from_sentences(sentences)
    python = next(s for s in doc.skills if s.uri == TOY + "python")
    assert python.sentences == (0, 1)
    per_sentence = [m.score for r in sentences for m in r.skills if m.uri == TOY + "python"]
    assert python.sentence_scores == tuple(per_sentence)
    assert python.score == max(per_sentence)
    assert [text[a:b] for a, b in python.spans] == ["Python", "Python"]
    assert [s.score for s in doc.skills] == sorted((s.score for s in doc.skills), reverse=True)
    assert doc.to_pandas().shape[0] == len(doc.skills)


def test_repeated_weak_evidence_does_not_make_an_ad_skill():
    # one wrong-sense word in every line of an ad: the same error five times, not five clues
    sents = _doc_sentences(*[[("python", 0.15)]] * 5)
    doc = DocumentSkills.from_sentences(sents, min_score=0.2, support_min_score=0.1)
    assert doc.skills == ()
    every = DocumentSkills.from_sentences(sents, support_min_score=0.1)
    assert every.skills[0].score == pytest.approx(0.15)
    assert every.skills[0].sentences == (0, 1, 2, 3, 4)


def test_at_the_default_thresholds_an_ad_keeps_what_its_sentences_keep(extractor):
    text = AD + "\nPython and SQL again.\nServe drinks and greet guests."
    doc = extractor.extract_document(text)
    assert extractor.document_min_score == extractor.min_score
    kept = {m.uri for r in doc.sentences for m in r.skills}
    assert kept
    assert {s.uri for s in doc.skills} == kept


def test_extract_document_has_its_own_threshold(extractor):
    text = "Python is a must.\nWe use Python and SQL daily.\nWe offer a competitive salary."
    everything = extractor.extract_document(text, document_min_score=0.0)
    strict = extractor.extract_document(text, document_min_score=0.99)
    assert len(everything.skills) > len(strict.skills)
    assert all(s.score >= 0.99 for s in strict.skills)
    default = extractor.extract_document(text)
    assert all(s.score >= extractor.document_min_score for s in default.skills)
    assert TOY + "python" in {s.uri for s in default.skills}
    # the per-sentence view is what extract() gives
    assert [r.skills for r in default.sentences] == [r.skills for r in extractor.extract(text)]
    with pytest.raises(InputError, match="probability"):
        extractor.extract_document(text, document_min_score=2.0)


def test_a_chosen_sentence_threshold_holds_for_the_ad(toy_taxonomy, ranker, extractor):
    text = "Python is a must.\nWe use Python and SQL daily.\nYou will provide first aid to guests."
    everything = extractor.extract_document(text, min_score=0.0, document_min_score=0.0)
    scores = sorted(s.score for s in everything.skills)
    cut = scores[len(scores) // 2]  # a threshold that drops some of the ad's skills
    expected = {s.uri for s in everything.skills if s.score >= cut}
    # per call: min_score moves the ad threshold too, unless document_min_score is given
    per_call = extractor.extract_document(text, min_score=cut)
    assert {s.uri for s in per_call.skills} == expected
    assert {m.uri for r in per_call.sentences for m in r.skills} == expected
    loose = extractor.extract_document(text, min_score=cut, document_min_score=0.0)
    assert {s.uri for s in loose.skills} == {s.uri for s in everything.skills if s.score >= cut / 2}
    # built with a threshold (what load(min_score=...) and load(precision=...) do)
    strict = SkillExtractor(toy_taxonomy, ranker=ranker, matcher=LiteralMatcher(toy_taxonomy), min_score=cut)
    assert strict.document_min_score == cut
    assert {s.uri for s in strict.extract_document(text).skills} == expected
    assert {s.uri for s in strict.extract_documents([text])[0].skills} == expected


def _doc_sentences(*matches):
    return [
        SentenceSkills(i, "s", 0, 1, tuple(SkillMatch(TOY + uri, uri, p) for uri, p in row))
        for i, row in enumerate(matches)
    ]


def test_document_links_or_merges_skills_under_one_broader_concept(toy_taxonomy):
    sents = _doc_sentences([("first-aid", 0.6), ("cpr", 0.5)], [("cpr", 0.4), ("python", 0.7)])
    linked = DocumentSkills.from_sentences(sents, broader=toy_taxonomy.broader)
    by_uri = {s.uri: s for s in linked.skills}
    # cpr's broader concept is first-aid: linked both ways; python is unrelated
    assert by_uri[TOY + "cpr"].related == (TOY + "first-aid",)
    assert by_uri[TOY + "first-aid"].related == (TOY + "cpr",)
    assert by_uri[TOY + "python"].related == ()
    assert by_uri[TOY + "cpr"].score == pytest.approx(0.5)
    merged = DocumentSkills.from_sentences(sents, broader=toy_taxonomy.broader, merge_related=True)
    # best first: python 0.7, then first aid 0.6, which absorbs cpr 0.5
    assert [s.uri for s in merged.skills] == [TOY + "python", TOY + "first-aid"]
    assert merged.skills[1].related == (TOY + "cpr",)


def test_document_threshold_and_support_floor():
    sents = _doc_sentences([("python", 0.3)], [("python", 0.3)], [("python", 0.05), ("sql", 0.2)])
    doc = DocumentSkills.from_sentences(sents, min_score=0.25, support_min_score=0.1)
    assert [s.uri for s in doc.skills] == [TOY + "python"]
    assert doc.skills[0].sentences == (0, 1)  # the 0.05 sentence does not count as support
    assert doc.skills[0].score == pytest.approx(0.3)


def test_to_pandas_one_row_per_sentence_and_skill(extractor):
    results = extractor.extract_many([AD, "Serve drinks and greet guests."], k=2, min_score=0.0)
    frame = to_pandas(results)
    assert len(frame) == sum(len(r.skills) for doc in results for r in doc)
    assert set(frame["doc"]) == {0, 1}
    assert list(frame.columns[:3]) == ["doc", "sentence", "sentence_start"]
    single = skillx.to_pandas(results[0])
    assert set(single["doc"]) == {0}
    with pytest.raises(InputError):
        to_pandas([1, 2])


def test_concurrent_extract_calls_are_safe(extractor):
    texts = [f"Sentence {i}: Python, SQL and first aid.\nStatistics {i}." for i in range(8)]
    expected = [extractor.extract(t) for t in texts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(extractor.extract, texts))
    assert _same(got, expected)


def test_rank_is_the_evaluation_interface(extractor):
    rows = extractor.rank(["Python and SQL", ""], k=3)
    assert len(rows) == 2 and rows[1] == []
    assert rows[0][0].uri in {TOY + "python", TOY + "sql"}


def test_literal_only_extractor_keeps_every_hit(toy_taxonomy):
    literal = SkillExtractor(toy_taxonomy, matcher=LiteralMatcher(toy_taxonomy))
    (r,) = literal.extract("Python and SQL and CPR")
    assert {m.uri for m in r.skills} == {TOY + "python", TOY + "sql", TOY + "cpr"}
    assert {m.source for m in r.skills} == {"literal"}
    with pytest.raises(InputError, match="neither"):
        SkillExtractor(toy_taxonomy)


def test_load_with_toy_taxonomy_says_which_model(toy_taxonomy_dir, caplog):
    with caplog.at_level("INFO", logger="skillx"):
        extractor = skillx.load(taxonomy=toy_taxonomy_dir)
    assert "all-MiniLM-L6-v2" in extractor.model_name
    assert "all-MiniLM-L6-v2" in caplog.text
    assert "MiniLM" in repr(extractor)
    assert extractor.extract("Experience with Python.")[0].skills[0].uri == TOY + "python"


def test_load_turns_on_clause_scoring_on_request(toy_taxonomy_dir):
    sentence = (
        "We offer a friendly team, and you will greet guests at the restaurant door, perform "
        "CPR in emergencies and write SQL queries for reports."
    )
    plain = skillx.load(taxonomy=toy_taxonomy_dir, literal=False)
    clauses = skillx.load(taxonomy=toy_taxonomy_dir, literal=False, clause_margin=0.15)
    assert plain.ranker.clause_margin is None and clauses.ranker.clause_margin == 0.15
    cpr = TOY + "cpr"
    assert cpr not in {m.uri for m in plain.extract(sentence, k=6, min_score=0.0)[0].skills}
    assert cpr in {m.uri for m in clauses.extract(sentence, k=6, min_score=0.0)[0].skills}


def test_load_prefers_an_installed_default_model(toy_taxonomy_dir, tmp_path, monkeypatch):
    from skillx.encoder import default_model_path
    from skillx.model_dir import ModelMeta, write_model_meta

    cache = tmp_path / "cache"
    model_dir = cache / "models" / "default"
    model_dir.mkdir(parents=True)
    (model_dir / "model").symlink_to(default_model_path(), target_is_directory=True)
    fusion = FusionParams(literal_boost=0.1, slope=8.0, intercept=-4.0, threshold=0.25)
    write_model_meta(model_dir, ModelMeta(skill_text="preferred", fusion=fusion))
    monkeypatch.setenv("SKILLX_CACHE_DIR", str(cache))
    extractor = skillx.load(taxonomy=toy_taxonomy_dir)
    assert "user-cache default model" in extractor.model_name
    assert extractor.fusion == fusion and extractor.min_score == 0.25


def test_load_precision_picks_the_operating_point_from_the_stored_curve(toy_taxonomy_dir):
    from skillx.fusion import Calibrator

    curve = ((0.8, 0.95, 0.1), (0.5, 0.72, 0.4), (0.3, 0.6, 0.6), (0.1, 0.4, 0.8))
    cal = Calibrator(("raw",), (0.3,), (0.1,), (2.0,), -1.0, document_threshold=0.4, curve=curve)
    fusion = FusionParams(threshold=0.3, calibrator=cal)
    extractor = skillx.load(taxonomy=toy_taxonomy_dir, fusion=fusion, precision=0.7)
    # the operating point holds for the ad too; without one, the stored document threshold
    assert extractor.min_score == 0.5 and extractor.document_min_score == 0.5
    fitted = skillx.load(taxonomy=toy_taxonomy_dir, fusion=fusion, literal=False)
    assert fitted.min_score == 0.3 and fitted.document_min_score == 0.4
    with pytest.raises(InputError, match="not both"):
        skillx.load(taxonomy=toy_taxonomy_dir, fusion=fusion, precision=0.7, min_score=0.2)
    with pytest.raises(InputError, match="no precision/recall curve"):
        skillx.load(taxonomy=toy_taxonomy_dir, fusion=FusionParams(), precision=0.7)


def test_load_missing_model_names_the_fix(toy_taxonomy_dir, tmp_path):
    with pytest.raises(ModelError, match="skillx models"):
        skillx.load(tmp_path / "nope", taxonomy=toy_taxonomy_dir)


def test_load_missing_taxonomy_names_the_fix(tmp_path):
    with pytest.raises(TaxonomyNotFoundError) as info:
        skillx.load(taxonomy=tmp_path / "no-esco-here")
    assert "no-esco-here" in str(info.value)


def test_import_skillx_stays_light():
    import subprocess
    import sys

    code = "import sys, skillx; print('torch' in sys.modules, 'sentence_transformers' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


@pytest.mark.slow
def test_full_esco_finds_obvious_skills_in_the_sample_ad(esco_dir):
    extractor = skillx.load(taxonomy=esco_dir)
    text = (REPO / "docs" / "examples" / "job_ad.txt").read_text(encoding="utf-8")
    doc = extractor.extract_document(text)
    labels = {s.label for s in doc.skills}
    assert {"Python (computer programming)", "SQL", "PostgreSQL"} <= labels
    assert "machine learning" in labels
    salary = [r for r in doc.sentences if r.text.startswith("We offer a competitive salary")]
    assert salary and salary[0].skills == ()
    assert os.environ.get("HF_HUB_OFFLINE") == "1"


def test_load_lives_in_skillx_loading():
    import skillx.extractor
    import skillx.loading

    assert skillx.load is skillx.loading.load
    assert not hasattr(skillx.extractor, "load")  # the extractor module holds SkillExtractor only


def test_load_reads_taxonomy_version_and_language_from_the_model_meta(tmp_path, monkeypatch):
    from skillx.loading import _resolve_taxonomy
    from skillx.model_dir import ModelMeta, TaxonomyRef

    seen = {}

    def fake_load_taxonomy(path, *, esco_version, language):
        seen.update(path=path, version=esco_version, language=language)
        return "taxonomy"

    monkeypatch.setattr("skillx.taxonomy.locate.load_taxonomy", fake_load_taxonomy)
    meta = ModelMeta(taxonomy=TaxonomyRef(name="ESCO", version="1.2.0", language="de"))
    assert _resolve_taxonomy(None, esco_version="1.1.0", language="en", meta=meta) == "taxonomy"
    assert seen == {"path": None, "version": "1.2.0", "language": "de"}
    _resolve_taxonomy(tmp_path, esco_version="1.1.0", language="en", meta=meta)  # explicit files: as asked
    assert seen == {"path": tmp_path, "version": "1.1.0", "language": "en"}


def test_extract_documents_batches_what_extract_document_gives(extractor):
    texts = [
        "Python is a must.\nWe use Python and SQL daily.",
        "",
        "First aid training.\nWe offer a competitive salary.",
    ]
    many = extractor.extract_documents(texts, min_score=0.1, document_min_score=0.2)
    one_by_one = [extractor.extract_document(t, min_score=0.1, document_min_score=0.2) for t in texts]
    assert len(many) == 3 and many[1].skills == ()
    for got, want in zip(many, one_by_one, strict=True):
        assert [(s.uri, s.sentences, pytest.approx(s.score, abs=1e-6)) for s in got.skills] == [
            (s.uri, s.sentences, s.score) for s in want.skills
        ]
    with pytest.raises(InputTypeError, match="extract_documents"):
        extractor.extract_document(["not", "a", "str"])  # type: ignore[arg-type]

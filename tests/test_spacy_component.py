"""The spaCy factory "skillx" on the toy taxonomy with the real MiniLM encoder."""

from __future__ import annotations

import json
import pickle

import pytest
import spacy
from spacy.tokens import Doc, DocBin

import skillx.spacy_component  # noqa: F401  (registers the factory, as the entry point does)
from skillx.errors import InputError
from skillx.fusion import FusionParams
from skillx.results import SkillMatch

TOY = "http://skillx.example.org/toy/skill/"
TEXT = "We need Python and SQL.\nYou provide first aid to guests.\nWe offer a competitive salary."


@pytest.fixture(scope="module")
def nlp(toy_taxonomy_dir):
    nlp = spacy.blank("en")
    nlp.add_pipe("skillx", config={"taxonomy": str(toy_taxonomy_dir)})
    return nlp


def test_factory_is_lazy_and_registered(toy_taxonomy_dir):
    nlp = spacy.blank("en")
    component = nlp.add_pipe("skillx", config={"taxonomy": str(toy_taxonomy_dir), "k": 3})
    assert component._extractor is None  # nothing heavy in __init__
    assert "skillx" in spacy.registry.factories.get_all() or nlp.has_factory("skillx")
    nlp.initialize()
    assert component._extractor is not None and component.extractor.taxonomy.name == "ESCO"


def test_component_sets_sentences_doc_skills_and_spans(nlp):
    doc = nlp(TEXT)
    sents = list(doc.sents)
    assert [s.text.strip() for s in sents] == TEXT.split("\n")
    first = sents[0]._.skills
    assert all(isinstance(m, dict) and set(m) == set(SkillMatch.__slots__) for m in first)
    assert {TOY + "python", TOY + "sql"} <= {m["uri"] for m in first}
    assert sents[2]._.skills == []  # "no skill here"
    doc_uris = [s["uri"] for s in doc._.skills]
    assert TOY + "first-aid" in doc_uris
    scores = [s["score"] for s in doc._.skills]
    assert scores == sorted(scores, reverse=True)
    spans = {(s.text, s.kb_id_) for s in doc.spans["skillx"]}
    assert ("Python", TOY + "python") in spans and ("SQL", TOY + "sql") in spans
    assert all(s.label_ == "SKILL" for s in doc.spans["skillx"])


def test_doc_skills_are_the_ad_level_skills_of_extract_document(nlp):
    text = TEXT + "\nPython again, and Git."
    doc = nlp(text)
    ad = nlp.get_pipe("skillx").extractor.extract_document(text)
    expected = [(s.uri, s.score) for s in ad.skills]
    assert [(s["uri"], pytest.approx(s["score"])) for s in doc._.skills] == expected


def test_component_respects_existing_sentence_boundaries(toy_taxonomy_dir):
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("skillx", config={"taxonomy": str(toy_taxonomy_dir)})
    doc = nlp("Python is a must. So is SQL.")
    assert [s.text for s in doc.sents] == ["Python is a must.", "So is SQL."]
    assert TOY + "sql" in {m["uri"] for m in list(doc.sents)[1]._.skills}


def test_pipe_batches_docs_into_few_encoder_calls(nlp, monkeypatch):
    extractor = nlp.get_pipe("skillx").extractor
    calls = []
    real = extractor.ranker.score_matrix
    monkeypatch.setattr(
        extractor.ranker, "score_matrix", lambda s, **kw: calls.append(len(s)) or real(s, **kw)
    )
    texts = [f"Python developer number {i}.\nFirst aid." for i in range(12)]
    docs = list(nlp.pipe(texts, batch_size=6))
    assert len(docs) == 12 and all(d._.skills for d in docs)
    assert len(calls) == 2  # one encoder call per batch of 6 docs, not one per doc or sentence


def test_empty_and_whitespace_docs(nlp):
    for text in ("", "   \n "):
        doc = nlp(text)
        assert doc._.skills == []
        assert list(doc.spans["skillx"]) == []


def test_to_disk_round_trip_keeps_config_and_calibration(toy_taxonomy_dir, tmp_path):
    nlp = spacy.blank("en")
    comp = nlp.add_pipe(
        "skillx", config={"taxonomy": str(toy_taxonomy_dir), "k": 2, "min_score": 0.05, "clause_margin": 0.15}
    )
    comp.fusion = FusionParams(literal_boost=0.2, slope=9.0, intercept=-6.5, threshold=0.1)
    nlp.to_disk(tmp_path / "pipeline")
    assert not any(
        p.suffix in {".csv", ".zip", ".npy", ".safetensors"} for p in (tmp_path / "pipeline").rglob("*")
    )
    loaded = spacy.load(tmp_path / "pipeline")
    comp2 = loaded.get_pipe("skillx")
    assert comp2.cfg == comp.cfg and comp2.fusion == comp.fusion
    doc = loaded("Python and SQL and statistics.")
    assert all(len(s._.skills) <= 2 for s in doc.sents)
    assert comp2.extractor.fusion == comp.fusion
    assert comp2.clause_margin == 0.15 and comp2.extractor.ranker.clause_margin == 0.15
    restored = spacy.blank("en").add_pipe("skillx").from_bytes(comp.to_bytes())
    assert restored.cfg == comp.cfg and restored.fusion == comp.fusion


@pytest.mark.parametrize(("config", "match"), [({"k": 0}, "k >= 1"), ({"min_score": 1.5}, "min_score")])
def test_bad_config_is_a_clear_error(config, match):
    with pytest.raises(InputError, match=match):
        spacy.blank("en").add_pipe("skillx", config=config)


HTML = "<ul><li>SQL</li><li>Python</li></ul><p>You provide <b>first aid</b> to guests.</p>"


def test_raw_html_spans_never_hold_markup(nlp):
    """spaCy glues tags to words ("SQL</li><li"): such mentions get no span, but keep exact offsets."""
    doc = nlp(HTML)
    assert [t.text for t in doc if t.text.startswith("SQL")] == ["SQL</li><li"]  # the tokenizer's doing
    assert all("<" not in s.text and ">" not in s.text for s in doc.spans["skillx"])
    found = {
        m["uri"]: HTML[m["start"] : m["end"]] for s in doc.sents for m in s._.skills if m["start"] is not None
    }
    assert found[TOY + "sql"] == "SQL" and found[TOY + "python"] == "Python"


def test_cleaned_html_gives_exact_spans(nlp):
    import skillx

    doc = nlp(skillx.clean_text(HTML))
    spans = {(s.text, s.kb_id_) for s in doc.spans["skillx"]}
    assert {("SQL", TOY + "sql"), ("Python", TOY + "python"), ("first aid", TOY + "first-aid-k")} <= spans


@pytest.mark.parametrize(
    ("text", "start", "end", "expected"),
    [
        ("We use SQL daily", 7, 10, "SQL"),  # token-aligned: as is
        ("We use SQL-based tools", 7, 10, "SQL"),  # spaCy splits the hyphen: still aligned
        ("Strong SQLish skills", 7, 10, "SQLish"),  # inside a word: widened to the token
        ("<li>SQL</li><li>Git", 4, 7, None),  # glued to markup: no span
    ],
)
def test_mention_span_snaps_to_tokens_without_markup(text, start, end, expected):
    from skillx.spacy_component import mention_span

    doc = spacy.blank("en")(text)
    span = mention_span(doc, start, end, label="SKILL", kb_id="urn:x")
    assert (span.text if span is not None else None) == expected
    if span is not None:
        assert span.label_ == "SKILL" and span.kb_id_ == "urn:x"


MANY = [
    f"We need {a} and {b}.\nYou provide first aid to guests.\nWe offer a competitive salary."
    for a, b in [("Python", "SQL"), ("statistics", "Git"), ("R", "data mining"), ("Go", "C++")] * 6
]


def _plain(docs) -> list:
    """Every skillx value of the docs, through JSON (msgpack gives tuples back for lists)."""
    return json.loads(
        json.dumps(
            [
                [
                    d._.skills,
                    [s._.skills for s in d.sents],
                    [(s.start, s.end, s.kb_id_) for s in d.spans["skillx"]],
                ]
                for d in docs
            ]
        )
    )


@pytest.mark.slow  # spaCy forks two workers; each loads the encoder
def test_pipe_two_processes_equals_one_after_the_parent_ran_torch(toy_taxonomy_dir):
    nlp = spacy.blank("en")
    nlp.add_pipe("skillx", config={"taxonomy": str(toy_taxonomy_dir), "min_score": 0.0})
    nlp("Python and SQL.")  # the parent's torch thread pool exists before the fork: it used to hang
    one = list(nlp.pipe(MANY, batch_size=5))
    two = list(nlp.pipe(MANY, batch_size=5, n_process=2))
    assert len(two) == len(MANY) and all(d._.skills for d in two)
    _assert_same(_plain(two), _plain(one))


def _assert_same(a, b, where="docs"):
    """Equal structures; scores equal up to float noise (workers run torch on other thread
    counts, so the encoder's sums come out in another order: differences of about 1e-7)."""
    if isinstance(a, float) or isinstance(b, float):
        assert a == pytest.approx(b, rel=1e-5, abs=1e-9), where
    elif isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), where
        for key in a:
            _assert_same(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _assert_same(x, y, f"{where}[{i}]")
    else:
        assert a == b, where


def test_docbin_with_user_data_round_trips(nlp):
    docs = list(nlp.pipe(MANY[:4]))
    data = DocBin(store_user_data=True, docs=docs).to_bytes()
    back = list(DocBin(store_user_data=True).from_bytes(data).get_docs(nlp.vocab))
    assert _plain(back) == _plain(docs)
    assert back[0]._.skills[0]["uri"] == docs[0]._.skills[0]["uri"]


def test_to_json_with_underscore_round_trips(nlp):
    doc = nlp(MANY[0])
    data = doc.to_json(underscore=["skills"])
    assert json.loads(json.dumps(data))["_"]["skills"] == doc._.skills
    again = Doc(nlp.vocab).from_json(data)
    assert again._.skills == doc._.skills and again._.skills


def test_component_pickles_without_its_model(nlp):
    component = nlp.get_pipe("skillx")
    assert component.extractor is not None
    copy = pickle.loads(pickle.dumps(component))
    assert copy._extractor is None and copy.cfg == component.cfg

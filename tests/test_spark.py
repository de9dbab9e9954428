"""`skillx.spark.extract_skills` on a local[2] Spark session: the rows of the plain extractor."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator

import pytest

import skillx
from skillx.errors import InputError
from skillx.spark import extract_skills

TEMPLATES = (
    "Experience with {a} is required.",
    "You will {a} and {b} in a small team.",
    "Good knowledge of {a} is a plus, {b} even better.",
    "We offer a competitive salary and a friendly team.",
    "<li>{a}</li><li>{b}</li>",
    "Responsibilities: {a}; {b}.",
)
JAVA_HELP = (
    "Spark needs Java 17: install it with `apt-get install -y openjdk-17-jre-headless` "
    "(Debian/Ubuntu) or set JAVA_HOME to a JDK 17+, then rerun."
)


def job_ads(labels: list[str], n: int = 90) -> list[str]:
    """`n` job ads of 1 to 6 sentences from templates and toy-taxonomy labels (about 300 sentences)."""
    ads = []
    for i in range(n):
        lines = []
        for j in range(1 + i % 6):
            a, b = labels[(7 * i + j) % len(labels)], labels[(3 * i + 5 * j + 1) % len(labels)]
            lines.append(TEMPLATES[(i + 2 * j) % len(TEMPLATES)].format(a=a, b=b.lower()))
        ads.append("\n".join(lines))
    return ads


@pytest.fixture(scope="session")
def spark() -> Iterator[object]:
    """A local[2] Spark session whose Python workers run this interpreter."""
    java = (
        shutil.which("java", path=os.path.join(os.environ["JAVA_HOME"], "bin"))
        if "JAVA_HOME" in os.environ
        else None
    )
    java = java or shutil.which("java")
    if java is None:
        pytest.fail(f"No `java` on PATH. {JAVA_HELP}")
    version = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    if version.returncode != 0:
        pytest.fail(f"`java -version` failed: {version.stderr.strip()}. {JAVA_HELP}")
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("skillx-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "64")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def ads(toy_taxonomy) -> list[str]:
    return job_ads(sorted(skill.preferred_label for skill in toy_taxonomy))


@pytest.fixture(scope="module")
def plain(toy_taxonomy_dir, ads):
    return skillx.load(taxonomy=toy_taxonomy_dir).extract_many(ads, min_score=0.0, k=3)


def _same_rows(got: list[tuple], want: list[tuple], *, key: tuple[int, ...], score: int, rank: int) -> None:
    """Row for row equal: scores to 1e-5, ranks up to ties.

    Batching other sentences together moves the last digits of a score, which may swap two
    skills whose scores tie to 1e-5; everything else must be identical.
    """
    assert len(got) == len(want) and got

    def index(rows: list[tuple]) -> dict[tuple, tuple]:
        return {tuple(row[i] for i in key): row for row in rows}

    by_got, by_want = index(got), index(want)
    assert by_got.keys() == by_want.keys()
    for k, g in by_got.items():
        w = by_want[k]
        same = [i for i in range(len(g)) if i not in (score, rank)]
        assert [g[i] for i in same] == [w[i] for i in same]
        assert abs(g[score] - w[score]) < 1e-5
        if g[rank] != w[rank]:  # only a tie may swap ranks
            group = k[:-1]
            other = next(r for kk, r in by_want.items() if kk[:-1] == group and r[rank] == g[rank])
            assert abs(other[score] - w[score]) < 1e-5


@pytest.mark.slow
def test_sentence_level_equals_the_plain_extractor(spark, ads, plain, toy_taxonomy_dir):
    assert sum(len(doc) for doc in plain) >= 250  # a few hundred sentences
    df = spark.createDataFrame([(f"ad-{i}", t) for i, t in enumerate(ads)], "ad_id string, text string")
    out = extract_skills(
        df.repartition(3), "text", id_col="ad_id", model="base", taxonomy=toy_taxonomy_dir, k=3,
        min_score=0.0,
    )
    assert out.columns == [
        "ad_id", "sentence", "sentence_start", "sentence_end", "rank",
        "uri", "label", "score", "source", "start", "end",
    ]  # fmt: skip
    got = [tuple(row) for row in out.collect()]
    want = [
        (f"ad-{d}", s.index, s.start, s.end, r, m.uri, m.label, m.score, m.source, m.start, m.end)
        for d, doc in enumerate(plain)
        for s in doc
        for r, m in enumerate(s.skills, start=1)
    ]
    _same_rows(got, want, key=(0, 1, 5), score=7, rank=4)


@pytest.mark.slow
def test_document_level_equals_the_plain_extractor(spark, ads, plain, toy_taxonomy_dir):
    df = spark.createDataFrame([(i, t) for i, t in enumerate(ads)] + [(999, None)], "ad long, text string")
    out = extract_skills(
        df, "text", id_col="ad", model="base", taxonomy=toy_taxonomy_dir, k=3, min_score=0.0,
        level="document",
    )
    assert out.columns == [
        "ad",
        "rank",
        "uri",
        "label",
        "score",
        "source",
        "n_sentences",
        "sentences",
        "spans",
    ]
    got = sorted(
        (r.ad, r.rank, r.uri, r.label, r.score, r.source, r.n_sentences, tuple(r.sentences),
         tuple(tuple(s) for s in r.spans))
        for r in out.collect()
    )  # fmt: skip
    documents = skillx.load(taxonomy=toy_taxonomy_dir).extract_documents(ads, k=3, min_score=0.0)
    want = sorted(
        (d, rank, s.uri, s.label, s.score, s.source, len(s.sentences), s.sentences, s.spans)
        for d, doc in enumerate(documents)
        for rank, s in enumerate(doc.skills, start=1)
    )  # the ad-level decisions of extract_document, thresholds included
    assert all(row[0] != 999 for row in got)  # a null text is an empty one: no rows
    _same_rows(got, want, key=(0, 2), score=4, rank=1)


@pytest.mark.slow
def test_missing_column_and_default_ids(spark, toy_taxonomy_dir):
    df = spark.createDataFrame([("Python and SQL.",), ("First aid.",)], "body string")
    with pytest.raises(InputError, match="No column 'text'"):
        extract_skills(df, "text", taxonomy=toy_taxonomy_dir)
    out = extract_skills(df, "body", model="base", taxonomy=toy_taxonomy_dir, level="document").collect()
    assert len({row.id for row in out}) == 2


def test_unknown_level_lists_the_levels():
    with pytest.raises(InputError, match="sentence, document"):
        extract_skills(None, "text", level="paragraph")  # type: ignore[arg-type]

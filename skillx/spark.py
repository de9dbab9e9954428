"""Skills of a Spark DataFrame of job ads: `extract_skills` (extra ``skillx[spark]``).

Each Spark Python worker loads the extractor once (`skillx.parallel.worker_extractor`, keyed
by the load arguments) and reuses it for every Arrow batch it is given (``mapInPandas``).
The model directory and the taxonomy reach the executors by path: either a path every
executor can read (shared storage: ``/dbfs/...``, an NFS mount, a path baked into the image),
or a file shipped with ``spark.sparkContext.addFile(path, recursive=True)`` and named here by
its base name (resolved with ``SparkFiles.get`` on the executor). See ``docs/spark.md``.

Torch threads: each Spark task runs in its own Python worker; it gets ``spark.task.cpus``
torch threads (default 1), so ``executor cores / task cpus`` workers share an executor's
cores without oversubscription. Pass ``torch_threads`` to override.

Output schema (``level="sentence"``, one row per sentence x skill, best first per sentence):

======================  =========  ==================================================
column                  type       meaning
======================  =========  ==================================================
<id column>             as input   the row's id (``id_col``; else ``id``, see below)
sentence                int        index of the sentence in the text (0-based)
sentence_start          int        character offset of the sentence in the text
sentence_end            int        end offset (exclusive)
rank                    int        1 = best skill of the sentence
uri                     string     ESCO skill URI
label                   string     preferred label
score                   double     calibrated score
source                  string     ``literal``, ``semantic`` or ``both``
start, end              int/null   literal evidence offsets in the text (null if none)
======================  =========  ==================================================

``level="document"``, one row per text x skill (best first per text), the ad-level decisions
of `SkillExtractor.extract_document` (its thresholds: ``min_score`` for the sentences and,
when given, for the ad; else the model's ``document_min_score`` for the ad): the id column,
rank, uri, label, score (the ad-level probability, the best supporting sentence's), source,
n_sentences (int: supporting sentences), sentences (array<int>: their indexes), spans
(array<array<int>>: literal evidence offsets).

Texts with no skill give no row; a null text counts as empty.

Example:
    >>> from skillx.spark import extract_skills  # doctest: +SKIP
    >>> skills = extract_skills(ads, "text", id_col="ad_id", taxonomy="/dbfs/esco")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skillx.errors import InputError
from skillx.parallel import LoadSpec, check_level, extract_chunk, set_worker_threads, worker_extractor

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import DataFrame

SENTENCE_FIELDS = (
    "sentence int, sentence_start int, sentence_end int, rank int, uri string, label string, "
    "score double, source string, start int, end int"
)
DOCUMENT_FIELDS = (
    "rank int, uri string, label string, score double, source string, n_sentences int, "
    "sentences array<int>, spans array<array<int>>"
)
CHUNK = 256
"""Texts per extractor call inside a worker (each call's output is one Arrow batch)."""

_THREADS_SET = False


def _executor_path(value: str | None) -> str | None:
    """A path as the executor sees it: as given if it exists, else a file shipped by ``addFile``."""
    if value is None or Path(value).exists():
        return value
    from pyspark import SparkFiles

    try:
        shipped = SparkFiles.get(value)
    except Exception:  # no SparkContext files here: leave the path for load() to report
        return value
    return shipped if Path(shipped).exists() else value


def _worker_threads(torch_threads: int | None) -> None:
    global _THREADS_SET
    if _THREADS_SET:
        return
    threads = torch_threads
    if threads is None:
        from pyspark import TaskContext

        context = TaskContext.get()
        threads = max(1, int(context.cpus())) if context is not None else 1
    set_worker_threads(threads)
    _THREADS_SET = True


def _sentence_frame(ids: list[Any], results: list[Any], id_name: str) -> pd.DataFrame:
    import pandas as pd

    rows = [
        (key, s.index, s.start, s.end, rank, m.uri, m.label, float(m.score), m.source, m.start, m.end)
        for key, sentences in zip(ids, results, strict=True)
        for s in sentences
        for rank, m in enumerate(s.skills, start=1)
    ]
    names = [id_name, "sentence", "sentence_start", "sentence_end", "rank", "uri", "label", "score"]
    frame = pd.DataFrame(rows, columns=[*names, "source", "start", "end"])
    return frame.astype({"start": "Int64", "end": "Int64"})


def _document_frame(ids: list[Any], results: list[Any], id_name: str) -> pd.DataFrame:
    import pandas as pd

    rows = [
        (key, rank, s.uri, s.label, float(s.score), s.source, len(s.sentences), list(s.sentences),
         [list(span) for span in s.spans])
        for key, document in zip(ids, results, strict=True)
        for rank, s in enumerate(document.skills, start=1)
    ]  # fmt: skip
    columns = [id_name, "rank", "uri", "label", "score", "source", "n_sentences", "sentences", "spans"]
    return pd.DataFrame(rows, columns=columns)


def extract_skills(
    df: DataFrame,
    text_col: str,
    *,
    id_col: str | None = None,
    model: str | Path | None = None,
    taxonomy: str | Path | None = None,
    k: int = 5,
    min_score: float | None = None,
    level: str = "sentence",
    esco_version: str = "1.1.0",
    language: str = "en",
    batch_size: int | None = None,
    torch_threads: int | None = None,
    **load_options: Any,
) -> DataFrame:
    """ESCO skills of every text of a Spark DataFrame, as a new DataFrame (lazy, like any Spark op).

    Args:
        df: The input; only `text_col` and `id_col` are read.
        text_col: Column of raw job-ad texts.
        id_col: Column of ids carried to every output row. None: an ``id`` column from
            ``monotonically_increasing_id()`` (unique, not consecutive).
        model: Model directory every executor can read, or the name of a folder shipped with
            ``addFile``; None for the default model installed on the executors (else the
            bundled base encoder).
        taxonomy: ESCO files (path or shipped name); None for ``$SKILLX_ESCO`` on the executors.
        k: Most skills per sentence.
        min_score: Minimum calibrated score (None: the model's validated threshold).
        level: ``"sentence"`` (sentence x skill rows) or ``"document"`` (text x skill rows).
        esco_version: ESCO version when `taxonomy` names ESCO files.
        language: ESCO language.
        batch_size: Sentences per encoder call (default: the extractor's).
        torch_threads: Torch threads per Python worker (None: ``spark.task.cpus``).
        **load_options: Other plain keyword arguments of `skillx.load` (``fusion`` as a JSON
            path, ``clause_margin``, ``device``, ...).

    Returns:
        A DataFrame with the schema in the module docstring.

    Raises:
        InputError: If `level` is unknown, a column is missing, or a load argument is an
            in-memory object (pass paths).
    """
    check_level(level)
    for column in (text_col, id_col):
        if column is not None and column not in df.columns:
            raise InputError(f"No column '{column}' in the DataFrame; its columns: {', '.join(df.columns)}.")
    from pyspark.sql import functions as F
    from pyspark.sql.types import StructField, StructType, _parse_datatype_string

    spec = LoadSpec.create(
        None if model is None else str(model),
        None if taxonomy is None else str(taxonomy),
        esco_version=esco_version,
        language=language,
        **load_options,
    )
    if id_col is None:
        id_col = "id"
        if id_col in df.columns and id_col != text_col:
            raise InputError("The DataFrame has an 'id' column: pass id_col='id' to use it.")
        df = df.withColumn(id_col, F.monotonically_increasing_id())
    source = df.select(F.col(id_col), F.col(text_col).alias("__skillx_text"))
    fields = SENTENCE_FIELDS if level == "sentence" else DOCUMENT_FIELDS
    parsed = _parse_datatype_string(fields)
    assert isinstance(parsed, StructType)
    schema = StructType([StructField(id_col, df.schema[id_col].dataType, True), *parsed.fields])
    to_frame = _sentence_frame if level == "sentence" else _document_frame
    id_name = id_col

    def run(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        _worker_threads(torch_threads)
        worker_spec = LoadSpec(_executor_path(spec.model), _executor_path(spec.taxonomy), spec.options)
        extractor = worker_extractor(worker_spec)
        for batch in batches:
            ids = batch[id_name].tolist()
            texts = ["" if t is None or t != t else str(t) for t in batch["__skillx_text"].tolist()]
            for a in range(0, len(texts), CHUNK):
                results = extract_chunk(
                    extractor, texts[a : a + CHUNK], level=level, k=k, min_score=min_score,
                    batch_size=batch_size,
                )  # fmt: skip
                yield to_frame(ids[a : a + CHUNK], results, id_name)

    return source.mapInPandas(run, schema=schema)

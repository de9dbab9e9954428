"""Distant supervision: corpus -> sentences -> literal matches -> (sentence, skill) pairs."""

from __future__ import annotations

import json
import multiprocessing
import sys
import time
import warnings
from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from skillx.corpus import SOURCE_NAMES, TextRecord, read_texts
from skillx.errors import CorpusWarning, InputError
from skillx.io import AtomicFile
from skillx.matching import LiteralMatcher
from skillx.supervision.stats import PairStats
from skillx.text import segment

PAIR_COLUMNS: tuple[str, ...] = (
    "sentence",
    "start",
    "end",
    "uri",
    "matched_text",
    "surface_form",
    "label_kind",
    "ambiguous",
    "nested",
    "source",
    "line_no",
)
"""Columns of a pairs file: `start`/`end` index `sentence`; one row per skill URI."""
_SHOWN_WARNINGS = 20
_Row = tuple[str, int, int, str, str, str, str, bool, bool, str, int]
_matcher: LiteralMatcher | None = None  # set in each worker process


def _init_worker(matcher: LiteralMatcher) -> None:
    global _matcher
    _matcher = matcher


def _pairs_for(
    chunk: list[tuple[int, str, str]], include_nested: bool, matcher: LiteralMatcher | None = None
) -> tuple[list[_Row], int, int]:
    """Rows for a chunk of (line_no, text, source), with sentence and hit-sentence counts."""
    matcher = matcher or _matcher
    assert matcher is not None
    rows: list[_Row] = []
    n_sentences = n_hit = 0
    for line_no, text, source in chunk:
        for sentence in segment(text):
            n_sentences += 1
            found = False
            for hit in matcher.match(sentence.text):
                if hit.nested and not include_nested:
                    continue
                found = True
                for uri in hit.uris:
                    rows.append(
                        (
                            sentence.text,
                            hit.start,
                            hit.end,
                            uri,
                            hit.text,
                            hit.surface_form,
                            hit.kind.value,
                            hit.ambiguous,
                            hit.nested,
                            source,
                            line_no,
                        )
                    )
            n_hit += found
    return rows, n_sentences, n_hit


class _Sink:
    """Writes rows to a temporary file next to `path`; `close(publish=True)` moves it in place."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = AtomicFile(path, suffix=".partial")
        self.tmp = self._file.path
        self.kind = "parquet" if path.suffix.lower() in (".parquet", ".pq") else "jsonl"
        self._writer: Any = None
        self._handle: Any = None
        if self.kind == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            self._schema = pa.schema(
                [
                    ("sentence", pa.string()),
                    ("start", pa.int32()),
                    ("end", pa.int32()),
                    ("uri", pa.string()),
                    ("matched_text", pa.string()),
                    ("surface_form", pa.string()),
                    ("label_kind", pa.string()),
                    ("ambiguous", pa.bool_()),
                    ("nested", pa.bool_()),
                    ("source", pa.string()),
                    ("line_no", pa.int64()),
                ]
            )
            self._writer = pq.ParquetWriter(self.tmp, self._schema, compression="zstd")
        else:
            self._handle = self.tmp.open("w", encoding="utf-8")

    def write(self, rows: list[_Row]) -> None:
        if not rows:
            return
        if self.kind == "parquet":
            import pyarrow as pa

            columns = list(zip(*rows, strict=True))
            table = pa.Table.from_arrays(
                [pa.array(col, type=self._schema.field(i).type) for i, col in enumerate(columns)],
                schema=self._schema,
            )
            self._writer.write_table(table)
        else:
            for row in rows:
                self._handle.write(
                    json.dumps(dict(zip(PAIR_COLUMNS, row, strict=True)), ensure_ascii=False) + "\n"
                )

    def close(self, *, publish: bool) -> None:
        if self._writer is not None:
            self._writer.close()
        if self._handle is not None:
            self._handle.close()
        if publish:
            self._file.commit()
        else:
            self._file.discard()


def _chunks(
    records: Iterator[TextRecord], size: int, default_source: str
) -> Iterator[list[tuple[int, str, str]]]:
    while True:
        chunk = [(r.line_no, r.text, r.source or default_source) for r in islice(records, size)]
        if not chunk:
            return
        yield chunk


def stats_path(output: str | Path) -> Path:
    """Where `build_pairs` saves the statistics of `output` (``pairs.parquet`` -> ``pairs.stats.json``)."""
    output = Path(output)
    return output.with_name(f"{output.stem}.stats.json")


def build_pairs(
    corpus: str | Path,
    output: str | Path,
    *,
    matcher: LiteralMatcher,
    text_field: str | None = None,
    column: str | None = None,
    limit: int | None = None,
    workers: int = 1,
    chunk_size: int = 2000,
    include_nested: bool = False,
    strict: bool = False,
    progress: bool = True,
    top_forms: int = 25,
    sources: Collection[str] | None = None,
) -> PairStats:
    """Build distant-supervision pairs from a corpus and write them to Parquet or JSONL.

    Every text is segmented (`skillx.text.segment`) and matched (`LiteralMatcher`); each
    hit gives one row per skill URI with the columns in `PAIR_COLUMNS`. Output order is
    the corpus order whatever the number of workers, so runs are deterministic.

    The file is written under a temporary name and moved into place at the end. If the run
    stops early (a truncated corpus, Ctrl-C), the pairs written so far are still published
    as a valid file and the statistics say ``complete: false``; then the error is re-raised.

    Args:
        corpus: Corpus file (see `skillx.corpus.read_texts` for formats).
        output: ``.parquet`` (row groups, zstd) or anything else for JSONL.
        matcher: The literal matcher to use.
        text_field: JSONL field with the text.
        column: CSV/TSV column with the text.
        limit: Read at most this many texts.
        workers: Processes for segmentation and matching (order is preserved).
        chunk_size: Texts per work unit.
        include_nested: Also write hits nested inside longer hits.
        strict: Fail on the first bad corpus line instead of skipping it.
        progress: Show a progress bar on stderr.
        top_forms: How many frequent surface forms the statistics keep.
        sources: Read only the texts whose ``source`` column/field is one of these (e.g. the
            openly licensed sources of a corpus, so that the model trained on the pairs may be
            published); None reads all. The statistics count the lines read per source.

    Returns:
        The run statistics, also saved beside the output as ``<stem>.stats.json``.

    Raises:
        InputError: For an unreadable corpus, a wrong column/field, bad options, or `sources`
            given for a corpus without a source column.
    """
    corpus, output = Path(corpus), Path(output)
    wanted = _wanted_sources(sources)
    if workers < 1 or chunk_size < 1:
        raise InputError(f"workers and chunk_size must be at least 1 (got {workers}, {chunk_size}).")
    if not output.parent.is_dir():
        raise InputError(f"The folder of the output '{output}' does not exist. Create it first.")
    started = time.perf_counter()
    records = read_texts(corpus, text_field=text_field, column=column, limit=limit, strict=strict)
    seen_sources: Counter[str] = Counter()
    if wanted is not None:
        records = _only_sources(records, wanted, seen_sources, corpus)
    first = next(records, None)  # fail on a wrong column before any file is created
    lines_read = sentences = with_hit = n_pairs = n_ambiguous = 0
    skills: set[str] = set()
    forms: Counter[str] = Counter()
    skipped = 0
    complete = False
    sink = _Sink(output)
    bar = None
    pool = None
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", CorpusWarning)
            stream = _chunks(_prepend(first, records), chunk_size, corpus.name)
            if workers > 1:
                method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
                pool = multiprocessing.get_context(method).Pool(workers, _init_worker, (matcher,))
                results: Iterable[tuple[list[_Row], int, int, int]] = (
                    (*res, n) for res, n in _ordered(pool, stream, include_nested)
                )
            else:
                results = ((*_pairs_for(c, include_nested, matcher), len(c)) for c in stream)
            if progress:
                from tqdm import tqdm

                bar = tqdm(total=limit, unit=" lines", desc="pairs", file=sys.stderr, mininterval=1.0)
            for rows, n_sent, n_hit, n_lines in results:
                sink.write(rows)
                lines_read += n_lines
                sentences += n_sent
                with_hit += n_hit
                n_pairs += len(rows)
                for row in rows:
                    skills.add(row[3])
                    forms[row[5]] += 1
                    n_ambiguous += row[7]
                skipped = _report(caught, skipped)
                if bar is not None:
                    bar.update(n_lines)
            skipped = _report(caught, skipped)
        complete = True
    finally:
        if bar is not None:
            bar.close()
        if pool is not None:
            pool.terminate()
            pool.join()
        sink.close(publish=True)
        stats = PairStats(
            corpus=str(corpus),
            output=str(output),
            lines_read=lines_read,
            lines_skipped=skipped,
            sentences=sentences,
            sentences_with_hit=with_hit,
            pairs=n_pairs,
            distinct_skills=len(skills),
            ambiguous_share=n_ambiguous / n_pairs if n_pairs else 0.0,
            top_surface_forms=tuple(forms.most_common(top_forms)),
            seconds=round(time.perf_counter() - started, 2),
            complete=complete,
            matcher=matcher.describe(),
            sources={name: seen_sources[name] for name in sorted(wanted)} if wanted is not None else {},
        )
        stats.save_json(stats_path(output))
    if wanted is not None and complete:
        missing = sorted(name for name in wanted if not seen_sources[name])
        if missing:
            seen = sorted(name for name in seen_sources if name not in wanted)
            warnings.warn(
                f"No text of the source(s) {', '.join(missing)} in '{corpus}'; check the names "
                f"(other sources there: {', '.join(seen) or 'none'}).",
                CorpusWarning,
                stacklevel=2,
            )
    return stats


def _wanted_sources(sources: Collection[str] | None) -> frozenset[str] | None:
    if sources is None:
        return None
    if isinstance(sources, str):
        sources = sources.split(",")
    wanted = frozenset(name.strip() for name in sources if name.strip())
    if not wanted:
        raise InputError("sources is empty; name at least one corpus source, or pass None to read all.")
    return wanted


def _only_sources(
    records: Iterator[TextRecord], wanted: frozenset[str], seen: Counter[str], corpus: Path
) -> Iterator[TextRecord]:
    """The records of the `wanted` sources; counts every source met in `seen`."""
    for record in records:
        if record.source is None:
            raise InputError(
                f"'{corpus}' has no source column or field, so it cannot be filtered by source. "
                f"Add a 'source' column (one of {', '.join(SOURCE_NAMES)}) or leave out --sources."
            )
        seen[record.source] += 1
        if record.source in wanted:
            yield record


def _prepend(first: TextRecord | None, rest: Iterator[TextRecord]) -> Iterator[TextRecord]:
    if first is not None:
        yield first
        yield from rest


def _ordered(
    pool: Any, stream: Iterator[list[tuple[int, str, str]]], include_nested: bool
) -> Iterator[tuple[tuple[list[_Row], int, int], int]]:
    """Results of the pool in input order, keeping at most a few chunks in flight."""
    pending: list[tuple[Any, int]] = []
    for chunk in stream:
        pending.append((pool.apply_async(_pairs_for, (chunk, include_nested)), len(chunk)))
        if len(pending) >= 4 * pool._processes:
            result, n = pending.pop(0)
            yield result.get(), n
    for result, n in pending:
        yield result.get(), n


def _report(caught: list[warnings.WarningMessage], skipped: int) -> int:
    """Print newly caught corpus warnings (the first few), return the running count."""
    for message in caught:
        if not issubclass(message.category, CorpusWarning):
            continue
        skipped += 1
        if skipped <= _SHOWN_WARNINGS:
            print(f"warning: {message.message}", file=sys.stderr)
        elif skipped == _SHOWN_WARNINGS + 1:
            print("warning: more lines skipped; see lines_skipped in the statistics", file=sys.stderr)
    del caught[:]
    return skipped


def pairs_by_source(pairs: Any) -> list[dict[str, Any]]:
    """Pairs and distinct sentences per corpus source of a pairs table (for a model's provenance).

    Args:
        pairs: A pandas DataFrame of pairs (`PAIR_COLUMNS`; at least ``sentence``).

    Returns:
        ``[{"name", "pairs", "sentences"}, ...]`` by descending pair count; one entry named
        ``"unknown"`` when the table has no ``source`` column.

    Example:
        >>> import pandas as pd
        >>> pairs_by_source(pd.DataFrame({"sentence": ["a", "a", "b"], "source": ["x", "x", "y"]}))
        [{'name': 'x', 'pairs': 2, 'sentences': 1}, {'name': 'y', 'pairs': 1, 'sentences': 1}]
    """
    if "source" not in pairs.columns:
        return [{"name": "unknown", "pairs": len(pairs), "sentences": int(pairs["sentence"].nunique())}]
    grouped = pairs.groupby("source", sort=False)["sentence"].agg(["size", "nunique"])
    grouped = grouped.sort_values(["size"], ascending=False, kind="stable")
    return [
        {"name": str(name), "pairs": int(row["size"]), "sentences": int(row["nunique"])}
        for name, row in grouped.iterrows()
    ]

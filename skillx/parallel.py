"""All cores of one machine: a pool of worker processes, each holding one `SkillExtractor`.

`extract_many` / `iter_extract_records` split the input into chunks of texts, send them to
``n_process`` worker processes and give the results back in input order. Each worker loads
the extractor once, from the same load arguments (paths and plain options, never a pickled
model), and keeps it for every chunk it gets. Torch threads are split across workers
(``max(1, cores // n_process)`` each) so the workers do not fight over the cores.

Workers are started with the ``spawn`` method (a fresh interpreter), never ``fork``: torch's
OpenMP thread pool does not survive a fork. So a script that calls these functions needs the
usual ``if __name__ == "__main__":`` guard.

The same per-process extractor cache (`worker_extractor`) serves the Spark workers of
`skillx.spark`.

Example:
    >>> from skillx.parallel import extract_many
    >>> texts = ["Python and SQL."]
    >>> results = extract_many(texts, n_process=1, taxonomy="taxonomy/toy/csv")  # doctest: +SKIP
    >>> results[0][0].skills[0].label  # doctest: +SKIP
    'Python (computer programming)'
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Hashable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from skillx.errors import InputError, InputTypeError

if TYPE_CHECKING:
    from skillx.extractor import SkillExtractor
    from skillx.results import SentenceSkills

K = TypeVar("K", bound=Hashable)
Result = Any  # list[SentenceSkills] (sentence level) or DocumentSkills (document level)
LEVELS = ("sentence", "document")

DEFAULT_CHUNK_SIZE = 256
"""Texts per task sent to a worker (a job ad of ~12 sentences makes ~3,000 sentences a task)."""

_PLAIN = (str, int, float, bool, type(None))


@dataclass(frozen=True)
class LoadSpec:
    """The arguments of `skillx.load` in a form every worker process can re-create.

    Only paths and plain options: a worker builds its own extractor from them, so nothing
    heavy (model weights, taxonomy, index) is ever pickled.

    Attributes:
        model: Model directory (str) or None for the default.
        taxonomy: Taxonomy path (str) or None for ``$SKILLX_ESCO`` / the cache.
        options: Other keyword arguments of `skillx.load`, as sorted (name, value) pairs.
    """

    model: str | None = None
    taxonomy: str | None = None
    options: tuple[tuple[str, Any], ...] = field(default_factory=tuple)

    @classmethod
    def create(
        cls,
        model: str | Path | None = None,
        taxonomy: str | Path | None = None,
        *,
        pin_default: bool = False,
        **options: Any,
    ) -> LoadSpec:
        """Check that every argument can be re-created in another process.

        With `pin_default`, no model (or ``"default"``) is replaced by the model this process
        would load (`skillx.loading.resolve_model`), so workers on this machine load the very
        same one; Spark executors, whose environment may differ, resolve it themselves.

        Raises:
            InputError: If an argument is an in-memory object (a `Taxonomy`, `FusionParams`,
                a stop-list set): the message says to pass a path instead.
        """
        for name, value in (("model", model), ("taxonomy", taxonomy)):
            if value is not None and not isinstance(value, (str, Path)):
                raise InputError(
                    f"Worker processes re-load the extractor from paths, but {name} is a "
                    f"{type(value).__name__} object. Pass the path it was loaded from instead "
                    f"(e.g. {name}='path/to/esco' or a model directory); models and taxonomies "
                    "are never pickled to workers."
                )
        for name, value in options.items():
            if isinstance(value, Path):
                options[name] = str(value)
            elif not isinstance(value, _PLAIN):
                raise InputError(
                    f"Worker processes re-load the extractor from plain arguments, but {name} is a "
                    f"{type(value).__name__} object. Pass a path or a plain value (str, number, "
                    f"bool, None) for {name}, e.g. fusion='fusion.json'."
                )
        from skillx.loading import BASE_MODEL, resolve_model

        if pin_default and (model is None or model == "default"):
            resolved, _ = resolve_model(model)
            model = BASE_MODEL if resolved is None else resolved
        pinned = model if model == BASE_MODEL else _absolute(model)  # a name, never a path
        return cls(pinned, _absolute(taxonomy), tuple(sorted(options.items())))

    def load(self) -> SkillExtractor:
        """Build the extractor these arguments describe (`skillx.load`)."""
        from skillx.loading import load

        return load(self.model, taxonomy=self.taxonomy, **dict(self.options))


def _absolute(path: str | Path | None) -> str | None:
    # workers may run in another directory: an existing relative path is made absolute here
    if path is None:
        return None
    local = Path(path).expanduser()
    return str(local.resolve()) if local.exists() else str(path)


_EXTRACTORS: dict[LoadSpec, SkillExtractor] = {}


def worker_extractor(spec: LoadSpec) -> SkillExtractor:
    """The extractor of this process for `spec`, loaded on the first call and then reused."""
    extractor = _EXTRACTORS.get(spec)
    if extractor is None:
        extractor = _EXTRACTORS[spec] = spec.load()
    return extractor


def set_worker_threads(threads: int) -> None:
    """Give torch `threads` intra-op threads in this process (before any model runs)."""
    os.environ["OMP_NUM_THREADS"] = str(threads)
    import torch

    torch.set_num_threads(threads)


def threads_per_worker(n_process: int) -> int:
    """Torch threads for each of `n_process` workers: the usable cores split evenly, at least 1."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, cores // n_process)


def extract_chunk(
    extractor: SkillExtractor,
    texts: list[str],
    *,
    level: str,
    k: int,
    min_score: float | None,
    batch_size: int | None,
) -> list[Any]:
    """Results of `texts` at `level`: `extract_many`'s, or `extract_documents`'s (ad level)."""
    if level == "document":
        return extractor.extract_documents(texts, k=k, min_score=min_score, batch_size=batch_size)
    return extractor.extract_many(texts, k=k, min_score=min_score, batch_size=batch_size)


def check_level(level: str) -> str:
    """`level` if it is one of `LEVELS`; else InputError naming them."""
    if level not in LEVELS:
        raise InputError(f"Unknown level {level!r}. Use one of: {', '.join(LEVELS)}.")
    return level


def _run_chunk(
    spec: LoadSpec, texts: list[str], level: str, k: int, min_score: float | None, batch_size: int | None
) -> list[Any]:
    return extract_chunk(
        worker_extractor(spec), texts, level=level, k=k, min_score=min_score, batch_size=batch_size
    )


def _chunks(records: Iterable[tuple[K, str]], size: int) -> Iterator[tuple[list[K], list[str]]]:
    ids: list[K] = []
    texts: list[str] = []
    for position, record in enumerate(records):
        try:
            key, text = record
        except (TypeError, ValueError):
            raise InputTypeError(
                f"Record at position {position} is not an (id, text) pair: {record!r:.80}."
            ) from None
        if not isinstance(text, str):
            raise InputTypeError(
                f"Text of record {key!r} (position {position}) is {type(text).__name__}, not str. "
                "Drop or convert missing values before extracting."
            )
        ids.append(key)
        texts.append(text)
        if len(texts) >= size:
            yield ids, texts
            ids, texts = [], []
    if texts:
        yield ids, texts


def iter_extract_records(
    records: Iterable[tuple[K, str]],
    *,
    n_process: int = 1,
    level: str = "sentence",
    k: int = 5,
    min_score: float | None = None,
    batch_size: int | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    model: str | Path | None = None,
    taxonomy: str | Path | None = None,
    **load_options: Any,
) -> Iterator[tuple[K, Result]]:
    """Skills of (id, text) records on `n_process` worker processes, lazily, in input order.

    At most ``2 * n_process`` chunks are in flight, so memory stays bounded however long the
    input is. With ``n_process=1`` everything runs in this process (no pool).

    Args:
        records: (id, text) pairs, e.g. a generator over a file; ids are passed through.
        n_process: Worker processes (-1: one per usable core).
        level: ``"sentence"`` (what `SkillExtractor.extract` returns per text) or
            ``"document"`` (the `DocumentSkills` of `SkillExtractor.extract_document`).
        k: Most skills per sentence.
        min_score: As in `SkillExtractor.extract`.
        batch_size: Sentences per encoder call inside a worker (default: the extractor's).
        chunk_size: Texts per task sent to a worker.
        model: Model directory, as in `skillx.load` (a path, never a loaded object).
        taxonomy: Taxonomy path, as in `skillx.load` (a path, never a `Taxonomy`).
        **load_options: Other plain keyword arguments of `skillx.load` (``esco_version``,
            ``fusion`` as a JSON path, ``semantic``, ``literal``, ``device``, ...).

    Yields:
        ``(id, result)`` per record, in input order; `result` is what
        `SkillExtractor.extract` (or, at document level, `extract_document`) returns for it.

    Raises:
        InputError: If a load argument is an in-memory object, `n_process`/`chunk_size`
            is below 1, or `level` is unknown.
        InputTypeError: If a record is not an (id, str) pair.
    """
    if n_process == -1:
        n_process = threads_per_worker(1)
    if not isinstance(n_process, int) or n_process < 1:
        raise InputError(f"n_process must be a whole number >= 1 (or -1 for all cores), got {n_process!r}.")
    if chunk_size < 1:
        raise InputError(f"chunk_size must be at least 1, got {chunk_size}.")
    check_level(level)
    spec = LoadSpec.create(model, taxonomy, pin_default=True, **load_options)
    if n_process == 1:
        extractor = worker_extractor(spec)
        for ids, texts in _chunks(records, chunk_size):
            results = extract_chunk(
                extractor, texts, level=level, k=k, min_score=min_score, batch_size=batch_size
            )
            yield from zip(ids, results, strict=True)
        return
    context = multiprocessing.get_context("spawn")  # never fork a process that may hold torch threads
    pending: deque[tuple[list[K], Future[list[Result]]]] = deque()
    threads = threads_per_worker(n_process)
    with ProcessPoolExecutor(
        n_process, mp_context=context, initializer=set_worker_threads, initargs=(threads,)
    ) as pool:
        try:
            for ids, texts in _chunks(records, chunk_size):
                pending.append((ids, pool.submit(_run_chunk, spec, texts, level, k, min_score, batch_size)))
                if len(pending) >= 2 * n_process:
                    done_ids, future = pending.popleft()
                    yield from zip(done_ids, future.result(), strict=True)
            while pending:
                done_ids, future = pending.popleft()
                yield from zip(done_ids, future.result(), strict=True)
        finally:
            for _, future in pending:
                future.cancel()


def extract_many(
    texts: Iterable[str],
    *,
    n_process: int = 1,
    k: int = 5,
    min_score: float | None = None,
    batch_size: int | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    model: str | Path | None = None,
    taxonomy: str | Path | None = None,
    **load_options: Any,
) -> list[list[SentenceSkills]]:
    """Skills of many texts on `n_process` worker processes; same output as one process.

    Args:
        texts: Raw texts.
        n_process: Worker processes (-1: one per usable core).
        k: Most skills per sentence.
        min_score: As in `SkillExtractor.extract`.
        batch_size: Sentences per encoder call inside a worker.
        chunk_size: Texts per task sent to a worker.
        model: Model directory (a path), as in `skillx.load`.
        taxonomy: Taxonomy path, as in `skillx.load`.
        **load_options: Other plain keyword arguments of `skillx.load`.

    Returns:
        One list of `SentenceSkills` per text, in input order (as `SkillExtractor.extract_many`).

    Raises:
        InputError: If a load argument is an in-memory object (pass paths).
        InputTypeError: If an item is not a str.

    Example:
        >>> from skillx.parallel import extract_many
        >>> if __name__ == "__main__":  # spawned workers re-import the calling script
        ...     results = extract_many(["SQL.", "Python."], n_process=2, taxonomy="taxonomy/toy/csv")
    """
    if isinstance(texts, str):
        raise InputTypeError("extract_many() needs a list of texts, got a single str.")
    records = enumerate(texts)
    return [
        result
        for _, result in iter_extract_records(
            records,
            n_process=n_process,
            k=k,
            min_score=min_score,
            batch_size=batch_size,
            chunk_size=chunk_size,
            model=model,
            taxonomy=taxonomy,
            **load_options,
        )
    ]

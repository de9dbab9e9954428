"""Run any ranker over a benchmark and score it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from skillx.errors import InputError
from skillx.evaluation.benchmark import Benchmark
from skillx.evaluation.metrics import DEFAULT_KS, evaluate_rankings


class Ranker(Protocol):
    """Anything with ``rank(sentences, *, k)`` returning, per sentence, items best first.

    An item is a `skillx.SkillMatch` (or anything with a ``uri`` attribute) or a URI string.
    """

    def rank(self, sentences: Sequence[str], *, k: int) -> Sequence[Sequence[Any]]: ...


def _uri(item: Any) -> str:
    if isinstance(item, str):
        return item
    uri = getattr(item, "uri", None)
    if not isinstance(uri, str):
        raise InputError(
            f"A ranker returned {type(item).__name__}; rankings must hold SkillMatch records "
            "(with a .uri) or URI strings."
        )
    return uri


def rankings_of(ranker: Ranker, benchmark: Benchmark, *, depth: int) -> list[list[str]]:
    """URIs ranked by `ranker` for every benchmark sentence, at most `depth` each."""
    results = ranker.rank(list(benchmark.sentences), k=depth)
    if len(results) != len(benchmark.sentences):
        raise InputError(
            f"The ranker returned {len(results)} rankings for {len(benchmark.sentences)} sentences; "
            "rank() must return one list per sentence."
        )
    return [[_uri(item) for item in row] for row in results]


def evaluate(
    ranker: Ranker,
    benchmark: Benchmark,
    *,
    ks: Sequence[int] = DEFAULT_KS,
    depth: int | None = None,
) -> dict[str, float]:
    """RP@K for each K, MRR and MAP of `ranker` on `benchmark`.

    Args:
        ranker: Anything with ``rank(sentences, *, k)`` (e.g. `skillx.ranker.SemanticRanker`).
        benchmark: From `load_benchmark`.
        ks: Cut-offs for RP@K.
        depth: Skills asked from the ranker per sentence; by default all skills of the
            taxonomy (the protocol ranks all of them; MRR and MAP depend on it), or ``max(ks)``
            when the benchmark does not know the taxonomy size. Rankers may return fewer.

    Returns:
        ``{"rp@1", "rp@5", "rp@10", "mrr", "map"}`` as floats in [0, 1].
    """
    if depth is None:
        depth = benchmark.n_skills or max(ks)
    depth = max(depth, max(ks))
    return evaluate_rankings(rankings_of(ranker, benchmark, depth=depth), benchmark.gold, ks=ks)

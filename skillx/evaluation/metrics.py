"""Ranking metrics of the skill-extraction benchmark: RP@K, MRR and MAP.

Definitions (per sentence, then averaged over sentences):

* RP@K = |top-K ∩ gold| / min(K, |gold|)  (R-precision at K, Decorte et al. 2022)
* MRR = 1 / rank of the first gold skill, 0 when no gold skill is ranked
* MAP = mean over gold skills of precision at the rank where it appears (0 when not ranked)

A ranking may be shorter than K (a literal-only ranker returns only its hits): the missing
ranks count as misses. A URI repeated in a ranking counts once, at its first rank.

The per-sentence functions take any hashable items (URIs here, skill positions when
`skillx.calibration` tunes the fusion), so there is one RP@K for evaluation and fitting.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Sequence
from typing import TypeVar

from skillx.errors import InputError

DEFAULT_KS = (1, 5, 10)

Item = TypeVar("Item", bound=Hashable)


def _first_ranks(ranking: Sequence[Item], gold: Collection[Item]) -> list[int]:
    """1-based ranks of the gold items found in `ranking` (duplicates counted once)."""
    seen: set[Item] = set()
    ranks: list[int] = []
    rank = 0
    for uri in ranking:
        if uri in seen:
            continue
        seen.add(uri)
        rank += 1
        if uri in gold:
            ranks.append(rank)
    return ranks


def r_precision_at_k(ranking: Sequence[Item], gold: Collection[Item], k: int) -> float:
    """|top-k ∩ gold| / min(k, |gold|) for one sentence.

    Args:
        ranking: Items (URIs or skill positions) best first.
        gold: The sentence's gold items.
        k: The cut-off.

    Returns:
        RP@k in [0, 1].

    Raises:
        InputError: If `gold` is empty (RP@K is undefined without a gold skill).
    """
    if not gold:
        raise InputError("RP@K needs a non-empty gold set; leave sentences without gold skills out.")
    hits = sum(1 for r in _first_ranks(ranking, gold) if r <= k)
    return hits / min(k, len(gold))


def reciprocal_rank(ranking: Sequence[Item], gold: Collection[Item]) -> float:
    """1 / rank of the first gold skill, 0 if none is ranked."""
    ranks = _first_ranks(ranking, gold)
    return 1.0 / ranks[0] if ranks else 0.0


def average_precision(ranking: Sequence[Item], gold: Collection[Item]) -> float:
    """Mean over all gold skills of precision at their rank (unranked gold skills add 0)."""
    ranks = _first_ranks(ranking, gold)
    return sum((i + 1) / r for i, r in enumerate(ranks)) / len(gold)


def evaluate_rankings(
    rankings: Sequence[Sequence[str]],
    gold: Sequence[Collection[str]],
    *,
    ks: Sequence[int] = DEFAULT_KS,
) -> dict[str, float]:
    """Mean RP@K for each K, MRR and MAP over sentences.

    Args:
        rankings: For each sentence, skill URIs best first (may be shorter than K).
        gold: For each sentence, the non-empty set of gold skill URIs.
        ks: Cut-offs for RP@K.

    Returns:
        ``{"rp@1": ..., "rp@5": ..., "rp@10": ..., "mrr": ..., "map": ...}`` (keys follow `ks`).

    Raises:
        InputError: If the lengths differ, there are no sentences, a gold set is empty or a
            K is not a positive integer.

    Example:
        >>> evaluate_rankings([["a", "x", "b"]], [{"a", "b"}], ks=(1, 2))
        {'rp@1': 1.0, 'rp@2': 0.5, 'mrr': 1.0, 'map': 0.8333333333333333}
    """
    if isinstance(rankings, str) or any(isinstance(r, str) for r in rankings):
        raise InputError("Each ranking must be a sequence of URIs, not a single string.")
    if len(rankings) != len(gold):
        raise InputError(
            f"Got {len(rankings)} rankings for {len(gold)} gold sets; pass one ranking per sentence."
        )
    if not rankings:
        raise InputError("No sentences to evaluate: pass at least one ranking and gold set.")
    for position, g in enumerate(gold):
        if not g:
            raise InputError(
                f"Gold set at position {position} is empty. The protocol drops sentences without "
                "gold skills: use load_benchmark, or filter them out first."
            )
    ks = tuple(ks)
    if not ks or any(not isinstance(k, int) or isinstance(k, bool) or k < 1 for k in ks):
        raise InputError(f"ks must be positive integers, got {ks!r}.")
    n = len(rankings)
    gold_sets = [g if isinstance(g, (set, frozenset)) else set(g) for g in gold]
    pairs = list(zip(rankings, gold_sets, strict=True))
    result = {f"rp@{k}": sum(r_precision_at_k(r, g, k) for r, g in pairs) / n for k in ks}
    result["mrr"] = sum(reciprocal_rank(r, g) for r, g in pairs) / n
    result["map"] = sum(average_precision(r, g) for r, g in pairs) / n
    return result

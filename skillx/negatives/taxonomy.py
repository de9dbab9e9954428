"""``taxonomy``: negatives that are the positive skill's neighbours in the taxonomy."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from skillx.errors import InputError
from skillx.negatives.base import NegativeSampler, register_sampler

if TYPE_CHECKING:
    from skillx.taxonomy import Taxonomy


@register_sampler("taxonomy")
class TaxonomySampler(NegativeSampler):
    """Skills close to the positive in the hierarchy: hard but (mostly) truly different.

    Candidates come in tiers, each tier shuffled with the caller's `rng`, tiers in this order:

    1. siblings: other skills under the same broader concept(s) (tier 1);
    2. cousins: skills reached by going up `depth` levels and down as many (tiers 2..depth);
    3. skills linked to the positive by a skill-skill relation (if `include_related`).

    A skill appears only in its first tier. Fewer candidates than asked are topped up with
    uniformly drawn skills (see `NegativeSampler.sample`).

    Args:
        depth: How many levels up to look (1 = siblings only, 2 = siblings then cousins).
        include_related: Add skills linked by skill-skill relations after the hierarchy tiers.
    """

    def __init__(self, *, depth: int = 2, include_related: bool = True) -> None:
        self.depth = depth
        self.include_related = include_related

    def fit(self, taxonomy: Taxonomy, **resources: Any) -> TaxonomySampler:
        if self.depth < 1:
            raise InputError(f"TaxonomySampler depth must be >= 1, got {self.depth}.")
        super().fit(taxonomy, **resources)
        self._tiers_cache: dict[str, tuple[tuple[str, ...], ...]] = {}
        return self

    def neighbours(self, uri: str) -> tuple[tuple[str, ...], ...]:
        """The candidate tiers of `uri` (unshuffled): siblings, cousins..., related."""
        cached = self._tiers_cache.get(uri)
        if cached is not None:
            return cached
        tax = self.taxonomy_
        seen: dict[str, None] = {uri: None}
        tiers: list[tuple[str, ...]] = []
        frontier: dict[str, None] = {uri: None}
        for level in range(1, self.depth + 1):
            ancestors: dict[str, None] = {}
            for node in frontier:
                for parent in tax.broader(node):
                    ancestors[parent] = None
            frontier = ancestors
            # walk down `level` steps from these ancestors, collecting skills at that distance
            layer: dict[str, None] = dict(ancestors)
            for _ in range(level):
                below: dict[str, None] = {}
                for node in layer:
                    for child in tax.narrower(node):
                        below[child] = None
                layer = below
            tier = tuple(u for u in layer if u in tax and u not in seen)
            seen.update(dict.fromkeys(tier))
            tiers.append(tier)
        if self.include_related:
            tier = tuple(u for u in tax.related(uri) if u in tax and u not in seen)
            tiers.append(tier)
        result = tuple(tiers)
        self._tiers_cache[uri] = result
        return result

    def _candidates(self, anchor: str, positive_uri: str, *, rng: np.random.Generator) -> Iterable[str]:
        for tier in self.neighbours(positive_uri):
            if tier:
                for i in rng.permutation(len(tier)):
                    yield tier[int(i)]

"""``random``: negatives drawn uniformly from the whole taxonomy."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from skillx.negatives.base import NegativeSampler, register_sampler


@register_sampler("random")
class RandomSampler(NegativeSampler):
    """Uniformly drawn skills (easy negatives; in-batch negatives already come with the loss).

    Example:
        >>> import numpy as np
        >>> from skillx.taxonomy import Skill, Taxonomy
        >>> t = Taxonomy([Skill(f"urn:{i}", f"skill {i}") for i in range(5)])
        >>> s = RandomSampler().fit(t)
        >>> len(s.sample("a sentence", "urn:0", n=3, rng=np.random.default_rng(0)))
        3
    """

    def _candidates(self, anchor: str, positive_uri: str, *, rng: np.random.Generator) -> Iterable[str]:
        return ()  # everything comes from the uniform fill in `sample`

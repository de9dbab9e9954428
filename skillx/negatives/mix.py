"""Several named samplers combined: one negative column per draw, in a fixed order."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from skillx.errors import InputError
from skillx.negatives.base import NegativeSampler, get_sampler


class SamplerMix:
    """Draw negatives from several samplers, e.g. ``{"taxonomy": 1, "similar": 1, "random": 1}``.

    Each entry gives how many negatives that sampler contributes per row; the row's negatives
    are concatenated in the order of the mapping (so ``negative_1`` is always a taxonomy
    neighbour in the example). A skill drawn by an earlier sampler is excluded from later ones.

    Args:
        spec: Sampler name to count. Counts must be >= 0.
        options: Per-sampler constructor options, e.g. ``{"taxonomy": {"depth": 1}}``.

    Example:
        >>> mix = SamplerMix({"taxonomy": 2, "random": 1})
        >>> mix.n_negatives
        3
    """

    def __init__(
        self,
        spec: Mapping[str, int],
        *,
        options: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        self.spec = dict(spec)
        self.options = {k: dict(v) for k, v in (options or {}).items()}
        for name, count in self.spec.items():
            if not isinstance(count, int) or count < 0:
                raise InputError(
                    f"Negative count for sampler '{name}' must be an integer >= 0, got {count!r}."
                )
        unknown = set(self.options) - set(self.spec)
        if unknown:
            raise InputError(f"Options given for samplers not in the spec: {sorted(unknown)}.")
        self.samplers: dict[str, NegativeSampler] = {
            name: get_sampler(name, **self.options.get(name, {})) for name in self.spec
        }

    @property
    def n_negatives(self) -> int:
        """Total negatives per row (the number of ``negative_i`` columns)."""
        return sum(self.spec.values())

    def fit(self, taxonomy: Any, **resources: Any) -> SamplerMix:
        """Fit every sampler with the same taxonomy and resources (encoder, skill_embeddings)."""
        for name, sampler in self.samplers.items():
            if self.spec[name] > 0:
                sampler.fit(taxonomy, **resources)
        return self

    def prepare(self, anchors: Sequence[str]) -> None:
        """Forward the batch hook to each sampler."""
        for name, sampler in self.samplers.items():
            if self.spec[name] > 0:
                sampler.prepare(anchors)

    def sample(
        self, anchor: str, positive_uri: str, *, exclude: Iterable[str] = (), rng: np.random.Generator
    ) -> list[str]:
        """`n_negatives` distinct URIs for one pair, grouped by sampler in spec order."""
        banned = list(dict.fromkeys(exclude))
        out: list[str] = []
        for name, count in self.spec.items():
            if count == 0:
                continue
            drawn = self.samplers[name].sample(anchor, positive_uri, n=count, exclude=banned, rng=rng)
            out.extend(drawn)
            banned.extend(drawn)
        return out

    @property
    def shortfall_(self) -> dict[str, int]:
        """Per sampler, how many negatives were topped up with uniform draws."""
        return {name: getattr(s, "shortfall_", 0) for name, s in self.samplers.items()}

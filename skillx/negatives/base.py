"""The negative-sampler interface and its registry.

A negative sampler proposes skills that a sentence does *not* mention, to be used as explicit
negatives when the bi-encoder is trained. Samplers are registered by name so a user can add
one without touching skillx::

    from skillx.negatives import NegativeSampler, register_sampler

    @register_sampler("same_type")
    class SameTypeSampler(NegativeSampler):
        def _candidates(self, anchor, positive_uri, *, rng):
            kind = self.taxonomy_[positive_uri].skill_type
            return [s.uri for s in self.taxonomy_ if s.skill_type == kind]
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from skillx.errors import InputError, not_fitted, unknown_name

if TYPE_CHECKING:
    from skillx.taxonomy import Taxonomy

_REGISTRY: dict[str, type[NegativeSampler]] = {}

S = TypeVar("S", bound="type[NegativeSampler]")


class NegativeSampler(ABC):
    """Base class of every negative sampler.

    Subclasses implement `_candidates`, which returns skill URIs in order of preference (best
    negatives first; ties may be shuffled with the given `rng`). `sample` then removes the
    positive and the excluded URIs, keeps the first `n`, and, when fewer than `n` remain,
    **fills the rest with uniformly drawn skills** (the ``random`` strategy), so a row always
    gets `n` negatives as long as the taxonomy has enough skills. `shortfall_` counts how many
    negatives were filled that way since `fit`.

    Determinism: the output depends only on the arguments and on `rng`; two runs with
    generators seeded alike give the same negatives.
    """

    name: str = ""

    def fit(
        self,
        taxonomy: Taxonomy,
        *,
        encoder: Any = None,
        skill_embeddings: np.ndarray | None = None,
    ) -> NegativeSampler:
        """Prepare the sampler for a taxonomy.

        Args:
            taxonomy: The skills to draw negatives from.
            encoder: A sentence encoder with ``encode(texts, ...)`` (used by ``similar``).
            skill_embeddings: Precomputed, L2-normalised skill embeddings, one row per skill in
                taxonomy order (used by ``similar`` instead of `encoder`).

        Returns:
            self
        """
        if len(taxonomy) == 0:
            raise InputError("The taxonomy has no skills; negatives cannot be sampled from it.")
        self.taxonomy_ = taxonomy
        self.uris_: tuple[str, ...] = taxonomy.uris
        self.shortfall_ = 0
        return self

    def prepare(self, anchors: Sequence[str]) -> None:  # noqa: B027 - optional hook
        """Optional hook called once with every anchor before sampling (batch work goes here)."""

    @abstractmethod
    def _candidates(self, anchor: str, positive_uri: str, *, rng: np.random.Generator) -> Iterable[str]:
        """Skill URIs in order of preference for this (anchor, positive) pair."""

    def sample(
        self,
        anchor: str,
        positive_uri: str,
        *,
        n: int,
        exclude: Iterable[str] = (),
        rng: np.random.Generator,
    ) -> list[str]:
        """Draw `n` negative skill URIs for one training pair.

        Args:
            anchor: The sentence (or description) of the pair.
            positive_uri: URI of the positive skill; never returned.
            n: How many negatives.
            exclude: URIs that must not be returned (e.g. every skill literally matched in the
                same sentence, or negatives already drawn by another sampler).
            rng: Source of randomness (``numpy.random.default_rng(seed)``).

        Returns:
            `n` distinct URIs (fewer only if the taxonomy itself has too few skills).

        Raises:
            NotFittedError: If `fit` was not called.
        """
        if not hasattr(self, "uris_"):
            raise not_fitted(self)
        if n < 0:
            raise InputError(f"n must be >= 0, got {n}.")
        banned = dict.fromkeys(exclude)
        banned[positive_uri] = None
        out: list[str] = []
        if n == 0:
            return out
        for uri in self._candidates(anchor, positive_uri, rng=rng):
            if uri not in banned:
                banned[uri] = None
                out.append(uri)
                if len(out) == n:
                    return out
        missing = n - len(out)
        filled = draw_uniform(self.uris_, missing, banned, rng)
        self.shortfall_ += len(filled)
        return out + filled

    def __repr__(self) -> str:
        options = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.endswith("_"))
        return f"{type(self).__name__}({options})"


def draw_uniform(uris: Sequence[str], n: int, banned: dict[str, None], rng: np.random.Generator) -> list[str]:
    """Draw up to `n` distinct URIs uniformly from `uris`, skipping `banned` (updated in place)."""
    out: list[str] = []
    if n <= 0:
        return out
    total = len(uris)
    # Rejection sampling is fast while few URIs are banned; fall back to a permutation otherwise.
    attempts = 0
    while len(out) < n and attempts < 8 * n + 32:
        uri = uris[int(rng.integers(total))]
        attempts += 1
        if uri not in banned:
            banned[uri] = None
            out.append(uri)
    if len(out) < n:
        for i in rng.permutation(total):
            uri = uris[int(i)]
            if uri not in banned:
                banned[uri] = None
                out.append(uri)
                if len(out) == n:
                    break
    return out


def register_sampler(name: str) -> Callable[[S], S]:
    """Class decorator registering a `NegativeSampler` subclass under `name`.

    Registering a name again replaces the earlier sampler (so a user can override a built-in).
    """

    def decorator(cls: S) -> S:
        if not (isinstance(cls, type) and issubclass(cls, NegativeSampler)):
            raise TypeError(f"@register_sampler({name!r}) needs a NegativeSampler subclass, got {cls!r}")
        cls.name = name
        _REGISTRY[name] = cls
        return cls

    return decorator


def available_samplers() -> list[str]:
    """Names of the registered negative samplers, sorted."""
    return sorted(_REGISTRY)


def get_sampler(name: str, **options: Any) -> NegativeSampler:
    """Create the sampler registered as `name` with keyword `options`.

    Raises:
        UnknownNameError: If no sampler has this name; the message lists the known ones.
        InputError: If an option is not accepted by the sampler.
    """
    try:
        cls = _REGISTRY[name]
    except KeyError:
        raise unknown_name("negative sampler", name, list(_REGISTRY)) from None
    try:
        return cls(**options)
    except TypeError as exc:
        raise InputError(
            f"Bad options for negative sampler '{name}': {exc}. Options given: {options}"
        ) from None

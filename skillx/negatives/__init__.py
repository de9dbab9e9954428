"""Negative-sampling strategies behind one small interface, registered by name.

Built-in samplers: ``random``, ``taxonomy`` (siblings, cousins, related skills) and
``similar`` (encoder-mined hard negatives). Combine them with `SamplerMix`.
"""

from __future__ import annotations

from skillx.negatives.base import NegativeSampler, available_samplers, get_sampler, register_sampler
from skillx.negatives.mix import SamplerMix
from skillx.negatives.random import RandomSampler
from skillx.negatives.similar import SimilarSampler
from skillx.negatives.taxonomy import TaxonomySampler

__all__ = [
    "NegativeSampler",
    "RandomSampler",
    "SamplerMix",
    "SimilarSampler",
    "TaxonomySampler",
    "available_samplers",
    "get_sampler",
    "register_sampler",
]

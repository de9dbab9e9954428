"""Contextual scoring: each skill against the sentence's token embeddings, mixed with the pooled cosine.

Mean-pooling a sentence into one vector blurs a sentence that names several skills: each skill
sees the average of all of them. Contextual scoring keeps the encoder's token embeddings h_t
(unit length; the tokenizer's first and last special tokens left out) and scores a skill text
embedding q by attention over them::

    a_t = q . h_t,   w = softmax_t(a_t / tau),   attention(q) = sum_t w_t a_t
    score(q) = pooled_weight * cos(q, pooled sentence) + (1 - pooled_weight) * attention(q)

so a skill can match the few tokens that name it. The attention is computed for each sentence's
``candidates`` best skill texts by pooled cosine (one ``tokens x candidates`` product per
sentence); the other texts keep their pooled cosine in its place, which ranks them below the
candidates in practice (attention runs above the cosine). The pooled cosine alone
(``scoring="pooled"`` in `skillx.load`) is the fast fallback.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from skillx.errors import InputError

# Temperature and pooled weight that research/token_attention.py measured best on validation;
# the candidate count kept every validation top 5 of attending to all skills
# (research/contextual_candidates.py).
RECOMMENDED_TAU = 0.02
RECOMMENDED_POOLED_WEIGHT = 0.75
RECOMMENDED_CANDIDATES = 256
SCORING_MODES = ("auto", "pooled", "contextual")
# Skill texts per block of the attention product: bounds memory to about
# 4 bytes x 3 arrays x tokens x block (256 tokens: 50 MB), whatever the index size.
_TEXT_BLOCK = 16_384


@dataclass(frozen=True, slots=True)
class ContextualScoring:
    """The parameters of contextual scoring (stored in a model's ``skillx.json`` as ``"scoring"``).

    Attributes:
        tau: Attention temperature (cosine units); small values attend to the best token.
        pooled_weight: Weight of the pooled cosine in the mix, in [0, 1).
        candidates: Skill texts per sentence that get the attention term, the best by pooled
            cosine (0: all of them: exact, and slower).

    Example:
        >>> ContextualScoring().to_dict()
        {'kind': 'contextual', 'tau': 0.02, 'pooled_weight': 0.75, 'candidates': 256}
    """

    tau: float = RECOMMENDED_TAU
    pooled_weight: float = RECOMMENDED_POOLED_WEIGHT
    candidates: int = RECOMMENDED_CANDIDATES

    def __post_init__(self) -> None:
        if isinstance(self.candidates, bool) or not isinstance(self.candidates, int) or self.candidates < 0:
            raise InputError(
                "Contextual scoring 'candidates' is a count of skill texts >= 0 (0: all), "
                f"got {self.candidates!r}."
            )
        for name in ("tau", "pooled_weight"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise InputError(f"Contextual scoring '{name}' must be a finite number, got {value!r}.")
        if not 0.0 < self.tau <= 1.0:
            raise InputError(f"Contextual scoring 'tau' is a temperature in (0, 1], got {self.tau}.")
        if not 0.0 <= self.pooled_weight < 1.0:
            raise InputError(
                f"Contextual scoring 'pooled_weight' is in [0, 1) (1 would be pooled scoring: "
                f"use scoring='pooled'), got {self.pooled_weight}."
            )

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``{"kind": "contextual", "tau": ..., "pooled_weight": ..., "candidates": ...}``)."""
        return {
            "kind": "contextual",
            "tau": float(self.tau),
            "pooled_weight": float(self.pooled_weight),
            "candidates": int(self.candidates),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ContextualScoring:
        """Read `to_dict`'s form (a record without ``candidates`` gets the recommended count).

        Raises:
            InputError: If the kind is not ``contextual`` or a value is missing or out of range.
        """
        if not isinstance(data, Mapping) or data.get("kind") != "contextual":
            raise InputError(f"Not a contextual scoring record (expected kind 'contextual'): {data!r}.")
        try:
            return cls(
                tau=data["tau"],
                pooled_weight=data["pooled_weight"],
                candidates=data.get("candidates", RECOMMENDED_CANDIDATES),
            )
        except KeyError as exc:
            raise InputError(f"Contextual scoring record lacks {exc.args[0]!r}: {dict(data)!r}.") from None


def check_scoring_mode(scoring: str) -> str:
    """`scoring` if it is one of `SCORING_MODES`, else an InputError naming them."""
    if scoring not in SCORING_MODES:
        raise InputError(f"scoring must be one of {', '.join(SCORING_MODES)}; got {scoring!r}.")
    return scoring


def resolve_scoring(scoring: str, stored: ContextualScoring | None) -> ContextualScoring | None:
    """The contextual scoring a ranker uses for a `scoring` mode and a model's `stored` one.

    ``"auto"`` keeps what the model was trained with (None: pooled), ``"pooled"`` gives None,
    ``"contextual"`` the stored parameters or the recommended ones.

    Raises:
        InputError: If `scoring` is not one of `SCORING_MODES`.
    """
    check_scoring_mode(scoring)
    if scoring == "pooled":
        return None
    if scoring == "contextual":
        return stored or ContextualScoring()
    return stored


def attention_text_scores(tokens: np.ndarray, texts: np.ndarray, tau: float) -> np.ndarray:
    """attention(q) of every skill text q for one sentence.

    Args:
        tokens: ``(L, dim)`` unit token embeddings of the sentence (special tokens left out).
        texts: ``(n_texts, dim)`` unit skill-text embeddings (`SkillIndex.embeddings`).
        tau: Attention temperature.

    Returns:
        float32 ``(n_texts,)``; all zeros when the sentence has no tokens.
    """
    out = np.zeros(texts.shape[0], dtype=np.float32)
    if tokens.shape[0] == 0:
        return out
    for start in range(0, texts.shape[0], _TEXT_BLOCK):
        sims = tokens @ texts[start : start + _TEXT_BLOCK].T  # (L, block)
        # softmax over tokens, shifted by each column's max so that exp never overflows
        weights = np.exp((sims - sims.max(axis=0, keepdims=True)) / tau)
        out[start : start + sims.shape[1]] = (weights * sims).sum(axis=0) / weights.sum(axis=0)
    return out


def attention_block_scores(
    cosine: np.ndarray, tokens: list[np.ndarray], texts: np.ndarray, scoring: ContextualScoring
) -> np.ndarray:
    """The attention term of a block of sentences against every skill text.

    Each sentence's `scoring.candidates` best texts by pooled cosine get `attention_text_scores`;
    the others keep their pooled cosine (all texts get attention when `candidates` is 0 or covers
    the index). A sentence without tokens scores 0 everywhere, as `attention_text_scores` does.

    Args:
        cosine: ``(n, n_texts)`` pooled cosine of each sentence with every skill text (the caller
            needs it for the pooled term too, so it is computed once).
        tokens: ``n`` arrays of unit token embeddings ``(L_i, dim)``.
        texts: ``(n_texts, dim)`` unit skill-text embeddings.
        scoring: The parameters.

    Returns:
        float32 ``(n, n_texts)``, a new array.
    """
    n_texts = texts.shape[0]
    if not scoring.candidates or scoring.candidates >= n_texts:
        out = np.empty((len(tokens), n_texts), dtype=np.float32)
        for row, token_rows in enumerate(tokens):
            out[row] = attention_text_scores(token_rows, texts, scoring.tau)
        return out
    out = np.array(cosine, dtype=np.float32)  # a copy: the caller's cosine stays pooled
    for row, token_rows in enumerate(tokens):
        if token_rows.shape[0] == 0:
            out[row] = 0.0
            continue
        picked = np.argpartition(-out[row], scoring.candidates - 1)[: scoring.candidates]
        out[row, picked] = attention_text_scores(token_rows, texts[picked], scoring.tau)
    return out

"""Fusion of literal and semantic evidence, and calibration of the fused score.

The semantic ranker gives every skill a cosine similarity to a sentence. The literal matcher
finds ESCO labels written out in the sentence. The two are fused additively::

    raw(skill) = cosine(skill) + literal_boost * w(hit)

where ``w(hit)`` is 1 for an unambiguous literal hit, ``ambiguous_weight`` when the surface
form belongs to several skills, and 0 when the skill's label does not occur in the sentence.
The raw score only orders skills; the score reported to users is a logistic (Platt)
calibration of it::

    score = 1 / (1 + exp(-(slope * raw + intercept)))

read as an estimate of the probability that the skill is one an annotator would have
labelled for that sentence. This module only applies the parameters; `skillx.calibration`
fits them (the boost for RP@5, then the calibration) on benchmark *validation* splits only.
They are plain JSON (``skillx/data/fusion_default.json`` for the bundled base encoder, or
`skillx.model_dir.ModelMeta.fusion` of a trained model), never pickled.

``threshold`` is the default ``min_score``: the probability above which a skill is kept,
chosen on validation to maximise the F1 of the kept (sentence, skill) pairs. A sentence whose
best skill scores below it ("We offer a competitive salary.") gets no skills.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from skillx.errors import InputError, ModelError
from skillx.results import MatchSource

DEFAULT_FUSION_FILE = "fusion_default.json"


@dataclass(frozen=True, slots=True)
class LiteralEvidence:
    """A literal hit of one skill in one sentence, as the fusion sees it.

    Attributes:
        position: Column of the skill in the score matrix (taxonomy order).
        start: Start offset of the hit in the caller's text, or None if unknown.
        end: End offset (exclusive) of the hit in the caller's text, or None.
        ambiguous: True if the matched surface form belongs to several skills.
    """

    position: int
    start: int | None = None
    end: int | None = None
    ambiguous: bool = False


@dataclass(frozen=True, slots=True)
class FusedMatch:
    """One fused, calibrated candidate (by skill position; the extractor adds URI and label)."""

    position: int
    score: float
    raw: float
    source: str
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class FusionParams:
    """Parameters of the literal + semantic fusion and of its calibration.

    Attributes:
        literal_boost: Added to the cosine score of a skill whose label occurs in the sentence.
        ambiguous_weight: Fraction of the boost given to hits of surface forms shared by
            several skills.
        slope: Logistic calibration slope applied to the raw fused score.
        intercept: Logistic calibration intercept.
        threshold: Default ``min_score`` (calibrated probability) for keeping a skill.
        model: Name of the encoder the parameters were fitted for ("" if unknown).
        fitted_on: Where the parameters come from (data set names).
        metrics: Validation metrics measured when fitting, for the record.
    """

    literal_boost: float = 0.25
    ambiguous_weight: float = 0.5
    slope: float = 10.0
    intercept: float = -6.0
    threshold: float = 0.3
    model: str = ""
    fitted_on: str = ""
    metrics: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("literal_boost", "ambiguous_weight", "slope", "intercept", "threshold"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not math.isfinite(value):
                raise InputError(f"Fusion parameter '{name}' must be a finite number, got {value!r}.")
        if self.slope <= 0:
            raise InputError(
                f"Fusion parameter 'slope' must be positive (a higher fused score must mean a "
                f"higher probability), got {self.slope}. Refit the calibration."
            )
        if not 0.0 <= self.threshold <= 1.0:
            raise InputError(f"Fusion 'threshold' is a probability in [0, 1], got {self.threshold}.")

    # -- (de)serialisation ------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        data = asdict(self)
        data["metrics"] = dict(self.metrics)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FusionParams:
        """Build from a dict as written by `to_dict` (unknown keys are an error)."""
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise InputError(
                f"Unknown fusion parameter(s) {', '.join(unknown)}. Known: {', '.join(sorted(known))}."
            )
        return cls(**dict(data))

    def save(self, path: str | Path) -> Path:
        """Write the parameters as JSON; returns the path."""
        path = Path(path)
        path.write_text(json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: str | Path) -> FusionParams:
        """Read parameters written by `save` (or the ``"fusion"`` key of a ``skillx.json``).

        Raises:
            ModelError: If the file is missing or not valid JSON.
        """
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ModelError(
                f"Fusion parameters not found at '{path}'. Pass an existing JSON file written by "
                "FusionParams.save, or leave it out to use the bundled default."
            ) from None
        except json.JSONDecodeError as exc:
            raise ModelError(f"Fusion parameters at '{path}' are not valid JSON ({exc}).") from None
        if isinstance(data, dict) and "fusion" in data and isinstance(data["fusion"], dict):
            data = data["fusion"]
        return cls.from_dict(data)

    # -- the two functions ------------------------------------------------------------------
    def calibrate(self, raw: np.ndarray | float) -> np.ndarray:
        """Map raw fused scores to calibrated probabilities."""
        z = self.slope * np.asarray(raw, dtype=np.float64) + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(z, -50.0, 50.0)))

    def literal_weight(self, evidence: LiteralEvidence) -> float:
        """Boost contributed by one literal hit."""
        return self.literal_boost * (self.ambiguous_weight if evidence.ambiguous else 1.0)


def default_fusion() -> FusionParams:
    """The bundled parameters, fitted for the base encoder on the validation splits."""
    return FusionParams.load(Path(__file__).resolve().parent / "data" / DEFAULT_FUSION_FILE)


def best_evidence(evidence: Iterable[LiteralEvidence], params: FusionParams) -> dict[int, LiteralEvidence]:
    """Keep, per skill position, the strongest literal hit (first one on ties)."""
    best: dict[int, LiteralEvidence] = {}
    for ev in evidence:
        old = best.get(ev.position)
        if old is None or params.literal_weight(ev) > params.literal_weight(old):
            best[ev.position] = ev
    return best


def fused_scores(
    semantic: np.ndarray | None,
    evidence: Iterable[LiteralEvidence],
    params: FusionParams,
    *,
    n_skills: int | None = None,
) -> np.ndarray:
    """Raw fused scores of every skill for one sentence.

    Args:
        semantic: Cosine scores, shape ``(n_skills,)``; None for literal-only ranking.
        evidence: Literal hits of the sentence.
        params: Fusion parameters.
        n_skills: Number of skills; required when ``semantic`` is None.

    Returns:
        Array of shape ``(n_skills,)`` (float32).
    """
    if semantic is None:
        if n_skills is None:
            raise InputError("fused_scores needs `n_skills` when no semantic scores are given.")
        raw = np.zeros(n_skills, dtype=np.float32)
    else:
        raw = np.array(semantic, dtype=np.float32, copy=True).reshape(-1)
    for pos, ev in best_evidence(evidence, params).items():
        if not 0 <= pos < raw.shape[0]:
            raise InputError(f"Literal evidence for skill position {pos} is outside 0..{raw.shape[0] - 1}.")
        raw[pos] += params.literal_weight(ev)
    return raw


def fuse(
    semantic: np.ndarray | None,
    evidence: Sequence[LiteralEvidence],
    params: FusionParams,
    *,
    k: int = 5,
    min_score: float | None = None,
    n_skills: int | None = None,
) -> list[FusedMatch]:
    """The best ``k`` skills of one sentence, fused and calibrated, best first.

    ``source`` is ``"both"`` for a literal hit that the semantic ranker alone also puts in
    its top ``k``, ``"literal"`` for any other literal hit and ``"semantic"`` otherwise.

    Args:
        semantic: Cosine scores of all skills, shape ``(n_skills,)``, or None (literal only).
        evidence: Literal hits of the sentence.
        params: Fusion parameters.
        k: Number of skills to return at most.
        min_score: Drop skills whose calibrated score is below this (None: keep all ``k``).
        n_skills: Number of skills when ``semantic`` is None.

    Returns:
        Up to ``k`` `FusedMatch`, sorted by descending score.
    """
    if k < 1:
        raise InputError(f"k must be at least 1, got {k}.")
    best = best_evidence(evidence, params)
    raw = fused_scores(semantic, best.values(), params, n_skills=n_skills)
    k_eff = min(k, raw.shape[0])
    if semantic is None:
        # literal only: the hits, strongest first; other skills have no evidence at all
        order = sorted(best, key=lambda p: (-raw[p], p))[:k_eff]
        semantic_top: set[int] = set()
    else:
        order = rank_positions(raw, k_eff)
        sem = np.asarray(semantic).reshape(-1)
        semantic_top = set(rank_positions(sem, k_eff))
    probs = params.calibrate(raw[order]) if order else np.zeros(0)
    out: list[FusedMatch] = []
    for pos, prob in zip(order, probs.tolist(), strict=True):
        if min_score is not None and prob < min_score:
            continue
        ev = best.get(pos)
        if ev is None:
            source = MatchSource.SEMANTIC.value
        elif pos in semantic_top:
            source = MatchSource.BOTH.value
        else:
            source = MatchSource.LITERAL.value
        out.append(
            FusedMatch(
                position=int(pos),
                score=float(prob),
                raw=float(raw[pos]),
                source=source,
                start=ev.start if ev else None,
                end=ev.end if ev else None,
            )
        )
    return out


# -- ranking helper -------------------------------------------------------------------------------
def rank_positions(raw: np.ndarray, k: int) -> list[int]:
    """Positions of the ``k`` highest raw scores, best first (ties by position)."""
    k_eff = min(k, raw.shape[0])
    top = np.argpartition(-raw, k_eff - 1)[:k_eff] if k_eff < raw.shape[0] else np.arange(raw.shape[0])
    return sorted(top.tolist(), key=lambda p: (-raw[p], p))

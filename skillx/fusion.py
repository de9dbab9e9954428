"""Fusion of literal and semantic evidence, and calibration of the fused score.

The semantic ranker gives every skill a cosine similarity to a sentence. The literal matcher
finds ESCO labels written out in the sentence. The two are fused additively::

    raw(skill) = cosine(skill) + literal_boost * w(hit)

where ``w(hit)`` is 1 for an unambiguous literal hit, ``ambiguous_weight`` when the surface
form belongs to several skills, and 0 when the skill's label does not occur in the sentence
or occurs in a sense the sentence does not mean. That sense check asks the encoder about the
skill's ESCO neighbourhood rather than the skill itself, whose score the matched word inflates:
a hit counts only if at least one of the skill's siblings (skills sharing a broader concept)
ranks among the sentence's best ``sibling_rank`` skills (`agrees_with_sentence`). "Spark plug
replacement" names `SPARK`, but none of the software skills ESCO files it with is anywhere
near the sentence.
The raw score only orders skills; the score reported to users is a logistic (Platt)
calibration of it::

    score = 1 / (1 + exp(-(slope * raw + intercept)))

read as an estimate of the probability that the skill is one an annotator would have
labelled for that sentence. A model calibrated by this skillx carries a `Calibrator`
instead: a standardised logistic regression over per-candidate features (`FEATURES`: cosine,
rank, margin, the literal hit and its kind, sentence length and clauses, the skill's type and
reuse level), whose probabilities are made non-increasing along the fused ranking so that
re-scoring never re-orders. This module only applies the parameters; `skillx.calibration`
fits them (the boost for RP@5, then the calibration) on benchmark *validation* splits only.
They are plain JSON (``skillx/data/fusion_default.json`` for the bundled base encoder, or
`skillx.model_dir.ModelMeta.fusion` of a trained model), never pickled.

``threshold`` is the default ``min_score``: the probability above which a skill is kept,
chosen on validation to maximise the F1 of the kept (sentence, skill) pairs. A sentence whose
best skill scores below it ("We offer a competitive salary.") gets no skills.
"""

from __future__ import annotations

import itertools
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
        kind: Which label of the skill matched: ``"preferred"``, ``"alternative"``,
            ``"hidden"``, or ``""`` when unknown (a calibration feature).
    """

    position: int
    start: int | None = None
    end: int | None = None
    ambiguous: bool = False
    kind: str = ""


@dataclass(frozen=True, slots=True)
class FusedMatch:
    """One fused, calibrated candidate (by skill position; the extractor adds URI and label)."""

    position: int
    score: float
    raw: float
    source: str
    start: int | None = None
    end: int | None = None


FEATURES = (
    "raw", "cosine", "log_rank", "margin", "gap_next",
    "literal_preferred", "literal_alternative", "literal_hidden", "literal_ambiguous",
    "log_words", "n_clauses", "knowledge",
    "reuse_transversal", "reuse_cross_sector", "reuse_sector_specific", "reuse_occupation_specific",
    "log_supervision",
)  # fmt: skip
"""Every per-(sentence, skill) feature `candidate_features` can compute, by name.

``raw`` is the fused score; ``cosine`` the semantic score alone; ``log_rank`` is
``log(1 + rank)`` in the fused ranking (0 = best); ``margin`` the raw score of the sentence's
best skill minus this one's; ``gap_next`` this raw score minus the next one's in the whole
ranking (so a skill's probability does not depend on how many candidates are asked for); the
``literal_*`` flags describe the strongest literal hit of the skill in the sentence (none:
all 0); ``log_words`` and ``n_clauses`` describe the sentence; ``knowledge`` and ``reuse_*``
come from the taxonomy record of the skill; ``log_supervision`` is ``log(1 + pairs)`` of the
skill in the model's distant-supervision data (0 when not recorded).
"""
SIBLING_RANK = 500
"""Default `FusionParams.sibling_rank`: loose enough for a weak encoder's rankings, strict enough
to catch a sentence that is nowhere near the skill's ESCO neighbourhood (docs/decisions.md)."""
_REUSE = ("transversal", "cross-sector", "sector-specific", "occupation-specific")


@dataclass(frozen=True)
class SkillFeatures:
    """Per-skill facts the calibration reads, one entry per taxonomy position.

    Attributes:
        knowledge: 1.0 for knowledge concepts, else 0.0.
        reuse: Reuse level code: 0 unknown, 1 transversal, 2 cross-sector, 3 sector-specific,
            4 occupation-specific.
        log_supervision: ``log(1 + pairs)`` seen by distant supervision (0 if unknown).
        siblings: Per skill, the positions of its ESCO siblings (skills sharing a broader
            concept), for the sense check of literal hits; empty: unknown (no check).
    """

    knowledge: np.ndarray
    reuse: np.ndarray
    log_supervision: np.ndarray
    siblings: tuple[np.ndarray, ...] = ()

    @classmethod
    def from_taxonomy(cls, taxonomy: Any, counts: Mapping[str, int] | None = None) -> SkillFeatures:
        """Build from a `skillx.taxonomy.Taxonomy` (and optional per-URI supervision counts).

        Example:
            >>> from skillx.taxonomy import Skill, Taxonomy
            >>> tax = Taxonomy([Skill("u:1", "Python", skill_type="knowledge")])
            >>> SkillFeatures.from_taxonomy(tax).knowledge.tolist()
            [1.0]
        """
        skills = list(taxonomy)
        knowledge = np.array([s.skill_type == "knowledge" for s in skills], dtype=np.float64)
        code = {level: i + 1 for i, level in enumerate(_REUSE)}
        reuse = np.array([code.get(s.reuse_level, 0) for s in skills], dtype=np.int64)
        counts = counts or {}
        sup = np.array([math.log1p(float(counts.get(s.uri, 0))) for s in skills], dtype=np.float64)
        return cls(knowledge, reuse, sup, sibling_positions(taxonomy))


def sibling_positions(taxonomy: Any) -> tuple[np.ndarray, ...]:
    """Per taxonomy position, the positions of the skill's siblings (shared broader concept).

    Example:
        >>> from skillx.taxonomy import Skill, SkillGroup, Taxonomy
        >>> tax = Taxonomy(
        ...     [Skill("u:1", "Chef", broader=("g:1",)), Skill("u:2", "Puppet", broader=("g:1",)),
        ...      Skill("u:3", "cook", broader=("g:2",))],
        ...     [SkillGroup("g:1", "configuration tools"), SkillGroup("g:2", "cooking")],
        ... )
        >>> [s.tolist() for s in sibling_positions(tax)]
        [[1], [0], []]
    """
    position = {skill.uri: i for i, skill in enumerate(taxonomy)}
    out = []
    for skill in taxonomy:
        near = sorted(position[uri] for uri in taxonomy.siblings(skill.uri) if uri in position)
        out.append(np.array(near, dtype=np.int32))
    return tuple(out)


def candidate_features(
    raw: np.ndarray,
    semantic: np.ndarray | None,
    order: Sequence[int],
    evidence: Mapping[int, LiteralEvidence],
    text: str,
    skills: SkillFeatures | None,
) -> np.ndarray:
    """Feature matrix (``len(order)`` x ``len(FEATURES)``) of one sentence's ranked candidates.

    Args:
        raw: Raw fused scores of all skills of the sentence.
        semantic: Cosine scores of all skills (None: literal only, cosine read as 0).
        order: Candidate positions, best first: the top of the fused ranking.
        evidence: Strongest literal hit per position (`best_evidence`).
        text: The sentence.
        skills: Per-skill facts (None: all 0).

    Returns:
        float64 array; columns in `FEATURES` order.
    """
    from skillx.text import split_clauses

    n = len(order)
    out = np.zeros((n, len(FEATURES)), dtype=np.float64)
    if n == 0:
        return out
    pos = np.asarray(order, dtype=np.int64)
    r = np.asarray(raw, dtype=np.float64)[pos]
    out[:, 0] = r
    if semantic is not None:
        out[:, 1] = np.asarray(semantic, dtype=np.float64).reshape(-1)[pos]
    out[:, 2] = np.log1p(np.arange(n))
    out[:, 3] = r[0] - r
    out[:-1, 4] = r[:-1] - r[1:]
    # the last candidate's gap is to the best skill left out: a cut at k must not change it
    if n < np.shape(raw)[0]:
        rest = np.array(raw, dtype=np.float64)  # a copy: the candidates are masked out
        rest[pos] = -np.inf
        out[-1, 4] = r[-1] - rest.max()
    for row, p in enumerate(order):
        ev = evidence.get(p)
        if ev is None:
            continue
        kind = ev.kind or "preferred"
        out[row, 5 + ("preferred", "alternative", "hidden").index(kind)] = 1.0
        out[row, 8] = float(ev.ambiguous)
    out[:, 9] = math.log1p(len(text.split()))
    out[:, 10] = len(split_clauses(text))
    if skills is not None:
        out[:, 11] = skills.knowledge[pos]
        reuse = skills.reuse[pos]
        for level in range(1, 5):
            out[:, 11 + level] = reuse == level
        out[:, 16] = skills.log_supervision[pos]
    return out


@dataclass(frozen=True)
class Calibrator:
    """A standardised, L2-regularised logistic regression over candidate features.

    Maps the features of a (sentence, skill) candidate to the probability that an annotator
    would have labelled that skill for that sentence. Fitted by
    `skillx.calibration.fit_calibrator` (out-of-fold on validation splits); plain JSON.

    Attributes:
        features: Names of the features used, a subset of `FEATURES`.
        mean: Standardisation mean per feature.
        scale: Standardisation scale per feature.
        coef: Logistic coefficient per standardised feature.
        intercept: Logistic intercept.
        document_threshold: Default ``document_min_score`` for ad-level decisions.
        curve: Out-of-fold ``(threshold, precision, recall)`` points of the kept (sentence,
            skill) pairs among the top 5, thresholds descending; `threshold_for_precision`
            reads them.
        metrics: Out-of-fold metrics measured when fitting, for the record.
    """

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    document_threshold: float = 0.5
    curve: tuple[tuple[float, float, float], ...] = ()
    metrics: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.features)
        unknown = [f for f in self.features if f not in FEATURES]
        if unknown:
            raise InputError(f"Unknown calibration feature(s) {unknown}. Known: {', '.join(FEATURES)}.")
        if not (len(self.mean) == len(self.scale) == len(self.coef) == n):
            raise InputError("Calibrator needs one mean, scale and coefficient per feature.")
        values = [*self.mean, *self.scale, *self.coef, self.intercept, self.document_threshold]
        if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in values):
            raise InputError("Calibrator parameters must be finite numbers. Refit the calibration.")
        if any(v <= 0 for v in self.scale):
            raise InputError("Calibrator scales must be positive. Refit the calibration.")
        if not 0.0 <= self.document_threshold <= 1.0:
            raise InputError(
                f"Calibrator 'document_threshold' is a probability in [0, 1], got {self.document_threshold}."
            )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "features": list(self.features),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "coef": list(self.coef),
            "intercept": self.intercept,
            "document_threshold": self.document_threshold,
            "curve": [list(p) for p in self.curve],
            "metrics": dict(self.metrics),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Calibrator:
        """Build from a dict written by `to_dict`."""
        try:
            return cls(
                features=tuple(str(f) for f in data["features"]),
                mean=tuple(float(v) for v in data["mean"]),
                scale=tuple(float(v) for v in data["scale"]),
                coef=tuple(float(v) for v in data["coef"]),
                intercept=float(data["intercept"]),
                document_threshold=float(data.get("document_threshold", 0.5)),
                curve=tuple((float(a), float(b), float(c)) for a, b, c in data.get("curve", ())),
                metrics=dict(data.get("metrics", {})),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"Calibrator data is incomplete or malformed ({exc!r}). Refit it.") from None

    def columns(self) -> list[int]:
        """Columns of `FEATURES` this calibrator reads."""
        return [FEATURES.index(f) for f in self.features]

    def predict(self, features: np.ndarray) -> np.ndarray:
        """Probabilities for rows of a full `FEATURES` matrix (as `candidate_features` returns)."""
        x = np.asarray(features, dtype=np.float64)[:, self.columns()]
        z = ((x - np.asarray(self.mean)) / np.asarray(self.scale)) @ np.asarray(self.coef) + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(z, -50.0, 50.0)))


PRECISION_MIN_RECALL = 0.02
"""Least recall at which a point of the precision/recall curve counts for `threshold_for_precision`.

At the top of the curve a threshold keeps a handful of pairs (on the validation splits, 2% of
the gold pairs is 5 pairs): one wrong pair there makes its precision 0 and would refuse every
target, although it measures nothing."""


def threshold_for_precision(curve: Sequence[Sequence[float]], precision: float) -> float:
    """The lowest threshold whose precision, and that of every higher threshold, reaches `precision`.

    Walking the curve from the highest threshold down, the answer is the last threshold
    before precision first drops below the target: the most recall that keeps the promise.
    Points that find less than `PRECISION_MIN_RECALL` of the gold pairs are too few pairs to
    measure precision on, and are skipped.

    Args:
        curve: ``(threshold, precision, recall)`` points, any order.
        precision: Wanted precision in (0, 1].

    Returns:
        The threshold (a ``min_score``).

    Raises:
        InputError: If `precision` is out of range or no threshold reaches it; the message
            says the most precision the curve can promise.

    Example:
        >>> threshold_for_precision([(0.9, 1.0, 0.1), (0.5, 0.8, 0.4), (0.2, 0.5, 0.7)], 0.75)
        0.5
        >>> threshold_for_precision([(0.95, 0.0, 0.0), (0.9, 1.0, 0.1), (0.5, 0.8, 0.4)], 0.75)
        0.5
    """
    if not isinstance(precision, (int, float)) or not 0.0 < float(precision) <= 1.0:
        raise InputError(f"precision is a fraction in (0, 1], e.g. 0.7; got {precision!r}.")
    points = sorted(
        ((float(t), float(p)) for t, p, r, *_ in curve if float(r) >= PRECISION_MIN_RECALL), reverse=True
    )
    chosen: float | None = None
    for t, p in points:
        if p + 1e-12 < precision:
            break
        chosen = t
    if chosen is None:
        # the most one can ask for: the best precision that every higher threshold also reaches
        promisable = max(itertools.accumulate((p for _, p in points), min), default=0.0)
        raise InputError(
            f"No threshold reaches precision {precision} on the validation data (the most it can "
            f"promise is {promisable:.2f}). Ask for a lower precision, or pass min_score directly."
        )
    return chosen


@dataclass(frozen=True)
class FusionParams:
    """Parameters of the literal + semantic fusion and of its calibration.

    Attributes:
        literal_boost: Added to the cosine score of a skill whose label occurs in the sentence.
        ambiguous_weight: Fraction of the boost given to hits of surface forms shared by
            several skills.
        sibling_rank: A literal hit counts only if one of its skill's ESCO siblings ranks
            among this many best skills of the sentence (`agrees_with_sentence`); 0 turns
            the sense check off.
        slope: Logistic calibration slope applied to the raw fused score.
        intercept: Logistic calibration intercept.
        threshold: Default ``min_score`` (calibrated probability) for keeping a skill.
        model: Name of the encoder the parameters were fitted for ("" if unknown).
        fitted_on: Where the parameters come from (data set names).
        metrics: Validation metrics measured when fitting, for the record.
        calibrator: The multi-feature calibration (`Calibrator`); when set it replaces the
            one-feature ``slope``/``intercept`` mapping. None in older files.
    """

    literal_boost: float = 0.25
    ambiguous_weight: float = 0.5
    sibling_rank: int = SIBLING_RANK
    slope: float = 10.0
    intercept: float = -6.0
    threshold: float = 0.3
    model: str = ""
    fitted_on: str = ""
    metrics: Mapping[str, Any] = field(default_factory=dict)
    calibrator: Calibrator | None = None

    def __post_init__(self) -> None:
        for name in ("literal_boost", "ambiguous_weight", "slope", "intercept", "threshold"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not math.isfinite(value):
                raise InputError(f"Fusion parameter '{name}' must be a finite number, got {value!r}.")
        rank = self.sibling_rank
        if isinstance(rank, bool) or not isinstance(rank, int) or rank < 0:
            raise InputError(
                f"Fusion parameter 'sibling_rank' is a whole number >= 0 (0: no sense check of "
                f"literal hits), got {self.sibling_rank!r}."
            )
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
        if self.calibrator is None:
            del data["calibrator"]  # old readers know no such key
        else:
            data["calibrator"] = self.calibrator.to_dict()
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
        values = dict(data)
        if values.get("calibrator") is not None:
            values["calibrator"] = Calibrator.from_dict(values["calibrator"])
        return cls(**values)

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

    @property
    def document_threshold(self) -> float:
        """Default ``document_min_score``: the calibrator's, else the sentence threshold."""
        return self.calibrator.document_threshold if self.calibrator is not None else self.threshold

    def threshold_for_precision(self, precision: float) -> float:
        """The ``min_score`` that gave `precision` out-of-fold on validation (see `threshold_for_precision`).

        Raises:
            InputError: If these parameters carry no precision/recall curve (refit the
                calibration), or no threshold reaches `precision`.
        """
        if self.calibrator is None or not self.calibrator.curve:
            raise InputError(
                "These fusion parameters carry no precision/recall curve, so precision= cannot be "
                "honoured. Refit with `skillx benchmark VALIDATION.csv ... --model DIR --fit-fusion`, "
                "or pass min_score instead."
            )
        return threshold_for_precision(self.calibrator.curve, precision)

    def probabilities(
        self,
        raw: np.ndarray,
        semantic: np.ndarray | None,
        order: Sequence[int],
        evidence: Mapping[int, LiteralEvidence],
        text: str = "",
        skills: SkillFeatures | None = None,
    ) -> np.ndarray:
        """Calibrated probabilities of one sentence's ranked candidates (`order`, best first).

        With a `Calibrator` the probabilities are made non-increasing along the ranking
        (a running minimum), so re-scoring never re-orders the skills and a ``min_score``
        always keeps a prefix of the ranking.
        """
        if not order:
            return np.zeros(0)
        if self.calibrator is None or semantic is None:  # literal-only: no semantic features
            return self.calibrate(np.asarray(raw)[list(order)])
        feats = candidate_features(raw, semantic, order, evidence, text, skills)
        return np.minimum.accumulate(self.calibrator.predict(feats))

    def literal_weight(self, evidence: LiteralEvidence) -> float:
        """Boost contributed by one literal hit."""
        return self.literal_boost * (self.ambiguous_weight if evidence.ambiguous else 1.0)


def default_fusion() -> FusionParams:
    """The bundled parameters, fitted for the base encoder on the validation splits."""
    return FusionParams.load(Path(__file__).resolve().parent / "data" / DEFAULT_FUSION_FILE)


def best_evidence(
    evidence: Iterable[LiteralEvidence],
    params: FusionParams,
    semantic: np.ndarray | None = None,
    skills: SkillFeatures | None = None,
) -> dict[int, LiteralEvidence]:
    """Keep, per skill position, the strongest literal hit (first one on ties).

    With `semantic` scores and `skills` that know the siblings, hits in a sense the sentence
    does not mean are dropped first (`agrees_with_sentence`).
    """
    siblings = skills.siblings if skills is not None else ()
    if semantic is not None and siblings:
        evidence = agrees_with_sentence(evidence, semantic, siblings, params.sibling_rank)
    best: dict[int, LiteralEvidence] = {}
    for ev in evidence:
        old = best.get(ev.position)
        if old is None or params.literal_weight(ev) > params.literal_weight(old):
            best[ev.position] = ev
    return best


def agrees_with_sentence(
    evidence: Iterable[LiteralEvidence],
    semantic: np.ndarray,
    siblings: Sequence[np.ndarray],
    max_rank: int,
) -> list[LiteralEvidence]:
    """The literal hits whose skill the sentence's meaning agrees with.

    A label can occur in a sentence in another sense ("Care for the python and other reptiles"
    names `Python`). The skill's own cosine cannot tell, since the matched word inflates it
    (and a model trained on such literal pairs learns the wrong sense itself). Its ESCO
    siblings carry no such word: a hit counts only if at least one sibling ranks among the
    sentence's `max_rank` best skills. Hits of skills without siblings, or outside the score
    vector (`fused_scores` reports those), always count; so does every hit when `max_rank`
    is 0.

    Example:
        >>> semantic = np.array([0.9, 0.8, 0.1, 0.05])  # a sentence about skills 0 and 1
        >>> siblings = [np.array([1]), np.array([0]), np.array([3]), np.array([2])]
        >>> hits = [LiteralEvidence(0), LiteralEvidence(2)]
        >>> [ev.position for ev in agrees_with_sentence(hits, semantic, siblings, 2)]
        [0]
    """
    hits = list(evidence)
    if max_rank <= 0 or not hits:
        return hits
    scores = np.asarray(semantic).reshape(-1)
    kept = []
    for ev in hits:
        if not 0 <= ev.position < min(len(siblings), scores.shape[0]):
            kept.append(ev)  # fused_scores reports a bad position
            continue
        near = siblings[ev.position]
        if near.size == 0 or int(np.count_nonzero(scores > scores[near].max())) < max_rank:
            kept.append(ev)
    return kept


def fused_scores(
    semantic: np.ndarray | None,
    evidence: Iterable[LiteralEvidence],
    params: FusionParams,
    *,
    n_skills: int | None = None,
    skills: SkillFeatures | None = None,
) -> np.ndarray:
    """Raw fused scores of every skill for one sentence.

    Args:
        semantic: Cosine scores, shape ``(n_skills,)``; None for literal-only ranking.
        evidence: Literal hits of the sentence.
        params: Fusion parameters.
        n_skills: Number of skills; required when ``semantic`` is None.
        skills: Per-skill facts; with their siblings, hits in another sense get no boost.

    Returns:
        Array of shape ``(n_skills,)`` (float32).
    """
    if semantic is None:
        if n_skills is None:
            raise InputError("fused_scores needs `n_skills` when no semantic scores are given.")
        raw = np.zeros(n_skills, dtype=np.float32)
    else:
        raw = np.array(semantic, dtype=np.float32, copy=True).reshape(-1)
    for pos, ev in best_evidence(evidence, params, semantic, skills).items():
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
    text: str = "",
    skills: SkillFeatures | None = None,
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
        text: The sentence (read by a multi-feature calibration).
        skills: Per-skill facts (read by a multi-feature calibration; their siblings by the
            sense check of literal hits, `agrees_with_sentence`).

    Returns:
        Up to ``k`` `FusedMatch`, sorted by descending score.
    """
    if k < 1:
        raise InputError(f"k must be at least 1, got {k}.")
    best = best_evidence(evidence, params, semantic, skills)
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
    probs = params.probabilities(raw, semantic, order, best, text, skills)
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

"""Fit the fusion parameters (literal boost and score calibration) on validation data.

The one place where `skillx.fusion.FusionParams` are *fitted*; `skillx.fusion` only applies
them. Three levels, each built on the one before:

* `fit_fusion`: from a score matrix, literal hits and gold skill positions;
* `fit_extractor_fusion`: from a `SkillExtractor` and benchmark CSVs;
* `fit_model_fusion`: for a skillx model directory, storing the result as
  `ModelMeta.fusion` in its ``skillx.json`` through `store_model_fusion`, the only writer
  of a model's fusion (`skillx train --benchmark` and `skillx benchmark --fit-fusion`).

Only ever pass *validation* splits: the test splits are held out for reporting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from skillx.errors import InputError, ModelError
from skillx.evaluation.metrics import r_precision_at_k
from skillx.fusion import FusionParams, LiteralEvidence, fused_scores, rank_positions
from skillx.text import Sentence

if TYPE_CHECKING:
    from skillx.extractor import SkillExtractor
    from skillx.model_dir import ModelMeta
    from skillx.taxonomy import Taxonomy

DEFAULT_BOOSTS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1.0)
"""Grid of literal boosts `fit_fusion` tries."""
DEFAULT_AMBIGUOUS_WEIGHTS = (0.0, 0.5, 1.0)
"""Grid of weights for hits of surface forms shared by several skills."""
CALIBRATION_CANDIDATES = 10
"""Top candidates per sentence the logistic calibration is fitted on."""


def fit_fusion(
    semantic: np.ndarray,
    evidence: Sequence[Sequence[LiteralEvidence]],
    gold: Sequence[set[int]],
    *,
    boosts: Sequence[float] = DEFAULT_BOOSTS,
    ambiguous_weights: Sequence[float] = DEFAULT_AMBIGUOUS_WEIGHTS,
    k: int = 5,
    candidates: int = CALIBRATION_CANDIDATES,
    model: str = "",
    fitted_on: str = "",
) -> FusionParams:
    """Tune the literal boost for RP@k, then fit the logistic calibration and the threshold.

    Sentences with an empty gold set take part in the calibration as negatives only (they
    teach the "no skill here" decision) and are left out of the RP@k used for the boost.
    On ties the first boost (then ambiguous weight) of the grid wins.

    Args:
        semantic: Cosine scores, shape ``(n_sentences, n_skills)``.
        evidence: Literal hits per sentence.
        gold: Gold skill positions per sentence (may be empty).
        boosts: Grid of literal boosts to try.
        ambiguous_weights: Grid of weights for ambiguous hits.
        k: The K of the RP@K that the boost maximises.
        candidates: How many top candidates per sentence the calibration is fitted on.
        model: Encoder name to record.
        fitted_on: Data set names to record.

    Returns:
        Fitted `FusionParams` with the validation metrics in ``metrics``.

    Raises:
        InputError: If the inputs do not line up, no sentence has a gold skill, or the
            candidates are all right or all wrong.
    """
    semantic = np.asarray(semantic, dtype=np.float32)
    if semantic.ndim != 2 or semantic.shape[0] != len(evidence) or len(evidence) != len(gold):
        raise InputError(
            "fit_fusion needs one row of semantic scores, one evidence list and one gold set per "
            f"sentence; got {semantic.shape}, {len(evidence)} and {len(gold)}."
        )
    scored = [i for i, g in enumerate(gold) if g]
    if not scored:
        raise InputError("fit_fusion needs at least one sentence with a gold skill.")

    best: tuple[float, float, float] | None = None  # (rp, boost, ambiguous_weight)
    for boost in boosts:
        for amb in ambiguous_weights if boost > 0 else (1.0,):
            params = FusionParams(literal_boost=boost, ambiguous_weight=amb)
            rp = float(
                np.mean(
                    [
                        r_precision_at_k(
                            rank_positions(fused_scores(semantic[i], evidence[i], params), k), gold[i], k
                        )
                        for i in scored
                    ]
                )
            )
            if best is None or rp > best[0] + 1e-12:
                best = (rp, boost, amb)
    assert best is not None
    rp_best, boost, amb = best
    params = FusionParams(literal_boost=boost, ambiguous_weight=amb)

    xs: list[float] = []
    ys: list[int] = []
    per_sentence: list[tuple[int, list[int], np.ndarray]] = []
    for i in range(len(gold)):
        raw = fused_scores(semantic[i], evidence[i], params)
        ranked = rank_positions(raw, candidates)
        per_sentence.append((i, ranked, raw))
        for pos in ranked:
            xs.append(float(raw[pos]))
            ys.append(int(pos in gold[i]))
    slope, intercept = _fit_logistic(np.asarray(xs), np.asarray(ys))
    params = replace(params, slope=slope, intercept=intercept)

    # threshold: maximise F1 of kept (sentence, skill) pairs among the top k
    n_gold = sum(len(g) for g in gold)
    pairs: list[tuple[float, int]] = []
    for i, ranked, raw in per_sentence:
        top = ranked[:k]
        probs = params.calibrate(raw[top]).tolist()
        pairs.extend((float(p), int(pos in gold[i])) for pos, p in zip(top, probs, strict=True))
    pairs.sort(key=lambda t: -t[0])
    best_f1, threshold, tp = -1.0, 0.5, 0
    for n_kept, (prob, hit) in enumerate(pairs, start=1):
        tp += hit
        f1 = 2 * tp / (n_kept + n_gold) if n_gold else 0.0
        if f1 > best_f1:
            best_f1, threshold = f1, prob
    return replace(
        params,
        threshold=round(float(threshold), 4),
        model=model,
        fitted_on=fitted_on,
        metrics={
            f"rp@{k}": round(rp_best, 4),
            "f1_at_threshold": round(best_f1, 4),
            "n_sentences": len(gold),
            "n_scored_sentences": len(scored),
        },
    )


def _fit_logistic(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """One-feature logistic regression (Platt scaling); returns (slope, intercept)."""
    if y.min() == y.max():
        raise InputError("Calibration needs both correct and wrong candidates; got only one kind.")
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=1e4, max_iter=1000)
    model.fit(x.reshape(-1, 1), y)
    slope = float(model.coef_[0, 0])
    if slope <= 0:
        raise InputError("Calibration found no positive link between fused score and correctness.")
    return round(slope, 6), round(float(model.intercept_[0]), 6)


def benchmark_sentences(path: str | Path, extractor: SkillExtractor) -> tuple[list[str], list[set[int]]]:
    """All sentences of a benchmark CSV with their gold skill positions.

    Unlike the RP@K protocol, sentences without any ESCO label (only ``LABEL NOT PRESENT`` /
    ``UNDERSPECIFIED``) are kept with an empty gold set: they teach the calibration that
    some sentences have no skill.

    Args:
        path: Benchmark CSV (columns ``sentence`` and ``label``).
        extractor: Gives the taxonomy that resolves the labels.

    Returns:
        ``(sentences, gold positions)``.
    """
    from skillx.evaluation import load_benchmark

    bench = load_benchmark(path, extractor.taxonomy)  # validates the file and the protocol
    import pandas as pd

    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    taxonomy = extractor.taxonomy
    gold_by_sentence = {
        s: {taxonomy.position(u) for u in g} for s, g in zip(bench.sentences, bench.gold, strict=True)
    }
    sentences = list(dict.fromkeys(frame["sentence"].tolist()))
    return sentences, [gold_by_sentence.get(s, set()) for s in sentences]


def fit_extractor_fusion(
    extractor: SkillExtractor,
    paths: Sequence[str | Path],
    *,
    k: int = 5,
    model: str = "",
) -> FusionParams:
    """Tune the literal boost for RP@k and fit the calibration on benchmark files.

    Args:
        extractor: An extractor with both a semantic ranker and a literal matcher.
        paths: Benchmark CSVs (validation splits only).
        k: The K of RP@K that the boost maximises.
        model: Model name recorded in the parameters.

    Returns:
        The fitted `FusionParams` (not set on the extractor: assign or save them yourself).

    Raises:
        InputError: If the extractor lacks a ranker or matcher, or no file is given.
    """
    if extractor.ranker is None or extractor.matcher is None:
        raise InputError("Fitting the fusion needs an extractor with both a semantic ranker and a matcher.")
    if not paths:
        raise InputError("Pass at least one benchmark (validation) CSV to fit the fusion on.")
    sentences: list[str] = []
    gold: list[set[int]] = []
    names = []
    for path in paths:
        s, g = benchmark_sentences(path, extractor)
        sentences.extend(s)
        gold.extend(g)
        names.append(Path(path).name)
    scores = extractor.score_sentences(sentences)
    evidence: list[list[LiteralEvidence]] = [
        extractor.literal_evidence(Sentence(text, 0, len(text))) for text in sentences
    ]
    params = fit_fusion(scores, evidence, gold, k=k, model=model, fitted_on=", ".join(names))
    return replace(params, metrics={**params.metrics, "n_candidates_per_sentence": CALIBRATION_CANDIDATES})


def fit_model_fusion(
    model_dir: str | Path,
    benchmarks: Sequence[str | Path],
    *,
    taxonomy: Taxonomy | str | Path | None = None,
    esco_version: str = "1.1.0",
) -> FusionParams:
    """Fit the fusion of a model directory on benchmark CSVs and store it in its ``skillx.json``.

    `skillx.load` reads the model's calibration from `ModelMeta.fusion`; without one it falls
    back to the base encoder's parameters (and warns), which do not calibrate a fine-tuned
    encoder's cosine scores.

    Args:
        model_dir: A skillx model directory (as written by `SkillEncoderTrainer.save`).
        benchmarks: Validation CSVs (columns ``sentence`` and ``label``); validation splits only.
        taxonomy: The taxonomy the model was trained with (a `Taxonomy` or ESCO files; None:
            as `skillx.load` finds it).
        esco_version: ESCO version when `taxonomy` is not a `Taxonomy`.

    Returns:
        The fitted parameters (also written into ``skillx.json``).

    Raises:
        ModelError: If `model_dir` is not a skillx model directory.
        InputError: If no benchmark is given or a file is unusable.
    """
    from skillx.fusion import default_fusion
    from skillx.loading import load

    path = Path(model_dir).expanduser()
    _model_meta(path)  # fail before the slow part
    # the fit reads raw cosine scores and literal hits only; passing the bundled parameters
    # just silences the "no fusion calibration" warning of a model that has none yet
    extractor = load(path, taxonomy=taxonomy, esco_version=esco_version, fusion=default_fusion())
    params = fit_extractor_fusion(extractor, list(benchmarks), model=str(path))
    store_model_fusion(path, params)
    return params


def store_model_fusion(model_dir: str | Path, params: FusionParams) -> Path:
    """Store `params` as the fusion of a skillx model directory (`ModelMeta.fusion`).

    The rest of its ``skillx.json`` is kept as it is.

    Args:
        model_dir: A skillx model directory.
        params: Fitted fusion parameters.

    Returns:
        The path of the rewritten ``skillx.json``.

    Raises:
        ModelError: If `model_dir` is not a skillx model directory.
    """
    from skillx.model_dir import write_model_meta

    path = Path(model_dir).expanduser()
    return write_model_meta(path, _model_meta(path).replace(fusion=params))


def _model_meta(path: Path) -> ModelMeta:
    from skillx.model_dir import is_skillx_model_dir, read_model_meta

    meta = read_model_meta(path) if is_skillx_model_dir(path) else None
    if meta is None:
        raise ModelError(
            f"'{path}' is not a skillx model directory (skillx.json + model/). Pass the folder "
            "written by `skillx train --out`."
        )
    return meta

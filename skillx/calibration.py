"""Fit the fusion boost and score calibration of an extractor on benchmark (validation) files.

Only ever pass *validation* splits: the test splits are held out for reporting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from skillx.errors import InputError
from skillx.fusion import FusionParams, LiteralEvidence, fit_fusion
from skillx.text import Sentence

if TYPE_CHECKING:
    from skillx.extractor import SkillExtractor


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
        The fitted `FusionParams` (also set on nothing: assign or save them yourself).

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
    return replace(params, metrics={**params.metrics, "n_candidates_per_sentence": 10})

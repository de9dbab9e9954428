"""Refit the bundled fusion (``skillx/data/fusion_default.json``) of the base encoder.

The bundled fusion is what ``skillx.load()`` scores with when no trained model is installed.
This refits its score calibration (a `skillx.fusion.Calibrator` over `BASE_FEATURES`, its F1
threshold and precision curve) on the benchmark's validation splits and keeps the literal boost
and ambiguous weight of the current file by default, so the rankings stay exactly as they were
and only the probabilities (and what a threshold keeps) change.

The base encoder's calibrator reads the fused score and which kind of label matched, not the
rank, margin, sentence or skill-type features a trained model's calibrator reads: for the
untrained encoder those lift the best candidate of any sentence, headers and benefit lines
included (docs/decisions.md, "The bundled base encoder's calibration").

    python tools/fit_bundled_fusion.py --esco ../shared/esco \
        --data ../shared/benchmark/tech_validation_annotations.csv \
        --data ../shared/benchmark/house_validation_annotations.csv

Scoring every sentence against every skill is the slow step (a few minutes on 2 cores);
``--cache DIR`` keeps it (``benchmarks/decisions.py --model base --cache DIR`` writes the same).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

from skillx.calibration import (
    CALIBRATION_CANDIDATES,
    ScoredSentences,
    candidate_table,
    fit_calibrator,
    fit_fusion,
)
from skillx.fusion import DEFAULT_FUSION_FILE, default_fusion

BUNDLED = Path(__file__).resolve().parent.parent / "skillx" / "data" / DEFAULT_FUSION_FILE
MODEL_NAME = "all-MiniLM-L6-v2 (bundled base encoder, skill_text=preferred)"
BASE_FEATURES = ("raw", "literal_preferred", "literal_alternative", "literal_hidden", "literal_ambiguous")


def scored(args: argparse.Namespace) -> ScoredSentences:
    """The validation sentences scored by the bundled base encoder (cached with --cache)."""
    if args.cache is not None and (args.cache / "sentences.json").is_file():
        return ScoredSentences.load(args.cache)
    from skillx.calibration import score_benchmarks
    from skillx.loading import load

    extractor = load("base", taxonomy=args.esco, esco_version=args.esco_version, fusion=default_fusion())
    result = score_benchmarks(extractor, args.data)
    if args.cache is not None:
        result.save(args.cache)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--esco", type=Path, default=Path("../shared/esco"), help="ESCO CSV folder or zip")
    parser.add_argument("--esco-version", default="1.1.0", help="ESCO version (the benchmark's)")
    parser.add_argument(
        "--data", type=Path, action="append", required=True, help="A validation CSV (repeat for each split)."
    )
    parser.add_argument("--cache", type=Path, default=None, help="Keep the scored sentences here.")
    parser.add_argument("--output", type=Path, default=BUNDLED, help="Where to write the parameters.")
    args = parser.parse_args(argv)

    current = default_fusion()
    data = scored(args)
    gold = [set(g) for g in data.gold]
    skills = data.skill_features()
    params = fit_fusion(  # the kept boost; the one-feature calibration and its F1 threshold
        data.semantic,
        data.evidence,
        gold,
        boosts=(current.literal_boost,),
        ambiguous_weights=(current.ambiguous_weight,),
        sibling_rank=current.sibling_rank,
        model=MODEL_NAME,
        fitted_on=", ".join(p.name for p in args.data),
        skills=skills,
    )
    cands = candidate_table(
        data.semantic,
        data.evidence,
        gold,
        data.texts,
        params,
        skills=skills,
        candidates=CALIBRATION_CANDIDATES,
    )
    calibrator, threshold = fit_calibrator(cands, features=BASE_FEATURES)
    params = replace(
        params,
        calibrator=calibrator,
        threshold=threshold,
        metrics={**params.metrics, "n_candidates_per_sentence": CALIBRATION_CANDIDATES},
    )
    params.save(args.output)
    print(json.dumps({k: v for k, v in params.to_dict().items() if k != "calibrator"}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

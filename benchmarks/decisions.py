"""Decision benchmark: are the kept (sentence, skill) pairs right, and do the probabilities hold?

Examples:
    python benchmarks/decisions.py --model ~/.cache/skillx/models/default --cache /tmp/scored
    python benchmarks/decisions.py --cache /tmp/scored --json decisions.json   # re-fit only

What it measures, out-of-fold on the validation splits (5 folds by sentence over both splits,
so no sentence is ever in the fold that fits and the fold that is scored):

* micro precision, recall and F1 of the kept (sentence, skill) pairs among each sentence's top
  5 at the default threshold (chosen on the training folds), sentences without skills
  included (they only add false positives); recall counts every gold pair, found or not;
* the expected calibration error (10 bins) of the top-5 probabilities, and a reliability table;
* before (the one-feature logistic calibration of the fused score) and after (the
  multi-feature `skillx.fusion.Calibrator`), on the same folds;
* RP@5 of the fused ranking, which the calibration must leave as it is (it re-scores, it does
  not re-rank);
* the out-of-fold precision/recall curve of the new calibration.

The slow step (scoring every sentence against every skill) is done once and cached with
``--cache DIR``; later runs with the same DIR only re-fit.

``--clause-margin M`` scores with clause scoring on (as ``skillx.load(clause_margin=M)``).
``--fit-cache DIR`` fits the boost, the calibrators and the thresholds on the sentences cached
in DIR (scored another way) and measures them on these: what a user gets who loads a model
fitted without clause scoring with clause scoring on::

    python benchmarks/decisions.py --model MODEL --cache /tmp/scored
    python benchmarks/decisions.py --model MODEL --clause-margin 0.15 --cache /tmp/scored-clauses \
        --fit-cache /tmp/scored
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from _common import DEFAULT_DATA, SHARED

DEFAULT_ESCO = SHARED / "esco"


def scored_sentences(args: argparse.Namespace) -> Any:
    """The scored validation sentences: from the cache, or scored now (and cached)."""
    from skillx.calibration import ScoredSentences, score_benchmarks
    from skillx.fusion import default_fusion
    from skillx.loading import load

    if args.cache is not None and (args.cache / "sentences.json").is_file():
        return ScoredSentences.load(args.cache)
    extractor = load(
        args.model, taxonomy=args.esco, fusion=default_fusion(), clause_margin=args.clause_margin
    )
    scored = score_benchmarks(extractor, args.data)
    if args.cache is not None:
        scored.save(args.cache)
    return scored


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Fit and score both calibrations out-of-fold; returns the JSON-ready results."""
    import numpy as np

    from skillx.calibration import (
        ScoredSentences,
        best_f1_threshold,
        candidate_table,
        decision_metrics,
        expected_calibration_error,
        fit_fusion,
        oof_probabilities,
        precision_recall_curve,
        reliability_table,
        sentence_folds,
    )
    from skillx.evaluation.metrics import r_precision_at_k
    from skillx.fusion import FusionParams

    scored = scored_sentences(args)
    gold = [set(g) for g in scored.gold]
    fitted = scored if args.fit_cache is None else ScoredSentences.load(args.fit_cache)
    if fitted.texts != scored.texts:
        raise SystemExit(f"--fit-cache {args.fit_cache} holds other sentences than --cache {args.cache}.")
    # the boost: RP@5 on all sentences, fitted where the calibrators are
    boost = fit_fusion(fitted.semantic, fitted.evidence, gold)
    params = FusionParams(literal_boost=boost.literal_boost, ambiguous_weight=boost.ambiguous_weight)

    def table(s: Any) -> Any:
        return candidate_table(
            s.semantic, s.evidence, gold, s.texts, params, skills=s.skill_features(), split=s.split
        )

    cands = table(scored)
    fit_cands = None if args.fit_cache is None else table(fitted)
    fold = sentence_folds(len(gold), args.folds, args.seed)
    splits = sorted(set(scored.split))
    results: dict[str, Any] = {
        "data": splits,
        "sentences": len(gold),
        "folds": args.folds,
        "literal_boost": params.literal_boost,
        "clause_margin": args.clause_margin,
        "fitted_on": None if args.fit_cache is None else str(args.fit_cache),
        "methods": {},
    }
    top = cands.rank < 5
    for method in ("platt", "calibrator"):
        probs, thresholds = oof_probabilities(cands, fold, method=method, fit_on=fit_cands)
        rows = {}
        for name in [*splits, "all"]:
            sents = np.arange(len(gold)) if name == "all" else np.flatnonzero(np.array(scored.split) == name)
            m = decision_metrics(probs, cands, thresholds, sentences=sents)
            in_split = top & np.isin(cands.sentence, sents)
            m["ece"] = expected_calibration_error(probs[in_split], cands.label[in_split])
            # RP@5 of the order the probabilities give (ties broken by the fused ranking)
            rps = []
            for s in sents:
                if not gold[s]:
                    continue
                r = np.flatnonzero(cands.sentence == s)
                order = sorted(r, key=lambda i: (-probs[i], cands.rank[i]))
                rps.append(r_precision_at_k([int(cands.position[i]) for i in order][:5], gold[s], 5))
            m["rp@5"] = float(np.mean(rps)) if rps else 0.0
            m["threshold_mean"] = float(np.mean(thresholds[np.isin(cands.sentence, sents)]))
            rows[name] = {key: round(float(v), 4) for key, v in m.items()}
        results["methods"][method] = {
            "splits": rows,
            "reliability": reliability_table(probs[top], cands.label[top]),
        }
        if method == "calibrator":
            results["curve"] = precision_recall_curve(probs, cands)
            results["oof_best_f1"] = best_f1_threshold(probs, cands)
    return results


def print_tables(results: dict[str, Any]) -> None:
    """The human-readable report."""
    print(
        f"{results['sentences']} validation sentences ({', '.join(results['data'])}); "
        f"{results['folds']}-fold CV by sentence; literal boost {results['literal_boost']}; "
        f"clause margin {results['clause_margin']}"
    )
    if results["fitted_on"]:
        print(f"boost, calibrators and thresholds fitted on {results['fitted_on']}")
    header = (
        f"{'calibration':<12} {'split':<36} {'P':>6} {'R':>6} {'F1':>6} {'ECE':>6} {'RP@5':>6} {'thr':>6}"
    )
    print(header)
    print("-" * len(header))
    for method, block in results["methods"].items():
        for split, m in block["splits"].items():
            print(
                f"{method:<12} {split:<36} {m['precision']:>6.3f} {m['recall']:>6.3f} {m['f1']:>6.3f} "
                f"{m['ece']:>6.3f} {m['rp@5']:>6.3f} {m['threshold_mean']:>6.3f}"
            )
    for method, block in results["methods"].items():
        print(f"\nreliability ({method}, out-of-fold, top-5 candidates)")
        print(f"{'bin':<9} {'n':>5} {'mean p':>7} {'observed':>9}")
        for r in block["reliability"]:
            print(f"{r['bin']:<9} {r['n']:>5} {r['mean_probability']:>7.3f} {r['accuracy']:>9.3f}")
    print("\nprecision/recall curve (calibrator, out-of-fold)")
    print(f"{'min_score':>9} {'precision':>9} {'recall':>7}")
    for t, p, r in results["curve"][::3]:
        print(f"{t:>9.2f} {p:>9.3f} {r:>7.3f}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line's options."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, nargs="+", default=DEFAULT_DATA, help="Validation CSVs.")
    parser.add_argument("--model", default=None, help="Model directory (default: as skillx.load).")
    parser.add_argument("--esco", type=Path, default=DEFAULT_ESCO, help="ESCO files.")
    parser.add_argument("--cache", type=Path, default=None, help="Folder caching the scored sentences.")
    parser.add_argument(
        "--clause-margin", type=float, default=None, help="Score with clause scoring at this margin."
    )
    parser.add_argument(
        "--fit-cache", type=Path, default=None, help="Fit on these cached sentences, measure on --cache's."
    )
    parser.add_argument("--folds", type=int, default=5, help="Cross-validation folds (by sentence).")
    parser.add_argument("--seed", type=int, default=0, help="Seed of the fold assignment.")
    parser.add_argument("--json", type=Path, default=None, help="Also write the results as JSON here.")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    results = run(args)
    print_tables(results)
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""RP@K / MRR / MAP of skill rankers on benchmark files of the ESCO skill-extraction benchmark.

Examples:
    python benchmarks/rp_at_k.py                       # base MiniLM, preferred labels, both validation splits
    python benchmarks/rp_at_k.py --skill-text preferred --skill-text preferred+alt --tfidf
    python benchmarks/rp_at_k.py --data path/to/tech_test_annotations.csv --model runs/model --json out.json

Any CSV in the benchmark format (columns sentence,span,sub_span,label or sentence,label) works.
The protocol (group by sentence, gold = labels that are ESCO v1.1.0 preferred labels, rank all
skills) is `skillx.evaluation`'s.

Adding a ranker: write a function ``factory(args, taxonomy) -> list[(row_name, ranker)]``
(a ranker is anything with ``rank(sentences, *, k)``) and add it to `RANKER_FACTORIES` with
the command-line flag that enables it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from _common import DEFAULT_DATA, SHARED

DEFAULT_ESCO = SHARED / "esco"
KS = (1, 5, 10)

RankerRows = list[tuple[str, Any]]
RankerFactory = Callable[[argparse.Namespace, Any], RankerRows]


# -- rankers ----------------------------------------------------------------------------------
def semantic_rankers(args: argparse.Namespace, taxonomy: Any) -> RankerRows:
    """One `SemanticRanker` per --skill-text mode, sharing one encoder."""
    from skillx.contextual import resolve_scoring
    from skillx.encoder import load_encoder, model_fingerprint
    from skillx.index import SkillIndex
    from skillx.model_dir import INDEX_SUBDIR, is_skillx_model_dir, read_model_meta
    from skillx.ranker import SemanticRanker

    model = None if args.model in (None, "default") else args.model
    encoder = load_encoder(model, num_threads=args.threads)
    fingerprint = model_fingerprint(encoder)
    meta = read_model_meta(model) if model is not None and is_skillx_model_dir(model) else None
    modes = args.skill_text or [(meta.skill_text if meta is not None else None) or "preferred"]
    contextual = resolve_scoring(args.scoring, meta.contextual if meta is not None else None)
    rows: RankerRows = []
    for mode in modes:
        index = None
        if model is not None and is_skillx_model_dir(model):
            try:
                index = SkillIndex.load(
                    Path(model) / INDEX_SUBDIR,
                    taxonomy=taxonomy,
                    encoder_fingerprint=fingerprint,
                    skill_text=mode,
                    aggregation=args.aggregation,
                )
            except Exception:
                index = None
        if index is None:
            index = SkillIndex.load_or_build(
                None,
                taxonomy,
                encoder,
                skill_text=mode,
                aggregation=args.aggregation,
                batch_size=args.batch_size,
                model_fingerprint=fingerprint,
            )
        suffix = f" ({args.aggregation})" if index.n_texts != index.n_skills else ""
        clauses = "" if args.clause_margin is None else f" +clauses {args.clause_margin}"
        scoring = "" if contextual is None else f" +contextual {contextual.tau}/{contextual.pooled_weight}"
        ranker = SemanticRanker(
            encoder, index, taxonomy, clause_margin=args.clause_margin, contextual=contextual
        )
        rows.append((f"semantic {mode}{suffix}{clauses}{scoring}", ranker))
    return rows


class TfidfRanker:
    """Reference baseline: word TF-IDF over preferred labels, cosine similarity."""

    def __init__(self, taxonomy: Any) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.uris = taxonomy.uris
        self.vectorizer = TfidfVectorizer()
        self.matrix = self.vectorizer.fit_transform([s.preferred_label for s in taxonomy])

    def rank(self, sentences: Sequence[str], *, k: int) -> list[list[str]]:
        from skillx.index import top_k_rows

        scores = (self.vectorizer.transform(list(sentences)) @ self.matrix.T).toarray()
        indices, _ = top_k_rows(scores.astype("float32"), k)
        return [[self.uris[j] for j in row] for row in indices.tolist()]


def tfidf_rankers(args: argparse.Namespace, taxonomy: Any) -> RankerRows:
    return [("tfidf preferred", TfidfRanker(taxonomy))]


def _fusion_parts(args: argparse.Namespace, taxonomy: Any) -> tuple[Any, Any]:
    """(SemanticRanker, LiteralMatcher) for the literal-only / fusion rows."""
    from skillx.matching import LiteralMatcher
    from skillx.ranker import SemanticRanker

    model = None if args.model in (None, "default") else args.model
    ranker = SemanticRanker.from_pretrained(
        model,
        taxonomy=taxonomy,
        skill_text=(args.skill_text or [None])[0],
        aggregation=args.aggregation,
        num_threads=args.threads,
        batch_size=args.batch_size,
        clause_margin=args.clause_margin,
        scoring=args.scoring,
    )
    return ranker, LiteralMatcher(taxonomy)


def literal_rankers(args: argparse.Namespace, taxonomy: Any) -> RankerRows:
    """--literal-only: the LiteralMatcher's hits only (unambiguous first), nothing else ranked."""
    from skillx.extractor import SkillExtractor
    from skillx.matching import LiteralMatcher

    extractor = SkillExtractor(taxonomy, matcher=LiteralMatcher(taxonomy))
    return [("literal only", extractor)]


def _model_fusion(model: str | None) -> Any:
    """The fusion fitted into a skillx model directory (`skillx train --benchmark`), else the bundled one."""
    from skillx.fusion import default_fusion
    from skillx.model_dir import is_skillx_model_dir, read_model_meta

    if model not in (None, "default") and is_skillx_model_dir(model):
        meta = read_model_meta(model)
        return (meta.fusion if meta is not None else None) or default_fusion()
    return default_fusion()


def fusion_rankers(args: argparse.Namespace, taxonomy: Any) -> RankerRows:
    """--fusion: literal hits fused with the semantic ranking (skillx.fusion).

    With --fit-fusion OUT.json the boost and calibration are first fitted on --data (use the
    validation splits only) and written to OUT.json; otherwise --fusion-params, the fusion
    fitted into the --model directory, or the bundled parameters are used (in that order).
    """
    from skillx.calibration import fit_extractor_fusion
    from skillx.extractor import SkillExtractor
    from skillx.fusion import FusionParams

    ranker, matcher = _fusion_parts(args, taxonomy)
    params = FusionParams.load(args.fusion_params) if args.fusion_params else _model_fusion(args.model)
    extractor = SkillExtractor(taxonomy, ranker=ranker, matcher=matcher, fusion=params)
    rows: RankerRows = []
    if args.fit_fusion:
        fitted = fit_extractor_fusion(extractor, args.data, model=str(args.model))
        fitted.save(args.fit_fusion)
        print(f"fitted fusion parameters written to {args.fit_fusion}: {fitted.to_dict()}", file=sys.stderr)
        rows.append(
            ("fusion (fitted)", SkillExtractor(taxonomy, ranker=ranker, matcher=matcher, fusion=fitted))
        )
        if args.fusion_grid:
            for boost in (0.0, 0.1, 0.2, 0.3, 0.5):
                p = replace(fitted, literal_boost=boost)
                rows.append(
                    (
                        f"fusion boost={boost}",
                        SkillExtractor(taxonomy, ranker=ranker, matcher=matcher, fusion=p),
                    )
                )
    else:
        rows.append((f"fusion boost={params.literal_boost}", extractor))
    return rows


# Flag (attribute of args) -> factory. The semantic ranker runs unless --no-semantic.
# HOOK: the literal matcher ranker goes here, e.g.
#   "literal_only": literal_rankers,   # --literal-only: LiteralMatcher hits only
#   "fusion": fusion_rankers,          # --fusion: literal hits fused with the semantic ranking
# (add the argparse flags in `parse_args`, marked HOOK there too).
RANKER_FACTORIES: dict[str, RankerFactory] = {
    "semantic": semantic_rankers,
    "tfidf": tfidf_rankers,
    "literal_only": literal_rankers,
    "fusion": fusion_rankers,
}


# -- driver -------------------------------------------------------------------------------------
def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    from skillx.ranker import RECOMMENDED_CLAUSE_MARGIN

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data",
        action="append",
        type=Path,
        help="Benchmark CSV (repeatable). Default: both validation splits in ../shared/benchmark.",
    )
    parser.add_argument(
        "--esco", type=Path, default=DEFAULT_ESCO, help="ESCO CSV zip or folder (default ../shared/esco)."
    )
    parser.add_argument(
        "--esco-version", default="1.1.0", help="ESCO version of the gold labels (default 1.1.0)."
    )
    parser.add_argument(
        "--model",
        default="default",
        help="'default' (bundled all-MiniLM-L6-v2), a sentence-transformers or a skillx model dir.",
    )
    parser.add_argument(
        "--skill-text",
        action="append",
        help="Skill-text mode (repeatable): preferred, preferred+alt, label+description.",
    )
    parser.add_argument(
        "--aggregation",
        default="max",
        choices=("max", "mean"),
        help="Aggregation over several texts of a skill.",
    )
    parser.add_argument("--tfidf", action="store_true", help="Also run the word TF-IDF baseline.")
    parser.add_argument(
        "--no-semantic",
        dest="semantic",
        action="store_false",
        help="Skip the semantic ranker (e.g. only --tfidf).",
    )
    # HOOK: parser.add_argument("--literal-only", action="store_true", help=...)
    # HOOK: parser.add_argument("--fusion", action="store_true", help=...)
    parser.add_argument("--literal-only", action="store_true", help="Also run the literal matcher alone.")
    parser.add_argument("--fusion", action="store_true", help="Also run literal + semantic fusion.")
    parser.add_argument(
        "--fusion-params",
        type=Path,
        default=None,
        help="Fusion parameters JSON for --fusion (default: the --model directory's fitted fusion, "
        "else skillx/data/fusion_default.json).",
    )
    parser.add_argument(
        "--fit-fusion",
        type=Path,
        default=None,
        help="With --fusion: fit boost + calibration on --data (VALIDATION ONLY), write JSON here.",
    )
    parser.add_argument(
        "--fusion-grid",
        action="store_true",
        help="With --fit-fusion: also report fixed boosts 0..0.5 beside the fitted one.",
    )
    parser.add_argument(
        "--clause-margin",
        type=lambda v: None if v.lower() == "none" else float(v),
        default=None,
        help="Turn on clause scoring of the semantic ranker with this margin (recommended: "
        f"{RECOMMENDED_CLAUSE_MARGIN}); default 'none': whole sentences only.",
    )
    parser.add_argument(
        "--scoring",
        choices=("auto", "pooled", "contextual"),
        default="auto",
        help="Semantic scoring: auto (as the model was trained), pooled, or contextual "
        "(token-level attention mixed with the pooled cosine; skillx.contextual).",
    )
    parser.add_argument("--batch-size", type=int, default=64, help="Encoder batch size.")
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's).")
    parser.add_argument("--json", type=Path, default=None, help="Write results and versions as JSON here.")
    args = parser.parse_args(argv)
    args.data = args.data or DEFAULT_DATA
    return args


def versions() -> dict[str, str]:
    import numpy
    import sentence_transformers
    import sklearn
    import torch

    import skillx

    return {
        "python": platform.python_version(),
        "skillx": skillx.__version__,
        "torch": torch.__version__,
        "sentence_transformers": sentence_transformers.__version__,
        "numpy": numpy.__version__,
        "scikit_learn": sklearn.__version__,
    }


def main(argv: Sequence[str] | None = None) -> int:
    from skillx.errors import SkillxError
    from skillx.evaluation import evaluate, load_benchmark
    from skillx.taxonomy import read_esco_csv

    args = parse_args(argv)
    try:
        taxonomy = read_esco_csv(args.esco, esco_version=args.esco_version)
        benchmarks = [load_benchmark(path, taxonomy) for path in args.data]
        rankers: RankerRows = []
        for flag, factory in RANKER_FACTORIES.items():
            if getattr(args, flag, False):
                rankers.extend(factory(args, taxonomy))
        if not rankers:
            print("No ranker selected.", file=sys.stderr)
            return 2
        results = []
        for name, ranker in rankers:
            for bench in benchmarks:
                start = time.perf_counter()
                metrics = evaluate(ranker, bench, ks=KS)
                results.append(
                    {
                        "ranker": name,
                        "dataset": bench.name,
                        "n": len(bench),
                        "seconds": round(time.perf_counter() - start, 2),
                        **metrics,
                    }
                )
    except SkillxError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    header = (
        f"{'ranker':<34} {'dataset':<18} {'n':>4} {'RP@1':>6} {'RP@5':>6} {'RP@10':>6} {'MRR':>6} {'MAP':>6}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r['ranker']:<34} {r['dataset']:<18} {r['n']:>4} {r['rp@1']:>6.3f} {r['rp@5']:>6.3f} "
            f"{r['rp@10']:>6.3f} {r['mrr']:>6.3f} {r['map']:>6.3f}"
        )
    if args.json:
        payload = {
            "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "command": " ".join([Path(sys.argv[0]).name, *(argv if argv is not None else sys.argv[1:])]),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
            "versions": versions(),
            "model": args.model,
            "taxonomy": {
                "name": taxonomy.name,
                "version": taxonomy.version,
                "fingerprint": taxonomy.fingerprint,
                "n_skills": len(taxonomy),
            },
            "datasets": {
                b.name: {"n": len(b), "n_multi": b.n_multi, "n_dropped": b.n_dropped} for b in benchmarks
            },
            "results": results,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

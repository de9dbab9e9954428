"""Run named training configurations and tabulate their validation RP@5 / MRR (TECH, HOUSE).

Each configuration is a set of `TrainingConfig` overrides on top of ``--base-config`` (or the
defaults); ``zero-shot`` evaluates the base encoder without training. Models are written under
``--out`` (outside the repository), results as JSON and as a markdown table.

For a fair comparison give every row the same data budget with ``--max-steps`` (same steps of
``batch_size`` rows, same seed); ``--time-budget`` then only caps a row that runs too long.
With ``--eval-steps 0`` each row is scored once, on its final weights, by the driver (no
step-0 pass, no checkpoint selection), which saves one full skill re-encoding per row.

Example (one row, 15 minutes of training)::

    nice -n 5 .venv/bin/python benchmarks/ablation.py --pairs /work/runs/pairs_full.parquet \\
        --configs taxonomy --time-budget 900 --out /work/runs/ablation --json /work/runs/ablation.json

Example (fixed data budget, final weights only, no model directories written)::

    nice -n 5 .venv/bin/python benchmarks/ablation.py --configs zero-shot random taxonomy \\
        --max-steps 60 --eval-steps 0 --time-budget 1200 --no-save --json /work/runs/ablation.json
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

CONFIGS: dict[str, dict | None] = {
    "zero-shot": None,
    "random": {"negatives": {"random": 1}},
    "taxonomy": {"negatives": {"taxonomy": 1}},
    "similar": {"negatives": {"similar": 1}},
    "taxonomy+similar+random": {"negatives": {"taxonomy": 1, "similar": 1, "random": 1}},
    "taxonomy+similar": {"negatives": {"taxonomy": 1, "similar": 1}},
    "taxonomy+similar, no masking": {"negatives": {"taxonomy": 1, "similar": 1}, "mask_mentions": 0.0},
    "taxonomy+similar, mask 0.3": {"negatives": {"taxonomy": 1, "similar": 1}, "mask_mentions": 0.3},
    "taxonomy+similar, no descriptions": {
        "negatives": {"taxonomy": 1, "similar": 1},
        "description_anchors": False,
    },
    "taxonomy+similar+random, mask 0.3": {
        "negatives": {"taxonomy": 1, "similar": 1, "random": 1},
        "mask_mentions": 0.3,
    },
    "taxonomy+similar+random, no descriptions": {
        "negatives": {"taxonomy": 1, "similar": 1, "random": 1},
        "description_anchors": False,
    },
    "frozen skill tower": {"frozen_skill_tower": True},
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pairs", default="/work/runs/pairs_full.parquet", help="Pairs file.")
    parser.add_argument("--esco", default="../shared/esco", help="ESCO folder (SKILLX_ESCO).")
    parser.add_argument(
        "--benchmarks",
        nargs="+",
        default=[
            "../shared/benchmark/tech_validation_annotations.csv",
            "../shared/benchmark/house_validation_annotations.csv",
        ],
        help="Validation CSVs.",
    )
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS), help=f"Any of: {', '.join(CONFIGS)}.")
    parser.add_argument("--base-config", help="TrainingConfig JSON the rows start from.")
    parser.add_argument("--base-model", help="Base encoder directory (default: bundled all-MiniLM-L6-v2).")
    parser.add_argument("--time-budget", type=float, default=900.0, help="Training seconds per config.")
    parser.add_argument(
        "--max-steps",
        type=int,
        default=0,
        help="Training steps per config (same data budget for every row; 0: epochs/time budget).",
    )
    parser.add_argument(
        "--eval-steps",
        type=int,
        default=200,
        help="Validate every N steps and keep the best; 0: score only the final weights.",
    )
    parser.add_argument("--no-save", action="store_true", help="Do not write the trained models.")
    parser.add_argument("--out", default="/work/runs/ablation", help="Folder for the trained models.")
    parser.add_argument("--json", dest="json_out", help="Write results as JSON here.")
    args = parser.parse_args()

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from skillx.encoder import load_encoder
    from skillx.evaluation import load_benchmark
    from skillx.taxonomy.locate import load_taxonomy
    from skillx.training import SkillEncoderTrainer, TrainingConfig
    from skillx.training.evaluator import BenchmarkEvaluator

    unknown = [c for c in args.configs if c not in CONFIGS]
    if unknown:
        parser.error(f"unknown config(s) {unknown}; choose from {list(CONFIGS)}")
    taxonomy = load_taxonomy(args.esco, esco_version="1.1.0")
    benchmarks = [load_benchmark(p, taxonomy) for p in args.benchmarks]
    base = TrainingConfig.from_json(args.base_config) if args.base_config else TrainingConfig()
    if args.base_model:
        base.base_model = args.base_model
    results = []
    for name in args.configs:
        t0 = time.time()
        overrides = CONFIGS[name]
        if overrides is None:
            evaluator = BenchmarkEvaluator(benchmarks, taxonomy, skill_text=base.skill_text)
            encoder = load_encoder(base.base_model)
            encoder.max_seq_length = base.max_seq_length  # as in the trained rows
            metrics = evaluator(encoder)
            row = {"config": name, **metrics, "steps": 0, "rows_used": 0}
        else:
            cfg = TrainingConfig.from_dict(
                {
                    **base.to_dict(),
                    **overrides,
                    "time_budget_s": args.time_budget,
                    "eval_steps": args.eval_steps,
                    **({"max_steps": args.max_steps} if args.max_steps > 0 else {}),
                }
            )
            select_best = args.eval_steps > 0
            trainer = SkillEncoderTrainer(cfg).fit(
                args.pairs, taxonomy, validation=benchmarks if select_best else None
            )
            if select_best:
                metrics = trainer.best_metrics_ or {}
            else:
                evaluator = BenchmarkEvaluator(
                    benchmarks,
                    taxonomy,
                    skill_text=cfg.skill_text,
                    skill_embeddings=trainer.base_skill_embeddings_,
                )
                metrics = evaluator(trainer.model_, steps=trainer.steps_)
            if not args.no_save:
                slug = "".join(c if c.isalnum() else "-" for c in name)
                trainer.save(Path(args.out) / slug)
            row = {
                "config": name,
                **metrics,
                "steps": trainer.steps_,
                "rows_used": trainer.steps_ * cfg.batch_size,
                "rows_available": trainer.stats_.rows,
                "train_minutes": round(trainer.train_seconds_ / 60, 1),
                "stopped_by_time_budget": trainer.stopped_by_time_budget_,
                "pairs_per_s": trainer.pairs_per_second_,
            }
        row["minutes"] = round((time.time() - t0) / 60, 1)
        row["load_avg_1m"] = round(os.getloadavg()[0], 2)
        results.append(row)
        print(json.dumps(row), flush=True)
        if args.json_out:  # after every row, so a run stopped part-way keeps its finished rows
            Path(args.json_out).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    keys = [f"{b.name.lower()}_{m}" for b in benchmarks for m in ("rp@5", "rp@10", "mrr")]
    print("| config | " + " | ".join(keys) + " | steps | rows used | train min | total min |")
    print("|---|" + "---|" * (len(keys) + 4))
    for row in results:
        cells = " | ".join(f"{100 * row[k]:.1f}" if k in row else "" for k in keys)
        extra = f"{row['steps']} | {row['rows_used']} | {row.get('train_minutes', '')} | {row['minutes']}"
        print(f"| {row['config']} | {cells} | {extra} |")


if __name__ == "__main__":
    main()

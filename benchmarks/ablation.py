"""Run named training configurations and tabulate their validation RP@5 / MRR (TECH, HOUSE).

Each configuration is a set of `TrainingConfig` overrides on top of ``--base-config`` (or the
defaults); ``zero-shot`` evaluates the base encoder without training. Models are written under
``--out`` (outside the repository), results as JSON and as a markdown table.

Example (one row, 15 minutes of training)::

    nice -n 5 .venv/bin/python benchmarks/ablation.py --pairs /work/runs/pairs_full.parquet \\
        --configs taxonomy --time-budget 900 --out /work/runs/ablation --json /work/runs/ablation.json
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
    parser.add_argument("--eval-steps", type=int, default=200, help="Validate every N steps.")
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
    taxonomy = load_taxonomy(args.esco, version="1.1.0")
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
            metrics = evaluator(load_encoder(base.base_model))
            row = {"config": name, **metrics}
        else:
            cfg = TrainingConfig.from_dict(
                {
                    **base.to_dict(),
                    **overrides,
                    "time_budget_s": args.time_budget,
                    "eval_steps": args.eval_steps,
                }
            )
            trainer = SkillEncoderTrainer(cfg).fit(args.pairs, taxonomy, validation=benchmarks)
            slug = "".join(c if c.isalnum() else "-" for c in name)
            trainer.save(Path(args.out) / slug)
            row = {"config": name, **(trainer.best_metrics_ or {}), "pairs_per_s": trainer.pairs_per_second_}
        row["minutes"] = round((time.time() - t0) / 60, 1)
        results.append(row)
        print(json.dumps(row), flush=True)
    keys = [f"{b.name.lower()}_{m}" for b in benchmarks for m in ("rp@5", "mrr")]
    print("| config | " + " | ".join(keys) + " | minutes |")
    print("|---|" + "---|" * (len(keys) + 1))
    for row in results:
        cells = " | ".join(f"{100 * row[k]:.1f}" if k in row else "" for k in keys)
        print(f"| {row['config']} | {cells} | {row['minutes']} |")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

"""Where does bi-encoder training time go, and how many pairs/s does each speed option give?

Three parts, each short (nice'd, 2 threads):

1. token lengths of the anchors (word pieces of the base tokenizer) -> which max_seq_length;
2. a profile of one forward+backward pass per column (anchors, positives, one negative column);
3. pairs/s of short training runs (``--steps`` optimisation steps each) for named options.

Example::

    nice -n 5 .venv/bin/python benchmarks/training_speed.py \\
        --pairs /work/runs/pairs_full.parquet --esco ../shared/esco --json /work/runs/speed.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np

# name -> TrainingConfig overrides (on top of COMMON)
OPTIONS: dict[str, dict] = {
    "baseline: len64, 3 neg, no_duplicates": {
        "max_seq_length": 64,
        "negatives": {"taxonomy": 2, "random": 1},
    },
    "len32, 3 neg": {"max_seq_length": 32, "negatives": {"taxonomy": 2, "random": 1}},
    "len32, 3 neg, length_grouped": {
        "max_seq_length": 32,
        "negatives": {"taxonomy": 2, "random": 1},
        "batch_sampler": "length_grouped",
    },
    "len32, 1 neg, length_grouped": {
        "max_seq_length": 32,
        "negatives": {"taxonomy": 1},
        "batch_sampler": "length_grouped",
    },
    "len32, in-batch only, length_grouped": {
        "max_seq_length": 32,
        "negatives": {},
        "batch_sampler": "length_grouped",
    },
    "len48, 2 neg columns, length_grouped (default shape)": {
        "max_seq_length": 48,
        "negatives": {"taxonomy": 1, "random": 1},
        "batch_sampler": "length_grouped",
    },
}
COMMON = {"batch_size": 64, "description_anchors": False, "warmup_ratio": 0.0, "logging_steps": 1}


def flat_config(**options):
    """A `TrainingConfig` from flat options, each sent to the part (rows / optim) it belongs to."""
    from dataclasses import fields

    from skillx.training import OptimConfig, RowConfig, TrainingConfig

    def part(cls):
        return cls(**{k: v for k, v in options.items() if k in {f.name for f in fields(cls)}})

    top = {k: v for k, v in options.items() if k in {f.name for f in fields(TrainingConfig)}}
    return TrainingConfig(**top, rows=part(RowConfig), optim=part(OptimConfig))


def token_lengths(tokenizer, sentences: list[str]) -> dict[str, float]:
    lengths = np.array([len(ids) for ids in tokenizer(sentences, add_special_tokens=True)["input_ids"]])
    out = {f"p{q}": float(np.percentile(lengths, q)) for q in (50, 90, 95, 99)}
    out["max"] = float(lengths.max())
    for cut in (32, 48, 64):
        out[f"truncated_at_{cut}"] = float((lengths > cut).mean())
    return out


def profile_columns(model, rows, batch_size: int, max_len: int, reps: int = 3) -> dict[str, float]:
    """Seconds of one forward+backward over a batch of each column, at `max_len`."""
    model.max_seq_length = max_len
    model.train()
    out = {}
    for column in ("anchor", "positive", "negative_1"):
        texts = rows[column].tolist()[:batch_size]
        features = model.tokenize(texts)
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            emb = model(dict(features))["sentence_embedding"]
            emb.sum().backward()
            times.append(time.perf_counter() - t0)
            model.zero_grad()
        out[column] = float(np.median(times))
        out[f"{column}_tokens"] = int(features["input_ids"].shape[1])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pairs", default="/work/runs/pairs_full.parquet", help="Pairs file.")
    parser.add_argument("--esco", default="../shared/esco", help="ESCO folder/zip (SKILLX_ESCO).")
    parser.add_argument("--steps", type=int, default=6, help="Optimisation steps per option.")
    parser.add_argument("--threads", type=int, default=2, help="torch threads.")
    parser.add_argument("--only", nargs="*", help="Run only options whose name contains one of these.")
    parser.add_argument("--json", dest="json_out", help="Write the results as JSON here.")
    args = parser.parse_args()

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import pandas as pd
    import sentence_transformers
    import torch

    from skillx.encoder import load_encoder
    from skillx.taxonomy.locate import load_taxonomy
    from skillx.training import SkillEncoderTrainer, build_rows

    torch.set_num_threads(args.threads)
    taxonomy = load_taxonomy(args.esco, version="1.1.0")
    pairs = pd.read_parquet(args.pairs)
    results: dict = {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPU cores, "
        f"{args.threads} torch threads",
        "load_average_at_start": os.getloadavg()[0],
        "versions": {"torch": torch.__version__, "sentence_transformers": sentence_transformers.__version__},
        "pairs": len(pairs),
        "date": time.strftime("%Y-%m-%d"),
    }
    encoder = load_encoder(None)
    sample = (
        pairs["sentence"].drop_duplicates().sample(n=min(5000, pairs["sentence"].nunique()), random_state=0)
    )
    results["anchor_tokens"] = token_lengths(encoder.tokenizer, sample.tolist())
    print("anchor word pieces:", results["anchor_tokens"])

    n_rows = 64 * (args.steps + 2)
    cfg = flat_config(**COMMON, negatives={"taxonomy": 2, "random": 1}, max_rows=n_rows)
    rows, _ = build_rows(pairs, taxonomy, cfg)
    results["profile_len64"] = profile_columns(encoder, rows, 64, 64)
    results["profile_len32"] = profile_columns(encoder, rows, 64, 32)
    for key in ("profile_len64", "profile_len32"):
        print(key, {k: round(v, 3) for k, v in results[key].items()})

    runs = []
    for name, overrides in OPTIONS.items():
        if args.only and not any(o in name for o in args.only):
            continue
        cfg = flat_config(
            **{
                **COMMON,
                **overrides,
                "max_steps": args.steps,
                "max_rows": n_rows,
                "num_threads": args.threads,
            }
        )
        trainer = SkillEncoderTrainer(cfg).fit(pairs, taxonomy)
        losses = [h["loss"] for h in trainer.history_]
        runs.append(
            {
                "option": name,
                "pairs_per_s": round(trainer.pairs_per_second_, 1),
                "s_per_step": round(trainer.train_seconds_ / max(trainer.steps_, 1), 2),
                "first_loss": round(losses[0], 3) if losses else None,
                "last_loss": round(losses[-1], 3) if losses else None,
                "load_average": round(os.getloadavg()[0], 1),
            }
        )
        print(runs[-1], flush=True)
    results["runs"] = runs
    print()
    print(f"| option | pairs/s | s/step | load avg |  (batch 64, {args.steps} steps, {args.threads} threads)")
    print("|---|---|---|---|")
    for r in runs:
        print(f"| {r['option']} | {r['pairs_per_s']} | {r['s_per_step']} | {r['load_average']} |")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

"""Weight averaging of fine-tuned models ("model soup", WiSE-FT): semantic RP@K on validation.

Averaging the weights of several fine-tuned encoders (or of a fine-tuned one and the base
encoder) costs nothing at inference, unlike an ensemble. A skillx model embeds sentences and
skills with the same encoder, so the skill index is re-encoded with the averaged weights
(about a minute for ESCO).

Examples:
    python research/weight_averaging.py ~/.cache/skillx/models/default=1
    python research/weight_averaging.py MODEL_A=0.5 MODEL_B=0.5
    python research/weight_averaging.py base=0.2 ~/.cache/skillx/models/default=0.8

Each argument is ``MODEL=WEIGHT`` (a skillx model directory, or ``base`` for the bundled
all-MiniLM-L6-v2); the weights must sum to 1. The skill index of the first skillx model is used.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from _common import DEFAULT_DATA, SHARED


def parse_spec(spec: str) -> tuple[str, float]:
    """``"path=0.5"`` -> ``("path", 0.5)``."""
    path, sep, weight = spec.rpartition("=")
    if not sep or not path:
        raise SystemExit(f"Bad argument {spec!r}: write MODEL=WEIGHT, e.g. base=0.2.")
    try:
        return path, float(weight)
    except ValueError:
        raise SystemExit(f"Bad weight in {spec!r}: {weight!r} is not a number.") from None


def average_states(states: list[tuple[dict[str, Any], float]]) -> dict[str, Any]:
    """Weighted sum of state dicts; non-float tensors (e.g. position ids) are taken from the first."""
    average: dict[str, Any] = {}
    for state, weight in states:
        for name, tensor in state.items():
            if not tensor.is_floating_point():
                average.setdefault(name, tensor.clone())
            else:
                average[name] = average.get(name, 0) + weight * tensor.float()
    return average


def averaged_state(specs: list[tuple[str, float]]) -> tuple[dict[str, Any], Path]:
    """Weighted average of the sentence towers' weights, and the first skillx model directory."""
    from skillx.encoder import load_encoder
    from skillx.model_dir import MODEL_SUBDIR, is_skillx_model_dir

    states: list[tuple[dict[str, Any], float]] = []
    first_model: Path | None = None
    for path, weight in specs:
        if path == "base":
            states.append((load_encoder(None).state_dict(), weight))
            continue
        directory = Path(path).expanduser()
        if not is_skillx_model_dir(directory):
            raise SystemExit(f"{directory} is not a skillx model directory (no skillx.json).")
        first_model = first_model or directory
        states.append((load_encoder(directory / MODEL_SUBDIR).state_dict(), weight))
    if first_model is None:
        raise SystemExit("Name at least one skillx model directory (its index gives the skill embeddings).")
    return average_states(states), first_model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("models", nargs="+", help="MODEL=WEIGHT, weights summing to 1.")
    parser.add_argument("--data", type=Path, action="append", help="Benchmark CSV (repeatable).")
    parser.add_argument("--esco", type=Path, default=SHARED / "esco", help="ESCO CSV folder.")
    parser.add_argument("--json", type=Path, default=None, help="Write the metrics as JSON here.")
    parser.add_argument(
        "--clause-margin",
        type=lambda v: None if v.lower() == "none" else float(v),
        default=None,
        help="Clause scoring margin of the ranker (recommended 0.15); default: whole sentences.",
    )
    args = parser.parse_args(argv)
    specs = [parse_spec(s) for s in args.models]
    if abs(sum(w for _, w in specs) - 1.0) > 1e-6:
        raise SystemExit(f"The weights sum to {sum(w for _, w in specs)}; they must sum to 1.")

    import skillx
    from skillx.encoder import load_encoder
    from skillx.evaluation import evaluate, load_benchmark
    from skillx.index import SkillIndex
    from skillx.model_dir import MODEL_SUBDIR
    from skillx.ranker import SemanticRanker

    state, first_model = averaged_state(specs)
    taxonomy = skillx.load_taxonomy(args.esco)
    encoder = load_encoder(first_model / MODEL_SUBDIR)
    encoder.load_state_dict(state)
    index = SkillIndex.build(taxonomy, encoder)  # sentences and skills share the averaged encoder
    ranker = SemanticRanker(encoder, index, taxonomy, clause_margin=args.clause_margin)
    results: dict[str, dict[str, float]] = {}
    for path in args.data or DEFAULT_DATA:
        benchmark = load_benchmark(path, taxonomy)
        results[benchmark.name] = evaluate(ranker, benchmark)
    label = " + ".join(f"{w:g} x {Path(p).name}" for p, w in specs)
    for name, metrics in results.items():
        print(
            f"{label:60s} {name:18s} RP@5 {metrics['rp@5']:.3f} RP@10 {metrics['rp@10']:.3f} "
            f"MRR {metrics['mrr']:.3f}"
        )
    if args.json:
        args.json.write_text(json.dumps({"models": specs, "results": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Is model B really better than model A on a benchmark split? Paired bootstrap of RP@K.

Each of A and B is either a skillx model (a model directory, or ``base``), which then ranks
every skill for every benchmark sentence (semantic ranker), or a per-sentence result file
that an earlier run wrote with ``--per-sentence-out``. The per-sentence RP@K differences
B - A, paired by split and sentence, are resampled with replacement (`--resamples`, fixed
`--seed`); the script prints the mean difference and its 95% percentile interval per split.
An interval that holds 0 means the splits cannot tell the two apart (research/results.md).

A per-sentence result file is JSON: ``{"k": 5, "source": ..., "splits": {split name:
{sentence: RP@K}}}``.

Examples:
    python research/paired_bootstrap.py ~/.cache/skillx/models/default OTHER_MODEL
    python research/paired_bootstrap.py base MODEL --per-sentence-out results/   # keep both files
    python research/paired_bootstrap.py results/base.json results/MODEL.json      # compare them later
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from _common import DEFAULT_DATA, SHARED


def bootstrap_interval(differences, *, resamples: int, seed: int) -> tuple[float, float, float]:
    """Mean of `differences` and the 2.5 / 97.5 percentiles of resampled means."""
    import numpy as np

    diffs = np.asarray(differences, dtype=np.float64)
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, diffs.size, size=(resamples, diffs.size))
    means = diffs[picks].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(diffs.mean()), float(low), float(high)


def read_per_sentence(path: Path, k: int) -> dict[str, dict[str, float]]:
    """Split name -> sentence -> RP@K from a file written by ``--per-sentence-out``."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("splits"), dict):
        raise SystemExit(f"'{path}' is not a per-sentence result file (no 'splits' object).")
    if data.get("k") != k:
        raise SystemExit(f"'{path}' holds RP@{data.get('k')}, not RP@{k}; pass --k {data.get('k')}.")
    return {name: {s: float(v) for s, v in rows.items()} for name, rows in data["splits"].items()}


PerSentence = dict[str, dict[str, float]]  # split name -> sentence -> RP@K


def paired(a: PerSentence, b: PerSentence) -> dict[str, list[tuple[float, float]]]:
    """(A, B) value pairs per split, matched by sentence; both sides must hold the same sentences."""
    out: dict[str, list[tuple[float, float]]] = {}
    for name in a:
        if name not in b:
            continue
        if set(a[name]) != set(b[name]):
            raise SystemExit(
                f"Split '{name}': A and B scored different sentences "
                f"({len(set(a[name]) ^ set(b[name]))} differ); compare results of the same benchmark file."
            )
        out[name] = [(a[name][s], b[name][s]) for s in sorted(a[name])]
    if not out:
        raise SystemExit(f"A and B share no split (A: {sorted(a)}, B: {sorted(b)}).")
    return out


def score_model(model: str, paths: list[Path], esco: Path, k: int) -> dict[str, dict[str, float]]:
    """Split name -> sentence -> RP@K of MODEL's semantic ranker."""
    import numpy as np

    import skillx
    from skillx.evaluation import load_benchmark
    from skillx.evaluation.metrics import r_precision_at_k
    from skillx.ranker import SemanticRanker

    taxonomy = skillx.load_taxonomy(esco)
    ranker = SemanticRanker.from_pretrained(None if model == "base" else model, taxonomy=taxonomy)
    uris = taxonomy.uris
    result: dict[str, dict[str, float]] = {}
    for path in paths:
        benchmark = load_benchmark(path, taxonomy)
        scores = ranker.score_matrix(list(benchmark.sentences))
        top = np.argsort(-scores, axis=1, kind="stable")[:, :k]
        result[benchmark.name] = {
            sentence: float(r_precision_at_k([uris[j] for j in row], gold, k))
            for sentence, row, gold in zip(benchmark.sentences, top, benchmark.gold, strict=True)
        }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("model_a", help="skillx model directory, 'base', or a per-sentence .json file.")
    parser.add_argument("model_b", help="skillx model directory, 'base', or a per-sentence .json file.")
    parser.add_argument("--data", type=Path, action="append", help="Benchmark CSV (repeatable).")
    parser.add_argument("--esco", type=Path, default=SHARED / "esco", help="ESCO CSV folder.")
    parser.add_argument("--k", type=int, default=5, help="RP@K cut-off.")
    parser.add_argument("--resamples", type=int, default=10_000, help="Bootstrap resamples.")
    parser.add_argument("--seed", type=int, default=0, help="Bootstrap seed.")
    parser.add_argument(
        "--per-sentence-out",
        type=Path,
        default=None,
        help="Folder to write each scored model's per-sentence results to (<model name>.json).",
    )
    args = parser.parse_args(argv)

    import numpy as np

    sides: list[dict[str, dict[str, float]]] = []
    for spec in (args.model_a, args.model_b):
        if spec.endswith(".json"):
            sides.append(read_per_sentence(Path(spec), args.k))
            continue
        per_sentence = score_model(spec, args.data or DEFAULT_DATA, args.esco, args.k)
        sides.append(per_sentence)
        if args.per_sentence_out is not None:
            args.per_sentence_out.mkdir(parents=True, exist_ok=True)
            payload: dict[str, Any] = {"k": args.k, "source": spec, "splits": per_sentence}
            target = args.per_sentence_out / f"{Path(spec).name}.json"
            target.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    for name, pairs in paired(*sides).items():
        a = np.array([p[0] for p in pairs])
        b = np.array([p[1] for p in pairs])
        diffs = b - a
        mean, low, high = bootstrap_interval(diffs, resamples=args.resamples, seed=args.seed)
        print(
            f"{name:<18} n {diffs.size:3d}  RP@{args.k} A {100 * a.mean():.1f}  "
            f"B {100 * b.mean():.1f}  B-A {100 * mean:+.1f} "
            f"(95% interval {100 * low:+.1f} .. {100 * high:+.1f}); sentences where they differ: "
            f"{int(np.count_nonzero(diffs))}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Per-sentence RP@K files, the input of `paired_bootstrap.py` and `seed_comparison.py`.

The scripts that rank through the product (`product_per_sentence.py`, `hubness_penalty.py`,
`description_view.py`) rank once at the deepest cut-off and write one file per ranking kind
(fused: the extractor; semantic: its ranker alone) and cut-off, in one format:
``{"k": K, "source": ..., "splits": {split: {sentence: RP@K}}, ...meta}``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any


def write_per_sentence(
    rankers: Mapping[str, Any],
    benches: Sequence[Any],
    ks: Sequence[int],
    out: Path,
    file_name: Callable[[str, int], str],
    meta: Mapping[str, Any],
    label: str = "",
) -> dict[tuple[str, int], dict[str, float]]:
    """Rank every benchmark with each ranker, write ``out / file_name(kind, k)`` per cut-off.

    Args:
        rankers: ``{kind: ranker}``, e.g. ``{"fused": extractor, "semantic": extractor.ranker}``.
        benches: `skillx.evaluation.Benchmark` splits.
        ks: RP@K cut-offs.
        out: Folder for the files (created).
        file_name: The file name of a (kind, k).
        meta: Extra keys of every file (``source``, the setting).
        label: Printed before each line of split means.

    Returns:
        ``{(kind, k): {split: mean RP@K}}``.
    """
    from skillx.evaluation.metrics import r_precision_at_k
    from skillx.evaluation.runner import rankings_of

    out.mkdir(parents=True, exist_ok=True)
    means: dict[tuple[str, int], dict[str, float]] = {}
    for kind, ranker in rankers.items():
        ranked = {bench.name: (bench, rankings_of(ranker, bench, depth=max(ks))) for bench in benches}
        for k in ks:
            splits = {
                name: {
                    sentence: float(r_precision_at_k(ranking, gold, k))
                    for sentence, ranking, gold in zip(bench.sentences, rankings, bench.gold, strict=True)
                }
                for name, (bench, rankings) in ranked.items()
            }
            name = file_name(kind, k)
            payload = {"k": k, **meta, "splits": splits}
            (out / name).write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
            means[(kind, k)] = {s: 100 * sum(v.values()) / len(v) for s, v in splits.items()}
            shown = "  ".join(f"{s} {m:.1f}" for s, m in means[(kind, k)].items())
            print(f"{label}{name.removesuffix('.json'):<40} RP@{k}: {shown}", flush=True)
    return means

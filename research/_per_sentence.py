"""Per-sentence RP@K files, the input of `paired_bootstrap.py` and `seed_comparison.py`.

The scripts that rank through the product (`product_per_sentence.py`, `hubness_penalty.py`,
`description_view.py`) rank once at the deepest cut-off and write one file per ranking kind
(fused: the extractor; semantic: its ranker alone) and cut-off, in one format:
``{"k": K, "source": ..., "splits": {split: {sentence: RP@K}}, ...meta}``.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from _common import SHARED


def add_per_sentence_args(parser: argparse.ArgumentParser) -> None:
    """``--out``, ``--data``, ``--esco`` and ``--k``: where the files go and what is ranked."""
    parser.add_argument("--out", type=Path, required=True, help="folder for the per-sentence files")
    parser.add_argument("--data", type=Path, action="append", help="benchmark CSV (repeatable)")
    parser.add_argument("--esco", type=Path, default=SHARED / "esco", help="ESCO CSV folder")
    parser.add_argument(
        "--k", type=int, nargs="+", default=[5], help="RP@K cut-offs; one file each (-rpK unless 5)"
    )


def file_namer(stem: str, tag: str = "", suffix: str = "") -> Callable[[str, int], str]:
    """``<stem><tag>-<kind><suffix>[-rpK].json``: the names `seed_comparison.py` pairs up."""
    return lambda kind, k: f"{stem}{tag}-{kind}{suffix}{'' if k == 5 else f'-rp{k}'}.json"


def write_per_sentence(
    rankers: Mapping[str, Any],
    benches: Sequence[Any],
    ks: Sequence[int],
    out: Path,
    file_name: Callable[[str, int], str],
    meta: Mapping[str, Any],
) -> dict[tuple[str, int], dict[str, float]]:
    """Rank every benchmark with each ranker, write ``out / file_name(kind, k)`` per cut-off.

    Args:
        rankers: ``{kind: ranker}``, e.g. ``{"fused": extractor, "semantic": extractor.ranker}``.
        benches: `skillx.evaluation.Benchmark` splits.
        ks: RP@K cut-offs.
        out: Folder for the files (created).
        file_name: The file name of a (kind, k).
        meta: Extra keys of every file (``source``, the setting).

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
            print(f"{name.removesuffix('.json'):<40} RP@{k}: {shown}", flush=True)
    return means


def write_settings(
    extractor: Any,
    settings: Sequence[tuple[str, Callable[..., Any] | None]],
    benches: Sequence[Any],
    ks: Sequence[int],
    out: Path,
    stem: str,
    meta: Mapping[str, Any],
) -> None:
    """Per-sentence files of `extractor` under each ``(tag, text_scores)`` setting.

    Each setting replaces the ranker's ``_text_scores`` (None keeps the model's own), so the
    fused ranking (boost, sense check) and the semantic ranking both see it, as users would;
    the model's own scoring is put back afterwards. Files are named ``file_namer(stem, tag)``.
    """
    ranker = extractor.ranker
    own = ranker._text_scores
    try:
        for tag, text_scores in settings:
            ranker._text_scores = own if text_scores is None else text_scores
            write_per_sentence(
                {"fused": extractor, "semantic": ranker},
                benches,
                ks,
                out,
                file_namer(stem, tag),
                {**meta, "setting": tag or "none"},
            )
    finally:
        ranker._text_scores = own

"""Do skill descriptions help the trained model rank? A second index view, mixed into the scores.

The default embeds each skill by its preferred label. A sentence that asks for a skill without
naming it ("keep guests safe at all times") may sit closer to the skill's ESCO description than
to its label, and training already taught the query tower descriptions (the description rows).
This script loads the model twice, with its own index and with an index of another skill-text
mode (`--view`, default ``label+description``: "label: description"), and ranks by

    score(x, s) = (1 - w) * own(x, s) + w * view(x, s)

inside the model's ranker (both contextual or both pooled, as the model scores), so the fused
ranking (the model's boost and sense check) and the semantic ranking alone both see it, as users
would. w = 1 is the view alone. The view's index is built once into the skillx index cache.

Writes per-sentence files as `product_per_sentence.py` does (``<model>-fused.json`` and
``<model>-view-<mode>-w<w>-fused.json``; ``-semantic``, ``-rpK`` for cut-offs other than 5) for
`paired_bootstrap.py`, and prints the split means.

Example:
    python research/description_view.py MODEL --out ps/ --w 0.2 --w 0.4 --w 1 --k 1 5 10
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np
from _common import DEFAULT_DATA
from _per_sentence import add_per_sentence_args, write_settings


def mixed(own: Any, view: Any, w: float) -> Any:
    """A ranker's `_text_scores` as ``(1 - w) * own + w * view`` (two score functions of one shape)."""

    def scores(texts: list[str], batch_size: int, show_progress: bool | None) -> np.ndarray:
        a = np.asarray(own(texts, batch_size, show_progress), dtype=np.float32)
        if w == 0:
            return a
        b = np.asarray(view(texts, batch_size, show_progress), dtype=np.float32)
        if a.shape != b.shape:
            raise ValueError(f"The two views score different skill sets: {a.shape} and {b.shape}.")
        return (1.0 - w) * a + w * b

    return scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("model", help="skillx model directory")
    parser.add_argument("--view", default="label+description", help="skill-text mode of the second index")
    parser.add_argument("--w", type=float, action="append", default=None, help="weights of the view")
    add_per_sentence_args(parser)
    args = parser.parse_args(argv)
    weights = args.w or [0.2, 0.4, 1.0]
    if any(not 0.0 <= w <= 1.0 for w in weights):
        parser.error("--w takes weights from 0 to 1.")

    import skillx
    from skillx.evaluation import load_benchmark

    taxonomy = skillx.load_taxonomy(args.esco)
    benches = [load_benchmark(path, taxonomy) for path in args.data or DEFAULT_DATA]
    extractor = skillx.load(args.model, taxonomy=taxonomy)
    second = skillx.load(args.model, taxonomy=taxonomy, skill_text=args.view)
    ranker, view_ranker = extractor.ranker, second.ranker
    if ranker is None or view_ranker is None:
        raise SystemExit("The model has no semantic ranker.")
    if list(ranker.index.uris) != list(view_ranker.index.uris):
        raise SystemExit("The two indexes list different skills; they must come from one taxonomy.")
    own, view = ranker._text_scores, view_ranker._text_scores
    slug = args.view.replace("+", "-")
    settings = [("", None)] + [(f"-view-{slug}-w{w:g}", mixed(own, view, w)) for w in weights]
    meta = {"source": str(args.model), "view": args.view}
    write_settings(extractor, settings, benches, args.k, args.out, Path(args.model).name, meta)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

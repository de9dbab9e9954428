"""Can explicit wrong-sense negatives undo the encoder's lexical prior?

Dropping the pairs whose match sits inside a job title (`occupation_title_pairs.py`) leaves the
trained encoder ranking `Chef` first for "Head chef wanted for our busy kitchen.": distant
supervision teaches it that a sentence holding a skill's label means that skill, whether or not
that skill's own pairs are there. The dropped pairs say the opposite, so use them as negatives:
each distinct (sentence, wrong skill) of a dropped pair becomes one extra training row whose
explicit negative is the wrong skill (`Chef` for the kitchen sentence) and whose positive is the
skill of the title's occupation that the base encoder finds closest to the sentence (ESCO's
essential and optional skills of every occupation carrying that title). Everything else is
`skillx train` as `make model` runs it, on the kept pairs: this script patches the row builder
to append the extra rows, then calls the CLI with the remaining arguments.

    python research/wrong_sense_rows.py PAIRS --esco ESCO_DIR --output OUT -b VAL ... \
        --time-budget 2700 --eval-steps 500 --seed 42 --contextual

PAIRS is `make model`'s pairs file (all pairs); the title filter runs here. Needs one explicit
negative per row (the default `{"taxonomy": 1}`): the wrong skill takes its place.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

import _common  # noqa: F401  (offline switches before anything loads a model)
import numpy as np
import pandas as pd
from occupation_title_pairs import checked_inputs, read_occupations, title_verdicts


def wrong_sense_rows(
    dropped: pd.DataFrame,
    titles: pd.Series,
    by_label: dict[str, set[str]],
    skills_of: dict[str, set[str]],
    known: set[str],
    similarity: Any,
) -> pd.DataFrame:
    """One row per distinct (sentence, wrong skill): ``sentence, uri`` (the positive), ``wrong_uri``.

    `similarity(sentences, uris)` gives the base encoder's cosine matrix; the positive is the
    title occupations' skill (in `known`) with the highest cosine for the sentence. Sentences
    whose title has no such skill get no row.
    """
    frame = pd.DataFrame({"sentence": dropped["sentence"], "wrong_uri": dropped["uri"], "title": titles})
    frame = frame.drop_duplicates(["sentence", "wrong_uri"]).reset_index(drop=True)
    candidates = [
        sorted({s for o in by_label.get(t, ()) for s in skills_of.get(o, ()) if s in known} - {w})
        for t, w in zip(frame["title"], frame["wrong_uri"], strict=True)
    ]
    pool = sorted({u for c in candidates for u in c})
    if not pool:
        return pd.DataFrame(columns=["sentence", "uri", "wrong_uri"])
    column = {u: i for i, u in enumerate(pool)}
    scores = similarity(frame["sentence"].tolist(), pool)
    positives = [
        max(c, key=lambda u, r=r: scores[r, column[u]]) if c else None for r, c in enumerate(candidates)
    ]
    frame["uri"] = positives
    return frame[frame["uri"].notna()][["sentence", "uri", "wrong_uri"]].reset_index(drop=True)


def install_extra_rows(extra: pd.DataFrame) -> None:
    """Make `SkillEncoderTrainer.fit` append `extra` as rows whose first negative is the wrong skill."""
    import skillx.training.trainer as trainer
    from skillx.training.rows import build_rows, skill_text

    def with_extra_rows(pairs: Any, taxonomy: Any, config: Any, **kwargs: Any) -> Any:
        rows, stats = build_rows(pairs, taxonomy, config, **kwargs)
        negatives = [c for c in rows.columns if c.startswith("negative_")]
        if not negatives:
            raise SystemExit(
                "wrong_sense_rows.py needs one explicit negative per row: keep the default negatives."
            )
        text = {u: skill_text(taxonomy[u], config.skill_text) for u in {*extra["uri"], *extra["wrong_uri"]}}
        added = pd.DataFrame(
            {
                "anchor": extra["sentence"],
                "positive": extra["uri"].map(text),
                **{c: extra["wrong_uri"].map(text) for c in negatives},
                "positive_uri": extra["uri"],
                "matched_uris": [[u, w] for u, w in zip(extra["uri"], extra["wrong_uri"], strict=True)],
                "origin": "wrong-sense",
            }
        )
        print(f"wrong-sense rows: {len(added)} added to {len(rows)}", file=sys.stderr)
        return pd.concat([rows, added[rows.columns]], ignore_index=True), stats

    trainer.build_rows = with_extra_rows


def base_similarity(sentences: list[str], uris: list[str], taxonomy: Any) -> np.ndarray:
    """Cosines of the bundled base encoder between sentences and skills' preferred labels."""
    from skillx.encoder import load_encoder

    model = load_encoder(None)
    a = model.encode(sentences, normalize_embeddings=True, batch_size=64)
    b = model.encode([taxonomy[u].preferred_label for u in uris], normalize_embeddings=True, batch_size=64)
    return np.asarray(a) @ np.asarray(b).T


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("pairs", type=Path, help="make model's pairs file (all pairs)")
    parser.add_argument("--esco", type=Path, default=None, help="ESCO zips folder (default: SKILLX_ESCO)")
    parser.add_argument("--esco-version", default="1.1.0")
    parser.add_argument(
        "--rows-out", type=Path, default=None, help="also write the extra rows here (parquet)"
    )
    args, rest = parser.parse_known_args(argv)
    esco = checked_inputs(args.esco, args.pairs)

    import skillx

    taxonomy = skillx.load_taxonomy(esco, esco_version=args.esco_version)
    by_label, skills_of = read_occupations(esco, args.esco_version)
    pairs = pd.read_parquet(args.pairs)
    verdicts = title_verdicts(pairs, by_label, skills_of)
    drop = verdicts["drop"].to_numpy()
    extra = wrong_sense_rows(
        pairs[drop],
        verdicts.loc[drop, "title"],
        by_label,
        skills_of,
        set(taxonomy.uris),
        lambda s, u: base_similarity(s, u, taxonomy),
    )
    print(f"{int(drop.sum())} title pairs dropped; {len(extra)} wrong-sense rows", file=sys.stderr)
    if args.rows_out is not None:
        extra.to_parquet(args.rows_out, index=False)
    install_extra_rows(extra)
    from skillx.cli import main as cli_main

    with tempfile.TemporaryDirectory(prefix="wrong-sense-") as scratch:
        kept = Path(scratch) / "pairs-kept.parquet"
        pairs[~drop].to_parquet(kept, index=False)
        sys.argv = ["skillx", "train", str(kept), *rest]
        cli_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())

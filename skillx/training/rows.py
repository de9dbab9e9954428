"""Training rows from distant-supervision pairs: balancing, description anchors, negatives.

A *pair* is one literal match of a skill in a corpus sentence (the pairs file written by
``skillx build-pairs``). A *row* is what the trainer consumes::

    anchor        the sentence, or a skill description
    positive      the skill written as text (see `skill_text`)
    negative_1..n skills that the sentence does not mention, one column per drawn negative
    positive_uri  URI of the positive skill
    matched_uris  every skill literally matched in the anchor's sentence (positive included;
                  empty for description rows): never negatives of that row
    origin        "corpus" or "description"
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from skillx.errors import InputError
from skillx.negatives import SamplerMix

if TYPE_CHECKING:
    from skillx.taxonomy import Skill, Taxonomy
    from skillx.training.config import RowConfig, TrainingConfig

REQUIRED_COLUMNS = ("sentence", "uri")


@dataclass
class RowStats:
    """What happened to the pairs on their way to training rows (all counts)."""

    pairs_in: int = 0
    unknown_uri_pairs: int = 0
    unknown_uris: int = 0
    ambiguous_dropped: int = 0
    duplicates_dropped: int = 0
    capped_by_form: int = 0
    capped_by_skill: int = 0
    capped_by_max_rows: int = 0
    corpus_rows: int = 0
    description_rows: int = 0
    skills_covered: int = 0
    negatives_filled_randomly: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return self.corpus_rows + self.description_rows

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["rows"] = self.rows
        return out


def skill_text(skill: Skill, mode: str = "preferred") -> str:
    """A skill written as one text for training, under a skill-text mode of `skillx.index`.

    The first text of the mode is used (for ``preferred+alt`` that is the preferred label), so
    the positives match what the saved index embeds.
    """
    from skillx.index import get_skill_text

    texts = [t for t in get_skill_text(mode)(skill) if isinstance(t, str) and t.strip()]
    return texts[0] if texts else skill.preferred_label


def read_pairs(source: str | Path | pd.DataFrame) -> pd.DataFrame:
    """Load a pairs table (parquet, csv/tsv, jsonl, or a DataFrame) and check its columns.

    Raises:
        InputError: If the file is missing or unreadable, or lacks ``sentence``/``uri``, or has
            no rows.
    """
    if isinstance(source, pd.DataFrame):
        frame = source
    else:
        path = Path(source).expanduser()
        if not path.is_file():
            raise InputError(
                f"Pairs file '{path}' not found. Build it with `skillx build-pairs CORPUS --output {path}`."
            )
        name = path.name.lower()
        try:
            if name.endswith(".parquet"):
                frame = pd.read_parquet(path)
            elif name.endswith((".jsonl", ".jsonl.gz")):
                frame = pd.read_json(path, lines=True)
            elif name.endswith((".tsv", ".tsv.gz")):
                frame = pd.read_csv(path, sep="\t")
            elif name.endswith((".csv", ".csv.gz")):
                frame = pd.read_csv(path)
            else:
                raise InputError(
                    f"Unknown pairs file type '{path.name}'. Use .parquet, .csv, .tsv or .jsonl."
                )
        except InputError:
            raise
        except Exception as exc:
            raise InputError(
                f"Could not read pairs file '{path}': {exc}. Rebuild it with `skillx build-pairs`."
            ) from None
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(
            f"The pairs table lacks column(s) {missing}; it has {list(frame.columns)}. "
            "Pairs need at least 'sentence' and 'uri' (write them with `skillx build-pairs`)."
        )
    if len(frame) == 0:
        raise InputError(
            "The pairs table is empty: there is nothing to train on. Check the corpus and the matcher."
        )
    return frame


def balance_pairs(frame: pd.DataFrame, config: RowConfig, stats: RowStats, *, seed: int) -> pd.DataFrame:
    """Shuffle (seeded), drop duplicates, and cap pairs per surface form, per skill and in total."""
    rng = np.random.default_rng(seed)
    frame = frame.iloc[rng.permutation(len(frame))].reset_index(drop=True)
    before = len(frame)
    frame = frame.drop_duplicates(subset=["sentence", "uri"], keep="first").reset_index(drop=True)
    stats.duplicates_dropped += before - len(frame)
    if config.max_pairs_per_form > 0:
        form = frame["surface_form"] if "surface_form" in frame.columns else frame["uri"]
        rank = frame.groupby(form.astype(str).str.casefold(), sort=False).cumcount()
        keep = rank < config.max_pairs_per_form
        stats.capped_by_form += int((~keep).sum())
        frame = frame[keep].reset_index(drop=True)
    if config.max_pairs_per_skill > 0:
        keep = frame.groupby("uri", sort=False).cumcount() < config.max_pairs_per_skill
        stats.capped_by_skill += int((~keep).sum())
        frame = frame[keep].reset_index(drop=True)
    if config.max_rows > 0 and len(frame) > config.max_rows:
        # round-robin over skills: every skill's first pair, then every skill's second, ...
        rank = frame.groupby("uri", sort=False).cumcount().to_numpy()
        order = np.lexsort((np.arange(len(frame)), rank))
        stats.capped_by_max_rows += len(frame) - config.max_rows
        frame = frame.iloc[np.sort(order[: config.max_rows])].reset_index(drop=True)
    return frame


def build_rows(
    pairs: str | Path | pd.DataFrame,
    taxonomy: Taxonomy,
    config: TrainingConfig,
    *,
    encoder: Any = None,
    skill_embeddings: np.ndarray | None = None,
) -> tuple[pd.DataFrame, RowStats]:
    """Turn distant-supervision pairs into training rows.

    Steps: read and check the pairs; drop (and count) pairs whose URI is not in `taxonomy`;
    drop ambiguous pairs if configured; balance (`balance_pairs`); add one description row
    per skill if configured; draw ``config.rows.negatives`` per row, never drawing the
    positive or any skill literally matched in the same sentence.

    Args:
        pairs: Pairs file path or DataFrame with at least ``sentence`` and ``uri`` columns
            (``surface_form`` for the per-form cap; ``ambiguous`` for `drop_ambiguous`).
        taxonomy: The skills the URIs refer to.
        config: The run's options (``rows``, ``seed`` and ``skill_text`` are used).
        encoder: Encoder for the ``similar`` sampler.
        skill_embeddings: Precomputed normalised skill embeddings (taxonomy order) for ``similar``.

    Returns:
        The rows (columns ``anchor, positive, negative_1..n, positive_uri, matched_uris,
        origin``) and stats.

    Raises:
        InputError: Empty pairs, missing columns, or no pair left whose URI is in the taxonomy.
    """
    rc = config.rows
    frame = read_pairs(pairs)
    stats = RowStats(pairs_in=len(frame))
    frame = frame[frame["sentence"].notna() & frame["uri"].notna()]
    frame = frame.astype({"sentence": str, "uri": str})
    known = frame["uri"].isin(set(taxonomy.uris))
    stats.unknown_uri_pairs = int((~known).sum())
    stats.unknown_uris = int(frame.loc[~known, "uri"].nunique())
    frame = frame[known]
    if frame.empty:
        raise InputError(
            f"None of the {stats.pairs_in} pairs refers to a skill of taxonomy {taxonomy.name} "
            f"{taxonomy.version} ({stats.unknown_uris} unknown URIs). Build the pairs with the same "
            "taxonomy (version and language) that you train with."
        )
    # every skill matched in a sentence: none of them may be a negative for that sentence
    matched_in_sentence = frame.groupby("sentence", sort=False)["uri"].agg(lambda s: list(dict.fromkeys(s)))
    if rc.drop_ambiguous and "ambiguous" in frame.columns:
        ambiguous = frame["ambiguous"].fillna(False).astype(bool)
        stats.ambiguous_dropped = int(ambiguous.sum())
        frame = frame[~ambiguous]
    frame = balance_pairs(frame.reset_index(drop=True), rc, stats, seed=config.seed)

    rng = np.random.default_rng(config.seed + 1)
    anchors = frame["sentence"].tolist()
    uris = frame["uri"].tolist()
    excludes = [matched_in_sentence.get(s, []) for s in frame["sentence"].tolist()]
    origins = ["corpus"] * len(anchors)
    stats.corpus_rows = len(anchors)

    if rc.description_anchors:
        described = [s for s in taxonomy if s.description.strip()]
        if rc.max_description_rows > 0 and len(described) > rc.max_description_rows:
            pick = np.sort(rng.choice(len(described), rc.max_description_rows, replace=False))
            described = [described[int(i)] for i in pick]
        for skill in described:
            anchors.append(skill.description.strip())
            uris.append(skill.uri)
            excludes.append([])
            origins.append("description")
        stats.description_rows = len(described)

    texts = {uri: skill_text(taxonomy[uri], config.skill_text) for uri in dict.fromkeys(uris)}
    rows: dict[str, list[Any]] = {
        "anchor": anchors,
        "positive": [texts[u] for u in uris],
    }
    if rc.n_negatives > 0:
        mix = SamplerMix(rc.negatives, options=rc.sampler_options)
        mix.fit(taxonomy, encoder=encoder, skill_embeddings=skill_embeddings)
        mix.prepare(anchors)
        neg_rng = np.random.default_rng(config.seed + 2)
        drawn = [
            mix.sample(a, u, exclude=ex, rng=neg_rng)
            for a, u, ex in zip(anchors, uris, excludes, strict=True)
        ]
        label_cache: dict[str, str] = {}
        for j in range(mix.n_negatives):
            column = []
            for negs in drawn:
                uri = negs[j] if j < len(negs) else negs[-1]
                if uri not in label_cache:
                    label_cache[uri] = skill_text(taxonomy[uri], config.skill_text)
                column.append(label_cache[uri])
            rows[f"negative_{j + 1}"] = column
        stats.negatives_filled_randomly = mix.shortfall_
    rows["positive_uri"] = uris
    rows["matched_uris"] = [list(ex) for ex in excludes]
    rows["origin"] = origins
    stats.skills_covered = len(texts)
    return pd.DataFrame(rows), stats

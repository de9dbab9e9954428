"""Pseudo-labelled pairs: corpus sentences that name no skill, labelled by trained models.

Literal matching only finds sentences that *name* a skill, so a model trained on its pairs
never sees a paraphrase ("Team player who likes to engage with colleagues") next to its skill
("work in teams"). Self-training fills that gap: a model trained on the literal pairs (the
*teacher*) ranks the corpus sentences that no pair uses, and its confident top-1 skills become
extra pairs for the next model. With several teachers, a pair is kept only when all of them
put the same skill first.

The output has the layout of `skillx.supervision.build_pairs` (``label_kind`` = ``"pseudo"``,
no mention offsets), so ``skillx train LITERAL PSEUDO`` takes both files; the row builder
caps pseudo pairs per skill apart from the literal ones (`skillx.training.rows`).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from skillx.errors import InputError
from skillx.io import atomic_path, atomic_write_text

if TYPE_CHECKING:
    from skillx.ranker import SemanticRanker

logger = logging.getLogger("skillx")
MIN_WORDS, MAX_WORDS = 5, 60  # shorter is usually a heading, longer a run-on paragraph


@dataclass(frozen=True, slots=True)
class PseudoStats:
    """What a `build_pseudo_pairs` run read and wrote.

    Attributes:
        corpus: The corpus file read.
        output: The pseudo pairs file written.
        teachers: The models that labelled the sentences.
        lines_sampled: Corpus texts drawn (seeded) from the corpus.
        candidates: Distinct sentences of those texts that no literal pair uses, with
            `MIN_WORDS` to `MAX_WORDS` words.
        confident: Candidates whose teachers agree on a top-1 skill scoring at least
            `min_score`.
        pairs: Pairs written after the per-skill cap.
        distinct_skills: Distinct skills among the pairs.
        min_score: Cosine threshold every teacher had to reach.
        per_skill: Cap on pairs per skill (0: none).
        seed: Seed of the line sample and of the choice under the cap.
        seconds: Wall time.
    """

    corpus: str
    output: str
    teachers: tuple[str, ...]
    lines_sampled: int
    candidates: int
    confident: int
    pairs: int
    distinct_skills: int
    min_score: float
    per_skill: int
    seed: int
    seconds: float

    def save_json(self, path: str | Path) -> Path:
        """Write the statistics as JSON (atomically) and return the path."""
        path = Path(path)
        return atomic_write_text(path, json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n")

    def to_table(self) -> str:
        """A plain-text summary for terminals and logs."""
        rows = [
            ("teachers", ", ".join(self.teachers)),
            ("lines sampled", f"{self.lines_sampled:,}"),
            ("candidate sentences", f"{self.candidates:,}"),
            (f"confident (cosine >= {self.min_score})", f"{self.confident:,}"),
            (f"pairs (<= {self.per_skill} per skill)", f"{self.pairs:,}"),
            ("distinct skills", f"{self.distinct_skills:,}"),
            ("seconds", f"{self.seconds:.1f}"),
        ]
        width = max(len(name) for name, _ in rows)
        return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def unmatched_sentences(
    corpus: str | Path,
    matched: set[str],
    *,
    lines: int,
    seed: int = 42,
    text_field: str | None = None,
    column: str | None = None,
) -> tuple[list[tuple[str, str, int]], int]:
    """Sentences of a seeded sample of corpus texts that no literal pair uses.

    Args:
        corpus: Corpus file (see `skillx.corpus.read_texts` for formats).
        matched: Sentences that literal pairs already use (skipped).
        lines: Texts to draw from the corpus (all of them if it has fewer).
        seed: Seed of the draw.
        text_field: JSONL field with the text.
        column: CSV/TSV column with the text.

    Returns:
        ``[(sentence, source, line_no), ...]`` (distinct sentences of `MIN_WORDS` to
        `MAX_WORDS` words, in corpus order) and the number of texts drawn.

    The corpus texts are held in memory while they are drawn from: 219 MiB (tracemalloc
    peak) for the 650,000 lines of the project's corpus.
    """
    from skillx.corpus import read_texts
    from skillx.text import segment

    if lines < 1:
        raise InputError(f"lines must be at least 1, got {lines}.")
    records = list(read_texts(corpus, text_field=text_field, column=column))
    if not records:
        raise InputError(f"The corpus '{corpus}' has no texts.")
    rng = np.random.default_rng(seed)
    picked = np.sort(rng.choice(len(records), size=min(lines, len(records)), replace=False))
    seen: set[str] = set()
    out: list[tuple[str, str, int]] = []
    for i in picked:
        record = records[int(i)]
        for sentence in segment(record.text):
            text = sentence.text
            if text in matched or text in seen or not MIN_WORDS <= len(text.split()) <= MAX_WORDS:
                continue
            seen.add(text)
            out.append((text, record.source or Path(corpus).name, record.line_no))
    return out, len(picked)


def teacher_labels(sentences: Sequence[str], teachers: Sequence[SemanticRanker]) -> pd.DataFrame:
    """Each teacher's top-1 skill and cosine per sentence (columns ``uri_<t>``, ``score_<t>``)."""
    frame = pd.DataFrame({"sentence": list(sentences)})
    for t, teacher in enumerate(teachers):
        ranked = teacher.rank(list(sentences), k=1)
        frame[f"uri_{t}"] = [r[0].uri if r else "" for r in ranked]
        frame[f"score_{t}"] = np.array([r[0].score if r else -1.0 for r in ranked], dtype=np.float32)
    return frame


def label_candidates(
    candidates: Sequence[tuple[str, str, int]], teachers: Sequence[SemanticRanker]
) -> pd.DataFrame:
    """`teacher_labels` of the `unmatched_sentences` output, with their ``source``/``line_no``."""
    labels = teacher_labels([c[0] for c in candidates], teachers)
    labels["source"] = [c[1] for c in candidates]
    labels["line_no"] = [c[2] for c in candidates]
    return labels


def select_pseudo_pairs(
    labels: pd.DataFrame, *, min_score: float, per_skill: int, seed: int = 42
) -> pd.DataFrame:
    """Rows of `labels` where every teacher's top-1 is the same skill with cosine >= `min_score`.

    At most `per_skill` rows are kept per skill (a seeded random choice; 0: no cap), in the
    original order. Returns `labels` filtered, with a ``uri`` column (the agreed skill).
    """
    teachers = sorted(c for c in labels.columns if c.startswith("uri_"))
    if not teachers:
        raise InputError("No teacher labels: the frame needs uri_0/score_0 columns.")
    keep = np.ones(len(labels), dtype=bool)
    for column in teachers:
        t = column.removeprefix("uri_")
        keep &= (labels[column] == labels["uri_0"]).to_numpy()
        keep &= (labels[f"score_{t}"] >= min_score).to_numpy()
    chosen = labels[keep].assign(uri=labels.loc[keep, "uri_0"])
    if per_skill > 0:
        shuffled = chosen.sample(frac=1.0, random_state=seed)
        shuffled = shuffled[shuffled.groupby("uri", sort=False).cumcount() < per_skill]
        chosen = shuffled.sort_index()
    return chosen


def as_pair_rows(chosen: pd.DataFrame) -> pd.DataFrame:
    """Selected pseudo labels in the pairs layout (`skillx.supervision.PAIR_COLUMNS`)."""
    n = len(chosen)
    return pd.DataFrame(
        {
            "sentence": chosen["sentence"].to_numpy(dtype=object),
            "start": np.full(n, -1, dtype=np.int32),
            "end": np.full(n, -1, dtype=np.int32),
            "uri": chosen["uri"].to_numpy(dtype=object),
            "matched_text": [""] * n,
            "surface_form": ("pseudo:" + chosen["uri"]).to_numpy(dtype=object),
            "label_kind": ["pseudo"] * n,
            "ambiguous": np.zeros(n, dtype=bool),
            "nested": np.zeros(n, dtype=bool),
            "source": chosen["source"].to_numpy(dtype=object),
            "line_no": chosen["line_no"].to_numpy(dtype=np.int64),
        }
    )


def build_pseudo_pairs(
    corpus: str | Path,
    pairs: str | Path | pd.DataFrame,
    output: str | Path,
    *,
    teachers: Sequence[str | Path],
    taxonomy: Any,
    lines: int = 60_000,
    min_score: float = 0.6,
    per_skill: int = 20,
    seed: int = 42,
    text_field: str | None = None,
    column: str | None = None,
) -> PseudoStats:
    """Label corpus sentences without a literal match with trained models; write pseudo pairs.

    Args:
        corpus: The corpus the literal pairs came from.
        pairs: The literal pairs (their sentences are skipped).
        output: Parquet file to write (atomically); statistics go to ``<stem>.stats.json``.
        teachers: skillx model directories; a pair needs all of them to agree.
        taxonomy: The taxonomy the teachers rank.
        lines: Corpus texts to sample.
        min_score: Cosine every teacher's top-1 skill must reach.
        per_skill: Cap on pairs per skill (0: none).
        seed: Seed of the sample and of the choice under the cap.
        text_field: JSONL field with the text.
        column: CSV/TSV column with the text.

    Returns:
        The run statistics.

    Raises:
        InputError: Bad options, an unreadable corpus or pairs file, or a teacher that is not
            a skillx model directory.
    """
    from skillx.supervision.pairs import stats_path
    from skillx.training.rows import read_pairs

    if not teachers:
        raise InputError("Give at least one teacher model (a skillx model directory).")
    if not -1.0 <= min_score <= 1.0 or per_skill < 0:
        raise InputError(f"min_score must be a cosine in [-1, 1] and per_skill >= 0 "
                         f"(got {min_score}, {per_skill}).")
    output = Path(output)
    if not output.parent.is_dir():
        raise InputError(f"The folder of the output '{output}' does not exist. Create it first.")
    started = time.perf_counter()
    rankers = [_teacher(path, taxonomy) for path in teachers]
    matched = set(read_pairs(pairs)["sentence"].astype(str))
    candidates, n_lines = unmatched_sentences(
        corpus, matched, lines=lines, seed=seed, text_field=text_field, column=column
    )
    logger.info("skillx: %s sentences without a literal match to label", f"{len(candidates):,}")
    labels = label_candidates(candidates, rankers)
    confident = select_pseudo_pairs(labels, min_score=min_score, per_skill=0)
    chosen = select_pseudo_pairs(labels, min_score=min_score, per_skill=per_skill, seed=seed)
    rows = as_pair_rows(chosen)
    with atomic_path(output, suffix=".partial") as tmp:
        rows.to_parquet(tmp, index=False)
    stats = PseudoStats(
        corpus=str(corpus),
        output=str(output),
        teachers=tuple(str(t) for t in teachers),
        lines_sampled=n_lines,
        candidates=len(candidates),
        confident=len(confident),
        pairs=len(rows),
        distinct_skills=int(rows["uri"].nunique()),
        min_score=min_score,
        per_skill=per_skill,
        seed=seed,
        seconds=round(time.perf_counter() - started, 2),
    )
    stats.save_json(stats_path(output))
    return stats


def _teacher(path: str | Path, taxonomy: Any) -> SemanticRanker:
    """The ranker of a trained skillx model directory (a plain encoder folder is refused)."""
    from skillx.ranker import SemanticRanker

    folder = Path(path).expanduser()
    if not (folder / "skillx.json").is_file():
        raise InputError(
            f"Teacher '{folder}' is not a skillx model directory (no skillx.json). "
            "Train one first with `skillx train`."
        )
    return SemanticRanker.from_pretrained(folder, taxonomy=taxonomy)

"""Benchmark files of the ESCO skill-extraction benchmark (Decorte et al. 2022) and their protocol.

Protocol (the field's standard, as in the WorkRB benchmark):

1. Group rows by ``sentence``: the gold set of a sentence is the union of its labels.
2. Keep only labels that are preferred labels of the taxonomy (ESCO v1.1.0 for the
   published benchmark) after stripping whitespace; this drops ``LABEL NOT PRESENT``,
   ``UNDERSPECIFIED`` and mistyped labels. Drop sentences left with no gold label.
3. Rank all skills of the taxonomy for every sentence (see `skillx.evaluation.evaluate`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from skillx.errors import InputError
from skillx.taxonomy import Taxonomy

REQUIRED_COLUMNS = ("sentence", "label")


@dataclass(frozen=True)
class Benchmark:
    """Sentences and their gold skills, after the protocol.

    Attributes:
        name: Dataset name (by default the file name without ``_annotations.csv``).
        sentences: The sentences, in order of first appearance in the file.
        gold: For each sentence, the frozenset of gold skill URIs (never empty).
        n_skills: Size of the taxonomy the gold labels were resolved against (the ranking
            depth of the protocol); 0 when unknown.
        n_rows: Rows read from the file.
        n_dropped: Sentences dropped because none of their labels is a preferred label.
    """

    name: str
    sentences: tuple[str, ...]
    gold: tuple[frozenset[str], ...]
    n_skills: int = 0
    n_rows: int = 0
    n_dropped: int = 0

    def __len__(self) -> int:
        return len(self.sentences)

    @property
    def n_multi(self) -> int:
        """Sentences with several gold skills."""
        return sum(1 for g in self.gold if len(g) > 1)


def benchmark_name(path: str | Path) -> str:
    """``.../tech_validation_annotations.csv`` -> ``tech_validation``."""
    stem = Path(path).name
    stem = re.sub(r"\.csv(\.gz)?$", "", stem, flags=re.IGNORECASE)
    return re.sub(r"_annotations$", "", stem)


def load_benchmark(path: str | Path, taxonomy: Taxonomy, *, name: str | None = None) -> Benchmark:
    """Read a benchmark CSV and apply the protocol against `taxonomy`.

    Args:
        path: CSV with columns ``sentence,span,sub_span,label`` or ``sentence,label``
            (extra columns are ignored).
        taxonomy: Taxonomy whose preferred labels name the gold skills (ESCO v1.1.0 for the
            published benchmark).
        name: Dataset name; by default derived from the file name.

    Returns:
        The benchmark.

    Raises:
        InputError: If the file is missing, unreadable, lacks a required column, or has no
            sentence with a gold label in `taxonomy`.
    """
    import pandas as pd

    path = Path(path).expanduser()
    if not path.is_file():
        raise InputError(
            f"No benchmark file at '{path}'. Pass a CSV with the columns sentence,label "
            "(optionally span,sub_span), e.g. tech_validation_annotations.csv."
        )
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"'{path}' is not UTF-8 ({exc.reason}); save the benchmark as UTF-8 CSV.") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(
            f"'{path}' could not be parsed as CSV ({str(exc).strip()}). Expected a header line "
            "sentence,span,sub_span,label or sentence,label."
        ) from None
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(
            f"Benchmark '{path}' lacks the column(s) {', '.join(missing)}; it has "
            f"{', '.join(map(str, frame.columns)) or 'no columns'}. Expected the columns "
            "sentence,span,sub_span,label (or sentence,label)."
        )
    by_label = {skill.preferred_label.strip(): skill.uri for skill in taxonomy}
    gold: dict[str, set[str]] = {}
    for sentence, label in zip(frame["sentence"], frame["label"], strict=True):
        uris = gold.setdefault(sentence, set())
        uri = by_label.get(label.strip())
        if uri is not None:
            uris.add(uri)
    kept = [(sentence, frozenset(uris)) for sentence, uris in gold.items() if uris]
    if not kept:
        raise InputError(
            f"No sentence of '{path}' has a label that is a preferred label of {taxonomy!r}. "
            "Check that the taxonomy is the one the benchmark was labelled with (ESCO v1.1.0 "
            "for the published benchmark: read_esco_csv(path, esco_version='1.1.0'))."
        )
    return Benchmark(
        name=name or benchmark_name(path),
        sentences=tuple(s for s, _ in kept),
        gold=tuple(g for _, g in kept),
        n_skills=len(taxonomy),
        n_rows=len(frame),
        n_dropped=len(gold) - len(kept),
    )

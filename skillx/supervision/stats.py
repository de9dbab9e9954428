"""Statistics of a distant-supervision run."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from skillx.io import atomic_write_text


@dataclass(frozen=True, slots=True)
class PairStats:
    """What a `build_pairs` run read and wrote.

    Attributes:
        corpus: The corpus file read.
        output: The pairs file written.
        lines_read: Texts read from the corpus.
        lines_skipped: Corpus lines skipped as bad (see the warnings for which).
        sentences: Sentences after segmentation.
        sentences_with_hit: Sentences with at least one pair.
        pairs: Rows written (one per sentence, span and skill URI).
        distinct_skills: Distinct skill URIs among the pairs.
        ambiguous_share: Share of pairs whose span matched several skills.
        top_surface_forms: The most frequent surface forms with their pair counts.
        seconds: Wall time.
        complete: False when the run stopped early (error or interruption); the pairs
            written up to then are still in `output`.
        matcher: Matcher settings (taxonomy, version, stop list size, rules).
        sources: With a ``sources`` filter: lines of the corpus per requested source
            (empty when all sources were read).
    """

    corpus: str
    output: str
    lines_read: int
    lines_skipped: int
    sentences: int
    sentences_with_hit: int
    pairs: int
    distinct_skills: int
    ambiguous_share: float
    top_surface_forms: tuple[tuple[str, int], ...]
    seconds: float
    complete: bool
    matcher: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, int] = field(default_factory=dict)

    @property
    def hit_rate(self) -> float:
        """Share of sentences with at least one pair."""
        return self.sentences_with_hit / self.sentences if self.sentences else 0.0

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict."""
        data = asdict(self)
        data["top_surface_forms"] = [list(item) for item in self.top_surface_forms]
        data["hit_rate"] = self.hit_rate
        return data

    def save_json(self, path: str | Path) -> Path:
        """Write the statistics as JSON (atomically) and return the path."""
        path = Path(path)
        return atomic_write_text(path, json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n")

    def to_table(self, *, top: int = 10) -> str:
        """A plain-text table for terminals and logs."""
        rows = [
            ("lines read", f"{self.lines_read:,}"),
            ("lines skipped", f"{self.lines_skipped:,}"),
            ("sentences", f"{self.sentences:,}"),
            ("sentences with a hit", f"{self.sentences_with_hit:,} ({self.hit_rate:.1%})"),
            ("pairs", f"{self.pairs:,}"),
            ("distinct skills", f"{self.distinct_skills:,}"),
            ("ambiguous pairs", f"{self.ambiguous_share:.1%}"),
            ("seconds", f"{self.seconds:.1f}"),
            ("complete", "yes" if self.complete else "NO (stopped early)"),
        ]
        rows += [(f"  source {name}", f"{n:,} lines") for name, n in self.sources.items()]
        rows += [
            (f"  top form #{i + 1}", f"{form!r}: {n:,}")
            for i, (form, n) in enumerate(self.top_surface_forms[:top])
        ]
        width = max(len(name) for name, _ in rows)
        return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)

"""Cut long training sentences to a window around their match, so training sees the mention.

Training truncates every row to `max_seq_length` word pieces (48). In about 6% of the
unambiguous pairs of `make model`'s pairs file the matched label ends past that point, so the
row pairs a skill with a text that no longer names it. This writes a pairs file in which each
such pair gets a window of its sentence instead: whole words around the match, at most
`--pieces` word pieces (46: 48 less [CLS] and [SEP]), the match kept whole and centred where
the sentence allows. Pairs whose match is already within the limit keep their sentence, so the
file has the same pairs, each one with its mention in view. Same columns; ``start`` and ``end``
index the window. (A window is its own sentence to the row builder: another skill named in it is
not kept out of that row's negatives; two matches rarely share a window's batch.)

    python research/match_window_pairs.py PAIRS.parquet --output pairs-window.parquet
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

_WORD = re.compile(r"\S+")


def window(sentence: str, start: int, end: int, pieces: Callable[[str], int], budget: int) -> tuple[int, int]:
    """Character span of whole words around ``sentence[start:end]`` worth at most `budget` pieces.

    Words are added alternately left and right of the match while the budget allows; the match
    itself is always kept (even when it alone is over the budget).
    """
    words = [(m.start(), m.end()) for m in _WORD.finditer(sentence)]
    inside = [i for i, (a, b) in enumerate(words) if a < end and b > start]
    if not inside:
        return start, end
    lo, hi = inside[0], inside[-1]
    used = sum(pieces(sentence[a:b]) for a, b in words[lo : hi + 1])
    left, right = lo - 1, hi + 1
    while left >= 0 or right < len(words):
        grown = False
        for side in ("left", "right"):
            i = left if side == "left" else right
            if not 0 <= i < len(words):
                continue
            cost = pieces(sentence[words[i][0] : words[i][1]])
            if used + cost > budget:
                continue
            used += cost
            grown = True
            if side == "left":
                lo, left = i, i - 1
            else:
                hi, right = i, i + 1
        if not grown:
            break
    return words[lo][0], words[hi][1]


def windowed_pairs(pairs: pd.DataFrame, pieces: Callable[[str], int], limit: int) -> pd.DataFrame:
    """`pairs` with each pair whose match ends past `limit` pieces moved to a window (see module)."""
    out: list[dict] = []
    for sentence, group in pairs.groupby("sentence", sort=False):
        text = str(sentence)
        rows = group.to_dict("records")
        if pieces(text) <= limit:
            out.extend(rows)
            continue
        for row in rows:
            if pieces(text[: int(row["end"])]) <= limit:
                out.append(row)
                continue
            a, b = window(text, int(row["start"]), int(row["end"]), pieces, limit)
            start, end = int(row["start"]) - a, int(row["end"]) - a
            out.append({**row, "sentence": text[a:b], "start": start, "end": end})
    return pd.DataFrame(out, columns=pairs.columns)


def word_piece_counter(tokenizer: object) -> Callable[[str], int]:
    """Word pieces of a text without special tokens, memoised (words repeat a lot)."""
    cache: dict[str, int] = {}

    def pieces(text: str) -> int:
        if text not in cache:
            cache[text] = len(tokenizer(text, add_special_tokens=False)["input_ids"])  # type: ignore[operator]
        return cache[text]

    return pieces


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("pairs", type=Path, help="Pairs file (skillx build-pairs).")
    parser.add_argument("--output", type=Path, required=True, help="Pairs file to write.")
    parser.add_argument("--pieces", type=int, default=46, help="Word pieces a training text keeps.")
    args = parser.parse_args(argv)
    if not args.pairs.is_file():
        raise SystemExit(
            f"No pairs file at '{args.pairs}': run `skillx build-pairs` (or `make model`) first."
        )

    from skillx.encoder import load_encoder
    from skillx.training import read_pairs

    pairs = read_pairs(args.pairs)
    missing = {"start", "end"} - set(pairs.columns)
    if missing:
        raise SystemExit(
            f"'{args.pairs}' has no {sorted(missing)} columns: rebuild it with `skillx build-pairs`."
        )
    pieces = word_piece_counter(load_encoder().tokenizer)
    out = windowed_pairs(pairs, pieces, args.pieces)
    moved = int((~out["sentence"].isin(set(pairs["sentence"]))).sum())
    print(f"{len(pairs):,} pairs in, {len(out):,} out; {moved:,} pairs on a window of a long sentence")
    out.to_parquet(args.output, index=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

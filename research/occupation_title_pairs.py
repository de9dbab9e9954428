"""Drop distant-supervision pairs whose matched label sits inside a job title.

Job ads name occupations, and a skill label can be part of one: "chef" in "Head chef wanted"
is the cook, not ESCO's `Chef` (a configuration-management tool), yet literal matching pairs
every such sentence with the tool, and the trained encoder learns the wrong sense (`chef`: 137
pairs, kitchen sentences all). ESCO's occupation pillar says which reading is meant: a pair is
dropped when its matched span lies inside a mention of an ESCO occupation label (preferred or
alternative, e.g. "head chef", "chef de partie", "chef") *and* its skill is none of the
essential or optional skills ESCO lists for any occupation carrying that label. "journalist" ->
`journalism` stays (a skill of the occupation journalist); "chef" -> `Chef` goes.

It writes the kept pairs (same columns, same order) and prints how many were dropped, the
matched texts losing the most pairs, and a few dropped sentences per text, so the cut can be
read by hand. Train on the output with `skillx train` as `make model` does
(`occupation_title_seeds.sh`).

    python research/occupation_title_pairs.py PAIRS.parquet --output pairs-occ.parquet
"""

from __future__ import annotations

import argparse
import os
import re
from collections import defaultdict
from pathlib import Path

import pandas as pd

from skillx.taxonomy.esco_csv import _CsvFiles, _lines, discover_esco_sources

_WORD = re.compile(r"\w+")


def read_occupations(esco: Path, version: str) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """``(label -> occupation URIs, occupation URI -> related skill URIs)``, labels lower-cased."""
    sources, _ = discover_esco_sources(esco, version=version, language="en")
    files = _CsvFiles(sources)
    occupations = files.find("occupations_en.csv")
    relations = files.find("occupationSkillRelations.csv", "occupationSkillRelations_en.csv")
    if occupations is None or relations is None:
        raise SystemExit(
            f"'{esco}' has no occupations_en.csv or occupationSkillRelations.csv for ESCO v{version}: "
            "point --esco at the folder with both official ESCO zips (the English one and the relations one)."
        )
    table = pd.read_csv(occupations(), dtype=str, keep_default_na=False)
    by_label: dict[str, set[str]] = defaultdict(set)
    for uri, preferred, alternative in zip(
        table["conceptUri"], table["preferredLabel"], table["altLabels"], strict=True
    ):
        for label in [preferred, *_lines(alternative)]:
            if label.strip():
                by_label[label.strip().lower()].add(uri)
    links = pd.read_csv(relations(), dtype=str, keep_default_na=False)
    skills_of: dict[str, set[str]] = defaultdict(set)
    for occupation, skill in zip(links["occupationUri"], links["skillUri"], strict=True):
        skills_of[occupation].add(skill)
    return dict(by_label), dict(skills_of)


def _titles_containing(by_label: dict[str, set[str]]) -> dict[str, list[str]]:
    """Word -> occupation labels holding it, to find the labels around a matched text fast."""
    index: dict[str, list[str]] = defaultdict(list)
    for label in by_label:
        for word in set(_WORD.findall(label)):
            index[word].append(label)
    return index


def _occurs_around(sentence: str, label: str, start: int, end: int) -> bool:
    """Whether `label` occurs in `sentence` (lower-cased, whole words) over [start, end)."""
    at = sentence.find(label)
    while at >= 0:
        stop = at + len(label)
        whole = (at == 0 or not sentence[at - 1].isalnum()) and (
            stop == len(sentence) or not sentence[stop].isalnum()
        )
        if whole and at <= start and end <= stop:
            return True
        at = sentence.find(label, at + 1)
    return False


def title_verdicts(
    pairs: pd.DataFrame, by_label: dict[str, set[str]], skills_of: dict[str, set[str]]
) -> pd.DataFrame:
    """Per pair: an occupation label whose mention holds the match (or ""), and whether to drop it."""
    index = _titles_containing(by_label)
    candidates: dict[str, list[str]] = {}
    titles: list[str] = []
    drop: list[bool] = []
    for sentence, start, end, uri, matched in zip(
        pairs["sentence"], pairs["start"], pairs["end"], pairs["uri"], pairs["matched_text"], strict=True
    ):
        text = str(matched).lower()
        if text not in candidates:
            words = _WORD.findall(text)
            pool = min((index.get(w, []) for w in words), key=len) if words else []
            candidates[text] = [
                label for label in pool if re.search(rf"(?<!\w){re.escape(text)}(?!\w)", label)
            ]
        lowered = sentence.lower()
        around = [lab for lab in candidates[text] if _occurs_around(lowered, lab, int(start), int(end))]
        # "head chef" and "chef" may both hold the match: any title whose occupation lists the skill keeps it
        related = any(uri in skills_of.get(o, ()) for lab in around for o in by_label[lab])
        titles.append(around[0] if around else "")
        drop.append(bool(around) and not related)
    return pd.DataFrame({"title": titles, "drop": drop}, index=pairs.index)


def checked_inputs(esco: Path | None, pairs: Path) -> Path:
    """The ESCO folder (`esco` or SKILLX_ESCO), after checking that it and the pairs file are given."""
    found = esco or (Path(os.environ["SKILLX_ESCO"]) if os.environ.get("SKILLX_ESCO") else None)
    if found is None:
        raise SystemExit("Pass --esco or set SKILLX_ESCO to the folder with the official ESCO zips.")
    if not pairs.is_file():
        raise SystemExit(f"No pairs file at {pairs}: write one with `skillx build-pairs` (or `make model`).")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("pairs", type=Path, help="pairs parquet from `skillx build-pairs`")
    parser.add_argument("--output", type=Path, required=True, help="where to write the kept pairs")
    parser.add_argument("--esco", type=Path, default=None, help="ESCO zips folder (default: SKILLX_ESCO)")
    parser.add_argument("--esco-version", default="1.1.0", help="the version the pairs were built with")
    parser.add_argument("--show", type=int, default=3, help="dropped sentences printed per matched text")
    args = parser.parse_args()
    esco = checked_inputs(args.esco, args.pairs)
    by_label, skills_of = read_occupations(esco, args.esco_version)
    pairs = pd.read_parquet(args.pairs)
    missing = [c for c in ("sentence", "start", "end", "uri", "matched_text") if c not in pairs.columns]
    if missing:
        raise SystemExit(
            f"{args.pairs} has no {', '.join(missing)} column: "
            "pass a pairs file written by `skillx build-pairs`."
        )
    verdicts = title_verdicts(pairs, by_label, skills_of)
    dropped = pairs[verdicts["drop"]]
    inside = int((verdicts["title"] != "").sum())
    print(
        f"{len(pairs):,} pairs; {inside:,} matched inside an occupation title; dropped {len(dropped):,} "
        f"({len(dropped) / max(len(pairs), 1):.2%}), kept {len(pairs) - len(dropped):,}"
    )
    texts = dropped["matched_text"].str.lower().value_counts()
    for text, count in texts.head(25).items():
        rows = dropped[dropped["matched_text"].str.lower() == text]
        title_counts = verdicts.loc[rows.index, "title"].value_counts().head(3).to_dict()
        print(f"\n{text!r}: {count} dropped; titles {title_counts}")
        for sentence in rows["sentence"].head(args.show):
            print(f"    {sentence[:140]}")
    kept_by_text = (
        pairs[~verdicts["drop"] & (verdicts["title"] != "")]["matched_text"].str.lower().value_counts()
    )
    print("\nkept inside a title (the skill is one of the occupation's):", kept_by_text.head(15).to_dict())
    args.output.parent.mkdir(parents=True, exist_ok=True)
    pairs[~verdicts["drop"]].to_parquet(args.output, index=False)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()

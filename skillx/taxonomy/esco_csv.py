"""Reader for the official ESCO CSV download (zips or extracted folders), versions 1.0 to 1.2."""

from __future__ import annotations

import io
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, TypeVar

import pandas as pd

from skillx.errors import TaxonomyError, TaxonomyNotFoundError
from skillx.taxonomy.manifest import zip_name
from skillx.taxonomy.model import Taxonomy
from skillx.taxonomy.records import Skill, SkillGroup, SkillRelation
from skillx.taxonomy.validate import check_acyclic, check_zip, warn_duplicate_labels, warn_skipped

# "ESCO dataset - v1.1.0 - classification - en - csv.zip" (labels) and
# "ESCO dataset - v1.1.0 - classification -  - csv.zip" (language-independent relations).
ZIP_NAME = re.compile(
    r"ESCO dataset - v(?P<version>\d+\.\d+(?:\.\d+)?) - classification - (?P<lang>[a-z]{0,3}) ?- csv\.zip$",
    re.IGNORECASE,
)
SKILL_COLUMNS = ("conceptUri", "preferredLabel")
_Concept = TypeVar("_Concept", Skill, SkillGroup)


class _CsvFiles:
    """CSV files by lower-case base name, from any mix of zips and folders."""

    def __init__(self, sources: Iterable[Path]) -> None:
        self.sources = list(sources)
        self._openers: dict[str, Callable[[], IO[bytes]]] = {}
        for source in self.sources:
            if source.is_dir():
                for path in sorted(source.rglob("*.csv")):
                    self._openers.setdefault(path.name.lower(), _file_opener(path))
            else:
                try:
                    archive = zipfile.ZipFile(source)
                except (zipfile.BadZipFile, OSError) as exc:
                    raise TaxonomyError(
                        f"'{source}' is not a readable zip archive ({exc}). The download may be "
                        "truncated: delete it and download it again."
                    ) from None
                check_zip(archive, source)
                for name in archive.namelist():
                    if name.lower().endswith(".csv"):
                        base = name.rsplit("/", 1)[-1].lower()
                        self._openers.setdefault(base, _zip_opener(archive, name))

    def find(self, *names: str) -> Callable[[], IO[bytes]] | None:
        for name in names:
            opener = self._openers.get(name.lower())
            if opener is not None:
                return opener
        return None


def _file_opener(path: Path) -> Callable[[], IO[bytes]]:
    return lambda: path.open("rb")


def _zip_opener(archive: zipfile.ZipFile, name: str) -> Callable[[], IO[bytes]]:
    return lambda: io.BytesIO(archive.read(name))


def discover_esco_sources(path: Path, *, version: str | None, language: str) -> tuple[list[Path], str]:
    """Which zips/folders under `path` hold ESCO `version` in `language`, and the version found.

    `path` may be one ESCO zip (its sibling relations zip is picked up too), a folder of
    ESCO zips (as downloaded; several versions may sit side by side), or a folder of
    extracted CSV files.
    """
    path = Path(path).expanduser()
    if not path.exists():
        raise TaxonomyNotFoundError(
            f"No ESCO files at '{path}'. Pass the folder holding the ESCO CSV zips, one of the "
            "zips, or a folder of extracted CSVs; or set SKILLX_ESCO to such a folder."
        )
    if path.is_file() and path.suffix.lower() == ".csv":  # e.g. .../skills_en.csv: read its folder
        path = path.parent
    folder = path.parent if path.is_file() else path
    zips = {p: ZIP_NAME.search(p.name) for p in folder.glob("*.zip")}
    official = {p: m for p, m in zips.items() if m}
    if path.is_file():
        match = official.get(path)
        found_version = version or (match.group("version") if match else "")
        chosen = [path] + [
            p
            for p, m in official.items()
            if p != path and m.group("lang") == "" and m.group("version") == found_version
        ]
        return chosen, found_version
    if official:
        versions = sorted({m.group("version") for m in official.values()})
        if version is None:
            version = versions[-1]
        chosen = [
            p
            for p, m in sorted(official.items())
            if m.group("version") == version and m.group("lang") in (language, "")
        ]
        if not any(official[p].group("lang") == language for p in chosen):
            have = sorted(
                {f"v{m.group('version')} ({m.group('lang') or 'relations'})" for m in official.values()}
            )
            raise TaxonomyNotFoundError(
                f"'{folder}' has no ESCO v{version} classification zip for language '{language}' "
                f"(found: {', '.join(have)}). Download '{zip_name(version, language)}' from the "
                "ESCO portal into that folder, or ask for a version/language that is there."
            )
        return chosen, version
    return [path], version or ""


def read_esco_csv(path: str | Path, *, esco_version: str | None = None, language: str = "en") -> Taxonomy:
    """Read the official ESCO CSV download into a `Taxonomy`.

    Args:
        path: An ESCO zip, a folder of ESCO zips, or a folder of extracted CSV files.
        esco_version: ESCO version such as ``"1.1.0"``; the newest one found when None.
        language: ESCO language code of the labels (``"en"``, ``"de"``, ...).

    Returns:
        The taxonomy with skills (from ``skills_<lang>.csv``), groups, broader links and
        skill-skill relations (relation files with or without the ``_<lang>`` suffix).

    Raises:
        TaxonomyNotFoundError: If the files are not there.
        TaxonomyError: If a file is truncated, not UTF-8, or lacks required columns.
    """
    sources, found_version = discover_esco_sources(Path(path), version=esco_version, language=language)
    files = _CsvFiles(sources)
    skills_file = files.find(f"skills_{language}.csv")
    if skills_file is None:
        raise TaxonomyNotFoundError(
            f"No 'skills_{language}.csv' in {', '.join(map(str, sources))}. Expected the ESCO "
            f"classification download for language '{language}' "
            f"('{zip_name(found_version or '<version>', language)}')."
        )
    skills = _read_table(skills_file, f"skills_{language}.csv", SKILL_COLUMNS)
    groups_file = files.find(f"skillGroups_{language}.csv")
    groups = (
        _read_table(groups_file, f"skillGroups_{language}.csv", SKILL_COLUMNS)
        if groups_file
        else pd.DataFrame(columns=list(SKILL_COLUMNS))
    )
    broader_file = files.find(
        "broaderRelationsSkillPillar.csv", f"broaderRelationsSkillPillar_{language}.csv"
    )
    broader: dict[str, list[str]] = defaultdict(list)
    if broader_file is not None:
        links = _read_table(broader_file, "broaderRelationsSkillPillar.csv", ("conceptUri", "broaderUri"))
        for child, parent in zip(links["conceptUri"], links["broaderUri"], strict=True):
            broader[child].append(parent)
    relations_file = files.find("skillSkillRelations.csv", f"skillSkillRelations_{language}.csv")
    relations: list[SkillRelation] = []
    if relations_file is not None:
        rel = _read_table(
            relations_file,
            "skillSkillRelations.csv",
            ("originalSkillUri", "relatedSkillUri", "relationType"),
        )
        relations = [
            SkillRelation(s, t, r or "related")
            for s, t, r in zip(
                rel["originalSkillUri"], rel["relatedSkillUri"], rel["relationType"], strict=True
            )
        ]
    source = f"skills_{language}.csv"
    skill_list, unlabelled = _labelled(_skill(row, broader) for row in skills.itertuples(index=False))
    warn_skipped(unlabelled, source, "with an empty conceptUri or preferredLabel")
    group_list, unlabelled = _labelled(_group(row, broader) for row in groups.itertuples(index=False))
    warn_skipped(unlabelled, f"skillGroups_{language}.csv", "with an empty conceptUri or preferredLabel")
    warn_duplicate_labels(skill_list, source)
    check_acyclic(broader, "broaderRelationsSkillPillar.csv")
    return Taxonomy(
        skill_list,
        group_list,
        relations,
        name="ESCO",
        version=found_version,
        language=language,
    )


def _labelled(concepts: Iterable[_Concept]) -> tuple[list[_Concept], list[str]]:
    """The concepts with a URI and a preferred label, and the URIs (or row numbers) of the others."""
    kept: list[_Concept] = []
    skipped: list[str] = []
    for row, concept in enumerate(concepts, start=2):  # row 1 is the header
        if concept.uri and concept.preferred_label:
            kept.append(concept)
        else:
            skipped.append(concept.uri or f"row {row}")
    return kept, skipped


def _lines(cell: str) -> tuple[str, ...]:
    """ESCO packs several labels in one cell, newline-separated."""
    return tuple(dict.fromkeys(line.strip() for line in cell.splitlines() if line.strip()))


def _skill(row: object, broader: dict[str, list[str]]) -> Skill:
    get = row._asdict().get  # type: ignore[attr-defined]
    uri = get("conceptUri").strip()
    return Skill(
        uri=uri,
        preferred_label=get("preferredLabel").strip(),
        alt_labels=_lines(get("altLabels", "")),
        hidden_labels=_lines(get("hiddenLabels", "")),
        description=(get("description", "") or get("definition", "")).strip(),
        skill_type=get("skillType", "").strip(),
        reuse_level=get("reuseLevel", "").strip(),
        broader=tuple(dict.fromkeys(broader.get(uri, ()))),
    )


def _group(row: object, broader: dict[str, list[str]]) -> SkillGroup:
    get = row._asdict().get  # type: ignore[attr-defined]
    uri = get("conceptUri").strip()
    return SkillGroup(
        uri=uri,
        preferred_label=get("preferredLabel").strip(),
        alt_labels=_lines(get("altLabels", "")),
        description=get("description", "").strip(),
        code=get("code", "").strip(),
        broader=tuple(dict.fromkeys(broader.get(uri, ()))),
    )


def _read_table(opener: Callable[[], IO[bytes]], name: str, required: tuple[str, ...]) -> pd.DataFrame:
    try:
        with opener() as handle:
            frame = pd.read_csv(handle, dtype=str, keep_default_na=False, encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise TaxonomyError(
            f"'{name}' is not UTF-8 ({exc.reason} at byte {exc.start}). ESCO files are UTF-8: "
            "download the file again instead of re-saving it from a spreadsheet."
        ) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, zipfile.BadZipFile, EOFError) as exc:
        raise TaxonomyError(
            f"'{name}' could not be parsed as CSV ({str(exc).strip()}). The file may be truncated: "
            "download it again."
        ) from None
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise TaxonomyError(
            f"'{name}' lacks the column(s) {', '.join(missing)}; "
            f"it has {', '.join(map(str, frame.columns))}. "
            "Expected the official ESCO CSV layout (e.g. conceptUri, preferredLabel, altLabels)."
        )
    return frame

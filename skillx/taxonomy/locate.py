"""Find a taxonomy the way users have it, read it, and cache the parsed result.

Resolution order of `load_taxonomy`:

1. ``source``: an ESCO zip, a folder of ESCO zips, a folder of extracted ESCO CSVs, or an
   RDF file (``.ttl``, ``.rdf``, ``.nt``, ...) read as SKOS;
2. ``$SKILLX_ESCO``: a folder holding the official ESCO zips (skipped when it lacks the
   requested version and language);
3. the user cache ``cache_dir("esco")``: zips downloaded before;
4. the official download (``$SKILLX_ESCO_URL`` overrides the base URL), verified against the
   manifest's sha256s, into the user cache.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from skillx.errors import TaxonomyError, TaxonomyNotFoundError
from skillx.paths import ESCO_ENV
from skillx.taxonomy.cache import cached
from skillx.taxonomy.download import download_esco, esco_cache_dir
from skillx.taxonomy.esco_csv import ZIP_NAME, read_esco_csv
from skillx.taxonomy.manifest import EscoManifest, load_manifest, zip_name
from skillx.taxonomy.model import Taxonomy
from skillx.taxonomy.skos import RDF_SUFFIXES, is_rdf_path, read_skos


@dataclass(frozen=True)
class TaxonomySource:
    """Where a taxonomy was found.

    Attributes:
        kind: ``"esco-csv"`` or ``"skos"``.
        path: The file or folder to read.
        origin: ``"argument"``, ``"SKILLX_ESCO"``, ``"cache"`` or ``"download"``.
        version: Version to read (``""`` when the source does not say).
        language: Language of the labels.
    """

    kind: str
    path: Path
    origin: str
    version: str
    language: str

    def describe(self) -> str:
        """One line for humans, e.g. ``ESCO CSV at /data/esco (from SKILLX_ESCO)``."""
        what = "SKOS RDF" if self.kind == "skos" else "ESCO CSV"
        return f"{what} at {self.path} (from {self.origin})"


def _has_zips(folder: Path, version: str, language: str) -> bool:
    return all((folder / name).is_file() for name in (zip_name(version, language), zip_name(version, "")))


def locate_taxonomy(
    source: str | os.PathLike[str] | None = None,
    *,
    esco_version: str = "1.1.0",
    language: str = "en",
    download: bool = True,
    manifest: EscoManifest | None = None,
) -> TaxonomySource:
    """Resolve where the taxonomy comes from, downloading ESCO into the cache if needed.

    Args:
        source: Explicit path; see the module docs for what it may be.
        esco_version: ESCO version.
        language: Label language.
        download: Allow step 4 (the official download).
        manifest: Versions, languages and checksums; default the packaged manifest.

    Raises:
        TaxonomyNotFoundError: If an explicit path or ``$SKILLX_ESCO`` does not exist, or nothing
            is found and `download` is False.
        UnknownVersionError: If an ESCO version or language is not in the manifest.
    """
    if source is not None:
        path = Path(source).expanduser()
        if not path.exists():
            raise TaxonomyNotFoundError(
                f"No taxonomy at '{path}'. Pass an ESCO CSV zip, a folder of ESCO zips or CSVs, or a SKOS "
                "file (.ttl, .rdf, .nt)."
            )
        if path.is_file() and is_rdf_path(path):
            return TaxonomySource("skos", path, "argument", "", language)
        if path.is_file() and path.suffix.lower() not in (".zip", ".csv"):
            raise TaxonomyError(
                f"Cannot read '{path.name}': expected an ESCO CSV zip (.zip), an ESCO CSV file or folder, or "
                f"a SKOS file ({', '.join(sorted(RDF_SUFFIXES))}). For RDF with another suffix use "
                "skillx.read_skos(path, format=...)."
            )
        match = ZIP_NAME.search(path.name) if path.is_file() else None
        if match and match.group("version") != esco_version.lstrip("vV"):
            raise TaxonomyNotFoundError(
                f"'{path.name}' is ESCO v{match.group('version')} but esco_version='{esco_version}' was "
                f"asked. Pass esco_version='{match.group('version')}', or the folder holding the "
                f"v{esco_version} zips."
            )
        return TaxonomySource("esco-csv", path, "argument", esco_version.lstrip("vV"), language)

    manifest = manifest or load_manifest()
    esco_version = manifest.check_version(esco_version)
    language = manifest.check_language(language)
    env = os.environ.get(ESCO_ENV, "").strip()
    if env:
        folder = Path(env).expanduser()
        if not folder.is_dir():
            raise TaxonomyNotFoundError(
                f"{ESCO_ENV}='{env}' is not a folder. Point it at the folder holding the ESCO CSV zips, or "
                "unset it to use the user cache and the official download."
            )
        if _has_zips(folder, esco_version, language):
            return TaxonomySource("esco-csv", folder, ESCO_ENV, esco_version, language)
    cache = esco_cache_dir()
    if _has_zips(cache, esco_version, language):
        return TaxonomySource("esco-csv", cache, "cache", esco_version, language)
    if not download:
        raise TaxonomyNotFoundError(
            f"ESCO v{esco_version} ({language}) is not in {ESCO_ENV} or the cache '{cache}'. Run "
            f"'skillx taxonomy download --esco-version {esco_version} --language {language}' or pass a path."
        )
    download_esco(esco_version, language, dest=cache, manifest=manifest)
    return TaxonomySource("esco-csv", cache, "download", esco_version, language)


def read_source(found: TaxonomySource, *, cache: bool = True) -> Taxonomy:
    """Read a located taxonomy, through the parsed-taxonomy cache unless `cache` is False."""
    if found.kind == "skos":
        return cached(
            [found.path],
            lambda: read_skos(found.path, language=found.language),
            reader="skos",
            version="",
            language=found.language,
            enabled=cache,
        )
    sources = _esco_files(found)
    return cached(
        sources,
        lambda: read_esco_csv(found.path, esco_version=found.version or None, language=found.language),
        reader="esco-csv",
        version=found.version,
        language=found.language,
        enabled=cache,
    )


def _esco_files(found: TaxonomySource) -> list[Path]:
    """The files that key the cache: the two zips when present, else the path itself."""
    folder = found.path if found.path.is_dir() else found.path.parent
    if found.version and _has_zips(folder, found.version, found.language):
        return [folder / zip_name(found.version, found.language), folder / zip_name(found.version, "")]
    return [folder if found.path.suffix.lower() == ".csv" else found.path]


def load_taxonomy(
    source: str | os.PathLike[str] | None = None,
    *,
    esco_version: str = "1.1.0",
    language: str = "en",
    cache: bool = True,
) -> Taxonomy:
    """Load ESCO (or a custom SKOS taxonomy), finding the files the way users have them.

    Args:
        source: An ESCO CSV zip, a folder of ESCO zips or extracted CSVs, or a SKOS RDF file. When
            None: ``$SKILLX_ESCO``, then the user cache, then the official ESCO download.
        esco_version: ESCO version (``"1.1.0"``); ignored for SKOS files.
        language: Label language (an ESCO language code for ESCO).
        cache: Reuse / store the parsed taxonomy under ``cache_dir("taxonomy")``.

    Returns:
        The taxonomy.

    Raises:
        TaxonomyNotFoundError: If the path does not exist or holds no taxonomy.
        UnknownVersionError: If the ESCO version or language is unknown.
        ChecksumMismatchError: If a downloaded zip does not match the manifest.
        TaxonomyError: If the files cannot be read.

    Example:
        >>> import skillx
        >>> t = skillx.load_taxonomy("taxonomy/toy/toy.ttl")  # doctest: +SKIP
        >>> len(t)  # doctest: +SKIP
        44
    """
    return read_source(locate_taxonomy(source, esco_version=esco_version, language=language), cache=cache)

"""The ESCO manifest: known versions, languages, download URL, zip sha256s and the size cap.

Only zips whose sha256 is recorded here are downloaded without an explicit opt-in
(`skillx.taxonomy.download.download_esco`, ``allow_unverified``).

The single source is ``taxonomy/esco_manifest.json`` in the repository; the package reads it
through ``skillx/data/esco_manifest.json`` (a symlink that wheels turn into a copy).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from skillx.errors import TaxonomyError, UnknownVersionError, unknown_version

DEFAULT_DOWNLOAD_URL = "https://ec.europa.eu/esco/download/"
DEFAULT_MAX_DOWNLOAD_BYTES = 256 << 20
"""Largest zip skillx downloads (the official ones are 3 to 5 MB)."""


def zip_name(version: str, language: str) -> str:
    """File name of an official ESCO CSV zip; ``language=""`` gives the relations zip."""
    return f"ESCO dataset - v{version} - classification - {language} - csv.zip"


@dataclass(frozen=True)
class EscoManifest:
    """What skillx knows about the published ESCO CSV downloads.

    Attributes:
        versions: Known ESCO versions, oldest first.
        languages: ESCO language codes.
        sha256: Zip file name -> sha256 hex digest, for the zips skillx verified.
        download_url: Base URL; a zip's URL is this plus the URL-quoted zip name.
        default_version: The version skillx uses when none is given.
        max_download_bytes: Largest zip a download may deliver.
    """

    versions: tuple[str, ...]
    languages: tuple[str, ...]
    sha256: dict[str, str] = field(default_factory=dict)
    download_url: str = DEFAULT_DOWNLOAD_URL
    default_version: str = "1.1.0"
    max_download_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES

    def check_version(self, version: str) -> str:
        """`version` without a leading ``v``, if known.

        Raises:
            UnknownVersionError: If the manifest does not list it.
        """
        clean = version.strip().lstrip("vV")
        if clean not in self.versions:
            raise unknown_version(version, self.versions)
        return clean

    def check_language(self, language: str) -> str:
        """`language` in lower case, if ESCO publishes it.

        Raises:
            UnknownVersionError: If ESCO has no such language.
        """
        clean = language.strip().lower()
        if clean not in self.languages:
            raise UnknownVersionError(
                f"Unknown ESCO language '{language}'. ESCO languages: {', '.join(self.languages)}. "
                "Pass one of these as `language=`, or read a custom SKOS file with its own language."
            )
        return clean

    def zip_names(self, version: str, language: str) -> tuple[str, str]:
        """The classification zip of `language` and the relations zip of `version`."""
        return zip_name(version, language), zip_name(version, "")

    def checksum(self, name: str) -> str | None:
        """Recorded sha256 of zip `name`, or None (not verified by skillx)."""
        return self.sha256.get(name)


def manifest_path() -> Path:
    """Where the packaged manifest is."""
    return Path(str(resources.files("skillx") / "data" / "esco_manifest.json"))


def load_manifest(path: str | Path | None = None) -> EscoManifest:
    """Read the ESCO manifest (the packaged one by default).

    Raises:
        TaxonomyError: If the file is missing or malformed.
    """
    source = Path(path) if path is not None else manifest_path()
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
        versions = data["versions"]
        sha256 = {
            name: str(digest).lower()
            for info in versions.values()
            for name, digest in info.get("sha256", {}).items()
        }
        return EscoManifest(
            versions=tuple(sorted(versions, key=_version_key)),
            languages=tuple(data["languages"]),
            sha256=sha256,
            download_url=data.get("download_url", DEFAULT_DOWNLOAD_URL),
            default_version=data.get("default_version", "1.1.0"),
            max_download_bytes=int(data.get("max_download_bytes", DEFAULT_MAX_DOWNLOAD_BYTES)),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise TaxonomyError(
            f"The ESCO manifest '{source}' is missing or malformed ({exc}). Reinstall skillx, or restore "
            "taxonomy/esco_manifest.json in a source checkout."
        ) from None


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else 0 for part in version.split("."))

"""Download the official ESCO CSV zips into the user cache: progress bar, atomic write, md5 check."""

from __future__ import annotations

import hashlib
import http.client
import os
import sys
import urllib.error
import urllib.request
import warnings
from pathlib import Path
from urllib.parse import quote

from skillx.errors import ChecksumMismatchError, TaxonomyError
from skillx.io import AtomicFile
from skillx.paths import cache_dir
from skillx.taxonomy.manifest import EscoManifest, load_manifest

URL_ENV = "SKILLX_ESCO_URL"
_CHUNK = 1 << 16


def esco_cache_dir() -> Path:
    """Where downloaded ESCO zips are kept: ``cache_dir("esco")``."""
    return cache_dir("esco")


def download_url(name: str, *, base_url: str | None = None, manifest: EscoManifest | None = None) -> str:
    """URL of ESCO zip `name`: ``$SKILLX_ESCO_URL`` or the manifest's base URL plus the quoted name."""
    base = base_url or os.environ.get(URL_ENV) or (manifest or load_manifest()).download_url
    return base.rstrip("/") + "/" + quote(name)


def download_esco(
    esco_version: str = "1.1.0",
    language: str = "en",
    *,
    dest: str | Path | None = None,
    base_url: str | None = None,
    manifest: EscoManifest | None = None,
    progress: bool = True,
    timeout: float = 60.0,
) -> list[Path]:
    """Download the ESCO classification zip of `language` and the relations zip of `esco_version`.

    Zips already in `dest` with the recorded checksum are not fetched again. Each file is
    written to a temporary name and renamed only once it is complete and verified, so a failed
    or interrupted download leaves no partial file.

    Args:
        esco_version: ESCO version, e.g. ``"1.1.0"``.
        language: ESCO language code, e.g. ``"en"``.
        dest: Target folder; default ``cache_dir("esco")``.
        base_url: Download base URL; default ``$SKILLX_ESCO_URL`` or the manifest's
            (``https://ec.europa.eu/esco/download/``).
        manifest: Versions, languages and checksums; default the packaged manifest.
        progress: Show a progress bar on stderr.
        timeout: Socket timeout in seconds.

    Returns:
        Paths of the two zips.

    Raises:
        UnknownVersionError: If the version or language is not in the manifest.
        ChecksumMismatchError: If a downloaded zip does not match its recorded md5 (it is deleted).
        TaxonomyError: If the server cannot be reached or the transfer breaks off.
    """
    manifest = manifest or load_manifest()
    esco_version = manifest.check_version(esco_version)
    language = manifest.check_language(language)
    folder = Path(dest).expanduser() if dest is not None else esco_cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in manifest.zip_names(esco_version, language):
        target = folder / name
        expected = manifest.checksum(name)
        if target.is_file() and (expected is None or md5sum(target) == expected):
            paths.append(target)
            continue
        url = download_url(name, base_url=base_url, manifest=manifest)
        _fetch(url, target, progress=progress, timeout=timeout)
        _verify(target, expected, url)
        paths.append(target)
    return paths


def md5sum(path: Path) -> str:
    """md5 hex digest of a file."""
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _verify(path: Path, expected: str | None, url: str) -> None:
    if expected is None:
        warnings.warn(
            f"No checksum is recorded for '{path.name}' in the skillx ESCO manifest; it was not verified.",
            stacklevel=3,
        )
        return
    actual = md5sum(path)
    if actual != expected:
        path.unlink(missing_ok=True)
        raise ChecksumMismatchError(
            f"'{path.name}' downloaded from {url} has md5 {actual}, expected {expected}; the file was "
            "removed. Try again later; if it persists, the server published a different file: download "
            "it by hand and pass its folder as `source=` or set SKILLX_ESCO."
        )


def _fetch(url: str, target: Path, *, progress: bool, timeout: float) -> None:
    part = AtomicFile(target, suffix=".part")
    tmp = part.path
    try:
        try:
            response = urllib.request.urlopen(url, timeout=timeout)
        except urllib.error.HTTPError as exc:
            raise TaxonomyError(
                f"Downloading {url} failed: HTTP {exc.code} {exc.reason}. Check the version and language "
                f"exist on the ESCO portal, or set SKILLX_ESCO to a folder holding '{target.name}'."
            ) from None
        with response:
            total = int(response.headers.get("Content-Length") or 0) or None
            received = 0
            bar = _progress_bar(target.name, total, enabled=progress)
            try:
                with tmp.open("wb") as out:
                    while True:
                        block = response.read(_CHUNK)
                        if not block:
                            break
                        out.write(block)
                        received += len(block)
                        bar.update(len(block))
            finally:
                bar.close()
        if total is not None and received != total:
            raise TaxonomyError(
                f"Downloading {url} broke off after {received} of {total} bytes; nothing was kept. "
                "Run the command again."
            )
        part.commit()
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise TaxonomyError(
            f"Downloading {url} failed ({type(exc).__name__}: {reason}); nothing was kept. Check the network "
            "(or SKILLX_ESCO_URL), or download the zip by hand and set SKILLX_ESCO to its folder."
        ) from None
    finally:
        part.discard()


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _progress_bar(name: str, total: int | None, *, enabled: bool) -> _NoBar:
    if not enabled:
        return _NoBar()
    from tqdm.auto import tqdm

    bar: _NoBar = tqdm(
        total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=name, file=sys.stderr, leave=False
    )
    return bar

"""Download the official ESCO CSV zips into the user cache, verified by sha256.

Guarantees (docs/robustness.md):

* A zip is published into the cache only after its sha256 matched the manifest: it is
  streamed to a temporary file in the same folder, hashed on the way, and renamed when it
  checks out. A failed, interrupted or mismatching download leaves nothing behind.
* A zip whose sha256 the manifest does not record is refused unless the caller opts in
  (``allow_unverified=True`` or ``SKILLX_ALLOW_UNVERIFIED=1``); then the sha256 it saw is
  logged and written beside the zip (``<zip>.sha256``), and later runs check the zip against
  that record (trust on first use).
* Redirects are followed only to the host of the download URL (and never from https to
  http); a download larger than ``max_download_bytes`` is stopped.
"""

from __future__ import annotations

import hashlib
import http.client
import logging
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote, urlsplit

from skillx.errors import ChecksumMismatchError, TaxonomyError, UnverifiedDownloadError
from skillx.io import AtomicFile
from skillx.paths import cache_dir
from skillx.taxonomy.manifest import EscoManifest, load_manifest

logger = logging.getLogger("skillx")

URL_ENV = "SKILLX_ESCO_URL"
ALLOW_UNVERIFIED_ENV = "SKILLX_ALLOW_UNVERIFIED"
"""Set to ``1`` to accept zips without a recorded sha256 (see `download_esco`)."""
SEEN_SUFFIX = ".sha256"
_CHUNK = 1 << 16


def esco_cache_dir() -> Path:
    """Where downloaded ESCO zips are kept: ``cache_dir("esco")``."""
    return cache_dir("esco")


def download_url(name: str, *, base_url: str | None = None, manifest: EscoManifest | None = None) -> str:
    """URL of ESCO zip `name`: ``$SKILLX_ESCO_URL`` or the manifest's base URL plus the quoted name."""
    base = base_url or os.environ.get(URL_ENV) or (manifest or load_manifest()).download_url
    return base.rstrip("/") + "/" + quote(name)


def unverified_allowed(allow_unverified: bool | None = None) -> bool:
    """The caller's opt-in, else ``$SKILLX_ALLOW_UNVERIFIED`` (``1``/``true``/``yes``)."""
    if allow_unverified is not None:
        return bool(allow_unverified)
    return os.environ.get(ALLOW_UNVERIFIED_ENV, "").strip().lower() in ("1", "true", "yes")


def download_esco(
    esco_version: str = "1.1.0",
    language: str = "en",
    *,
    dest: str | Path | None = None,
    base_url: str | None = None,
    manifest: EscoManifest | None = None,
    progress: bool = True,
    timeout: float = 60.0,
    allow_unverified: bool | None = None,
    max_bytes: int | None = None,
) -> list[Path]:
    """Download the ESCO classification zip of `language` and the relations zip of `esco_version`.

    Zips already in `dest` with the expected sha256 are not fetched again. Each file is
    written to a temporary name and renamed only once it is complete and verified, so a failed
    or interrupted download leaves no file.

    Args:
        esco_version: ESCO version, e.g. ``"1.1.0"``.
        language: ESCO language code, e.g. ``"en"``.
        dest: Target folder; default ``cache_dir("esco")``.
        base_url: Download base URL; default ``$SKILLX_ESCO_URL`` or the manifest's
            (``https://ec.europa.eu/esco/download/``). Redirects may not leave its host.
        manifest: Versions, languages and sha256s; default the packaged manifest.
        progress: Show a progress bar on stderr.
        timeout: Socket timeout in seconds.
        allow_unverified: Accept zips whose sha256 the manifest does not record (their
            sha256 is logged and kept beside the zip). None reads ``$SKILLX_ALLOW_UNVERIFIED``.
        max_bytes: Largest zip accepted; default the manifest's ``max_download_bytes``.

    Returns:
        Paths of the two zips.

    Raises:
        UnknownVersionError: If the version or language is not in the manifest.
        UnverifiedDownloadError: If a zip has no recorded sha256 and no opt-in was given, a
            redirect leaves the download host, or the file is larger than `max_bytes`.
        ChecksumMismatchError: If a downloaded zip does not match its sha256 (nothing is kept).
        TaxonomyError: If the server cannot be reached or the transfer breaks off.
    """
    manifest = manifest or load_manifest()
    esco_version = manifest.check_version(esco_version)
    language = manifest.check_language(language)
    limit = manifest.max_download_bytes if max_bytes is None else int(max_bytes)
    allowed = unverified_allowed(allow_unverified)
    names = manifest.zip_names(esco_version, language)
    unknown = [name for name in names if manifest.checksum(name) is None]
    if unknown and not allowed:
        raise UnverifiedDownloadError(
            f"skillx has no sha256 for '{unknown[0]}', so it cannot verify that download and "
            f"will not fetch it. Verified versions: {', '.join(_verified_versions(manifest)) or 'none'}. "
            "Use one of those, download the zips by hand and pass their folder (or set SKILLX_ESCO), "
            f"or opt in with allow_unverified=True (or {ALLOW_UNVERIFIED_ENV}=1): the sha256 seen "
            "is then recorded beside the zip."
        )
    folder = Path(dest).expanduser() if dest is not None else esco_cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in names:
        target = folder / name
        expected = manifest.checksum(name)
        seen_file = target.with_name(target.name + SEEN_SUFFIX)
        if target.is_file():
            known = expected or _read_seen(seen_file)
            if known is not None and sha256sum(target) == known:
                paths.append(target)
                continue
        url = download_url(name, base_url=base_url, manifest=manifest)
        digest = _fetch(url, target, expected, progress=progress, timeout=timeout, max_bytes=limit)
        if expected is None:
            seen_file.write_text(digest + "\n", encoding="ascii")
            logger.warning(
                "skillx: '%s' is not verified by skillx (no recorded sha256); accepted because "
                "unverified downloads were allowed. sha256 seen: %s (kept in %s).",
                name,
                digest,
                seen_file,
            )
        paths.append(target)
    return paths


def sha256sum(path: Path) -> str:
    """sha256 hex digest of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _verified_versions(manifest: EscoManifest) -> list[str]:
    return [v for v in manifest.versions if any(f" - v{v} - " in name for name in manifest.sha256)]


def _read_seen(path: Path) -> str | None:
    try:
        value = path.read_text(encoding="ascii").strip().lower()
    except (OSError, UnicodeDecodeError):
        return None
    return value if len(value) == 64 else None


class _SameHostRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to the host of the first URL, and never from https to http."""

    def redirect_request(
        self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str, headers: Any, newurl: str
    ) -> urllib.request.Request | None:
        old, new = urlsplit(req.full_url), urlsplit(newurl)
        if new.hostname != old.hostname or (old.scheme == "https" and new.scheme != "https"):
            raise UnverifiedDownloadError(
                f"Downloading {req.full_url} was redirected to {newurl}, outside {old.hostname}; "
                "skillx does not follow redirects to other hosts. Download the zip by hand from the "
                "ESCO portal and set SKILLX_ESCO to its folder."
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _open(url: str, timeout: float) -> Any:
    return urllib.request.build_opener(_SameHostRedirects).open(url, timeout=timeout)


def _fetch(
    url: str, target: Path, expected: str | None, *, progress: bool, timeout: float, max_bytes: int
) -> str:
    """Stream `url` to a temporary file, check size and sha256, publish as `target`; the digest."""
    part = AtomicFile(target, suffix=".part")
    tmp = part.path
    try:
        try:
            response = _open(url, timeout)
        except urllib.error.HTTPError as exc:
            raise TaxonomyError(
                f"Downloading {url} failed: HTTP {exc.code} {exc.reason}. Check the version and language "
                f"exist on the ESCO portal, or set SKILLX_ESCO to a folder holding '{target.name}'."
            ) from None
        with response:
            total = int(response.headers.get("Content-Length") or 0) or None
            if total is not None and total > max_bytes:
                raise _too_large(url, total, max_bytes)
            received = 0
            digest = hashlib.sha256()
            bar = _progress_bar(target.name, total, enabled=progress)
            try:
                with tmp.open("wb") as out:
                    while True:
                        block = response.read(_CHUNK)
                        if not block:
                            break
                        received += len(block)
                        if received > max_bytes:
                            raise _too_large(url, received, max_bytes)
                        out.write(block)
                        digest.update(block)
                        bar.update(len(block))
            finally:
                bar.close()
        if total is not None and received != total:
            raise TaxonomyError(
                f"Downloading {url} broke off after {received} of {total} bytes; nothing was kept. "
                "Run the command again."
            )
        actual = digest.hexdigest()
        if expected is not None and actual != expected:
            raise ChecksumMismatchError(
                f"'{target.name}' downloaded from {url} has sha256 {actual}, expected {expected}; "
                "nothing was kept (the file was removed). Try again later; if it persists, the server "
                "published a different file: download it by hand and pass its folder as `source=` "
                "or set SKILLX_ESCO."
            )
        part.commit()
        return actual
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        if isinstance(reason, TaxonomyError):  # a refused redirect, wrapped by urllib
            raise reason from None
        raise TaxonomyError(
            f"Downloading {url} failed ({type(exc).__name__}: {reason}); nothing was kept. Check the network "
            "(or SKILLX_ESCO_URL), or download the zip by hand and set SKILLX_ESCO to its folder."
        ) from None
    finally:
        part.discard()


def _too_large(url: str, size: int, limit: int) -> UnverifiedDownloadError:
    return UnverifiedDownloadError(
        f"Downloading {url} was stopped: {size} bytes is more than the {limit}-byte cap (the official "
        "ESCO zips are a few MB); nothing was kept. Pass max_bytes= if the file is genuine."
    )


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

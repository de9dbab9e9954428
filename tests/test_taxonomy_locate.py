"""Finding the taxonomy: explicit path, SKILLX_ESCO, user cache, download (local server), cache, CLI."""

from __future__ import annotations

import hashlib
import http.server
import threading
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest
import typer
from typer.testing import CliRunner

import skillx
from skillx.errors import (
    ChecksumMismatchError,
    TaxonomyError,
    TaxonomyNotFoundError,
    UnknownVersionError,
    UnverifiedDownloadError,
)
from skillx.paths import cache_dir
from skillx.taxonomy import EscoManifest, download_esco, load_manifest, load_taxonomy, locate_taxonomy
from skillx.taxonomy import locate as locate_module
from skillx.taxonomy.cache import taxonomy_cache_dir
from skillx.taxonomy.manifest import manifest_path, zip_name

LABELS_110 = zip_name("1.1.0", "en")
RELATIONS_110 = zip_name("1.1.0", "")


@pytest.fixture(autouse=True)
def _clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SKILLX_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("SKILLX_ESCO", raising=False)
    monkeypatch.delenv("SKILLX_ESCO_URL", raising=False)


class EscoServer:
    """A local HTTP server standing in for ec.europa.eu/esco/download/."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.mode = "ok"  # "ok" | "drop" (close the connection half-way) | "no-length"
        self.requests: list[str] = []
        self.redirects: dict[str, str] = {}  # file name -> Location
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                name = unquote(self.path.rsplit("/", 1)[-1])
                server.requests.append(name)
                if name in server.redirects:
                    self.send_response(302)
                    self.send_header("Location", server.redirects[name])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                data = server.files.get(name)
                if data is None:
                    self.send_error(404, "Not Found")
                    return
                self.send_response(200)
                if server.mode != "no-length":
                    self.send_header("Content-Length", str(len(data)))
                else:
                    self.close_connection = True
                self.end_headers()
                if server.mode == "drop":
                    self.wfile.write(data[: len(data) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/esco/download/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[EscoServer]:
    srv = EscoServer()
    monkeypatch.setenv("SKILLX_ESCO_URL", srv.url)
    yield srv
    srv.close()


@pytest.fixture
def toy_zips(tmp_path: Path, make_esco_zips: Callable[..., list[Path]]) -> dict[str, bytes]:
    """The toy taxonomy as the two official v1.1.0 zips, by file name."""
    paths = make_esco_zips(tmp_path / "zips", "1.1.0")
    return {p.name: p.read_bytes() for p in paths}


def toy_manifest(files: dict[str, bytes]) -> EscoManifest:
    return EscoManifest(
        versions=("1.0.3", "1.1.0"),
        languages=("de", "en"),
        sha256={name: hashlib.sha256(data).hexdigest() for name, data in files.items()},
    )


def no_partial_files(folder: Path) -> bool:
    return not [p for p in folder.rglob("*") if p.name.startswith(".") or p.suffix == ".part"]


# -- manifest ---------------------------------------------------------------------------------
def test_manifest_packaged_copy_is_the_repository_file() -> None:
    repo_file = Path(__file__).resolve().parent.parent / "taxonomy" / "esco_manifest.json"
    assert manifest_path().read_bytes() == repo_file.read_bytes()
    m = load_manifest()
    assert {"1.0.9", "1.1.0", "1.1.1", "1.2.0"} <= set(m.versions)
    # sha256 of the official zips, computed from the files published on the ESCO portal
    assert m.checksum(LABELS_110) == "dd11b53cd0bb2a7dc83faa786bae337fdedefb3cf46c0918e87bea9ba15f2d99"
    assert m.checksum(RELATIONS_110) == "4876891b51e0adae2a120091bc18aac9a7fe718deda4721d86fb166fd695659a"
    assert m.checksum(zip_name("1.1.1", "en")) == (
        "d86de115d120e9266fa7d86f104466fd72a63f8233110028b10e430372bc58a7"
    )
    assert m.checksum(zip_name("1.1.1", "")) == (
        "1612e3e01fbcbb4f37f69e0fe58d441db233142f1e9488280f041b2726977996"
    )
    assert m.checksum(zip_name("1.2.0", "en")) is None
    assert all(len(digest) == 64 for digest in m.sha256.values())
    assert 0 < m.max_download_bytes <= 1 << 30
    assert len(m.languages) == 28 and "en" in m.languages and "uk" in m.languages
    assert m.download_url == "https://ec.europa.eu/esco/download/"


def test_manifest_malformed(tmp_path: Path) -> None:
    bad = tmp_path / "m.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(TaxonomyError, match=r"manifest .* malformed"):
        load_manifest(bad)


def test_unknown_version_lists_available() -> None:
    with pytest.raises(
        UnknownVersionError, match=r"Unknown ESCO version '1.3'. Available: 1.0.3, .*1.1.0, 1.1.1"
    ):
        load_taxonomy(esco_version="1.3")


def test_unknown_language_lists_esco_languages() -> None:
    with pytest.raises(UnknownVersionError, match=r"Unknown ESCO language 'xx'. ESCO languages: ar, bg"):
        load_taxonomy(language="xx")


def test_version_with_v_prefix_is_accepted(tmp_path: Path, toy_zips: dict[str, bytes], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SKILLX_ESCO", str(tmp_path / "zips"))
    assert locate_taxonomy(esco_version="v1.1.0").version == "1.1.0"


# -- resolution order -------------------------------------------------------------------------
def test_locate_explicit_path_beats_env(
    tmp_path: Path, toy_zips: dict[str, bytes], toy_ttl: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SKILLX_ESCO", str(tmp_path / "zips"))
    found = locate_taxonomy(toy_ttl)
    assert (found.kind, found.origin, found.path) == ("skos", "argument", toy_ttl)
    assert len(load_taxonomy(toy_ttl)) == 44


def test_locate_explicit_csv_folder_and_zip(
    tmp_path: Path, toy_zips: dict[str, bytes], toy_taxonomy_dir: Path
) -> None:
    assert locate_taxonomy(toy_taxonomy_dir).kind == "esco-csv"
    assert len(load_taxonomy(toy_taxonomy_dir)) == 44
    t = load_taxonomy(tmp_path / "zips" / LABELS_110)
    assert (len(t), t.version, len(t.relations)) == (44, "1.1.0", 15)


def test_locate_explicit_zip_of_other_version(tmp_path: Path, toy_zips: dict[str, bytes]) -> None:
    expected = r"is ESCO v1.1.0 but esco_version='1.1.1'.*esco_version='1.1.0'"
    with pytest.raises(TaxonomyNotFoundError, match=expected):
        load_taxonomy(tmp_path / "zips" / LABELS_110, esco_version="1.1.1")


def test_locate_explicit_csv_file_and_unknown_file(tmp_path: Path, toy_taxonomy_dir: Path) -> None:
    assert len(load_taxonomy(toy_taxonomy_dir / "skills_en.csv")) == 44
    odd = tmp_path / "skills.json"
    odd.write_text("{}", encoding="utf-8")
    with pytest.raises(TaxonomyError, match=r"Cannot read 'skills.json': expected an ESCO CSV zip"):
        load_taxonomy(odd)


def test_locate_missing_explicit_path(tmp_path: Path) -> None:
    with pytest.raises(TaxonomyNotFoundError, match=r"No taxonomy at"):
        load_taxonomy(tmp_path / "nope.ttl")


def test_locate_env_var(tmp_path: Path, toy_zips: dict[str, bytes], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SKILLX_ESCO", str(tmp_path / "zips"))
    found = locate_taxonomy()
    assert (found.origin, found.path, found.version) == ("SKILLX_ESCO", tmp_path / "zips", "1.1.0")
    assert "from SKILLX_ESCO" in found.describe()
    assert len(load_taxonomy()) == 44


def test_locate_env_var_not_a_folder(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SKILLX_ESCO", str(tmp_path / "missing"))
    with pytest.raises(TaxonomyNotFoundError, match=r"SKILLX_ESCO=.* is not a folder"):
        locate_taxonomy()


def test_locate_env_without_version_falls_back_to_cache(
    tmp_path: Path, make_esco_zips: Callable[..., list[Path]], monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    make_esco_zips(tmp_path / "env", "1.1.1")
    monkeypatch.setenv("SKILLX_ESCO", str(tmp_path / "env"))
    make_esco_zips(cache_dir("esco"), "1.1.0")
    assert locate_taxonomy(esco_version="1.1.1").origin == "SKILLX_ESCO"
    assert locate_taxonomy(esco_version="1.1.0").origin == "cache"


def test_locate_user_cache_without_download(make_esco_zips: Callable[..., list[Path]]) -> None:
    with pytest.raises(TaxonomyNotFoundError, match=r"skillx taxonomy download --esco-version 1.1.0"):
        locate_taxonomy(download=False)
    make_esco_zips(cache_dir("esco"), "1.1.0")
    found = locate_taxonomy(download=False)
    assert (found.origin, found.path) == ("cache", cache_dir("esco"))


# -- download ---------------------------------------------------------------------------------
def test_download_then_cache(server: EscoServer, toy_zips: dict[str, bytes], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    server.files.update(toy_zips)
    monkeypatch.setattr(locate_module, "load_manifest", lambda: toy_manifest(toy_zips))
    found = locate_taxonomy()
    assert found.origin == "download"
    assert sorted(server.requests) == sorted(toy_zips)
    for name, data in toy_zips.items():
        assert (cache_dir("esco") / name).read_bytes() == data
    assert no_partial_files(cache_dir("esco"))
    assert len(load_taxonomy()) == 44
    assert locate_taxonomy().origin == "cache"
    assert len(server.requests) == 2  # nothing fetched twice


def test_download_checksum_mismatch_removes_file(server: EscoServer, toy_zips: dict[str, bytes]) -> None:
    server.files.update(toy_zips)  # the real manifest expects the real ESCO zips
    with pytest.raises(ChecksumMismatchError, match=r"sha256 .*expected dd11b53cd0bb.*nothing was kept"):
        load_taxonomy()
    assert not list(cache_dir("esco").iterdir())


def test_download_http_404_leaves_nothing(server: EscoServer) -> None:
    with pytest.raises(TaxonomyError, match=r"HTTP 404"):
        download_esco("1.1.0", "en", progress=False)
    assert not list(cache_dir("esco").iterdir())


def test_download_connection_dropped_leaves_nothing(server: EscoServer, toy_zips: dict[str, bytes]) -> None:
    server.files.update(toy_zips)
    server.mode = "drop"
    with pytest.raises(TaxonomyError, match=r"nothing was kept"):
        download_esco("1.1.0", "en", manifest=toy_manifest(toy_zips), progress=False)
    assert not list(cache_dir("esco").iterdir())


def test_download_unreachable_server(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("SKILLX_ESCO_URL", f"http://127.0.0.1:{port}/")
    with pytest.raises(TaxonomyError, match=r"Downloading .* failed.*SKILLX_ESCO"):
        download_esco("1.1.0", "en", progress=False, timeout=5)
    assert not list(cache_dir("esco").iterdir())


def _serve_as_103(server: EscoServer, toy_zips: dict[str, bytes]) -> None:
    server.files.update(
        {zip_name("1.0.3", lang): data for lang, data in zip(("en", ""), toy_zips.values(), strict=True)}
    )


def test_download_without_checksum_refused_by_default(
    server: EscoServer, toy_zips: dict[str, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SKILLX_ALLOW_UNVERIFIED", raising=False)
    _serve_as_103(server, toy_zips)
    with pytest.raises(UnverifiedDownloadError, match=r"no sha256 .*v1.0.3.*allow_unverified=True"):
        download_esco("1.0.3", "en", dest=tmp_path / "dest", progress=False)
    assert server.requests == []  # refused before any byte is fetched
    assert not (tmp_path / "dest").exists() or not list((tmp_path / "dest").iterdir())


@pytest.mark.parametrize("opt_in", ["argument", "environment"])
def test_download_without_checksum_opt_in_records_sha256(
    server: EscoServer,
    toy_zips: dict[str, bytes],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    opt_in: str,
) -> None:
    _serve_as_103(server, toy_zips)
    kwargs: dict[str, object] = {}
    if opt_in == "argument":
        kwargs["allow_unverified"] = True
    else:
        monkeypatch.setenv("SKILLX_ALLOW_UNVERIFIED", "1")
    with caplog.at_level("WARNING", logger="skillx"):
        paths = download_esco("1.0.3", "en", dest=tmp_path / "dest", progress=False, **kwargs)  # type: ignore[arg-type]
    assert [p.name for p in paths] == [zip_name("1.0.3", "en"), zip_name("1.0.3", "")]
    for path in paths:
        seen = path.with_name(path.name + ".sha256").read_text(encoding="ascii").strip()
        assert seen == hashlib.sha256(path.read_bytes()).hexdigest()
        assert seen in caplog.text
    assert no_partial_files(tmp_path / "dest")
    download_esco("1.0.3", "en", dest=tmp_path / "dest", progress=False, **kwargs)  # type: ignore[arg-type]
    assert len(server.requests) == 2  # the recorded sha256 verifies the kept zips


def test_download_redirect_to_other_host_refused(server: EscoServer, toy_zips: dict[str, bytes]) -> None:
    server.files.update(toy_zips)
    port = server.url.split(":")[2].split("/")[0]
    server.redirects[LABELS_110] = f"http://localhost:{port}/elsewhere/{LABELS_110}"
    with pytest.raises(UnverifiedDownloadError, match=r"redirected .*outside 127.0.0.1"):
        download_esco("1.1.0", "en", manifest=toy_manifest(toy_zips), progress=False)
    assert not list(cache_dir("esco").iterdir())


def test_download_redirect_within_host_followed(server: EscoServer, toy_zips: dict[str, bytes]) -> None:
    server.files.update(toy_zips)
    server.redirects[LABELS_110] = server.url + "moved/" + "x.zip"
    server.files["x.zip"] = toy_zips[LABELS_110]
    paths = download_esco("1.1.0", "en", manifest=toy_manifest(toy_zips), progress=False)
    assert paths[0].read_bytes() == toy_zips[LABELS_110]


@pytest.mark.parametrize("mode", ["ok", "no-length"])
def test_download_size_cap(server: EscoServer, toy_zips: dict[str, bytes], mode: str) -> None:
    server.files.update(toy_zips)
    server.mode = mode  # with and without a Content-Length announcing the size
    with pytest.raises(UnverifiedDownloadError, match=r"more than the 1000-byte cap.*nothing was kept"):
        download_esco("1.1.0", "en", manifest=toy_manifest(toy_zips), progress=False, max_bytes=1000)
    assert not list(cache_dir("esco").iterdir())


def test_download_mismatch_keeps_nothing_in_cache(server: EscoServer, toy_zips: dict[str, bytes]) -> None:
    junk = {name: b"PK junk " * 1000 for name in toy_zips}
    server.files.update(junk)
    with pytest.raises(ChecksumMismatchError):
        download_esco("1.1.0", "en", manifest=toy_manifest(toy_zips), progress=False)
    assert not list(cache_dir("esco").iterdir())


def test_download_skips_verified_files(server: EscoServer, toy_zips: dict[str, bytes]) -> None:
    server.files.update(toy_zips)
    manifest = toy_manifest(toy_zips)
    download_esco("1.1.0", "en", manifest=manifest, progress=False)
    download_esco("1.1.0", "en", manifest=manifest, progress=False)
    assert len(server.requests) == 2


# -- parsed-taxonomy cache --------------------------------------------------------------------
def test_parsed_cache_warm_load_skips_parsing(toy_taxonomy_dir: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    cold = load_taxonomy(toy_taxonomy_dir)
    (entry,) = [p for p in taxonomy_cache_dir().iterdir()]
    assert sorted(p.name for p in entry.iterdir()) == [
        "groups.parquet",
        "meta.json",
        "relations.parquet",
        "skills.parquet",
    ]

    def no_parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr(locate_module, "read_esco_csv", no_parse)
    warm = load_taxonomy(toy_taxonomy_dir)
    assert warm.fingerprint == cold.fingerprint
    assert warm.skills == cold.skills and warm.groups == cold.groups and warm.relations == cold.relations
    warm._fingerprint = None  # the stored fingerprint is the real one
    assert warm.fingerprint == cold.fingerprint
    with pytest.raises(AssertionError, match=r"parsed again"):
        load_taxonomy(toy_taxonomy_dir, cache=False)


def test_parsed_cache_invalidated_by_source_change(tmp_path: Path, toy_ttl: Path) -> None:
    path = tmp_path / "toy.ttl"
    path.write_bytes(toy_ttl.read_bytes())
    first = load_taxonomy(path)
    path.write_text(path.read_text("utf-8").replace('"SQL"@en', '"SQL (query language)"@en'), "utf-8")
    second = load_taxonomy(path)
    assert second.fingerprint != first.fingerprint
    assert second.find("SQL (query language)")
    assert len(list(taxonomy_cache_dir().iterdir())) == 2


def test_parsed_cache_keyed_by_language(tmp_path: Path) -> None:
    path = tmp_path / "two.ttl"
    path.write_text(
        "<urn:a> a <http://www.w3.org/2004/02/skos/core#Concept> ; "
        '<http://www.w3.org/2004/02/skos/core#prefLabel> "weld"@en, "schweißen"@de .\n',
        encoding="utf-8",
    )
    assert load_taxonomy(path)["urn:a"].preferred_label == "weld"
    assert load_taxonomy(path, language="de")["urn:a"].preferred_label == "schweißen"


def test_parsed_cache_corrupt_entry_is_rebuilt(toy_taxonomy_dir: Path) -> None:
    cold = load_taxonomy(toy_taxonomy_dir)
    (entry,) = list(taxonomy_cache_dir().iterdir())
    (entry / "skills.parquet").write_bytes(b"garbage")
    with pytest.warns(UserWarning, match=r"unreadable taxonomy cache entry"):
        again = load_taxonomy(toy_taxonomy_dir)
    assert again.fingerprint == cold.fingerprint
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load_taxonomy(toy_taxonomy_dir).fingerprint == cold.fingerprint  # rebuilt entry is good


def test_parsed_cache_failed_write_leaves_no_entry(toy_taxonomy_dir: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import pyarrow.parquet as pq

    real = pq.write_table
    calls: list[object] = []

    def fail_second(*args: object, **kwargs: object) -> None:
        calls.append(args)
        if len(calls) == 2:
            raise OSError("disk full")
        real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pq, "write_table", fail_second)
    with pytest.warns(UserWarning, match="Could not write the taxonomy cache"):
        assert len(load_taxonomy(toy_taxonomy_dir)) == 44
    assert list(taxonomy_cache_dir().iterdir()) == []


def test_download_interrupted_leaves_nothing(
    server: EscoServer, toy_zips: dict[str, bytes], monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from skillx.taxonomy import download as download_module

    def interrupt(self: object, n: int) -> None:
        raise KeyboardInterrupt

    server.files.update(toy_zips)
    monkeypatch.setattr(download_module._NoBar, "update", interrupt)
    with pytest.raises(KeyboardInterrupt):
        download_esco("1.1.0", "en", manifest=toy_manifest(toy_zips), progress=False)
    assert not list(cache_dir("esco").iterdir())


def test_public_api_exports() -> None:
    assert skillx.load_taxonomy is load_taxonomy
    for name in ("load_taxonomy", "read_skos", "write_skos", "download_esco"):
        assert name in skillx.__all__


# -- CLI --------------------------------------------------------------------------------------
def _cli() -> CliRunner:
    return CliRunner()


def _app() -> typer.Typer:
    """The taxonomy commands on their own app (other command modules are not needed here)."""
    from skillx.cli.taxonomy import register

    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        pass

    register(app)
    return app


def test_cli_info_toy(toy_ttl: Path) -> None:
    app = _app()
    result = _cli().invoke(app, ["taxonomy", "info", str(toy_ttl)])
    assert result.exit_code == 0, result.output
    assert "skills" in result.output and " 44" in result.output
    assert "knowledge         15" in result.output
    assert "SKOS RDF at" in result.output and "fingerprint" in result.output


def test_cli_info_errors_are_one_line(tmp_path: Path) -> None:
    app = _app()
    result = _cli().invoke(app, ["taxonomy", "info", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert result.output.strip().startswith("Error: No taxonomy at")
    assert len(result.output.strip().splitlines()) == 1
    result = _cli().invoke(app, ["taxonomy", "info", "--esco-version", "7.7"])
    assert result.exit_code == 1 and "Available: " in result.output


def test_cli_convert(tmp_path: Path, toy_taxonomy_dir: Path, toy_taxonomy) -> None:  # type: ignore[no-untyped-def]
    app = _app()
    out = tmp_path / "out.ttl"
    result = _cli().invoke(app, ["taxonomy", "convert", str(toy_taxonomy_dir), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Wrote 44 skills" in result.output
    assert sorted(skillx.read_skos(out).uris) == sorted(toy_taxonomy.uris)


def test_cli_download(
    server: EscoServer, toy_zips: dict[str, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _app()
    _serve_as_103(server, toy_zips)
    monkeypatch.delenv("SKILLX_ALLOW_UNVERIFIED", raising=False)
    args = ["taxonomy", "download", "--esco-version", "1.0.3", "--dest", str(tmp_path / "d")]
    result = _cli().invoke(app, args)
    assert result.exit_code == 1 and "no sha256" in result.output  # unverifiable: refused
    assert not (tmp_path / "d" / zip_name("1.0.3", "en")).exists()
    monkeypatch.setenv("SKILLX_ALLOW_UNVERIFIED", "1")
    result = _cli().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "d" / zip_name("1.0.3", "en")).is_file()
    args = ["taxonomy", "download", "--esco-version", "1.1.0", "--dest", str(tmp_path / "e")]
    result = _cli().invoke(app, args)
    assert result.exit_code == 1 and "Error: " in result.output  # 404 from the local server


# -- full ESCO (slow) -------------------------------------------------------------------------
@pytest.mark.slow
def test_load_taxonomy_from_env_full_esco(esco_dir: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SKILLX_ESCO", str(esco_dir))
    t = load_taxonomy()
    assert len(t) == 13891
    assert locate_taxonomy().origin == "SKILLX_ESCO"
    warm = load_taxonomy()
    assert warm.fingerprint == t.fingerprint and warm.skills == t.skills
    assert len(load_taxonomy(esco_dir)) == 13891
    assert len(load_taxonomy(esco_version="1.1.1")) > 13891

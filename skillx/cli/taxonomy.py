"""`skillx taxonomy info|download|convert`: inspect, fetch and convert taxonomies."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from skillx.cli._errors import handle_errors
from skillx.cli._options import DEFAULT_ESCO_VERSION, EscoVersionOption, LanguageOption

taxonomy_app = typer.Typer(help="Inspect, download and convert skills taxonomies (ESCO or SKOS).")


@taxonomy_app.command("info")
@handle_errors
def info(
    source: Annotated[
        Path | None,
        typer.Argument(
            help="ESCO zip, folder of ESCO zips or CSVs, or SKOS file. Default: SKILLX_ESCO, cache, download."
        ),
    ] = None,
    esco_version: EscoVersionOption = DEFAULT_ESCO_VERSION,
    language: LanguageOption = "en",
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Parse the files even if a cached copy exists.")
    ] = False,
) -> None:
    """Show counts (skills by type, groups, relations, surface forms), fingerprint and origin."""
    from skillx.taxonomy.locate import locate_taxonomy, read_source

    found = locate_taxonomy(source, esco_version=esco_version, language=language)
    taxonomy = read_source(found, cache=not no_cache)
    types = Counter(s.skill_type or "(none)" for s in taxonomy)
    forms = Counter(f.kind.value for f in taxonomy.surface_forms())
    relations = Counter(r.relation_type for r in taxonomy.relations)
    rows = [
        ("taxonomy", f"{taxonomy.name} {taxonomy.version}".strip()),
        ("language", taxonomy.language),
        ("loaded from", found.describe()),
        ("skills", str(len(taxonomy))),
        *((f"  {kind}", str(n)) for kind, n in sorted(types.items())),
        ("groups", str(len(taxonomy.groups))),
        ("relations", str(len(taxonomy.relations))),
        *((f"  {kind}", str(n)) for kind, n in sorted(relations.items())),
        ("surface forms", str(sum(forms.values()))),
        *((f"  {kind}", str(n)) for kind, n in forms.items()),
        ("fingerprint", taxonomy.fingerprint),
    ]
    width = max(len(key) for key, _ in rows)
    for key, value in rows:
        typer.echo(f"{key:<{width}}  {value}")


@taxonomy_app.command("download")
@handle_errors
def download(
    esco_version: EscoVersionOption = DEFAULT_ESCO_VERSION,
    language: LanguageOption = "en",
    dest: Annotated[
        Path | None,
        typer.Option("--dest", help="Target folder. Default: the skillx cache (cache_dir('esco'))."),
    ] = None,
    allow_unverified: Annotated[
        bool,
        typer.Option(
            "--allow-unverified",
            help="Accept zips whose sha256 the manifest does not record (other versions and languages); "
            "the sha256 seen is logged and kept beside the zip. Default: $SKILLX_ALLOW_UNVERIFIED, "
            "else refuse.",
        ),
    ] = False,
) -> None:
    """Download the official ESCO CSV zips (labels + relations), verified by sha256 against the manifest."""
    import warnings

    from skillx.errors import UnverifiedDownloadError
    from skillx.taxonomy.download import download_esco

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            # False defers to $SKILLX_ALLOW_UNVERIFIED (None), so the flag only ever opts in
            paths = download_esco(
                esco_version, language, dest=dest, allow_unverified=True if allow_unverified else None
            )
        except UnverifiedDownloadError as exc:  # name the flag, not the library parameter
            raise UnverifiedDownloadError(
                str(exc).replace("allow_unverified=True", "--allow-unverified")
            ) from None
    for warning in caught:
        typer.secho(f"Warning: {warning.message}", err=True, fg=typer.colors.YELLOW)
    for path in paths:
        typer.echo(str(path))


@taxonomy_app.command("convert")
@handle_errors
def convert(
    source: Annotated[Path, typer.Argument(help="ESCO zip, folder of ESCO zips or CSVs, or SKOS file.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Output SKOS Turtle file (.ttl).")],
    esco_version: EscoVersionOption = DEFAULT_ESCO_VERSION,
    language: LanguageOption = "en",
) -> None:
    """Convert a taxonomy to SKOS Turtle."""
    from skillx.taxonomy.locate import load_taxonomy
    from skillx.taxonomy.skos import write_skos

    taxonomy = load_taxonomy(source, esco_version=esco_version, language=language)
    write_skos(taxonomy, output)
    typer.echo(f"Wrote {len(taxonomy)} skills and {len(taxonomy.groups)} groups to {output}")


def register(app: typer.Typer) -> None:
    """Add the `taxonomy` command group to the skillx app."""
    app.add_typer(taxonomy_app, name="taxonomy")

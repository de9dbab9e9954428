"""Options shared by several commands, so each is spelled the same way everywhere.

The names match the Python API: ``--taxonomy`` / ``taxonomy=``, ``--esco-version`` /
``esco_version=``, ``--language`` / ``language=``, ``--output`` / the output path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

DEFAULT_ESCO_VERSION = "1.1.0"

TAXONOMY_HELP = (
    "ESCO zip, folder of ESCO zips/CSVs, or SKOS file. Default: $SKILLX_ESCO, the cache, the download."
)

# `--esco` is the older name of `--taxonomy`, kept so existing scripts keep working.
TaxonomyOption = Annotated[Path | None, typer.Option("--taxonomy", "--esco", help=TAXONOMY_HELP)]
EscoVersionOption = Annotated[str, typer.Option("--esco-version", help="ESCO version, e.g. 1.1.0.")]
LanguageOption = Annotated[str, typer.Option("--language", "-l", help="ESCO label language.")]
OutputOption = Annotated[Path, typer.Option("--output", "-o", help="Output file.")]

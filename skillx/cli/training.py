"""`skillx train`: fine-tune the skill encoder on a pairs file and write a model directory."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    """Add ``skillx train`` to the app."""

    @app.command("train")
    def train_command(
        pairs: Annotated[
            list[Path],
            typer.Argument(
                help="Pairs file(s) from `skillx build-pairs` or `skillx pseudo-label` "
                "(.parquet/.tsv/.jsonl); several files are concatenated."
            ),
        ],
        out: Annotated[
            Path, typer.Option("--out", "-o", help="Model directory to write (replaced atomically).")
        ],
        config: Annotated[
            Path | None,
            typer.Option("--config", "-c", help="TrainingConfig JSON file; flags below override it."),
        ] = None,
        esco: Annotated[
            str | None,
            typer.Option(
                "--esco", help="ESCO zip/folder or SKOS file (default: SKILLX_ESCO, cache, download)."
            ),
        ] = None,
        version: Annotated[str, typer.Option("--version", "-v", help="ESCO version.")] = "1.1.0",
        benchmark: Annotated[
            list[Path] | None,
            typer.Option(
                "--benchmark",
                "-b",
                help="Validation CSV (repeatable); the best RP@5 checkpoint is kept and the score "
                "calibration (fusion) is fitted on it and stored in skillx.json.",
            ),
        ] = None,
        max_steps: Annotated[int | None, typer.Option(help="Stop after this many steps.")] = None,
        time_budget: Annotated[
            float | None, typer.Option(help="Stop training after this many seconds.")
        ] = None,
        seed: Annotated[int | None, typer.Option(help="Random seed.")] = None,
        base_model: Annotated[
            str | None, typer.Option(help="Base encoder directory (default: bundled MiniLM).")
        ] = None,
        eval_steps: Annotated[int | None, typer.Option(help="Validate every this many steps.")] = None,
        install_default: Annotated[
            bool,
            typer.Option("--install-default", help="Also install the model as the user's default model."),
        ] = False,
    ) -> None:
        """Train a skill encoder (sentence-transformers) and save model, skillx.json and skill index."""
        import logging
        import os
        import shutil

        import pandas as pd

        from skillx.evaluation import load_benchmark
        from skillx.taxonomy.locate import load_taxonomy
        from skillx.training import SkillEncoderTrainer, TrainingConfig, read_pairs

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
        cfg = TrainingConfig.from_json(config) if config is not None else TrainingConfig()
        overrides = {
            "max_steps": max_steps,
            "time_budget_s": time_budget,
            "seed": seed,
            "base_model": base_model,
            "eval_steps": eval_steps,
        }
        cfg = TrainingConfig.from_dict(
            {**cfg.to_dict(), **{k: v for k, v in overrides.items() if v is not None}}
        )
        # bad pairs fail here, before the taxonomy and model load
        frames = [read_pairs(path) for path in pairs]
        frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
        tax = load_taxonomy(esco, version=version)
        validation = [load_benchmark(path, tax) for path in benchmark or []]
        trainer = SkillEncoderTrainer(cfg).fit(frame, tax, validation=validation)
        target = trainer.save(out)
        stats = trainer.stats_
        typer.echo(
            f"rows {stats.rows} (corpus {stats.corpus_rows}, pseudo {stats.pseudo_rows}, "
            f"descriptions {stats.description_rows}, "
            f"labels {stats.label_rows}; "
            f"{stats.unknown_uri_pairs} pairs with unknown URIs skipped), steps {trainer.steps_}, "
            f"{trainer.pairs_per_second_:.1f} pairs/s"
        )
        if trainer.best_metrics_:
            shown = {k: round(v, 4) for k, v in trainer.best_metrics_.items() if "rp@5" in k or "mrr" in k}
            typer.echo(f"best validation: {shown}")
        typer.echo(f"model written to {target}")
        if benchmark:
            from skillx.calibration import fit_model_fusion
            from skillx.errors import SkillxError

            try:
                params = fit_model_fusion(target, benchmark, taxonomy=tax)
            except SkillxError as exc:
                typer.secho(
                    f"Error: the model is saved at {target}, but fitting its score calibration on "
                    f"--benchmark failed: {exc} Fix the files and run `skillx benchmark FILES --model "
                    f"{target} --fit-fusion`.",
                    err=True,
                    fg=typer.colors.RED,
                )
                raise typer.Exit(1) from None
            typer.echo(
                f"fusion fitted on the validation files: literal boost {params.literal_boost}, "
                f"threshold {params.threshold:.3f} (stored in {target / 'skillx.json'})"
            )
        if install_default:
            from skillx.paths import cache_dir
            from skillx.training.trainer import _swap_into_place

            default = cache_dir("models") / "default"
            staging = default.parent / ".default.installing"
            shutil.rmtree(staging, ignore_errors=True)
            shutil.copytree(target, staging)
            _swap_into_place(staging, default)
            typer.echo(f"installed as the default model: {default}")

"""`skillx train`: fine-tune the skill encoder on a pairs file and write a model directory."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from skillx.cli._errors import fail, handle_errors
from skillx.cli._options import DEFAULT_ESCO_VERSION, EscoVersionOption, TaxonomyOption


def register(app: typer.Typer) -> None:
    """Add ``skillx train`` to the app."""

    @app.command("train")
    @handle_errors
    def train_command(
        pairs: Annotated[
            list[Path],
            typer.Argument(
                help="Pairs file(s) from `skillx build-pairs` (.parquet/.tsv/.jsonl); several files "
                "are concatenated."
            ),
        ],
        output: Annotated[
            Path, typer.Option("--output", "-o", help="Model directory to write (replaced atomically).")
        ],
        config: Annotated[
            Path | None,
            typer.Option("--config", "-c", help="TrainingConfig JSON file; flags below override it."),
        ] = None,
        taxonomy: TaxonomyOption = None,
        esco_version: EscoVersionOption = DEFAULT_ESCO_VERSION,
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
        contextual: Annotated[
            bool,
            typer.Option(
                "--contextual",
                help="Train for contextual scoring (token-level attention mixed with the pooled "
                "cosine, recommended parameters; a config's 'contextual' sets others).",
            ),
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
        top: dict[str, object] = {"seed": seed, "base_model": base_model}
        if contextual and cfg.contextual is None:
            from skillx.contextual import ContextualScoring

            top["contextual"] = ContextualScoring()
        optim = {"max_steps": max_steps, "time_budget_s": time_budget, "eval_steps": eval_steps}
        cfg = cfg.with_options(
            **{k: v for k, v in top.items() if v is not None},
            optim={k: v for k, v in optim.items() if v is not None},
        )
        # bad pairs fail here, before the taxonomy and model load
        frames = [read_pairs(path) for path in pairs]
        frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
        tax = load_taxonomy(taxonomy, esco_version=esco_version)
        validation = [load_benchmark(path, tax) for path in benchmark or []]
        trainer = SkillEncoderTrainer(cfg).fit(frame, tax, validation=validation)
        target = trainer.save(output)
        _record_sources(target, frame)
        stats = trainer.stats_
        typer.echo(
            f"rows {stats.rows} (corpus {stats.corpus_rows}, descriptions {stats.description_rows}; "
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
                raise fail(
                    f"the model is saved at {target}, but fitting its score calibration on "
                    f"--benchmark failed: {exc} Fix the files and run `skillx benchmark FILES --model "
                    f"{target} --fit-fusion`."
                ) from None
            typer.echo(
                f"fusion fitted on the validation files: literal boost {params.literal_boost}, "
                f"threshold {params.threshold:.3f} (stored in {target / 'skillx.json'})"
            )
        if install_default:
            from skillx.io import atomic_directory
            from skillx.paths import cache_dir

            default = cache_dir("models") / "default"
            with atomic_directory(default) as staging:
                shutil.copytree(target, staging, dirs_exist_ok=True)
            typer.echo(f"installed as the default model: {default}")


def _record_sources(model_dir: Path, pairs: object) -> None:
    """Store the pairs per corpus source in ``training.data.sources`` (the model's provenance)."""
    from skillx.model_dir import read_model_meta, write_model_meta
    from skillx.supervision import pairs_by_source

    meta = read_model_meta(model_dir)
    if meta is not None:
        data = {**meta.training_data, "sources": pairs_by_source(pairs)}
        write_model_meta(model_dir, meta.replace(training_data=data))

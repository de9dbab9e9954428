"""`skillx benchmark`: RP@K / MRR of the extractor on benchmark CSV files (the field's protocol)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from skillx.cli._errors import handle_errors
from skillx.cli._options import DEFAULT_ESCO_VERSION, EscoVersionOption, TaxonomyOption
from skillx.errors import InputError
from skillx.io import atomic_write_text

if TYPE_CHECKING:
    from skillx.extractor import SkillExtractor
    from skillx.fusion import FusionParams

MODES = ("fusion", "semantic", "literal")


def register(app: typer.Typer) -> None:
    """Add ``skillx benchmark`` to the app."""

    @app.command("benchmark")
    @handle_errors
    def benchmark_command(
        data: list[Path] = typer.Argument(  # noqa: B008
            ..., help="Benchmark CSV files (columns sentence,label; e.g. tech_validation_annotations.csv)."
        ),
        model: str | None = typer.Option(
            None, "--model", "-m", help="Model directory (default: as skillx extract)."
        ),
        taxonomy: TaxonomyOption = None,
        esco_version: EscoVersionOption = DEFAULT_ESCO_VERSION,
        mode: list[str] = typer.Option(  # noqa: B008
            ["fusion"], "--mode", help="Ranker(s) to score, repeatable: fusion, semantic, literal."
        ),
        output: Path | None = typer.Option(  # noqa: B008
            None, "--output", "-o", help="Also write the results as JSON here."
        ),
        fit_fusion: bool = typer.Option(
            False,
            "--fit-fusion",
            help="First fit the fusion boost and the multi-feature score calibration on DATA (validation "
            "splits ONLY; thresholds and precision/recall curve out-of-fold) and store them in the "
            "model's skillx.json (or --fusion-out).",
        ),
        fusion_out: Path | None = typer.Option(  # noqa: B008
            None, "--fusion-out", help="With --fit-fusion: write the parameters to this JSON file instead."
        ),
    ) -> None:
        """Score skill rankings on benchmark files: RP@1/5/10, MRR and MAP, per file and mode."""
        fitted = None
        if fit_fusion:
            where, fitted = fit_and_store_fusion(
                data, model=model, taxonomy=taxonomy, esco_version=esco_version, fusion_out=fusion_out
            )
            typer.secho(f"skillx: fusion parameters written to {where}", err=True, fg=typer.colors.BLUE)
            typer.echo(decision_summary(fitted.fusion))
        rows = run_benchmark(
            data, model=model, taxonomy=taxonomy, esco_version=esco_version, modes=mode, extractor=fitted
        )
        header = f"{'mode':<10} {'dataset':<22} {'n':>4} {'RP@1':>6} {'RP@5':>6} {'RP@10':>6} {'MRR':>6}"
        typer.echo(header)
        typer.echo("-" * len(header))
        for r in rows:
            typer.echo(
                f"{r['mode']:<10} {r['dataset']:<22} {r['n']:>4} {r['rp@1']:>6.3f} {r['rp@5']:>6.3f} "
                f"{r['rp@10']:>6.3f} {r['mrr']:>6.3f}"
            )
        if output is not None:
            atomic_write_text(output, json.dumps(rows, indent=2) + "\n")


def decision_summary(params: FusionParams) -> str:
    """One line on the fitted calibration: thresholds and its out-of-fold decision metrics."""
    cal = params.calibrator
    if cal is None:
        return f"calibration: one-feature, min_score {params.threshold:.3f}"
    m = cal.metrics
    return (
        f"calibration: {len(cal.features)} features; min_score {params.threshold:.3f}, "
        f"document_min_score {cal.document_threshold:.3f}; out-of-fold ({m.get('folds')} folds by "
        f"sentence) precision {m.get('oof_precision', 0):.3f} recall {m.get('oof_recall', 0):.3f} "
        f"F1 {m.get('oof_f1', 0):.3f} ECE {m.get('oof_ece', 0):.3f}"
    )


def run_benchmark(
    data: list[Path],
    *,
    model: str | None,
    taxonomy: str | Path | None,
    esco_version: str,
    modes: list[str],
    extractor: SkillExtractor | None = None,
) -> list[dict[str, object]]:
    """Evaluate the requested extractor modes on each benchmark file.

    Args:
        data: Benchmark CSV files.
        model: Model directory (ignored when `extractor` is given).
        taxonomy: ESCO files (ignored when `extractor` is given).
        esco_version: ESCO version (ignored when `extractor` is given).
        modes: Rankers to score: fusion, semantic, literal.
        extractor: An extractor to score as is (e.g. carrying freshly fitted fusion parameters);
            None loads one from `model`, `taxonomy` and `esco_version`.

    Returns:
        One dict per (mode, file): mode, dataset, n, rp@1, rp@5, rp@10, mrr, map.
    """
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from skillx.evaluation import evaluate, load_benchmark
    from skillx.extractor import SkillExtractor
    from skillx.loading import load

    unknown = [m for m in modes if m not in MODES]
    if unknown:
        raise InputError(f"Unknown mode '{unknown[0]}'. Available: {', '.join(MODES)}.")
    semantic = any(m != "literal" for m in modes)
    full = extractor
    if full is None:
        full = load(model, taxonomy=taxonomy, esco_version=esco_version, semantic=semantic)
    typer.secho(f"skillx: using {full.model_name}", err=True, fg=typer.colors.BLUE)
    benches = [load_benchmark(path, full.taxonomy) for path in data]
    rows: list[dict[str, object]] = []
    for mode in dict.fromkeys(modes):
        if mode == "fusion":
            ranker: object = full
        elif mode == "semantic":
            ranker = full.ranker
        else:
            ranker = SkillExtractor(full.taxonomy, matcher=full.matcher, fusion=full.fusion)
        for bench in benches:
            metrics = evaluate(ranker, bench, ks=(1, 5, 10))  # type: ignore[arg-type]
            rows.append({"mode": mode, "dataset": bench.name, "n": len(bench), **metrics})
    return rows


def fit_and_store_fusion(
    data: list[Path],
    *,
    model: str | None,
    taxonomy: str | Path | None,
    esco_version: str,
    fusion_out: Path | None,
) -> tuple[Path, SkillExtractor]:
    """Fit the fusion on `data` and store it in the model's ``skillx.json`` or in `fusion_out`.

    Returns:
        Where the parameters were written, and the extractor using them (to be scored).

    Raises:
        InputError: If there is nowhere to store them (no skillx model directory, no --fusion-out).
    """
    from skillx.calibration import fit_extractor_fusion, store_model_fusion
    from skillx.extractor import SkillExtractor
    from skillx.loading import load, resolve_model
    from skillx.model_dir import is_skillx_model_dir

    model_path, _ = resolve_model(model)
    if fusion_out is None and (model_path is None or not is_skillx_model_dir(model_path)):
        raise InputError(
            "--fit-fusion stores the parameters in a skillx model directory's skillx.json; the model "
            "in use is not one. Pass --fusion-out FILE.json."
        )
    extractor = load(model, taxonomy=taxonomy, esco_version=esco_version)
    params = fit_extractor_fusion(extractor, data, model=str(model_path or "all-MiniLM-L6-v2"))
    fitted = SkillExtractor(
        extractor.taxonomy,
        ranker=extractor.ranker,
        matcher=extractor.matcher,
        fusion=params,
        model_name=f"{extractor.model_name} with the fusion just fitted",
        max_chars=extractor.max_chars,
        batch_size=extractor.batch_size,
    )
    if fusion_out is not None:
        return params.save(fusion_out), fitted
    assert model_path is not None
    return store_model_fusion(model_path, params), fitted

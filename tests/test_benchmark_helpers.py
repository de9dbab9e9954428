"""The product benchmarks (benchmarks/*.py): every script has --help and --json; throughput's helpers."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
SCRIPTS = sorted(p.name for p in BENCHMARKS.glob("*.py") if not p.name.startswith("_"))


def test_benchmarks_are_the_product_ones() -> None:
    # experiments live in research/, build tools in tools/
    assert SCRIPTS == [
        "decisions.py",
        "hostile_input.py",
        "matcher_speed.py",
        "rp_at_k.py",
        "scale.py",
        "taxonomy_load.py",
        "throughput.py",
        "training_speed.py",
    ]


@pytest.mark.parametrize(
    "argv",
    [[name, "--help"] for name in SCRIPTS if name != "throughput.py"]
    + [["throughput.py", "ranker", "--help"], ["throughput.py", "pipeline", "--help"]],
)
def test_benchmark_help_offers_json(argv: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / argv[0]), *argv[1:]], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "--json" in done.stdout


def test_throughput_needs_a_sub_command(benchmark_script) -> None:
    throughput = benchmark_script("throughput")
    with pytest.raises(SystemExit):
        throughput.parse_args([])
    ranker = throughput.parse_args(["ranker", "-n", "10", "--batch-size", "8", "--batch-size", "16"])
    assert (ranker.sentences, ranker.batch_size, ranker.run) == (10, [8, 16], throughput.run_ranker)
    pipeline = throughput.parse_args(
        ["pipeline", "--sentences", "30", "--clause-margin", "0.15", "--load-only"]
    )
    assert (pipeline.sentences, pipeline.clause_margin, pipeline.load_only) == (30, 0.15, True)
    assert pipeline.run is throughput.run_pipeline
    assert throughput.parse_args(["pipeline", "--clause-margin", "none"]).clause_margin is None
    compared = throughput.parse_args(["pipeline", "--compare-clause-margin", "0.15"])
    assert (compared.clause_margin, compared.compare_clause_margin) == (None, 0.15)


def test_throughput_reads_sentences_and_pseudo_ads(benchmark_script, tmp_path: Path) -> None:
    throughput = benchmark_script("throughput")
    corpus = tmp_path / "ads.tsv.gz"
    lines = ["source\tsentence"] + [f"ad{i // 3}\tsentence {i}" for i in range(12)] + ["ad9\t  "]
    with gzip.open(corpus, "wt", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    assert throughput.read_sentences(corpus, 4) == [f"sentence {i}" for i in range(4)]
    ads = throughput.read_ads(corpus, n_sentences=100, ad_size=2, stride=1)
    # blocks of at most 2 sentences, never across sources; the blank line is skipped
    assert ads[:3] == ["sentence 0\nsentence 1", "sentence 2", "sentence 3\nsentence 4"]
    assert sum(ad.count("\n") + 1 for ad in ads) == 12
    every_other = throughput.read_ads(corpus, n_sentences=100, ad_size=2, stride=2)
    assert every_other == ads[::2]


def test_throughput_json_report(benchmark_script, tmp_path: Path) -> None:
    throughput = benchmark_script("throughput")
    out = tmp_path / "deep" / "report.json"
    throughput.write_json(out, {"results": {"pipeline_s": 1.5}})
    assert json.loads(out.read_text(encoding="utf-8")) == {"results": {"pipeline_s": 1.5}}
    throughput.write_json(None, {})  # no --json: nothing written, no error


def test_training_speed_options_reach_the_config(benchmark_script) -> None:
    training_speed = benchmark_script("training_speed")
    for overrides in training_speed.OPTIONS.values():
        cfg = training_speed.flat_config(**training_speed.COMMON, **overrides, max_steps=6, seed=7)
        assert cfg.seed == 7
        assert getattr(cfg, "optim", cfg).max_seq_length == overrides["max_seq_length"]
        assert getattr(cfg, "optim", cfg).max_steps == 6
        assert getattr(cfg, "rows", cfg).negatives == overrides["negatives"]
        assert getattr(cfg, "rows", cfg).description_anchors is False


def _scored_cache(path: Path, shift: float = 0.0, n: int = 60, n_skills: int = 30) -> Path:
    """Synthetic scored sentences (gold skills get a semantic bump), saved as decisions.py's cache."""
    import numpy as np

    from skillx.calibration import ScoredSentences
    from skillx.fusion import LiteralEvidence

    rng = np.random.default_rng(0)
    sem = rng.normal(0.2, 0.08, size=(n, n_skills)).astype(np.float32)
    gold, evidence = [], []
    for i in range(n):
        g = frozenset() if i % 5 == 0 else frozenset(int(x) for x in rng.choice(n_skills, 2, replace=False))
        for p in g:
            sem[i, p] += 0.15
        gold.append(g)
        evidence.append(tuple(LiteralEvidence(p) for p in sorted(g)[:1]))
    return ScoredSentences(
        texts=tuple(f"sentence number {i}, with words" for i in range(n)),
        split=tuple("a.csv" if i % 2 else "b.csv" for i in range(n)),
        gold=tuple(gold),
        semantic=sem + shift,
        evidence=tuple(evidence),
        knowledge=np.zeros(n_skills),
        reuse=np.zeros(n_skills, dtype=np.int64),
    ).save(path)


def test_decisions_fits_on_one_cache_and_measures_on_another(benchmark_script, tmp_path: Path) -> None:
    decisions = benchmark_script("decisions")
    plain = _scored_cache(tmp_path / "plain")
    shifted = _scored_cache(tmp_path / "shifted", shift=0.1)
    alone = decisions.run(decisions.parse_args(["--cache", str(plain)]))
    self_fit = decisions.run(decisions.parse_args(["--cache", str(plain), "--fit-cache", str(plain)]))
    assert self_fit["methods"] == alone["methods"] and self_fit["fitted_on"] == str(plain)
    moved = decisions.run(decisions.parse_args(["--cache", str(shifted), "--fit-cache", str(plain)]))
    refit = decisions.run(decisions.parse_args(["--cache", str(shifted)]))
    ece = [r["methods"]["calibrator"]["splits"]["all"]["ece"] for r in (alone, moved, refit)]
    # the shifted scores read through the plain fit are over-confident; a refit on them is not
    assert ece[1] > max(ece[0], ece[2])
    other = _scored_cache(tmp_path / "other", n=55)
    with pytest.raises(SystemExit, match="other sentences"):
        decisions.run(decisions.parse_args(["--cache", str(other), "--fit-cache", str(plain)]))

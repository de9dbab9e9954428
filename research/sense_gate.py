"""Should a literal hit count only when the sentence's meaning agrees with the matched skill?

Literal fusion adds a fixed boost whenever a skill's label occurs in a sentence, so a label can
override what the sentence means: "Head chef wanted for our busy kitchen." names the ESCO skill
`Chef (tools for software configuration management)` literally. This script measures gates
that keep the boost only when the encoder agrees, per (sentence, hit):

* ``rank R``: the skill is among the encoder's top R skills for the sentence;
* ``delta D``: its cosine is at most D below the sentence's best cosine;
* ``sibling R``: the encoder ranks at least one of the skill's ESCO siblings (skills sharing a
  broader concept) among its top R: the sentence is about the skill's neighbourhood. Unlike
  the skill's own score, its siblings' scores are not inflated by the matched word itself;
* ``sense``: of the skills that share one matched span, only the one the encoder ranks highest
  keeps the boost (the others get none), combinable with the gates above.

For every gate it fits the boost and the ambiguous weight for RP@5 on both splits together
(as `skillx.calibration.fit_fusion` does), prints TECH / HOUSE RP@5, and the paired bootstrap
against no gate (the model's fitted fusion). The gates are chosen on the same validation
sentences they are measured on, so it also reports the choice made on one split read on the
other. Then the precision of literal hits by the encoder's rank of the hit skill (is the hit
skill a gold skill of the sentence?), and the top 3 of hand-written sense probes with and
without the chosen gate.

    python research/sense_gate.py --model MODEL_DIR [--cache DIR]
"""

from __future__ import annotations

import argparse
import itertools
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from _common import DEFAULT_DATA, SHARED
from paired_bootstrap import bootstrap_interval

PROBES = (
    "Head chef wanted for our busy kitchen.",
    "Our chef prepares fresh pasta every morning.",
    "You will automate server configuration with Chef and Puppet.",
    "Experience with Python and Django is essential.",
    "Care for the python and other reptiles in the zoo.",
    "Drive the company van to deliver parcels.",
    "Strong drive to succeed and learn.",
    "Spark plug replacement and engine servicing.",
    "Build data pipelines in Spark and Scala.",
    "Prepare the patient for surgery and monitor vital signs.",
)
RANKS = (5, 10, 20, 50, 100, 200, 500)
DELTAS = (0.05, 0.1, 0.15, 0.2, 0.3)
SIBLING_RANKS = (20, 50, 100, 200, 500)
BOOSTS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1.0)
AMBIGUOUS = (0.0, 0.5, 1.0)


def gate_weights(
    semantic: np.ndarray,
    evidence: Sequence,
    gate: tuple[str, float],
    sense: bool,
    siblings: Sequence[np.ndarray] = (),
) -> dict[int, float]:
    """Position -> gate factor (0 or 1) of each hit skill of one sentence."""
    kind, value = gate
    best = float(semantic.max())
    out: dict[int, float] = {}
    for ev in evidence:
        cos = float(semantic[ev.position])
        if kind == "rank":
            ok = int((semantic > cos).sum()) < value
        elif kind == "delta":
            ok = cos >= best - value
        elif kind == "sibling":
            near = siblings[ev.position] if ev.position < len(siblings) else np.zeros(0, dtype=np.int64)
            # no siblings: nothing to ask, the hit counts
            ok = near.size == 0 or int((semantic > semantic[near].max()).sum()) < value
        else:
            ok = True
        out[ev.position] = max(out.get(ev.position, 0.0), float(ok))
    if sense:
        by_span: dict[tuple, list[int]] = {}
        for ev in evidence:
            by_span.setdefault((ev.start, ev.end), []).append(ev.position)
        for positions in by_span.values():
            if len(set(positions)) < 2:
                continue
            keep = max(positions, key=lambda p: float(semantic[p]))
            for p in positions:
                if p != keep and not any(p in other and len(set(other)) == 1 for other in by_span.values()):
                    out[p] = 0.0
    return out


def fused(
    semantic: np.ndarray, evidence: Sequence, boost: float, amb: float, gates: dict[int, float]
) -> np.ndarray:
    raw = semantic.astype(np.float64, copy=True)
    best: dict[int, float] = {}
    for ev in evidence:
        w = boost * (amb if ev.ambiguous else 1.0) * gates.get(ev.position, 1.0)
        best[ev.position] = max(best.get(ev.position, 0.0), w)
    for p, w in best.items():
        raw[p] += w
    return raw


def rp_per_sentence(scored, rows: list[int], scores: list[np.ndarray], k: int) -> np.ndarray:
    from skillx.evaluation.metrics import r_precision_at_k
    from skillx.fusion import rank_positions

    return np.array(
        [
            r_precision_at_k(rank_positions(s, k), set(scored.gold[i]), k)
            for i, s in zip(rows, scores, strict=True)
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", required=True, help="skillx model directory, or 'base'.")
    parser.add_argument("--data", type=Path, action="append", help="Benchmark CSV (repeatable).")
    parser.add_argument("--esco", type=Path, default=SHARED / "esco")
    parser.add_argument("--cache", type=Path, help="Keep the scored sentences here (reused if present).")
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--resamples", type=int, default=10_000)
    parser.add_argument(
        "--probe-gate", default="sibling 100", help="Gate shown on the probes, e.g. 'rank 50'."
    )
    args = parser.parse_args(argv)

    import skillx
    from skillx.calibration import ScoredSentences, score_benchmarks
    from skillx.fusion import sibling_positions
    from skillx.text import Sentence

    taxonomy = skillx.load_taxonomy(args.esco)
    extractor = skillx.load(args.model, taxonomy=taxonomy)
    if args.cache and (args.cache / "sentences.json").exists():
        scored = ScoredSentences.load(args.cache)
    else:
        scored = score_benchmarks(extractor, args.data or DEFAULT_DATA)
        if args.cache:
            scored.save(args.cache)
    params = extractor.fusion
    splits = list(dict.fromkeys(scored.split))
    rows = {
        name: [i for i, (s, g) in enumerate(zip(scored.split, scored.gold, strict=True)) if s == name and g]
        for name in splits
    }
    sem = scored.semantic

    siblings = sibling_positions(taxonomy)
    gates: list[tuple[str, float]] = (
        [("none", 0.0)]
        + [("rank", r) for r in RANKS]
        + [("delta", d) for d in DELTAS]
        + [("sibling", r) for r in SIBLING_RANKS]
    )
    variants = [(g, s) for g in gates for s in (False, True)]
    # (variant) -> (boost, amb) -> split -> per-sentence RP
    table: dict[tuple, dict[tuple[float, float], dict[str, np.ndarray]]] = {}
    for gate, sense in variants:
        factors = {
            i: gate_weights(sem[i], scored.evidence[i], gate, sense, siblings)
            for name in splits
            for i in rows[name]
        }
        for boost, amb in itertools.product(BOOSTS, AMBIGUOUS):
            if boost == 0 and amb != 1.0:
                continue
            table.setdefault((gate, sense), {})[(boost, amb)] = {
                name: rp_per_sentence(
                    scored,
                    rows[name],
                    [fused(sem[i], scored.evidence[i], boost, amb, factors[i]) for i in rows[name]],
                    args.k,
                )
                for name in splits
            }

    def best_cell(variant, on: Sequence[str]) -> tuple[float, float]:
        cells = table[variant]
        # mean over the sentences of the chosen splits; first cell of the grid wins ties
        return max(
            cells, key=lambda c: (np.mean(np.concatenate([cells[c][n] for n in on])), -BOOSTS.index(c[0]))
        )

    base_variant = (("none", 0.0), False)
    shipped = (params.literal_boost, params.ambiguous_weight)
    baseline = {
        name: rp_per_sentence(
            scored, rows[name], [fused(sem[i], scored.evidence[i], *shipped, {}) for i in rows[name]], args.k
        )
        for name in splits
    }
    print(f"model {args.model}; shipped boost {shipped[0]}, ambiguous weight {shipped[1]}")
    print("shipped fusion RP@5: " + ", ".join(f"{n} {100 * baseline[n].mean():.1f}" for n in splits))
    print(
        f"\nRP@{args.k} per gate, boost and ambiguous weight fitted on both splits; "
        "then each split's own choice read on the other"
    )
    print(
        f"{'gate':<12} {'sense':<6} {'boost':>5} {'amb':>4}  "
        + "  ".join(f"{n[:16]:>16}" for n in splits)
        + "  cross-split"
    )
    for variant in variants:
        cell = best_cell(variant, splits)
        means = [100 * table[variant][cell][n].mean() for n in splits]
        cross = []
        for a, b in itertools.permutations(splits, 2):
            c = best_cell(variant, [a])
            cross.append(f"{b[:5]} {100 * table[variant][c][b].mean():.1f}")
        gate, sense = variant
        label = gate[0] if gate[0] == "none" else f"{gate[0]} {gate[1]:g}"
        print(
            f"{label:<12} {sense!s:<6} {cell[0]:>5} {cell[1]:>4}  "
            + "  ".join(f"{m:16.1f}" for m in means)
            + "  "
            + ", ".join(cross)
        )

    print("\npaired bootstrap against the shipped fusion (B - A, 95% interval; sentences that differ)")
    for variant in variants:
        if variant == base_variant:
            continue
        cell = best_cell(variant, splits)
        cells = []
        for n in splits:
            diff = table[variant][cell][n] - baseline[n]
            mean, low, high = bootstrap_interval(diff, resamples=args.resamples, seed=0)
            cells.append(
                f"{n[:5]} {100 * mean:+.1f} ({100 * low:+.1f} .. {100 * high:+.1f}; {int((diff != 0).sum())})"
            )
        gate, sense = variant
        label = gate[0] if gate[0] == "none" else f"{gate[0]} {gate[1]:g}"
        print(f"{label:<12} {sense!s:<6} " + "   ".join(cells))

    print(
        "\nliteral hits by the encoder's rank of the hit skill "
        "(all sentences; gold = hit skill is a gold skill)"
    )
    buckets = [(0, 5), (5, 20), (20, 100), (100, 500), (500, 10**9)]
    counts = {b: [0, 0, 0] for b in buckets}  # hits, gold hits, hits in sentences with gold
    for i in range(len(scored.texts)):
        seen = set()
        for ev in scored.evidence[i]:
            if ev.position in seen:
                continue
            seen.add(ev.position)
            rank = int((sem[i] > sem[i][ev.position]).sum())
            b = next(b for b in buckets if b[0] <= rank < b[1])
            counts[b][0] += 1
            counts[b][1] += int(ev.position in scored.gold[i])
            counts[b][2] += int(bool(scored.gold[i]))
    for b, (n, g, with_gold) in counts.items():
        hi = "+" if b[1] >= 10**9 else str(b[1])
        prec = f"{100 * g / n:.0f}%" if n else "-"
        print(f"rank {b[0]}-{hi}: {n} hits, {g} gold ({prec}); {with_gold} in sentences with a gold skill")

    print("\nliteral hits by the encoder's rank of the hit skill's best-ranked ESCO sibling")
    sib_counts = {b: [0, 0] for b in buckets}
    for i in range(len(scored.texts)):
        for pos in {ev.position for ev in scored.evidence[i]}:
            near = siblings[pos]
            if near.size == 0:
                continue
            rank = int((sem[i] > sem[i][near].max()).sum())
            b = next(b for b in buckets if b[0] <= rank < b[1])
            sib_counts[b][0] += 1
            sib_counts[b][1] += int(pos in scored.gold[i])
    for b, (n, g) in sib_counts.items():
        hi = "+" if b[1] >= 10**9 else str(b[1])
        print(f"sibling rank {b[0]}-{hi}: {n} hits, {g} gold ({f'{100 * g / n:.0f}%' if n else '-'})")

    print(f"\nsense probes: fused top 3 (raw score), shipped fusion | the gate {args.probe_gate}")
    kind, _, value = args.probe_gate.partition(" ")
    rank_variants = [((kind, float(value)), False)]
    chosen = max(
        rank_variants,
        key=lambda v: np.mean(np.concatenate([table[v][best_cell(v, splits)][n] for n in splits])),
    )
    cell = best_cell(chosen, splits)
    probe_sem = extractor.score_sentences(list(PROBES))
    uris = taxonomy.uris
    for text, row in zip(PROBES, probe_sem, strict=True):
        evidence = extractor.literal_evidence(Sentence(text, 0, len(text)))
        a = fused(row, evidence, *shipped, {})
        b = fused(row, evidence, *cell, gate_weights(row, evidence, chosen[0], chosen[1], siblings))

        def top(s: np.ndarray) -> str:
            return ", ".join(f"{taxonomy[uris[p]].preferred_label} ({s[p]:.2f})" for p in np.argsort(-s)[:3])

        print(f"- {text}\n    shipped: {top(a)}\n    {chosen[0][0]} {chosen[0][1]:g}: {top(b)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

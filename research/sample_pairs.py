"""Sample distant-supervision pairs for reading, and score precision from your judgments.

Pairs come from the loosest matcher (no stop list, no case rules) over a seeded random
sample of corpus lines; for each pair the script also says whether the default matcher
(stop list and/or case rules on) would have produced it. Annotate the printed ids (1 = the
sentence really mentions or asks for the skill, 0 = not) in a JSON file ``{"id": 0|1}``
and pass it back with ``--judgments`` to get precision per configuration.

    python research/sample_pairs.py --esco ../shared/esco \
        --corpus ../shared/corpora/jobads_en.tsv.gz --n 200 --seed 13 > sample.txt
    python research/sample_pairs.py ... --judgments judgments.json --json precision.json
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from skillx.corpus import read_texts
from skillx.matching import LiteralMatcher
from skillx.taxonomy import read_esco_csv
from skillx.text import segment

CONFIGS = {
    "no stop list, no case rules": (False, False),
    "stop list only": (True, False),
    "case rules only": (False, True),
    "stop list + case rules (default)": (True, True),
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--esco", default="../shared/esco")
    parser.add_argument("--esco-version", dest="version", default="1.1.0")
    parser.add_argument("--corpus", default="../shared/corpora/jobads_en.tsv.gz")
    parser.add_argument("--n", type=int, default=200, help="pairs to sample")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--line-share", type=float, default=0.004, help="share of corpus lines to draw from")
    parser.add_argument("--judgments", default=None, help='JSON {"id": 0 or 1} from reading the sample')
    parser.add_argument("--json", default=None, help="write precision per configuration here")
    args = parser.parse_args()

    taxonomy = read_esco_csv(args.esco, esco_version=args.version)
    loose = LiteralMatcher(taxonomy, stop_list=None, case_rules=False)
    configs = {
        name: LiteralMatcher(taxonomy, stop_list="default" if use_stop else None, case_rules=use_case)
        for name, (use_stop, use_case) in CONFIGS.items()
    }
    rng = random.Random(args.seed)
    pairs = []
    for record in read_texts(args.corpus):
        if rng.random() >= args.line_share:
            continue
        for sentence in segment(record.text):
            produced = {
                name: {(h.start, h.end, u) for h in m.match(sentence.text) if not h.nested for u in h.uris}
                for name, m in configs.items()
            }
            for hit in loose.match(sentence.text):
                if hit.nested:
                    continue
                for uri in hit.uris:
                    key = (hit.start, hit.end, uri)
                    pairs.append(
                        {
                            "sentence": sentence.text,
                            "start": hit.start,
                            "end": hit.end,
                            "uri": uri,
                            "label": taxonomy.label(uri),
                            "surface_form": hit.surface_form,
                            "ambiguous": hit.ambiguous,
                            "kind": hit.kind.value,
                            "kept": {name: key in found for name, found in produced.items()},
                        }
                    )
    sample = random.Random(args.seed).sample(pairs, min(args.n, len(pairs)))
    if args.judgments is None:
        for i, p in enumerate(sample):
            s = p["sentence"]
            lo, hi = max(0, p["start"] - 80), p["end"] + 80
            shown = f"{s[lo : p['start']]}[[{s[p['start'] : p['end']]}]]{s[p['end'] : hi]}"
            flags = "".join(
                (
                    "" if p["kept"]["stop list only"] else " STOP",
                    "" if p["kept"]["case rules only"] else " CASE",
                )
            )
            amb = " AMB" if p["ambiguous"] else ""
            print(f"{i:>3} | {p['label']}{amb}{flags} | {shown}")
        print(f"# {len(sample)} of {len(pairs)} pairs from the sampled lines")
        return
    judged = {int(k): int(v) for k, v in json.loads(Path(args.judgments).read_text()).items()}
    results = {}
    print(f"{'configuration':<34} {'pairs kept':>10} {'precision':>9}")
    for name in CONFIGS:
        kept = [judged[i] for i, p in enumerate(sample) if i in judged and p["kept"][name]]
        precision = sum(kept) / len(kept) if kept else 0.0
        results[name] = {"kept": len(kept), "correct": sum(kept), "precision": round(precision, 3)}
        print(f"{name:<34} {len(kept):>10} {precision:>9.1%}")
    default = [
        (i, p) for i, p in enumerate(sample) if i in judged and p["kept"]["stop list + case rules (default)"]
    ]
    for field, values in (("kind", ("preferred", "alternative", "hidden")), ("ambiguous", (False, True))):
        for value in values:
            group = [judged[i] for i, p in default if p[field] == value]
            if group:
                precision = sum(group) / len(group)
                results[f"default, {field}={value}"] = {"kept": len(group), "precision": round(precision, 3)}
                print(f"{'  default, ' + field + '=' + str(value):<34} {len(group):>10} {precision:>9.1%}")
    if args.json:
        Path(args.json).write_text(
            json.dumps({"n": len(judged), "seed": args.seed, **results}, indent=2) + "\n"
        )


if __name__ == "__main__":
    main()

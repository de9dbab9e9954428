"""research/corpus_keep_rates.py: reading every n-th corpus line."""

from __future__ import annotations

import gzip


def test_corpus_lines_takes_every_nth_up_to_the_limit(research_script, tmp_path) -> None:
    module = research_script("corpus_keep_rates")
    path = tmp_path / "ads.tsv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("source\tsentence\n" + "".join(f"s\tline {i}\n" for i in range(10)))
    assert module.corpus_lines(path, 3, 10) == ["line 0", "line 3", "line 6", "line 9"]
    assert module.corpus_lines(path, 3, 2) == ["line 0", "line 3"]

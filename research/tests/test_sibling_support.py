"""research/sibling_support.py: the sibling support and the re-ranking it gives."""

from __future__ import annotations

import numpy as np
import pytest


def test_support_and_reranking(research_script) -> None:
    module = research_script("sibling_support")
    semantic = np.array([0.9, 0.1, 0.2, 0.8, 0.7, 0.5])
    # skill 0 (a lone high word) has weak siblings 1, 2; skill 3's siblings 4, 5 fit; skill 5 has none
    siblings = tuple(np.array(s, dtype=np.int64) for s in ([1, 2], [0, 2], [0, 1], [4, 5], [3, 5], []))
    sup = module.support(semantic, np.array([0, 3, 5]), siblings, top=1)
    assert sup.tolist() == pytest.approx([0.2, 0.7, 0.5])
    assert module.reranked(semantic, semantic, siblings, 0.0, 6, 1)[:2] == [0, 3]
    assert module.reranked(semantic, semantic, siblings, 0.5, 6, 1)[:2] == [3, 4]  # 0.8 + 0.35 > 0.9 + 0.1

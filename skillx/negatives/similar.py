"""``similar``: hard negatives mined with an encoder (nearest skills that are not the positive)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from skillx.encoder import encode
from skillx.errors import InputError
from skillx.negatives.base import NegativeSampler, register_sampler

if TYPE_CHECKING:
    from skillx.taxonomy import Taxonomy


@register_sampler("similar")
class SimilarSampler(NegativeSampler):
    """Nearest skills by embedding similarity, minus near-duplicates of the positive.

    Skill texts (preferred labels) are embedded once in `fit` (or taken from
    `skill_embeddings`). For each pair the candidates are the `pool` skills nearest to the
    positive skill (``query="positive"``) or to the sentence (``query="sentence"``; sentences
    are embedded in one batch by `prepare`), best first, dropping every skill whose cosine
    similarity to the positive exceeds `margin` (near-duplicates and synonyms are not
    negatives). The positive and the caller's `exclude` set (e.g. every skill literally matched
    in the same sentence) are never returned. Drawing is deterministic: the `pool` nearest are
    taken in order of similarity, with a random subset when `shuffle_pool` is set.

    Args:
        query: ``"positive"`` or ``"sentence"``.
        pool: How many nearest skills to consider per query.
        margin: Skills with cosine(skill, positive) above this are skipped.
        shuffle_pool: Draw randomly from the pool instead of strictly nearest first.
        batch_size: Encoding batch size.
    """

    def __init__(
        self,
        *,
        query: str = "positive",
        pool: int = 30,
        margin: float = 0.9,
        shuffle_pool: bool = True,
        batch_size: int = 128,
    ) -> None:
        self.query = query
        self.pool = pool
        self.margin = margin
        self.shuffle_pool = shuffle_pool
        self.batch_size = batch_size

    def fit(
        self,
        taxonomy: Taxonomy,
        *,
        encoder: Any = None,
        skill_embeddings: np.ndarray | None = None,
    ) -> SimilarSampler:
        if self.query not in ("positive", "sentence"):
            raise InputError(f"SimilarSampler query must be 'positive' or 'sentence', got {self.query!r}.")
        super().fit(taxonomy)
        if skill_embeddings is None:
            if encoder is None:
                raise InputError(
                    "The 'similar' negative sampler needs an encoder or precomputed skill embeddings: "
                    "pass encoder=... (a SentenceTransformer) or skill_embeddings=... to fit()."
                )
            texts = [s.preferred_label for s in taxonomy]
            skill_embeddings = encode(encoder, texts, batch_size=self.batch_size, show_progress=False)
        emb = np.asarray(skill_embeddings, dtype=np.float32)
        if emb.ndim != 2 or emb.shape[0] != len(taxonomy):
            raise InputError(
                f"skill_embeddings must have one row per skill ({len(taxonomy)}), got shape {emb.shape}."
            )
        norms = np.linalg.norm(emb, axis=1, keepdims=True)
        self.skill_embeddings_ = emb / np.maximum(norms, 1e-12)
        self.encoder_ = encoder
        self._by_positive: dict[str, tuple[list[str], np.ndarray]] = {}
        self._sentence_emb: dict[str, np.ndarray] = {}
        return self

    def prepare(self, anchors: Sequence[str]) -> None:
        """Embed all anchor sentences in one batch (only for ``query="sentence"``)."""
        if self.query != "sentence":
            return
        todo = list(dict.fromkeys(a for a in anchors if a not in self._sentence_emb))
        if not todo:
            return
        if self.encoder_ is None:
            raise InputError(
                "SimilarSampler(query='sentence') needs fit(..., encoder=...) to embed sentences."
            )
        vectors = encode(self.encoder_, todo, batch_size=self.batch_size, show_progress=False)
        for text, vec in zip(todo, vectors, strict=True):
            self._sentence_emb[text] = vec

    def nearest(self, query_vector: np.ndarray, k: int) -> np.ndarray:
        """Row indexes of the `k` skills most similar to `query_vector`, best first."""
        scores = self.skill_embeddings_ @ query_vector
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        # stable order: score descending, then taxonomy position
        return top[np.lexsort((top, -scores[top]))]

    def _ranked(self, anchor: str, positive_uri: str) -> list[str]:
        pos = self.taxonomy_.position(positive_uri)
        pos_vec = self.skill_embeddings_[pos]
        if self.query == "positive":
            cached = self._by_positive.get(positive_uri)
            if cached is not None:
                return cached[0]
            query_vec = pos_vec
        else:
            if anchor not in self._sentence_emb:
                self.prepare([anchor])
            query_vec = self._sentence_emb[anchor]
        rows = self.nearest(query_vec, self.pool + 1)
        too_close = (self.skill_embeddings_[rows] @ pos_vec) > self.margin
        uris = [self.uris_[int(r)] for r, close in zip(rows, too_close, strict=True) if not close]
        if self.query == "positive":
            self._by_positive[positive_uri] = (uris, rows)
        return uris

    def _candidates(self, anchor: str, positive_uri: str, *, rng: np.random.Generator) -> Iterable[str]:
        ranked = self._ranked(anchor, positive_uri)
        if self.shuffle_pool:
            return [ranked[int(i)] for i in rng.permutation(len(ranked))]
        return ranked


"""A length-grouped batch sampler: batches of anchors of similar length, less padding."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
from sentence_transformers.base.sampler import DefaultBatchSampler


class LengthGroupedBatchSampler(DefaultBatchSampler):
    """Shuffle, cut into chunks of `megabatch` batches, sort each chunk by anchor length.

    Padding is to the longest text of a batch, so grouping anchors of similar length saves
    compute. Within a batch, no positive text repeats (a repeated positive would be a false
    in-batch negative for MultipleNegativesRankingLoss); rows that would repeat one are moved
    to a later batch. Batch order is shuffled each epoch (seeded).
    """

    megabatch = 50

    def __init__(self, dataset: Any, batch_size: int, drop_last: bool, **kwargs: Any) -> None:
        super().__init__(dataset, batch_size=batch_size, drop_last=drop_last, **kwargs)
        self.lengths = np.array([len(a) for a in dataset["anchor"]])
        self.positives = list(dataset["positive"]) if "positive" in dataset.column_names else None

    def _batches(self) -> list[list[int]]:
        rng = np.random.default_rng(self.seed + self.epoch)
        order = rng.permutation(len(self.lengths))
        chunk = self.batch_size * self.megabatch
        batches: list[list[int]] = []
        pending: list[int] = []
        for start in range(0, len(order), chunk):
            part = order[start : start + chunk]
            part = part[np.argsort(self.lengths[part], kind="stable")]
            queue = pending + [int(i) for i in part]
            pending = []
            batch: list[int] = []
            seen: set[str] = set()
            for i in queue:
                key = self.positives[i] if self.positives is not None else str(i)
                if key in seen:
                    pending.append(i)
                    continue
                batch.append(i)
                seen.add(key)
                if len(batch) == self.batch_size:
                    batches.append(batch)
                    batch, seen = [], set()
            pending.extend(batch)
        while pending:  # leftovers: pack them greedily without repeated positives
            batch, seen, rest = [], set(), []
            for i in pending:
                key = self.positives[i] if self.positives is not None else str(i)
                if key in seen or len(batch) == self.batch_size:
                    rest.append(i)
                else:
                    batch.append(i)
                    seen.add(key)
            if len(batch) == self.batch_size or not self.drop_last:
                batches.append(batch)
            pending = rest  # each pass takes at least one row, so this ends
        return [batches[int(i)] for i in rng.permutation(len(batches))]

    def __iter__(self) -> Iterator[list[int]]:
        yield from self._batches()

    def __len__(self) -> int:
        # Moving rows that would repeat a positive can add batches beyond ceil(n / batch_size);
        # the trainer sizes its learning-rate schedule from this, so count the real batches.
        return len(self._batches())

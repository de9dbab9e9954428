"""`TailAverage`: a uniform running mean of the weights over the last part of a run (SWA-style).

Averaging the weights a run passes through after its first steps lands in a flatter region
than any single step, which is meant to make the result depend less on the seed's data order.
"""

from __future__ import annotations

from typing import Any


class TailAverage:
    """Running mean of a model's floating-point weights from `start_step` on.

    Call `update(model, step)` after every optimisation step; steps before `start_step` are
    ignored. Integer buffers (e.g. position ids) are never averaged and keep the model's values.

    Args:
        start_step: First step whose weights enter the mean (>= 1).

    Attributes:
        n_averaged: How many steps the mean holds.
    """

    def __init__(self, start_step: int) -> None:
        self.start_step = max(1, int(start_step))
        self.n_averaged = 0
        self._mean: dict[str, Any] = {}

    def update(self, model: Any, step: int) -> None:
        """Add the current weights to the mean if `step` is past the start."""
        import torch

        if step < self.start_step:
            return
        self.n_averaged += 1
        with torch.no_grad():
            for name, value in model.state_dict().items():
                if not value.is_floating_point():
                    continue
                if name not in self._mean:
                    self._mean[name] = value.detach().clone()
                else:  # incremental mean: m += (x - m) / n
                    self._mean[name].add_(value.detach() - self._mean[name], alpha=1.0 / self.n_averaged)

    def state_dict(self, model: Any) -> dict[str, Any]:
        """The model's state dict with every averaged tensor replaced by its mean."""
        state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        state.update({k: v.clone() for k, v in self._mean.items()})
        return state


def tail_start_step(total_steps: int, tail: float) -> int:
    """First step of the averaged tail: the last `tail` fraction of `total_steps` (at least one step)."""
    return max(1, total_steps - max(1, round(total_steps * tail)) + 1)

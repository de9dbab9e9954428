"""Trainer callbacks of a skillx training run: time budget, loss history, best weights in memory."""

from __future__ import annotations

import logging
import time
from typing import Any

from transformers import TrainerCallback

logger = logging.getLogger(__name__)


class TimeBudgetCallback(TrainerCallback):
    """Stop training once `budget_s` seconds have passed since training began.

    The check runs after every optimisation step, so the run ends at the first step past the
    budget (evaluations during training count towards it).

    Args:
        budget_s: Seconds allowed; 0 or less: no budget.

    Attributes:
        stopped: Whether the budget stopped the run.
    """

    def __init__(self, budget_s: float) -> None:
        self.budget_s = float(budget_s)
        self.stopped = False
        self._started = time.perf_counter()

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
        self._started = time.perf_counter()
        self.stopped = False

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
        if self.budget_s > 0 and time.perf_counter() - self._started >= self.budget_s:
            logger.info("time budget of %.0f s reached at step %d", self.budget_s, state.global_step)
            self.stopped = True
            control.should_training_stop = True
        return control


class LossHistoryCallback(TrainerCallback):
    """Record every logged training loss as ``{"step": int, "loss": float}`` in `history`."""

    def __init__(self) -> None:
        self.history: list[dict[str, float]] = []

    def on_log(
        self, args: Any, state: Any, control: Any, logs: dict[str, float] | None = None, **kwargs: Any
    ) -> Any:
        if logs and "loss" in logs:
            self.history.append({"step": int(state.global_step), "loss": float(logs["loss"])})


class BestWeightsCallback(TrainerCallback):
    """Keep, in memory, the weights of the best evaluation; evaluate once more when training ends.

    After each evaluation (``on_evaluate``) whose `metric` beats every earlier one (strictly,
    so on a tie the earlier, shorter-trained weights stay), a copy of the model's state dict is
    kept. When training stops (last step, or a callback such as `TimeBudgetCallback` asked it
    to), an evaluation is requested so the final weights are a candidate too. Put it after the
    callbacks that may stop training. Load the result with
    ``model.load_state_dict(callback.best_state)``.

    Args:
        metric: Key of the trainer's evaluation metrics to maximise (``"eval_rp@5"``: the
            evaluator's ``rp@5`` as the trainer prefixes it).

    Attributes:
        best_state: State dict of the best evaluation (None before any evaluation).
        best_score: Its metric value.
        best_index: Its position among the evaluations seen (0: the first).
        n_evaluations: Evaluations seen.
    """

    def __init__(self, metric: str = "eval_rp@5") -> None:
        self.metric = metric
        self.best_state: dict[str, Any] | None = None
        self.best_score: float | None = None
        self.best_index = -1
        self.n_evaluations = 0

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
        if control.should_training_stop or state.global_step >= state.max_steps:
            control.should_evaluate = True
        return control

    def on_evaluate(
        self, args: Any, state: Any, control: Any, metrics: dict[str, float] | None = None, **kwargs: Any
    ) -> Any:
        self.n_evaluations += 1
        if not metrics or self.metric not in metrics:
            return
        score = float(metrics[self.metric])
        if self.best_score is None or score > self.best_score:
            model = kwargs["model"]
            self.best_score = score
            self.best_index = self.n_evaluations - 1
            self.best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}

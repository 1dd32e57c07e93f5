"""Experiment 5 (Sec. 5.5): the multiplication problem.

Like the adding problem (:mod:`lstm_core.tasks.adding`: same pairs, markers, positions and
lengths), with three changes: values are uniform in [0, 1]; a marked first pair gets the
value 1.0 (so it does not change the product); the target at the last step is X1 * X2.
A sequence is correct if the absolute error there is below 0.04.

The paper trains until fewer than n_seq of the 2000 most recent training sequences have an
absolute error above 0.04, with n_seq = 140 (enough to store the inputs) and n_seq = 13
(also fine-tunes the output), then measures a 2560-sequence test set. Learning rate 0.1,
T = 100.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from lstm_core.tasks.adding import (
    ERROR_BOUND, FINAL_TEST_SIZE, N_INPUTS, N_OUTPUTS, RECENT_WINDOW, _end_only_batch, check_T,
    sample_marked_pairs,
)
from lstm_core import validation as validate
from lstm_core.tasks.base import (
    SeedLike, SequenceBatch, TaskConfig, check_config, check_n, check_task, make_rng, last_step_error,
)
from lstm_core.tasks.stopping import RecentWindow

__all__ = ["N_INPUTS", "N_OUTPUTS", "LEARNING_RATE", "ERROR_BOUND", "RECENT_WINDOW", "FINAL_TEST_SIZE",
           "MultiplicationConfig", "PAPER_CONFIGS", "generate", "sequence_correct", "sequence_error",
           "stopping_rule"]

LEARNING_RATE = 0.1


@dataclass(frozen=True)
class MultiplicationConfig(TaskConfig):
    """The multiplication problem and its stopping threshold."""

    T: int = 100  # minimal length; lengths uniform in [T, T + T // 10]; X2 among the first T // 2 - 1 unmarked
    n_seq: int = 13  # stop once fewer than n_seq of the 2000 most recent sequences have error > 0.04

    def __post_init__(self) -> None:
        self._store(T=check_T(self.T), n_seq=validate.positive_int("n_seq", self.n_seq, high=RECENT_WINDOW))

    experiment, n_inputs, n_outputs = "multiplication", N_INPUTS, N_OUTPUTS

    @property
    def max_length(self) -> int:
        """Longest possible sequence, T + T // 10."""
        return self.T + self.T // 10


PAPER_CONFIGS: dict[str, MultiplicationConfig] = {  # Table 8
    "multiplication-T100-nseq140": MultiplicationConfig(T=100, n_seq=140),
    "multiplication-T100-nseq13": MultiplicationConfig(T=100, n_seq=13),
}


def generate(config: MultiplicationConfig, n: int, seed: SeedLike) -> SequenceBatch:
    """``n`` random multiplication-problem sequences; target X1 * X2 at the last step only.

    ``info``: ``marked`` (n, 2) positions of X1 and X2 (in draw order), ``x1``, ``x2`` (n,).

    >>> batch = generate(MultiplicationConfig(T=20), n=1, seed=3)
    >>> batch.info["marked"].tolist(), batch.lengths.tolist()
    ([[0, 2]], [22])
    >>> batch.inputs[0, 0].tolist()       # the first pair is marked, so its value is 1.0
    [1.0, 1.0]
    >>> x2 = batch.inputs[0, 2, 0]
    >>> bool(np.isclose(batch.targets[0, 21, 0], 1.0 * x2))
    True
    """
    check_config(config, MultiplicationConfig)
    n = check_n(n)
    rng = make_rng(seed)
    inputs, lengths, marked = sample_marked_pairs(config.T, n, rng, 0.0, 1.0, first_pair_value=1.0)
    rows = np.arange(n)
    x1 = inputs[rows, marked[:, 0], 0].astype(np.float64)
    x2 = inputs[rows, marked[:, 1], 0].astype(np.float64)
    info = {"marked": marked, "x1": x1, "x2": x2}
    return _end_only_batch(inputs, lengths, x1 * x2, info, "multiplication")


def sequence_error(outputs: Any, batch: SequenceBatch, kind: str = "absolute") -> np.ndarray:
    """(n,) |target - output| at the last step; ``kind="squared"`` for the test MSE of Table 8."""
    check_task(batch, "multiplication")
    return last_step_error(outputs, batch, kind)


def sequence_correct(outputs: Any, batch: SequenceBatch) -> np.ndarray:
    """(n,) bool: absolute error at the sequence end below 0.04.

    >>> batch = generate(MultiplicationConfig(T=20), n=2, seed=0)
    >>> sequence_correct(batch.targets - 0.03, batch).tolist(), sequence_correct(batch.targets - 0.05, batch).tolist()
    ([True, True], [False, False])
    """
    return sequence_error(outputs, batch, "absolute") < ERROR_BOUND


def stopping_rule(config: MultiplicationConfig = MultiplicationConfig()) -> RecentWindow:
    """Fewer than ``config.n_seq`` wrong among the 2000 most recent training sequences."""
    check_config(config, MultiplicationConfig)
    return RecentWindow(window=RECENT_WINDOW, max_wrong=config.n_seq - 1)

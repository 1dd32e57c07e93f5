"""Delayed recall: remember one flagged sign for ``lag`` steps, among distractor signs.

Not one of the paper's experiments: a small probe of the problem its introduction
describes, "learning to bridge a time lag", stripped to its core so that a vanilla RNN can
be trained on it in seconds. Only the lag changes between an easy and a hopeless task.

Each step is a pair (value, marker): 2 input units. Every value is a random sign, +1 or -1
with probability 0.5. Exactly one step, the *cue*, has marker 1.0; every other marker is 0.
The sequence ends ``lag`` steps after the cue: with ``n_before`` leading distractors
(uniform in 0..``max_before``) the length is ``n_before + lag + 1``, the cue sits at step
``n_before`` and the last step at ``n_before + lag``.

One sigmoid output unit, judged at the last step only: the target is 1.0 if the cue was +1
and 0.0 if it was -1. A sequence is correct when the output is on the right side of 0.5
(absolute error below 0.5), so guessing scores 50%. The distractors carry no information
about the target: the only way to beat chance is to carry the cue across the lag.

Training stops (:func:`stopping_rule`) when at most 5% of the 500 most recent training
sequences were wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from lstm_core import validation as validate
from lstm_core.tasks.base import (
    SeedLike, SequenceBatch, TaskConfig, check_config, check_n, check_task, end_mask, make_rng, step_mask,
    last_step_error,
)
from lstm_core.tasks.stopping import RecentWindow

__all__ = ["N_INPUTS", "N_OUTPUTS", "ERROR_BOUND", "CHANCE_ACCURACY", "STOP_WINDOW", "STOP_MAX_WRONG",
           "TEST_SET_SIZE", "RecallConfig", "generate", "sequence_correct", "sequence_error",
           "stopping_rule"]

N_INPUTS = 2  # value (a sign), marker (1.0 at the cue)
N_OUTPUTS = 1
ERROR_BOUND = 0.5  # correct if |target - output| < 0.5 at the last step: the sign is right
CHANCE_ACCURACY = 0.5  # two equally likely cue signs
STOP_WINDOW = 500  # the stopping rule judges this many most recent training sequences
STOP_MAX_WRONG = 25  # ... of which at most this many (5%) may be wrong
TEST_SET_SIZE = 512  # sequences in a fresh test set (see ``lstm_core.training.loop.test_set``)


@dataclass(frozen=True)
class RecallConfig(TaskConfig):
    """Delayed recall of a flagged sign, ``lag`` steps later."""

    lag: int  # steps from the cue to the last step, where the cue's sign must be output (>= 1)
    max_before: int = 0  # leading distractors before the cue: uniform in 0..max_before (>= 0)

    def __post_init__(self) -> None:
        self._store(lag=validate.positive_int("lag", self.lag),
                    max_before=validate.nonneg_int("max_before", self.max_before))

    experiment, n_inputs, n_outputs = "recall", N_INPUTS, N_OUTPUTS

    @property
    def max_length(self) -> int:
        """Longest possible sequence, max_before + lag + 1."""
        return self.max_before + self.lag + 1


def generate(config: RecallConfig, n: int, seed: SeedLike) -> SequenceBatch:
    """``n`` random delayed-recall sequences; the target sits at the last step only.

    ``info``: ``cue_step`` (n,) the step of the flagged sign, ``cue`` (n,) its value (+1 or -1).
    The last step of every sequence is ``cue_step + lag``.

    >>> batch = generate(RecallConfig(lag=3), n=1, seed=1)
    >>> batch.inputs[0].astype(int).tolist()     # (value, marker): the cue is the first step
    [[-1, 1], [1, 0], [1, 0], [1, 0]]
    >>> batch.targets[0, :, 0].tolist(), batch.target_mask[0].tolist()   # recall -1 -> target 0
    ([0.0, 0.0, 0.0, 0.0], [False, False, False, True])
    >>> later = generate(RecallConfig(lag=3, max_before=4), n=3, seed=1)
    >>> (later.lengths - later.info["cue_step"]).tolist()   # always lag + 1 steps from the cue on
    [4, 4, 4]
    """
    check_config(config, RecallConfig)
    n = check_n(n)
    rng = make_rng(seed)
    before = rng.integers(0, config.max_before + 1, size=n).astype(np.int64)  # leading distractors
    lengths = before + config.lag + 1
    t_max = int(lengths.max())
    values = rng.choice(np.array([-1.0, 1.0]), size=(n, t_max))  # every step: a random sign
    rows = np.arange(n)
    markers = np.zeros((n, t_max))
    markers[rows, before] = 1.0  # the cue is flagged
    inside = step_mask(lengths, t_max)
    inputs = np.stack([np.where(inside, values, 0.0), markers], axis=-1).astype(np.float32)
    cue = values[rows, before]
    targets = np.zeros((n, t_max, N_OUTPUTS), dtype=np.float32)
    targets[rows, lengths - 1, 0] = (cue > 0).astype(np.float32)  # +1 -> 1.0, -1 -> 0.0
    info = {"cue_step": before, "cue": cue}
    return SequenceBatch(inputs, targets, end_mask(lengths, t_max), lengths, info, "recall")


def sequence_error(outputs: Any, batch: SequenceBatch, kind: str = "absolute") -> np.ndarray:
    """(n,) |target - output| at the last step (``kind="squared"``: its square)."""
    check_task(batch, "recall")
    return last_step_error(outputs, batch, kind)


def sequence_correct(outputs: Any, batch: SequenceBatch) -> np.ndarray:
    """(n,) bool: the output at the last step is on the cue's side of 0.5.

    >>> batch = generate(RecallConfig(lag=5), n=2, seed=0)
    >>> batch.targets[:, -1, 0].tolist()
    [1.0, 0.0]
    >>> sequence_correct(np.abs(batch.targets - 0.4), batch).tolist()   # 0.6 and 0.4: right side
    [True, True]
    >>> sequence_correct(np.abs(batch.targets - 0.6), batch).tolist()   # 0.4 and 0.6: wrong side
    [False, False]
    """
    return sequence_error(outputs, batch, "absolute") < ERROR_BOUND


def stopping_rule(config: RecallConfig) -> RecentWindow:
    """At most 25 of the 500 most recent training sequences wrong (95% correct)."""
    check_config(config, RecallConfig)
    return RecentWindow(window=STOP_WINDOW, max_wrong=STOP_MAX_WRONG)

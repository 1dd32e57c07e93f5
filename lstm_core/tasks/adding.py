"""Experiment 4 (Sec. 5.4): the adding problem.

Each step is a pair (value, marker): 2 input units. Values are uniform in [-1, 1]. Exactly
two pairs are marked with 1.0, chosen like this:

1. X1: one of the first 10 pairs, uniformly.
2. X2: one of the first T/2 - 1 pairs that are still unmarked, uniformly (so X2 may come
   before X1; for odd T we use T // 2 - 1).

All other markers are 0.0, except the first and the final pair, whose markers are -1.0
(a marked first pair keeps marker 1.0). If the first pair is marked, its value is set to 0
(the paper's "X1 = 0"), so it adds nothing. The sequence length is uniform in
[T, T + T/10]. For T >= 20 (all the paper's rows) the marked pairs lie in the first T/2
steps, so the minimal lag is T/2; smaller T (at least 11) is allowed for quick examples.

One output unit, target only at the last step: 0.5 + (X1 + X2) / 4, the sum scaled to
[0, 1]. A sequence is correct if the absolute error there is below 0.04.

Training stops with ST3(0.01): the 2000 most recent sequences correct and their average
(absolute) error below 0.01. Learning rate 0.5. Paper rows: T = 100, 500, 1000.
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
from lstm_core.tasks.stopping import RecentWindow, st3

__all__ = ["N_INPUTS", "N_OUTPUTS", "LEARNING_RATE", "FIRST_MARK_WINDOW", "ERROR_BOUND", "STOP_MEAN_ERROR",
           "RECENT_WINDOW", "FINAL_TEST_SIZE", "AddingConfig", "PAPER_CONFIGS", "sample_marked_pairs",
           "generate", "sequence_correct", "sequence_error", "stopping_rule"]

N_INPUTS = 2  # value, marker
N_OUTPUTS = 1
LEARNING_RATE = 0.5
FIRST_MARK_WINDOW = 10  # X1 is one of the first 10 pairs
ERROR_BOUND = 0.04  # correct if |target - output| < 0.04 at the sequence end
STOP_MEAN_ERROR = 0.01  # ST3(0.01)
RECENT_WINDOW = 2000  # ST3 judges the 2000 most recent training sequences
FINAL_TEST_SIZE = 2560  # test set measured once training has stopped


def check_T(T: Any) -> int:
    """T as an int >= 11, so the marked pairs never reach the final pair."""
    return validate.positive_int("T (minimal sequence length)", T, low=FIRST_MARK_WINDOW + 1)


@dataclass(frozen=True)
class AddingConfig(TaskConfig):
    """The adding problem with minimal sequence length T."""

    T: int = 100  # minimal length; lengths uniform in [T, T + T // 10]; X2 among the first T // 2 - 1 unmarked

    def __post_init__(self) -> None:
        self._store(T=check_T(self.T))

    experiment, n_inputs, n_outputs = "adding", N_INPUTS, N_OUTPUTS

    @property
    def max_length(self) -> int:
        """Longest possible sequence, T + T // 10."""
        return self.T + self.T // 10


PAPER_CONFIGS: dict[str, AddingConfig] = {f"adding-T{T}": AddingConfig(T=T) for T in (100, 500, 1000)}  # Table 7


def sample_marked_pairs(T: int, n: int, rng: np.random.Generator, low: float, high: float,
                        first_pair_value: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The input pairs shared by the adding and multiplication problems.

    Returns ``inputs`` (n, T_max, 2) float32 (value, marker), ``lengths`` (n,) and
    ``marked`` (n, 2): positions of X1 and X2 in the order they were drawn. Values are
    uniform in [low, high]; a marked first pair gets ``first_pair_value``.
    """
    check_T(T)
    lengths = rng.integers(T, T + T // 10 + 1, size=n).astype(np.int64)
    t_max = int(lengths.max())
    values = rng.uniform(low, high, size=(n, t_max))
    first = rng.integers(0, FIRST_MARK_WINDOW, size=n)  # X1: one of the first 10 pairs
    # X2: the c-th of the first T//2 - 1 still-unmarked pairs; skipping X1 shifts positions >= X1 by one
    c = rng.integers(0, T // 2 - 1, size=n)
    second = np.where(c < first, c, c + 1)
    rows = np.arange(n)
    markers = np.zeros((n, t_max))
    markers[:, 0] = -1.0  # first pair
    markers[rows, lengths - 1] = -1.0  # final pair
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    values[:, 0] = np.where(markers[:, 0] == 1.0, first_pair_value, values[:, 0])
    inside = step_mask(lengths, t_max)
    inputs = np.stack([np.where(inside, values, 0.0), np.where(inside, markers, 0.0)], axis=-1)
    return inputs.astype(np.float32), lengths, np.stack([first, second], axis=1).astype(np.int64)


def _end_only_batch(inputs: np.ndarray, lengths: np.ndarray, target: np.ndarray, info: dict,
                    task: str) -> SequenceBatch:
    """A batch whose only target is ``target`` (n,) at each sequence's last step."""
    n, t_max = inputs.shape[:2]
    targets = np.zeros((n, t_max, 1), dtype=np.float32)
    targets[np.arange(n), lengths - 1, 0] = target
    return SequenceBatch(inputs, targets, end_mask(lengths, t_max), lengths, info, task)


def generate(config: AddingConfig, n: int, seed: SeedLike) -> SequenceBatch:
    """``n`` random adding-problem sequences; the target sits at the last step only.

    ``info``: ``marked`` (n, 2) positions of X1 and X2 (in draw order), ``x1`` and ``x2``
    (n,) their values as the network sees them.

    >>> batch = generate(AddingConfig(T=20), n=1, seed=0)
    >>> batch.lengths.tolist(), batch.info["marked"].tolist()   # X1 at step 6, X2 at step 4
    ([22], [[6, 4]])
    >>> batch.inputs[0, :, 1].astype(int).tolist()        # markers: -1 first and last, 1 at X1, X2
    [-1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1]
    >>> x1, x2 = batch.inputs[0, 6, 0], batch.inputs[0, 4, 0]
    >>> bool(np.isclose(batch.targets[0, 21, 0], 0.5 + (x1 + x2) / 4)), batch.target_mask[0].sum().item()
    (True, 1)
    >>> generate(AddingConfig(T=20), n=1, seed=3).inputs[0, 0].tolist()   # first pair marked: value 0
    [0.0, 1.0]
    """
    check_config(config, AddingConfig)
    n = check_n(n)
    rng = make_rng(seed)
    inputs, lengths, marked = sample_marked_pairs(config.T, n, rng, -1.0, 1.0, first_pair_value=0.0)
    rows = np.arange(n)
    x1 = inputs[rows, marked[:, 0], 0].astype(np.float64)
    x2 = inputs[rows, marked[:, 1], 0].astype(np.float64)
    info = {"marked": marked, "x1": x1, "x2": x2}
    return _end_only_batch(inputs, lengths, 0.5 + (x1 + x2) / 4.0, info, "adding")


def sequence_error(outputs: Any, batch: SequenceBatch, kind: str = "absolute") -> np.ndarray:
    """(n,) |target - output| at the last step (``kind="squared"``: its square).

    This absolute error is what ST3's "average training error" averages (see CHOICES).
    """
    check_task(batch, "adding")
    return last_step_error(outputs, batch, kind)


def sequence_correct(outputs: Any, batch: SequenceBatch) -> np.ndarray:
    """(n,) bool: absolute error at the sequence end below 0.04.

    >>> batch = generate(AddingConfig(T=20), n=2, seed=0)
    >>> sequence_correct(batch.targets + 0.03, batch).tolist(), sequence_correct(batch.targets + 0.05, batch).tolist()
    ([True, True], [False, False])
    """
    return sequence_error(outputs, batch, "absolute") < ERROR_BOUND


def stopping_rule(config: AddingConfig = AddingConfig()) -> RecentWindow:
    """ST3(0.01): feed ``update(sequence_correct(out, b), sequence_error(out, b))`` per training sequence."""
    check_config(config, AddingConfig)
    return st3(STOP_MEAN_ERROR, window=RECENT_WINDOW)

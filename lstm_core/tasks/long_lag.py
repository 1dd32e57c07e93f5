"""Experiment 2 (Sec. 5.2): noise-free and noisy symbol sequences with long time lags.

All three tasks code symbols locally (one unit per symbol) and hinge on remembering the
second-from-the-start symbol, x or y, until the end.

**2a, noise-free.** p + 1 symbols a_1, ..., a_{p-1}, x = a_p, y = a_{p+1}. Only two sequences
exist, each drawn with probability 0.5: (y, a_1, ..., a_{p-1}, y) and (x, a_1, ..., a_{p-1}, x).
The net predicts the next symbol at every step; to predict the last one it must store the
first for p steps. Success: during 10,000 successive sequences the largest absolute error of
any output unit stays below 0.25. The paper's LSTM row uses p = 100.

**2b, no local regularities.** As 2a, but the middle a_{i_1}, ..., a_{i_{p-1}} is random
(each element uniform over a_1..a_{p-1}). Only the final x/y is predictable; error at every
step, success judged at the sequence end (absolute error below 0.25, 10,000 sequences).

**2c, very long lags.** p + 4 symbols: distractors a_1..a_p, then e (trigger), b, x, y, in
that unit order. A sequence is b, x|y, q distractors, then more distractors (probability 9/10
each) until e (probability 1/10), then the x|y of the second position. Two output units
(x, y) with the target only after e is read. The minimal lag is q + 1 steps. Success: both
outputs' final absolute error below 0.2 for 10,000 successive sequences.

A sequence of m symbols is m - 1 steps: the last symbol is only a target. Training stops
after 5 million sequences at most (:data:`MAX_SEQUENCES`).

Memory: inputs are one-hot, so a batch takes n * T_max * n_inputs * 4 bytes; for 2c with
q = p = 1000 that is about 4.4 MB per sequence. ``info["symbols"]`` holds the same inputs as
integer indices.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Union

import numpy as np

from lstm_core import validation as validate
from lstm_core.tasks.base import (
    SeedLike, SequenceBatch, TaskConfig, check_config, check_n, check_outputs, check_task, end_mask, make_rng,
    one_hot, reduce_error, step_mask, last_step_error,
)
from lstm_core.tasks.stopping import SuccessiveCorrect

__all__ = ["MAX_SEQUENCES", "SUCCESS_WINDOW", "LEARNING_RATES", "ERROR_BOUNDS", "CLASS_NAMES",
           "Task2aConfig", "Task2bConfig", "Task2cConfig", "PAPER_CONFIGS", "symbol_names", "generate",
           "sequence_correct", "sequence_error", "stopping_rule"]

MAX_SEQUENCES = 5_000_000  # training is stopped after this many sequences (Exp. 2)
SUCCESS_WINDOW = 10_000  # successive sequences that must all be correct
LEARNING_RATES = {"2a": 1.0, "2b": 1.0, "2c": 0.01}  # the paper's learning rate per task (LSTM)
ERROR_BOUNDS = {"2a": 0.25, "2b": 0.25, "2c": 0.2}  # a sequence is correct if every |t_k - y_k| is below this
CLASS_NAMES = ("x", "y")  # info["label"] 0 / 1; in 2c also the two output units, in this order


@dataclass(frozen=True)
class Task2aConfig(TaskConfig):
    """Task 2a: the two fixed sequences (y, a_1, ..., a_{p-1}, y) and (x, a_1, ..., a_{p-1}, x)."""

    p: int = 100  # time lag; p + 1 symbols and units (a_1..a_{p-1}, x, y), sequences of p + 1 symbols

    def __post_init__(self) -> None:
        self._store(p=validate.positive_int("p", self.p, low=2))

    experiment = "2a"

    @property
    def n_inputs(self) -> int:
        return self.p + 1

    @property
    def n_outputs(self) -> int:
        return self.p + 1


@dataclass(frozen=True)
class Task2bConfig(Task2aConfig):
    """Task 2b: (x|y, random a_{i_1}, ..., a_{i_{p-1}}, same x|y); sizes as 2a."""

    experiment = "2b"


@dataclass(frozen=True)
class Task2cConfig(TaskConfig):
    """Task 2c: b, x|y, q distractors, a random number of further distractors, e, then x|y."""

    q: int = 100  # distractors that always follow x|y; minimal time lag q + 1
    p: int = 100  # number of distinct distractor symbols a_1..a_p; p + 4 input units
    p_continue: float = 0.9  # after the q, probability of one more distractor (else the trigger e)

    def __post_init__(self) -> None:
        self._store(q=validate.nonneg_int("q", self.q), p=validate.positive_int("p", self.p),
                    p_continue=validate.probability("p_continue", self.p_continue, high_open=True))

    experiment, n_outputs = "2c", 2

    @property
    def n_inputs(self) -> int:
        return self.p + 4


LongLagConfig = Union[Task2aConfig, Task2bConfig, Task2cConfig]

PAPER_CONFIGS: dict[str, LongLagConfig] = {
    # Table 2 (2a): RTRL was run with p = 4 and 10, LSTM with p = 100
    "2a-p4": Task2aConfig(p=4),
    "2a-p10": Task2aConfig(p=10),
    "2a-p100": Task2aConfig(p=100),
    # Task 2b text: p = 100
    "2b-p100": Task2bConfig(p=100),
    # Table 3 (2c)
    **{f"2c-q{q}-p{p}": Task2cConfig(q=q, p=p)
       for q, p in [(50, 50), (100, 100), (200, 200), (500, 500), (1000, 1000),
                    (1000, 500), (1000, 200), (1000, 100), (1000, 50)]},
}


def symbol_names(config: LongLagConfig) -> list[str]:
    """Names of the input units, in order.

    >>> symbol_names(Task2aConfig(p=4)), symbol_names(Task2cConfig(q=3, p=2))
    (['a1', 'a2', 'a3', 'x', 'y'], ['a1', 'a2', 'e', 'b', 'x', 'y'])
    """
    if isinstance(config, (Task2aConfig, Task2bConfig)):
        return [f"a{i}" for i in range(1, config.p)] + ["x", "y"]
    check_config(config, Task2aConfig, Task2bConfig, Task2cConfig)
    return [f"a{i}" for i in range(1, config.p + 1)] + ["e", "b", "x", "y"]


def generate(config: LongLagConfig, n: int, seed: SeedLike, dense: bool = True) -> SequenceBatch:
    """``n`` random sequences of task 2a, 2b or 2c (chosen by the config's type).

    ``dense=False`` skips building the one-hot inputs (p = 1000 makes them about 4 MB a
    sequence): ``inputs`` is then a read-only all-zero placeholder and the inputs are only in
    ``info["symbols"]``. That is for the fast engine, which reads the symbols directly; every
    other consumer needs the default ``dense=True``.

    2a/2b: every sequence has p steps, the target is the next symbol at every step.
    2c: ``lengths`` = q + k + 3 steps (k >= 0 extra distractors); target (1, 0) for x or (0, 1)
    for y at the last step only, the step whose input is the trigger e.
    ``info``: ``label`` (0 = x, 1 = y), ``symbols`` (n, T_max) input indices (-1 = padding);
    2c also ``trigger_step`` (= length - 1) and ``n_extra`` (k).

    >>> names = symbol_names(Task2aConfig(p=4))
    >>> batch = generate(Task2aConfig(p=4), n=1, seed=1)
    >>> [names[i] for i in batch.info["symbols"][0]], names[int(batch.targets[0, -1].argmax())]
    (['x', 'a1', 'a2', 'a3'], 'x')
    >>> c = Task2cConfig(q=3, p=2)
    >>> batch = generate(c, n=1, seed=1)
    >>> [symbol_names(c)[i] for i in batch.info["symbols"][0]], batch.targets[0, -1].tolist()
    (['b', 'x', 'a2', 'a1', 'a1', 'a2', 'a1', 'e'], [1.0, 0.0])
    >>> batch.lengths.tolist(), batch.info["n_extra"].tolist()     # q + k + 3 steps with k = 2
    ([8], [2])
    """
    n = check_n(n)
    rng = make_rng(seed)
    if isinstance(config, (Task2aConfig, Task2bConfig)):
        return _generate_2ab(config, n, rng, dense)
    check_config(config, Task2aConfig, Task2bConfig, Task2cConfig)
    return _generate_2c(config, n, rng, dense)


def _local_code(symbols: np.ndarray, depth: int, dense: bool) -> np.ndarray:
    """One-hot inputs, or (dense=False) a zero placeholder of the same shape that takes no memory."""
    if dense:
        return one_hot(symbols, depth)
    return np.broadcast_to(np.zeros((1, 1, depth), dtype=np.float32), symbols.shape + (depth,))


def _generate_2ab(config: Task2aConfig | Task2bConfig, n: int, rng: np.random.Generator,
                  dense: bool = True) -> SequenceBatch:
    p = config.p
    x_index, y_index = p - 1, p  # a_1..a_{p-1} are 0..p-2
    label = rng.integers(0, 2, size=n)  # 0: x, 1: y, probability 0.5 each
    end = np.where(label == 0, x_index, y_index)
    symbols = np.empty((n, p + 1), dtype=np.int64)  # the p + 1 symbols of each sequence
    symbols[:, 0] = end
    if config.experiment == "2a":  # (Task2bConfig subclasses Task2aConfig: ask by name)
        symbols[:, 1:p] = np.arange(p - 1)  # a_1, ..., a_{p-1}
    else:
        symbols[:, 1:p] = rng.integers(0, p - 1, size=(n, p - 1))  # random a_{i_1}..a_{i_{p-1}}
    symbols[:, p] = end
    lengths = np.full(n, p, dtype=np.int64)
    return SequenceBatch(
        inputs=_local_code(symbols[:, :-1], p + 1, dense),
        targets=one_hot(symbols[:, 1:], p + 1),
        target_mask=np.ones((n, p), dtype=bool),  # error at every step
        lengths=lengths,
        info={"label": label.astype(np.int64), "symbols": symbols[:, :-1].copy()},
        task=config.experiment,
    )


def _generate_2c(config: Task2cConfig, n: int, rng: np.random.Generator, dense: bool = True) -> SequenceBatch:
    p, q = config.p, config.q
    e, b, x, y = p, p + 1, p + 2, p + 3  # a_1..a_p are 0..p-1
    label = rng.integers(0, 2, size=n)  # 0: x, 1: y
    # k extra distractors: P(k) = (1 - p_continue) * p_continue**k
    n_extra = rng.geometric(1.0 - config.p_continue, size=n) - 1
    lengths = (q + n_extra + 3).astype(np.int64)  # b, x|y, q + k distractors, e
    t_max = int(lengths.max())
    steps = np.arange(t_max)[None, :]
    distractors = rng.integers(0, p, size=(n, t_max))
    symbols = np.where((steps >= 2) & (steps < lengths[:, None] - 1), distractors, -1)
    symbols[:, 0] = b
    symbols[:, 1] = np.where(label == 0, x, y)
    symbols[np.arange(n), lengths - 1] = e
    mask = end_mask(lengths, t_max)
    targets = np.zeros((n, t_max, 2), dtype=np.float32)
    targets[np.arange(n), lengths - 1, label] = 1.0  # output 0 is x, output 1 is y
    return SequenceBatch(
        inputs=_local_code(symbols, p + 4, dense),
        targets=targets,
        target_mask=mask,
        lengths=lengths,
        info={"label": label.astype(np.int64), "symbols": symbols, "trigger_step": lengths - 1,
              "n_extra": n_extra.astype(np.int64)},
        task="2c",
    )


def sequence_error(outputs: Any, batch: SequenceBatch, kind: str = "max_abs") -> np.ndarray:
    """(n,) the error the paper's success criterion bounds.

    Default ``kind="max_abs"``: the largest |t_k - y_k| over the output units, taken over
    every step for 2a (all its targets are predictable) and at the last step for 2b and 2c.
    ``"absolute"`` / ``"squared"`` give mean_k |t_k - y_k| / sum_k (t_k - y_k)^2 instead
    (averaged over the steps for 2a).
    """
    task = check_task(batch, "2a", "2b", "2c")
    if task == "2a":
        per_step = reduce_error(batch.targets - check_outputs(outputs, batch), kind)
        valid = step_mask(batch.lengths, batch.T_max)
        if kind == "max_abs":
            return np.where(valid, per_step, 0.0).max(axis=1)
        return np.where(valid, per_step, 0.0).sum(axis=1) / batch.lengths
    return last_step_error(outputs, batch, kind)


def sequence_correct(outputs: Any, batch: SequenceBatch) -> np.ndarray:
    """(n,) bool: every judged |t_k - y_k| below 0.25 (2a, 2b) or 0.2 (2c).

    >>> batch = generate(Task2cConfig(q=3, p=2), n=2, seed=0)
    >>> outputs = batch.targets * 0.9 + 0.05          # 0.95 / 0.05: error 0.05 everywhere
    >>> sequence_correct(outputs, batch).tolist()
    [True, True]
    >>> sequence_correct(np.full_like(outputs, 0.5), batch).tolist()   # error 0.5
    [False, False]
    """
    return sequence_error(outputs, batch, "max_abs") < ERROR_BOUNDS[check_task(batch, "2a", "2b", "2c")]


def stopping_rule(config: LongLagConfig) -> SuccessiveCorrect:
    """10,000 successive correct sequences; ``rule.success_after`` counts those before the run."""
    symbol_names(config)  # validates the config type
    return SuccessiveCorrect(window=SUCCESS_WINDOW)

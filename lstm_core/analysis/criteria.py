"""How hard the paper's success criteria are: runs of correct sequences, and random weight guessing.

**"k correct in a row"**: why a network that gets 99 % of its sequences right may still take very
long to meet ST3 (2000 correct in a row): :func:`prob_run`, :func:`expected_wait_for_run`,
:func:`error_rate_for_run`, and each shipped trial's final error rate, :func:`trial_error_rates`.

**Random weight guessing** (the paper, Sec. 5.3, on experiment 3): :func:`guess_latch` draws the 5
weights of a small "latch" network at random until one meets the task's own criterion.

Plots: :mod:`lstm_core.plots.criteria`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from lstm_core import validation as validate
from lstm_core.tasks import noise_signal
from lstm_core.tasks.base import SequenceBatch, step_mask
from lstm_core.tasks.stopping import TestSetRule

__all__ = ["prob_run", "expected_wait_for_run", "error_rate_for_run", "trial_error_rates", "LatchGuess",
           "guess_latch"]


def _check_rate(error_rate: Any) -> float:
    return validate.probability("error_rate", error_rate, high_open=True)


def prob_run(error_rate: float, k: int) -> float:
    """Probability that ``k`` independent sequences are all correct: (1 - e)^k.

    >>> round(prob_run(0.001, 2000), 4)
    0.1352
    """
    return float((1.0 - _check_rate(error_rate)) ** validate.positive_int("k", k))


def expected_wait_for_run(error_rate: float, k: int) -> float:
    """Mean number of sequences until the first run of ``k`` correct ones, at a fixed error rate e.

    ((1 - e)^-k - 1) / e (the classic waiting time for k successes in a row); k when e = 0;
    ``inf`` when the wait is beyond what a float holds.

    >>> expected_wait_for_run(0.5, 1)     # a fair coin: two tosses on average until the first head
    2.0
    >>> expected_wait_for_run(0.5, 2000)  # 2^2000: longer than any training run, and than a float
    inf
    """
    e = _check_rate(error_rate)
    k = validate.positive_int("k", k)
    if e == 0.0:
        return float(k)
    try:
        return float(math.expm1(-k * math.log1p(-e)) / e)
    except OverflowError:
        return math.inf


def error_rate_for_run(probability: float, k: int) -> float:
    """The per-sequence error rate e at which k in a row happen with ``probability``: 1 - p^(1/k).

    >>> round(error_rate_for_run(0.5, 2000), 6)
    0.000347
    """
    p = validate.probability("probability", probability, low_open=True)
    return float(-math.expm1(math.log(p) / validate.positive_int("k", k)))


def trial_error_rates(row_result: dict[str, Any]) -> np.ndarray:
    """Each trial's fraction wrong on its final test set, from one row of the shipped results.

    ``row_result`` is ``load_results()["rows"][key]``; trials without a final test are skipped.

    >>> trial_error_rates({"trials": [{"test_wrong": 5, "test_size": 2560}, {"test_wrong": None, "test_size": None}]})
    array([0.00195312])
    """
    trials = row_result.get("trials") if isinstance(row_result, dict) else None
    if not isinstance(trials, list):
        raise ValueError("row_result must be one row of load_results()['rows'] (a dict with a 'trials' list)")
    rates = [t["test_wrong"] / t["test_size"] for t in trials
             if t.get("test_wrong") is not None and t.get("test_size")]
    return np.asarray(rates, dtype=np.float64)


@dataclass(frozen=True)
class LatchGuess:
    """The outcome of ``n`` random guesses of the latch network's 5 weights (see :func:`guess_latch`)."""

    weights: np.ndarray  # (n, 5): w_hh, w_hx, b_h, w_yh, b_y of each guess
    solved: np.ndarray  # (n,) bool: the guess meets the task's criterion on the test set
    presented: np.ndarray  # (n,) sequences shown before the guess was accepted or rejected
    test_size: int  # sequences in the test set
    weight_range: float  # guesses are uniform in [-weight_range, weight_range]
    criterion: str  # "ST1" or "ST2" of the task

    @property
    def n_solved(self) -> int:
        return int(self.solved.sum())

    @property
    def guesses_per_solution(self) -> float:
        """Mean guesses per solution (inf if none): the expected length of a guessing search."""
        return self.solved.size / self.n_solved if self.n_solved else math.inf

    @property
    def sequences_per_solution(self) -> float:
        """Mean sequence presentations per solution (inf if none), counting early rejections."""
        return float(self.presented.sum()) / self.n_solved if self.n_solved else math.inf


def guess_latch(config: Any, n_guesses: int, weight_range: float = 100.0, seed: int = 0,
                test_size: int = 256, criterion: str = "ST2") -> LatchGuess:
    """Random weight guessing (RG) on a 2-sequence problem (3a, 3b, 3c): REPEAT guess, test, UNTIL solved.

    The guessed network is ours (the 1997 paper does not describe its guesser): the "latch" of
    Bengio et al. (1994), one tanh unit with a self-connection, an input and a bias,
    h(t) = tanh(w_hh h(t-1) + w_hx x(t) + b_h), h(0) = 0, read by one sigmoid output unit at the
    end, y = sigmoid(w_yh h(T) + b_y). All 5 weights are drawn uniformly from
    [-weight_range, weight_range]. Each guess is judged on the same test set of ``test_size``
    sequences (``default_rng([seed, 3])``) by the task's own ``stopping_rule(config, criterion)``;
    ``presented`` counts the sequences shown until the rule's number of allowed mistakes was
    exceeded (early rejection), or all of them.
    """
    validate.instance("config (a 2-sequence problem: 3a, 3b, 3c)", config, noise_signal.TwoSequenceConfig)
    n_guesses = validate.positive_int("n_guesses", n_guesses)
    weight_range = validate.positive_real("weight_range", weight_range, example="100")
    test_size = validate.positive_int("test_size", test_size)
    paper_rule = noise_signal.stopping_rule(config, criterion)  # validates criterion
    rule = TestSetRule(paper_rule.max_wrong, paper_rule.mean_error_below)  # the same rule, any test-set size
    test = noise_signal.generate(config, test_size, np.random.default_rng([seed, 3]))
    w = np.random.default_rng([seed, 4]).uniform(-weight_range, weight_range, size=(int(n_guesses), 5))
    # Most guesses fail within the first few sequences; judge everyone on a short prefix of the
    # test set first and only the survivors on the whole set (same outcome, much less work).
    prefix = test.select(np.arange(min(test.n, 16)))
    correct, _ = _judge_latch(w, prefix)
    over = np.cumsum(~correct, axis=1) > rule.max_wrong  # (guesses, prefix)
    presented = np.where(over.any(axis=1), over.argmax(axis=1) + 1, test.n).astype(np.int64)
    solved = np.zeros(w.shape[0], dtype=bool)
    alive = np.flatnonzero(~over.any(axis=1))
    if alive.size:
        correct, error = _judge_latch(w[alive], test)
        over = np.cumsum(~correct, axis=1) > rule.max_wrong
        presented[alive] = np.where(over.any(axis=1), over.argmax(axis=1) + 1, test.n)
        solved[alive] = [rule.check(c, e) for c, e in zip(correct, error)]
    return LatchGuess(w, solved, presented, test.n, float(weight_range), criterion)


def _judge_latch(w: np.ndarray, test: SequenceBatch) -> tuple[np.ndarray, np.ndarray]:
    """(correct, error), each (guesses, test.n): every guessed latch network on every test sequence."""
    x = test.inputs[:, :, 0].astype(np.float64)  # (test, T_max)
    inside = step_mask(test.lengths, test.T_max)
    h = np.zeros((w.shape[0], test.n))  # (guesses, test sequences), h(0) = 0
    for t in range(test.T_max):
        # h(t) = tanh(w_hh h(t-1) + w_hx x(t) + b_h); after a sequence's end h stays as it was
        h_new = np.tanh(w[:, 0:1] * h + w[:, 1:2] * x[None, :, t] + w[:, 2:3])
        h = np.where(inside[None, :, t], h_new, h)
    y = 0.5 * (1.0 + np.tanh(0.5 * (w[:, 3:4] * h + w[:, 4:5])))  # y = sigmoid(w_yh h(T) + b_y), overflow-free
    # judge with the task's own criterion, a group of guesses at a time: k copies of the test
    # set form one batch whose outputs are set at each sequence's last step
    group = max(1, min(w.shape[0], 16_384 // test.n))
    tiled = test.select(np.tile(np.arange(test.n), group))
    out = np.zeros((tiled.n, tiled.T_max, 1))
    rows, last = np.arange(tiled.n), tiled.lengths - 1
    correct = np.zeros(y.shape, dtype=bool)
    error = np.zeros(y.shape)
    for start in range(0, w.shape[0], group):
        k = min(group, w.shape[0] - start)
        out[rows, last, 0] = np.resize(y[start:start + k].reshape(-1), tiled.n)
        correct[start:start + k] = noise_signal.sequence_correct(out, tiled).reshape(group, test.n)[:k]
        error[start:start + k] = noise_signal.sequence_error(out, tiled).reshape(group, test.n)[:k]
    return correct, error

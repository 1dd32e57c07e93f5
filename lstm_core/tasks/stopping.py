"""The paper's stopping rules, fed with per-sequence results (see :mod:`lstm_core.tasks`).

The paper stops training with a few kinds of rule. Each is a small class with
``update(correct, error) -> bool`` (True once the criterion has been met; it stays True
until ``reset()``) and ``met_at`` (how many sequences, or test-set checks, it took).

=========================  ==================================================================
rule                       paper
=========================  ==================================================================
:class:`SuccessiveCorrect` Exp. 2: every one of 10,000 successive sequences correct
:class:`RecentWindow`      ST3(beta), Exps. 4 and 6: the 2000 most recent sequences correct and
                           their average error below beta; Exp. 5: fewer than n_seq of the
                           2000 most recent sequences wrong
:class:`TestSetRule`       Exps. 1 and 3: a whole test set checked at once (ST1, ST2)
=========================  ==================================================================
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import numpy as np

from lstm_core import validation as validate
from lstm_core.tasks.base import to_numpy

__all__ = ["StoppingRule", "SuccessiveCorrect", "RecentWindow", "TestSetRule", "st3"]


def _as_flat(values: Any, dtype: type, name: str) -> np.ndarray:
    arr = to_numpy(values)
    if arr.ndim > 1:
        raise ValueError(f"{name} must be a scalar or a 1-d array (one value per sequence); got shape {arr.shape}")
    return np.atleast_1d(arr).astype(dtype)


class StoppingRule(ABC):
    """A training stopping criterion fed with per-sequence results.

    ``update(correct, error)`` takes one sequence's result (a bool and a float) or several
    (1-d arrays, oldest first) and returns True once the criterion has been met. The answer
    stays True until ``reset()``. ``met_at`` is the count (``n_seen``) at which it was first met.
    """

    needs_error: bool = False  # whether update() must be given per-sequence errors

    def __init__(self) -> None:
        self.n_seen = 0  # sequences (or test-set checks) fed so far
        self.met_at: int | None = None  # n_seen when the criterion was first met
        self.reset()

    @property
    def met(self) -> bool:
        """Whether the criterion has been met since the last reset."""
        return self.met_at is not None

    def reset(self) -> None:
        """Forget everything fed so far."""
        self.n_seen = 0
        self.met_at = None

    def update(self, correct: Any, error: Any = None) -> bool:
        """Feed per-sequence results in order; True once the criterion has been met."""
        ok = _as_flat(correct, bool, "correct")
        if error is None:
            if self.needs_error:
                raise ValueError(f"{type(self).__name__} needs per-sequence errors; got error=None")
            err = np.zeros(ok.shape, dtype=np.float64)
        else:
            err = _as_flat(error, np.float64, "error")
            if err.shape != ok.shape:
                raise ValueError(f"correct and error must have the same length; got {ok.size} and {err.size}")
        for c, e in zip(ok, err):
            if self.met:
                break
            self.n_seen += 1
            if self._step(bool(c), float(e)):
                self.met_at = self.n_seen
        return self.met

    @abstractmethod
    def _step(self, correct: bool, error: float) -> bool:
        """Take one sequence's result; True if the criterion holds now."""


class SuccessiveCorrect(StoppingRule):
    """Exp. 2: ``window`` successive sequences all correct (the paper: 10,000).

    ``success_after`` counts the sequences seen *before* the successful run started, the way
    the paper's "success after" column does (2a: 5,040 sequences, fewer than the 10,000 checked).

    >>> rule = SuccessiveCorrect(window=3)
    >>> rule.update([True, False, True, True]), rule.update(True), rule.met_at, rule.success_after
    (False, True, 5, 2)
    """

    def __init__(self, window: int = 10_000) -> None:
        self.window = validate.positive_int("window", window)  # how many successive correct sequences are required
        super().__init__()

    def reset(self) -> None:
        super().reset()
        self.streak = 0  # current run of correct sequences

    @property
    def success_after(self) -> int | None:
        """Sequences seen before the successful run of ``window`` correct ones began."""
        return None if self.met_at is None else self.met_at - self.window

    def _step(self, correct: bool, error: float) -> bool:
        self.streak = self.streak + 1 if correct else 0
        return self.streak >= self.window


class RecentWindow(StoppingRule):
    """The most recent ``window`` sequences: at most ``max_wrong`` wrong and mean error below a bound.

    Needs at least ``window`` sequences. ST3(beta) is ``RecentWindow(2000, 0, beta)`` (see
    :func:`st3`); Exp. 5's "fewer than n_seq wrong" is ``RecentWindow(2000, n_seq - 1)``.

    >>> rule = RecentWindow(window=2, max_wrong=0, mean_error_below=0.1)
    >>> rule.update([True, True], [0.3, 0.05])   # both correct, mean error 0.175
    False
    >>> rule.update(True, 0.05), rule.met_at     # last two: mean error 0.05
    (True, 3)
    """

    def __init__(self, window: int = 2000, max_wrong: int = 0, mean_error_below: float | None = None) -> None:
        self.window = validate.positive_int("window", window)  # how many recent sequences are judged
        # wrong sequences allowed among them (fewer than the window, or the rule could never fail)
        self.max_wrong = validate.nonneg_int("max_wrong", max_wrong, high=self.window - 1)
        # their mean error must be below this (None: no bound)
        self.mean_error_below = validate.positive_real("mean_error_below", mean_error_below, allow_none=True)
        self.needs_error = mean_error_below is not None
        super().__init__()

    def reset(self) -> None:
        super().reset()
        self._correct = np.zeros(self.window, dtype=bool)  # ring buffer of the recent results
        self._errors = np.zeros(self.window, dtype=np.float64)
        self.n_wrong = 0  # wrong sequences among the recent ``window``

    def _step(self, correct: bool, error: float) -> bool:
        slot = (self.n_seen - 1) % self.window
        if self.n_seen > self.window and not self._correct[slot]:
            self.n_wrong -= 1  # the oldest result leaves the window
        self._correct[slot], self._errors[slot] = correct, error
        self.n_wrong += not correct
        if self.n_seen < self.window or self.n_wrong > self.max_wrong:
            return False
        return self.mean_error_below is None or bool(self._errors.mean() < self.mean_error_below)

    @property
    def recent_mean_error(self) -> float:
        """Mean error of the most recent (up to ``window``) sequences; nan before any."""
        k = min(self.n_seen, self.window)
        return float(self._errors[:k].mean()) if k else float("nan")


def st3(beta: float, window: int = 2000) -> RecentWindow:
    """The paper's ST3(beta): average training error below beta and the last 2000 sequences correct."""
    return RecentWindow(window=window, max_wrong=0, mean_error_below=beta)


class TestSetRule(StoppingRule):
    """A whole test set judged at once: at most ``max_wrong`` wrong and mean error below a bound.

    Each ``update(correct, error)`` is one check of one test set (arrays with one entry per test
    sequence); ``n_seen`` and ``met_at`` count checks. Exp. 3's ST1 is the count condition alone,
    ST2 adds the mean-error bound. ``check`` answers for one set without touching the state.

    >>> rule = TestSetRule(max_wrong=0, mean_error_below=0.01)
    >>> rule.check([True, True], [0.001, 0.03]), rule.check([True, True], [0.001, 0.005])
    (False, True)
    """

    __test__ = False  # not a pytest test class, despite the name

    def __init__(self, max_wrong: int = 0, mean_error_below: float | None = None,
                 test_set_size: int | None = None) -> None:
        self.max_wrong = validate.nonneg_int("max_wrong", max_wrong)  # wrong test sequences allowed
        # mean test error must be below this (None: no bound)
        self.mean_error_below = validate.positive_real("mean_error_below", mean_error_below, allow_none=True)
        # if set, every check must have exactly this many sequences
        self.test_set_size = validate.positive_int("test_set_size", test_set_size, allow_none=True)
        self.needs_error = mean_error_below is not None
        super().__init__()

    def check(self, correct: Any, error: Any = None) -> bool:
        """Whether one test set meets the criterion (no state change)."""
        ok = _as_flat(correct, bool, "correct")
        if self.test_set_size is not None and ok.size != self.test_set_size:
            raise ValueError(f"expected a test set of {self.test_set_size} sequences; got {ok.size}")
        if int((~ok).sum()) > self.max_wrong:
            return False
        if self.mean_error_below is None:
            return True
        if error is None:
            raise ValueError("this rule bounds the mean test error, so it needs per-sequence errors; got error=None")
        err = _as_flat(error, np.float64, "error")
        if err.shape != ok.shape:
            raise ValueError(f"correct and error must have the same length; got {ok.size} and {err.size}")
        return bool(err.mean() < self.mean_error_below)

    def update(self, correct: Any, error: Any = None) -> bool:
        """Judge one test set; True once some check has met the criterion."""
        if self.met:
            return True
        passed = self.check(correct, error)
        self.n_seen += 1
        if passed:
            self.met_at = self.n_seen
        return self.met

    def _step(self, correct: bool, error: float) -> bool:  # pragma: no cover - update() is overridden
        raise NotImplementedError

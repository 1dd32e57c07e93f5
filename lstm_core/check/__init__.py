"""Checks that teach: a learner's answer against the reference, case by case, with a hint.

An exercise cell asks for a function (or a value); the cell after it calls a check such as
``check.cec_update(my_cec_update)``. The check runs the answer and ``lstm_core``'s reference on
several cases and returns a :class:`CheckReport` that lists what is right, what is wrong and, when
the answer matches a *known* wrong answer (a multiplicative CEC, a detached cell state, ``tanh``
where the paper uses ``g`` ...), the hint written for that mistake. A check never raises on a wrong
answer, so a notebook with unsolved exercises still runs top to bottom; graders use
``report.ok``, ``report.score`` or ``report.raise_if_failed()``.

The engine is here; the exercises' checks live in :mod:`lstm_core.check.concepts` (chapters 1-6),
:mod:`lstm_core.check.gauntlet` (chapters 7-11) and :mod:`lstm_core.check.capstone` (the capstone
lab, chapter 12) and are re-exported at the bottom of this file.

Example
-------
>>> report = check_function(lambda x: 2 * x, lambda x: x + x, [Case("x = 1", (1.0,)), Case("x = 3", (3.0,))],
...                         exercise="doubling")
>>> report.ok, report.score
(True, 1.0)
>>> print(check_value(0.5, 0.25, exercise="a quarter", mistakes=[Mistake("the square root", 0.5,
...       "You took the square root; square instead.")]))
a quarter: not yet right
  ✘ your value 0.5 is too high
  Hint: You took the square root; square instead.
"""
from __future__ import annotations

import dis

from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence

import os

import numpy as np
import torch

__all__ = ["Case", "Mistake", "CheckReport", "check_function", "check_value", "close", "is_stub"]

STRICT_ENV = "LSTM_CORE_CHECKS_STRICT"  # "1": a check that is not ok raises (the test suite runs the solved chapters so)
NOT_WRITTEN = "not answered yet: replace the `...` / `raise NotImplementedError` with your code, then run this cell again"


@dataclass(frozen=True)
class Case:
    """One input on which the answer and the reference are compared."""
    label: str                                     # shown to the learner, e.g. "s_prev = 1, y_in = 0.5, g = 2"
    args: tuple = ()                               # positional arguments
    kwargs: dict = field(default_factory=dict)     # keyword arguments


@dataclass(frozen=True)
class Mistake:
    """A common wrong answer and the hint to give when the learner's answer behaves like it.

    ``answer`` is a function (for :func:`check_function`: it is run on the same cases) or a value
    (for :func:`check_value`)."""
    name: str                                      # e.g. "multiplicative CEC"
    answer: Any                                    # the wrong function or the wrong value
    hint: str                                      # what to look at, without giving the answer away


@dataclass
class CheckReport:
    """What a check found. Shown as a short text in a notebook; never raises by itself."""
    exercise: str
    passed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    hint: Optional[str] = None
    mistake: Optional[str] = None                  # name of the known mistake matched, if any
    answered: bool = True                          # False while the exercise still holds its stub

    @property
    def ok(self) -> bool:
        return self.answered and not self.failed and bool(self.passed)

    @property
    def score(self) -> float:
        """Fraction of cases right (0 when unanswered): a partial-credit number for graders."""
        total = len(self.passed) + len(self.failed)
        return len(self.passed) / total if (self.answered and total) else 0.0

    def raise_if_failed(self) -> None:
        """For autograders: raise AssertionError carrying the report when the answer is not right."""
        if not self.ok:
            raise AssertionError(str(self))

    def __str__(self) -> str:
        if not self.answered:
            return f"{self.exercise}: {NOT_WRITTEN}."
        total = len(self.passed) + len(self.failed)
        if self.ok:
            return f"{self.exercise}: correct" + (f" on all {total} cases." if total > 1 else ".")
        lines = [f"{self.exercise}: not yet right" + (f" ({len(self.passed)} of {total} cases right)" if total > 1 else "")]
        lines += [f"  ✔ {p}" for p in self.passed] + [f"  ✘ {f}" for f in self.failed]
        if self.hint:
            lines.append(f"  Hint: {self.hint}")
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_markdown_(self) -> str:
        return "```text\n" + str(self) + "\n```"


def _as_array(x: Any) -> Optional[np.ndarray]:
    """Numbers, sequences, numpy arrays and tensors as float64 arrays; None if not numeric."""
    if isinstance(x, torch.Tensor):
        return x.detach().to(torch.float64).cpu().numpy()
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return arr


def _numeric(x: Any) -> bool:
    """Numbers, bools, arrays, tensors and (nested) sequences of numbers; not strings, sets, dicts."""
    if isinstance(x, (str, bytes, set, frozenset, dict)) or x is None or x is Ellipsis:
        return False
    arr = _as_array(x)
    return arr is not None and arr.dtype != object


def close(got: Any, want: Any, rtol: float = 1e-6, atol: float = 1e-9) -> tuple[bool, str]:
    """Compare an answer with the reference: (equal within tolerance?, what differs, in words).

    Numbers and arrays are compared within tolerance (and the first entry that differs is named);
    anything else (strings, sets, ...) must be equal. Tuples of results are compared one by one.
    """
    if isinstance(want, (tuple, list)) and not _numeric(want):
        if not isinstance(got, (tuple, list)) or len(got) != len(want):
            return False, f"expected {len(want)} results, got {_short(got)}"
        for i, (g, w) in enumerate(zip(got, want)):
            same, why = close(g, w, rtol, atol)
            if not same:
                return False, f"result {i}: {why}"
        return True, ""
    if got is None or got is Ellipsis:
        return False, f"got {got!r}, expected {_describe(want)}"
    if not _numeric(want):
        try:
            same = bool(got == want)
        except Exception:  # noqa: BLE001 - e.g. an array compared with a set
            same = False
        return (True, "") if same else (False, f"got {_short(got)}, expected {_short(want)}")
    if not _numeric(got):
        return False, f"got a {type(got).__name__} ({_short(got)}), expected {_describe(want)}"
    g, w = _as_array(got), _as_array(want)
    if g.shape != w.shape:
        return False, f"got shape {g.shape}, expected shape {w.shape}"
    if not np.all(np.isfinite(g)):
        return False, f"got non-finite values ({_short(got)})"
    if np.allclose(g, w, rtol=rtol, atol=atol):
        return True, ""
    if g.size <= 6:
        return False, f"got {_short(got)}, expected {_short(want)}"
    bad = ~np.isclose(g, w, rtol=rtol, atol=atol)
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    return False, (f"{int(bad.sum())} of {g.size} entries differ; the first at index {first}: "
                   f"got {_short(g[first])}, expected {_short(w[first])}")


def _describe(x: Any) -> str:
    arr = _as_array(x) if _numeric(x) else None
    if arr is not None and arr.ndim > 0:
        return f"an array of shape {arr.shape}"
    return f"a {type(x).__name__}"


def _short(x: Any) -> str:
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if isinstance(x, np.ndarray) and x.dtype == bool and x.size <= 6:
        return str(x.tolist())
    arr = _as_array(x) if _numeric(x) else None
    if arr is not None and arr.ndim == 0:
        return f"{float(arr):.6g}"
    if arr is not None and arr.size <= 6:
        return np.array2string(arr, precision=4, separator=", ")
    if arr is not None:
        return f"an array of shape {arr.shape}"
    return repr(x)[:60]


def is_stub(fn: Any) -> bool:
    """True for a function whose body does nothing (only ``...``, ``pass`` or a docstring).

    Such a function returns None on every call: an exercise not answered yet, not a wrong answer.
    (A function that computes something and forgets to ``return`` is not a stub: it is marked wrong.)"""
    code = getattr(fn, "__code__", None)
    if code is None:
        return False
    ops = [i for i in dis.get_instructions(code) if i.opname not in ("RESUME", "NOP", "CACHE")]
    if len(ops) == 1:  # Python >= 3.12
        return ops[0].opname == "RETURN_CONST" and ops[0].argval in (None, Ellipsis)
    return (len(ops) == 2 and ops[0].opname == "LOAD_CONST" and ops[0].argval in (None, Ellipsis)
            and ops[1].opname == "RETURN_VALUE")


def _call(fn: Callable, case: Case) -> tuple[bool, Any]:
    """(ran?, result or the exception)."""
    try:
        return True, fn(*case.args, **case.kwargs)
    except NotImplementedError as err:
        return False, err
    except Exception as err:  # noqa: BLE001 - a learner's bug is reported, not raised
        return False, err


def check_function(candidate: Any, reference: Callable, cases: Sequence[Case], *, exercise: str,
                   mistakes: Sequence[Mistake] = (), hint: Optional[str] = None,
                   rtol: float = 1e-6, atol: float = 1e-9) -> CheckReport:
    """Run ``candidate`` and ``reference`` on every case and report, case by case.

    When the candidate fails, each known mistake is run on the same cases; the first that the
    candidate matches on every case gives the hint (else ``hint``, a general one)."""
    if not cases:
        raise ValueError("check_function needs at least one Case")
    report = CheckReport(exercise)
    if is_stub(candidate):
        report.answered = False
        return _finish(report)
    if candidate is None or candidate is Ellipsis or not callable(candidate):
        report.answered = candidate is not None and candidate is not Ellipsis
        report.failed.append(f"expected a function, got {_short(candidate)}")
        return _finish(report)
    answers = []
    for case in cases:
        want = reference(*case.args, **case.kwargs)
        ran, got = _call(candidate, case)
        answers.append(got if ran else None)
        if not ran and isinstance(got, NotImplementedError):
            report.answered = False
            return _finish(report)
        if not ran:
            report.failed.append(f"{case.label}: your function raised {type(got).__name__}: {got}")
            continue
        same, why = close(got, want, rtol, atol)
        (report.passed if same else report.failed).append(f"{case.label}" + ("" if same else f": {why}"))
    if report.failed:
        report.hint = hint
        for mistake in mistakes:
            wrong = [_call(mistake.answer, c) for c in cases]
            if all(ran and a is not None and close(a, w, rtol, atol)[0]
                   for a, (ran, w) in zip(answers, wrong)):
                report.hint, report.mistake = mistake.hint, mistake.name
                break
    return _finish(report)


def _finish(report: CheckReport) -> CheckReport:
    """Return the report; under LSTM_CORE_CHECKS_STRICT=1 (the solved chapters in the test suite) raise if not ok."""
    if os.environ.get(STRICT_ENV) == "1":
        report.raise_if_failed()
    return report


def check_value(value: Any, expected: Any, *, exercise: str, mistakes: Sequence[Mistake] = (),
                hint: Optional[str] = None, rtol: float = 1e-6, atol: float = 1e-9) -> CheckReport:
    """Compare one value (number, array, string, bool) with the expected one."""
    report = CheckReport(exercise)
    if value is Ellipsis or value is None:
        report.answered = False
        return _finish(report)
    if isinstance(expected, (str, bool)):
        same = (value.strip().lower() == expected.lower()) if isinstance(value, str) and isinstance(expected, str) \
            else value == expected
        why = "" if same else f"your answer {value!r}, expected something else"
    else:
        same, why = close(value, expected, rtol, atol)
        why = why.replace("got ", "your value ", 1)
        if not same and _numeric(value) and _numeric(expected):  # say which way, not the answer itself
            v, e = _as_array(value), _as_array(expected)
            if v.shape == e.shape and np.all(np.isfinite(v)):
                why = (f"your value {_short(value)} is too {'high' if v > e else 'low'}" if v.ndim == 0 else
                       f"your values differ from the expected ones in "
                       f"{int((~np.isclose(v, e, rtol=rtol, atol=atol)).sum())} of {v.size} entries")
    if same:
        report.passed.append(f"{exercise}: {_short(value) if not isinstance(value, str) else value}")
        return _finish(report)
    report.failed.append(why)
    report.hint = hint
    for mistake in mistakes:
        wrong = mistake.answer
        try:
            hit = (value == wrong) if isinstance(wrong, (str, bool)) else close(value, wrong, rtol, atol)[0]
        except Exception:  # noqa: BLE001 - a value of another kind is simply not this mistake
            hit = False
        if hit:
            report.hint, report.mistake = mistake.hint, mistake.name
            break
    return _finish(report)


# The exercises' checks, one function per exercise (imported last: they use the engine above).
from lstm_core.check.concepts import *  # noqa: E402,F401,F403  (chapters 1-6)
from lstm_core.check.gauntlet import *  # noqa: E402,F401,F403  (chapters 7-11)
from lstm_core.check.capstone import *  # noqa: E402,F401,F403  (chapter 12, the capstone lab)

"""The check engine: a learner's answer against the reference, case by case, with a hint.

An exercise cell asks for a function (or a value); the cell after it calls a check such as
``check.cec_update(my_cec_update)``. The check runs the answer and ``lstm_core``'s reference on
several cases and returns a :class:`CheckReport` that lists what is right, what is wrong and, when
the answer matches a *known* wrong answer (a multiplicative CEC, a detached cell state, ``tanh``
where the paper uses ``g`` ...), the hint written for that mistake. A check never raises on a wrong
answer, so a notebook with unsolved exercises still runs top to bottom; graders use
``report.ok``, ``report.score`` or ``report.raise_if_failed()``.

What the engine guards against, so that a page never hangs or stops on a learner's answer:

- a **stub** (a body of ``...`` or ``pass``, ``return None`` or ``return ...``, ``raise
  NotImplementedError``, a ``...`` placeholder still in the code, a value left at ``...``) is
  "not answered yet", not wrong;
- an answer that **loops** is stopped after ``CASE_SECONDS`` per case and reported so;
- an answer that **raises** is reported with its error; values of any kind (arrays, tensors,
  strings, ...) are compared without raising.

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

import contextlib
import copy
import dis
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Optional, Sequence

import numpy as np
import torch

__all__ = ["Case", "Mistake", "CheckReport", "check_function", "check_answer", "check_value", "close", "is_stub",
           "answer_or_stub", "on_copies", "CASE_SECONDS", "CaseTimeout"]

STRICT_ENV = "LSTM_CORE_CHECKS_STRICT"  # "1": a check that is not ok raises (the test suite runs the solved chapters so)
NOT_WRITTEN = "not answered yet: replace the `...` / `raise NotImplementedError` with your code, then run this cell again"
#: Seconds one case may take before the answer is stopped (an answer that loops must not freeze the page).
CASE_SECONDS = 10.0


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
    note: str = ""                                 # why an answer counts as not answered yet, if not obvious

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
            return f"{self.exercise}: {NOT_WRITTEN}." + (f"\n  ({self.note})" if self.note else "")
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
        if x.is_complex():
            return None
        return x.detach().to(torch.float64).cpu().numpy()
    try:
        if np.iscomplexobj(x):  # complex numbers are not real answers (and would lose their imaginary part)
            return None
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


class CaseTimeout(BaseException):
    """Raised inside an answer that ran past its time limit (a BaseException, so that an
    ``except Exception`` in the learner's own code cannot swallow it)."""


@contextlib.contextmanager
def _time_limit(seconds: Optional[float]) -> Iterator[None]:
    """Raise :class:`CaseTimeout` in the code run inside the block once ``seconds`` have passed.

    In the main thread (a notebook's kernel, a script) a timer signal interrupts even a tight loop;
    elsewhere a trace function checks the clock at every line of Python the answer runs.
    """
    if seconds is None:
        yield
        return
    if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
        def _expired(signum: int, frame: Any) -> None:
            raise CaseTimeout()

        previous = signal.signal(signal.SIGALRM, _expired)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        return
    deadline = time.monotonic() + seconds

    def _tracer(frame: Any, event: str, arg: Any) -> Any:
        if time.monotonic() > deadline:
            raise CaseTimeout()
        return _tracer

    previous_trace = sys.gettrace()
    sys.settrace(_tracer)
    try:
        yield
    finally:
        sys.settrace(previous_trace)


def _call(fn: Callable, case: Case, seconds: Optional[float] = None) -> tuple[bool, Any]:
    """(ran?, result or the exception); an answer that runs past ``seconds`` gets a CaseTimeout."""
    try:
        with _time_limit(seconds):
            return True, fn(*case.args, **case.kwargs)
    except CaseTimeout as err:
        return False, err
    except Exception as err:  # noqa: BLE001 - a learner's bug is reported, not raised
        return False, err


def _placeholder(result: Any) -> bool:
    """True for a result that is (or holds) the ``...`` a stub returns."""
    if result is Ellipsis:
        return True
    return isinstance(result, (tuple, list)) and any(r is Ellipsis for r in result)


def answer_or_stub(result: Any) -> Any:
    """``result``; NotImplementedError if it is (or holds) the ``...`` of a stub.

    For checks that feed an answer's result into more code of their own (a network step, an
    encoder): the placeholder is then "not answered yet" instead of an error deep in that code."""
    if _placeholder(result):
        raise NotImplementedError("the answer returns `...`")
    return result


def _unanswered_error(err: BaseException) -> str:
    """Why an exception means "not answered yet" ("" if it is a real error of a real answer)."""
    if isinstance(err, NotImplementedError):
        return "your function returns `...`" if str(err) == "the answer returns `...`" else \
            "your function raises NotImplementedError"
    if "ellipsis" in str(err):  # e.g. "unsupported operand type(s) for +: 'Tensor' and 'ellipsis'"
        return f"a `...` placeholder is still in your code ({type(err).__name__}: {err})"
    return ""


def check_function(candidate: Any, reference: Callable, cases: Sequence[Case], *, exercise: str,
                   mistakes: Sequence[Mistake] = (), hint: Optional[str] = None,
                   rtol: float = 1e-6, atol: float = 1e-9, seconds: Optional[float] = None) -> CheckReport:
    """Run ``candidate`` and ``reference`` on every case and report, case by case.

    When the candidate fails, each known mistake is run on the same cases; the first that the
    candidate matches on every case gives the hint (else ``hint``, a general one). Each call of
    the candidate may take ``seconds`` (default :data:`CASE_SECONDS`); one that takes longer is
    stopped, reported, and the remaining cases are skipped. "Not answered yet" (no case run) is a
    stub (:func:`is_stub`), ``...`` or None instead of a function, an answer that raises
    NotImplementedError or trips over a ``...`` placeholder, or returns ``...``. (A function that
    computes something but returns None is wrong, not unanswered: the report says it returned None.)"""
    if not cases:
        raise ValueError("check_function needs at least one Case")
    limit = CASE_SECONDS if seconds is None else seconds
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
        ran, got = _call(candidate, case, limit)
        if not ran and _unanswered_error(got):
            report.answered, report.note = False, _unanswered_error(got)
            return _finish(report)
        if ran and _placeholder(got):
            report.answered, report.note = False, "your function returns `...`"
            return _finish(report)
        answers.append(got if ran else None)
        if not ran and isinstance(got, CaseTimeout):
            report.failed.append(f"{case.label}: stopped after {limit:g} s without an answer. Look for a loop "
                                 "that never ends (a `while` whose condition stays true, a counter that is "
                                 "never changed); the other cases were not run")
            report.hint = hint
            return _finish(report)
        if not ran:
            report.failed.append(f"{case.label}: your function raised {type(got).__name__}: {got}")
            continue
        if got is None and want is not None:  # code that computes but never returns: wrong, and said so
            report.failed.append(f"{case.label}: your function returned None; does it end with `return` "
                                 "and its result?")
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


def _copied(arg: Any) -> Any:
    """A copy of one argument: arrays, tensors and flat lists the quick way, anything else deep-copied."""
    if isinstance(arg, np.ndarray):
        return arg.copy()
    if isinstance(arg, torch.Tensor):
        return arg.detach().clone()
    if isinstance(arg, (str, bytes, int, float, bool, type(None))):
        return arg
    if isinstance(arg, list) and all(type(v) in (bool, int, float, str) for v in arg):
        return list(arg)
    return copy.deepcopy(arg)


def on_copies(fn: Callable, encode: Optional[Callable[[Any], Any]] = None) -> Callable:
    """``fn`` run on copies of its arguments, its result checked for a stub's ``...`` and passed
    through ``encode``. The copies keep an answer that edits its input in place (``values[0] = 0``)
    from changing the cases that the reference and the known mistakes are run on afterwards."""
    def run(*args: Any, **kwargs: Any) -> Any:
        out = answer_or_stub(fn(*[_copied(a) for a in args], **{k: _copied(v) for k, v in kwargs.items()}))
        return out if encode is None else encode(out)
    return run


def check_answer(candidate: Any, reference: Callable, cases: Sequence[Case], *, exercise: str,
                 mistakes: Sequence[Mistake] = (), hint: Optional[str] = None,
                 encode: Optional[Callable[[Any], Any]] = None, **tolerance: float) -> CheckReport:
    """:func:`check_function` with the answer and the known mistakes run :func:`on_copies` of each
    case (the reference too, when results are ``encode``-d into a comparable form). Every
    exercise's check calls this."""
    if callable(candidate) and not is_stub(candidate):  # a stub goes in as it is: "not answered yet"
        candidate = on_copies(candidate, encode)
    if encode is not None:
        reference = on_copies(reference, encode)
    guarded = [Mistake(m.name, on_copies(m.answer, encode), m.hint) for m in mistakes]
    return check_function(candidate, reference, cases, exercise=exercise, mistakes=guarded, hint=hint, **tolerance)


def _finish(report: CheckReport) -> CheckReport:
    """Return the report; under LSTM_CORE_CHECKS_STRICT=1 (the solved chapters in the test suite) raise if not ok."""
    if os.environ.get(STRICT_ENV) == "1":
        report.raise_if_failed()
    return report


def _same(a: Any, b: Any) -> bool:
    """``a == b`` as one bool, whatever the kinds (an array compared with a string is not equal)."""
    try:
        result = a == b
        if isinstance(result, (bool, np.bool_)):
            return bool(result)
        arr = np.asarray(result)
        return arr.dtype == bool and arr.size > 0 and bool(arr.all()) and _numeric(a) == _numeric(b)
    except Exception:  # noqa: BLE001 - values that cannot be compared are not equal
        return False


def check_value(value: Any, expected: Any, *, exercise: str, mistakes: Sequence[Mistake] = (),
                hint: Optional[str] = None, rtol: float = 1e-6, atol: float = 1e-9) -> CheckReport:
    """Compare one value (number, array, string, bool) with the expected one. Never raises on a value:
    an array where a word is expected, a tensor that needs grad, a ragged list are reported, not raised."""
    report = CheckReport(exercise)
    if value is Ellipsis or value is None or _placeholder(value):
        report.answered = False
        return _finish(report)
    if isinstance(expected, (str, bool)):
        if isinstance(value, str) and isinstance(expected, str):
            same = value.strip().lower() == expected.lower()
        elif isinstance(expected, bool):
            same = isinstance(value, (bool, np.bool_)) and bool(value) == expected
        else:
            same = False
        why = "" if same else f"your answer {_short(value)}, expected {'True or False' if isinstance(expected, bool) else 'a word'}" \
            if not isinstance(value, (str, bool, np.bool_)) else f"your answer {value!r}, expected something else"
    elif isinstance(value, (bool, np.bool_)):  # a yes/no where a number is expected (True == 1 in Python)
        same, why = False, f"your answer {bool(value)} is a yes/no; expected a number"
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
            hit = _same(value, wrong) if isinstance(wrong, (str, bool)) else close(value, wrong, rtol, atol)[0]
        except Exception:  # noqa: BLE001 - a value of another kind is simply not this mistake
            hit = False
        if hit:
            report.hint, report.mistake = mistake.hint, mistake.name
            break
    return _finish(report)

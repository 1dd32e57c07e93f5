"""Checks for the exercises of chapters 7-11: the gauntlet of the paper's experiments, and its legacy.

One check per coding exercise. Each runs the learner's function and ``lstm_core``'s own code (the
task generators, criteria and stopping rules of :mod:`lstm_core.tasks`,
:func:`~lstm_core.model.cells.cell_update`, the models of :mod:`lstm_core.analysis.compare`) on several cases,
edge cases included, and names the common wrong answer when the learner's matches one.

=========================  ============================  ===============================================
check                      exercise (chapter)            the learner writes
=========================  ============================  ===============================================
``adding_inputs``          ex-07-inputs (7)              one adding-problem sequence from its values
``adding_target``          ex-07-target (7)              the target 0.5 + (X1 + X2) / 4 from the inputs
``reber_embedded``         ex-08-embedded (8)            is this an embedded Reber string?
``reber_allowed_next``     ex-08-allowed (8)             the legal next symbols at every step
``temporal_order_class``   ex-09-class (9)               the class of a 6a/6b sequence
``temporal_order_lags``    ex-09-lags (9)                shortest and longest lag after the last X/Y
``stop_3c``                ex-10-stop-3c (10)            the paper's stop criterion for task 3c
``sequences_before_run``   ex-10-run (10)                the paper's "success after" of experiment 2
``forget_error_kept``      ex-11-forget-bias (11)        error surviving k steps of a forget gate
``forget_gate_update``     ex-11-forget-update (11)      s_c = y^phi s_c(t-1) + y^in g
``stepwise_outputs``       ex-11-stream (11)             a recurrent model run one step per call
=========================  ============================  ===============================================

The wrong answers each check recognises are in :data:`MISTAKES` (check name -> mistakes), written
in the learner's own format, so tests and graders can feed them to the check.

Example
-------
>>> right = lambda inputs: 0.5 + inputs[inputs[:, 1] == 1.0, 0].sum() / 4
>>> adding_target(right).ok
True
>>> report = adding_target(lambda inputs: inputs[inputs[:, 1] == 1.0, 0].sum() / 4)
>>> report.ok, report.mistake
(False, 'no 0.5 offset')
>>> adding_target(...).answered      # the exercise still holds its stub
False
"""
from __future__ import annotations

import copy
import functools
import math
from typing import Any, Callable, Optional, Sequence

import numpy as np
import torch

from lstm_core.model import cells
from lstm_core.check.engine import Case, CheckReport, Mistake, answer_or_stub, check_function, is_stub
from lstm_core.tasks import adding, noise_signal, reber, temporal_order
from lstm_core.tasks.stopping import SuccessiveCorrect

__all__ = [
    "adding_inputs",
    "adding_target",
    "reber_embedded",
    "reber_allowed_next",
    "temporal_order_class",
    "temporal_order_lags",
    "stop_3c",
    "sequences_before_run",
    "forget_error_kept",
    "forget_gate_update",
    "stepwise_outputs",
]


# ======================================================================================
# Shared machinery
# ======================================================================================
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


def _guarded(fn: Callable, encode: Optional[Callable[[Any], Any]] = None) -> Callable:
    """``fn`` run on copies of its arguments, its result passed through ``encode``.

    The copies keep an answer that edits its input in place (``values[0] = 0``) from changing the
    cases that the reference and the known mistakes are run on afterwards."""
    def run(*args: Any, **kwargs: Any) -> Any:
        out = answer_or_stub(fn(*[_copied(a) for a in args], **{k: _copied(v) for k, v in kwargs.items()}))
        return out if encode is None else encode(out)
    return run


def _check(candidate: Any, reference: Callable, cases: Sequence[Case], *, name: str, label: str,
           mistakes: Sequence[Mistake], hint: str, encode: Optional[Callable[[Any], Any]] = None,
           **tolerance: float) -> CheckReport:
    """:func:`check_function` with guarded (and, if given, encoded) answers, reference and mistakes."""
    if callable(candidate) and not is_stub(candidate):  # a stub goes in as it is: "not answered yet"
        candidate = _guarded(candidate, encode)
    if encode is not None:
        reference = _guarded(reference, encode)
    guarded = [Mistake(m.name, _guarded(m.answer, encode), m.hint) for m in mistakes]
    return check_function(candidate, reference, cases, exercise=f"{name} ({label})", mistakes=guarded,
                          hint=hint, **tolerance)


def _lookup(table: dict, key: Callable[..., Any]) -> Callable:
    """A reference that answers each case from ``table``, precomputed by ``lstm_core``'s own code."""
    return lambda *args, **kwargs: table[key(*args, **kwargs)]


def _array_key(x: Any, *rest: Any) -> tuple:
    arr = np.ascontiguousarray(x)
    return (arr.shape, arr.tobytes(), *rest)


# ======================================================================================
# Chapter 7: the adding problem
# ======================================================================================
@functools.lru_cache(maxsize=1)
def _adding_sequences() -> tuple[tuple[str, np.ndarray, int, int, float], ...]:
    """Sequences drawn by ``adding.generate``, chosen to cover every rule's edge:
    (label, inputs (L, 2), step of X1, step of X2, target)."""
    batch = adding.generate(adding.AddingConfig(T=20), n=400, seed=11)
    first, second = batch.info["marked"][:, 0], batch.info["marked"][:, 1]
    picks = [
        ("X1 at the first pair", np.flatnonzero(first == 0)[0]),
        ("X2 at the first pair", np.flatnonzero(second == 0)[0]),
        ("X2 before X1", np.flatnonzero((second < first) & (second > 0))[0]),
        ("X1 before X2", np.flatnonzero((first < second) & (first > 0))[0]),
        ("X1 and X2 side by side", np.flatnonzero((np.abs(first - second) == 1) & (np.minimum(first, second) > 0))[0]),
    ]
    out = []
    for what, i in picks:
        L = int(batch.lengths[i])
        out.append((f"T = 20, {L} steps, {what}", batch.inputs[i, :L].copy(), int(first[i]), int(second[i]),
                    float(batch.targets[i, L - 1, 0])))
    long = adding.generate(adding.AddingConfig(T=100), n=1, seed=5)
    L = int(long.lengths[0])
    out.append((f"T = 100, {L} steps", long.inputs[0, :L].copy(), int(long.info["marked"][0, 0]),
                int(long.info["marked"][0, 1]), float(long.targets[0, L - 1, 0])))
    return tuple(out)


def _raw_values(inputs: np.ndarray, first: int, second: int, seed: int) -> np.ndarray:
    """The values column as drawn: a marked first pair gets back a nonzero value, which the rule must zero."""
    values = inputs[:, 0].astype(np.float64)
    if 0 in (first, second):
        values[0] = np.random.default_rng(seed).uniform(0.2, 1.0)
    return values


def _inputs_without_minus_one(values: Any, first: int, second: int) -> np.ndarray:
    v = np.array(values, dtype=np.float64)
    m = np.zeros_like(v)
    m[[first, second]] = 1.0
    if 0 in (first, second):
        v[0] = 0.0
    return np.stack([v, m], axis=1)


def _inputs_with(values: Any, first: int, second: int, *, minus_one_last_first: bool = False,
                 zero_first: str = "either", last_at: int = -1) -> np.ndarray:
    """Variants of the sequence builder, each with one rule changed (the known mistakes)."""
    v = np.array(values, dtype=np.float64)
    m = np.zeros_like(v)
    m[0], m[last_at] = -1.0, -1.0
    m[[first, second]] = 1.0
    if minus_one_last_first:
        m[0] = -1.0
    if (zero_first == "either" and 0 in (first, second)) or (zero_first == "X1" and first == 0):
        v[0] = 0.0
    return np.stack([v, m], axis=1)


_ADDING_INPUTS_MISTAKES = (
    Mistake("no -1 markers", _inputs_without_minus_one,
            "Two of the markers are neither 0 nor 1: look again at the first and the last pair of a sequence."),
    Mistake("-1 overwrites a marked first pair", lambda v, a, b: _inputs_with(v, a, b, minus_one_last_first=True),
            "When the first pair is one of the two marked pairs, which marker wins? The marker 1.0 says 'add "
            "me'; check the order in which you write the markers."),
    Mistake("only X1 zeroes the first pair", lambda v, a, b: _inputs_with(v, a, b, zero_first="X1"),
            "The paper writes 'X1 = 0', but the draw of X2 can land on the first pair too. The course zeroes a "
            "marked first pair whichever draw marked it (see the table of choices in chapter 10)."),
    Mistake("marked first pair keeps its value", lambda v, a, b: _inputs_with(v, a, b, zero_first="never"),
            "A marked first pair is special in the paper: what happens to its value?"),
    Mistake("last -1 one step early", lambda v, a, b: _inputs_with(v, a, b, last_at=-2),
            "Count the steps again: a sequence of L values has its last pair at step L - 1 (counting from 0)."),
)


def adding_inputs(candidate: Any) -> CheckReport:
    """Chapter 7, exercise ex-07-inputs: ``adding_inputs(values, first, second) -> (L, 2)``.

    The learner builds one adding-problem sequence, value and marker per step, from the drawn
    values and the steps of the two marked pairs. Reference: the sequences of ``adding.generate``.
    """
    table, cases = {}, []
    for k, (label, inputs, first, second, _) in enumerate(_adding_sequences()):
        values = _raw_values(inputs, first, second, seed=k)
        table[_array_key(values, first, second)] = inputs
        cases.append(Case(f"{label} (X1 at step {first}, X2 at step {second})", (values, first, second)))
    return _check(candidate, _lookup(table, _array_key), cases, name="adding_inputs", label="ex-07-inputs",
                  mistakes=_ADDING_INPUTS_MISTAKES,
                  hint="Compare your array with the rules of the section 'The task as data', one rule at a time: "
                       "values, the two markers 1.0, the markers -1, and the special first pair.", rtol=1e-6)


def _target_from(inputs: Any, select: str = "marked", scale: float = 0.25, offset: float = 0.5) -> float:
    x = np.asarray(inputs, dtype=np.float64)
    values, markers = x[:, 0], x[:, 1]
    if select == "marked":
        total = values[markers == 1.0].sum()
    elif select == "nonzero marker":
        total = values[markers != 0.0].sum()
    else:  # "times marker"
        total = (values * markers).sum()
    return float(offset + scale * total)


_ADDING_TARGET_MISTAKES = (
    Mistake("no 0.5 offset", lambda x: _target_from(x, offset=0.0),
            "Your targets can be negative, but the output unit is a sigmoid with values in [0, 1]. The sum "
            "X1 + X2 lies in [-2, 2]: shift it as well as scale it."),
    Mistake("divided by 2", lambda x: _target_from(x, scale=0.5),
            "Your targets leave [0, 1] when X1 + X2 is near -2 or 2. By how much must [-2, 2] shrink to fit "
            "into an interval of length 1?"),
    Mistake("plain sum", lambda x: _target_from(x, scale=1.0, offset=0.0),
            "X1 + X2 is the quantity the network must carry, but the target is that sum rescaled into the "
            "range of a sigmoid output unit."),
    Mistake("every nonzero marker", lambda x: _target_from(x, select="nonzero marker"),
            "You added the values of the first and the last pair as well. Only the pairs whose marker is "
            "exactly 1.0 count."),
    Mistake("values times markers", lambda x: _target_from(x, select="times marker"),
            "Multiplying values by markers also brings in the first and the last pair (marker -1). Select "
            "the pairs whose marker is 1.0 instead."),
)


def adding_target(candidate: Any) -> CheckReport:
    """Chapter 7, exercise ex-07-target: ``adding_target(inputs) -> float``.

    ``inputs`` is one sequence, shape (L, 2); the answer is the target at its last step.
    Reference: the targets ``adding.generate`` puts at each sequence's last step.
    """
    table, cases = {}, []
    for label, inputs, _, _, target in _adding_sequences():
        table[_array_key(inputs)] = target
        cases.append(Case(label, (inputs.copy(),)))
    return _check(candidate, _lookup(table, _array_key), cases, name="adding_target", label="ex-07-target",
                  mistakes=_ADDING_TARGET_MISTAKES,
                  hint="Find the two pairs with marker 1.0, add their values, and map that sum from [-2, 2] "
                       "onto [0, 1].", rtol=1e-6)


# ======================================================================================
# Chapter 8: the embedded Reber grammar
# ======================================================================================
def _reber_frame(s: Any, same_branch: bool = True) -> bool:
    """B, T|P, ..., T|P, E around at least an empty middle; optionally with the same T|P twice."""
    return (isinstance(s, str) and len(s) >= 4 and s[0] == "B" and s[1] in "TP" and s[-2] in "TP"
            and s[-1] == "E" and (s[-2] == s[1] or not same_branch))


def _legal_moves(inner: str) -> bool:
    """Every symbol a legal move of the automaton from the start, whether or not it reaches the end."""
    state: Optional[int] = 0
    for symbol in inner:
        if state is None:
            return False
        moves = dict(reber.TRANSITIONS[state])
        if symbol not in moves:
            return False
        state = moves[symbol]
    return True


_EMBEDDED_MISTAKES = (
    Mistake("branches not compared", lambda s: _reber_frame(s, same_branch=False) and reber.is_grammatical(s[2:-2]),
            "One of your 'embedded' strings ends with the other branch symbol than it started with. That "
            "long-range agreement is the whole point of the embedding."),
    Mistake("inner string not checked", lambda s: _reber_frame(s),
            "You accept strings whose middle part is not a Reber string. Walk the middle through "
            "reber.TRANSITIONS, from state 0 to the end."),
    Mistake("inner string may stop early", lambda s: _reber_frame(s) and _legal_moves(s[2:-2]),
            "Every move of your middle part is legal, but does the walk end where a Reber string ends? A "
            "middle that stops halfway (or is empty) is not a Reber string."),
    Mistake("the plain grammar", lambda s: reber.is_grammatical(s),
            "You tested for a plain Reber string. An embedded string wraps one: B, then T or P, then a whole "
            "Reber string, then the same T or P, then E."),
)

_EMBEDDED_STRINGS = ("BTBTXSETE", "BPBTSXSEPE", "BPBPVVEPE", "BTBTXSEPE", "BTBTXXETE", "BTBTXTE", "BTXSE",
                     "BTTE", "", "BTBTXSET", "BXBTXSEXE")


def reber_embedded(candidate: Any) -> CheckReport:
    """Chapter 8, exercise ex-08-embedded: ``is_embedded(string) -> bool``.

    Reference: ``reber.is_embedded_reber``, on sampled strings of both branches and on strings that
    break one rule each (branches differ, middle ungrammatical or unfinished, plain, empty, ...).
    """
    sampled = reber.sample_strings(reber.ReberConfig(), 60, seed=2)
    longest = [max((s for s in sampled if s[1] == b), key=len) for b in "TP"]
    cases = [Case(repr(s), (s,)) for s in (*_EMBEDDED_STRINGS[:3], *longest, *_EMBEDDED_STRINGS[3:])]
    return _check(candidate, reber.is_embedded_reber, cases, name="is_embedded", label="ex-08-embedded",
                  mistakes=_EMBEDDED_MISTAKES,
                  hint="Check the outer frame (B, T or P, ..., the same T or P, E) and walk the middle "
                       "through reber.TRANSITIONS; handle strings too short to have a frame.")


def _sets_as_matrix(sets: Any) -> Any:
    """A list of symbol sets as a (steps, 7) 0/1 array in the unit order B, T, P, S, X, V, E.

    Anything else comes back as a short description (a str), which the check reports as wrong."""
    if sets is None:
        return None
    if isinstance(sets, (str, bytes)) or not hasattr(sets, "__iter__"):
        return f"not a list of sets: {type(sets).__name__}"
    rows = []
    for entry in sets:
        try:
            symbols = set(entry)
        except TypeError:
            return f"not a list of sets: holds a {type(entry).__name__}"
        if not symbols <= set(reber.SYMBOLS):
            return f"unknown symbols {sorted(map(str, symbols - set(reber.SYMBOLS)))}"
        rows.append([float(c in symbols) for c in reber.SYMBOLS])
    return np.asarray(rows, dtype=np.float64).reshape(len(rows), len(reber.SYMBOLS))


def _allowed_forgetting(s: str) -> list:
    sets = reber.allowed_next_symbols(s)
    sets[-2] = frozenset("TP")
    return sets


_ALLOWED_MISTAKES = (
    Mistake("branch forgotten", _allowed_forgetting,
            "After the inner E your set has two symbols. The embedded grammar allows only one there: which, "
            "and what decides it?"),
    Mistake("the actual next symbol", lambda s: [{c} for c in s[1:]],
            "Your sets hold the symbol that actually comes next: that is the training target. Asked for is "
            "every symbol the grammar would allow at that point, whichever one this string then chose."),
    Mistake("shifted by one step", lambda s: [frozenset("B")] + reber.allowed_next_symbols(s)[:-1],
            "Your set at step t is the one that allowed symbol t itself. Give the set for the symbol that "
            "comes after it."),
    Mistake("one set too many", lambda s: reber.allowed_next_symbols(s) + [frozenset()],
            "A string of m symbols has m - 1 steps: the final E is never an input, so nothing is predicted "
            "after it."),
)


def reber_allowed_next(candidate: Any) -> CheckReport:
    """Chapter 8, exercise ex-08-allowed: ``allowed_next(string) -> list of sets``.

    One set per symbol but the last: the symbols the embedded grammar allows next. Sets may be any
    iterables of symbols (``{"T", "P"}``, ``"TP"``). Reference: ``reber.allowed_next_symbols``.
    """
    sampled = reber.sample_strings(reber.ReberConfig(), 60, seed=5)
    strings = ["BTBTXSETE", "BPBTSXSEPE", "BTBPVVETE", max(sampled, key=len)]
    cases = [Case(repr(s), (s,)) for s in strings]
    return _check(candidate, reber.allowed_next_symbols, cases, name="allowed_next", label="ex-08-allowed",
                  mistakes=_ALLOWED_MISTAKES, encode=_sets_as_matrix,
                  hint="Walk the string through the automaton: after each symbol, the allowed set is what the "
                       "new state can emit. The outer symbols follow the embedding rules instead. Each row of "
                       "the arrays shown is one step, in the unit order B, T, P, S, X, V, E.")


# ======================================================================================
# Chapter 9: temporal order
# ======================================================================================
_SHORT_6A = temporal_order.TemporalOrderConfig((12, 14), ((2, 3), (6, 8)), "6a")
_SHORT_6B = temporal_order.TemporalOrderConfig((30, 30), ((5, 5), (10, 10), (20, 20)), "6b")


@functools.lru_cache(maxsize=1)
def _order_sequences() -> tuple[tuple[str, str, int], ...]:
    """(label, sequence as a string of symbols, class index) for one sequence per class of 6a and
    6b, and two short ones, drawn by ``temporal_order.generate``."""
    out = []
    for config, n, seed in ((temporal_order.PAPER_CONFIGS["6a"], 64, 0), (temporal_order.PAPER_CONFIGS["6b"], 128, 0),
                            (_SHORT_6A, 8, 1), (_SHORT_6B, 8, 2)):
        batch = temporal_order.generate(config, n=n, seed=seed)
        labels = batch.info["label"]
        picks = [int(np.flatnonzero(labels == c)[0]) for c in range(config.n_classes) if (labels == c).any()]
        if n == 8:
            picks = picks[:2]
        for i in picks:
            L = int(batch.lengths[i])
            text = "".join(temporal_order.SYMBOLS[j] for j in batch.info["symbols"][i, :L])
            where = ", ".join(f"{text[t]} at t = {t + 1}" for t in batch.info["positions"][i])
            out.append((f"{config.name}, {L} symbols, {where}", text, int(labels[i])))
    return tuple(out)


def _xy_bits(sequence: Any, x: str = "0", y: str = "1") -> str:
    return "".join(x if c == "X" else y for c in str(sequence) if c in "XY")


_CLASS_MISTAKES = (
    Mistake("X and Y swapped", lambda s: int(_xy_bits(s, "1", "0"), 2),
            "Your classes are mirrored: the class list starts with all X (Q = XX, or XXX in 6b). Which of X "
            "and Y is the 0 of the binary reading?"),
    Mistake("read backwards", lambda s: int(_xy_bits(s)[::-1], 2),
            "You read the pattern from its end. The first X/Y symbol is the most significant one: XY is R "
            "(index 1), YX is S (index 2)."),
    Mistake("counted the Ys", lambda s: _xy_bits(s).count("1"),
            "Your answer counts the Ys, so XY and YX get the same class. The order is what the task is about."),
    Mistake("classes counted from 1", lambda s: int(_xy_bits(s), 2) + 1,
            "Your indices are one too high: the first output unit, Q, has index 0."),
)


def temporal_order_class(candidate: Any) -> CheckReport:
    """Chapter 9, exercise ex-09-class: ``order_class(sequence) -> int``.

    ``sequence`` is a string of the symbols E, B, a, b, c, d, X, Y; the answer is the index of the
    output unit for its class (``temporal_order.CLASS_NAMES``). Reference: the labels of
    ``temporal_order.generate``, one sequence of every class of 6a and 6b plus short ones.
    """
    table = {text: label for _, text, label in _order_sequences()}
    cases = [Case(label, (text,)) for label, text, _ in _order_sequences()]
    return _check(candidate, _lookup(table, lambda s: s), cases, name="order_class", label="ex-09-class",
                  mistakes=_CLASS_MISTAKES,
                  hint="Collect the X and Y symbols in order, then read them as a binary number, X = 0 and "
                       "Y = 1, first symbol first. Return that index (an int), not the class's letter.")


@functools.lru_cache(maxsize=8)
def _sampled_lags(config: temporal_order.TemporalOrderConfig) -> tuple[int, int]:
    """(shortest, longest) number of steps from the last X/Y to the final B over 1500 generated sequences
    (each extreme has probability >= 1/121 per sequence: both occur)."""
    batch = temporal_order.generate(config, n=1500, seed=0)
    lags = (batch.lengths - 1) - batch.info["positions"][:, -1]   # 0-based steps of B and of the last X/Y
    return int(lags.min()), int(lags.max())


def _lags_with(config: Any, *, shift: int = 0, symbol: int = -1, swap: bool = False,
               fixed_length: bool = False) -> tuple[int, int]:
    lo, hi = config.length_range
    t_lo, t_hi = config.position_ranges[symbol]
    answer = (lo - t_hi + shift, (lo if fixed_length else hi) - t_lo + shift)
    return answer[::-1] if swap else answer


_LAG_MISTAKES = (
    Mistake("steps strictly between", lambda c: _lags_with(c, shift=-1),
            "Yours are one short: you counted the steps strictly between the two symbols. The lag counts from "
            "the step that reads the X/Y to the step that reads B (X/Y at step 12, B at step 15: lag 3)."),
    Mistake("one step too many", lambda c: _lags_with(c, shift=+1),
            "Yours are one too long. Positions and lengths both count from 1 at the leading E, so the final B "
            "sits at step 'length'."),
    Mistake("from the first X/Y", lambda c: _lags_with(c, symbol=0),
            "You measured from the first X/Y. What the network must still hold at the end is the last one, "
            "and the lag that makes the task hard is the one after it."),
    Mistake("min and max swapped", lambda c: _lags_with(c, swap=True),
            "Return (shortest, longest)."),
    Mistake("length taken as fixed", lambda c: _lags_with(c, fixed_length=True),
            "Your longest lag assumes the shortest sequence. The length varies too: which length and which "
            "position give the longest gap?"),
)


def temporal_order_lags(candidate: Any) -> CheckReport:
    """Chapter 9, exercise ex-09-lags: ``lag_range(config) -> (shortest, longest)``.

    The number of steps from the last X/Y symbol to the final B, for a ``TemporalOrderConfig``.
    Reference: the extremes over 1500 sequences of ``temporal_order.generate`` per config.
    """
    configs = (temporal_order.PAPER_CONFIGS["6a"], temporal_order.PAPER_CONFIGS["6b"], _SHORT_6A, _SHORT_6B)
    cases = [Case(f"{c.name}: lengths {c.length_range}, X/Y positions {c.position_ranges}", (c,)) for c in configs]
    return _check(candidate, _sampled_lags, cases, name="lag_range", label="ex-09-lags", mistakes=_LAG_MISTAKES,
                  hint="The lag is (position of B) - (position of the last X/Y), with B at position 'length'. "
                       "Pick the length and the position that make it smallest, then largest.")


# ======================================================================================
# Chapter 10: the rest of the paper
# ======================================================================================
@functools.lru_cache(maxsize=1)
def _stop_3c_cases() -> tuple[tuple[str, np.ndarray, np.ndarray, np.ndarray, bool], ...]:
    """(label, outputs, noisy targets, clean targets, the course's verdict) for one 256-sequence 3c test
    set of ``noise_signal.generate``; the verdict is ``noise_signal.stopping_rule(config, "ST2")``."""
    config = noise_signal.PAPER_CONFIGS["3c-T100-N3"]
    batch = noise_signal.generate(config, n=noise_signal.TEST_SET_SIZE, seed=7)
    rows, last = np.arange(batch.n), batch.lengths - 1
    targets = batch.targets[rows, last, 0].astype(np.float64)
    clean = np.asarray(batch.info["clean_target"], dtype=np.float64)
    rng = np.random.default_rng(7)
    low, high = int(np.flatnonzero(clean < 0.5)[0]), int(np.flatnonzero(clean > 0.5)[0])

    def near(width: float) -> np.ndarray:
        return clean + rng.uniform(-width, width, size=batch.n)

    one_off, far_off = near(0.005), near(0.005)
    one_off[low] += 0.15                     # one sequence 0.15 above its target 0.2
    far_off[high] -= 0.3                     # one sequence 0.3 below its target 0.8
    outputs = [("outputs within 0.01 of the noise-free targets", near(0.01)),
               ("outputs equal to the noisy targets (the network fit the noise)", targets.copy()),
               ("every output 0.05 off", clean + np.where(rows % 2 == 0, 0.05, -0.05)),
               ("one output 0.15 off, the others within 0.005", one_off),
               ("one output 0.3 off, the others within 0.005", far_off),
               ("outputs within 0.025 of the noise-free targets", near(0.025)),
               ("outputs exactly the noise-free targets", clean.copy())]
    out = []
    for label, y in outputs:
        full = np.zeros((batch.n, batch.T_max, 1))
        full[rows, last, 0] = y
        rule = noise_signal.stopping_rule(config, "ST2")
        verdict = rule.check(noise_signal.sequence_correct(full, batch), noise_signal.sequence_error(full, batch))
        out.append((label, y, targets.copy(), clean.copy(), bool(verdict)))
    return tuple(out)


def _stop_with(outputs: Any, targets: Any, clean: Any, *, against: str = "clean", bound: Optional[float] = 0.1,
               mean_bound: Optional[float] = 0.015) -> bool:
    """A 3c stop rule with one thing changed (the known mistakes of ex-10-stop-3c)."""
    reference = np.asarray(clean if against == "clean" else targets, dtype=np.float64)
    error = np.abs(np.asarray(outputs, dtype=np.float64) - reference)
    ok = True if bound is None else bool((error <= bound).all())
    return ok and (True if mean_bound is None else bool(error.mean() < mean_bound))


_STOP_3C_MISTAKES = (
    Mistake("judged against the noisy targets", lambda y, t, c: _stop_with(y, t, c, against="noisy"),
            "You measured the errors against the noisy targets. The noise is drawn anew for every sequence: "
            "no network can predict it. What is the best output it can give, and what should it be judged "
            "against?"),
    Mistake("no mean-error bound", lambda y, t, c: _stop_with(y, t, c, mean_bound=None),
            "Every sequence within 0.1 is only half of the criterion: 3c also asks for precision on average."),
    Mistake("no per-sequence bound", lambda y, t, c: _stop_with(y, t, c, bound=None),
            "A small mean error can hide one badly wrong sequence. The criterion also requires that no test "
            "sequence is misclassified."),
    Mistake("3a's bound of 0.2", lambda y, t, c: _stop_with(y, t, c, bound=0.2),
            "0.2 is the bound of 3a and 3b. In 3c a sequence is misclassified when its output is more than "
            "0.1 from the noise-free target."),
)


def stop_3c(candidate: Any) -> CheckReport:
    """Chapter 10, exercise ex-10-stop-3c: ``stop_3c(outputs, targets, clean_targets) -> bool``.

    The paper's stop criterion for task 3c on one test set of 256 sequences, from the outputs at
    the last step, the noisy targets and the noise-free ones (all arrays of shape (256,)).
    Reference: the verdict of ``noise_signal.stopping_rule(config, "ST2")`` on the same outputs.
    """
    cases = _stop_3c_cases()
    table = {_array_key(y): verdict for _, y, _, _, verdict in cases}
    return _check(candidate, _lookup(table, lambda y, t, c: _array_key(y)),
                  [Case(label, (y, t, c)) for label, y, t, c, _ in cases], name="stop_3c", label="ex-10-stop-3c",
                  mistakes=_STOP_3C_MISTAKES,
                  hint="Two conditions, both on the differences between the outputs and the noise-free targets: "
                       "one for every sequence, one for their mean. Return a bool.")


def _run_start(correct: Sequence[bool], k: int) -> int:
    """Index where the first run of k correct ones starts (len(correct) if there is none)."""
    streak = 0
    for i, ok in enumerate(correct):
        streak = streak + 1 if ok else 0
        if streak >= k:
            return i + 1 - k
    return len(correct)


def _last_mistake_overall(correct: Sequence[bool], k: int) -> int:
    wrong = [i for i, ok in enumerate(correct) if not ok]
    return wrong[-1] + 1 if wrong else 0


_RUN_MISTAKES = (
    Mistake("counted the run too", lambda c, k: _run_start(c, k) + k,
            "Your count includes the run itself. The paper's 'success after' counts the sequences before "
            "the run of k correct ones began (Table 2: 5,040 for 2a, fewer than the 10,000 of the run)."),
    Mistake("index of the last mistake", lambda c, k: _run_start(c, k) - 1,
            "Off by one: you returned the position of the last wrong sequence before the run. How many "
            "sequences come before the run if it starts at position i (counting from 0)?"),
    Mistake("last mistake of the whole stream", _last_mistake_overall,
            "You looked at the last mistake of the whole stream, but the criterion is met by the first run "
            "of k; what comes after it does not count."),
    Mistake("counted the mistakes", lambda c, k: sum(1 for ok in c[:_run_start(c, k)] if not ok),
            "You counted the wrong sequences before the run. 'Success after' counts every sequence before "
            "the run, right or wrong."),
)


@functools.lru_cache(maxsize=1)
def _run_cases() -> tuple[tuple[str, tuple[bool, ...], int, int], ...]:
    """(label, stream, k, the course's answer): ``SuccessiveCorrect(k).success_after`` on each stream."""
    T, F = True, False
    rng = np.random.default_rng(3)
    noisy = [bool(v) for v in rng.random(4000) > 0.002]
    tail = [bool(v) for v in rng.random(1000) > 0.01]
    long_stream = noisy + [True] * 10_000 + [False] + tail
    streams = [("k = 3, [T, F, T, T, T]", [T, F, T, T, T], 3),
               ("k = 3, the run at the very start, [T, T, T, F, T]", [T, T, T, F, T], 3),
               ("k = 2, two runs: [F, F, T, F, T, T, F, T, T]", [F, F, T, F, T, T, F, T, T], 2),
               ("k = 1, [F, F, T, F]", [F, F, T, F], 1),
               ("k = 4, the run at the very end, [F, T, F, F, F, T, T, T, T]", [F, T, F, F, F, T, T, T, T], 4),
               (f"k = 10,000, a stream of {len(long_stream):,} sequences with mistakes after the run",
                long_stream, 10_000)]
    out = []
    for label, stream, k in streams:
        rule = SuccessiveCorrect(window=k)
        rule.update(np.asarray(stream, dtype=bool))
        assert rule.success_after is not None, "every case holds a run of k correct sequences"
        out.append((label, tuple(stream), k, rule.success_after))
    return tuple(out)


def sequences_before_run(candidate: Any) -> CheckReport:
    """Chapter 10, exercise ex-10-run: ``sequences_before_run(correct, k) -> int``.

    ``correct`` is a list of bools (one per training sequence, oldest first) that holds a run of ``k``
    correct ones; the answer is the number of sequences before the first such run began.
    Reference: ``tasks.stopping.SuccessiveCorrect`` (experiment 2's rule) and its ``success_after``.
    """
    cases = _run_cases()
    table = {(stream, k): answer for _, stream, k, answer in cases}
    return _check(candidate, _lookup(table, lambda correct, k: (tuple(correct), k)),
                  [Case(label, (list(stream), k)) for label, stream, k, _ in cases],
                  name="sequences_before_run", label="ex-10-run", mistakes=_RUN_MISTAKES,
                  hint="Walk through the stream keeping the length of the current run of correct sequences; "
                       "when it reaches k, work out where that run began.")


# ======================================================================================
# Chapter 11: legacy
# ======================================================================================
@functools.lru_cache(maxsize=64)
def _kept_by_the_cell(forget_bias: float, k: int) -> float:
    """d s_c(k) / d s_c(0) through k steps of ``cells.step_from_preactivations`` with a forget gate whose
    net input is its bias, other paths cut (the scissors): the share of an error that gets back."""
    s0 = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    s = s0
    for _ in range(k):
        s = cells.step_from_preactivations(net_in=0.0, net_c=0.5, net_out=None, s_prev=s, net_forget=forget_bias).s
    if k == 0:
        return 1.0
    (grad,) = torch.autograd.grad(s, s0)
    return float(grad)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


_KEPT_MISTAKES = (
    Mistake("one step only", lambda b, k: _sigmoid(b),
            "Your answer does not change with k. The gate scales the carried state at every step on the "
            "way back."),
    Mistake("one step too many", lambda b, k: _sigmoid(b) ** (k + 1),
            "Count the steps again: going back k steps passes through k forget-gate multiplications "
            "(0 steps back: all of the error)."),
    Mistake("bias used as the gate value", lambda b, k: float(b) ** k,
            "The gate's value is not its bias: the bias is a net input, squashed by the logistic f."),
    Mistake("the forgotten share", lambda b, k: (1.0 - _sigmoid(b)) ** k,
            "y^phi is the share of the state that is kept, not the share that is forgotten."),
)


def forget_error_kept(candidate: Any) -> CheckReport:
    """Chapter 11, exercise ex-11-forget-bias: ``error_kept(forget_bias, k) -> float``.

    The share of an error on s_c that reaches k steps back through a forget gate whose net input
    is its bias (small weights at the start of training). Reference: autograd through
    ``cells.step_from_preactivations`` with ``net_forget = forget_bias``, k steps.
    """
    cases = [Case("bias 1, 19 steps back (the bench's forget gate, the adding problem at T = 20)", (1.0, 19)),
             Case("bias 5, 19 steps back", (5.0, 19)),
             Case("bias 0 (how nn.LSTM starts), 10 steps back", (0.0, 10)),
             Case("bias -2, 3 steps back", (-2.0, 3)),
             Case("bias 1, 0 steps back", (1.0, 0)),
             Case("bias 5, 100 steps back", (5.0, 100))]
    return _check(candidate, _kept_by_the_cell, cases, name="error_kept", label="ex-11-forget-bias",
                  mistakes=_KEPT_MISTAKES,
                  hint="With the scissors, d s_c(t) / d s_c(t-1) is the forget gate's value y^phi = f(net). "
                       "Multiply one such factor per step.", rtol=1e-6, atol=1e-12)


def _cell_reference(s_prev: Any, y_in: Any, g: Any, y_f: Any) -> torch.Tensor:
    """s_c(t) by ``cells.cell_update`` with the forget gate (output gate 1, h = identity)."""
    s, _, _ = cells.cell_update(s_prev, y_in, g, torch.ones_like(torch.as_tensor(s_prev)), lambda t: t, y_forget=y_f)
    return s


_UPDATE_MISTAKES = (
    Mistake("forget gate on g", lambda s, i, g, f: s + f * i * g,
            "Your forget gate scales the new input. It acts on what is carried over from the previous step."),
    Mistake("forget gate on the sum", lambda s, i, g, f: f * (s + i * g),
            "Your forget gate also scales the new input y^in g. It multiplies only the carried state."),
    Mistake("keeps 1 - y_f", lambda s, i, g, f: (1 - f) * s + i * g,
            "With y_f = 1 your cell forgets everything. In Gers et al.'s gate, y_f = 1 means 'keep': it "
            "gives back the 1997 cell."),
    Mistake("no input gate", lambda s, i, g, f: f * s + g,
            "The input gate y^in still decides how much of g is written."),
    Mistake("the 1997 cell", lambda s, i, g, f: s + i * g,
            "That is the 1997 CEC: your update ignores y_f. It should agree with it only when y_f = 1."),
    Mistake("coupled gates", lambda s, i, g, f: f * s + (1 - f) * i * g,
            "You tied the input to the forget gate (1 - y_f), as a GRU does. Gers et al.'s cell keeps the "
            "input gate y^in as it is."),
)


def forget_gate_update(candidate: Any) -> CheckReport:
    """Chapter 11, exercise ex-11-forget-update: ``forget_update(s_prev, y_in, g, y_f) -> s``.

    The cell state with the later forget gate (Gers et al. 1999/2000), on torch tensors. Reference:
    ``cells.cell_update(..., y_forget=y_f)``; with y_f = 1 it is the 1997 CEC.
    """
    t = lambda v: torch.tensor(v, dtype=torch.float64)  # noqa: E731
    gen = torch.Generator().manual_seed(0)
    batch = [torch.rand(2, 3, generator=gen, dtype=torch.float64) * w + o
             for w, o in ((4, -2), (1, 0), (4, -2), (1, 0))]
    cases = [Case("y_f = 1 (the 1997 cell): s_prev = 1.5, y_in = 0.5, g = 0.8", (t(1.5), t(0.5), t(0.8), t(1.0))),
             Case("y_f = 0 (reset): s_prev = 1.5, y_in = 0.5, g = 0.8", (t(1.5), t(0.5), t(0.8), t(0.0))),
             Case("input gate shut: s_prev = 2, y_in = 0, g = 1.3, y_f = 0.5", (t(2.0), t(0.0), t(1.3), t(0.5))),
             Case("s_prev = -1, y_in = 0.9, g = -1.5, y_f = 0.73", (t(-1.0), t(0.9), t(-1.5), t(0.73))),
             Case("a batch, shape (2, 3)", tuple(batch))]
    return _check(candidate, _cell_reference, cases, name="forget_update", label="ex-11-forget-update",
                  mistakes=_UPDATE_MISTAKES,
                  hint="Start from the 1997 update s_c(t) = s_c(t-1) + y^in g and let the forget gate decide "
                       "how much of s_c(t-1) is carried over.")


@functools.lru_cache(maxsize=4)
def _bench_size(name: str) -> int:
    from lstm_core.analysis.compare import size_for_params
    return size_for_params(name, 2, 1, 500)


@functools.lru_cache(maxsize=4)
def _stream_model(name: str, seed: int) -> torch.nn.Module:
    """A model of the bench (cached: answers get copies of it, the reference runs it without gradients)."""
    from lstm_core.analysis.compare import build_model
    return build_model(name, 2, 1, _bench_size(name), seed=seed).double()


def _stepwise_without_state(model: Any, x: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        return torch.cat([model(x[:, t:t + 1])[0] for t in range(x.shape[1])], dim=1)


def _stepwise(model: Any, x: torch.Tensor, dim: int = 1, last_only: bool = False) -> torch.Tensor:
    state, pieces = None, []
    with torch.no_grad():
        for t in range(x.shape[1]):
            out, state = model(x[:, t:t + 1], hx=state)
            pieces.append(out)
    return pieces[-1] if last_only else torch.cat(pieces, dim=dim)


_STREAM_MISTAKES = (
    Mistake("state not passed back", _stepwise_without_state,
            "Every step of yours starts from a fresh state, so the model forgets at each step. Hand the "
            "state returned by one call to the next (hx=...)."),
    Mistake("only the last step", lambda m, x: _stepwise(m, x, last_only=True),
            "You returned the output of the last call only. Keep the output of every step and join them "
            "along the time axis."),
    Mistake("steps joined along the batch axis", lambda m, x: _stepwise(m, x, dim=0),
            "Your outputs have the steps stacked on the batch axis. Outputs are (batch, time, n_outputs): "
            "join the steps along axis 1."),
)


def stepwise_outputs(candidate: Any) -> CheckReport:
    """Chapter 11, exercise ex-11-stream: ``run_stepwise(model, x) -> outputs``.

    Run a recurrent model of the bench on ``x`` (batch, T, 2) one step per call, passing the state
    on; the outputs must equal those of one call on the whole sequence (the reference,
    ``model(x)``), for the 1997 LSTM, ``nn.LSTM`` and ``nn.GRU`` (whose states differ in form).
    """
    gen = torch.Generator().manual_seed(1)
    x = lambda b, T: torch.rand(b, T, 2, generator=gen, dtype=torch.float64)  # noqa: E731
    lstm1997 = _stream_model("lstm1997", 0)
    cases = [Case("the bench's 1997 LSTM, 1 sequence of 8 steps", (lstm1997, x(1, 8))),
             Case("the bench's 1997 LSTM, 3 sequences of 6 steps", (lstm1997, x(3, 6))),
             Case("the bench's 1997 LSTM, a single step", (lstm1997, x(1, 1))),
             Case("nn.LSTM (state (h, c)), 2 sequences of 7 steps", (_stream_model("lstm", 0), x(2, 7))),
             Case("nn.GRU (state h), 2 sequences of 5 steps", (_stream_model("gru", 0), x(2, 5)))]

    def reference(model: Any, inputs: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            return model(inputs)[0]

    return _check(candidate, reference, cases, name="run_stepwise", label="ex-11-stream", mistakes=_STREAM_MISTAKES,
                  hint="Loop over t, call model(x[:, t:t + 1], hx=state), keep both the output and the new "
                       "state, and join the outputs along the time axis.", rtol=1e-9, atol=1e-12)


#: check name -> the wrong answers it recognises, in the learner's format (for tests and graders).
MISTAKES: dict[str, tuple[Mistake, ...]] = {
    "adding_inputs": _ADDING_INPUTS_MISTAKES,
    "adding_target": _ADDING_TARGET_MISTAKES,
    "reber_embedded": _EMBEDDED_MISTAKES,
    "reber_allowed_next": _ALLOWED_MISTAKES,
    "temporal_order_class": _CLASS_MISTAKES,
    "temporal_order_lags": _LAG_MISTAKES,
    "stop_3c": _STOP_3C_MISTAKES,
    "sequences_before_run": _RUN_MISTAKES,
    "forget_error_kept": _KEPT_MISTAKES,
    "forget_gate_update": _UPDATE_MISTAKES,
    "stepwise_outputs": _STREAM_MISTAKES,
}

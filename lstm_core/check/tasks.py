"""The paper's tasks as data: the checks of the exercises that build or judge a task's sequences.

Each runs the learner's function and ``lstm_core``'s own generators and criteria
(:mod:`lstm_core.tasks`) on several cases, edge cases included.

=========================  ============================  ===============================================
check                      exercise                      the learner writes
=========================  ============================  ===============================================
``adding_inputs``          ex-07-inputs                  one adding-problem sequence from its values
``adding_target``          ex-07-target                  the target 0.5 + (X1 + X2) / 4 from the inputs
``reber_embedded``         ex-08-embedded                is this an embedded Reber string?
``reber_allowed_next``     ex-08-allowed                 the legal next symbols at every step
``temporal_order_class``   ex-09-class                   the class of a 6a/6b sequence
``temporal_order_lags``    ex-09-lags                    shortest and longest lag after the last X/Y
=========================  ============================  ===============================================

>>> right = lambda inputs: 0.5 + inputs[inputs[:, 1] == 1.0, 0].sum() / 4
>>> adding_target(right).ok
True
>>> report = adding_target(lambda inputs: inputs[inputs[:, 1] == 1.0, 0].sum() / 4)
>>> report.ok, report.mistake
(False, 'no 0.5 offset')
>>> adding_target(...).answered      # the exercise still holds its stub
False

Every check returns a :class:`~lstm_core.check.engine.CheckReport`; the known wrong answers it
recognises are in ``MISTAKES`` (check name -> mistakes), written in the learner's own format, so
tests and graders can feed them to the check. All are importable as ``lstm_core.check.<name>``.
"""
from __future__ import annotations

import functools
from typing import Any, Optional

import numpy as np

from lstm_core.check.cases import array_key, lookup
from lstm_core.check.engine import Case, CheckReport, Mistake, check_answer
from lstm_core.tasks import adding, reber, temporal_order

__all__ = ["adding_inputs", "adding_target", "reber_embedded", "reber_allowed_next", "temporal_order_class", "temporal_order_lags"]


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
        table[array_key(values, first, second)] = inputs
        cases.append(Case(f"{label} (X1 at step {first}, X2 at step {second})", (values, first, second)))
    return check_answer(candidate, lookup(table, array_key), cases, exercise="adding_inputs (ex-07-inputs)",
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
        table[array_key(inputs)] = target
        cases.append(Case(label, (inputs.copy(),)))
    return check_answer(candidate, lookup(table, array_key), cases, exercise="adding_target (ex-07-target)",
                  mistakes=_ADDING_TARGET_MISTAKES,
                  hint="Find the two pairs with marker 1.0, add their values, and map that sum from [-2, 2] "
                       "onto [0, 1].", rtol=1e-6)


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
    return check_answer(candidate, reber.is_embedded_reber, cases, exercise="is_embedded (ex-08-embedded)",
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
    return check_answer(candidate, reber.allowed_next_symbols, cases, exercise="allowed_next (ex-08-allowed)",
                  mistakes=_ALLOWED_MISTAKES, encode=_sets_as_matrix,
                  hint="Walk the string through the automaton: after each symbol, the allowed set is what the "
                       "new state can emit. The outer symbols follow the embedding rules instead. Each row of "
                       "the arrays shown is one step, in the unit order B, T, P, S, X, V, E.")


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
    return check_answer(candidate, lookup(table, lambda s: s), cases, exercise="order_class (ex-09-class)",
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
    return check_answer(candidate, _sampled_lags, cases, exercise="lag_range (ex-09-lags)", mistakes=_LAG_MISTAKES,
                  hint="The lag is (position of B) - (position of the last X/Y), with B at position 'length'. "
                       "Pick the length and the position that make it smallest, then largest.")


#: check name -> the wrong answers it recognises, in the learner's format (for tests and graders).
MISTAKES: dict[str, tuple[Mistake, ...]] = dict(adding_inputs=_ADDING_INPUTS_MISTAKES,
    adding_target=_ADDING_TARGET_MISTAKES, reber_embedded=_EMBEDDED_MISTAKES,
    reber_allowed_next=_ALLOWED_MISTAKES, temporal_order_class=_CLASS_MISTAKES,
    temporal_order_lags=_LAG_MISTAKES)

"""Experiment 1 (Sec. 5.1): the embedded Reber grammar, a next-symbol prediction task.

The Reber grammar is a small automaton (Cleeremans et al. 1989) that emits strings over the
7 symbols B, T, P, S, X, V, E. Where a state has two ways out, each is taken with probability 0.5:

=====  ================
state  emits -> next
=====  ================
0      B -> 1
1      T -> 2, P -> 3
2      S -> 2, X -> 4
3      T -> 3, V -> 5
4      X -> 3, S -> 6
5      P -> 4, V -> 6
6      E -> end
=====  ================

An *embedded* Reber string wraps one Reber string: B, then T or P, then the inner string
(with its own B ... E), then the same T or P again, then E. The shortest is ``BTBTXSETE``
(9 symbols). To predict the symbol before last the network must remember the second symbol
across the whole inner string.

Coding: 7 input and 7 output units, one per symbol, in the order B, T, P, S, X, V, E. A
string of m symbols is m - 1 steps: at step t the input is symbol t and the target is symbol
t + 1 (error at every step). The final E is a target, never an input.

Correctness (the paper): at every step, the output units of the *possible* next symbols are
the most active ones: the smallest output among allowed symbols exceeds the largest among
the others. ``info["allowed_next"]`` holds the allowed sets. Training succeeds when every step
of every string in a 256-string training set and a separate 256-string test set is correct
(:func:`make_reber_sets`, :func:`all_correct`). Learning rates tried: 0.1, 0.2, 0.5.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from lstm_core import validation as validate
from lstm_core.tasks.base import (
    SeedLike, SequenceBatch, TaskConfig, check_config, check_n, check_outputs, check_task, make_rng, one_hot,
    pad_sequences, reduce_error,
)
from lstm_core.tasks.stopping import TestSetRule

__all__ = ["SYMBOLS", "N_INPUTS", "N_OUTPUTS", "TRANSITIONS", "LEARNING_RATES", "TRAIN_SET_SIZE",
           "TEST_SET_SIZE", "SHORTEST_EMBEDDED", "ReberConfig", "PAPER_CONFIGS", "is_grammatical",
           "is_embedded_reber", "allowed_next_symbols", "sample_strings", "encode_strings", "generate",
           "make_reber_sets", "step_correct", "sequence_correct", "sequence_error", "all_correct",
           "stopping_rule"]

SYMBOLS = "BTPSXVE"  # unit order of the local code: B, T, P, S, X, V, E
N_INPUTS = 7  # one input unit per symbol
N_OUTPUTS = 7  # one output unit per symbol
LEARNING_RATES = (0.1, 0.2, 0.5)  # the rates the paper tried (Table 1)
TRAIN_SET_SIZE = 256  # training strings (following Fahlman 1991)
TEST_SET_SIZE = 256  # separate test strings, none of which is in the training set
SHORTEST_EMBEDDED = "BTBTXSETE"  # the shortest embedded Reber string (9 symbols)

#: The Reber automaton: state -> ((symbol, next state), ...); next state None is the end.
TRANSITIONS: dict[int, tuple[tuple[str, int | None], ...]] = {
    0: (("B", 1),),
    1: (("T", 2), ("P", 3)),
    2: (("S", 2), ("X", 4)),
    3: (("T", 3), ("V", 5)),
    4: (("X", 3), ("S", 6)),
    5: (("P", 4), ("V", 6)),
    6: (("E", None),),
}
_INDEX = {s: i for i, s in enumerate(SYMBOLS)}


@dataclass(frozen=True)
class ReberConfig(TaskConfig):
    """Which grammar to sample from."""

    embedded: bool = True  # True: the embedded Reber grammar of the paper; False: the plain Reber grammar
    branch_probability: float = 0.5  # probability of the first way out wherever a state has two

    def __post_init__(self) -> None:
        self._store(embedded=validate.switch("embedded", self.embedded),
                    branch_probability=validate.probability("branch_probability", self.branch_probability,
                                                            low_open=True, high_open=True))

    experiment, n_inputs, n_outputs = "reber", N_INPUTS, N_OUTPUTS


PAPER_CONFIGS: dict[str, ReberConfig] = {"reber": ReberConfig()}


# ---------------------------------------------------------------------------
# The grammar
# ---------------------------------------------------------------------------


def _walk(string: str) -> list[frozenset[str]] | None:
    """Run the plain automaton over ``string``; the allowed next symbols after each symbol, or None."""
    state: int | None = 0
    allowed = []
    for symbol in string:
        if state is None:
            return None  # symbols after the final E
        moves = dict(TRANSITIONS[state])
        if symbol not in moves:
            return None
        state = moves[symbol]
        allowed.append(frozenset() if state is None else frozenset(s for s, _ in TRANSITIONS[state]))
    return allowed if state is None else None


def is_grammatical(string: str) -> bool:
    """Whether ``string`` is a complete (plain) Reber string, from B to E.

    >>> is_grammatical("BTXSE"), is_grammatical("BPVVE"), is_grammatical("BTXE")
    (True, True, False)
    """
    return isinstance(string, str) and _walk(string) is not None


def is_embedded_reber(string: str) -> bool:
    """Whether ``string`` is an embedded Reber string: B, T|P, a Reber string, the same T|P, E.

    >>> is_embedded_reber("BTBTXSETE"), is_embedded_reber("BTBTXSEPE")
    (True, False)
    """
    return (
        isinstance(string, str)
        and len(string) >= 4
        and string[0] == "B"
        and string[1] in "TP"
        and string[-2] == string[1]
        and string[-1] == "E"
        and is_grammatical(string[2:-2])
    )


def allowed_next_symbols(string: str, embedded: bool = True) -> list[frozenset[str]]:
    """For each symbol but the last, the set of symbols the grammar allows next.

    >>> ["".join(sorted(s, key=SYMBOLS.index)) for s in allowed_next_symbols("BTBTXSETE")]
    ['TP', 'B', 'TP', 'SX', 'SX', 'E', 'T', 'E']
    """
    if embedded:
        if not is_embedded_reber(string):
            raise ValueError(f"{string!r} is not an embedded Reber string")
        inner = _walk(string[2:-2])
        assert inner is not None
        # outer B -> {T, P}; outer T|P -> {B}; inner steps; inner E -> the remembered T|P; T|P -> {E}
        return [frozenset("TP"), frozenset("B"), *inner[:-1], frozenset(string[1]), frozenset("E")]
    allowed = _walk(string)
    if allowed is None:
        raise ValueError(f"{string!r} is not a Reber string")
    return allowed[:-1]


# ---------------------------------------------------------------------------
# Sampling and coding
# ---------------------------------------------------------------------------


def _sample_plain(rng: np.random.Generator, branch_probability: float) -> str:
    state: int | None = 0
    out = []
    while state is not None:
        moves = TRANSITIONS[state]
        symbol, state = moves[0] if len(moves) == 1 or rng.random() < branch_probability else moves[1]
        out.append(symbol)
    return "".join(out)


def sample_strings(config: ReberConfig, n: int, seed: SeedLike) -> list[str]:
    """``n`` random strings of the grammar in ``config`` (a pure function of its arguments)."""
    check_config(config, ReberConfig)
    n = check_n(n)
    rng = make_rng(seed)
    strings = []
    for _ in range(n):
        inner = _sample_plain(rng, config.branch_probability)
        if config.embedded:
            branch = "T" if rng.random() < config.branch_probability else "P"
            strings.append("B" + branch + inner + branch + "E")
        else:
            strings.append(inner)
    return strings


def encode_strings(strings: Sequence[str], config: ReberConfig = ReberConfig()) -> SequenceBatch:
    """Next-symbol batch of given strings: input symbol t, target symbol t + 1, error at every step.

    ``info``: ``strings`` (n,) str, ``symbols`` (n, T_max) input symbol indices (-1 = padding),
    ``allowed_next`` (n, T_max, 7) bool.

    >>> batch = encode_strings(["BTBTXSETE"])
    >>> batch.lengths.tolist(), batch.inputs.shape
    ([8], (1, 8, 7))
    >>> "".join(SYMBOLS[k] for k in batch.targets[0].argmax(axis=1))
    'TBTXSETE'
    """
    if isinstance(strings, str) or len(strings) == 0:
        raise ValueError("strings must be a non-empty list of strings (not one string)")
    inputs, targets, masks, symbols, allowed = [], [], [], [], []
    for s in strings:
        sets = allowed_next_symbols(s, embedded=config.embedded)
        idx = np.array([_INDEX[c] for c in s], dtype=np.int64)
        inputs.append(one_hot(idx[:-1], N_INPUTS))
        targets.append(one_hot(idx[1:], N_OUTPUTS))
        masks.append(np.ones(len(s) - 1, dtype=bool))
        symbols.append(idx[:-1])
        allowed.append(np.array([[c in a for c in SYMBOLS] for a in sets], dtype=bool))
    batch = pad_sequences(inputs, targets, masks, task="reber")
    symbol_arr = np.full((batch.n, batch.T_max), -1, dtype=np.int64)
    allowed_arr = np.zeros((batch.n, batch.T_max, N_OUTPUTS), dtype=bool)
    for i, (sym, alw) in enumerate(zip(symbols, allowed)):
        symbol_arr[i, : len(sym)] = sym
        allowed_arr[i, : len(sym)] = alw
    info = {"strings": np.array(list(strings), dtype=str), "symbols": symbol_arr, "allowed_next": allowed_arr}
    return SequenceBatch(batch.inputs, batch.targets, batch.target_mask, batch.lengths, info, "reber")


def generate(config: ReberConfig, n: int, seed: SeedLike) -> SequenceBatch:
    """``n`` random embedded Reber strings as a next-symbol batch (see :func:`encode_strings`).

    Same ``(config, n, seed)``, same batch.

    >>> batch = generate(ReberConfig(), n=4, seed=0)
    >>> batch.n, batch.n_inputs, batch.n_outputs
    (4, 7, 7)
    >>> all(is_embedded_reber(s) for s in batch.info["strings"])
    True
    >>> bool(batch.target_mask[0, : batch.lengths[0]].all())   # error at every step
    True
    """
    return encode_strings(sample_strings(config, n, seed), config)


def make_reber_sets(seed: SeedLike, config: ReberConfig = ReberConfig(),
                    n_train: int = TRAIN_SET_SIZE, n_test: int = TEST_SET_SIZE) -> tuple[SequenceBatch, SequenceBatch]:
    """A fixed training set and a separate test set (the paper: 256 + 256 strings).

    Both are random draws from the grammar; a test string is redrawn while it occurs in the
    training set. Either set may contain a string more than once.

    >>> train, test = make_reber_sets(seed=1)
    >>> train.n, test.n, bool(set(train.info["strings"]) & set(test.info["strings"]))
    (256, 256, False)
    """
    rng = make_rng(seed)
    train_strings = sample_strings(config, n_train, rng)
    seen = set(train_strings)
    test_strings: list[str] = []
    n_test = check_n(n_test)
    while len(test_strings) < n_test:
        s = sample_strings(config, 1, rng)[0]
        if s not in seen:
            test_strings.append(s)
    return encode_strings(train_strings, config), encode_strings(test_strings, config)


# ---------------------------------------------------------------------------
# Criteria
# ---------------------------------------------------------------------------


def step_correct(outputs: Any, batch: SequenceBatch) -> np.ndarray:
    """(n, T_max) bool: at each step, min output over allowed symbols > max output over the others.

    Padding steps count as correct.
    """
    check_task(batch, "reber", needs="allowed_next", source="generate or encode_strings")
    out = check_outputs(outputs, batch)
    allowed = batch.info["allowed_next"]
    lowest_allowed = np.where(allowed, out, np.inf).min(axis=-1)
    highest_other = np.where(allowed, -np.inf, out).max(axis=-1)
    return (lowest_allowed > highest_other) | ~batch.target_mask


def sequence_correct(outputs: Any, batch: SequenceBatch) -> np.ndarray:
    """(n,) bool: every symbol of the string predicted correctly (the paper's criterion).

    >>> batch = encode_strings(["BTBTXSETE"])
    >>> good = batch.info["allowed_next"].astype(float) * 0.8 + 0.1   # allowed 0.9, others 0.1
    >>> sequence_correct(good, batch).tolist(), sequence_correct(1 - good, batch).tolist()
    ([True], [False])
    """
    return step_correct(outputs, batch).all(axis=1)


def sequence_error(outputs: Any, batch: SequenceBatch, kind: str = "squared") -> np.ndarray:
    """(n,) mean over a string's steps of the step error against the actual next symbol.

    ``kind="squared"`` (default): E(t) = sum_k (t_k - y_k)^2, the paper's error function;
    ``"absolute"``: mean_k |t_k - y_k|; ``"max_abs"``: the largest |t_k - y_k| in the string.
    The paper judges Exp. 1 by :func:`sequence_correct` only; this is for learning curves.
    """
    check_task(batch, "reber", needs="allowed_next", source="generate or encode_strings")
    out = check_outputs(outputs, batch)
    per_step = reduce_error(batch.targets - out, kind)
    per_step = np.where(batch.target_mask, per_step, 0.0)
    if kind == "max_abs":
        return per_step.max(axis=1)
    return per_step.sum(axis=1) / batch.lengths


def all_correct(outputs_train: Any, batch_train: SequenceBatch, outputs_test: Any, batch_test: SequenceBatch) -> bool:
    """The paper's success test: every step of every training *and* test string correct."""
    return bool(sequence_correct(outputs_train, batch_train).all() and sequence_correct(outputs_test, batch_test).all())


def stopping_rule(config: ReberConfig = ReberConfig()) -> TestSetRule:
    """Success rule: feed ``np.concatenate([correct_train, correct_test])``; met when none is wrong."""
    check_config(config, ReberConfig)
    return TestSetRule(max_wrong=0)

"""Samples of the paper's tasks, and which of their steps matter.

Pure and seeded (same arguments, same result); the chapters only display the results.

============================  ===================================================================
name                          what
============================  ===================================================================
:func:`task_sample`           one fresh sequence of any of Exps. 2, 3, 5, 6 (a :class:`TaskSample`),
                              ready to draw; :data:`SAMPLE_EXPERIMENTS` the default configs
:func:`symbol_tokens`         a symbolic sequence (2a, 2b, 2c, 6a, 6b) as a list of symbol names
:func:`one_per_class`         the first sequence of each class in a batch
:func:`sequence_of_class`     a fresh temporal-order sequence of a chosen class
:func:`relevant_steps`        the steps whose input matters (marked pairs, X/Y symbols)
:func:`adding_marked_steps`   the adding problem's two marked steps
:func:`temporal_order_steps`  6a/6b: the X/Y steps and the filler steps of a batch
:func:`reber_branches`        the embedded Reber string's second symbol (what must be remembered)
:func:`reber_step_kinds`      an embedded Reber batch's steps: real, long-memory, inner grammar
============================  ===================================================================

Plots: :mod:`lstm_core.plots.samples`; panels: :mod:`lstm_core.dashboards.samples`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Sequence, Union

import numpy as np

from lstm_core import validation as validate
from lstm_core.tasks import (
    get_task, long_lag, noise_signal, paper_config, reber, temporal_order,
    multiplication as multiplication_task,
)
from lstm_core.tasks.base import SequenceBatch, check_task, step_mask

__all__ = ["SAMPLE_EXPERIMENTS", "TaskSample", "task_sample", "symbol_tokens", "one_per_class",
           "sequence_of_class", "relevant_steps", "adding_marked_steps", "temporal_order_steps",
           "reber_branches", "reber_step_kinds"]


#: Default paper config shown for each experiment (shorter than the paper's where a whole
#: sequence would not fit in a figure; ``task_sample`` accepts any config).
SAMPLE_EXPERIMENTS: dict[str, Any] = {
    "2a": long_lag.Task2aConfig(p=10),
    "2b": long_lag.Task2bConfig(p=10),
    "2c": long_lag.Task2cConfig(q=20, p=8),
    "3a": paper_config("3a-T100-N3"),
    "3b": paper_config("3b-T100-N3"),
    "3c": paper_config("3c-T100-N3"),
    "multiplication": paper_config("multiplication-T100-nseq13"),
    "6a": paper_config("6a"),
    "6b": paper_config("6b"),
}


@dataclass(frozen=True)
class TaskSample:
    """One sequence of one task, as a figure needs it.

    ``kind`` says which fields are filled: "symbols" (2a, 2b, 2c, 6a, 6b): ``tokens`` and
    ``highlight``; "signal" (3a, 3b, 3c): ``values`` (the one input line) and ``n_info``;
    "pairs" (multiplication): ``values`` and ``markers``.
    """

    experiment: str  # "2a", ..., "6b"
    kind: str  # "symbols", "signal" or "pairs"
    length: int  # input steps
    target: str  # what the network must output at the end, as text
    tokens: tuple[str, ...] = ()  # symbols: the input symbol of each step
    highlight: tuple[bool, ...] = ()  # symbols: the steps that matter (the rest are distractors)
    values: Optional[np.ndarray] = None  # signal: input line (T,); pairs: first component (T,)
    markers: Optional[np.ndarray] = None  # pairs: second component (T,), 1.0 at the two marked pairs
    n_info: int = 0  # signal: the first n_info steps carry the class
    note: str = ""  # one line about the sample (class, lag, ...)


def _highlight(tokens: Sequence[str], experiment: str) -> tuple[bool, ...]:
    if experiment in ("2a", "2b"):
        return tuple(t == 0 for t in range(len(tokens)))  # only the first symbol (x or y) matters
    keep = {"2c": {"b", "x", "y", "e"}, "6a": {"E", "B", "X", "Y"}, "6b": {"E", "B", "X", "Y"}}[experiment]
    return tuple(t in keep for t in tokens)


def task_sample(experiment: Union[str, Any], seed: int = 0) -> TaskSample:
    """A fresh sequence of ``experiment`` ("2a", "2c", "3b", "multiplication", "6a", ... or a config).

    A name uses :data:`SAMPLE_EXPERIMENTS` (2a/2b/2c shortened so the whole sequence is readable).

    >>> s = task_sample("2c", seed=1)
    >>> s.tokens[:2], s.tokens[-1], s.length == len(s.tokens), s.target in ("x", "y")
    (('b', 'x'), 'e', True, True)
    """
    config = SAMPLE_EXPERIMENTS.get(experiment) if isinstance(experiment, str) else experiment
    if config is None:
        raise ValueError(f"unknown experiment {experiment!r}; expected one of {sorted(SAMPLE_EXPERIMENTS)} "
                         "or a task config")
    name = config.experiment
    task = get_task(name)
    batch = task.generate(config, 1, seed)
    length = int(batch.lengths[0])
    if name in ("2a", "2b", "2c", "6a", "6b"):
        tokens = symbol_tokens(batch, 0, config)
        if name == "2c":
            target = long_lag.CLASS_NAMES[int(batch.info["label"][0])]
            note = f"q = {config.q}, p = {config.p}: {int(batch.info['n_extra'][0])} extra distractors"
        elif name in ("2a", "2b"):
            target = long_lag.symbol_names(config)[int(batch.targets[0, -1].argmax())]
            note = f"p = {config.p}: predict the next symbol at every step; only the last is x or y"
        else:
            target = config.class_names[int(batch.info["label"][0])]
            pos = (np.asarray(batch.info["positions"][0]) + 1).tolist()
            note = f"X/Y at t = {pos} (counted from 1 at E)"
        return TaskSample(name, "symbols", length, target, tuple(tokens), _highlight(tokens, name), note=note)
    if task is noise_signal:
        clean = float(batch.info["clean_target"][0])
        noisy = float(batch.targets[0, -1, 0])  # 3c trains on a noisy target
        target = f"{clean:g}" if name != "3c" else f"{clean:g} + noise (trained on {noisy:.2f})"
        label = noise_signal.CLASS_NAMES[int(batch.info["label"][0])]
        return TaskSample(name, "signal", length, target, values=batch.inputs[0, :length, 0].astype(np.float64),
                          n_info=int(config.N), note=f"{label}, T = {config.T}, N = {config.N}")
    if task is multiplication_task:
        x1, x2 = float(batch.info["x1"][0]), float(batch.info["x2"][0])
        return TaskSample(name, "pairs", length, f"{x1 * x2:.3f}",
                          values=batch.inputs[0, :length, 0].astype(np.float64),
                          markers=batch.inputs[0, :length, 1].astype(np.float64),
                          note=f"X1 = {x1:.3f}, X2 = {x2:.3f}")
    raise ValueError(f"task_sample draws experiments 2, 3, 5 and 6; got {name!r}")


def _names(batch: SequenceBatch, config: Any = None) -> list[str]:
    if batch.task in ("6a", "6b"):
        return list(temporal_order.SYMBOLS)
    if batch.task in ("2a", "2b", "2c"):
        if config is None:
            raise ValueError(f"task {batch.task} needs its config to name the symbols (p differs per config)")
        return long_lag.symbol_names(config)
    raise ValueError(f"symbolic tasks are 2a, 2b, 2c, 6a and 6b; got task {batch.task!r}")


def symbol_tokens(batch: SequenceBatch, index: int = 0, config: Any = None) -> list[str]:
    """The input symbols of sequence ``index`` of a symbolic batch (2a, 2b, 2c need their ``config``).

    >>> b = temporal_order.generate(temporal_order.PAPER_CONFIGS["6a"], n=1, seed=3)
    >>> tokens = symbol_tokens(b)
    >>> tokens[0], tokens[-1], len(tokens), [tokens[t] for t in b.info["positions"][0]]
    ('E', 'B', 108, ['X', 'Y'])
    """
    index = validate.nonneg_int("index", index, high=batch.n - 1)
    names = _names(batch, config)
    row = np.asarray(batch.info["symbols"][index])[: int(batch.lengths[index])]
    return [names[int(i)] for i in row]


def one_per_class(labels: Any, n_classes: int) -> np.ndarray:
    """(n_classes,) index of the first sequence of each class.

    >>> one_per_class([2, 0, 0, 1], 3).tolist()
    [1, 3, 0]
    """
    y = np.asarray(labels).reshape(-1)
    out = []
    for k in range(n_classes):
        hits = np.flatnonzero(y == k)
        if hits.size == 0:
            raise ValueError(f"class {k} does not occur among the {y.size} labels; draw a larger batch")
        out.append(int(hits[0]))
    return np.asarray(out, dtype=np.int64)


def sequence_of_class(config: Any, class_index: int, seed: int = 0) -> SequenceBatch:
    """A one-sequence temporal-order batch (6a/6b) whose class is ``class_index`` (seeded).

    >>> b = sequence_of_class(temporal_order.PAPER_CONFIGS["6a"], 2, seed=0)   # class S: Y then X
    >>> b.n, int(b.info["label"][0]), b.info["xy"][0].tolist()
    (1, 2, [1, 0])
    """
    validate.instance("config", config, temporal_order.TemporalOrderConfig)
    class_index = validate.nonneg_int("class_index", class_index, high=config.n_classes - 1)
    rng = np.random.default_rng([seed, 5])
    while True:  # each draw of 64 misses a class with probability (1 - 1/8)^64 < 2e-4
        batch = temporal_order.generate(config, 64, rng)
        hits = np.flatnonzero(batch.info["label"] == class_index)
        if hits.size:
            return batch.select([int(hits[0])])


def relevant_steps(batch: SequenceBatch) -> np.ndarray:
    """(n, T_max) bool: the steps whose input matters (marked pairs; X/Y symbols of temporal order)."""
    key = {"adding": "marked", "multiplication": "marked", "6a": "positions", "6b": "positions"}.get(batch.task)
    if key is None:
        raise ValueError(f"relevant_steps knows the adding, multiplication and temporal-order tasks, "
                         f"got task {batch.task!r}")
    mask = np.zeros((batch.n, batch.T_max), dtype=bool)
    rows = np.repeat(np.arange(batch.n), batch.info[key].shape[1])
    mask[rows, batch.info[key].reshape(-1)] = True
    return mask


def adding_marked_steps(batch: SequenceBatch) -> np.ndarray:
    """(n, T_max) bool: the two marked steps (X1, X2) of each adding-problem sequence."""
    if "marked" not in batch.info:
        raise ValueError(f"expected an adding or multiplication batch with info['marked']; got task {batch.task!r}")
    return relevant_steps(batch)


_FILLERS = tuple(temporal_order.SYMBOLS.index(s) for s in "abcd")  # unit indices of a, b, c, d


def temporal_order_steps(batch: SequenceBatch) -> tuple[np.ndarray, np.ndarray]:
    """(relevant, filler): (n, T_max) bool masks of the X/Y steps and of the a-d filler steps.

    The leading E, the final B and the padding are in neither.

    >>> b = temporal_order.generate(temporal_order.PAPER_CONFIGS["6a"], n=2, seed=0)
    >>> relevant, filler = temporal_order_steps(b)
    >>> relevant.sum(axis=1).tolist(), (filler.sum(axis=1) + 4 == b.lengths).tolist()
    ([2, 2], [True, True])
    """
    check_task(batch, "6a", "6b")
    symbols = np.asarray(batch.info["symbols"])
    return relevant_steps(batch), np.isin(symbols, _FILLERS)


def reber_branches(batch: SequenceBatch) -> np.ndarray:
    """(n,) the second symbol of each embedded Reber string ("T" or "P"): what must be remembered."""
    if batch.task != "reber" or "strings" not in batch.info:
        raise ValueError(f"expected a Reber batch with info['strings']; got task {batch.task!r}")
    return np.array([s[1] for s in batch.info["strings"]])


def reber_step_kinds(batch: SequenceBatch) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Three (n, T_max) bool masks of an embedded Reber batch: ``inside``, ``long_step``, ``inner``.

    ``inside``: every real step. ``long_step``: the step whose input is the inner string's E and
    whose target is the remembered T or P (the one prediction that needs the long memory).
    ``inner``: the steps reading the inner Reber string up to (not including) its E, i.e. all
    steps but the first two and the last two. (Steps 0 and 1 and the final step make up the rest.)

    >>> inside, long_step, inner = reber_step_kinds(reber.encode_strings(["BTBTXSETE"]))
    >>> np.flatnonzero(long_step[0]).tolist(), np.flatnonzero(inner[0]).tolist()
    ([6], [2, 3, 4, 5])
    """
    if batch.task != "reber" or "strings" not in batch.info:
        raise ValueError(f"expected a Reber batch with info['strings']; got task {batch.task!r}")
    if not all(reber.is_embedded_reber(str(s)) for s in batch.info["strings"]):
        raise ValueError("reber_step_kinds needs embedded Reber strings (B, T|P, a Reber string, T|P, E)")
    n = batch.n
    rows = np.arange(n)
    inside = step_mask(batch.lengths, batch.T_max)
    long_step = np.zeros((n, batch.T_max), dtype=bool)
    long_step[rows, batch.lengths - 2] = True
    inner = inside.copy()
    inner[:, :2] = False
    inner[rows, batch.lengths - 2] = False
    inner[rows, batch.lengths - 1] = False
    return inside, long_step, inner

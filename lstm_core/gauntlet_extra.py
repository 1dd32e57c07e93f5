"""More compute for the gauntlet chapters on temporal order (Exp. 6) and the rest of the paper (Exps. 2, 3, 5).

Everything here is pure and seeded (same arguments, same result) and returns numpy arrays,
dataclasses or strings; the chapters only display them. Live training and the generic
look-inside tools (``gate_activity``, ``mean_where``, ...) live in :mod:`lstm_core.gauntlet`.

============================  ===================================================================
name                          what
============================  ===================================================================
:func:`choices_markdown`      every place the paper is ambiguous and what we chose, as one table
:func:`comparison_or_pending` the paper-vs-ours table of the rows a results file holds, and a
                              note naming the rows of those tables it does not hold yet
:func:`symbol_tokens`         a symbolic sequence (2a, 2b, 2c, 6a, 6b) as a list of symbol names
:func:`one_per_class`         the first sequence of each class in a batch
:func:`sequence_of_class`     a fresh temporal-order sequence of a chosen class
:func:`temporal_order_steps`  6a/6b: the X/Y steps and the filler steps of a batch
:func:`phase_steps`           6a/6b: the step just before / at each X/Y, and the last step
:func:`centroid_accuracy`     held-out nearest-centroid accuracy of features (does a state
                              separate the classes?)
:func:`phase_separation`      that accuracy at every phase of a temporal-order sequence
:func:`class_mean_traces`     per-class mean of a per-step quantity (e.g. s_c) over time
:func:`task_sample`           one fresh sequence of any of Exps. 2, 3, 5, 6 (a :class:`TaskSample`),
                              ready to draw
:func:`guess_latch`           random weight guessing on the 2-sequence problem (Exp. 3)
============================  ===================================================================

Paper notation: s_c(t) is a cell state, y^in_j(t) an input gate (see :mod:`lstm_core.cells`).

>>> md = choices_markdown()
>>> md.splitlines()[0]
'| experiment | topic | the paper says | we chose | why |'
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Optional, Sequence, Union

import numpy as np

from .protocol import PROTOCOL_CHOICES, ROWS
from .report import comparison_markdown
from .tasks import CHOICES, Choice, get_task, long_lag, paper_config
from .tasks import multiplication as multiplication_task
from .tasks import noise_signal, temporal_order
from .tasks.base import SequenceBatch, TestSetRule, step_mask

__all__ = [
    "choices_markdown",
    "comparison_or_pending",
    "symbol_tokens",
    "one_per_class",
    "sequence_of_class",
    "temporal_order_steps",
    "phase_steps",
    "centroid_accuracy",
    "PhaseSeparation",
    "phase_separation",
    "class_mean_traces",
    "TaskSample",
    "task_sample",
    "SAMPLE_EXPERIMENTS",
    "LatchGuess",
    "guess_latch",
]


# ======================================================================================
# The table of choices
# ======================================================================================
def _cell(text: str) -> str:
    """One Markdown table cell: no line breaks, pipes escaped (the choices write 'x|y')."""
    return " ".join(str(text).split()).replace("|", "\\|")


def choices_markdown(choices: Optional[Sequence[Choice]] = None) -> str:
    """Every :class:`~lstm_core.tasks.Choice` as one Markdown table (render with ``IPython.display.Markdown``).

    Default: the tasks' choices (``lstm_core.tasks.CHOICES``) followed by the training
    protocol's (``lstm_core.protocol.PROTOCOL_CHOICES``).

    >>> c = Choice("2c", "a|b", "says", "chose", "why")
    >>> choices_markdown([c]).splitlines()[2]
    '| 2c | a\\\\|b | says | chose | why |'
    """
    rows = list(CHOICES) + list(PROTOCOL_CHOICES) if choices is None else list(choices)
    if not rows:
        raise ValueError("choices must hold at least one Choice; got none")
    for c in rows:
        if not isinstance(c, Choice):
            raise ValueError(f"choices must be lstm_core.tasks.Choice objects; got {type(c).__name__}")
    lines = ["| experiment | topic | the paper says | we chose | why |", "|---|---|---|---|---|"]
    lines += [f"| {_cell(c.experiment)} | {_cell(c.topic)} | {_cell(c.paper_says)} | {_cell(c.we_chose)} "
              f"| {_cell(c.why)} |" for c in rows]
    return "\n".join(lines)


def comparison_or_pending(results: dict[str, Any], tables: Sequence[str],
                          columns: Optional[Sequence[str]] = None) -> str:
    """``comparison_markdown(results, tables, columns)`` for the rows ``results`` holds, plus a line naming
    the reproduced rows of those tables that it does not hold (yet); never raises for missing rows.

    >>> print(comparison_or_pending({"rows": {}}, ["8"]))
    *Not in these results yet: T8-multiplication-nseq140, T8-multiplication-nseq13.*
    """
    tables = [str(t) for t in tables]
    if not tables:
        raise ValueError("tables must name at least one paper table, e.g. ['4', '5']")
    wanted = [row.key for row in ROWS if row.table in tables]
    if not wanted:
        raise ValueError(f"no reproduced row belongs to tables {tables}")
    missing = [key for key in wanted if key not in results["rows"]]
    parts = []
    if len(missing) < len(wanted):
        parts.append(comparison_markdown(results, tables, columns))
    if missing:
        parts.append(f"*Not in these results yet: {', '.join(missing)}.*")
    return "\n\n".join(parts)


# ======================================================================================
# Symbolic sequences
# ======================================================================================
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
    if not 0 <= index < batch.n:
        raise ValueError(f"index {index} out of range for a batch of {batch.n} sequences")
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
    if not isinstance(config, temporal_order.TemporalOrderConfig):
        raise ValueError(f"config must be a TemporalOrderConfig; got {type(config).__name__}")
    if isinstance(class_index, bool) or not isinstance(class_index, (int, np.integer)) \
            or not 0 <= class_index < config.n_classes:
        raise ValueError(f"class_index must be an int in [0, {config.n_classes}); got {class_index!r}")
    rng = np.random.default_rng([seed, 5])
    while True:  # each draw of 64 misses a class with probability (1 - 1/8)^64 < 2e-4
        batch = temporal_order.generate(config, 64, rng)
        hits = np.flatnonzero(batch.info["label"] == class_index)
        if hits.size:
            return batch.select([int(hits[0])])


# ======================================================================================
# Temporal order (Exp. 6): where the X/Y symbols are, and does the state separate the classes?
# ======================================================================================
_FILLERS = tuple(temporal_order.SYMBOLS.index(s) for s in "abcd")  # unit indices of a, b, c, d


def _check_temporal(batch: SequenceBatch) -> None:
    if batch.task not in ("6a", "6b"):
        raise ValueError(f"expected a temporal-order batch (task 6a or 6b); got task {batch.task!r}")


def temporal_order_steps(batch: SequenceBatch) -> tuple[np.ndarray, np.ndarray]:
    """(relevant, filler): (n, T_max) bool masks of the X/Y steps and of the a-d filler steps.

    The leading E, the final B and the padding are in neither.

    >>> b = temporal_order.generate(temporal_order.PAPER_CONFIGS["6a"], n=2, seed=0)
    >>> relevant, filler = temporal_order_steps(b)
    >>> relevant.sum(axis=1).tolist(), (filler.sum(axis=1) + 4 == b.lengths).tolist()
    ([2, 2], [True, True])
    """
    _check_temporal(batch)
    symbols = np.asarray(batch.info["symbols"])
    relevant = np.zeros(symbols.shape, dtype=bool)
    rows = np.repeat(np.arange(batch.n), batch.info["positions"].shape[1])
    relevant[rows, np.asarray(batch.info["positions"]).reshape(-1)] = True
    filler = np.isin(symbols, _FILLERS)
    return relevant, filler


def phase_steps(batch: SequenceBatch) -> list[tuple[str, np.ndarray]]:
    """The steps at which to read a sequence's state, in order: (name, (n,) step index).

    For each X/Y symbol k (1st, 2nd[, 3rd]): the step just before it and the step of it (its
    write is done); then the last step (the trigger B, where the answer is read).

    >>> b = temporal_order.generate(temporal_order.PAPER_CONFIGS["6a"], n=1, seed=3)
    >>> [(name, int(idx[0])) for name, idx in phase_steps(b)]
    [('before 1st X/Y', 17), ('at 1st X/Y', 18), ('before 2nd X/Y', 49), ('at 2nd X/Y', 50), ('last step (B)', 107)]
    """
    _check_temporal(batch)
    ordinal = ("1st", "2nd", "3rd")
    pos = np.asarray(batch.info["positions"])
    out: list[tuple[str, np.ndarray]] = []
    for k in range(pos.shape[1]):
        out.append((f"before {ordinal[k]} X/Y", pos[:, k] - 1))
        out.append((f"at {ordinal[k]} X/Y", pos[:, k].copy()))
    out.append(("last step (B)", np.asarray(batch.lengths) - 1))
    return out


def centroid_accuracy(features: Any, labels: Any, seed: int = 0, test_fraction: float = 0.5) -> float:
    """Held-out accuracy of a nearest-centroid classifier on ``features`` (n, d).

    The sequences are split at random (``seed``): class centroids come from one part, and
    the other part is classified by its nearest centroid (Euclidean). 1/n_classes is chance;
    1.0 means the classes sit in separate regions of feature space.

    >>> x = np.array([[0.0], [0.1], [5.0], [5.1]] * 5); y = np.array([0, 0, 1, 1] * 5)
    >>> centroid_accuracy(x, y)
    1.0
    """
    x = np.asarray(features, dtype=np.float64)
    y = np.asarray(labels).reshape(-1)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2 or x.shape[0] != y.size:
        raise ValueError(f"features must be (n, d) with one label each; got {x.shape} and {y.size} labels")
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must lie in (0, 1); got {test_fraction!r}")
    order = np.random.default_rng(seed).permutation(y.size)
    n_test = int(round(test_fraction * y.size))
    test, train = order[:n_test], order[n_test:]
    classes = np.unique(y)
    if n_test == 0 or any(not np.any(y[train] == k) for k in classes):
        raise ValueError("every class needs sequences on both sides of the split; use more sequences")
    centroids = np.stack([x[train][y[train] == k].mean(axis=0) for k in classes])
    dist = ((x[test][:, None, :] - centroids[None]) ** 2).sum(axis=-1)
    return float((classes[dist.argmin(axis=1)] == y[test]).mean())


@dataclass(frozen=True)
class PhaseSeparation:
    """How well the cell states s_c separate the classes at each phase of a temporal-order sequence."""

    phases: tuple[str, ...]  # phase names, in order (see phase_steps)
    accuracy: np.ndarray  # (phases,) held-out nearest-centroid accuracy of s_c at that phase
    chance: float  # 1 / number of classes
    n_sequences: int  # sequences measured


def phase_separation(states: Any, batch: SequenceBatch, seed: int = 0) -> PhaseSeparation:
    """Nearest-centroid accuracy of the cell states ``states`` (n, T_max, C) at every phase.

    Before the 1st X/Y nothing is known (chance); after the 1st the state can at best tell
    the first symbol (1/2 of the classes of 6a ruled out, accuracy 0.5); after the last X/Y a
    network that stored both symbols *in order* separates all classes.
    """
    _check_temporal(batch)
    s = np.asarray(states, dtype=np.float64)
    if s.ndim != 3 or s.shape[:2] != (batch.n, batch.T_max):
        raise ValueError(f"states must be (n, T_max, C) = ({batch.n}, {batch.T_max}, C); got {s.shape}")
    rows = np.arange(batch.n)
    phases = phase_steps(batch)
    acc = np.array([centroid_accuracy(s[rows, idx], batch.info["label"], seed=seed) for _, idx in phases])
    n_classes = 2 ** batch.info["positions"].shape[1]
    return PhaseSeparation(tuple(name for name, _ in phases), acc, 1.0 / n_classes, batch.n)


def class_mean_traces(values: Any, labels: Any, valid: Any, n_classes: int) -> np.ndarray:
    """(n_classes, T, k) mean over each class's sequences of ``values`` (n, T, k), valid steps only.

    NaN where a class has no valid step at that time.

    >>> v = np.arange(6.0).reshape(3, 2, 1); valid = np.array([[1, 1], [1, 0], [1, 1]], bool)
    >>> class_mean_traces(v, [0, 0, 1], valid, 2)[:, :, 0].tolist()
    [[1.0, 1.0], [4.0, 5.0]]
    """
    v = np.asarray(values, dtype=np.float64)
    y = np.asarray(labels).reshape(-1)
    ok = np.asarray(valid, dtype=bool)
    if v.ndim != 3 or ok.shape != v.shape[:2] or y.size != v.shape[0]:
        raise ValueError(f"values must be (n, T, k), valid (n, T) and labels (n,); got {v.shape}, {ok.shape}, "
                         f"{y.size}")
    out = np.full((n_classes, v.shape[1], v.shape[2]), np.nan)
    for k in range(n_classes):
        m = ok & (y == k)[:, None]  # (n, T)
        count = m.sum(axis=0)  # (T,)
        total = np.where(m[..., None], v, 0.0).sum(axis=0)  # (T, k)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[k] = np.where(count[:, None] > 0, total / count[:, None], np.nan)
    return out


# ======================================================================================
# One fresh sequence of any task, ready to draw
# ======================================================================================
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


# ======================================================================================
# Random weight guessing on the 2-sequence problem (Exp. 3)
# ======================================================================================
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
    if not isinstance(config, noise_signal.TwoSequenceConfig):
        raise ValueError(f"config must be a TwoSequenceConfig (3a, 3b, 3c); got {type(config).__name__}")
    if isinstance(n_guesses, bool) or not isinstance(n_guesses, (int, np.integer)) or n_guesses < 1:
        raise ValueError(f"n_guesses must be a positive int; got {n_guesses!r}")
    if not (isinstance(weight_range, (int, float)) and weight_range > 0):
        raise ValueError(f"weight_range must be a positive number; got {weight_range!r}")
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

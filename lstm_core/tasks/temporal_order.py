"""Experiment 6 (Sec. 5.6): temporal order of widely separated symbols.

A sequence starts with E, ends with the trigger B, and is otherwise made of fillers drawn
uniformly from {a, b, c, d}, except at two (6a) or three (6b) positions that hold X or Y
(probability 0.5 each). Its class is the order of those X/Y symbols.

* **6a**: length uniform in [100, 110]; positions t1 in [10, 20], t2 in [50, 60].
  Classes: XX -> Q, XY -> R, YX -> S, YY -> U.
* **6b**: t1 in [10, 20], t2 in [33, 43], t3 in [66, 76]. Classes: XXX -> Q, XXY -> R,
  XYX -> S, XYY -> U, YXX -> V, YXY -> A, YYX -> B, YYY -> C.

Positions count from 1 at the leading E (the paper's t); ``info["positions"]`` stores 0-based
step indices t - 1. With this count the minimal lag from the last X/Y to the end is 40 (6a)
and 24 (6b) steps, as in the paper's Table 10.

Coding: 8 input units in the order E, B, a, b, c, d, X, Y; one output unit per class in the
order listed above (the class index is the X/Y pattern read as a binary number, X = 0,
Y = 1). Target only at the last step: 1 for the sequence's class, 0 elsewhere. Correct if
every output unit's absolute error there is below 0.3.

Training stops with ST3(0.1): the 2000 most recent sequences correct and their average error
below 0.1. Learning rate 0.5 (6a), 0.1 (6b).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from lstm_core import validation as validate
from lstm_core.tasks.base import (
    SeedLike, SequenceBatch, TaskConfig, check_config, check_n, check_task, end_mask, make_rng, one_hot,
    last_step_error,
)
from lstm_core.tasks.stopping import RecentWindow, st3

__all__ = ["SYMBOLS", "N_INPUTS", "CLASS_NAMES", "LEARNING_RATES", "ERROR_BOUND", "STOP_MEAN_ERROR",
           "RECENT_WINDOW", "FINAL_TEST_SIZE", "TemporalOrderConfig", "PAPER_CONFIGS", "class_of",
           "generate", "sequence_correct", "sequence_error", "stopping_rule"]

SYMBOLS = ("E", "B", "a", "b", "c", "d", "X", "Y")  # input unit order
N_INPUTS = 8
_E, _B, _X = 0, 1, 6  # unit indices of E, B and X (Y is X + 1); fillers a..d are 2..5
CLASS_NAMES = {2: ("Q", "R", "S", "U"), 3: ("Q", "R", "S", "U", "V", "A", "B", "C")}  # output unit order
LEARNING_RATES = {"6a": 0.5, "6b": 0.1}
ERROR_BOUND = 0.3  # correct if every output's |target - output| < 0.3 at the end
STOP_MEAN_ERROR = 0.1  # ST3(0.1)
RECENT_WINDOW = 2000
FINAL_TEST_SIZE = 2560


@dataclass(frozen=True)
class TemporalOrderConfig(TaskConfig):
    """Lengths and X/Y position ranges (1-based, inclusive, counted from the leading E)."""

    length_range: tuple[int, int] = (100, 110)  # sequence length uniform in this range, inclusive
    position_ranges: tuple[tuple[int, int], ...] = ((10, 20), (50, 60))  # one (low, high) per X/Y symbol
    name: str = "6a"  # experiment label: "6a" (two symbols) or "6b" (three)

    def __post_init__(self) -> None:
        lo, hi = _pair("length_range", self.length_range)
        if not 3 <= lo <= hi:
            raise ValueError(f"length_range must satisfy 3 <= low <= high; got {self.length_range!r}")
        ranges = tuple(_pair("position_ranges entry", r) for r in self.position_ranges)
        if len(ranges) not in CLASS_NAMES:
            raise ValueError(f"position_ranges must hold 2 or 3 ranges (X/Y symbols); got {len(ranges)}")
        previous_high = 1  # position 1 is E
        for r_lo, r_hi in ranges:
            if not previous_high < r_lo <= r_hi:
                raise ValueError(f"position ranges must be increasing, disjoint and after position 1 (E); "
                                 f"got {self.position_ranges!r}")
            previous_high = r_hi
        if previous_high >= lo:
            raise ValueError(f"the last X/Y position {previous_high} must come before the final B, "
                             f"i.e. be < the minimal length {lo}")
        validate.choice("name", self.name, ("6a", "6b"))
        if len(ranges) != {"6a": 2, "6b": 3}[self.name]:
            raise ValueError(f"{self.name} has {2 if self.name == '6a' else 3} X/Y positions; "
                             f"got {len(ranges)} position ranges")
        self._store(length_range=(lo, hi), position_ranges=ranges)

    @property
    def experiment(self) -> str:
        return self.name

    @property
    def n_relevant(self) -> int:
        """Number of X/Y symbols."""
        return len(self.position_ranges)

    @property
    def n_classes(self) -> int:
        return 2 ** self.n_relevant

    n_inputs = N_INPUTS

    @property
    def n_outputs(self) -> int:
        return self.n_classes

    @property
    def class_names(self) -> tuple[str, ...]:
        return CLASS_NAMES[self.n_relevant]


def _pair(name: str, value: Any) -> tuple[int, int]:
    if (not isinstance(value, (tuple, list)) or len(value) != 2
            or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value)):
        raise ValueError(f"{name} must be a pair of ints (low, high); got {value!r}")
    return int(value[0]), int(value[1])


PAPER_CONFIGS: dict[str, TemporalOrderConfig] = {
    "6a": TemporalOrderConfig((100, 110), ((10, 20), (50, 60)), "6a"),
    "6b": TemporalOrderConfig((100, 110), ((10, 20), (33, 43), (66, 76)), "6b"),
}


def class_of(pattern: str) -> str:
    """Class name of an X/Y pattern.

    >>> class_of("XY"), class_of("YX"), class_of("XYY"), class_of("YYY")
    ('R', 'S', 'U', 'C')
    """
    if len(pattern) not in CLASS_NAMES or set(pattern) - {"X", "Y"}:
        raise ValueError(f"pattern must be 2 or 3 letters X/Y; got {pattern!r}")
    index = int(pattern.replace("X", "0").replace("Y", "1"), 2)
    return CLASS_NAMES[len(pattern)][index]


def generate(config: TemporalOrderConfig, n: int, seed: SeedLike) -> SequenceBatch:
    """``n`` random temporal-order sequences; one-hot class target at the last step only.

    ``info``: ``label`` (n,) class index, ``positions`` (n, k) 0-based steps of the X/Y
    symbols, ``xy`` (n, k) 0 for X / 1 for Y, ``symbols`` (n, T_max) input indices (-1 = padding).

    >>> batch = generate(PAPER_CONFIGS["6a"], n=1, seed=3)
    >>> batch.inputs.shape, batch.n_outputs
    ((1, 108, 8), 4)
    >>> seq = "".join(SYMBOLS[i] for i in batch.info["symbols"][0])
    >>> seq[0], seq[-1], batch.info["positions"][0].tolist(), [seq[t] for t in batch.info["positions"][0]]
    ('E', 'B', [18, 50], ['X', 'Y'])
    >>> CLASS_NAMES[2][int(batch.info["label"][0])], batch.targets[0, -1].tolist()
    ('R', [0.0, 1.0, 0.0, 0.0])
    """
    check_config(config, TemporalOrderConfig)
    n = check_n(n)
    rng = make_rng(seed)
    lo, hi = config.length_range
    lengths = rng.integers(lo, hi + 1, size=n).astype(np.int64)
    t_max = int(lengths.max())
    rows = np.arange(n)
    symbols = rng.integers(2, 6, size=(n, t_max))  # fillers a, b, c, d
    symbols[np.arange(t_max)[None, :] >= lengths[:, None]] = -1  # padding
    symbols[:, 0] = _E
    symbols[rows, lengths - 1] = _B
    positions = np.stack([rng.integers(r_lo, r_hi + 1, size=n) - 1 for r_lo, r_hi in config.position_ranges], axis=1)
    xy = rng.integers(0, 2, size=(n, config.n_relevant))  # 0: X, 1: Y
    for j in range(config.n_relevant):
        symbols[rows, positions[:, j]] = _X + xy[:, j]
    label = xy @ (2 ** np.arange(config.n_relevant)[::-1])  # binary, first symbol most significant
    targets = np.zeros((n, t_max, config.n_classes), dtype=np.float32)
    targets[rows, lengths - 1, label] = 1.0
    return SequenceBatch(
        inputs=one_hot(symbols, N_INPUTS),
        targets=targets,
        target_mask=end_mask(lengths, t_max),
        lengths=lengths,
        info={"label": label.astype(np.int64), "positions": positions.astype(np.int64),
              "xy": xy.astype(np.int64), "symbols": symbols.astype(np.int64)},
        task=config.name,
    )


def sequence_error(outputs: Any, batch: SequenceBatch, kind: str = "absolute") -> np.ndarray:
    """(n,) error at the last step: mean over output units of |t_k - y_k| (default, used by ST3).

    ``kind="squared"``: sum_k (t_k - y_k)^2; ``"max_abs"``: max_k |t_k - y_k|.
    """
    check_task(batch, "6a", "6b")
    return last_step_error(outputs, batch, kind)


def sequence_correct(outputs: Any, batch: SequenceBatch) -> np.ndarray:
    """(n,) bool: every output unit within 0.3 of its target at the last step.

    >>> batch = generate(PAPER_CONFIGS["6a"], n=1, seed=0)
    >>> out = np.zeros((1, batch.T_max, 4)); out[0, -1] = [0.1, 0.2, 0.75, 0.25]   # class S
    >>> sequence_correct(out, batch).tolist()
    [True]
    >>> out[0, -1] = [0.1, 0.35, 0.75, 0.25]    # R's unit 0.35 away from 0
    >>> sequence_correct(out, batch).tolist()
    [False]
    """
    return sequence_error(outputs, batch, "max_abs") < ERROR_BOUND


def stopping_rule(config: TemporalOrderConfig) -> RecentWindow:
    """ST3(0.1): feed ``update(sequence_correct(out, b), sequence_error(out, b))`` per training sequence."""
    check_config(config, TemporalOrderConfig)
    return st3(STOP_MEAN_ERROR, window=RECENT_WINDOW)

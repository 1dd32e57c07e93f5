"""What every task shares: the padded batch, output checks, error measures and stopping rules.

A task generator returns a :class:`SequenceBatch`: ``n`` sequences of different lengths,
stacked and zero-padded to the longest one. One legend for all shapes:

==================  ==========================  ==============================================
field               shape                       holds
==================  ==========================  ==============================================
``inputs``          (n, T_max, n_in) float32    input vectors; zero after each sequence's end
``targets``         (n, T_max, n_out) float32   teacher signals; meaningful where the mask is on
``target_mask``     (n, T_max) bool             steps where the paper injects error
``lengths``         (n,) int64                  number of steps of each sequence
``info``            dict of arrays              task extras: labels, marker positions, ...
``task``            str                         which experiment made the batch ("adding", "3c")
==================  ==========================  ==============================================

For the tasks whose error comes only at the sequence end (2c, 3, 4, 5, 6), the mask is on
at step ``lengths - 1`` only. For next-symbol prediction (Reber, 2a, 2b) it is on at every step.

Network outputs are passed to the criteria as an array of shape (n, T_max, n_out); a torch
tensor works too (it is detached and copied to numpy).

Stopping rules
--------------
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
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence, Union

import numpy as np

__all__ = [
    "SeedLike",
    "ERROR_KINDS",
    "SequenceBatch",
    "make_rng",
    "check_n",
    "one_hot",
    "end_mask",
    "step_mask",
    "pad_sequences",
    "concat_batches",
    "stack_trial_batches",
    "to_numpy",
    "check_outputs",
    "last_step_outputs",
    "last_step_targets",
    "last_step_error",
    "reduce_error",
    "StoppingRule",
    "SuccessiveCorrect",
    "RecentWindow",
    "TestSetRule",
    "st3",
]

SeedLike = Union[int, np.random.Generator]

#: How a vector of output errors e_k = t_k - y_k becomes one number:
#: "absolute" = mean_k |e_k|, "squared" = sum_k e_k^2 (the paper's E(t)), "max_abs" = max_k |e_k|.
ERROR_KINDS = ("absolute", "squared", "max_abs")


# ---------------------------------------------------------------------------
# The batch
# ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SequenceBatch:
    """``n`` zero-padded sequences with their targets (see the module docstring for shapes).

    >>> batch = pad_sequences([np.ones((2, 1)), np.ones((3, 1))],
    ...                       [np.zeros((2, 1)), np.ones((3, 1))],
    ...                       [np.array([False, True]), np.array([False, False, True])])
    >>> batch.n, batch.T_max, batch.n_inputs, batch.n_outputs, batch.lengths.tolist()
    (2, 3, 1, 1, [2, 3])
    >>> batch.inputs[0, :, 0].tolist()   # zero after the first sequence's 2 steps
    [1.0, 1.0, 0.0]
    """

    inputs: np.ndarray  # (n, T_max, n_in) float32, zero after each sequence's length
    targets: np.ndarray  # (n, T_max, n_out) float32, meaningful only where target_mask is True
    target_mask: np.ndarray  # (n, T_max) bool, the steps where the paper injects error
    lengths: np.ndarray  # (n,) int64, steps per sequence, 1 <= length <= T_max
    info: Mapping[str, np.ndarray] = field(default_factory=dict)  # task extras, first axis n
    task: str = ""  # experiment name of the generator ("reber", "2a", ..., "6b"); "" if unknown

    def __post_init__(self) -> None:
        inputs = np.asarray(self.inputs, dtype=np.float32)
        targets = np.asarray(self.targets, dtype=np.float32)
        mask = np.asarray(self.target_mask)
        lengths = np.asarray(self.lengths)
        if inputs.ndim != 3 or targets.ndim != 3:
            raise ValueError(f"inputs and targets must be 3-d (n, T_max, features); "
                             f"got shapes {inputs.shape} and {targets.shape}")
        n, t_max = inputs.shape[:2]
        if targets.shape[:2] != (n, t_max):
            raise ValueError(f"targets shape {targets.shape} does not match inputs shape {inputs.shape} "
                             f"in the first two axes (n, T_max)")
        if mask.shape != (n, t_max) or mask.dtype != np.bool_:
            raise ValueError(f"target_mask must be a bool array of shape {(n, t_max)}; "
                             f"got {mask.dtype} {mask.shape}")
        if lengths.shape != (n,) or not np.issubdtype(lengths.dtype, np.integer):
            raise ValueError(f"lengths must be an int array of shape {(n,)}; got {lengths.dtype} {lengths.shape}")
        if n and (lengths.min() < 1 or lengths.max() > t_max):
            raise ValueError(f"lengths must lie in [1, T_max={t_max}]; got {lengths.min()}..{lengths.max()}")
        beyond = ~step_mask(lengths, t_max)
        if np.any(mask & beyond):
            raise ValueError("target_mask is on at a step after a sequence's length")
        placeholder = inputs.size and 0 in inputs.strides and not inputs.any()  # dense=False: no data to check
        if not placeholder and np.any(inputs[beyond] != 0):
            raise ValueError("inputs must be zero after each sequence's length (zero padding)")
        for key, value in self.info.items():
            if np.shape(value)[:1] != (n,):
                raise ValueError(f"info[{key!r}] must have first axis n={n}; got shape {np.shape(value)}")
        object.__setattr__(self, "inputs", inputs)
        object.__setattr__(self, "targets", targets)
        object.__setattr__(self, "target_mask", mask)
        object.__setattr__(self, "lengths", lengths.astype(np.int64))
        object.__setattr__(self, "info", dict(self.info))

    @property
    def n(self) -> int:
        """Number of sequences."""
        return int(self.inputs.shape[0])

    @property
    def T_max(self) -> int:
        """Padded length (the longest sequence)."""
        return int(self.inputs.shape[1])

    @property
    def n_inputs(self) -> int:
        """Input units per step."""
        return int(self.inputs.shape[2])

    @property
    def n_outputs(self) -> int:
        """Output units per step."""
        return int(self.targets.shape[2])

    def __len__(self) -> int:
        return self.n

    def sequence(self, i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Sequence ``i`` without padding: inputs (L, n_in), targets (L, n_out), mask (L,)."""
        if not -self.n <= i < self.n:
            raise ValueError(f"sequence index {i} out of range for a batch of {self.n}")
        length = int(self.lengths[i])
        return self.inputs[i, :length], self.targets[i, :length], self.target_mask[i, :length]

    def select(self, indices: Sequence[int] | np.ndarray) -> SequenceBatch:
        """The sub-batch of the given sequences, re-padded to its own longest sequence."""
        idx = np.asarray(indices, dtype=np.int64).reshape(-1)
        if idx.size == 0:
            raise ValueError("select needs at least one index")
        if idx.min() < -self.n or idx.max() >= self.n:
            raise ValueError(f"indices must lie in [-{self.n}, {self.n}); got {idx.min()}..{idx.max()}")
        t_max = int(self.lengths[idx].max())
        return SequenceBatch(
            inputs=self.inputs[idx, :t_max],
            targets=self.targets[idx, :t_max],
            target_mask=self.target_mask[idx, :t_max],
            lengths=self.lengths[idx],
            info={k: _select_info(v, idx, self.T_max, t_max) for k, v in self.info.items()},
            task=self.task,
        )

    def equals(self, other: SequenceBatch) -> bool:
        """True if both batches hold identical arrays (used to check determinism per seed)."""
        if not isinstance(other, SequenceBatch) or self.task != other.task:
            return False
        if set(self.info) != set(other.info):
            return False
        pairs = [(self.inputs, other.inputs), (self.targets, other.targets),
                 (self.target_mask, other.target_mask), (self.lengths, other.lengths)]
        pairs += [(self.info[k], other.info[k]) for k in self.info]
        return all(np.shape(a) == np.shape(b) and np.array_equal(a, b) for a, b in pairs)


def _select_info(value: np.ndarray, idx: np.ndarray, old_t_max: int, new_t_max: int) -> np.ndarray:
    """Pick rows of an info array; arrays with a time axis (second axis T_max) are trimmed too."""
    picked = np.asarray(value)[idx]
    if picked.ndim >= 2 and np.shape(value)[1] == old_t_max:
        picked = picked[:, :new_t_max]
    return picked


# ---------------------------------------------------------------------------
# Building batches
# ---------------------------------------------------------------------------


def make_rng(seed: SeedLike) -> np.random.Generator:
    """A numpy Generator from an int seed (>= 0), or the Generator itself (its state advances)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, (bool, np.bool_)) and seed >= 0:
        return np.random.default_rng(int(seed))
    raise ValueError(f"seed must be a non-negative int or a numpy.random.Generator; got {seed!r}")


def check_n(n: int) -> int:
    """Validate a number of sequences (a positive int)."""
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n (number of sequences) must be a positive int; got {n!r}")
    return int(n)


def one_hot(indices: np.ndarray, depth: int) -> np.ndarray:
    """Local (one-hot) code of integer symbols as float32; index -1 (padding) gives a zero vector.

    >>> one_hot(np.array([2, -1, 0]), 3).tolist()
    [[0.0, 0.0, 1.0], [0.0, 0.0, 0.0], [1.0, 0.0, 0.0]]
    """
    idx = np.asarray(indices)
    if idx.size and (idx.min() < -1 or idx.max() >= depth):
        raise ValueError(f"symbol indices must lie in [-1, {depth}); got {idx.min()}..{idx.max()}")
    code = np.zeros(idx.shape + (depth,), dtype=np.float32)
    present = idx >= 0
    code[present, idx[present]] = 1.0
    return code


def step_mask(lengths: np.ndarray, t_max: int) -> np.ndarray:
    """(n, t_max) bool: True at the steps each sequence has (t < length)."""
    return np.arange(t_max)[None, :] < np.asarray(lengths)[:, None]


def end_mask(lengths: np.ndarray, t_max: int) -> np.ndarray:
    """(n, t_max) bool: True only at each sequence's last step (t = length - 1)."""
    return np.arange(t_max)[None, :] == (np.asarray(lengths)[:, None] - 1)


def pad_sequences(
    inputs: Sequence[np.ndarray],
    targets: Sequence[np.ndarray],
    target_masks: Sequence[np.ndarray],
    info: Mapping[str, np.ndarray] | None = None,
    task: str = "",
) -> SequenceBatch:
    """Stack sequences of different lengths into one zero-padded :class:`SequenceBatch`.

    ``inputs[i]`` is (L_i, n_in), ``targets[i]`` is (L_i, n_out), ``target_masks[i]`` is (L_i,).
    """
    if not (len(inputs) == len(targets) == len(target_masks)) or len(inputs) == 0:
        raise ValueError(f"need the same positive number of inputs, targets and masks; "
                         f"got {len(inputs)}, {len(targets)}, {len(target_masks)}")
    lengths = np.array([len(x) for x in inputs], dtype=np.int64)
    n_in = np.shape(inputs[0])[1]
    n_out = np.shape(targets[0])[1]
    n, t_max = len(inputs), int(lengths.max())
    x = np.zeros((n, t_max, n_in), dtype=np.float32)
    y = np.zeros((n, t_max, n_out), dtype=np.float32)
    m = np.zeros((n, t_max), dtype=bool)
    for i, (xi, yi, mi) in enumerate(zip(inputs, targets, target_masks)):
        length = lengths[i]
        if np.shape(xi) != (length, n_in) or np.shape(yi) != (length, n_out) or np.shape(mi) != (length,):
            raise ValueError(f"sequence {i}: expected shapes ({length}, {n_in}), ({length}, {n_out}), "
                             f"({length},); got {np.shape(xi)}, {np.shape(yi)}, {np.shape(mi)}")
        x[i, :length], y[i, :length], m[i, :length] = xi, yi, mi
    return SequenceBatch(x, y, m, lengths, dict(info or {}), task)


def concat_batches(a: SequenceBatch, b: SequenceBatch) -> SequenceBatch:
    """The sequences of ``a`` followed by those of ``b``, padded to the longer of the two.

    Info arrays present in both are concatenated (time-axis arrays padded like the inputs).

    >>> x = pad_sequences([np.ones((2, 1))], [np.ones((2, 1))], [np.array([False, True])])
    >>> y = pad_sequences([np.ones((3, 1))], [np.ones((3, 1))], [np.array([False, False, True])])
    >>> both = concat_batches(x, y)
    >>> both.n, both.T_max, both.lengths.tolist()
    (2, 3, [2, 3])
    """
    if (a.n_inputs, a.n_outputs) != (b.n_inputs, b.n_outputs):
        raise ValueError(f"batches differ in units: {(a.n_inputs, a.n_outputs)} vs {(b.n_inputs, b.n_outputs)}")
    t_max = max(a.T_max, b.T_max)

    def pad(arr: np.ndarray, own_t: int) -> np.ndarray:
        arr = np.asarray(arr)
        if arr.ndim >= 2 and arr.shape[1] == own_t:
            fill = -1 if np.issubdtype(arr.dtype, np.integer) else 0
            return np.pad(arr, [(0, 0), (0, t_max - own_t)] + [(0, 0)] * (arr.ndim - 2), constant_values=fill)
        return arr

    info = {k: np.concatenate([pad(a.info[k], a.T_max), pad(b.info[k], b.T_max)]) for k in a.info if k in b.info}
    return SequenceBatch(np.concatenate([pad(a.inputs, a.T_max), pad(b.inputs, b.T_max)]),
                         np.concatenate([pad(a.targets, a.T_max), pad(b.targets, b.T_max)]),
                         np.concatenate([pad(a.target_mask, a.T_max), pad(b.target_mask, b.T_max)]),
                         np.concatenate([a.lengths, b.lengths]), info, a.task)


def stack_trial_batches(batches: Sequence[SequenceBatch | None], n_inputs: int, n_outputs: int,
                        skip: Sequence[bool] | None = None):
    """Per-trial batches (None = no batch for that trial) as dense float64 arrays with a trial axis.

    Returns ``(inputs (K, n, T, n_in), targets (K, n, T, n_out), masks (K, n, T), lengths (K, n),
    active)`` where ``active`` lists the trials that have a batch (and are not in ``skip``).
    Every batch must hold the same number n of sequences; T is the longest T_max.
    """
    K = len(batches)
    given = [b for b in batches if b is not None]
    if not given:
        raise ValueError("every batch is None: nothing to train")
    n = given[0].n
    if any(b.n != n for b in given):
        raise ValueError(f"every batch must hold the same number of sequences; got {[b.n for b in given]}")
    T = max(b.T_max for b in given)
    X = np.zeros((K, n, T, n_inputs))
    targets = np.zeros((K, n, T, n_outputs))
    masks = np.zeros((K, n, T), np.bool_)
    lengths = np.ones((K, n), np.int64)
    active = []
    for k, b in enumerate(batches):
        if b is None or (skip is not None and skip[k]):
            continue
        if (b.n_inputs, b.n_outputs) != (n_inputs, n_outputs):
            raise ValueError(f"batch {k} has {b.n_inputs} inputs / {b.n_outputs} outputs; "
                             f"the network has {n_inputs} / {n_outputs}")
        X[k, :, :b.T_max], targets[k, :, :b.T_max], masks[k, :, :b.T_max] = b.inputs, b.targets, b.target_mask
        lengths[k] = b.lengths
        active.append(k)
    return X, targets, masks, lengths, np.array(active, np.int64)


# ---------------------------------------------------------------------------
# Reading network outputs
# ---------------------------------------------------------------------------


def to_numpy(values: Any) -> np.ndarray:
    """numpy copy of an array-like; torch tensors are detached and moved to the CPU first."""
    if hasattr(values, "detach"):
        values = values.detach()
        if hasattr(values, "cpu"):
            values = values.cpu()
        values = values.numpy()
    return np.asarray(values)


def check_outputs(outputs: Any, batch: SequenceBatch) -> np.ndarray:
    """Network outputs as float64 (n, T_max, n_out), after checking their shape against ``batch``.

    Outputs may be longer than T_max in time (extra steps are dropped), never shorter than the
    longest sequence.
    """
    out = to_numpy(outputs).astype(np.float64, copy=False)
    if out.ndim != 3 or out.shape[0] != batch.n or out.shape[2] != batch.n_outputs:
        raise ValueError(f"outputs must have shape (n={batch.n}, T_max={batch.T_max}, "
                         f"n_out={batch.n_outputs}); got {out.shape}")
    if out.shape[1] < batch.T_max:
        raise ValueError(f"outputs cover {out.shape[1]} steps but the longest sequence has {batch.T_max}")
    return out[:, : batch.T_max]


def last_step_outputs(outputs: Any, batch: SequenceBatch) -> np.ndarray:
    """(n, n_out): each sequence's output at its own last step ``lengths - 1``."""
    out = check_outputs(outputs, batch)
    return out[np.arange(batch.n), batch.lengths - 1]


def last_step_targets(batch: SequenceBatch) -> np.ndarray:
    """(n, n_out) float64: each sequence's target at its own last step."""
    return batch.targets[np.arange(batch.n), batch.lengths - 1].astype(np.float64)


def last_step_error(outputs: Any, batch: SequenceBatch, kind: str) -> np.ndarray:
    """(n,) each sequence's error at its own last step, reduced over the outputs by ``kind``."""
    return reduce_error(last_step_targets(batch) - last_step_outputs(outputs, batch), kind)


def reduce_error(diff: np.ndarray, kind: str) -> np.ndarray:
    """Reduce errors e_k = t_k - y_k over the last axis (the output units); see :data:`ERROR_KINDS`.

    >>> reduce_error(np.array([0.1, -0.3]), "absolute").round(3).item()
    0.2
    >>> reduce_error(np.array([0.1, -0.3]), "squared").round(3).item()
    0.1
    >>> reduce_error(np.array([0.1, -0.3]), "max_abs").round(3).item()
    0.3
    """
    if kind == "absolute":
        return np.abs(diff).mean(axis=-1)
    if kind == "squared":
        return np.square(diff).sum(axis=-1)
    if kind == "max_abs":
        return np.abs(diff).max(axis=-1)
    raise ValueError(f"error kind {kind!r} is unknown; expected one of {ERROR_KINDS}")


# ---------------------------------------------------------------------------
# Stopping rules
# ---------------------------------------------------------------------------


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
        if isinstance(window, bool) or not isinstance(window, (int, np.integer)) or window < 1:
            raise ValueError(f"window must be a positive int; got {window!r}")
        self.window = int(window)  # how many successive correct sequences are required
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
        if isinstance(window, bool) or not isinstance(window, (int, np.integer)) or window < 1:
            raise ValueError(f"window must be a positive int; got {window!r}")
        if isinstance(max_wrong, bool) or not isinstance(max_wrong, (int, np.integer)) or not 0 <= max_wrong < window:
            raise ValueError(f"max_wrong must be an int in [0, window={window}); got {max_wrong!r}")
        if mean_error_below is not None and not mean_error_below > 0:
            raise ValueError(f"mean_error_below must be positive or None; got {mean_error_below!r}")
        self.window = int(window)  # how many recent sequences are judged
        self.max_wrong = int(max_wrong)  # wrong sequences allowed among them
        self.mean_error_below = mean_error_below  # their mean error must be below this (None: no bound)
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
        if isinstance(max_wrong, bool) or not isinstance(max_wrong, (int, np.integer)) or max_wrong < 0:
            raise ValueError(f"max_wrong must be a non-negative int; got {max_wrong!r}")
        if mean_error_below is not None and not mean_error_below > 0:
            raise ValueError(f"mean_error_below must be positive or None; got {mean_error_below!r}")
        if test_set_size is not None and (not isinstance(test_set_size, (int, np.integer)) or test_set_size < 1):
            raise ValueError(f"test_set_size must be a positive int or None; got {test_set_size!r}")
        self.max_wrong = int(max_wrong)  # wrong test sequences allowed
        self.mean_error_below = mean_error_below  # mean test error must be below this (None: no bound)
        self.test_set_size = test_set_size  # if set, every check must have exactly this many sequences
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

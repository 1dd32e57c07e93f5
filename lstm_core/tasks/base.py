"""What every task shares: the padded batch, its building blocks, output checks and error measures.

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

The stopping rules are in :mod:`lstm_core.tasks.stopping`; :class:`TaskConfig` and the two
checks below hold what the task modules' configs and criteria share.
"""


from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Mapping, Sequence, Union

import numpy as np

from lstm_core import validation as validate

__all__ = ["SeedLike", "ERROR_KINDS", "SequenceBatch", "make_rng", "check_n", "one_hot", "end_mask",
           "step_mask", "pad_sequences", "concat_batches", "stack_trial_batches", "to_numpy",
           "check_outputs", "last_step_outputs", "last_step_targets", "last_step_error", "reduce_error",
           "TaskConfig", "check_config", "check_task"]

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
    return validate.positive_int("n (number of sequences)", n)


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
# What the task modules share
# ---------------------------------------------------------------------------


class TaskConfig:
    """Base of every task's frozen config dataclass: its experiment name and unit counts.

    A subclass sets ``experiment``, ``n_inputs`` and ``n_outputs`` as class attributes (no
    annotation, so they are not dataclass fields), or as properties where they depend on a
    field (``Task2aConfig.n_inputs`` is ``p + 1``). ``_store`` keeps checked field values
    (``np.int64(100)`` becomes ``100``) in the frozen instance.
    """

    experiment: ClassVar[str]  # registry name: "adding", "2c", "6a", ...
    n_inputs: ClassVar[int]  # input units
    n_outputs: ClassVar[int]  # output units

    def _store(self, **values: Any) -> None:
        for name, value in values.items():
            object.__setattr__(self, name, value)


def check_config(config: Any, *classes: type) -> Any:
    """``config`` if it is an instance of one of ``classes``; else an error naming them."""
    return validate.instance("config", config, *classes)


def check_task(batch: SequenceBatch, *tasks: str, needs: str = "", source: str = "") -> str:
    """The batch's task if it is one of ``tasks`` (and its ``info`` has ``needs``); else a ValueError.

    Each task module's criteria call this, so outputs of one experiment are never judged
    by another's rule. ``source`` says where a right batch comes from.
    """
    if batch.task not in tasks or (needs and needs not in batch.info):
        listed = ", ".join(tasks[:-1]) + " or " + tasks[-1] if len(tasks) > 1 else repr(tasks[0])
        where = f" (from {source})" if source else ""
        raise ValueError(f"expected a batch of task {listed}{where}; got task {batch.task!r}")
    return batch.task

"""A batch's inputs as the nonzero entries of each step: what the 1997 kernels read.

Inputs that are local (one-hot) codes make z(t) = [x(t), y(t-1), 1] mostly zeros (experiment
2c with p = 1000 has 1004 input units). The inputs of a batch are therefore turned once, in
numpy, into a list of the nonzero (index, value) entries of each step (:class:`SparseSteps`),
and the kernels touch only those. Keeping the zeros (``keep_zeros=True``) gives bit-for-bit
the same numbers, only slower.

:func:`steps_of` is what the engines call: a batch whose inputs are a zero-stride placeholder
(``long_lag.generate(..., dense=False)``) is read from its ``info["symbols"]``, any other batch
from its inputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np

from lstm_core.tasks.base import SequenceBatch, step_mask

__all__ = ["SparseSteps", "sparse_steps", "steps_of", "concat_steps", "dense_inputs"]


@dataclass(frozen=True, eq=False)
class SparseSteps:
    """Inputs of ``n`` sequences as the entries of each step (compressed rows over steps).

    Step t of sequence i is row ``step0[i] + t``; its entries are ``idx[ptr[r]:ptr[r+1]]``
    (input units) and ``val[...]`` (their values). Padding steps have no entries.
    """

    ptr: np.ndarray  # (n_rows + 1,) int64, start of each step's entries
    idx: np.ndarray  # (nnz,) int64, input unit of each entry
    val: np.ndarray  # (nnz,) float64, its value
    step0: np.ndarray  # (n,) int64, row of each sequence's first step
    n_inputs: int  # input units (every idx is below this)

    def __post_init__(self) -> None:
        for name, dtype in (("ptr", np.int64), ("idx", np.int64), ("val", np.float64), ("step0", np.int64)):
            arr = np.ascontiguousarray(getattr(self, name), dtype=dtype)  # one compiled signature
            if arr.ndim != 1:
                raise ValueError(f"{name} must be 1-d; got shape {arr.shape}")
            object.__setattr__(self, name, arr)
        if self.idx.size != self.val.size:
            raise ValueError(f"idx and val must have the same length; got {self.idx.size} and {self.val.size}")

    @classmethod
    def from_symbols(cls, symbols: np.ndarray, lengths: np.ndarray, n_inputs: int) -> SparseSteps:
        """One-hot inputs straight from symbol indices (n, T_max) (-1 = padding), e.g. ``info["symbols"]``.

        Equals ``sparse_steps`` of the one-hot inputs, without building them.
        """
        sym = np.asarray(symbols, dtype=np.int64)
        if sym.ndim != 2:
            raise ValueError(f"symbols must have shape (n, T_max); got {sym.shape}")
        if sym.size and (sym.min() < -1 or sym.max() >= n_inputs):
            raise ValueError(f"symbols must lie in [-1, {n_inputs}); got {sym.min()}..{sym.max()}")
        present = (sym >= 0) & step_mask(np.asarray(lengths), sym.shape[1])
        counts = present.reshape(-1).astype(np.int64)
        ptr = np.zeros(counts.size + 1, np.int64)
        np.cumsum(counts, out=ptr[1:])
        idx = sym.reshape(-1)[present.reshape(-1)]
        return cls(ptr, idx, np.ones(idx.size), np.arange(sym.shape[0], dtype=np.int64) * sym.shape[1],
                   int(n_inputs))


def sparse_steps(inputs: np.ndarray, lengths: np.ndarray, keep_zeros: bool = False) -> SparseSteps:
    """(n, T_max, n_in) inputs -> :class:`SparseSteps`; ``keep_zeros`` keeps every unit (dense work)."""
    x = np.asarray(inputs)
    if x.ndim != 3:
        raise ValueError(f"inputs must have shape (n, T_max, n_in); got {x.shape}")
    n, t_max, n_in = x.shape
    inside = step_mask(np.asarray(lengths), t_max)  # (n, T_max)
    keep = np.broadcast_to(inside[..., None], x.shape) if keep_zeros else (x != 0) & inside[..., None]
    flat = keep.reshape(n * t_max, n_in)
    counts = flat.sum(axis=1, dtype=np.int64)
    ptr = np.zeros(n * t_max + 1, np.int64)
    np.cumsum(counts, out=ptr[1:])
    rows, cols = np.nonzero(flat)  # row-major: entries of each step in unit order
    val = x.reshape(n * t_max, n_in)[rows, cols].astype(np.float64)
    return SparseSteps(ptr, cols.astype(np.int64), val, np.arange(n, dtype=np.int64) * t_max, n_in)


def concat_steps(parts: Sequence[SparseSteps]) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[np.ndarray]]:
    """Join several SparseSteps into one (ptr, idx, val) and shifted step0 arrays."""
    ptrs, row_off, nnz_off, step0s = [], 0, 0, []
    for p in parts:
        ptrs.append(p.ptr[:-1] + nnz_off)
        step0s.append(p.step0 + row_off)
        row_off += p.ptr.size - 1
        nnz_off += int(p.ptr[-1])
    ptr = np.concatenate(ptrs + [np.array([nnz_off], np.int64)])
    idx = np.concatenate([p.idx for p in parts])
    val = np.concatenate([p.val for p in parts])
    return ptr, idx, val, step0s




def steps_of(batch: SequenceBatch, sparse: bool = True, steps: Optional[SparseSteps] = None) -> SparseSteps:
    """The batch's inputs as SparseSteps: ``steps`` if given (checked against the batch), else built.

    Built from ``info["symbols"]`` when ``batch.inputs`` is a zero-stride placeholder, else from
    ``batch.inputs`` (``sparse=False`` keeps every unit: the same numbers, dense work). Given
    ``steps``, ``batch.inputs`` is not read at all.
    """
    if steps is None:
        if batch.inputs.strides[0] == 0 and "symbols" in batch.info and batch.n > 0:
            return SparseSteps.from_symbols(batch.info["symbols"], batch.lengths, batch.n_inputs)
        if not np.isfinite(batch.inputs).all():
            raise ValueError("the batch's inputs contain NaN or inf")
        return sparse_steps(batch.inputs, batch.lengths, keep_zeros=not sparse)
    if not isinstance(steps, SparseSteps):
        raise ValueError(f"steps must be a SparseSteps or None; got {type(steps).__name__}")
    if not np.isfinite(steps.val).all():
        raise ValueError("steps.val contains NaN or inf")
    if steps.step0.shape != (batch.n,) or steps.n_inputs != batch.n_inputs:
        raise ValueError(f"steps describe {steps.step0.shape[0]} sequences of {steps.n_inputs} inputs; "
                         f"the batch has {batch.n} of {batch.n_inputs}")
    # the kernels index without bounds checks: every row and unit they read must exist
    if steps.step0.min() < 0 or np.any(steps.step0 + batch.lengths > steps.ptr.size - 1):
        raise ValueError(f"steps has {steps.ptr.size - 1} step rows, too few for these sequence lengths")
    if steps.ptr[0] != 0 or np.any(np.diff(steps.ptr) < 0) or steps.ptr[-1] != steps.idx.size:
        raise ValueError("steps.ptr must rise from 0 to the number of entries")
    if steps.idx.size and (steps.idx.min() < 0 or steps.idx.max() >= batch.n_inputs):
        raise ValueError(f"steps.idx must lie in [0, {batch.n_inputs})")
    return steps


def dense_inputs(batch: SequenceBatch) -> SequenceBatch:
    """``batch`` with real one-hot inputs if they are a zero-stride placeholder (engines that read x densely)."""
    if batch.inputs.strides[0] == 0 and "symbols" in batch.info and batch.n > 0:
        sym = np.asarray(batch.info["symbols"])
        onehot = np.zeros(batch.inputs.shape, np.float32)
        i, t = np.nonzero((sym >= 0) & step_mask(batch.lengths, sym.shape[1]))
        onehot[i, t, sym[i, t]] = 1.0
        return SequenceBatch(onehot, batch.targets, batch.target_mask, batch.lengths, batch.info, batch.task)
    return batch

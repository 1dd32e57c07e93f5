"""A fast training path for the 1997 network with the scissors on (numba, float64).

Why it can be fast
------------------
With the paper's truncation (App. A.1, the "scissors") the derivatives of net_in, net_out and
net_c with respect to the previous activations y(t-1) are set to zero, and the 1997 cell has
no forget gate. Error can then travel back in time along one path only: the cell state s_c,
whose step-to-step derivative d s_c(t) / d s_c(t-1) is exactly 1 (the Constant Error Carousel).
Backpropagation through time therefore collapses into a *reverse running sum*.

Take the loss of one sequence, L = 1/2 sum_t sum_k (y^k(t) - t^k(t))^2 over the steps where
the mask is on (the paper's E with its factor 2 moved into the learning rate alpha), and let
z(t) = [x(t), y(t-1), 1] be what every hidden unit reads at step t. Then

    e_s(t)         = dL_t / dy^c(t) * y^out_j(t) * h'(s_c(t))             local error of cell c
    dL / ds_c(t)   = sum_{tau >= t} e_s(tau)                              the CEC: a reverse cumsum
    output unit k  : delta_k(t)   = (y^k(t) - t^k(t)) f'(net_k(t))        masked steps only
                     dW_k        += delta_k(t) [y^c(t), 1]
    output gate j  : delta_out(t) = f'(net_out_j) sum_{c in j} dL_t/dy^c(t) h(s_c(t))   (eq. 21)
    input gate j   : delta_in(t)  = f'(net_in_j) sum_{c in j} dL/ds_c(t) g(net_c(t))     (eq. 25)
    cell c         : delta_c(t)   = dL/ds_c(t) y^in_j(t) g'(net_c(t))                    (eq. 27)
                     dW_u        += delta_u(t) z(t)   for every hidden unit u

Equations 25 and 27 are the paper's forward (RTRL) traces; summing them against the local
errors is the same as the reverse sum above, which needs no traces. One forward pass stores a
few numbers per step, one backward pass turns them into the deltas, and each delta adds one
outer product with z(t). The cost per step is about two passes over the weights; there is no
Python, no autograd graph and no per-step allocation. Absent output gates make y^out = 1.

Inputs that are local (one-hot) codes make z(t) mostly zeros (experiment 2c with p = 1000 has
1004 input units). The inputs of a batch are therefore turned once, in numpy, into a list of
the nonzero (index, value) entries of each step (:class:`SparseSteps`), and the kernels touch
only those. Keeping the zeros (``sparse=False``) gives bit-for-bit the same numbers, only slower.

What lives where
----------------

============================  ================================================================
name                          what
============================  ================================================================
:func:`supports`              can this model take the fast path? (and if not, why)
:class:`FastParams`           float64 copy of an ``LSTM1997``'s weights (``from_model``,
                              ``to_model``, ``named``)
:class:`StackedParams`        many independent trials' weights with a leading trial axis
:class:`SparseSteps`          a batch's inputs as nonzero entries per step (``sparse_steps``,
                              ``SparseSteps.from_symbols``)
:func:`sequence_gradients`    outputs, loss and truncated gradient of one sequence, keyed like
                              ``model.named_parameters()``
:func:`minibatch_gradients`   the same summed over a batch (parallel over sequences)
:func:`train_online`          the paper's protocol: one sequence, one SGD update, in order
:func:`train_online_trials`   the same for many trials at once (parallel over trials)
:func:`train_minibatch`       ours, not the paper's: SGD on the mean gradient of minibatches
:func:`compile_kernels`       compile (or load from numba's cache) the kernels; returns seconds
============================  ================================================================

Parallel work uses numba's threads (``numba.set_num_threads``); every parallel function also
takes ``threads=`` to use fewer. Importing this module selects numba's "workqueue" threading
layer (unless one is chosen already): the "omp" layer shares OpenMP with torch and slowed
torch down about tenfold after our kernels had run. The kernels are compiled once per machine and cached
(``cache=True``), each for a single signature (float64 arrays, int64 indices).

Weight layout (ours): all hidden units sit in one matrix ``W`` (H, n_in + H + 1) whose rows are
ordered like the hidden activations ``[cells (C), input gates (B), output gates (B)]`` and
whose columns are z = [x, y(t-1), 1]; the last column is the bias. Output units sit in ``Wk``
(n_out, C + 1), bias last. Groups without a bias keep a bias column of exact zeros that is
never updated.

Divergence: before any weight is written, the loss and every delta of the sequence are
checked. If one is not finite, the trial stops with its weights as they were before that
sequence: :func:`train_online` raises ``ValueError``, :func:`train_online_trials` records the
sequence in ``StackedParams.diverged_at`` and skips the trial from then on.
"""

from __future__ import annotations

import contextlib
import math
import os
import time
from dataclasses import dataclass
from typing import Any, Optional, Sequence, Union

import numba
import numpy as np
import torch
from numba import njit, prange

from lstm_core.model.networks import LSTM1997
from lstm_core.tasks.base import SequenceBatch, step_mask

__all__ = [
    "supports",
    "FastLayout",
    "FastParams",
    "StackedParams",
    "from_model",
    "to_model",
    "SparseSteps",
    "sparse_steps",
    "sequence_gradients",
    "minibatch_gradients",
    "train_online",
    "train_online_trials",
    "train_minibatch",
    "compile_kernels",
]

# numba's "omp" threading layer shares the OpenMP runtime with torch: after one parallel kernel
# here, torch's thread count had changed and its small ops ran about 10x slower (measured on 2
# cores). The "workqueue" layer keeps numba's threads apart. It takes effect if no parallel numba
# code has run yet in the process; an explicit NUMBA_THREADING_LAYER setting wins.
if "NUMBA_THREADING_LAYER" not in os.environ and numba.config.THREADING_LAYER == "default":
    numba.config.THREADING_LAYER = "workqueue"

#: Squashers the kernels know, by the names of ``activations.ACTIVATIONS``.
_SQUASH_CODES = {"sigmoid": 0, "g": 1, "h": 2, "identity": 3, "tanh": 4}
_OUTPUT_ACTIVATIONS = ("sigmoid", "identity")

ModelOrParams = Union[LSTM1997, "FastParams"]


# ======================================================================================
# Which models, and their weights as numpy arrays
# ======================================================================================
def supports(model: Any) -> tuple[bool, str]:
    """``(True, "")`` if ``model`` can use the fast path, else ``(False, reason)``.

    The fast path needs an ``LSTM1997`` with the scissors on, no forget gate, and sigmoid or
    identity output units.

    >>> from lstm_core import paper_network
    >>> supports(paper_network("adding"))
    (True, '')
    >>> supports(paper_network("adding", scissors=False))[0]
    False
    """
    if not isinstance(model, LSTM1997):
        return False, f"the fast path runs the 1997 network (LSTM1997) only, got {type(model).__name__}"
    cell = model.cell
    if not cell.scissors:
        return False, ("the scissors are off (full BPTT); the fast path computes the truncated gradient "
                       "of App. A.1 only: use the readable model, or turn the scissors on")
    if cell.forget_gate:
        return False, ("the model has a forget gate (Gers et al. 1999/2000); error then no longer flows "
                       "back through s_c with derivative 1, which the fast path relies on")
    if model.config.output_activation not in _OUTPUT_ACTIVATIONS:
        return False, f"output activation {model.config.output_activation!r} is not one of {_OUTPUT_ACTIVATIONS}"
    for name in (cell.g_name, cell.h_name):
        if name not in _SQUASH_CODES:
            return False, f"squasher {name!r} is not one of {sorted(_SQUASH_CODES)}"
    return True, ""


@dataclass(frozen=True)
class FastLayout:
    """The shape of a 1997 network as the kernels need it (everything but the weights)."""

    n_inputs: int  # input units
    n_outputs: int  # output units
    n_blocks: int  # memory-cell blocks (B)
    block_size: int  # cells per block (S)
    output_gate: bool  # False: y^out = 1 (experiments 2a/2b)
    bias_gates: bool  # gate units carry a bias
    bias_cells: bool  # cell units carry a bias
    bias_outputs: bool  # output units carry a bias
    g: str = "g"  # cell-input squasher (name in activations.ACTIVATIONS)
    h: str = "h"  # cell-output squasher
    output_activation: str = "sigmoid"  # output units' squasher: "sigmoid" or "identity"

    @property
    def n_cells(self) -> int:
        """C = B * S."""
        return self.n_blocks * self.block_size

    @property
    def hidden_size(self) -> int:
        """H: cells, input gates and (if present) output gates."""
        return self.n_cells + self.n_blocks * (2 if self.output_gate else 1)

    @property
    def fan_in(self) -> int:
        """Columns of W: z = [x (n_in), y(t-1) (H), 1]."""
        return self.n_inputs + self.hidden_size + 1

    def dims(self) -> np.ndarray:
        """The integers the kernels read: n_in, B, S, output gate, g, h and output squasher codes."""
        return np.array([self.n_inputs, self.n_blocks, self.block_size, int(self.output_gate),
                         _SQUASH_CODES[self.g], _SQUASH_CODES[self.h],
                         _SQUASH_CODES[self.output_activation]], dtype=np.int64)

    def bias_flags(self) -> tuple[np.ndarray, np.ndarray]:
        """(H,) and (n_out,) bool: which hidden rows and output units have a bias."""
        C, B = self.n_cells, self.n_blocks
        rows = np.zeros(self.hidden_size, dtype=np.bool_)
        rows[:C] = self.bias_cells
        rows[C:] = self.bias_gates
        return rows, np.full(self.n_outputs, self.bias_outputs, dtype=np.bool_)

    def groups(self) -> list[tuple[str, str, slice, bool]]:
        """(parameter name, kind, rows, is bias) in ``named_parameters()`` order.

        kind "W" names rows of the hidden matrix, "Wk" the output matrix.
        """
        C, B = self.n_cells, self.n_blocks
        out: list[tuple[str, str, slice, bool]] = [("cell.weight_in", "W", slice(C, C + B), False)]
        if self.bias_gates:
            out.append(("cell.bias_in", "W", slice(C, C + B), True))
        if self.output_gate:
            out.append(("cell.weight_out", "W", slice(C + B, C + 2 * B), False))
            if self.bias_gates:
                out.append(("cell.bias_out", "W", slice(C + B, C + 2 * B), True))
        out.append(("cell.weight_c", "W", slice(0, C), False))
        if self.bias_cells:
            out.append(("cell.bias_c", "W", slice(0, C), True))
        out.append(("output_units.weight", "Wk", slice(0, self.n_outputs), False))
        if self.bias_outputs:
            out.append(("output_units.bias", "Wk", slice(0, self.n_outputs), True))
        return out

    @classmethod
    def from_model(cls, model: LSTM1997) -> FastLayout:
        ok, reason = supports(model)
        if not ok:
            raise ValueError(f"this model cannot use the fast path: {reason}")
        cell = model.cell
        return cls(n_inputs=cell.n_inputs, n_outputs=model.n_outputs, n_blocks=cell.n_blocks,
                   block_size=cell.block_size, output_gate=cell.output_gate,
                   bias_gates=cell.bias_in is not None, bias_cells=cell.bias_c is not None,
                   bias_outputs=model.output_units.bias is not None, g=cell.g_name, h=cell.h_name,
                   output_activation=model.config.output_activation)


def _split(layout: FastLayout, W: np.ndarray, Wk: np.ndarray) -> dict[str, np.ndarray]:
    """Packed (W, Wk) -> arrays named and shaped like ``model.named_parameters()`` (copies)."""
    out = {}
    for name, kind, rows, is_bias in layout.groups():
        m = W if kind == "W" else Wk
        out[name] = m[rows, -1].copy() if is_bias else m[rows, :-1].copy()
    return out


@dataclass(eq=False)
class FastParams:
    """float64 weights of one 1997 network, in the kernels' packed layout (module docstring).

    ``W`` (H, n_in + H + 1) hidden units, ``Wk`` (n_out, C + 1) output units; the last column of
    each is the bias (exact zeros where a group has none). Build with :meth:`from_model`; copy back
    with :meth:`to_model`. ``named()`` gives the weights keyed like ``model.named_parameters()``.
    """

    layout: FastLayout  # sizes, squashers and which groups have biases
    W: np.ndarray  # (H, n_in + H + 1) float64: rows [cells, input gates, output gates]
    Wk: np.ndarray  # (n_out, C + 1) float64: output units, bias last

    def __post_init__(self) -> None:
        lay = self.layout
        self.W = _check_matrix("W", self.W, (lay.hidden_size, lay.fan_in))
        self.Wk = _check_matrix("Wk", self.Wk, (lay.n_outputs, lay.n_cells + 1))

    @classmethod
    def from_model(cls, model: LSTM1997) -> FastParams:
        """Copy an ``LSTM1997``'s weights (any dtype) into float64 arrays."""
        layout = FastLayout.from_model(model)
        W = np.zeros((layout.hidden_size, layout.fan_in))
        Wk = np.zeros((layout.n_outputs, layout.n_cells + 1))
        named = dict(model.named_parameters())
        for name, kind, rows, is_bias in layout.groups():
            value = named[name].detach().cpu().to(torch.float64).numpy()
            m = W if kind == "W" else Wk
            if is_bias:
                m[rows, -1] = value
            else:
                m[rows, :-1] = value
        if not (np.isfinite(W).all() and np.isfinite(Wk).all()):
            raise ValueError("the model's weights contain NaN or inf; re-initialise it")
        return cls(layout, W, Wk)

    def to_model(self, model: LSTM1997) -> LSTM1997:
        """Copy these weights into ``model``'s parameters (in its dtype); returns the model."""
        layout = FastLayout.from_model(model)
        if layout != self.layout:
            raise ValueError(f"the model's layout {layout} differs from these parameters' {self.layout}")
        named = dict(model.named_parameters())
        with torch.no_grad():
            for name, value in self.named().items():
                named[name].copy_(torch.from_numpy(value))
        return model

    def named(self) -> dict[str, np.ndarray]:
        """The weights as copies keyed and shaped like ``model.named_parameters()``."""
        return _split(self.layout, self.W, self.Wk)

    def copy(self) -> FastParams:
        return FastParams(self.layout, self.W.copy(), self.Wk.copy())

    @staticmethod
    def stack(params: Sequence[FastParams]) -> StackedParams:
        """Many trials' weights (same layout) -> one :class:`StackedParams` (copies)."""
        return StackedParams.from_params(params)


def from_model(model: LSTM1997) -> FastParams:
    """float64 copy of ``model``'s weights (see :meth:`FastParams.from_model`)."""
    return FastParams.from_model(model)


def to_model(params: FastParams, model: LSTM1997) -> LSTM1997:
    """Copy ``params`` back into the torch parameters of ``model`` (see :meth:`FastParams.to_model`)."""
    return params.to_model(model)


def trial_counters(n_seen, diverged_at, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-trial bookkeeping of a stack of ``k`` trials: sequences seen (0) and divergence step (-1 = none)."""
    n_seen = np.zeros(k, np.int64) if n_seen is None else np.asarray(n_seen, np.int64)
    diverged_at = np.full(k, -1, np.int64) if diverged_at is None else np.asarray(diverged_at, np.int64)
    if n_seen.shape != (k,) or diverged_at.shape != (k,):
        raise ValueError(f"n_seen and diverged_at must have shape ({k},)")
    return n_seen, diverged_at


@dataclass(eq=False)
class StackedParams:
    """The weights of ``n_trials`` independent networks of one layout, with a leading trial axis.

    ``trial(k)`` is a :class:`FastParams` *view* of trial k (training one trains the other).
    ``n_seen[k]`` counts the sequences trial k has trained on; ``diverged_at[k]`` is -1 while
    the trial is healthy, else the (1-based) count of the sequence where it diverged.
    """

    layout: FastLayout  # shared by every trial
    W: np.ndarray  # (n_trials, H, n_in + H + 1) float64
    Wk: np.ndarray  # (n_trials, n_out, C + 1) float64
    n_seen: Optional[np.ndarray] = None  # (n_trials,) int64, sequences trained on; None: zeros
    diverged_at: Optional[np.ndarray] = None  # (n_trials,) int64, -1 = healthy; None: all -1

    def __post_init__(self) -> None:
        lay = self.layout
        W = np.asarray(self.W)
        if W.ndim != 3 or W.shape[0] < 1:
            raise ValueError(f"W must have shape (n_trials, H, fan_in); got {W.shape}")
        k = W.shape[0]
        self.W = _check_matrix("W", W, (k, lay.hidden_size, lay.fan_in))
        self.Wk = _check_matrix("Wk", self.Wk, (k, lay.n_outputs, lay.n_cells + 1))
        self.n_seen, self.diverged_at = trial_counters(self.n_seen, self.diverged_at, k)

    @property
    def n_trials(self) -> int:
        return int(self.W.shape[0])

    @classmethod
    def from_params(cls, params: Sequence[FastParams]) -> StackedParams:
        if len(params) == 0:
            raise ValueError("need at least one FastParams to stack")
        layout = params[0].layout
        for i, p in enumerate(params):
            if p.layout != layout:
                raise ValueError(f"trial {i} has layout {p.layout}, trial 0 has {layout}; all must match")
        return cls(layout, np.stack([p.W for p in params]), np.stack([p.Wk for p in params]))

    @classmethod
    def from_models(cls, models: Sequence[LSTM1997]) -> StackedParams:
        """One trial per model (copies of their weights)."""
        return cls.from_params([FastParams.from_model(m) for m in models])

    def trial(self, k: int) -> FastParams:
        """A view of trial ``k``'s weights."""
        if not -self.n_trials <= k < self.n_trials:
            raise ValueError(f"trial index {k} out of range for {self.n_trials} trials")
        return FastParams(self.layout, self.W[k], self.Wk[k])


def _check_matrix(name: str, value: Any, shape: tuple[int, ...]) -> np.ndarray:
    arr = np.asarray(value)
    if arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape}; got {arr.shape}")
    if arr.dtype != np.float64 or not arr.flags.c_contiguous:
        raise ValueError(f"{name} must be a C-contiguous float64 array (the kernels update it in place); "
                         f"got {arr.dtype}, contiguous={arr.flags.c_contiguous}")
    return arr


# ======================================================================================
# Inputs as nonzero entries per step
# ======================================================================================
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


def _concat_steps(parts: Sequence[SparseSteps]) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[np.ndarray]]:
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


# ======================================================================================
# The kernels
# ======================================================================================
@njit(cache=True)
def _squash(code: int, x: float) -> tuple[float, float]:
    """(value, derivative) of squasher ``code`` at x: 0 f, 1 g, 2 h, 3 identity, 4 tanh."""
    if code == 3:
        return x, 1.0
    if code == 4:
        t = math.tanh(x)
        return t, 1.0 - t * t
    s = 1.0 / (1.0 + math.exp(-x))
    d = s * (1.0 - s)
    if code == 0:
        return s, d  # f(x) = sigma(x)
    if code == 1:
        return 4.0 * s - 2.0, 4.0 * d  # g(x) = 4 sigma(x) - 2
    return 2.0 * s - 1.0, 2.0 * d  # h(x) = 2 sigma(x) - 1


@njit(cache=True)
def _forward_backward(W, Wk, dims, ptr, idx, val, step0, L, targets, mask, out,
                      Y, gc, gpc, yin, fpin, es, D, Dk):
    """One sequence: forward pass, then the truncated backward pass into row deltas.

    Reads W, Wk; writes out[:L], Y[:L+1], D[:last+1], Dk. Returns (loss, last, ok): ``last`` is
    the last masked step (-1 if none), ok False if the forward nets, the loss or a delta is
    not finite (nothing is written to any weight here).
    """
    n_in, B, S, has_out = dims[0], dims[1], dims[2], dims[3]
    g_code, h_code, o_code = dims[4], dims[5], dims[6]
    C = B * S
    H = W.shape[0]
    Z = W.shape[1]
    n_out = Wk.shape[0]
    net = np.empty(H)
    s = np.zeros(C)  # s_c(0) = 0
    hs = np.empty(C)
    hp = np.empty(C)
    yout = np.ones(B)  # y^out = 1 without output gates
    acc = np.zeros(C)
    loss = 0.0
    last = -1
    for u in range(H):
        Y[0, u] = 0.0  # activations reset at the sequence start: y(-1) = 0
    for t in range(L):
        # net_u(t) = sum_m w_um z_m(t),  z(t) = [x(t), y(t-1), 1]   (bias column last)
        for r in range(H):
            net[r] = W[r, Z - 1]
        for e in range(ptr[step0 + t], ptr[step0 + t + 1]):
            i = idx[e]
            v = val[e]
            for r in range(H):
                net[r] += W[r, i] * v
        finite = True
        for r in range(H):
            a = net[r]
            for u in range(H):
                a += W[r, n_in + u] * Y[t, u]
            net[r] = a
            if not math.isfinite(a):
                finite = False
        if not finite:
            return math.nan, last, False
        # gates: y^in_j = f(net_in_j), y^out_j = f(net_out_j)
        for j in range(B):
            yi, dyi = _squash(0, net[C + j])
            yin[t, j] = yi
            fpin[t, j] = dyi
            Y[t + 1, C + j] = yi
            if has_out:
                yo, _ = _squash(0, net[C + B + j])
                yout[j] = yo
                Y[t + 1, C + B + j] = yo
        # CEC: s_c(t) = s_c(t-1) + y^in g(net_c);  y^c = y^out h(s_c)
        for c in range(C):
            j = c // S
            gv, gd = _squash(g_code, net[c])
            gc[t, c] = gv
            gpc[t, c] = gd
            s[c] += yin[t, j] * gv
            hv, hd = _squash(h_code, s[c])
            hs[c] = hv
            hp[c] = hd
            Y[t + 1, c] = yout[j] * hv
        # output units: y^k = f_out(sum_c w_kc y^c + b_k)
        masked = mask[t]
        for k in range(n_out):
            a = Wk[k, C]
            for c in range(C):
                a += Wk[k, c] * Y[t + 1, c]
            yk, dk = _squash(o_code, a)
            out[t, k] = yk
            if masked:
                diff = yk - targets[t, k]
                loss += 0.5 * diff * diff
                Dk[t, k] = diff * dk  # delta_k = (y^k - t^k) f'(net_k)
        if has_out:
            for j in range(B):
                D[t, C + B + j] = 0.0
        if masked:
            last = t
            for c in range(C):
                j = c // S
                ey = 0.0  # dL_t / dy^c(t)
                for k in range(n_out):
                    ey += Dk[t, k] * Wk[k, c]
                es[t, c] = ey * yout[j] * hp[c]  # local error into s_c
                if has_out:
                    D[t, C + B + j] += ey * hs[c]
            if has_out:  # eq. 21: output gates get the instantaneous error only
                for j in range(B):
                    D[t, C + B + j] *= yout[j] * (1.0 - yout[j])
        else:
            for c in range(C):
                es[t, c] = 0.0
    if not math.isfinite(loss):
        return loss, last, False
    # backward: dL/ds_c(t) = sum_{tau >= t} e_s(tau), a reverse running sum (the CEC)
    for t in range(last, -1, -1):
        for c in range(C):
            acc[c] += es[t, c]
        for j in range(B):
            a = 0.0
            for c in range(j * S, (j + 1) * S):
                a += acc[c] * gc[t, c]
            D[t, C + j] = a * fpin[t, j]  # eq. 25, input gate j
        for c in range(C):
            D[t, c] = acc[c] * yin[t, c // S] * gpc[t, c]  # eq. 27, cell c
        for r in range(H):
            if not math.isfinite(D[t, r]):
                return loss, last, False
        if mask[t]:
            for k in range(n_out):
                if not math.isfinite(Dk[t, k]):
                    return loss, last, False
    return loss, last, True


@njit(cache=True)
def _accumulate(G, Gk, scale, bias_h, bias_k, n_in, ptr, idx, val, step0, last, mask, Y, D, Dk):
    """G += scale * sum_t D(t) z(t)^T and Gk += scale * sum_t Dk(t) [y^c(t), 1]^T.

    With G = W and scale = -lr this is the SGD update itself; with zeroed G and scale 1 it is
    the gradient. Absent biases (flags False) are never touched.
    """
    H = G.shape[0]
    Z = G.shape[1]
    n_out = Gk.shape[0]
    C = Gk.shape[1] - 1
    for t in range(last + 1):
        e0 = ptr[step0 + t]
        e1 = ptr[step0 + t + 1]
        for r in range(H):
            d = scale * D[t, r]
            if d == 0.0:
                continue
            for e in range(e0, e1):
                G[r, idx[e]] += d * val[e]
            for u in range(H):
                G[r, n_in + u] += d * Y[t, u]
            if bias_h[r]:
                G[r, Z - 1] += d
        if mask[t]:
            for k in range(n_out):
                d = scale * Dk[t, k]
                for c in range(C):
                    Gk[k, c] += d * Y[t + 1, c]
                if bias_k[k]:
                    Gk[k, C] += d


@njit(cache=True, parallel=True)
def _online_kernel(W, Wk, bias_h, bias_k, dims, active, ptr, idx, val, step0, lengths,
                   targets, mask, lr, out, failed):
    """Online SGD for the trials listed in ``active``, in parallel; one update per sequence.

    W (K, H, Z), Wk (K, n_out, C+1), step0/lengths (K, n), targets (K, n, T, n_out),
    mask (K, n, T), out (K, n, T, n_out). failed[k] is set to the index of the sequence whose
    loss or deltas were not finite (that sequence is not applied; the trial stops there).
    """
    n = lengths.shape[1]
    T = targets.shape[2]
    H = W.shape[1]
    C = Wk.shape[2] - 1
    B = dims[1]
    n_out = Wk.shape[1]
    n_in = dims[0]
    for a in prange(active.shape[0]):
        k = active[a]
        Y = np.empty((T + 1, H))
        gc = np.empty((T, C))
        gpc = np.empty((T, C))
        yin = np.empty((T, B))
        fpin = np.empty((T, B))
        es = np.empty((T, C))
        D = np.empty((T, H))
        Dk = np.empty((T, n_out))
        for i in range(n):
            loss, last, ok = _forward_backward(W[k], Wk[k], dims, ptr, idx, val, step0[k, i], lengths[k, i],
                                               targets[k, i], mask[k, i], out[k, i],
                                               Y, gc, gpc, yin, fpin, es, D, Dk)
            if not ok:
                failed[k] = i
                break
            _accumulate(W[k], Wk[k], -lr, bias_h, bias_k, n_in, ptr, idx, val, step0[k, i], last,
                        mask[k, i], Y, D, Dk)


@njit(cache=True, parallel=True)
def _minibatch_kernel(W, Wk, bias_h, bias_k, dims, ptr, idx, val, step0, lengths, targets, mask,
                      batch_size, lr, out, losses, G, Gk, failed):
    """Gradients summed over minibatches, parallel over sequences (P = G.shape[0] workers).

    lr > 0: after each minibatch W -= lr * mean gradient, then G restarts at 0.
    lr = 0: no update; G[p], Gk[p] accumulate the gradient over the whole batch (sum over p
    is the total). failed[0] is the first minibatch start with a non-finite sequence (-1 if none).
    """
    n = lengths.shape[0]
    T = targets.shape[1]
    P = G.shape[0]
    H = W.shape[0]
    Z = W.shape[1]
    C = Wk.shape[1] - 1
    B = dims[1]
    n_out = Wk.shape[0]
    n_in = dims[0]
    bad = np.zeros(n, dtype=np.bool_)
    for b0 in range(0, n, batch_size):
        b1 = min(n, b0 + batch_size)
        for p in prange(P):
            Y = np.empty((T + 1, H))
            gc = np.empty((T, C))
            gpc = np.empty((T, C))
            yin = np.empty((T, B))
            fpin = np.empty((T, B))
            es = np.empty((T, C))
            D = np.empty((T, H))
            Dk = np.empty((T, n_out))
            for i in range(b0 + p, b1, P):
                loss, last, ok = _forward_backward(W, Wk, dims, ptr, idx, val, step0[i], lengths[i],
                                                   targets[i], mask[i], out[i], Y, gc, gpc, yin, fpin,
                                                   es, D, Dk)
                losses[i] = loss
                if ok:
                    _accumulate(G[p], Gk[p], 1.0, bias_h, bias_k, n_in, ptr, idx, val, step0[i], last,
                                mask[i], Y, D, Dk)
                else:
                    bad[i] = True
        for i in range(b0, b1):
            if bad[i]:
                failed[0] = b0
                return
        if lr > 0.0:
            step = lr / (b1 - b0)
            for p in range(P):
                for r in range(H):
                    for m in range(Z):
                        W[r, m] -= step * G[p, r, m]
                        G[p, r, m] = 0.0
                for k in range(n_out):
                    for m in range(C + 1):
                        Wk[k, m] -= step * Gk[p, k, m]
                        Gk[p, k, m] = 0.0


# ======================================================================================
# Public functions
# ======================================================================================
@contextlib.contextmanager
def _threads(work_items: int, limit: Optional[int] = None):
    """Use at most ``work_items`` (and ``limit``) numba threads inside, restoring the setting after.

    Idle threads of a parallel region only compete for the cores, so never start more than
    there is work for.
    """
    before = numba.get_num_threads()
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, (int, np.integer)) or limit < 1):
        raise ValueError(f"threads must be a positive int or None; got {limit!r}")
    numba.set_num_threads(max(1, min(before, work_items, before if limit is None else int(limit))))
    try:
        yield
    finally:
        numba.set_num_threads(before)


def _as_params(model_or_params: Any) -> FastParams:
    if isinstance(model_or_params, FastParams):
        return model_or_params
    if isinstance(model_or_params, LSTM1997):
        return FastParams.from_model(model_or_params)
    raise ValueError(f"expected an LSTM1997 or FastParams; got {type(model_or_params).__name__}")


def _check_lr(learning_rate: Any) -> float:
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, (int, float, np.floating, np.integer)):
        raise ValueError(f"learning_rate must be a positive number; got {learning_rate!r}")
    lr = float(learning_rate)
    if not (math.isfinite(lr) and lr > 0):
        raise ValueError(f"learning_rate must be a positive finite number; got {learning_rate!r}")
    return lr


def _check_batch(batch: Any, layout: FastLayout, what: str = "batch") -> SequenceBatch:
    if not isinstance(batch, SequenceBatch):
        raise ValueError(f"{what} must be a SequenceBatch; got {type(batch).__name__}")
    if batch.n_inputs != layout.n_inputs or batch.n_outputs != layout.n_outputs:
        raise ValueError(f"{what} has {batch.n_inputs} inputs and {batch.n_outputs} outputs per step; "
                         f"the network expects {layout.n_inputs} and {layout.n_outputs}")
    if not np.isfinite(batch.targets[batch.target_mask]).all():
        raise ValueError(f"{what} contains NaN or inf in its masked targets")
    return batch


def _steps_for(batch: SequenceBatch, sparse: bool, steps: Optional[SparseSteps]) -> SparseSteps:
    """The batch's inputs as SparseSteps: built from ``batch.inputs``, or ``steps`` checked against it.

    Given ``steps``, ``batch.inputs`` is not read at all (it may be a placeholder).
    """
    if steps is None:
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


def sequence_gradients(model_or_params: ModelOrParams, inputs: Any, targets: Any,
                       mask: Any) -> tuple[np.ndarray, float, dict[str, np.ndarray]]:
    """Outputs, loss and truncated gradient of one sequence, in float64.

    inputs (T, n_in), targets (T, n_out), mask (T,) bool (the steps with a target).
    Returns outputs (T, n_out), loss = 1/2 sum over masked steps and outputs of
    (y^k - t^k)^2, and grads: dL/dw for every parameter, keyed and shaped like
    ``dict(model.named_parameters())``.
    """
    params = _as_params(model_or_params)
    lay = params.layout
    x = np.asarray(inputs.detach().cpu() if isinstance(inputs, torch.Tensor) else inputs, dtype=np.float64)
    y = np.asarray(targets.detach().cpu() if isinstance(targets, torch.Tensor) else targets, dtype=np.float64)
    m = np.asarray(mask.detach().cpu() if isinstance(mask, torch.Tensor) else mask)
    if x.ndim != 2 or x.shape[1] != lay.n_inputs or x.shape[0] < 1:
        raise ValueError(f"inputs must have shape (T>=1, {lay.n_inputs}); got {x.shape}")
    T = x.shape[0]
    if y.shape != (T, lay.n_outputs):
        raise ValueError(f"targets must have shape ({T}, {lay.n_outputs}); got {y.shape}")
    if m.shape != (T,) or m.dtype != np.bool_:
        raise ValueError(f"mask must be a bool array of shape ({T},); got {m.dtype} {m.shape}")
    if not (np.isfinite(x).all() and np.isfinite(y[m]).all()):
        raise ValueError("inputs or masked targets contain NaN or inf")
    # float64 all the way (a SequenceBatch would round the inputs to float32)
    out, losses, G, Gk, failed = _run_minibatch(params, x[None], y[None], m[None], np.array([T], np.int64),
                                                1, 0.0, True, None)
    if failed >= 0:
        raise ValueError("the loss or gradient of this sequence is not finite; the weights are too large")
    return out[0], float(losses[0]), _split(lay, G, Gk)


def _run_minibatch(params: FastParams, inputs: np.ndarray, targets: np.ndarray, mask: np.ndarray,
                   lengths: np.ndarray, batch_size: int, lr: float, sparse: bool,
                   steps: Optional[SparseSteps],
                   threads: Optional[int] = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """Run the minibatch kernel on padded arrays; returns outputs, losses, summed G, Gk, failed."""
    lay = params.layout
    n, t_max = inputs.shape[:2]
    st = sparse_steps(inputs, lengths, keep_zeros=not sparse) if steps is None else steps
    bias_h, bias_k = lay.bias_flags()
    P = max(1, min(numba.get_num_threads(), n, batch_size, threads or n))
    G = np.zeros((P,) + params.W.shape)
    Gk = np.zeros((P,) + params.Wk.shape)
    out = np.zeros((n, t_max, lay.n_outputs))
    losses = np.zeros(n)
    failed = np.full(1, -1, np.int64)
    with _threads(P, threads):
        _minibatch_kernel(params.W, params.Wk, bias_h, bias_k, lay.dims(), st.ptr, st.idx, st.val, st.step0,
                          np.ascontiguousarray(lengths, np.int64), np.ascontiguousarray(targets, np.float64),
                          np.ascontiguousarray(mask, np.bool_), int(batch_size), lr, out, losses, G, Gk, failed)
    return out, losses, G.sum(axis=0), Gk.sum(axis=0), int(failed[0])


def minibatch_gradients(params: ModelOrParams, batch: SequenceBatch, *, sparse: bool = True,
                        steps: Optional[SparseSteps] = None,
                        threads: Optional[int] = None) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Truncated gradients of every sequence of ``batch``, summed (parallel over sequences).

    ``threads`` caps the numba threads (default: numba's setting); ``sparse`` and ``steps`` as in
    :func:`train_online`.

    Returns outputs (n, T_max, n_out), per-sequence losses (n,), and the summed grads keyed
    like ``model.named_parameters()``. Raises ValueError if some loss or gradient is not finite.
    """
    p = _as_params(params)
    _check_batch(batch, p.layout)
    out, losses, G, Gk, failed = _run_minibatch(p, batch.inputs, batch.targets, batch.target_mask, batch.lengths,
                                                batch.n, 0.0, sparse, _steps_for(batch, sparse, steps), threads)
    if failed >= 0:
        raise ValueError("a loss or gradient of this batch is not finite; the weights are too large "
                         "(lower the learning rate that produced them)")
    return out, losses, _split(p.layout, G, Gk)


def train_minibatch(params: FastParams, batch: SequenceBatch, learning_rate: float, batch_size: int = 32, *,
                    sparse: bool = True, steps: Optional[SparseSteps] = None,
                    threads: Optional[int] = None) -> np.ndarray:
    """Ours, not the paper's: SGD on minibatches of ``batch_size`` consecutive sequences.

    Each minibatch: W -= learning_rate * (mean over its sequences of the truncated gradient).
    Returns the outputs (n, T_max, n_out) each sequence produced before its minibatch's update.
    Mutates ``params`` in place; raises ValueError if training diverges.
    """
    if not isinstance(params, FastParams):
        raise ValueError(f"params must be FastParams (FastParams.from_model(model)); got {type(params).__name__}")
    lr = _check_lr(learning_rate)
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int; got {batch_size!r}")
    _check_batch(batch, params.layout)
    out, _, _, _, failed = _run_minibatch(params, batch.inputs, batch.targets, batch.target_mask, batch.lengths,
                                          int(batch_size), lr, sparse, _steps_for(batch, sparse, steps), threads)
    if failed >= 0:
        raise ValueError(f"training diverged in the minibatch starting at sequence {failed + 1}: "
                         "lower the learning rate")
    return out


def train_online(params: FastParams, batch: SequenceBatch, learning_rate: float, *, sparse: bool = True,
                 steps: Optional[SparseSteps] = None) -> np.ndarray:
    """The paper's protocol: for each sequence in order, reset, forward, truncated gradient, SGD step.

    W -= learning_rate * dL/dW right after every sequence (one sequence, one update). Returns
    the outputs (n, T_max, n_out) each sequence produced *before* its own update (zero after
    its length). Mutates ``params`` in place. Raises ValueError if a loss or delta becomes
    non-finite; the weights are then those from before the failing sequence.

    ``sparse`` (default) lets the kernel see only the nonzero inputs of each step; False keeps
    every input unit (same numbers, slower for local codes). ``steps`` passes a precomputed
    :class:`SparseSteps` instead (e.g. ``SparseSteps.from_symbols`` for one-hot tasks).
    Give it many sequences per call: each call has a fixed cost of some tens of microseconds.
    """
    if not isinstance(params, FastParams):
        raise ValueError(f"params must be FastParams (FastParams.from_model(model)); got {type(params).__name__}")
    stacked = StackedParams(params.layout, params.W[None], params.Wk[None])  # views: trained in place
    out = train_online_trials(stacked, [batch], learning_rate, sparse=sparse,
                              steps=None if steps is None else [steps])
    if stacked.diverged_at[0] >= 0:
        raise ValueError(f"training diverged at sequence {int(stacked.diverged_at[0])} of this batch: "
                         "lower the learning rate")
    return out[0]


def train_online_trials(stacked: StackedParams, batches: Sequence[Optional[SequenceBatch]], learning_rate: float,
                        *, sparse: bool = True, steps: Optional[Sequence[Optional[SparseSteps]]] = None,
                        threads: Optional[int] = None) -> np.ndarray:
    """:func:`train_online` for many independent trials at once, in parallel over trials.

    ``batches[k]`` is trial k's batch (all with the same number of sequences n), or None to
    leave trial k untouched this call. Returns outputs (n_trials, n, T_max, n_out), T_max the
    longest of the batches; NaN for skipped trials and for the sequences after the one where
    a trial diverged. Updates ``stacked.n_seen`` and ``stacked.diverged_at``; diverged trials
    are skipped from then on. ``threads`` caps the numba threads (default: numba's setting).

    Memory: besides the batches, about 2 * n_trials * n * T_max * n_out * 8 bytes (targets and
    outputs in float64); for one-hot targets (2a, 2b) prefer smaller chunks.
    """
    if not isinstance(stacked, StackedParams):
        raise ValueError(f"stacked must be StackedParams; got {type(stacked).__name__}")
    lr = _check_lr(learning_rate)
    K, lay = stacked.n_trials, stacked.layout
    if len(batches) != K:
        raise ValueError(f"need one batch (or None) per trial: {K} trials, got {len(batches)} batches")
    if steps is not None and len(steps) != K:
        raise ValueError(f"steps must have one entry per trial ({K}); got {len(steps)}")
    active = [k for k in range(K) if batches[k] is not None and stacked.diverged_at[k] < 0]
    given = [b for b in batches if b is not None]
    if not given:
        raise ValueError("every batch is None: nothing to train")
    for k, b in enumerate(batches):
        if b is not None:
            _check_batch(b, lay, f"batches[{k}]")
    n = given[0].n
    if any(b.n != n for b in given):
        raise ValueError(f"every batch must hold the same number of sequences; got {[b.n for b in given]}")
    T = max(b.T_max for b in given)
    out = np.full((K, n, T, lay.n_outputs), np.nan)
    if not active:
        return out
    parts = [_steps_for(batches[k], sparse, None if steps is None else steps[k]) for k in active]
    ptr, idx, val, step0s = _concat_steps(parts)
    step0 = np.zeros((K, n), np.int64)
    lengths = np.ones((K, n), np.int64)
    targets = np.zeros((K, n, T, lay.n_outputs))
    mask = np.zeros((K, n, T), np.bool_)
    for k, s0 in zip(active, step0s):
        b = batches[k]
        step0[k] = s0
        lengths[k] = b.lengths
        targets[k, :, :b.T_max] = b.targets
        mask[k, :, :b.T_max] = b.target_mask
        out[k] = 0.0
    failed = np.full(K, -1, np.int64)
    bias_h, bias_k = lay.bias_flags()
    with _threads(len(active), threads):
        _online_kernel(stacked.W, stacked.Wk, bias_h, bias_k, lay.dims(), np.array(active, np.int64), ptr, idx,
                       val, step0, lengths, targets, mask, lr, out, failed)
    for k in active:
        if failed[k] >= 0:
            out[k, failed[k] + 1:] = np.nan
            stacked.diverged_at[k] = stacked.n_seen[k] + failed[k] + 1
            stacked.n_seen[k] += failed[k]
        else:
            stacked.n_seen[k] += n
    return out


def compile_kernels() -> float:
    """Compile the kernels (or load them from numba's cache) on a tiny network; returns seconds."""
    layout = FastLayout(n_inputs=2, n_outputs=1, n_blocks=1, block_size=1, output_gate=True,
                        bias_gates=True, bias_cells=True, bias_outputs=True)
    params = FastParams(layout, np.zeros((layout.hidden_size, layout.fan_in)), np.zeros((1, 2)))
    batch = SequenceBatch(np.ones((1, 2, 2)), np.zeros((1, 2, 1)), np.array([[False, True]]), np.array([2]))
    start = time.perf_counter()
    minibatch_gradients(params, batch)
    train_online(params, batch, 0.1)
    return time.perf_counter() - start

"""A fast training path for the 1997 network with the scissors on (numba, float64).

With the paper's truncation (App. A.1) error flows back in time only through the cell state
s_c, with derivative exactly 1 (the CEC), so backpropagation through time collapses into a
reverse running sum: one forward pass, one backward pass, one outer product per delta
(``lstm1997_kernels`` derives it). The tests compare every number with autograd on the
readable ``LSTM1997`` in float64.

What lives where
----------------

============================  ================================================================
name                          what
============================  ================================================================
:func:`supports`              can this model take the fast path? (and if not, why)
:class:`FastParams`           float64 copy of an ``LSTM1997``'s weights (``from_model``,
                              ``to_model``, ``named``) -- ``lstm1997_params``
:class:`StackedParams`        many independent trials' weights with a leading trial axis
:class:`SparseSteps`          a batch's inputs as nonzero entries per step (``sparse_steps``,
                              ``SparseSteps.from_symbols``) -- ``sparse``
:func:`sequence_gradients`    outputs, loss and truncated gradient of one sequence, keyed like
                              ``model.named_parameters()``
:func:`minibatch_gradients`   the same summed over a batch (parallel over sequences)
:func:`train_online`          the paper's protocol: one sequence, one SGD update, in order
:func:`train_online_trials`   the same for many trials at once (parallel over trials)
:func:`train_minibatch`       ours, not the paper's: SGD on the mean gradient of minibatches
:class:`LSTM1997Engine`       the engine interface (``engines.base``) over these functions
:func:`compile_kernels`       compile (or load from numba's cache) the kernels; returns seconds
============================  ================================================================

Parallel work uses numba's threads; every parallel function takes ``threads=`` to use fewer,
and never starts more threads than it has work for (``training.threads``). Divergence follows
``engines.base``: a sequence whose loss or deltas are not finite is not applied and stops its
trial (:func:`train_online` raises ``ValueError``; :func:`train_online_trials` records it in
``StackedParams.diverged_at``), and so does a weight beyond ``base.MAX_ABS_WEIGHT``.
"""

from __future__ import annotations

import time
from typing import Any, Optional, Sequence, Union

import numpy as np
import torch

from lstm_core.model.networks import LSTM1997
from lstm_core.tasks.base import SequenceBatch
from lstm_core.training.engines.base import (
    Engine, Trained, check_batch, check_divergence, check_learning_rate, divergence_message, select_batches,
)
from lstm_core.training.engines.lstm1997_kernels import minibatch_kernel, online_kernel
from lstm_core.training.engines.lstm1997_params import (
    FastLayout, FastParams, StackedParams, _split, from_model, supports, to_model,
)
from lstm_core.training.engines.sparse import SparseSteps, concat_steps, sparse_steps, steps_of
from lstm_core.training.threads import capped, use_threads

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
    "LSTM1997Engine",
    "compile_kernels",
]

ModelOrParams = Union[LSTM1997, FastParams]


def _as_params(model_or_params: Any) -> FastParams:
    if isinstance(model_or_params, FastParams):
        return model_or_params
    if isinstance(model_or_params, LSTM1997):
        return FastParams.from_model(model_or_params)
    raise ValueError(f"expected an LSTM1997 or FastParams; got {type(model_or_params).__name__}")


def _check(batch: Any, layout: FastLayout, what: str = "batch") -> SequenceBatch:
    return check_batch(batch, layout.n_inputs, layout.n_outputs, what)


def _array(a: Any, dtype: Any = np.float64) -> np.ndarray:
    return np.asarray(a.detach().cpu() if isinstance(a, torch.Tensor) else a, dtype=dtype)


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
    x, y, m = _array(inputs), _array(targets), _array(mask, None)
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
    lengths = np.array([T], np.int64)
    out, losses, G, Gk, failed = _run_minibatch(params, sparse_steps(x[None], lengths), y[None], m[None], lengths,
                                                1, 0.0)
    if failed >= 0:
        raise ValueError("the loss or gradient of this sequence is not finite; the weights are too large")
    return out[0], float(losses[0]), _split(lay, G, Gk)


def _run_minibatch(params: FastParams, steps: SparseSteps, targets: np.ndarray, mask: np.ndarray,
                   lengths: np.ndarray, batch_size: int, lr: float,
                   threads: Optional[int] = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """Run the minibatch kernel; returns outputs, losses, summed G, Gk, and the failed minibatch (-1)."""
    lay = params.layout
    n, t_max = targets.shape[:2]
    bias_h, bias_k = lay.bias_flags()
    P = capped(min(n, batch_size), threads)
    G = np.zeros((P,) + params.W.shape)
    Gk = np.zeros((P,) + params.Wk.shape)
    out = np.zeros((n, t_max, lay.n_outputs))
    losses = np.zeros(n)
    failed = np.full(1, -1, np.int64)
    with use_threads(P):
        minibatch_kernel(params.W, params.Wk, bias_h, bias_k, lay.dims(), steps.ptr, steps.idx, steps.val,
                         steps.step0, np.ascontiguousarray(lengths, np.int64),
                         np.ascontiguousarray(targets, np.float64), np.ascontiguousarray(mask, np.bool_),
                         int(batch_size), lr, out, losses, G, Gk, failed)
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
    _check(batch, p.layout)
    out, losses, G, Gk, failed = _run_minibatch(p, steps_of(batch, sparse, steps), batch.targets, batch.target_mask,
                                                batch.lengths, batch.n, 0.0, threads)
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
    lr = check_learning_rate(learning_rate)
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int; got {batch_size!r}")
    _check(batch, params.layout)
    out, _, _, _, failed = _run_minibatch(params, steps_of(batch, sparse, steps), batch.targets, batch.target_mask,
                                          batch.lengths, int(batch_size), lr, threads)
    if failed >= 0:
        raise ValueError(f"training diverged in the minibatch starting at sequence {failed + 1}: "
                         "lower the learning rate")
    return out


def train_online(params: FastParams, batch: SequenceBatch, learning_rate: float, *, sparse: bool = True,
                 steps: Optional[SparseSteps] = None) -> np.ndarray:
    """The paper's protocol: for each sequence in order, reset, forward, truncated gradient, SGD step.

    W -= learning_rate * dL/dW right after every sequence (one sequence, one update). Returns
    the outputs (n, T_max, n_out) each sequence produced *before* its own update (zero after
    its length). Mutates ``params`` in place. Raises ValueError if training diverges
    (``engines.base``); after a non-finite sequence the weights are those from before it.

    ``sparse`` (default) lets the kernel see only the nonzero inputs of each step; False keeps
    every input unit (same numbers, slower for local codes). ``steps`` passes a precomputed
    :class:`SparseSteps` instead (e.g. ``SparseSteps.from_symbols`` for one-hot tasks).
    Give it many sequences per call: each call has a fixed cost of some tens of microseconds.
    """
    if not isinstance(params, FastParams):
        raise ValueError(f"params must be FastParams (FastParams.from_model(model)); got {type(params).__name__}")
    stacked = StackedParams(params.layout, params.W[None], params.Wk[None])  # views: trained in place
    lr = check_learning_rate(learning_rate)
    out = train_online_trials(stacked, [batch], lr, sparse=sparse, steps=None if steps is None else [steps])
    if stacked.diverged_at[0] >= 0:
        raise ValueError(divergence_message(stacked, 0, lr))
    return out[0]


def train_online_trials(stacked: StackedParams, batches: Sequence[Optional[SequenceBatch]], learning_rate: float,
                        *, sparse: bool = True, steps: Optional[Sequence[Optional[SparseSteps]]] = None,
                        threads: Optional[int] = None) -> np.ndarray:
    """:func:`train_online` for many independent trials at once, in parallel over trials.

    ``batches[k]`` is trial k's batch (all with the same number of sequences n), or None to
    leave trial k untouched this call. Returns outputs (n_trials, n, T_max, n_out), T_max the
    longest of the batches; NaN for skipped trials and for the sequences after the one where
    a trial diverged. Updates ``stacked.n_seen``, ``diverged_at`` and ``diverged_how``;
    diverged trials are skipped from then on. ``threads`` caps the numba threads.

    Memory: besides the batches, about 2 * n_trials * n * T_max * n_out * 8 bytes (targets and
    outputs in float64); for one-hot targets (2a, 2b) prefer smaller chunks.
    """
    if not isinstance(stacked, StackedParams):
        raise ValueError(f"stacked must be StackedParams; got {type(stacked).__name__}")
    lr = check_learning_rate(learning_rate)
    K, lay = stacked.n_trials, stacked.layout
    given, n = select_batches(batches, K, lay.n_inputs, lay.n_outputs)
    if steps is not None and len(steps) != K:
        raise ValueError(f"steps must have one entry per trial ({K}); got {len(steps)}")
    active = [k for k in given if stacked.diverged_at[k] < 0]
    T = max(batches[k].T_max for k in given)
    out = np.full((K, n, T, lay.n_outputs), np.nan)
    if not active:
        return out
    parts = [steps_of(batches[k], sparse, None if steps is None else steps[k]) for k in active]
    ptr, idx, val, step0s = concat_steps(parts)
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
    with use_threads(capped(len(active), threads)):
        online_kernel(stacked.W, stacked.Wk, bias_h, bias_k, lay.dims(), np.array(active, np.int64), ptr, idx,
                      val, step0, lengths, targets, mask, lr, out, failed)
    for k in active:
        if failed[k] >= 0:
            out[k, failed[k] + 1:] = np.nan
    check_divergence(stacked, active, failed, n, (stacked.W, stacked.Wk))
    return out


class LSTM1997Engine(Engine):
    """The 1997 network, one update per sequence, all trials' weights stacked (``StackedParams``)."""

    name = "lstm1997"

    def __init__(self, params: StackedParams) -> None:
        if not isinstance(params, StackedParams):
            raise ValueError(f"params must be StackedParams; got {type(params).__name__}")
        self.params = params

    @staticmethod
    def supports(model: Any) -> tuple[bool, str]:
        return supports(model)

    @classmethod
    def from_models(cls, models: Sequence[Any], **options: Any) -> "LSTM1997Engine":
        if options:
            raise ValueError(f"the {cls.name} engine takes no options; got {sorted(options)}")
        cls.refuse_unsupported(models)
        return cls(StackedParams.from_models(models))

    def _train(self, batches: Sequence[Optional[SequenceBatch]], learning_rate: float) -> Trained:
        before = self.params.diverged_at.copy()
        out = train_online_trials(self.params, batches, learning_rate)
        return Trained(outputs=out, diverged=_new_divergences(before, self.params.diverged_at))

    def forward(self, k: int, batch: SequenceBatch) -> np.ndarray:
        return minibatch_gradients(self.params.trial(k), batch)[0]

    def trial_params(self, k: int) -> FastParams:
        return self.params.trial(k).copy()


def _new_divergences(before: np.ndarray, after: np.ndarray) -> list[int]:
    return [k for k in range(before.size) if before[k] < 0 <= after[k]]


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

"""The 1997 network trained with the full gradient (scissors off), one update per sequence (numba, float64).

The paper trains with a truncated gradient (App. A.1, the "scissors": error reaches the past
only through s_c) and says (Sec. 6) that the full gradient made "no significant difference".
This engine computes the full one, exact backprop through time of the whole sequence: error
flows back through every recurrent connection of the gates and cells (connectivity "F") as
well as through s_c; after each sequence one plain gradient step w -= alpha dL/dw, with
L = 1/2 sum over masked steps of (y^k - t^k)^2, as on the truncated path
(``engines.lstm1997``). ``lstm1997_full_kernels`` derives the backward pass; the forward pass,
the output errors and the update are the truncated engine's kernels. The tests compare every
number with autograd on ``LSTM1997`` with ``scissors=False`` in float64.

============================  ================================================================
name                          what
============================  ================================================================
:func:`supports`              can this engine train the model? (an ``LSTM1997`` with scissors off)
:func:`sequence_gradients`    outputs, loss and full gradient of one sequence, keyed like
                              ``model.named_parameters()``
:func:`batch_gradients`       the same summed over a batch's sequences (same weights)
:func:`train_online`          the paper's protocol with the full gradient: one sequence, one step
:func:`train_online_trials`   the same for many trials at once (parallel over trials)
:class:`FullGradientEngine`   the engine interface (``engines.base``), registered as "lstm1997-full"
============================  ================================================================

Weights use ``lstm1997_params``' containers (``FastParams``, ``StackedParams``, built with
``scissors=False``); inputs are read as ``SparseSteps``; the divergence policy and the
learning-rate rule are ``engines.base``'s. Per-step updates with the full gradient (full RTRL)
have no engine.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence, Union

import numpy as np

from lstm_core.model.networks import LSTM1997
from lstm_core.tasks.base import SequenceBatch
from lstm_core.training.engines.base import (
    Trained, check_batch, check_divergence, check_learning_rate, divergence_message, select_batches,
)
from lstm_core.training.engines.lstm1997 import LSTM1997Engine, _array, _new_divergences
from lstm_core.training.engines.lstm1997_full_kernels import full_gradient_kernel, full_online_kernel
from lstm_core.training.engines.lstm1997_params import FastParams, StackedParams, _split, structure
from lstm_core.training.engines.sparse import SparseSteps, concat_steps, sparse_steps, steps_of
from lstm_core.training.threads import capped, use_threads

__all__ = ["supports", "sequence_gradients", "batch_gradients", "train_online", "train_online_trials",
           "FullGradientEngine"]

ModelOrParams = Union[LSTM1997, FastParams]


def supports(model: Any) -> tuple[bool, str]:
    """``(True, "")`` if this engine trains ``model`` exactly: an ``LSTM1997`` with the scissors off.

    >>> from lstm_core import paper_network
    >>> supports(paper_network("reber-3x2", scissors=False))
    (True, '')
    >>> supports(paper_network("reber-3x2"))[1][:21]
    'the scissors are on ('
    """
    ok, why = structure(model)
    if not ok:
        return ok, why
    if model.cell.scissors:
        return False, ("the scissors are on (the truncated gradient of App. A.1); this engine computes the "
                       "full gradient: the lstm1997 engine (LSTM1997Engine) trains this model, or turn the "
                       "scissors off (model.scissors = False)")
    return True, ""


def _as_params(model_or_params: Any) -> FastParams:
    if isinstance(model_or_params, FastParams):
        return model_or_params
    if isinstance(model_or_params, LSTM1997):
        return FastParams.from_model(model_or_params, scissors=False)
    raise ValueError(f"expected an LSTM1997 (scissors off) or FastParams; got {type(model_or_params).__name__}")


def _gradients(params: FastParams, steps: SparseSteps, targets: np.ndarray, mask: np.ndarray,
               lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    lay = params.layout
    n, t_max = targets.shape[:2]
    bias_h, bias_k = lay.bias_flags()
    G, Gk = np.zeros_like(params.W), np.zeros_like(params.Wk)
    out, losses = np.zeros((n, t_max, lay.n_outputs)), np.zeros(n)
    failed = np.full(1, -1, np.int64)
    full_gradient_kernel(params.W, params.Wk, bias_h, bias_k, lay.dims(), steps.ptr, steps.idx, steps.val,
                         steps.step0, np.ascontiguousarray(lengths, np.int64), np.ascontiguousarray(targets, np.float64),
                         np.ascontiguousarray(mask, np.bool_), out, losses, G, Gk, failed)
    if failed[0] >= 0:
        raise ValueError(f"the loss or gradient of sequence {failed[0]} is not finite; the weights are too large "
                         "(lower the learning rate that produced them)")
    return out, losses, _split(lay, G, Gk)


def sequence_gradients(model_or_params: ModelOrParams, inputs: Any, targets: Any,
                       mask: Any) -> tuple[np.ndarray, float, dict[str, np.ndarray]]:
    """Outputs (T, n_out), loss and full gradient of one sequence, in float64.

    inputs (T, n_in), targets (T, n_out), mask (T,) bool (the steps with a target); loss =
    1/2 sum over masked steps and outputs of (y^k - t^k)^2; grads keyed and shaped like
    ``dict(model.named_parameters())``. A model must have its scissors off.
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
    lengths = np.array([T], np.int64)  # float64 all the way (a SequenceBatch would round inputs to float32)
    out, losses, grads = _gradients(params, sparse_steps(x[None], lengths), y[None], m[None], lengths)
    return out[0], float(losses[0]), grads


def batch_gradients(model_or_params: ModelOrParams,
                    batch: SequenceBatch) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Outputs (n, T_max, n_out), losses (n,) and the full gradients of ``batch``'s sequences, summed."""
    params = _as_params(model_or_params)
    check_batch(batch, params.layout.n_inputs, params.layout.n_outputs)
    return _gradients(params, steps_of(batch), batch.targets, batch.target_mask, batch.lengths)


def train_online_trials(stacked: StackedParams, batches: Sequence[Optional[SequenceBatch]], learning_rate: float,
                        *, threads: Optional[int] = None) -> np.ndarray:
    """The paper's protocol with the full gradient for every trial whose batch is not None (parallel over trials).

    As ``lstm1997.train_online_trials``: returns the outputs (K, n, T_max, n_out) each
    sequence produced before its own update (NaN for skipped trials and after a divergence);
    updates ``stacked.n_seen``, ``diverged_at``, ``diverged_how``; a sequence whose loss or
    deltas are not finite is not applied and stops its trial.
    """
    if not isinstance(stacked, StackedParams):
        raise ValueError(f"stacked must be StackedParams; got {type(stacked).__name__}")
    lr = check_learning_rate(learning_rate)
    K, lay = stacked.n_trials, stacked.layout
    given, n = select_batches(batches, K, lay.n_inputs, lay.n_outputs)
    active = [k for k in given if stacked.diverged_at[k] < 0]
    T = max(batches[k].T_max for k in given)
    out = np.full((K, n, T, lay.n_outputs), np.nan)
    if not active:
        return out
    ptr, idx, val, step0s = concat_steps([steps_of(batches[k]) for k in active])
    step0 = np.zeros((K, n), np.int64)
    lengths = np.ones((K, n), np.int64)
    targets = np.zeros((K, n, T, lay.n_outputs))
    mask = np.zeros((K, n, T), np.bool_)
    for k, s0 in zip(active, step0s):
        b = batches[k]
        step0[k], lengths[k] = s0, b.lengths
        targets[k, :, :b.T_max], mask[k, :, :b.T_max] = b.targets, b.target_mask
        out[k] = 0.0
    failed = np.full(K, -1, np.int64)
    bias_h, bias_k = lay.bias_flags()
    with use_threads(capped(len(active), threads)):
        full_online_kernel(stacked.W, stacked.Wk, bias_h, bias_k, lay.dims(), np.array(active, np.int64), ptr, idx,
                           val, step0, lengths, targets, mask, lr, out, failed)
    for k in active:
        if failed[k] >= 0:
            out[k, failed[k] + 1:] = np.nan
    check_divergence(stacked, active, failed, n, (stacked.W, stacked.Wk))
    return out


def train_online(params: FastParams, batch: SequenceBatch, learning_rate: float) -> np.ndarray:
    """One network, the batch's sequences in order, a full-gradient step after each; returns the outputs.

    Mutates ``params``; raises ValueError if training diverges (the weights are those from
    before the sequence that did).
    """
    if not isinstance(params, FastParams):
        raise ValueError(f"params must be FastParams (FastParams.from_model(model, scissors=False)); "
                         f"got {type(params).__name__}")
    lr = check_learning_rate(learning_rate)
    stacked = StackedParams(params.layout, params.W[None], params.Wk[None])  # views: trained in place
    out = train_online_trials(stacked, [batch], lr)
    if stacked.diverged_at[0] >= 0:
        raise ValueError(divergence_message(stacked, 0, lr))
    return out[0]


class FullGradientEngine(LSTM1997Engine):
    """The 1997 network with the scissors off: the full gradient, one update per sequence.

    Same container (``StackedParams``), forward pass, judging, snapshots and replays as
    ``LSTM1997Engine``; only the gradient differs.
    """

    name = "lstm1997-full"

    @staticmethod
    def supports(model: Any) -> tuple[bool, str]:
        return supports(model)

    @classmethod
    def from_models(cls, models: Sequence[Any], **options: Any) -> "FullGradientEngine":
        if options:
            raise ValueError(f"the {cls.name} engine takes no options; got {sorted(options)}")
        cls.refuse_unsupported(models)
        return cls(StackedParams.from_models(models, scissors=False))

    def _train(self, batches: Sequence[Optional[SequenceBatch]], learning_rate: float) -> Trained:
        before = self.params.diverged_at.copy()
        out = train_online_trials(self.params, batches, learning_rate)
        return Trained(outputs=out, diverged=_new_divergences(before, self.params.diverged_at))

"""The paper's learning rule with a weight update at every time step: truncated RTRL (App. A.1).

The 1997 paper learns online with a truncated real-time recurrent learning scheme: along the
sequence it carries, for every cell, the derivative of s_c with respect to the weights into
its input gate and into the cell (eqs. 25 and 27; the scissors make every other trace zero),

    d s_c / d w_in,m  += g(net_c) f'(net_in) z_m(t)          (eq. 25)
    d s_c / d w_c,m   += g'(net_c) y_in z_m(t)               (eq. 27)

and whenever a target arrives it changes the weights at once (output units and output gates
by their instantaneous gradients, eq. 21). When error comes only at the end of a sequence
(experiments 2c-6) this is the same as one update per sequence, which ``engines.lstm1997``
computes backwards. When error comes at *every* step (the embedded Reber grammar, 2a, 2b),
per-step updates give ~10-100 weight changes per sequence instead of one: the paper does
not say which it used (``reproduction.rows.PROTOCOL_CHOICES``), so both are available.

Weights use ``lstm1997``'s containers (``FastParams``, ``StackedParams``) and its forward pass
(``lstm1997_kernels.forward_backward`` in its per-step mode): the network and each step's errors
are computed by the same code as on the per-sequence path; only the learning rule differs. Inputs are read as ``SparseSteps``, like the per-sequence path.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

import numba
import numpy as np

from lstm_core.tasks.base import SequenceBatch
from lstm_core.training.engines.base import (
    Trained, check_divergence, check_learning_rate, divergence_message, select_batches,
)
from lstm_core.training.engines.lstm1997 import LSTM1997Engine, _new_divergences
from lstm_core.training.engines.lstm1997_kernels import forward_backward
from lstm_core.training.engines.lstm1997_params import FastParams, StackedParams, structure, supports
from lstm_core.training.engines.sparse import concat_steps, steps_of
from lstm_core.training.threads import capped, use_threads

__all__ = ["train_online", "train_online_trials", "RTRLEngine"]


@numba.njit(parallel=True, cache=True)
def _trials(W, Wk, bias_h, bias_k, dims, active, ptr, idx, val, step0, lengths, targets, masks, lr, out, failed):
    """Per-step truncated RTRL for the trials in ``active``, in parallel; failed[k]: first non-finite sequence."""
    B, S = dims[1], dims[2]
    C = B * S
    H, F = W.shape[1], W.shape[2]
    T = targets.shape[2]
    n_out = Wk.shape[1]
    for a in numba.prange(active.shape[0]):
        k = active[a]
        tr_in = np.zeros((C, F))
        tr_c = np.zeros((C, F))
        z = np.zeros(F)
        Y = np.empty((T + 1, H))
        gc = np.empty((T, C))
        gpc = np.empty((T, C))
        yin = np.empty((T, B))
        fpin = np.empty((T, B))
        es = np.empty((T, C))
        D = np.empty((T, H))
        Dk = np.empty((T, n_out))
        for i in range(lengths.shape[1]):
            tr_in[:, :] = 0.0  # the traces start at 0 with every sequence
            tr_c[:, :] = 0.0
            loss, last, ok = forward_backward(W[k], Wk[k], dims, ptr, idx, val, step0[k, i], lengths[k, i],
                                              targets[k, i], masks[k, i], out[k, i], Y, gc, gpc, yin, fpin, es,
                                              D, Dk, lr, bias_h, bias_k, tr_in, tr_c, z)
            if not ok:
                failed[k] = i
                break


def train_online_trials(stacked: StackedParams, batches: Sequence[Optional[SequenceBatch]],
                        learning_rate: float, *, threads: Optional[int] = None) -> np.ndarray:
    """Per-step online learning for every trial whose batch is not None (parallel over trials).

    Returns the outputs (K, n, T_max, n_out) as each step produced them (NaN for skipped
    trials). Updates ``stacked.n_seen``, ``diverged_at`` and ``diverged_how`` (``engines.base``);
    a trial whose error became non-finite has partly updated weights from that sequence: it is
    diverged and skipped from then on.
    """
    if not isinstance(stacked, StackedParams):
        raise ValueError(f"stacked must be StackedParams; got {type(stacked).__name__}")
    lr = check_learning_rate(learning_rate)
    lay = stacked.layout
    K = stacked.n_trials
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
    masks = np.zeros((K, n, T), np.bool_)
    for k, s0 in zip(active, step0s):
        b = batches[k]
        step0[k], lengths[k] = s0, b.lengths
        targets[k, :, :b.T_max], masks[k, :, :b.T_max] = b.targets, b.target_mask
        out[k] = 0.0
    failed = np.full(K, -1, np.int64)
    bias_h, bias_k = lay.bias_flags()
    with use_threads(capped(len(active), threads)):
        _trials(stacked.W, stacked.Wk, bias_h, bias_k, lay.dims(), np.array(active, np.int64), ptr, idx, val,
                step0, lengths, targets, masks, lr, out, failed)
    check_divergence(stacked, active, failed, n, (stacked.W, stacked.Wk))
    return out


def train_online(params: FastParams, batch: SequenceBatch, learning_rate: float) -> np.ndarray:
    """Per-step online learning of one network on a batch's sequences, in order; returns outputs."""
    if not isinstance(params, FastParams):
        raise ValueError(f"params must be FastParams (FastParams.from_model(model)); got {type(params).__name__}")
    lr = check_learning_rate(learning_rate)
    stacked = StackedParams(params.layout, params.W[None], params.Wk[None])  # views: trained in place
    out = train_online_trials(stacked, [batch], lr)
    if stacked.diverged_at[0] >= 0:
        raise ValueError(divergence_message(stacked, 0, lr))
    return out[0]


class RTRLEngine(LSTM1997Engine):
    """The 1997 network with an update at every step with error (truncated RTRL, App. A.1)."""

    name = "rtrl"

    @staticmethod
    def supports(model: Any) -> tuple[bool, str]:
        ok, why = supports(model)
        if not ok and structure(model)[0] and not model.cell.scissors:
            why = ("the scissors are off: per-step updates with the full gradient (full RTRL) have no engine; "
                   "train it with updates='sequence' (the lstm1997-full engine) or turn the scissors on")
        return ok, why

    def _train(self, batches: Sequence[Optional[SequenceBatch]], learning_rate: float) -> Trained:
        before = self.params.diverged_at.copy()
        out = train_online_trials(self.params, batches, learning_rate)
        return Trained(outputs=out, diverged=_new_divergences(before, self.params.diverged_at))

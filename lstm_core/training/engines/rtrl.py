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

Weights use ``lstm1997``'s containers (``FastParams``, ``StackedParams``) and its forward step
(``lstm1997_kernels.forward_step``): the network computes exactly as on the per-sequence path;
only the learning rule differs. Inputs are read as ``SparseSteps``, like the per-sequence path.
"""

from __future__ import annotations

import math
from typing import Optional, Sequence

import numba
import numpy as np

from lstm_core.tasks.base import SequenceBatch
from lstm_core.training.engines.base import (
    Trained, check_divergence, check_learning_rate, divergence_message, select_batches,
)
from lstm_core.training.engines.lstm1997 import LSTM1997Engine, _new_divergences
from lstm_core.training.engines.lstm1997_kernels import forward_step
from lstm_core.training.engines.lstm1997_params import FastParams, StackedParams
from lstm_core.training.engines.sparse import concat_steps, steps_of
from lstm_core.training.threads import capped, use_threads

__all__ = ["train_online", "train_online_trials", "RTRLEngine"]


@numba.njit(cache=True)
def _train_sequence(W, Wk, bias_h, bias_k, dims, ptr, idx, val, step0, L, target, mask, lr, out, tr_in, tr_c):
    """Per-step truncated RTRL on one sequence, updating W and Wk in place. False if non-finite."""
    n_in, B, S, has_out = dims[0], dims[1], dims[2], dims[3]
    C = B * S
    H = W.shape[0]
    F = W.shape[1]
    K = Wk.shape[0]
    z = np.zeros(F)
    Y = np.zeros((L + 1, H))  # Y[t] = y(t-1): y(-1) = 0
    s = np.zeros(C)
    net = np.empty(H)
    yin = np.empty((L, B))
    fpin = np.empty((L, B))
    gc = np.empty((L, C))
    gpc = np.empty((L, C))
    yout = np.ones(B)
    hs = np.empty(C)
    hps = np.empty(C)
    yk = np.empty(K)
    fk = np.empty(K)
    dk = np.empty(K)
    e_s = np.empty(C)
    e_out = np.empty(B)
    tr_in[:, :] = 0.0
    tr_c[:, :] = 0.0
    for t in range(L):
        if not forward_step(W, Wk, dims, ptr, idx, val, step0 + t, Y, t, s, net, yin, fpin, gc, gpc, yout,
                            hs, hps, yk, fk):
            return False
        # z(t) = [x(t), y(t-1), 1] as a dense vector, for the traces
        for j in range(n_in):
            z[j] = 0.0
        for e in range(ptr[step0 + t], ptr[step0 + t + 1]):
            z[idx[e]] = val[e]
        for j in range(H):
            z[n_in + j] = Y[t, j]
        z[F - 1] = 1.0
        for c in range(C):  # eqs. 25 and 27
            b = c // S
            for j in range(F):
                tr_in[c, j] += gc[t, c] * fpin[t, b] * z[j]
                tr_c[c, j] += gpc[t, c] * yin[t, b] * z[j]
        for k in range(K):
            out[t, k] = yk[k]
            dk[k] = (yk[k] - target[t, k]) * fk[k]
        if not mask[t]:
            continue
        # errors with the weights as they are, then the update
        for b in range(B):
            e_out[b] = 0.0
        for c in range(C):
            ec = 0.0
            for k in range(K):
                ec += Wk[k, c] * dk[k]
            b = c // S
            e_out[b] += ec * hs[c]
            e_s[c] = ec * yout[b] * hps[c]
        for c in range(C):
            if not math.isfinite(e_s[c]):
                return False
        for k in range(K):
            if not math.isfinite(dk[k]):
                return False
            for c in range(C):
                Wk[k, c] -= lr * dk[k] * Y[t + 1, c]
            if bias_k[k]:
                Wk[k, C] -= lr * dk[k]
        for b in range(B):
            if has_out == 1:
                d_out = e_out[b] * yout[b] * (1.0 - yout[b])  # eq. 21: instantaneous only
                r = C + B + b
                for j in range(F - 1):
                    W[r, j] -= lr * d_out * z[j]
                if bias_h[r]:
                    W[r, F - 1] -= lr * d_out
            r = C + b
            for j in range(F):
                grad = 0.0
                for c in range(b * S, (b + 1) * S):
                    grad += e_s[c] * tr_in[c, j]
                if j < F - 1 or bias_h[r]:
                    W[r, j] -= lr * grad
        for c in range(C):
            for j in range(F):
                if j < F - 1 or bias_h[c]:
                    W[c, j] -= lr * e_s[c] * tr_c[c, j]
    return True


@numba.njit(parallel=True, cache=True)
def _trials(W, Wk, bias_h, bias_k, dims, active, ptr, idx, val, step0, lengths, targets, masks, lr, out, failed):
    C = dims[1] * dims[2]
    F = W.shape[2]
    for a in numba.prange(active.shape[0]):
        k = active[a]
        tr_in = np.zeros((C, F))
        tr_c = np.zeros((C, F))
        for i in range(lengths.shape[1]):
            if not _train_sequence(W[k], Wk[k], bias_h, bias_k, dims, ptr, idx, val, step0[k, i], lengths[k, i],
                                   targets[k, i], masks[k, i], lr, out[k, i], tr_in, tr_c):
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

    def _train(self, batches: Sequence[Optional[SequenceBatch]], learning_rate: float) -> Trained:
        before = self.params.diverged_at.copy()
        out = train_online_trials(self.params, batches, learning_rate)
        return Trained(outputs=out, diverged=_new_divergences(before, self.params.diverged_at))

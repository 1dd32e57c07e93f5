"""The paper's learning rule with a weight update at every time step: truncated RTRL (App. A.1).

The 1997 paper learns online with a truncated real-time recurrent learning scheme: along the
sequence it carries, for every cell, the derivative of s_c with respect to the weights into
its input gate and into the cell (eqs. 25 and 27; the scissors make every other trace zero),

    d s_c / d w_in,m  += g(net_c) f'(net_in) z_m(t)          (eq. 25)
    d s_c / d w_c,m   += g'(net_c) y_in z_m(t)               (eq. 27)

and whenever a target arrives it changes the weights at once (output units and output gates
by their instantaneous gradients, eq. 21). When error comes only at the end of a sequence
(experiments 2c-6) this is the same as one update per sequence, which ``lstm_core.training.engines.lstm1997``
computes backwards. When error comes at *every* step (the embedded Reber grammar, 2a, 2b),
per-step updates give ~10-100 weight changes per sequence instead of one: the paper does
not say which it used (``lstm_core.reproduction.rows.PROTOCOL_CHOICES``), so both are available.

Weights use ``fast.FastParams``' layout (rows [cells, input gates, output gates], columns
z = [x, y(t-1), 1]). Inputs are dense here: the tasks with per-step error have at most 101
input units.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from lstm_core.training.engines.lstm1997 import FastLayout, FastParams, StackedParams, _squash
from lstm_core.tasks.base import SequenceBatch, stack_trial_batches


@numba.njit(cache=True)
def _train_sequence(W, Wk, bias_h, bias_k, dims, x, L, target, mask, lr, out, tr_in, tr_c):
    """Per-step truncated RTRL on one sequence, updating W and Wk in place. False if non-finite."""
    n_in, B, S, has_out, g_code, h_code, o_code = dims[0], dims[1], dims[2], dims[3], dims[4], dims[5], dims[6]
    C = B * S
    H = W.shape[0]
    F = W.shape[1]
    K = Wk.shape[0]
    z = np.zeros(F)
    y_prev = np.zeros(H)
    s = np.zeros(C)
    tr_in[:, :] = 0.0
    tr_c[:, :] = 0.0
    net = np.zeros(H)
    y_in = np.zeros(B)
    fp_in = np.zeros(B)
    y_out = np.ones(B)
    fp_out = np.zeros(B)
    gc = np.zeros(C)
    gpc = np.zeros(C)
    hs = np.zeros(C)
    hps = np.zeros(C)
    yc = np.zeros(C)
    yk = np.zeros(K)
    dk = np.zeros(K)
    for t in range(L):
        for j in range(n_in):
            z[j] = x[t, j]
        for j in range(H):
            z[n_in + j] = y_prev[j]  # y(t-1) enters as a constant: the scissors
        z[F - 1] = 1.0
        for r in range(H):
            a = 0.0
            for j in range(F):
                a += W[r, j] * z[j]
            net[r] = a
        for b in range(B):
            y_in[b], fp_in[b] = _squash(0, net[C + b])
            if has_out == 1:
                y_out[b], fp_out[b] = _squash(0, net[C + B + b])
        for c in range(C):
            b = c // S
            gc[c], gpc[c] = _squash(g_code, net[c])
            s[c] += y_in[b] * gc[c]  # the CEC
            for j in range(F):  # eqs. 25 and 27
                tr_in[c, j] += gc[c] * fp_in[b] * z[j]
                tr_c[c, j] += gpc[c] * y_in[b] * z[j]
            hs[c], hps[c] = _squash(h_code, s[c])
            yc[c] = y_out[b] * hs[c]
        for k in range(K):
            a = Wk[k, C]
            for c in range(C):
                a += Wk[k, c] * yc[c]
            yk[k], d = _squash(o_code, a)
            out[t, k] = yk[k]
            dk[k] = (yk[k] - target[t, k]) * d
        if mask[t]:
            # errors with the weights as they are, then the update
            e_s = np.zeros(C)
            e_out = np.zeros(B)
            for c in range(C):
                ec = 0.0
                for k in range(K):
                    ec += Wk[k, c] * dk[k]
                b = c // S
                e_out[b] += ec * hs[c]
                e_s[c] = ec * y_out[b] * hps[c]
            for v in e_s:
                if not math.isfinite(v):
                    return False
            for k in range(K):
                if not math.isfinite(dk[k]):
                    return False
                for c in range(C):
                    Wk[k, c] -= lr * dk[k] * yc[c]
                if bias_k[k]:
                    Wk[k, C] -= lr * dk[k]
            for b in range(B):
                if has_out == 1:
                    d_out = e_out[b] * fp_out[b]  # eq. 21: instantaneous only
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
        for c in range(C):
            y_prev[c] = yc[c]
        for b in range(B):
            y_prev[C + b] = y_in[b]
            if has_out == 1:
                y_prev[C + B + b] = y_out[b]
    return True


@numba.njit(parallel=True, cache=True)
def _trials(W, Wk, bias_h, bias_k, dims, active, X, lengths, targets, masks, lr, out, failed):
    C = dims[1] * dims[2]
    F = W.shape[2]
    for a in numba.prange(active.shape[0]):
        k = active[a]
        tr_in = np.zeros((C, F))
        tr_c = np.zeros((C, F))
        for s in range(X.shape[1]):
            if not _train_sequence(W[k], Wk[k], bias_h, bias_k, dims, X[k, s], lengths[k, s], targets[k, s],
                                   masks[k, s], lr, out[k, s], tr_in, tr_c):
                failed[k] = s
                break


def train_online_trials(stacked: StackedParams, batches: list, learning_rate: float) -> tuple[np.ndarray, np.ndarray]:
    """Per-step online learning for every trial whose batch is not None (parallel over trials).

    Returns the outputs (K, n, T_max, n_out) as each step produced them, and ``failed`` (K,):
    -1, or the index of the sequence where a non-finite error appeared (the trial's weights are
    then partly updated: treat it as diverged).
    """
    if not (isinstance(learning_rate, (int, float)) and math.isfinite(learning_rate) and learning_rate > 0):
        raise ValueError(f"learning_rate must be a positive number, got {learning_rate!r}")
    lay: FastLayout = stacked.layout
    K = stacked.n_trials
    if len(batches) != K:
        raise ValueError(f"need one batch (or None) per trial: {K} trials, got {len(batches)}")
    X, tg, mk, lengths, active = stack_trial_batches(batches, lay.n_inputs, lay.n_outputs,
                                                     skip=stacked.diverged_at >= 0)
    n, T = X.shape[1], X.shape[2]
    out = np.zeros((K, n, T, lay.n_outputs))
    failed = np.full(K, -1, np.int64)
    if active.size:
        bias_h, bias_k = lay.bias_flags()
        _trials(stacked.W, stacked.Wk, bias_h, bias_k, lay.dims(), active, X, lengths, tg, mk,
                float(learning_rate), out, failed)
    for k in active:
        if failed[k] >= 0:
            stacked.diverged_at[k] = stacked.n_seen[k] + failed[k] + 1
            stacked.n_seen[k] += failed[k]
        else:
            stacked.n_seen[k] += n
    return out, failed


def train_online(params: FastParams, batch: SequenceBatch, learning_rate: float) -> np.ndarray:
    """Per-step online learning of one network on a batch's sequences, in order; returns outputs."""
    stacked = StackedParams(params.layout, params.W[None], params.Wk[None])  # views: trained in place
    out, failed = train_online_trials(stacked, [batch], learning_rate)
    if failed[0] >= 0:
        raise ValueError(f"training diverged at sequence {failed[0] + 1} of this batch: lower the learning rate")
    return out[0]

"""A fast online trainer for the vanilla tanh RNN baseline: full backprop through time, numba, float64.

The paper's claim is that gradient methods *without* the CEC fail on its long-lag tasks. To
measure that fairly the baseline gets the same protocol as the 1997 network (one sequence, one
plain gradient step on E/2, the same budget of sequences), and full BPTT, the strongest gradient
the RNN can have. For one sequence with h(t) = tanh(W_ih x(t) + b_ih + W_hh h(t-1) + b_hh) and
outputs y(t) = f(W_o h(t) + b_o):

    delta_o(t) = (y(t) - target(t)) f'(net_o(t))                      masked steps only
    dh(t)      = W_o^T delta_o(t) + W_hh^T da(t+1)                     error reaching h(t)
    da(t)      = dh(t) * (1 - h(t)^2)                                  through the tanh
    dW_ih += da(t) x(t)^T,  dW_hh += da(t) h(t-1)^T,  dW_o += delta_o(t) h(t)^T   (and biases)

The repeated product W_hh^T diag(1 - h^2) in dh is exactly the vanishing factor of chapter 3.
Weights are one ``RNNParams`` per trial, stacked on a leading trial axis; the test file checks
the gradient against torch autograd on ``networks.VanillaRNN``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
import torch

from lstm_core.model.networks import VanillaRNN
from lstm_core.tasks.base import SequenceBatch, stack_trial_batches


@dataclass(eq=False)
class RNNParams:
    """Weights of ``K`` vanilla RNNs (float64, leading trial axis K)."""

    W_ih: np.ndarray  # (K, H, n_in)
    W_hh: np.ndarray  # (K, H, H)
    b_h: np.ndarray  # (K, H): b_ih + b_hh (they always add)
    W_o: np.ndarray  # (K, n_out, H)
    b_o: np.ndarray  # (K, n_out)

    @property
    def n_trials(self) -> int:
        return self.W_ih.shape[0]

    @classmethod
    def from_models(cls, models: list[VanillaRNN]) -> "RNNParams":
        def grab(f):
            return np.stack([f(m).detach().to(torch.float64).numpy() for m in models])

        return cls(grab(lambda m: m.cell.weight_ih), grab(lambda m: m.cell.weight_hh),
                   grab(lambda m: m.cell.bias_ih + m.cell.bias_hh), grab(lambda m: m.output_units.weight),
                   grab(lambda m: m.output_units.bias))

    def copy(self) -> "RNNParams":
        return RNNParams(*(a.copy() for a in (self.W_ih, self.W_hh, self.b_h, self.W_o, self.b_o)))

    def set_trial(self, k: int, other: "RNNParams") -> None:
        for name in ("W_ih", "W_hh", "b_h", "W_o", "b_o"):
            getattr(self, name)[k] = getattr(other, name)[k]


@numba.njit(cache=True)
def _sequence(W_ih, W_hh, b_h, W_o, b_o, x, L, target, mask, lr, out):
    """Forward, BPTT and (if lr > 0) one SGD step for one sequence; returns False if non-finite."""
    H, n_in = W_ih.shape
    n_out = W_o.shape[0]
    h = np.zeros((L + 1, H))  # h[t + 1] is h(t); h[0] = 0
    y = np.zeros((L, n_out))
    for t in range(L):
        for i in range(H):
            a = b_h[i]
            for j in range(n_in):
                a += W_ih[i, j] * x[t, j]
            for j in range(H):
                a += W_hh[i, j] * h[t, j]
            h[t + 1, i] = np.tanh(a)
        for k in range(n_out):
            a = b_o[k]
            for j in range(H):
                a += W_o[k, j] * h[t + 1, j]
            y[t, k] = 1.0 / (1.0 + np.exp(-a))
            out[t, k] = y[t, k]
    if lr <= 0.0:
        return True
    gW_ih, gW_hh, gb_h = np.zeros_like(W_ih), np.zeros_like(W_hh), np.zeros_like(b_h)
    gW_o, gb_o = np.zeros_like(W_o), np.zeros_like(b_o)
    dh_next = np.zeros(H)  # W_hh^T da(t+1)
    da = np.zeros(H)
    for t in range(L - 1, -1, -1):
        dh = dh_next.copy()
        if mask[t]:
            for k in range(n_out):
                d = (y[t, k] - target[t, k]) * y[t, k] * (1.0 - y[t, k])
                gb_o[k] += d
                for j in range(H):
                    gW_o[k, j] += d * h[t + 1, j]
                    dh[j] += W_o[k, j] * d
        for i in range(H):
            da[i] = dh[i] * (1.0 - h[t + 1, i] * h[t + 1, i])
            gb_h[i] += da[i]
            for j in range(n_in):
                gW_ih[i, j] += da[i] * x[t, j]
            for j in range(H):
                gW_hh[i, j] += da[i] * h[t, j]
        for j in range(H):
            s = 0.0
            for i in range(H):
                s += W_hh[i, j] * da[i]
            dh_next[j] = s
    total = gW_ih.sum() + gW_hh.sum() + gb_h.sum() + gW_o.sum() + gb_o.sum()
    if not np.isfinite(total):
        return False
    W_ih -= lr * gW_ih
    W_hh -= lr * gW_hh
    b_h -= lr * gb_h
    W_o -= lr * gW_o
    b_o -= lr * gb_o
    return True


@numba.njit(parallel=True, cache=True)
def _online_trials(W_ih, W_hh, b_h, W_o, b_o, active, X, lengths, targets, masks, lr, out, failed):
    for a in numba.prange(active.shape[0]):
        k = active[a]
        for s in range(X.shape[1]):
            ok = _sequence(W_ih[k], W_hh[k], b_h[k], W_o[k], b_o[k], X[k, s], lengths[k, s], targets[k, s],
                           masks[k, s], lr, out[k, s])
            if not ok:
                failed[k] = s
                break


def train_online_trials(params: RNNParams, batches: list, learning_rate: float) -> tuple[np.ndarray, np.ndarray]:
    """The paper's online protocol for every trial whose batch is not None (in parallel over trials).

    Returns outputs (K, n, T_max, n_out) before each sequence's own update, and ``failed``
    (K,): -1, or the index of the sequence whose gradient was not finite (weights then kept
    from before it). ``learning_rate = 0`` only runs the forward pass.
    """
    if not learning_rate >= 0:
        raise ValueError(f"learning_rate must be >= 0, got {learning_rate!r}")
    K = params.n_trials
    if len(batches) != K:
        raise ValueError(f"need one batch (or None) per trial: {K} trials, got {len(batches)}")
    n_in, n_out = params.W_ih.shape[2], params.W_o.shape[1]
    X, tg, mk, lengths, active = stack_trial_batches(batches, n_in, n_out)
    n, T = X.shape[1], X.shape[2]
    out = np.zeros((K, n, T, n_out))
    failed = np.full(K, -1, np.int64)
    _online_trials(params.W_ih, params.W_hh, params.b_h, params.W_o, params.b_o, active,
                   X, lengths, tg, mk, float(learning_rate), out, failed)
    return out, failed


def sequence_gradients(model: VanillaRNN, batch: SequenceBatch, i: int = 0) -> dict[str, np.ndarray]:
    """The BPTT gradient of E/2 for sequence ``i``, keyed like the model's parameters (for tests)."""
    p = RNNParams.from_models([model])
    before = p.copy()
    lr = 1.0
    train_online_trials(p, [batch.select([i])], lr)
    g = {k: (getattr(before, k)[0] - getattr(p, k)[0]) / lr for k in ("W_ih", "W_hh", "b_h", "W_o", "b_o")}
    return {"cell.weight_ih": g["W_ih"], "cell.weight_hh": g["W_hh"], "cell.bias": g["b_h"],
            "output_units.weight": g["W_o"], "output_units.bias": g["b_o"]}

"""A fast online trainer for the network of experiments 2a and 2b (``networks.LSTM2a``), in numba.

The network (paper, Sec. 5.2) is one memory cell with an input gate, no output gate, no
biases, g = sigmoid, h = identity, and connectivity "B": the output units read the input
units directly and the cell. Its inputs are local codes of p + 1 symbols, so at step t only
the weights of the current symbol sigma_t are touched on the way in:

    net_in(t) = w_in[sigma_t]     y^in(t) = f(net_in(t))
    net_c(t)  = w_c[sigma_t]      s_c(t)  = s_c(t-1) + y^in(t) g(net_c(t))      y^c(t) = h(s_c(t))
    net_k(t)  = w_k[sigma_t] + w_k,c y^c(t)                                     y^k(t) = f(net_k(t))

No net input reads y(t-1), so the paper's scissors (App. A.1) cut nothing and error reaches
the past only through s_c, with derivative exactly 1 (the CEC). With the loss of a sequence
L = 1/2 sum_t sum_k (y^k(t) - t^k(t))^2 over the steps with a target (the paper's E, its
factor 2 moved into the learning rate), the gradient is a reverse running sum:

    delta_k(t)    = (y^k(t) - t^k(t)) f'(net_k(t))                output unit k
    e_s(t)        = h'(s_c(t)) sum_k delta_k(t) w_k,c              error arriving at s_c(t)
    dL/ds_c(t)    = sum_{tau >= t} e_s(tau)                        the CEC
    dL/dw_k[i]   += delta_k(t) [sigma_t = i]       dL/dw_k,c += delta_k(t) y^c(t)
    dL/dw_in[i]  += dL/ds_c(t) g(net_c(t)) f'(net_in(t)) [sigma_t = i]      (eq. 25)
    dL/dw_c[i]   += dL/ds_c(t) y^in(t) g'(net_c(t)) [sigma_t = i]           (eq. 27)

A step costs p + 1 sigmoids and about 3 (p + 1) multiply-adds: a sequence of 2a with p = 100
takes about 0.15 ms on one core. The tests compare every number here with autograd on
``LSTM2a`` in float64.

What lives where
----------------

============================  ================================================================
name                          what
============================  ================================================================
:class:`Weights2a`            float64 weights of one or more trials (leading trial axis):
                              ``from_models``, ``named``, ``to_model``, ``copy``
:func:`symbols_of`            a batch's inputs as symbol indices (n, T_max)
:func:`judged_steps`          where the success criterion looks: 2a every step, else the last
:func:`sequence_gradients`    outputs, loss and gradient of one sequence, keyed like
                              ``model.named_parameters()``
:func:`forward`               outputs (n, T_max, n_out) of one trial's network on a batch
:func:`train_online`          the paper's protocol for one trial: one sequence, one update
:func:`train_online_trials`   the same for several trials, each on its own batch
============================  ================================================================

Training returns, per sequence, the largest absolute output error over the judged steps
(``judged_steps``), computed before that sequence's own update: what the stopping rule of
Exp. 2 needs, without keeping p x (p + 1) outputs per sequence. It equals
``tasks.long_lag.sequence_error`` of the outputs.

The paper added the cell and its input gate only "once the error has stopped decreasing"
(Sec. 5.2). ``Weights2a.cell_from`` does that after a given number of training sequences:
until then the cell's output is 0 for the output units and no error reaches the cell.

Weight layout (ours): ``Wh`` (K, 2, n_in) holds the rows [cell (w_c), input gate (w_in)];
``V`` (K, n_out, n_in + 1) the output units, columns [inputs, cell]. Divergence: if a loss or
delta of a sequence is not finite, nothing of it is written and the trial stops with the
weights from before that sequence (``Weights2a.diverged_at``).
"""

from __future__ import annotations

import math
from typing import Any, Optional, Sequence, Union

import numpy as np
import torch
from numba import njit

from lstm_core.model.networks import LSTM2a
from lstm_core.tasks.base import SequenceBatch, end_mask, step_mask
from lstm_core.tasks.long_lag import ERROR_BOUNDS
from lstm_core.training.engines.base import (
    Engine, Trained, check_batch, check_divergence, check_learning_rate, divergence_message, select_batches,
)
from lstm_core.training.engines.lstm2a_params import _CELL, _GATE, Weights2a, _as_weights
from lstm_core.training.engines.squash import SQUASH_CODES, squash as _squash

__all__ = [
    "Weights2a",
    "symbols_of",
    "judged_steps",
    "sequence_gradients",
    "forward",
    "train_online",
    "train_online_trials",
    "LSTM2aEngine",
]


# ======================================================================================
# Batches: symbols and judged steps
# ======================================================================================
def symbols_of(batch: SequenceBatch, n_inputs: int) -> np.ndarray:
    """(n, T_max) int64 input symbol of each step (-1 after a sequence's end).

    Read from ``batch.info["symbols"]`` when the task provides it (then ``batch.inputs`` may be a
    placeholder), else from one-hot ``batch.inputs``. Raises ValueError if a step inside a
    sequence has no symbol in [0, n_inputs), or if the inputs are not one-hot.
    """
    inside = step_mask(batch.lengths, batch.T_max)
    if "symbols" in batch.info:
        sym = np.asarray(batch.info["symbols"], dtype=np.int64)
        if sym.shape != (batch.n, batch.T_max):
            raise ValueError(f"info['symbols'] must have shape {(batch.n, batch.T_max)}; got {sym.shape}")
    else:
        x = batch.inputs
        if not (((x == 0) | (x == 1)).all() and ((x.sum(axis=-1) == 1) | ~inside).all()):
            raise ValueError("this network's fast path needs one-hot (local) inputs: one unit at 1 per step")
        sym = x.argmax(axis=-1).astype(np.int64)
    sym = np.where(inside, sym, -1)
    if sym[inside].size and (sym[inside].min() < 0 or sym[inside].max() >= n_inputs):
        raise ValueError(f"every step needs an input symbol in [0, {n_inputs}); got {sym[inside].min()}.."
                         f"{sym[inside].max()}")
    return np.ascontiguousarray(sym)


def judged_steps(batch: SequenceBatch) -> np.ndarray:
    """(n, T_max) bool: the steps whose largest absolute output error the success criterion bounds.

    As ``tasks.long_lag.sequence_error``: every step of task 2a, the last step otherwise (2b).
    """
    if batch.task == "2a":
        return step_mask(batch.lengths, batch.T_max)
    return end_mask(batch.lengths, batch.T_max)


# ======================================================================================
# The kernels
# ======================================================================================
@njit(cache=True)
def _sequence(Wh, V, codes, sym, L, targ, mask, judge, out, keep_out, cell_on, hs, es, yin, fpin, gc, gpc, Dk,
              din, dc):
    """Forward and backward pass of one sequence with the weights (Wh, V); writes no weight.

    Fills the deltas Dk (T, n_out), din, dc (T,) and the cell outputs hs (T,). Returns
    (loss, judged max |y^k - t^k|, ok); ok is False if a net input, the loss or a delta is
    not finite.
    """
    n_in = Wh.shape[1]
    n_out = V.shape[0]
    g_code, h_code, o_code = codes[0], codes[1], codes[2]
    s = 0.0  # s_c(0) = 0: activations are reset at every sequence start
    loss = 0.0
    err = 0.0
    for t in range(L):
        i = sym[t]  # the one input unit that is on
        # input gate and cell read x(t) only: net_in = w_in[i], net_c = w_c[i]
        yin[t], fpin[t] = _squash(0, Wh[1, i])
        gc[t], gpc[t] = _squash(g_code, Wh[0, i])
        # CEC: s_c(t) = s_c(t-1) + y^in g(net_c);  y^c = h(s_c)  (no output gate)
        s += yin[t] * gc[t]
        hv, hd = _squash(h_code, s)
        if not cell_on:  # the cell not (yet) in the net: nothing reads it, no error reaches it
            hv, hd = 0.0, 0.0
        if not math.isfinite(hv):
            return math.nan, math.nan, False
        hs[t] = hv
        # output units: net_k = w_k[i] + w_k,c y^c   (connectivity "B")
        e = 0.0
        for k in range(n_out):
            yk, dk = _squash(o_code, V[k, i] + V[k, n_in] * hv)
            if keep_out:
                out[t, k] = yk
            diff = yk - targ[t, k]
            if judge[t] and abs(diff) > err:
                err = abs(diff)
            if mask[t]:
                loss += 0.5 * diff * diff
                d = diff * dk  # delta_k = (y^k - t^k) f'(net_k)
                Dk[t, k] = d
                e += d * V[k, n_in]
        es[t] = e * hd if mask[t] else 0.0  # error arriving at s_c(t) from this step's outputs
    if not math.isfinite(loss):
        return loss, err, False
    acc = 0.0  # dL/ds_c(t) = sum_{tau >= t} e_s(tau): the CEC carries error back unchanged
    for t in range(L - 1, -1, -1):
        acc += es[t]
        din[t] = acc * gc[t] * fpin[t]  # eq. 25: input gate
        dc[t] = acc * yin[t] * gpc[t]  # eq. 27: cell
        if not (math.isfinite(din[t]) and math.isfinite(dc[t])):
            return loss, err, False
        if mask[t]:
            for k in range(n_out):
                if not math.isfinite(Dk[t, k]):
                    return loss, err, False
    return loss, err, True


@njit(cache=True)
def _apply(GWh, GV, scale, sym, L, mask, hs, Dk, din, dc):
    """G += scale * gradient of the sequence (stored deltas). scale = -lr makes it the SGD step."""
    n_in = GWh.shape[1]
    n_out = GV.shape[0]
    for t in range(L):
        i = sym[t]
        GWh[1, i] += scale * din[t]
        GWh[0, i] += scale * dc[t]
        if mask[t]:
            h = hs[t]
            for k in range(n_out):
                d = scale * Dk[t, k]
                GV[k, i] += d
                GV[k, n_in] += d * h


@njit(cache=True)
def _run(Wh, V, codes, sym, lengths, targets, mask, judge, lr, keep_out, cell_on, out, GWh, GV, losses, errors):
    """Sequences in order. lr > 0: online SGD on (Wh, V), one update per sequence. lr = 0: the
    weights stay, gradients are summed into (GWh, GV). Returns the index of the first sequence
    that was not finite (nothing of it applied; the run stops there), or -1."""
    n, T = sym.shape
    n_out = V.shape[0]
    hs = np.empty(T)
    es = np.empty(T)
    yin = np.empty(T)
    fpin = np.empty(T)
    gc = np.empty(T)
    gpc = np.empty(T)
    din = np.empty(T)
    dc = np.empty(T)
    Dk = np.zeros((T, n_out))
    for i in range(n):
        L = lengths[i]
        loss, err, ok = _sequence(Wh, V, codes, sym[i], L, targets[i], mask[i], judge[i], out[i], keep_out,
                                  cell_on, hs, es, yin, fpin, gc, gpc, Dk, din, dc)
        if not ok:
            return i
        losses[i] = loss
        errors[i] = err
        if lr > 0.0:
            _apply(Wh, V, -lr, sym[i], L, mask[i], hs, Dk, din, dc)
        else:
            _apply(GWh, GV, 1.0, sym[i], L, mask[i], hs, Dk, din, dc)
    return -1


def _call(w: Weights2a, k: int, batch: SequenceBatch, lr: float, keep_out: bool,
          cell_on: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """Run the kernel for trial k on a batch; returns outputs, losses, errors, GWh, GV, failed.

    lr > 0 trains trial k in place (outputs are not kept); lr = 0 leaves it and sums gradients.
    """
    sym = symbols_of(batch, w.config.n_inputs)
    n, T = sym.shape
    out = np.zeros((n, T, w.config.n_outputs) if keep_out else (n, 1, w.config.n_outputs))
    losses, errors = np.zeros(n), np.zeros(n)
    GWh, GV = np.zeros_like(w.Wh[k]), np.zeros_like(w.V[k])
    failed = _run(w.Wh[k], w.V[k], w.codes, sym, np.ascontiguousarray(batch.lengths, np.int64),
                  np.ascontiguousarray(batch.targets), np.ascontiguousarray(batch.target_mask, np.bool_),
                  np.ascontiguousarray(judged_steps(batch)), float(lr), keep_out, cell_on, out, GWh, GV, losses, errors)
    return out, losses, errors, GWh, GV, int(failed)


# ======================================================================================
# Public functions
# ======================================================================================
def sequence_gradients(model_or_weights: Union[LSTM2a, Weights2a], inputs: Any, targets: Any,
                       mask: Any) -> tuple[np.ndarray, float, dict[str, np.ndarray]]:
    """Outputs, loss and gradient of one sequence, in float64 (trial 0 of a ``Weights2a``).

    inputs: (T,) int symbol indices or (T, n_in) one-hot codes; targets (T, n_out), any reals;
    mask (T,) bool, the steps with a target. Returns outputs (T, n_out), loss = 1/2 sum over
    masked steps and outputs of (y^k - t^k)^2, and dL/dw keyed and shaped like
    ``model.named_parameters()``.
    """
    w = _as_weights(model_or_weights)
    c = w.config
    x, y, m = (np.asarray(a.detach().cpu() if isinstance(a, torch.Tensor) else a) for a in (inputs, targets, mask))
    if x.ndim == 2 and x.shape[1] == c.n_inputs:
        if not (((x == 0) | (x == 1)).all() and (x.sum(axis=1) == 1).all()):
            raise ValueError("inputs (T, n_in) must be one-hot: one unit at 1 per step")
        x = x.argmax(axis=1)
    if x.ndim != 1 or x.size < 1 or not np.issubdtype(x.dtype, np.integer):
        raise ValueError(f"inputs must be int symbols (T,) or one-hot codes (T, {c.n_inputs}); got "
                         f"{x.dtype} {x.shape}")
    T = x.size
    if x.min() < 0 or x.max() >= c.n_inputs:
        raise ValueError(f"symbols must lie in [0, {c.n_inputs}); got {x.min()}..{x.max()}")
    y = y.astype(np.float64)
    if y.shape != (T, c.n_outputs):
        raise ValueError(f"targets must have shape ({T}, {c.n_outputs}); got {y.shape}")
    if m.shape != (T,) or m.dtype != np.bool_:
        raise ValueError(f"mask must be a bool array of shape ({T},); got {m.dtype} {m.shape}")
    if not np.isfinite(y[m]).all():
        raise ValueError("masked targets contain NaN or inf")
    out = np.zeros((1, T, c.n_outputs))
    losses, errors = np.zeros(1), np.zeros(1)
    GWh, GV = np.zeros_like(w.Wh[0]), np.zeros_like(w.V[0])
    failed = _run(w.Wh[0], w.V[0], w.codes, x.astype(np.int64)[None], np.array([T], np.int64), y[None],
                  np.ascontiguousarray(m[None]), np.zeros((1, T), np.bool_), 0.0, True, True, out, GWh, GV, losses, errors)
    if failed >= 0:
        raise ValueError("the loss or gradient of this sequence is not finite; the weights are too large")
    grads = {"weight_in": GWh[_GATE][None].copy(), "weight_c": GWh[_CELL][None].copy(), "output_units.weight": GV}
    return out[0], float(losses[0]), grads


def forward(weights: Union[LSTM2a, Weights2a], batch: SequenceBatch, k: int = 0) -> np.ndarray:
    """Outputs (n, T_max, n_out) of trial ``k`` on ``batch`` (zero after each length); no update."""
    w = _as_weights(weights)
    check_batch(batch, w.config.n_inputs, w.config.n_outputs)
    if not -w.n_trials <= k < w.n_trials:
        raise ValueError(f"trial index {k} out of range for {w.n_trials} trials")
    k = k % w.n_trials
    out, _, _, _, _, failed = _call(w, k, batch, 0.0, True, w.cell_present(k))
    if failed >= 0:
        raise ValueError(f"the outputs of sequence {failed} are not finite; the weights are too large")
    return out


def train_online(weights: Weights2a, batch: SequenceBatch, learning_rate: float) -> np.ndarray:
    """The paper's protocol for a one-trial ``weights``: per sequence reset, forward, gradient, SGD step.

    W -= learning_rate * dL/dW after every sequence. Returns each sequence's judged error
    (largest |y^k - t^k| over ``judged_steps``), measured before its own update. Mutates
    ``weights``; raises ValueError if training diverges (``engines.base``; after a non-finite
    sequence the weights are those from before it).
    """
    if not isinstance(weights, Weights2a) or weights.n_trials != 1:
        raise ValueError("weights must be a one-trial Weights2a (Weights2a.from_models([model]) or .trial(k))")
    lr = check_learning_rate(learning_rate)
    errors = train_online_trials(weights, [batch], lr)
    if weights.diverged_at[0] >= 0:
        raise ValueError(divergence_message(weights, 0, lr))
    return errors[0]


def train_online_trials(weights: Weights2a, batches: Sequence[Optional[SequenceBatch]],
                        learning_rate: float) -> np.ndarray:
    """:func:`train_online` for every trial k on ``batches[k]`` (None: leave trial k alone).

    All given batches hold the same number n of sequences. Returns judged errors (n_trials, n):
    NaN for skipped trials and from the sequence where a trial diverged on. Updates
    ``n_seen``, ``diverged_at`` and ``diverged_how``; a diverged trial is skipped from then on.
    A trial's cell joins after ``weights.cell_from`` sequences, in the middle of a batch if need be.
    """
    if not isinstance(weights, Weights2a):
        raise ValueError(f"weights must be a Weights2a; got {type(weights).__name__}")
    lr = check_learning_rate(learning_rate)
    K, c = weights.n_trials, weights.config
    given, n = select_batches(batches, K, c.n_inputs, c.n_outputs)
    errors = np.full((K, n), np.nan)
    failed = np.full(K, -1, np.int64)
    active = [k for k in given if weights.diverged_at[k] < 0]
    for k in active:
        b = batches[k]
        # the sequences before the cell is added, then those after (either part may be empty)
        split = int(np.clip(weights.cell_from - weights.n_seen[k], 0, n))
        done = 0
        for part, cell_on in ((np.arange(split), False), (np.arange(split, n), True)):
            if part.size == 0:
                continue
            _, _, err, _, _, f = _call(weights, k, b if part.size == n else b.select(part), lr, False, cell_on)
            if f >= 0:
                errors[k, done:done + f] = err[:f]
                failed[k] = done + f
                break
            errors[k, done:done + part.size] = err
            done += part.size
    check_divergence(weights, active, failed, n, (weights.Wh, weights.V))
    return errors


class LSTM2aEngine(Engine):
    """The 2a/2b network (``LSTM2a``: one cell, input gate only, connectivity "B") on ``Weights2a``.

    Training returns each sequence's judged error (the largest |t_k - y_k| where
    ``tasks.long_lag.sequence_error`` looks) rather than its outputs: p x (p + 1) outputs per
    sequence would be about 80 kB each. ``from_models(models, cell_from=...)``: see ``Weights2a``.
    """

    name = "lstm2a"

    def __init__(self, weights: Weights2a) -> None:
        if not isinstance(weights, Weights2a):
            raise ValueError(f"weights must be a Weights2a; got {type(weights).__name__}")
        self.params = weights

    @staticmethod
    def supports(model: Any) -> tuple[bool, str]:
        if not isinstance(model, LSTM2a):
            return False, f"the 2a/2b engine runs the network of experiments 2a/2b (LSTM2a) only, got {type(model).__name__}"
        c = model.config
        for name in (c.g, c.h, c.output_activation):
            if name not in SQUASH_CODES:
                return False, f"squasher {name!r} is not one of {sorted(SQUASH_CODES)}"
        return True, ""

    @classmethod
    def from_models(cls, models: Sequence[Any], *, cell_from: int = 0) -> "LSTM2aEngine":
        cls.refuse_unsupported(models)
        return cls(Weights2a.from_models(models, cell_from=cell_from))

    def _train(self, batches: Sequence[Optional[SequenceBatch]], learning_rate: float) -> Trained:
        before = self.params.diverged_at.copy()
        errors = train_online_trials(self.params, batches, learning_rate)
        return Trained(errors=errors, diverged=[k for k in range(before.size)
                                                if before[k] < 0 <= self.params.diverged_at[k]])

    def judge(self, trained: Trained, k: int, batch: SequenceBatch, task: Any) -> tuple[np.ndarray, np.ndarray]:
        error = trained.errors[k, :batch.n]  # already the judged error of each sequence
        return error < ERROR_BOUNDS[batch.task], error

    def forward(self, k: int, batch: SequenceBatch) -> np.ndarray:
        return forward(self.params, batch, k)

    def trial_params(self, k: int) -> Weights2a:
        return self.params.trial(k).copy()

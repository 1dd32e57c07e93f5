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
from dataclasses import dataclass
from typing import Any, Optional, Sequence, Union

import numpy as np
import torch
from numba import njit

from lstm_core.training.engines.lstm1997 import _SQUASH_CODES, _check_lr, _squash, trial_counters
from lstm_core.model.networks import LSTM2a, LSTM2aConfig
from lstm_core.tasks.base import SequenceBatch, end_mask, step_mask

__all__ = [
    "Weights2a",
    "symbols_of",
    "judged_steps",
    "sequence_gradients",
    "forward",
    "train_online",
    "train_online_trials",
]

_CELL, _GATE = 0, 1  # rows of Wh


# ======================================================================================
# Weights
# ======================================================================================
@dataclass(eq=False)
class Weights2a:
    """float64 weights of ``n_trials`` independent ``LSTM2a`` networks of one configuration.

    ``trial(k)`` is a one-trial view (training it trains these arrays). ``n_seen[k]`` counts
    the sequences trial k has trained on; ``diverged_at[k]`` is -1 while it is healthy, else
    the (1-based) count of the sequence whose loss or deltas were not finite.

    ``cell_from`` is the paper's sequential construction (Sec. 4, "abuse problem", solution 1):
    the cell and its input gate join the net only after that many training sequences. Before,
    the output units read the inputs alone (nothing reads the cell, no error reaches it, so its
    weights and its output weights keep their initial values). 0: the cell is there from the start.
    """

    config: LSTM2aConfig  # sizes and squashers, shared by every trial
    Wh: np.ndarray  # (K, 2, n_in) float64: rows [cell w_c, input gate w_in]
    V: np.ndarray  # (K, n_out, n_in + 1) float64: output units, columns [inputs, cell]
    n_seen: Optional[np.ndarray] = None  # (K,) int64 sequences trained on; None: zeros
    diverged_at: Optional[np.ndarray] = None  # (K,) int64, -1 = healthy; None: all -1
    cell_from: int = 0  # training sequences before the cell and its input gate are added (0: from the start)

    def __post_init__(self) -> None:
        c = self.config
        if isinstance(self.cell_from, bool) or not isinstance(self.cell_from, (int, np.integer)) or self.cell_from < 0:
            raise ValueError(f"cell_from must be an int >= 0; got {self.cell_from!r}")
        if not isinstance(c, LSTM2aConfig):
            raise ValueError(f"config must be an LSTM2aConfig; got {type(c).__name__}")
        for name in (c.g, c.h, c.output_activation):
            if name not in _SQUASH_CODES:
                raise ValueError(f"squasher {name!r} is not one of {sorted(_SQUASH_CODES)}")
        Wh = np.asarray(self.Wh)
        if Wh.ndim != 3 or Wh.shape[0] < 1:
            raise ValueError(f"Wh must have shape (n_trials, 2, n_inputs); got {Wh.shape}")
        K = Wh.shape[0]
        self.Wh = _check_array("Wh", Wh, (K, 2, c.n_inputs))
        self.V = _check_array("V", self.V, (K, c.n_outputs, c.n_inputs + 1))
        self.n_seen, self.diverged_at = trial_counters(self.n_seen, self.diverged_at, K)

    @property
    def n_trials(self) -> int:
        return int(self.Wh.shape[0])

    @property
    def codes(self) -> np.ndarray:
        """The kernels' squasher codes (g, h, output units)."""
        c = self.config
        return np.array([_SQUASH_CODES[c.g], _SQUASH_CODES[c.h], _SQUASH_CODES[c.output_activation]], np.int64)

    def cell_present(self, k: int = 0) -> bool:
        """Whether trial ``k``'s net has its cell yet (``n_seen[k] >= cell_from``)."""
        return bool(self.n_seen[k] >= self.cell_from)

    @classmethod
    def from_models(cls, models: Sequence[LSTM2a], cell_from: int = 0) -> Weights2a:
        """One trial per model (float64 copies of their weights); ``cell_from`` as in the class."""
        if len(models) == 0:
            raise ValueError("need at least one LSTM2a")
        for i, m in enumerate(models):
            if not isinstance(m, LSTM2a):
                raise ValueError(f"models[{i}] must be an LSTM2a; got {type(m).__name__}")
            if _layout(m.config) != _layout(models[0].config):
                raise ValueError(f"models[{i}] has config {m.config}, models[0] {models[0].config}; sizes and "
                                 "squashers must match")
        get = lambda t: t.detach().cpu().to(torch.float64).numpy()  # noqa: E731
        Wh = np.stack([np.stack([get(m.weight_c)[0], get(m.weight_in)[0]]) for m in models])
        V = np.stack([get(m.output_units.weight) for m in models])
        if not (np.isfinite(Wh).all() and np.isfinite(V).all()):
            raise ValueError("a model's weights contain NaN or inf; re-initialise it")
        return cls(models[0].config, np.ascontiguousarray(Wh), np.ascontiguousarray(V), cell_from=cell_from)

    def trial(self, k: int) -> Weights2a:
        """A one-trial view of trial ``k`` (its arrays share memory with these)."""
        if not -self.n_trials <= k < self.n_trials:
            raise ValueError(f"trial index {k} out of range for {self.n_trials} trials")
        k = k % self.n_trials
        return Weights2a(self.config, self.Wh[k:k + 1], self.V[k:k + 1], self.n_seen[k:k + 1],
                         self.diverged_at[k:k + 1], self.cell_from)

    def named(self, k: int = 0) -> dict[str, np.ndarray]:
        """Trial ``k``'s weights as copies keyed and shaped like ``LSTM2a.named_parameters()``.

        Before its cell is added (``cell_present``) the cell's output weights read as 0, so an
        ``LSTM2a`` with these weights computes what the trial's net computes.
        """
        V = self.V[k].copy()
        if not self.cell_present(k):
            V[:, -1] = 0.0
        return {"weight_in": self.Wh[k, _GATE][None].copy(), "weight_c": self.Wh[k, _CELL][None].copy(),
                "output_units.weight": V}

    def to_model(self, model: LSTM2a, k: int = 0) -> LSTM2a:
        """Copy trial ``k``'s weights into ``model`` (in its dtype); returns the model."""
        if not isinstance(model, LSTM2a) or _layout(model.config) != _layout(self.config):
            raise ValueError(f"model must be an LSTM2a with config like {self.config}")
        params = dict(model.named_parameters())
        with torch.no_grad():
            for name, value in self.named(k).items():
                params[name].copy_(torch.from_numpy(value))
        return model

    def copy(self) -> Weights2a:
        return Weights2a(self.config, self.Wh.copy(), self.V.copy(), self.n_seen.copy(), self.diverged_at.copy(),
                         self.cell_from)


def _layout(config: LSTM2aConfig) -> tuple:
    """What the kernels depend on (init_range does not matter once the weights exist)."""
    return config.n_inputs, config.n_outputs, config.g, config.h, config.output_activation


def _check_array(name: str, value: Any, shape: tuple[int, ...]) -> np.ndarray:
    arr = np.asarray(value)
    if arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape}; got {arr.shape}")
    if arr.dtype != np.float64 or not arr.flags.c_contiguous:
        raise ValueError(f"{name} must be a C-contiguous float64 array (the kernels update it in place); "
                         f"got {arr.dtype}, contiguous={arr.flags.c_contiguous}")
    return arr


def _as_weights(model_or_weights: Any) -> Weights2a:
    if isinstance(model_or_weights, Weights2a):
        return model_or_weights
    if isinstance(model_or_weights, LSTM2a):
        return Weights2a.from_models([model_or_weights])
    raise ValueError(f"expected an LSTM2a or Weights2a; got {type(model_or_weights).__name__}")


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


def _check_batch(batch: Any, config: LSTM2aConfig, what: str = "batch") -> SequenceBatch:
    if not isinstance(batch, SequenceBatch):
        raise ValueError(f"{what} must be a SequenceBatch; got {type(batch).__name__}")
    if batch.n_inputs != config.n_inputs or batch.n_outputs != config.n_outputs:
        raise ValueError(f"{what} has {batch.n_inputs} inputs and {batch.n_outputs} outputs per step; "
                         f"the network expects {config.n_inputs} and {config.n_outputs}")
    if (~np.isfinite(batch.targets).all(axis=-1) & batch.target_mask).any():
        raise ValueError(f"{what} contains NaN or inf in its masked targets")
    return batch


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
    _check_batch(batch, w.config)
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
    ``weights``; raises ValueError if a sequence's loss or deltas are not finite (the weights
    are then those from before it).
    """
    if not isinstance(weights, Weights2a) or weights.n_trials != 1:
        raise ValueError("weights must be a one-trial Weights2a (Weights2a.from_models([model]) or .trial(k))")
    errors = train_online_trials(weights, [batch], learning_rate)
    if weights.diverged_at[0] >= 0:
        raise ValueError(f"training diverged at sequence {int(weights.diverged_at[0])}: lower the learning rate")
    return errors[0]


def train_online_trials(weights: Weights2a, batches: Sequence[Optional[SequenceBatch]],
                        learning_rate: float) -> np.ndarray:
    """:func:`train_online` for every trial k on ``batches[k]`` (None: leave trial k alone).

    All given batches hold the same number n of sequences. Returns judged errors (n_trials, n):
    NaN for skipped trials and from the sequence where a trial diverged on. Updates
    ``n_seen`` and ``diverged_at``; a diverged trial is skipped from then on. A trial's cell
    joins after ``weights.cell_from`` sequences, in the middle of a batch if need be.
    """
    if not isinstance(weights, Weights2a):
        raise ValueError(f"weights must be a Weights2a; got {type(weights).__name__}")
    lr = _check_lr(learning_rate)
    K = weights.n_trials
    if len(batches) != K:
        raise ValueError(f"need one batch (or None) per trial: {K} trials, got {len(batches)} batches")
    given = [b for b in batches if b is not None]
    if not given:
        raise ValueError("every batch is None: nothing to train")
    for k, b in enumerate(batches):
        if b is not None:
            _check_batch(b, weights.config, f"batches[{k}]")
    n = given[0].n
    if any(b.n != n for b in given):
        raise ValueError(f"every batch must hold the same number of sequences; got {[b.n for b in given]}")
    errors = np.full((K, n), np.nan)
    for k, b in enumerate(batches):
        if b is None or weights.diverged_at[k] >= 0:
            continue
        # the sequences before the cell is added, then those after (either part may be empty)
        split = int(np.clip(weights.cell_from - weights.n_seen[k], 0, n))
        done = 0
        for part, cell_on in ((np.arange(split), False), (np.arange(split, n), True)):
            if part.size == 0:
                continue
            _, _, err, _, _, failed = _call(weights, k, b if part.size == n else b.select(part), lr, False, cell_on)
            if failed >= 0:
                errors[k, done:done + failed] = err[:failed]
                weights.diverged_at[k] = weights.n_seen[k] + failed + 1
                weights.n_seen[k] += failed
                break
            errors[k, done:done + part.size] = err
            weights.n_seen[k] += part.size
            done += part.size
    return errors

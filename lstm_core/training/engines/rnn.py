"""A fast online trainer for the vanilla tanh RNN baseline: full backprop through time, numba, float64.

The paper's claim is that gradient methods *without* the CEC fail on its long-lag tasks. To
measure that fairly the baseline gets the same protocol as the 1997 network (one sequence, one
plain gradient step on E/2, the same budget of sequences), and full BPTT, the strongest gradient
the RNN can have. For one sequence with h(t) = tanh(W_ih x(t) + b_ih + W_hh h(t-1) + b_hh) and
outputs y(t) = f(W_o h(t) + b_o), f the sigmoid or the identity:

    delta_o(t) = (y(t) - target(t)) f'(net_o(t))                      masked steps only
    dh(t)      = W_o^T delta_o(t) + W_hh^T da(t+1)                     error reaching h(t)
    da(t)      = dh(t) * (1 - h(t)^2)                                  through the tanh
    dW_ih += da(t) x(t)^T,  dW_hh += da(t) h(t-1)^T,  dW_o += delta_o(t) h(t)^T   (and biases)

The repeated product W_hh^T diag(1 - h^2) in dh is exactly the vanishing factor of chapter 3.

Ours: ``nn.RNNCell``'s two biases b_ih and b_hh always add, so the engine keeps their sum as
one bias b_h and takes one gradient step on it per sequence. That is SGD on the cell with b_hh
held at 0 (``named()`` reports it so); SGD on both biases separately would move their sum
twice as fast. The shipped baseline rows were trained this way.
Weights are one :class:`RNNParams` with a leading trial axis (the container conventions of
``engines.base``); the tests check the gradient against torch autograd on ``networks.VanillaRNN``
for both output squashers. :func:`supports` refuses what the kernel does not compute (cells
without biases, other output squashers).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Sequence

import numba
import numpy as np
import torch

from lstm_core.model import networks
from lstm_core.model.baselines import VanillaRNN
from lstm_core.tasks.base import SequenceBatch, stack_trial_batches
from lstm_core.training.engines.base import (
    Engine, Trained, check_array, check_divergence, check_learning_rate, divergence_message, select_batches,
    trial_counters,
)
from lstm_core.training.engines.sparse import dense_inputs
from lstm_core.training.threads import capped, use_threads

__all__ = ["supports", "RNNParams", "train_online_trials", "train_online", "forward", "sequence_gradients",
           "RNNEngine"]

_OUTPUT_CODES = {"sigmoid": 0, "identity": 3}  # codes of engines.squash


def _output_name(model: VanillaRNN) -> Optional[str]:
    for name, fn in getattr(networks, "_OUTPUT_ACTIVATIONS", {}).items():
        if fn is model.output_activation:
            return name
    return None


def supports(model: Any) -> tuple[bool, str]:
    """``(True, "")`` if the kernel trains ``model`` exactly, else ``(False, why)``."""
    if not isinstance(model, VanillaRNN):
        return False, f"the RNN engine runs the vanilla tanh RNN (VanillaRNN) only, got {type(model).__name__}"
    if model.cell.bias_ih is None or model.cell.bias_hh is None or model.output_units.bias is None:
        return False, "the RNN engine needs the cell's and the output units' biases (build the RNN with bias=True)"
    name = _output_name(model)
    if name not in _OUTPUT_CODES:
        return False, f"the RNN engine computes sigmoid or identity output units only, got {name or 'another squasher'}"
    return True, ""


@dataclass(eq=False)
class RNNParams:
    """Weights of ``K`` vanilla RNNs (float64, leading trial axis K) and their bookkeeping."""

    W_ih: np.ndarray  # (K, H, n_in)
    W_hh: np.ndarray  # (K, H, H)
    b_h: np.ndarray  # (K, H): b_ih + b_hh (they always add)
    W_o: np.ndarray  # (K, n_out, H)
    b_o: np.ndarray  # (K, n_out)
    output_activation: str = "sigmoid"  # the output units' squasher: "sigmoid" or "identity"
    n_seen: Optional[np.ndarray] = None  # (K,) int64 sequences trained on; None: zeros
    diverged_at: Optional[np.ndarray] = None  # (K,) int64, -1 = healthy; None: all -1
    diverged_how: Optional[np.ndarray] = None  # (K,) int8 code of engines.base.DIVERGED

    ARRAYS = ("W_ih", "W_hh", "b_h", "W_o", "b_o", "n_seen", "diverged_at", "diverged_how")
    WEIGHTS = ("W_ih", "W_hh", "b_h", "W_o", "b_o")

    def __post_init__(self) -> None:
        W_ih = np.asarray(self.W_ih)
        if W_ih.ndim != 3 or W_ih.shape[0] < 1:
            raise ValueError(f"W_ih must have shape (n_trials, H, n_in); got {W_ih.shape}")
        K, H, n_in = W_ih.shape
        n_out = np.asarray(self.W_o).shape[1]
        for name, shape in (("W_ih", (K, H, n_in)), ("W_hh", (K, H, H)), ("b_h", (K, H)), ("W_o", (K, n_out, H)),
                            ("b_o", (K, n_out))):
            setattr(self, name, check_array(name, getattr(self, name), shape))
        if self.output_activation not in _OUTPUT_CODES:
            raise ValueError(f"output_activation must be one of {sorted(_OUTPUT_CODES)}; got {self.output_activation!r}")
        self.n_seen, self.diverged_at, self.diverged_how = trial_counters(self.n_seen, self.diverged_at, K,
                                                                          self.diverged_how)

    @property
    def n_trials(self) -> int:
        return self.W_ih.shape[0]

    @classmethod
    def from_models(cls, models: Sequence[VanillaRNN]) -> "RNNParams":
        RNNEngine.refuse_unsupported(models)
        names = {_output_name(m) for m in models}
        if len(names) != 1:
            raise ValueError(f"every model must have the same output squasher; got {sorted(names)}")

        def grab(f):
            return np.ascontiguousarray(np.stack([f(m).detach().to(torch.float64).numpy() for m in models]))

        return cls(grab(lambda m: m.cell.weight_ih), grab(lambda m: m.cell.weight_hh),
                   grab(lambda m: m.cell.bias_ih + m.cell.bias_hh), grab(lambda m: m.output_units.weight),
                   grab(lambda m: m.output_units.bias), output_activation=names.pop())

    def trial(self, k: int) -> "RNNParams":
        """A one-trial view of trial ``k`` (its arrays share memory with these)."""
        if not -self.n_trials <= k < self.n_trials:
            raise ValueError(f"trial index {k} out of range for {self.n_trials} trials")
        k = k % self.n_trials
        return RNNParams(*(getattr(self, a)[k:k + 1] for a in self.WEIGHTS), self.output_activation,
                         self.n_seen[k:k + 1], self.diverged_at[k:k + 1], self.diverged_how[k:k + 1])

    def copy(self) -> "RNNParams":
        return RNNParams(*(getattr(self, a).copy() for a in self.WEIGHTS), self.output_activation,
                         self.n_seen.copy(), self.diverged_at.copy(), self.diverged_how.copy())

    def named(self, k: int = 0) -> dict[str, np.ndarray]:
        """Trial ``k``'s weights keyed like ``VanillaRNN.named_parameters()`` (the bias sum as bias_ih)."""
        return {"cell.weight_ih": self.W_ih[k].copy(), "cell.weight_hh": self.W_hh[k].copy(),
                "cell.bias_ih": self.b_h[k].copy(), "cell.bias_hh": np.zeros_like(self.b_h[k]),
                "output_units.weight": self.W_o[k].copy(), "output_units.bias": self.b_o[k].copy()}

    def to_model(self, model: VanillaRNN, k: int = 0) -> VanillaRNN:
        """Copy trial ``k``'s weights into ``model`` (in its dtype); returns the model."""
        ok, why = supports(model)
        if not ok:
            raise ValueError(why)
        params = dict(model.named_parameters())
        with torch.no_grad():
            for name, value in self.named(k).items():
                params[name].copy_(torch.from_numpy(value))
        return model


@numba.njit(cache=True)
def _sequence(W_ih, W_hh, b_h, W_o, b_o, o_code, x, L, target, mask, lr, out):
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
            y[t, k] = a if o_code == 3 else 1.0 / (1.0 + np.exp(-a))
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
                if o_code == 3:
                    d = y[t, k] - target[t, k]  # identity: f' = 1
                else:
                    d = (y[t, k] - target[t, k]) * y[t, k] * (1.0 - y[t, k])  # sigmoid: f' = y (1 - y)
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
def _online_trials(W_ih, W_hh, b_h, W_o, b_o, o_code, active, X, lengths, targets, masks, lr, out, failed):
    for a in numba.prange(active.shape[0]):
        k = active[a]
        for s in range(X.shape[1]):
            ok = _sequence(W_ih[k], W_hh[k], b_h[k], W_o[k], b_o[k], o_code, X[k, s], lengths[k, s], targets[k, s],
                           masks[k, s], lr, out[k, s])
            if not ok:
                failed[k] = s
                break


def _run(params: RNNParams, batches: Sequence[Optional[SequenceBatch]], lr: float,
         threads: Optional[int] = None) -> tuple[np.ndarray, np.ndarray, list[int], int]:
    """The kernel on every healthy trial with a batch; returns outputs, failed, the trials run, n."""
    K = params.n_trials
    n_in, n_out = params.W_ih.shape[2], params.W_o.shape[1]
    given, n = select_batches(batches, K, n_in, n_out)
    run = [dense_inputs(b) if k in given and params.diverged_at[k] < 0 else None for k, b in enumerate(batches)]
    active = [k for k in given if run[k] is not None]
    T = max(batches[k].T_max for k in given)
    out = np.full((K, n, T, n_out), np.nan)
    failed = np.full(K, -1, np.int64)
    if active:
        X, tg, mk, lengths, act = stack_trial_batches(run, n_in, n_out)
        res = np.zeros((K, n, X.shape[2], n_out))
        with use_threads(capped(len(active), threads)):
            _online_trials(params.W_ih, params.W_hh, params.b_h, params.W_o, params.b_o,
                           _OUTPUT_CODES[params.output_activation], act, X, lengths, tg, mk, lr, res, failed)
        for k in active:
            out[k] = 0.0
            out[k, :, :res.shape[2]] = res[k]
            if failed[k] >= 0:
                out[k, failed[k] + 1:] = np.nan
    return out, failed, active, n


def train_online_trials(params: RNNParams, batches: Sequence[Optional[SequenceBatch]], learning_rate: float, *,
                        threads: Optional[int] = None) -> np.ndarray:
    """The paper's online protocol for every trial whose batch is not None (in parallel over trials).

    Returns outputs (K, n, T_max, n_out) before each sequence's own update (NaN for skipped
    trials). Updates ``n_seen``, ``diverged_at`` and ``diverged_how`` (``engines.base``): a
    trial whose gradient was not finite keeps its weights from before that sequence and is
    skipped from then on.
    """
    if not isinstance(params, RNNParams):
        raise ValueError(f"params must be RNNParams (RNNParams.from_models(models)); got {type(params).__name__}")
    lr = check_learning_rate(learning_rate)
    out, failed, active, n = _run(params, batches, lr, threads)
    check_divergence(params, active, failed, n, [getattr(params, a) for a in RNNParams.WEIGHTS])
    return out


def train_online(params: RNNParams, batch: SequenceBatch, learning_rate: float) -> np.ndarray:
    """The paper's protocol for a one-trial ``params``; returns outputs, raises ValueError if it diverges."""
    if not isinstance(params, RNNParams) or params.n_trials != 1:
        raise ValueError("params must be a one-trial RNNParams (RNNParams.from_models([model]) or .trial(k))")
    lr = check_learning_rate(learning_rate)
    out = train_online_trials(params, [batch], lr)
    if params.diverged_at[0] >= 0:
        raise ValueError(divergence_message(params, 0, lr))
    return out[0]


def forward(params: RNNParams, batch: SequenceBatch, k: int = 0) -> np.ndarray:
    """Outputs (n, T_max, n_out) of trial ``k`` on ``batch``; no update."""
    if not -params.n_trials <= k < params.n_trials:
        raise ValueError(f"trial index {k} out of range for {params.n_trials} trials")
    one = params.trial(k)
    one = RNNParams(*(getattr(one, a) for a in RNNParams.WEIGHTS), one.output_activation)  # healthy view
    return _run(one, [batch], 0.0)[0][0, :, :batch.T_max]


def sequence_gradients(model: VanillaRNN, batch: SequenceBatch, i: int = 0) -> dict[str, np.ndarray]:
    """The BPTT gradient of E/2 for sequence ``i``, keyed like the model's parameters (for tests)."""
    p = RNNParams.from_models([model])
    before = p.copy()
    lr = 1.0
    train_online_trials(p, [batch.select([i])], lr)
    g = {k: (getattr(before, k)[0] - getattr(p, k)[0]) / lr for k in RNNParams.WEIGHTS}
    return {"cell.weight_ih": g["W_ih"], "cell.weight_hh": g["W_hh"], "cell.bias": g["b_h"],
            "output_units.weight": g["W_o"], "output_units.bias": g["b_o"]}


class RNNEngine(Engine):
    """The vanilla tanh RNN baseline (full BPTT) on :class:`RNNParams`."""

    name = "rnn"

    def __init__(self, params: RNNParams) -> None:
        if not isinstance(params, RNNParams):
            raise ValueError(f"params must be RNNParams; got {type(params).__name__}")
        self.params = params

    @staticmethod
    def supports(model: Any) -> tuple[bool, str]:
        return supports(model)

    @classmethod
    def from_models(cls, models: Sequence[Any], **options: Any) -> "RNNEngine":
        if options:
            raise ValueError(f"the {cls.name} engine takes no options; got {sorted(options)}")
        return cls(RNNParams.from_models(models))

    def _train(self, batches: Sequence[Optional[SequenceBatch]], learning_rate: float) -> Trained:
        before = self.params.diverged_at.copy()
        out = train_online_trials(self.params, batches, learning_rate)
        return Trained(outputs=out, diverged=[k for k in range(before.size)
                                              if before[k] < 0 <= self.params.diverged_at[k]])

    def forward(self, k: int, batch: SequenceBatch) -> np.ndarray:
        return forward(self.params, batch, k)

    def trial_params(self, k: int) -> RNNParams:
        return self.params.trial(k).copy()

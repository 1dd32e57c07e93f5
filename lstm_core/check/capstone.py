"""Checks of the capstone lab: the 1997 network written from scratch in NumPy, checked against the library.

In the lab (chapter 12) a learner writes three functions on plain NumPy arrays and each is checked
against ``lstm_core``'s own code:

=======================  =====================  ===================================================================
check                    exercise               the learner writes, checked against
=======================  =====================  ===================================================================
``capstone_forward``     ``ex-12-forward``      ``forward(params, x)``: the network over one sequence, against
                                                ``LSTM1997.run``
``capstone_gradient``    ``ex-12-gradient``     ``truncated_gradient(params, x, target)``: the paper's truncated
                                                gradient of E/2 at the last step, against autograd through
                                                ``LSTM1997`` with ``scissors=True``
``capstone_sgd``         ``ex-12-sgd``          ``sgd_train(params, sequences, learning_rate, gradient)``: the
                                                paper's online protocol, against ``train.fit`` (batch 1, SGD)
=======================  =====================  ===================================================================

The weights are a dict of arrays (:func:`weights_of` makes it from a network, :func:`network_of`
goes back), one entry per weight group of the 1997 network with connectivity "F":

=========  ==================  =====================================================================
key        shape               paper
=========  ==================  =====================================================================
``W_in``   (B, n_in + H)       w_{in_j, u}: input gate of block j reads z(t) = [x(t), y(t-1)]
``b_in``   (B,)                its bias
``W_out``  (B, n_in + H)       w_{out_j, u}: output gate of block j
``b_out``  (B,)                its bias
``W_c``    (C, n_in + H)       w_{c, u}: cell c's input net_c
``b_c``    (C,)                its bias
``W_k``    (K, C)              w_{k, c}: output unit k reads the cell outputs y^c(t)
``b_k``    (K,)                its bias
=========  ==================  =====================================================================

B blocks of S = C / B cells (a block's cells are adjacent: cells j S ... j S + S - 1 share block j's
gates), H = C + 2 B hidden units whose activations y(t) are ordered [y^c (C), y^in (B), y^out (B)],
K output units. Every unit has a bias (the paper's adding and temporal-order networks).

The lab's plumbing is here too: :func:`sequences_of` turns a task batch into (x, target) pairs,
:func:`accuracy` judges weights on a batch by the task's criterion, and :func:`library_forward`,
:func:`library_gradient` and :func:`library_sgd` are the library's answers with the learner's
interfaces (so the lab runs before the exercises are solved, and graders can import them).

>>> from lstm_core.model.networks import paper_network
>>> params = weights_of(paper_network("adding", seed=0))
>>> {k: v.shape for k, v in params.items()}["W_c"], sum(v.size for v in params.values())
((4, 10), 93)
>>> capstone_forward(library_forward).ok
True
"""
from __future__ import annotations

import functools
from typing import Any, Callable, Optional, Sequence

import numpy as np
import torch

from lstm_core.check.engine import Case, CheckReport, Mistake, check_answer
from lstm_core.model.networks import LSTM1997, LSTM1997Config, paper_network
from lstm_core.tasks import adding
from lstm_core.tasks.base import SequenceBatch, pad_sequences
from lstm_core.training.loop import TrainConfig, fit, training_batches

__all__ = ["capstone_forward", "capstone_gradient", "capstone_sgd"]

#: The weight groups, in the order of ``LSTM1997.named_parameters()``.
KEYS = ("W_in", "b_in", "W_out", "b_out", "W_c", "b_c", "W_k", "b_k")
_TORCH_NAMES = {"cell.weight_in": "W_in", "cell.bias_in": "b_in", "cell.weight_out": "W_out",
                "cell.bias_out": "b_out", "cell.weight_c": "W_c", "cell.bias_c": "b_c",
                "output_units.weight": "W_k", "output_units.bias": "b_k"}
#: What ``forward`` must return per step, and what the check compares.
TRACE_KEYS = ("z", "y_in", "y_out", "g_c", "s", "h_s", "y_c", "y_k")
_COMPARED = ("y_k", "s", "y_in", "y_out", "y_c")
F64 = torch.float64


# ======================================================================================
# Weights as a dict of arrays, and back
# ======================================================================================
def weights_of(net: LSTM1997) -> dict[str, np.ndarray]:
    """The weights of a 1997 network (output gates, a bias on every unit) as float64 arrays (copies)."""
    if not isinstance(net, LSTM1997):
        raise ValueError(f"weights_of needs an LSTM1997, got {type(net).__name__}")
    named = {name: p.detach().to(F64).numpy().copy() for name, p in net.named_parameters()}
    missing = [name for name in _TORCH_NAMES if name not in named]
    if missing or net.cell.forget_gate:
        raise ValueError("the lab's network has output gates, no forget gate and a bias on every unit "
                         f"(bias_units='all'); this one lacks {missing or 'nothing but has a forget gate'}")
    return {_TORCH_NAMES[name]: value for name, value in named.items()}


def _shapes(params: dict[str, Any]) -> tuple[int, int, int, int, int]:
    """(n_in, B, S, C, K) from the weights, with a clear message when they do not fit together."""
    if not isinstance(params, dict) or set(KEYS) - set(params):
        have = sorted(params) if isinstance(params, dict) else type(params).__name__
        raise ValueError(f"params must be a dict with the keys {list(KEYS)}; got {have}")
    B, fan_in = np.shape(params["W_in"])
    C = np.shape(params["W_c"])[0]
    K = np.shape(params["W_k"])[0]
    if C % B:
        raise ValueError(f"{C} cells do not split into {B} blocks of equal size")
    n_in = fan_in - (C + 2 * B)
    if n_in < 1:
        raise ValueError(f"W_in has {fan_in} columns, fewer than the {C + 2 * B} hidden units plus an input")
    return n_in, B, C // B, C, K


def network_of(params: dict[str, Any]) -> LSTM1997:
    """A float64 ``LSTM1997`` (scissors on) holding these weights."""
    n_in, B, S, _, K = _shapes(params)
    net = LSTM1997(LSTM1997Config(n_in, K, n_blocks=B, block_size=S, bias_units="all"), seed=0).to(F64)
    named = dict(net.named_parameters())
    with torch.no_grad():
        for name, key in _TORCH_NAMES.items():
            value = torch.as_tensor(np.asarray(params[key], dtype=np.float64))
            if value.shape != named[name].shape:
                raise ValueError(f"params[{key!r}] has shape {tuple(value.shape)}, expected {tuple(named[name].shape)}")
            named[name].copy_(value)
    return net


# ======================================================================================
# The lab's data and judging
# ======================================================================================
def sequences_of(batch: SequenceBatch) -> list[tuple[np.ndarray, np.ndarray]]:
    """(x, target) per sequence: x (L, n_in) float64 without padding, target (K,) at the last step."""
    if not isinstance(batch, SequenceBatch):
        raise ValueError(f"sequences_of needs a SequenceBatch (e.g. adding.generate(...)); got {type(batch).__name__}")
    if not np.array_equal(batch.target_mask.sum(axis=1), np.ones(batch.n)) or \
            not batch.target_mask[np.arange(batch.n), batch.lengths - 1].all():
        raise ValueError("the lab's sequences have a target at their last step only (the adding problem, "
                         "temporal order); this batch has targets elsewhere")
    return [(batch.inputs[i, :L].astype(np.float64), batch.targets[i, L - 1].astype(np.float64))
            for i, L in enumerate(batch.lengths)]


def _batch_of(sequences: Sequence[tuple[np.ndarray, np.ndarray]]) -> SequenceBatch:
    xs = [np.asarray(x, dtype=np.float64) for x, _ in sequences]
    targets, masks = [], []
    for x, target in zip(xs, (t for _, t in sequences)):
        full = np.zeros((len(x), np.size(target)))
        full[-1] = np.asarray(target, dtype=np.float64).ravel()
        mask = np.zeros(len(x), dtype=bool)
        mask[-1] = True
        targets.append(full)
        masks.append(mask)
    return pad_sequences(xs, targets, masks)


def accuracy(params: dict[str, Any], batch: SequenceBatch, forward: Optional[Callable] = None,
             task: Any = adding) -> float:
    """Fraction of ``batch`` correct by ``task``'s criterion, with ``forward(params, x)`` run on each
    sequence (None: the library's network on the whole batch at once)."""
    if forward is None:
        with torch.no_grad():
            outputs = network_of(params)(torch.as_tensor(batch.inputs, dtype=F64))[0].numpy()
    else:
        outputs = np.zeros(batch.targets.shape)
        for i, (x, _) in enumerate(sequences_of(batch)):
            outputs[i, batch.lengths[i] - 1] = np.asarray(forward(params, x)["y_k"], dtype=np.float64)[-1]
    return float(np.mean(task.sequence_correct(outputs, batch)))


# ======================================================================================
# The library's answers, with the learner's interfaces
# ======================================================================================
def library_forward(params: dict[str, Any], x: Any) -> dict[str, np.ndarray]:
    """``forward`` by ``LSTM1997.run``: every quantity of ``TRACE_KEYS``, one row per step."""
    net = network_of(params)
    x = torch.as_tensor(np.asarray(x, dtype=np.float64))[None]
    with torch.no_grad():
        trace = net.run(x)
    steps = trace.steps
    y_prev = [torch.zeros(1, net.cell.hidden_size, dtype=F64)] + [s.y for s in steps[:-1]]
    out = {"z": torch.cat([torch.cat([x[:, t], y_prev[t]], dim=1) for t in range(x.shape[1])])}
    for key in ("y_in", "y_out", "g_c", "s", "h_s", "y_c"):
        out[key] = trace.stack(key)[0]
    out["y_k"] = trace.outputs[0]
    return {key: value.numpy() for key, value in out.items()}


def library_gradient(params: dict[str, Any], x: Any, target: Any) -> dict[str, np.ndarray]:
    """The truncated gradient of E/2 = 1/2 sum_k (y^k(T) - target_k)^2, by autograd through
    ``LSTM1997`` with ``scissors=True``, keyed like ``params``."""
    net = network_of(params)
    outputs = net(torch.as_tensor(np.asarray(x, dtype=np.float64))[None])[0]
    loss = 0.5 * ((outputs[0, -1] - torch.as_tensor(np.asarray(target, dtype=np.float64))) ** 2).sum()
    names = list(_TORCH_NAMES)
    grads = torch.autograd.grad(loss, [dict(net.named_parameters())[n] for n in names])
    return {_TORCH_NAMES[n]: gr.numpy() for n, gr in zip(names, grads)}


def library_sgd(params: dict[str, Any], sequences: Sequence[tuple[np.ndarray, np.ndarray]], learning_rate: float,
                gradient: Optional[Callable] = None) -> dict[str, np.ndarray]:
    """The paper's online protocol by the library's fast engine (``fast.train_online``): for each
    sequence in order, the truncated gradient and one step W -= learning_rate * dE/dW. Returns new
    weights; ``params`` is left as it was. ``gradient`` is ignored (the engine has its own)."""
    from lstm_core.training.engines import lstm1997 as fast

    net = network_of(params)
    state = fast.FastParams.from_model(net)
    if len(sequences):
        fast.train_online(state, _batch_of(sequences), float(learning_rate))
    return weights_of(state.to_model(net))


# ======================================================================================
# Known mistakes: the lab written with one slip each (NumPy, like the learner's)
# ======================================================================================
def _f(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


_SQUASH = {"paper": (lambda x: 4 * _f(x) - 2, lambda x: 2 * _f(x) - 1), "tanh": (np.tanh, np.tanh)}


def _forward(params: dict[str, Any], x: Any, slip: str = "") -> dict[str, np.ndarray]:
    """The forward pass, right (``slip=""``) or with one named slip."""
    n_in, B, S, C, K = _shapes(params)
    P = {k: np.asarray(v, dtype=np.float64) for k, v in params.items()}
    g, h = _SQUASH["tanh" if slip == "tanh" else "paper"]
    spread = (lambda v: np.tile(v, S)) if slip == "tile" else (lambda v: np.repeat(v, S))
    y, s = np.zeros(C + 2 * B), np.zeros(C)
    rows = {k: [] for k in TRACE_KEYS}
    for x_t in np.asarray(x, dtype=np.float64):
        z = np.concatenate([x_t, np.zeros_like(y) if slip == "no recurrence" else y])
        y_in = _f(P["W_in"] @ z + P["b_in"])
        y_out = _f(P["W_out"] @ z + P["b_out"])
        g_c = g(P["W_c"] @ z + P["b_c"])
        s = (0 if slip == "no carousel" else s) + spread(y_in) * g_c
        h_s = h(s)
        y_c = h(spread(y_out) * s) if slip == "gate inside h" else spread(y_out) * h_s
        net_k = P["W_k"] @ y_c + P["b_k"]
        y_k = net_k if slip == "linear outputs" else _f(net_k)
        y = np.concatenate([y_in, y_out, y_c] if slip == "order" else [y_c, y_in, y_out])
        for key, value in zip(TRACE_KEYS, (z, y_in, y_out, g_c, s, h_s, y_c, y_k)):
            rows[key].append(value)
    return {key: np.array(value) for key, value in rows.items()}


def _gradient(params: dict[str, Any], x: Any, target: Any, slip: str = "") -> dict[str, np.ndarray]:
    """The truncated gradient of E/2 at the last step, right (``slip=""``) or with one named slip."""
    _, B, S, C, _ = _shapes(params)
    tr = _forward(params, x, "tile" if slip == "tile" else "")
    spread = (lambda v, axis=-1: np.tile(v, S)) if slip == "tile" else (lambda v, axis=-1: np.repeat(v, S, axis=axis))

    def per_block(v: np.ndarray) -> np.ndarray:  # sum over each block's cells: (..., C) -> (..., B)
        return (v.reshape(*v.shape[:-1], S, B).sum(axis=-2) if slip == "tile"
                else v.reshape(*v.shape[:-1], B, S).sum(axis=-1))

    y_k = tr["y_k"][-1]
    delta_k = (y_k - np.asarray(target, dtype=np.float64)) * y_k * (1 - y_k)   # dE/dnet_k
    if slip == "factor 2":
        delta_k = 2 * delta_k
    e_c = np.asarray(params["W_k"], dtype=np.float64).T @ delta_k              # dE/dy^c(T)
    y_out, h_s = tr["y_out"][-1], tr["h_s"][-1]
    delta_out = y_out * (1 - y_out) * per_block(e_c * h_s)                     # eq. 21
    h_slope = np.ones_like(h_s) if slip == "no h'" else (1 - h_s ** 2) / 2
    e_s = e_c * spread(y_out) * h_slope                                         # dE/ds_c(T)
    T = len(tr["z"])
    ds = np.repeat(e_s[None], T, axis=0)                                        # the CEC: the same at every t
    if slip == "no carousel":
        ds[:-1] = 0.0
    y_in, g_c, z = tr["y_in"], tr["g_c"], tr["z"]
    gate_slope = np.ones_like(y_in) if slip == "no f'" else y_in * (1 - y_in)
    delta_c = ds * spread(y_in, axis=1) * (2 + g_c) * (2 - g_c) / 4             # eq. 27, g' = (4 - g^2) / 4
    delta_in = gate_slope * per_block(ds * g_c)                                 # eq. 25
    return {"W_in": delta_in.T @ z, "b_in": delta_in.sum(axis=0),
            "W_out": np.outer(delta_out, z[-1]), "b_out": delta_out,
            "W_c": delta_c.T @ z, "b_c": delta_c.sum(axis=0),
            "W_k": np.outer(delta_k, tr["y_c"][-1]), "b_k": delta_k}


def _full_gradient(params: dict[str, Any], x: Any, target: Any) -> dict[str, np.ndarray]:
    """The untruncated gradient (scissors off): what autograd gives without the paper's cut."""
    net = network_of(params)
    net.scissors = False
    outputs = net(torch.as_tensor(np.asarray(x, dtype=np.float64))[None])[0]
    loss = 0.5 * ((outputs[0, -1] - torch.as_tensor(np.asarray(target, dtype=np.float64))) ** 2).sum()
    names = list(_TORCH_NAMES)
    grads = torch.autograd.grad(loss, [dict(net.named_parameters())[n] for n in names])
    return {_TORCH_NAMES[n]: gr.numpy() for n, gr in zip(names, grads)}


def _sgd(params: dict[str, Any], sequences: Sequence, learning_rate: float, gradient: Callable,
         slip: str = "") -> dict[str, np.ndarray]:
    """The online loop, right or with one named slip."""
    params = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    sign = 1.0 if slip == "ascent" else -1.0
    if slip in ("sum", "mean"):
        grads = [gradient(params, x, t) for x, t in sequences]
        scale = 1.0 / len(grads) if slip == "mean" else 1.0
        return {k: v - learning_rate * scale * sum(gr[k] for gr in grads) for k, v in params.items()}
    for x, t in (sequences[:-1] if slip == "last skipped" else sequences):
        grads = gradient(params, x, t)
        params = {k: v + sign * learning_rate * grads[k] for k, v in params.items()}
    return params


# ======================================================================================
# The cases
# ======================================================================================
@functools.lru_cache(maxsize=1)
def _cases() -> tuple[tuple[str, dict[str, np.ndarray], np.ndarray, np.ndarray], ...]:
    """(label, params, x, target): the lab's network and two others, each on its own task's sequence."""
    out = []
    lab = adding.AddingConfig(T=20)
    b = adding.generate(lab, 2, seed=5)
    (x0, t0), (x1, t1) = sequences_of(b)
    out.append(("the adding network (2 blocks of 2 cells) at its initial weights, one T = 20 sequence",
                weights_of(paper_network("adding", seed=0)), x0, t0))
    out.append(("the adding network with weights in [-1, 1] (everything matters)",
                weights_of(paper_network("adding", seed=1, init_range=1.0)), x1, t1))
    from lstm_core.tasks import temporal_order  # noqa: PLC0415 (the 6a network's own kind of sequence)
    short = temporal_order.TemporalOrderConfig((10, 11), ((2, 2), (5, 6)), "6a")
    (x2, t2), = sequences_of(temporal_order.generate(short, 1, seed=3))
    out.append(("experiment 6a's network (8 inputs, 4 outputs), weights in [-0.5, 0.5], a 6a sequence of 10 steps",
                weights_of(paper_network("6a", seed=2, init_range=0.5)), x2, t2))
    rng = np.random.default_rng(7)
    odd = LSTM1997(LSTM1997Config(3, 2, n_blocks=3, block_size=1, bias_units="all", init_range=0.8), seed=3)
    out.append(("3 blocks of 1 cell, 3 inputs, 2 outputs (block size S = 1), 6 random steps",
                weights_of(odd), rng.uniform(-1, 1, (6, 3)), rng.uniform(0, 1, 2)))
    return tuple(out)


def _encode_trace(trace: Any) -> tuple:
    """The compared parts of a ``forward`` result, in a fixed order; clear errors for a wrong form."""
    if not isinstance(trace, dict):
        raise ValueError(f"forward must return a dict with the keys {list(TRACE_KEYS)}; got a {type(trace).__name__}")
    missing = [k for k in TRACE_KEYS if k not in trace]
    if missing:
        raise ValueError(f"your dict lacks {missing} (it needs {list(TRACE_KEYS)}, one row per step)")
    return tuple(np.asarray(trace[k], dtype=np.float64) for k in _COMPARED)


def _encode_params(grads: Any) -> tuple:
    if not isinstance(grads, dict):
        raise ValueError(f"return a dict keyed like params ({list(KEYS)}); got a {type(grads).__name__}")
    missing = [k for k in KEYS if k not in grads]
    if missing:
        raise ValueError(f"your dict lacks {missing}")
    return tuple(np.asarray(grads[k], dtype=np.float64) for k in KEYS)


# ======================================================================================
# The checks
# ======================================================================================
_FORWARD_MISTAKES = tuple(Mistake(name, functools.partial(_forward, slip=slip), hint) for name, slip, hint in (
    ("tanh for g and h", "tanh",
     "Your cell squashes with tanh. The paper's g = 4 f - 2 has range [-2, 2] and h = 2 f - 1 range [-1, 1] "
     "(f the logistic function): build them from f."),
    ("gates spread with tile", "tile",
     "The cells of a block are adjacent: block j's gates belong to cells j*S ... j*S + S - 1, so spread the "
     "(B,) gate values with np.repeat(gate, S), not np.tile."),
    ("no carousel", "no carousel",
     "Your state forgets: s_c(t) must carry s_c(t-1) along and add y^in g(net_c)."),
    ("no recurrent input", "no recurrence",
     "Connectivity 'F': every hidden unit reads z(t) = [x(t), y(t-1)], the previous activations of all "
     "hidden units, not zeros."),
    ("y(t) in the wrong order", "order",
     "Order the hidden activations as the weights expect them: y(t) = [y^c (C), y^in (B), y^out (B)]."),
    ("output gate inside h", "gate inside h",
     "y^c = y^out h(s_c): squash the state first, then let the output gate scale it."),
    ("linear output units", "linear outputs",
     "The output units are squashed with the logistic f: y^k = f(W_k y^c + b_k)."),
))


def capstone_forward(candidate: Any) -> CheckReport:
    """Chapter 12, exercise ex-12-forward: ``forward(params, x) -> dict`` of the quantities of every step.

    ``params`` as in the module docstring, ``x`` (T, n_in). The dict holds, one row per step t, the
    arrays ``TRACE_KEYS``: z(t) = [x(t), y(t-1)] (T, n_in + H), y^in (T, B), y^out (T, B),
    g(net_c) (T, C), s_c (T, C), h(s_c) (T, C), y^c (T, C) and the outputs y^k (T, K). Compared
    (y^k, s_c, y^in, y^out, y^c) with ``LSTM1997.run`` holding the same weights, on four networks.
    """
    cases = [Case(label, (params, x)) for label, params, x, _ in _cases()]
    return check_answer(candidate, library_forward, cases, exercise="forward (ex-12-forward)",
                  mistakes=_FORWARD_MISTAKES, encode=_encode_trace, rtol=1e-9, atol=1e-12,
                  hint="Step by step: z = [x_t, y_prev]; the gates y^in, y^out = f(W z + b); g(net_c); "
                       "s = s_prev + y^in g (each cell with its block's gate); y^c = y^out h(s); "
                       "y^k = f(W_k y^c + b_k); y = [y^c, y^in, y^out] for the next step.")


_GRADIENT_MISTAKES = tuple(Mistake(name, functools.partial(_gradient, slip=slip), hint) for name, slip, hint in (
    ("no carousel in the gradient", "no carousel",
     "Only the last step contributes in your gradient. With the scissors, error flows back along s_c "
     "unchanged: dE/ds_c(t) = dE/ds_c(T) at every step t, so every step's input gate and cell input "
     "get their share."),
    ("h' left out", "no h'",
     "Between y^c = y^out h(s_c) and s_c sits h's slope, h'(s) = (1 - h(s)^2) / 2."),
    ("the gates' f' left out", "no f'",
     "The input gate's net input reaches y^in through f: multiply by f'(net_in) = y^in (1 - y^in)."),
    ("gates spread with tile", "tile",
     "The cells of a block are adjacent: block j owns cells j*S ... j*S + S - 1 (np.repeat, not np.tile), "
     "in the sums over a block's cells too."),
    ("gradient of E, not E/2", "factor 2",
     "Your gradient is twice the expected one: the loss here is E/2 = 1/2 (y^k - target)^2 (the paper's E "
     "with its factor 2 moved into the learning rate)."),
)) + (Mistake("the full gradient", _full_gradient,
              "That is the full gradient (scissors off). The paper cuts the error where y(t-1) enters the net "
              "inputs: only s_c carries error back in time."),)


def capstone_gradient(candidate: Any) -> CheckReport:
    """Chapter 12, exercise ex-12-gradient: ``truncated_gradient(params, x, target) -> dict``.

    The gradient of E/2 = 1/2 sum_k (y^k(T) - target_k)^2 (error at the last step only) with the
    paper's truncation, keyed and shaped like ``params``; compared with autograd through
    ``LSTM1997`` with ``scissors=True`` (``library_gradient``) on four networks.
    """
    cases = [Case(label, (params, x, target)) for label, params, x, target in _cases()]
    return check_answer(candidate, library_gradient, cases, exercise="truncated_gradient (ex-12-gradient)",
                  mistakes=_GRADIENT_MISTAKES, encode=_encode_params, rtol=1e-7, atol=1e-12,
                  hint="Go back from the end: delta_k = (y^k - t) f'(net_k); e_c = W_k^T delta_k; the output "
                       "gates get f'(net_out) sum_c e_c h(s_c); dE/ds_c = e_c y^out h'(s_c), the same at every "
                       "step; each step's cell input and input gate then get dE/ds_c times their local slopes, "
                       "times z(t).")


def _sgd_reference(params: dict[str, Any], sequences: Any, learning_rate: float, gradient: Callable,
                   seed: int, config: Any) -> dict[str, np.ndarray]:
    """``train.fit`` by the paper's protocol (one sequence, one SGD step, scissors on) from these weights,
    on its own stream for ``seed``, which is ``sequences``."""
    net = network_of(params)
    fit(net, adding, TrainConfig(learning_rate=learning_rate, max_sequences=len(sequences), batch_size=1,
                                 optimizer="sgd", seed=seed, log_every=len(sequences), progress=False),
        task_config=config, stopping_rule=False)
    return weights_of(net)


@functools.lru_cache(maxsize=4)
def _stream(seed: int, n: int, T: int) -> tuple:
    """The first ``n`` sequences ``train.fit`` draws for ``seed``, as (x, target) pairs."""
    batches = training_batches(adding, adding.AddingConfig(T=T), 1, seed)
    return tuple(sequences_of(next(batches))[0] for _ in range(n))


_SGD_MISTAKES = tuple(Mistake(name, functools.partial(_sgd, slip=slip), hint) for name, slip, hint in (
    ("gradient ascent", "ascent", "Your weights move up the gradient: subtract learning_rate * gradient."),
    ("one update for all sequences", "sum",
     "You computed every gradient at the starting weights and updated once. The paper updates after each "
     "sequence, and the next sequence's gradient is taken at the new weights."),
    ("one update with the mean gradient", "mean",
     "That is minibatch gradient descent on the mean gradient. The paper's protocol is online: one "
     "sequence, one update, in order."),
    ("the last sequence skipped", "last skipped", "Your loop misses a sequence: train on every one of them."),
))


def _stream_key(sequences: Sequence, learning_rate: float) -> tuple:
    """Identifies a case of ``capstone_sgd`` by its content (the engine hands the reference copies)."""
    x0, t0 = sequences[0]
    return len(sequences), float(learning_rate), np.asarray(x0).tobytes(), np.asarray(t0).tobytes()


def capstone_sgd(candidate: Any) -> CheckReport:
    """Chapter 12, exercise ex-12-sgd: ``sgd_train(params, sequences, learning_rate, gradient) -> params``.

    The paper's online protocol: for each (x, target) in order, ``gradient(params, x, target)`` and
    one step W -= learning_rate * dE/dW; returns the new weights. The check hands it the library's
    gradient (so only the loop is judged) and the first sequences of ``train.fit``'s stream, and
    compares with ``train.fit`` (batch 1, plain SGD) from the same weights.
    """
    start = weights_of(paper_network("adding", seed=0))
    bigger = weights_of(paper_network("adding", seed=4, init_range=0.5))
    cases, expected = [], {}
    for label, params, seed, n, lr in (("the adding network, 5 sequences of T = 20, learning rate 0.5", start, 0, 5, 0.5),
                                       ("weights in [-0.5, 0.5], 12 sequences, learning rate 1.0", bigger, 1, 12, 1.0),
                                       ("a single sequence", start, 2, 1, 0.5)):
        sequences = list(_stream(seed, n, 20))
        cases.append(Case(label, (params, sequences, lr, library_gradient)))
        expected[_stream_key(sequences, lr)] = (params, seed)

    def reference(params: Any, sequences: Any, learning_rate: float, gradient: Callable) -> dict[str, np.ndarray]:
        start_params, seed = expected[_stream_key(sequences, learning_rate)]
        return _sgd_reference(start_params, sequences, learning_rate, gradient, seed, adding.AddingConfig(T=20))

    return check_answer(candidate, reference, cases, exercise="sgd_train (ex-12-sgd)", mistakes=_SGD_MISTAKES,
                  encode=_encode_params, rtol=1e-8, atol=1e-12,
                  hint="For each (x, target) in order: grads = gradient(params, x, target), then "
                       "params[key] = params[key] - learning_rate * grads[key] for every key; return params.")


#: check name -> the wrong answers it recognises, in the learner's format (for tests and graders).
MISTAKES: dict[str, tuple[Mistake, ...]] = {
    "capstone_forward": _FORWARD_MISTAKES,
    "capstone_gradient": _GRADIENT_MISTAKES,
    "capstone_sgd": _SGD_MISTAKES,
}

"""Small, seeded experiments on the details of the 1997 network: the scissors, gate biases, g and h.

Everything here is seeded and returns arrays or dataclasses; the chapters only display the
results. Two exceptions to "pure": ``train_together`` (and the functions built on it) writes the
trained weights back into the networks it is given, and ``seconds_per_sequence`` measures wall
time.

**The computation graph** (what the scissors cut):

- ``unrolled_graph``: the scalar computation graph of a 1997 layer unrolled over a few
  steps, one node per quantity of the paper (net_in, y^in, net_out, y^out, net_c, g, s_c,
  y^c), with every edge labelled by its kind. The recurrent edges y(t-1) -> net_in(t),
  net_out(t), net_c(t) are the ones the scissors cut (App. A.1).
- ``count_paths`` / ``state_path_counts``: by the chain rule a derivative is a sum over the
  paths of this graph; these count the paths, with and without the cut edges.

**Gradients with and without the scissors** (same weights, same data):

- ``hidden_gradient_norms``: ||dL/dy(t)|| (the activations fed back) and ||dL/ds_c(t)||.
- ``gradient_difference``: how far the truncated gradient is from the full one.
- ``backward_graph_size`` and ``seconds_per_sequence``: the work of one backward pass.

**Training many small networks at once**:

- ``train_together``: K networks of the same architecture, trained in lockstep with
  ``torch.func.vmap`` (each on its own data stream); exactly K runs of
  ``train.fit`` in minibatch mode, only faster. **Minibatch mode with Adam by default:
  not the paper's online protocol**; chapters use it for live runs of a few seconds.
- ``compare_variants`` (the scissors on/off, g/h vs tanh), ``bias_sweep`` (initial
  input-gate bias), ``drift_at_init`` (what the bias does before any training) and
  ``storage_profile`` (how much a trained cell writes at relevant and irrelevant steps).
- ``gate_trace`` (one sequence's y^in and s_c) and ``baseline_loss`` (the loss of a network
  that learned nothing).

**The squashers**: ``accumulate`` holds a cell's input fixed and returns s_c(t) and h(s_c(t)),
for the paper's g and h or for tanh.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Optional, Sequence

import numpy as np
import torch
from torch import nn
from torch.func import functional_call, stack_module_state

from lstm_core import validation as validate
from lstm_core.model import activations
from lstm_core.model.cells import step_from_preactivations
from lstm_core.analysis.gradients import last_step_loss
from lstm_core.model.networks import LSTM1997, SequenceModel, paper_network
from lstm_core.tasks import paper_config
from lstm_core.tasks.base import SequenceBatch
from lstm_core.training.loop import OPTIMIZERS, as_tensors, resolve_task, sequence_loss, training_batches
from lstm_core.training.threads import use_threads

__all__ = [
    "EDGE_KINDS",
    "GraphEdge",
    "UnrolledGraph",
    "unrolled_graph",
    "count_paths",
    "state_path_counts",
    "cut_edges_per_step",
    "hidden_gradient_norms",
    "gradient_difference",
    "backward_graph_size",
    "seconds_per_sequence",
    "QuickTrainConfig",
    "RunSet",
    "train_together",
    "compare_variants",
    "BiasSweep",
    "bias_sweep",
    "DriftAtInit",
    "drift_at_init",
    "relevant_steps",
    "storage_profile",
    "gate_trace",
    "baseline_loss",
    "accumulate",
]


# ======================================================================================
# The unrolled computation graph and its paths
# ======================================================================================
#: Edge kinds. "recurrent" edges are the ones the scissors cut (App. A.1); "cec" is the
#: fixed self-connection s_c(t-1) -> s_c(t); "member" gathers a unit into y(t), the vector
#: of all hidden activations that is fed back.
EDGE_KINDS = ("input", "forward", "member", "recurrent", "cec", "output")


@dataclass(frozen=True)
class GraphEdge:
    """One edge of the unrolled graph: ``source`` feeds ``target`` directly."""

    source: str  # node name, e.g. "y@1"
    target: str  # node name, e.g. "net_in[0]@2"
    kind: str  # one of EDGE_KINDS


@dataclass(frozen=True)
class UnrolledGraph:
    """The computation graph of a 1997 layer over ``steps`` time steps.

    Node names are ``"<quantity>[<index>]@<t>"`` with t = 1..steps, for example
    ``"s[0]@2"`` (state of cell 0 at step 2) or ``"y_in[1]@1"``; ``"x@t"`` is the input
    vector, ``"y@t"`` the vector of all hidden activations fed back, ``"y_k@t"`` the output
    units and ``"E"`` the error at the last step. ``nodes`` is in topological order.
    """

    n_blocks: int  # memory-cell blocks B
    block_size: int  # cells per block S
    steps: int  # time steps unrolled
    nodes: tuple[str, ...]  # topological order
    edges: tuple[GraphEdge, ...]  # all edges, cut or not

    def kept_edges(self, scissors: bool) -> tuple[GraphEdge, ...]:
        """The edges error can flow back along: all, or all but the recurrent ones."""
        return tuple(e for e in self.edges if not (scissors and e.kind == "recurrent"))


def unrolled_graph(n_blocks: int = 1, block_size: int = 1, steps: int = 2) -> UnrolledGraph:
    """The scalar computation graph of ``n_blocks`` x ``block_size`` memory cells over ``steps`` steps.

    Per step t and block j (cells c of block j), as in App. A.1:
    y(t-1) -> net_in_j(t) -> y^in_j(t) -> s_c(t);  y(t-1) -> net_c(t) -> g_c(t) -> s_c(t);
    s_c(t-1) -> s_c(t) (CEC);  s_c(t) -> y^c(t);  y(t-1) -> net_out_j(t) -> y^out_j(t) -> y^c(t);
    y^c, y^in_j, y^out_j -> y(t) (fed back);  y^c(t) -> y_k(t) (output units);  y_k(T) -> E.

    >>> g = unrolled_graph(1, 1, steps=2)
    >>> sum(e.kind == "recurrent" for e in g.edges)   # y(1) -> net_in(2), net_out(2), net_c(2)
    3
    """
    n_blocks, block_size, steps = (validate.positive_int(name, value) for name, value in (
        ("n_blocks", n_blocks), ("block_size", block_size), ("steps", steps)))
    nodes: list[str] = []
    edges: list[GraphEdge] = []
    cells = range(n_blocks * block_size)
    block_of = [c // block_size for c in cells]
    for t in range(1, steps + 1):
        nets = [f"net_in[{j}]@{t}" for j in range(n_blocks)] + [f"net_out[{j}]@{t}" for j in range(n_blocks)] \
            + [f"net_c[{c}]@{t}" for c in cells]
        nodes.append(f"x@{t}")
        nodes.extend(nets)
        for net in nets:
            edges.append(GraphEdge(f"x@{t}", net, "input"))
            if t > 1:  # the paper's scissors act on exactly these edges
                edges.append(GraphEdge(f"y@{t - 1}", net, "recurrent"))
        for j in range(n_blocks):
            nodes += [f"y_in[{j}]@{t}", f"y_out[{j}]@{t}"]
            edges += [GraphEdge(f"net_in[{j}]@{t}", f"y_in[{j}]@{t}", "forward"),
                      GraphEdge(f"net_out[{j}]@{t}", f"y_out[{j}]@{t}", "forward")]
        for c in cells:
            j = block_of[c]
            nodes += [f"g[{c}]@{t}", f"s[{c}]@{t}", f"y_c[{c}]@{t}"]
            edges += [GraphEdge(f"net_c[{c}]@{t}", f"g[{c}]@{t}", "forward"),
                      # s_c(t) = s_c(t-1) + y^in(t) g(net_c(t))
                      GraphEdge(f"g[{c}]@{t}", f"s[{c}]@{t}", "forward"),
                      GraphEdge(f"y_in[{j}]@{t}", f"s[{c}]@{t}", "forward"),
                      # y^c(t) = y^out(t) h(s_c(t))
                      GraphEdge(f"s[{c}]@{t}", f"y_c[{c}]@{t}", "forward"),
                      GraphEdge(f"y_out[{j}]@{t}", f"y_c[{c}]@{t}", "forward")]
            if t > 1:
                edges.append(GraphEdge(f"s[{c}]@{t - 1}", f"s[{c}]@{t}", "cec"))
        nodes += [f"y@{t}", f"y_k@{t}"]
        edges += [GraphEdge(f"y_c[{c}]@{t}", f"y@{t}", "member") for c in cells]
        edges += [GraphEdge(f"y_{g}[{j}]@{t}", f"y@{t}", "member") for j in range(n_blocks) for g in ("in", "out")]
        edges += [GraphEdge(f"y_c[{c}]@{t}", f"y_k@{t}", "output") for c in cells]
    nodes.append("E")
    edges.append(GraphEdge(f"y_k@{steps}", "E", "output"))
    return UnrolledGraph(n_blocks, block_size, steps, tuple(nodes), tuple(edges))


def count_paths(graph: UnrolledGraph, source: str, target: str, scissors: bool) -> int:
    """Number of directed paths from ``source`` to ``target`` (cut edges removed if ``scissors``).

    By the chain rule, d target / d source is the sum over these paths of the product of the
    local derivatives along each path.

    >>> g = unrolled_graph(1, 1, steps=2)
    >>> count_paths(g, "s[0]@1", "s[0]@2", scissors=False), count_paths(g, "s[0]@1", "s[0]@2", scissors=True)
    (3, 1)
    """
    index = {name: i for i, name in enumerate(graph.nodes)}
    for name in (source, target):
        if name not in index:
            raise ValueError(f"no node {name!r} in the graph; nodes look like 's[0]@1', 'y@2', 'E'")
    incoming: dict[str, list[str]] = {}
    for e in graph.kept_edges(scissors):
        incoming.setdefault(e.target, []).append(e.source)
    paths = {source: 1}
    for name in graph.nodes[index[source] + 1: index[target] + 1]:  # topological order
        paths[name] = sum(paths.get(s, 0) for s in incoming.get(name, ()))
    return paths.get(target, 0) if index[target] >= index[source] else 0


def state_path_counts(n_blocks: int, block_size: int, max_lag: int, scissors: bool) -> tuple[int, ...]:
    """Number of paths from the state of cell 0 at step t-k to its state at step t, for k = 1..max_lag.

    With the scissors there is exactly one path (the CEC) for every k; without them the
    number grows exponentially with k.

    >>> state_path_counts(1, 1, 3, scissors=True), state_path_counts(1, 1, 2, scissors=False)
    ((1, 1, 1), (3, 15))
    """
    max_lag = validate.positive_int("max_lag", max_lag)
    graph = unrolled_graph(n_blocks, block_size, steps=max_lag + 1)
    last = f"s[0]@{max_lag + 1}"
    return tuple(count_paths(graph, f"s[0]@{max_lag + 1 - k}", last, scissors) for k in range(1, max_lag + 1))


def cut_edges_per_step(model: LSTM1997) -> dict[str, int]:
    """Per time step: recurrent weights whose backward path the scissors cut, and CEC edges kept.

    Every hidden unit u (cells and gates) feeds every net_in_j, net_out_j and net_c at the
    next step (connectivity "F"): H * (gate units + cells) recurrent connections, all cut.
    Error keeps one self-connection per cell, the CEC.
    """
    cell = _check_lstm(model, "cut_edges_per_step").cell
    receivers = cell.n_gate_units + cell.n_cells  # units with a net input: gates and cells
    return {"recurrent_cut": cell.hidden_size * receivers, "cec_kept": cell.n_cells}


# ======================================================================================
# Gradients with and without the scissors
# ======================================================================================
def _check_lstm(model: Any, what: str) -> LSTM1997:
    return validate.instance("model", model, LSTM1997, needed_by=what)


def hidden_gradient_norms(model: LSTM1997, x: torch.Tensor, loss_fn=None) -> tuple[np.ndarray, np.ndarray]:
    """(||dL/dy(t)||, ||dL/ds_c(t)||) for t = 0..T-1, norms over batch and units.

    y(t) is the vector of all hidden activations that step t+1 reads back through its
    recurrent weights. With the scissors on, error cannot enter it, so its gradient is
    exactly zero; s_c(t) still receives error through the CEC. Default loss: the sum of the
    outputs at the last step.
    """
    _check_lstm(model, "hidden_gradient_norms")
    trace = model.run(x)
    loss = (loss_fn or last_step_loss)(trace.outputs)
    ys = [step.y for step in trace.steps]
    grads = torch.autograd.grad(loss, ys + trace.states, allow_unused=True)
    norms = np.array([0.0 if g is None else g.norm().item() for g in grads])
    return norms[: len(ys)], norms[len(ys):]


def _parameter_gradient(model: nn.Module, x: torch.Tensor, y: torch.Tensor, m: torch.Tensor) -> torch.Tensor:
    model.zero_grad(set_to_none=True)
    loss = sequence_loss(model(x)[0], y, m).mean()
    grads = torch.autograd.grad(loss, list(model.parameters()), allow_unused=True)
    return torch.cat([(torch.zeros_like(p) if g is None else g).reshape(-1)
                      for g, p in zip(grads, model.parameters())])


def gradient_difference(model: LSTM1997, batch: SequenceBatch) -> dict[str, float]:
    """Compare the truncated and the full gradient of the mean E/2 on ``batch``, same weights.

    Returns ``cosine`` (1 = same direction), ``relative_difference``
    (||full - truncated|| / ||full||) and the two norms. The model's own ``scissors`` setting
    is restored afterwards.
    """
    _check_lstm(model, "gradient_difference")
    dtype = next(model.parameters()).dtype
    x, y, m = as_tensors(batch, dtype)
    original = model.scissors
    try:
        model.scissors = True
        truncated = _parameter_gradient(model, x, y, m)
        model.scissors = False
        full = _parameter_gradient(model, x, y, m)
    finally:
        model.scissors = original
    full_norm, trunc_norm = full.norm().item(), truncated.norm().item()
    cosine = torch.dot(full, truncated).item() / max(full_norm * trunc_norm, 1e-300)
    return {"cosine": cosine, "relative_difference": (full - truncated).norm().item() / max(full_norm, 1e-300),
            "full_norm": full_norm, "truncated_norm": trunc_norm}


def backward_graph_size(model: nn.Module, x: torch.Tensor) -> int:
    """Number of autograd nodes the backward pass of the last-step loss visits (a measure of its work).

    Counts the nodes reachable from the loss's ``grad_fn``; detached paths (the scissors)
    are not reachable, so they cost nothing in the backward pass.
    """
    out = model(x)[0]
    root = last_step_loss(out).grad_fn
    seen, stack = set(), [root]
    while stack:
        fn = stack.pop()
        if fn is None or fn in seen:
            continue
        seen.add(fn)
        stack.extend(next_fn for next_fn, _ in fn.next_functions)
    return len(seen)


def seconds_per_sequence(model: nn.Module, batch: SequenceBatch, repeats: int = 3) -> float:
    """Median wall time of forward + backward for one sequence at a time (the online setting).

    Each of the batch's sequences is run ``repeats`` times with batch size 1; the median of
    all runs is returned. Wall time depends on the machine and its load: compare only
    numbers measured together.
    """
    repeats = validate.positive_int("repeats", repeats)
    dtype = next(model.parameters()).dtype
    x_all, y_all, m_all = as_tensors(batch, dtype)
    times = []
    for i in range(batch.n):
        n = int(batch.lengths[i])
        x, y, m = x_all[i:i + 1, :n], y_all[i:i + 1, :n], m_all[i:i + 1, :n]
        for _ in range(repeats):
            start = time.perf_counter()
            model.zero_grad(set_to_none=True)
            sequence_loss(model(x)[0], y, m).sum().backward()
            times.append(time.perf_counter() - start)
    model.zero_grad(set_to_none=True)
    return float(np.median(times))


# ======================================================================================
# Training many small networks in lockstep
# ======================================================================================
@dataclass(frozen=True)
class QuickTrainConfig:
    """Minibatch training for live runs (NOT the paper's online protocol of one sequence per update)."""

    updates: int = 150  # weight updates per network
    batch_size: int = 32  # sequences per update
    learning_rate: float = 0.01  # step size
    optimizer: str = "adam"  # "adam" (default, fast to converge) or "sgd" (plain gradient descent)
    log_every: int = 10  # updates per point of the recorded learning curve
    test_size: int = 256  # fixed test sequences, the same for every network
    test_seed: int = 9_999  # seed of the test set
    one_thread: bool = True  # train on one torch thread (small networks run fastest so), then restore

    def __post_init__(self) -> None:
        for name in ("updates", "batch_size", "log_every", "test_size"):
            validate.positive_int(name, getattr(self, name))
        validate.learning_rate("learning_rate", self.learning_rate)
        validate.choice("optimizer", self.optimizer, OPTIMIZERS)
        validate.switch("one_thread", self.one_thread)

    @property
    def protocol(self) -> str:
        return (f"minibatch ({self.batch_size} sequences per update, {self.optimizer}, lr {self.learning_rate:g}) "
                "- not the paper's online protocol")


@dataclass
class RunSet:
    """K networks trained together. Row k of every array belongs to ``labels[k]``."""

    labels: list[str]  # one per network, e.g. "seed 0"
    updates: np.ndarray  # (P,) weight updates done at each point of the learning curves
    train_loss: np.ndarray  # (K, P) mean E/2 per training sequence over the last log_every updates
    test_loss: np.ndarray  # (K,) mean E/2 per sequence on the fixed test set, after training
    test_accuracy: np.ndarray  # (K,) fraction of test sequences correct by the task's criterion
    seconds: float  # wall time of the whole lockstep run
    protocol: str  # how it was trained
    networks: list[LSTM1997] = field(repr=False)  # the trained networks


class _Unrolled(nn.Module):
    """``model`` looped over time without input checks (which data-dependent branches would break under vmap)."""

    def __init__(self, model: SequenceModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        m = self.model
        state = m.initial_state(x.shape[0], x)
        features = []
        for t in range(x.shape[1]):
            state, feat, _ = m.step(x[:, t], state)
            features.append(feat)
        return m.readout(torch.stack(features, dim=1))


def _task(task_config: Any) -> tuple[Any, Any]:
    """(task module, config) from a task config object such as ``AddingConfig(T=15)``."""
    if isinstance(task_config, str):  # a paper row name, e.g. "adding-T100"
        task_config = paper_config(task_config)
    if not hasattr(task_config, "experiment"):
        raise ValueError(f"expected a task config such as tasks.adding.AddingConfig(T=15) or a paper row name, "
                         f"got {task_config!r}")
    return resolve_task(task_config.experiment, task_config)


def _structure(net: LSTM1997):
    """The config without the initial biases: networks that agree on it can be stacked."""
    return replace(net.config, input_gate_bias=None, output_gate_bias=None, forget_gate_bias=None)


def _padded(batches: Sequence[SequenceBatch], dtype: torch.dtype) -> tuple[torch.Tensor, ...]:
    """Stack K batches, zero-padded to the longest: (K, n, T, .). Padding is outside every mask."""
    T = max(b.T_max for b in batches)
    out = []
    for part in zip(*(as_tensors(b, dtype) for b in batches)):
        out.append(torch.stack([nn.functional.pad(p, (0, 0, 0, T - p.shape[1]) if p.dim() == 3 else (0, T - p.shape[1]))
                                for p in part]))
    return tuple(out)


def train_together(
    networks: Sequence[LSTM1997],
    task_config: Any,
    config: QuickTrainConfig = QuickTrainConfig(),
    data_seeds: Optional[Sequence[int]] = None,
    labels: Optional[Sequence[str]] = None,
) -> RunSet:
    """Train K networks of one architecture side by side; network k reads the data stream of ``data_seeds[k]``.

    The result equals K separate runs of ``train.fit(net, task, TrainConfig(batch_size=...,
    optimizer=..., seed=data_seeds[k]), stopping_rule=False)``: the same batches, the same
    loss (mean E/2 per sequence), the same optimizer (Adam and SGD act on each weight
    separately). The networks are batched with ``torch.func.vmap`` over the library's own
    ``step``, so the scissors, g and h are the library's. They may differ in their weights
    and initial biases, not in structure (scissors, g, h, sizes).

    The trained weights are copied back into ``networks``.
    """
    nets = list(networks)
    if not nets:
        raise ValueError("train_together needs at least one network")
    for net in nets:
        _check_lstm(net, "train_together")
    structure = _structure(nets[0])
    for net in nets[1:]:
        if _structure(net) != structure:
            raise ValueError("train_together needs networks of one architecture (same sizes, scissors, g, h); "
                             f"got {structure} and {_structure(net)}: train them in separate calls")
    seeds = list(range(len(nets))) if data_seeds is None else [int(s) for s in data_seeds]
    if len(seeds) != len(nets):
        raise ValueError(f"{len(nets)} networks but {len(seeds)} data seeds; expected one seed per network")
    names = [f"network {k}" for k in range(len(nets))] if labels is None else list(labels)
    if len(names) != len(nets):
        raise ValueError(f"{len(nets)} networks but {len(names)} labels")
    module, task_config = _task(task_config)
    probe = module.generate(task_config, 1, 0)
    if (nets[0].n_inputs, nets[0].n_outputs) != (probe.n_inputs, probe.n_outputs):
        raise ValueError(f"the networks have {nets[0].n_inputs} inputs and {nets[0].n_outputs} outputs but the task "
                         f"needs {probe.n_inputs} and {probe.n_outputs}")

    dtype = next(nets[0].parameters()).dtype
    start = time.perf_counter()
    with use_threads(torch=1 if config.one_thread else None):
        params, _ = stack_module_state(nets)  # name -> (K, ...) leaf tensors
        base = _Unrolled(nets[0])
        stacked = {f"model.{name}": p for name, p in params.items()}

        def outputs(p: Mapping[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
            return functional_call(base, p, (x,))

        batched = torch.vmap(outputs)  # network k reads its own x[k]
        opt = (torch.optim.Adam(list(params.values()), lr=config.learning_rate) if config.optimizer == "adam"
               else torch.optim.SGD(list(params.values()), lr=config.learning_rate))
        streams = [training_batches(module, task_config, config.batch_size, s) for s in seeds]
        points, curve, window = [], [], []
        for update in range(1, config.updates + 1):
            x, y, m = _padded([next(s) for s in streams], dtype)
            out = batched(stacked, x)  # (K, n, T, n_out)
            per_net = 0.5 * ((out - y) ** 2 * m.unsqueeze(-1)).sum(dim=(2, 3)).mean(dim=1)  # mean E/2, (K,)
            if not torch.isfinite(per_net).all():
                raise FloatingPointError(f"a network's loss became non-finite at update {update}; "
                                         f"lower the learning rate (now {config.learning_rate:g})")
            opt.zero_grad()
            per_net.sum().backward()  # the sum separates: network k's weights see only its own loss
            opt.step()
            window.append(per_net.detach().numpy().astype(np.float64))
            if update % config.log_every == 0 or update == config.updates:
                points.append(update)
                curve.append(np.mean(window, axis=0))
                window.clear()
        with torch.no_grad():
            for name, p in params.items():
                for k, net in enumerate(nets):
                    net.get_parameter(name).copy_(p[k])
        test = module.generate(task_config, config.test_size, config.test_seed)
        test_loss, test_acc = [], []
        x, y, m = as_tensors(test, dtype)
        with torch.no_grad():
            test_out = torch.vmap(outputs, in_dims=(0, None))(stacked, x)
        for k in range(len(nets)):
            test_loss.append(sequence_loss(test_out[k], y, m).mean().item())
            test_acc.append(float(np.mean(module.sequence_correct(test_out[k].numpy(), test))))
    return RunSet(names, np.array(points), np.array(curve).T, np.array(test_loss), np.array(test_acc),
                  time.perf_counter() - start, config.protocol, nets)


def compare_variants(
    variants: Mapping[str, Mapping[str, Any]],
    seeds: Sequence[int],
    task_config: Any,
    config: QuickTrainConfig = QuickTrainConfig(),
    network: str = "adding",
) -> dict[str, RunSet]:
    """Train ``paper_network(network, seed=s, **overrides)`` for every variant and seed.

    Every variant uses the same seeds for initial weights and for its data stream, so the
    variants differ only in their overrides (e.g. ``{"scissors": False}``).
    """
    if not variants:
        raise ValueError("compare_variants needs at least one variant, e.g. {'scissors on': {}}")
    if len(seeds) == 0:
        raise ValueError("compare_variants needs at least one seed")
    results = {}
    for label, overrides in variants.items():
        nets = [paper_network(network, seed=int(s), **dict(overrides)) for s in seeds]
        results[label] = train_together(nets, task_config, config, data_seeds=seeds,
                                        labels=[f"{label}, seed {s}" for s in seeds])
    return results


def _bias_tuple(bias: float | Sequence[float], n_blocks: int) -> tuple[float, ...]:
    if isinstance(bias, (int, float, np.floating, np.integer)):
        return (float(bias),) * n_blocks
    values = tuple(float(b) for b in bias)
    if len(values) != n_blocks:
        raise ValueError(f"an input-gate bias needs one value per block ({n_blocks}), got {values}")
    return values


@dataclass
class BiasSweep:
    """Training runs over initial input-gate biases. Arrays are (n_biases, n_seeds)."""

    biases: list[tuple[float, ...]]  # the initial input-gate bias of each block, per sweep entry
    seeds: list[int]  # seeds of weights and data (the same for every bias)
    test_loss: np.ndarray  # mean E/2 on the fixed test set after training
    test_accuracy: np.ndarray  # fraction of test sequences correct
    write_relevant: np.ndarray  # mean |s_c(t) - s_c(t-1)| at the relevant steps, after training
    write_irrelevant: np.ndarray  # the same at all other steps
    runs: RunSet  # every network; row i * n_seeds + j is bias i, seed j

    def curves(self, i: int) -> np.ndarray:
        """(n_seeds, P) learning curves of bias ``i``."""
        n = len(self.seeds)
        return self.runs.train_loss[i * n:(i + 1) * n]

    def network(self, i: int, j: int) -> LSTM1997:
        """The trained network of bias ``i``, seed ``j``."""
        return self.runs.networks[i * len(self.seeds) + j]

    def select(self, i: int, j: Optional[int] = None) -> "BiasSweep":
        """The part of the sweep with bias ``i`` (and only seed ``j``, if given); no retraining."""
        seeds = range(len(self.seeds)) if j is None else [j]
        if not (0 <= i < len(self.biases) and all(0 <= jj < len(self.seeds) for jj in seeds)):
            raise ValueError(f"select({i}, {j}) is outside a sweep of {len(self.biases)} biases "
                             f"and {len(self.seeds)} seeds")
        rows = [i * len(self.seeds) + jj for jj in seeds]
        cols = list(seeds)
        r = self.runs
        runs = RunSet([r.labels[k] for k in rows], r.updates, r.train_loss[rows], r.test_loss[rows],
                      r.test_accuracy[rows], r.seconds, r.protocol, [r.networks[k] for k in rows])
        return BiasSweep([self.biases[i]], [self.seeds[jj] for jj in cols], self.test_loss[i:i + 1, cols],
                         self.test_accuracy[i:i + 1, cols], self.write_relevant[i:i + 1, cols],
                         self.write_irrelevant[i:i + 1, cols], runs)


def bias_sweep(
    biases: Sequence[float | Sequence[float]],
    seeds: Sequence[int],
    task_config: Any,
    config: QuickTrainConfig = QuickTrainConfig(),
    network: str = "adding",
    **overrides: Any,
) -> BiasSweep:
    """Train ``paper_network(network)`` with each initial input-gate bias, all in one lockstep run.

    A bias given as one number is used for every block; a tuple gives one per block (the
    paper's adding network uses (-3, -6)). Same seeds (weights and data) for every bias.
    """
    if len(biases) == 0 or len(seeds) == 0:
        raise ValueError("bias_sweep needs at least one bias and one seed")
    n_blocks = paper_network(network, seed=0, **overrides).cell.n_blocks
    tuples = [_bias_tuple(b, n_blocks) for b in biases]
    nets, data, labels = [], [], []
    for b in tuples:
        for s in seeds:
            nets.append(paper_network(network, seed=int(s), input_gate_bias=b, **overrides))
            data.append(int(s))
            labels.append(f"bias {b}, seed {s}")
    runs = train_together(nets, task_config, config, data_seeds=data, labels=labels)
    module, cfg = _task(task_config)
    probe = module.generate(cfg, config.test_size, config.test_seed)
    relevant, irrelevant = zip(*(storage_profile(net, probe) for net in runs.networks))
    shape = (len(tuples), len(seeds))
    return BiasSweep(tuples, [int(s) for s in seeds], runs.test_loss.reshape(shape),
                     runs.test_accuracy.reshape(shape), np.reshape(relevant, shape),
                     np.reshape(irrelevant, shape), runs)


# ======================================================================================
# What the input-gate bias does before and after training
# ======================================================================================
@dataclass
class DriftAtInit:
    """Untrained networks over initial input-gate biases. Arrays are (n_biases, n_seeds)."""

    biases: np.ndarray  # (n_biases,) the bias given to every block
    gate: np.ndarray  # (n_biases,) f(b) = y^in when the gate's other inputs are 0
    gate_slope: np.ndarray  # (n_biases,) f'(b): how strongly error reaches the input gate's weights
    final_abs_state: np.ndarray  # mean |s_c| at the last step of each sequence
    final_h_slope: np.ndarray  # mean h'(s_c) there: the factor error must pass to reach the CEC


def drift_at_init(biases: Sequence[float], seeds: Sequence[int], task_config: Any, n_sequences: int = 64,
                  network: str = "adding") -> DriftAtInit:
    """How far untrained cells drift over a sequence, for each initial input-gate bias.

    The paper (Sec. 4, "internal state drift") biases input gates negatively so that, at the
    start of learning, s_c does not wander off to where h'(s_c) is tiny and the gradient
    vanishes. Every block gets the same bias; all other weights come from the seed.
    """
    if len(biases) == 0 or len(seeds) == 0:
        raise ValueError("drift_at_init needs at least one bias and one seed")
    module, cfg = _task(task_config)
    batch = module.generate(cfg, n_sequences, 0)
    rows = np.arange(batch.n)
    abs_state = np.zeros((len(biases), len(seeds)))
    h_slope = np.zeros_like(abs_state)
    n_blocks = paper_network(network, seed=0).cell.n_blocks
    for i, b in enumerate(biases):
        for j, s in enumerate(seeds):
            net = paper_network(network, seed=int(s), input_gate_bias=_bias_tuple(b, n_blocks))
            h_prime = activations.get_prime(net.config.h)
            with torch.no_grad():
                states = torch.stack(net.run(torch.as_tensor(batch.inputs)).states, dim=1)  # (n, T, C)
            final = states[rows, torch.as_tensor(batch.lengths - 1)]  # (n, C) at each sequence's end
            abs_state[i, j] = final.abs().mean().item()
            h_slope[i, j] = h_prime(final.double()).mean().item()
    b = torch.as_tensor(np.asarray(biases, dtype=np.float64))
    return DriftAtInit(b.numpy(), activations.f(b).numpy(), activations.f_prime(b).numpy(), abs_state, h_slope)


def relevant_steps(batch: SequenceBatch) -> np.ndarray:
    """(n, T_max) bool: the steps whose input matters (marked pairs; X/Y symbols of temporal order)."""
    key = {"adding": "marked", "multiplication": "marked", "6a": "positions", "6b": "positions"}.get(batch.task)
    if key is None:
        raise ValueError(f"relevant_steps knows the adding, multiplication and temporal-order tasks, "
                         f"got task {batch.task!r}")
    mask = np.zeros((batch.n, batch.T_max), dtype=bool)
    rows = np.repeat(np.arange(batch.n), batch.info[key].shape[1])
    mask[rows, batch.info[key].reshape(-1)] = True
    return mask


def storage_profile(model: LSTM1997, batch: SequenceBatch) -> tuple[float, float]:
    """(mean |Δs_c| at relevant steps, mean |Δs_c| at the other steps) over cells and sequences.

    Δs_c(t) = s_c(t) - s_c(t-1) = y^in(t) g(net_c(t)) is what the cell writes at step t. A
    cell that ignores the distractors writes at the relevant steps and (almost) nowhere else.
    Padding after a sequence's end is left out.
    """
    _check_lstm(model, "storage_profile")
    relevant = relevant_steps(batch)
    inside = np.arange(batch.T_max)[None, :] < batch.lengths[:, None]
    with torch.no_grad():
        states = torch.stack(model.run(torch.as_tensor(batch.inputs)).states, dim=1).double().numpy()  # (n, T, C)
    writes = np.abs(np.diff(states, axis=1, prepend=0.0)).mean(axis=2)  # (n, T), s_c(0) = 0
    return float(writes[relevant & inside].mean()), float(writes[~relevant & inside].mean())


def baseline_loss(task_config: Any, n: int = 4096, seed: int = 0) -> float:
    """Mean E/2 per sequence of the best constant output (the mean target): the loss of a net that learned nothing."""
    module, cfg = _task(task_config)
    batch = module.generate(cfg, n, seed)
    mask = batch.target_mask.astype(bool)
    targets = batch.targets[mask]  # (n_targets, n_out)
    return float(0.5 * ((targets - targets.mean(axis=0)) ** 2).sum() / n)


def gate_trace(model: LSTM1997, batch: SequenceBatch, index: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One sequence of ``batch`` through ``model``: (y^in (T, B), s_c (T, C), relevant steps (T,)).

    T is that sequence's own length (padding dropped).
    """
    _check_lstm(model, "gate_trace")
    if not 0 <= index < batch.n:
        raise ValueError(f"index {index} out of range for a batch of {batch.n} sequences")
    n = int(batch.lengths[index])
    with torch.no_grad():
        trace = model.run(torch.as_tensor(batch.inputs[index:index + 1, :n]))
        y_in = trace.stack("y_in")[0].double().numpy()
        states = torch.stack(trace.states, dim=1)[0].double().numpy()
    return y_in, states, relevant_steps(batch)[index, :n]


def accumulate(net_in: float, net_c: float, steps: int, g: str = "g", h: str = "h") -> tuple[np.ndarray, np.ndarray]:
    """(s_c(t), h(s_c(t))) for t = 0..steps when a cell writes y^in g(net_c) at every step.

    The gate and cell inputs are held fixed, there is no output gate (y^out = 1) and
    s_c(0) = 0, so s_c(t) = t f(net_in) g(net_c): how fast a cell can fill with a given g.

    >>> s, out = accumulate(net_in=50.0, net_c=50.0, steps=3)    # gate open, g saturated at 2
    >>> s.round(3).tolist()
    [0.0, 2.0, 4.0, 6.0]
    """
    steps = validate.positive_int("steps", steps)
    s_values, outputs = [0.0], [float(activations.get(h)(torch.zeros((), dtype=torch.float64)))]
    s = 0.0
    for _ in range(steps):
        step = step_from_preactivations(net_in=net_in, net_c=net_c, net_out=None, s_prev=s, g=g, h=h)
        s = step.s.item()
        s_values.append(s)
        outputs.append(step.y_c.item())
    return np.array(s_values), np.array(outputs)

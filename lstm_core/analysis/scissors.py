"""The scissors (App. A.1): what the paper's truncated gradient cuts, and what it saves.

**The computation graph**:

- ``unrolled_graph``: the scalar computation graph of a 1997 layer unrolled over a few
  steps, one node per quantity of the paper (net_in, y^in, net_out, y^out, net_c, g, s_c,
  y^c), with every edge labelled by its kind. The recurrent edges y(t-1) -> net_in(t),
  net_out(t), net_c(t) are the ones the scissors cut.
- ``count_paths`` / ``state_path_counts``: by the chain rule a derivative is a sum over the
  paths of this graph; these count the paths, with and without the cut edges.
- ``cut_edges_per_step``: how many recurrent weights a step's cut covers, and the CEC edges kept.

**Gradients with and without the scissors** (same weights, same data):

- ``hidden_gradient_norms``: ||dL/dy(t)|| (the activations fed back) and ||dL/ds_c(t)||.
- ``gradient_difference``: how far the truncated gradient is from the full one.
- ``backward_graph_size`` and ``seconds_per_sequence``: the work of one backward pass
  (``seconds_per_sequence`` measures wall time; compare only numbers measured together).

Plots: :mod:`lstm_core.plots.scissors`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from lstm_core import validation as validate
from lstm_core.model.networks import LSTM1997
from lstm_core.analysis.gradients import last_step_loss
from lstm_core.tasks.base import SequenceBatch
from lstm_core.training.loop import as_tensors, sequence_loss

__all__ = ["EDGE_KINDS", "GraphEdge", "UnrolledGraph", "unrolled_graph", "count_paths",
           "state_path_counts", "cut_edges_per_step", "hidden_gradient_norms", "gradient_difference",
           "backward_graph_size", "seconds_per_sequence"]


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


def _check_lstm(model: Any, what: str) -> LSTM1997:
    """``model`` if it is the 1997 network (the scissors are its switch); else an error naming ``what``."""
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

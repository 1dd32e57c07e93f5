"""Figures of the chapter on the 1997 details: the scissors, the gate biases, the squashers g and h.

- ``plot_unrolled_graph``: two steps of one memory cell as a computation graph, the edges
  the scissors cut drawn dashed (from :func:`lstm_core.analysis.design.unrolled_graph`);
- ``plot_path_counts``: how many chain-rule paths link s_c(t-k) to s_c(t), kept vs all;
- ``plot_learning_curves``: training curves of several variants, one thin line per seed;
- ``plot_bias_sweep`` and ``plot_drift``: what the initial input-gate bias does;
- ``plot_gate_activity``: a trained cell's input gates and states over one sequence;
- ``plot_bias_run``: one training run's learning curve beside its gates (the bias panel);
- ``plot_squashers`` and ``plot_accumulation``: g, h and tanh, and how fast a cell fills.

Every function takes plain arrays and optional axes and returns the Figure (white background).
"""

from __future__ import annotations

import re
from typing import Mapping, Optional, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from lstm_core.plots._figure import white as _white
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

__all__ = [
    "plot_unrolled_graph",
    "plot_path_counts",
    "plot_learning_curves",
    "plot_bias_sweep",
    "plot_drift",
    "plot_gate_activity",
    "plot_bias_run",
    "plot_squashers",
    "plot_accumulation",
]

_CUT, _CEC, _PLAIN, _FADED = "tab:red", "tab:green", "0.2", "0.6"
_FACE = {"net": "#e3ecfa", "gate": "#e3ecfa", "squash": "#fff1d6", "state": "#e2f3e6", "vector": "#f2f2f2",
         "out": "white"}
_COLORS = ("tab:blue", "tab:orange", "tab:green", "tab:purple", "tab:brown", "tab:pink", "tab:gray", "tab:olive",
           "tab:cyan", "tab:red")


def _axes(axes: Optional[Sequence[Axes]], n: int, figsize: tuple[float, float]) -> list[Axes]:
    if axes is None:
        _, created = plt.subplots(1, n, figsize=figsize, layout="constrained", squeeze=False)
        return list(created[0])
    axes = list(axes) if not isinstance(axes, Axes) else [axes]
    if len(axes) != n:
        raise ValueError(f"expected {n} axes, got {len(axes)}")
    return axes


# ======================================================================================
# The computation graph
# ======================================================================================
# (x, y) of each quantity within one step's column, and its label and kind
_LAYOUT = {
    "net_in": ((0.9, -1.0), r"$net_{in}$", "net"),
    "y_in": ((2.1, -1.0), r"$y^{in}$", "gate"),
    "net_c": ((0.9, 0.5), r"$net_c$", "net"),
    "g": ((2.1, 0.5), r"$g$", "squash"),
    "s": ((3.3, 0.5), r"$s_c$", "state"),
    "net_out": ((2.1, 2.0), r"$net_{out}$", "net"),
    "y_out": ((3.3, 2.0), r"$y^{out}$", "gate"),
    "y_c": ((4.5, 0.5), r"$y^c$", "squash"),
    "y": ((5.7, 0.5), r"$y$", "vector"),
    "y_k": ((5.7, 2.0), r"$y^k$", "out"),
}
_STEP_WIDTH = 7.0
_NODE = re.compile(r"^(?P<q>[a-z_]+)(\[\d+\])?@(?P<t>\d+)$")


def _position(name: str, steps: int) -> Optional[tuple[float, float]]:
    if name == "E":
        return (_STEP_WIDTH * (steps - 1) + 6.9, 2.0)
    m = _NODE.match(name)
    if m is None or m["q"] not in _LAYOUT:
        return None  # inputs x(t) are not drawn
    (x, y), _, _ = _LAYOUT[m["q"]]
    return (x + _STEP_WIDTH * (int(m["t"]) - 1), y)


def _clip(a: tuple[float, float], b: tuple[float, float], half: tuple[float, float] = (0.48, 0.36)) -> tuple:
    """The point where the segment from box centre ``a`` towards ``b`` leaves the box around ``a``."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    scale = min(half[0] / abs(dx) if dx else np.inf, half[1] / abs(dy) if dy else np.inf)
    return (a[0] + dx * scale, a[1] + dy * scale)


def plot_unrolled_graph(graph, scissors: bool = True, ax: Optional[Axes] = None) -> Figure:
    """Draw one memory cell unrolled over its steps, with the edges the scissors cut marked.

    Args:
        graph: an ``UnrolledGraph`` of 1 block of 1 cell (``experiments.unrolled_graph(1, 1, steps)``).
        scissors: True draws the recurrent edges y(t-1) -> net_in, net_out, net_c as cut
            (red, dashed, with scissors); False draws them as ordinary edges.
        ax: axes to draw on; default: a new figure sized to the number of steps.

    The inputs x(t), which feed every net input, are left out to keep the picture readable.
    """
    if graph.n_blocks != 1 or graph.block_size != 1:
        raise ValueError(f"plot_unrolled_graph draws 1 block of 1 cell; got {graph.n_blocks} blocks of "
                         f"{graph.block_size} cells (use unrolled_graph(1, 1, steps))")
    steps = graph.steps
    if ax is None:
        _, ax = plt.subplots(figsize=(3.2 + 3.9 * steps, 4.6), layout="constrained")
    fig = _white(ax.figure)
    ax.set_xlim(-0.6, _STEP_WIDTH * (steps - 1) + 7.5)
    ax.set_ylim(-3.0, 3.1)
    ax.set_aspect("equal")
    ax.axis("off")

    for t in range(1, steps + 1):
        ax.text(_STEP_WIDTH * (t - 1) + 2.6, 2.85, f"step {t}", ha="center", fontsize=11, color="0.35")
    for name in graph.nodes:
        pos = _position(name, steps)
        if pos is None:
            continue
        q = "E" if name == "E" else _NODE.match(name)["q"]
        label, kind = (r"$E$", "out") if q == "E" else _LAYOUT[q][1:]
        ax.add_patch(FancyBboxPatch((pos[0] - 0.42, pos[1] - 0.3), 0.84, 0.6, boxstyle="round,pad=0.04",
                                    fc=_FACE[kind], ec="0.25", lw=1.0, zorder=3))
        ax.text(*pos, label, ha="center", va="center", fontsize=12, zorder=4)

    def arrow(a, b, color, lw=1.2, ls="-", rad=0.0, z=2):
        a, b = _clip(a, b), _clip(b, a)  # start and end at the boxes' borders
        ax.add_patch(FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=11, color=color, lw=lw, ls=ls,
                                     shrinkA=0, shrinkB=1, connectionstyle=f"arc3,rad={rad}", zorder=z))

    n_cut = 0
    for e in graph.edges:
        a, b = _position(e.source, steps), _position(e.target, steps)
        if a is None or b is None:
            continue
        if e.kind == "cec":  # s_c(t-1) -> s_c(t): routed under the step, weight 1.0
            x0, x1, low = a[0], b[0], -2.25
            ax.plot([x0, x0, x1], [a[1] - 0.32, low, low], color=_CEC, lw=3, zorder=1, solid_capstyle="round")
            ax.add_patch(FancyArrowPatch((x1, low), (x1, b[1] - 0.32), arrowstyle="-|>", mutation_scale=14,
                                         color=_CEC, lw=3, shrinkA=0, shrinkB=0, zorder=1))
            ax.text((x0 + x1) / 2, low - 0.3, "CEC: $s_c(t) = s_c(t-1) + \\ldots$, weight 1.0 (kept)",
                    ha="center", va="top", fontsize=9.5, color=_CEC)
        elif e.kind == "recurrent":
            rad = -0.25 if "net_out" in e.target else (0.2 if "net_in" in e.target else 0.0)
            if scissors:
                n_cut += 1
                arrow(a, b, _CUT, lw=1.6, ls=(0, (4, 3)), rad=rad)
                mid = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2 + (0.45 if "net_out" in e.target else
                                                               -0.35 if "net_in" in e.target else 0.0))
                ax.text(*mid, "\u2702", ha="center", va="center", fontsize=18, color=_CUT, zorder=5,
                        bbox=dict(boxstyle="circle,pad=0.05", fc="white", ec="none"))
            else:
                arrow(a, b, "tab:orange", lw=1.6, rad=rad)
        elif e.kind == "member":
            rad = 0.35 if "y_in" in e.source else 0.0
            arrow(a, b, _FADED, lw=0.9, rad=rad)
        else:
            arrow(a, b, _PLAIN)
    what = (f"scissors on: the {n_cut} red edges y(t-1) → $net_{{in}}$, $net_{{out}}$, $net_c$ pass no error back"
            if scissors else "scissors off: error also flows back along y(t-1) → $net_{in}$, $net_{out}$, $net_c$")
    ax.set_title(what, fontsize=11)
    return fig


def plot_path_counts(lags: Sequence[int], kept: Sequence[int], full: Sequence[int],
                     ax: Optional[Axes] = None) -> Figure:
    """Number of chain-rule paths from s_c(t-k) to s_c(t) against k, with and without the scissors."""
    lags, kept, full = np.asarray(lags), np.asarray(kept, dtype=float), np.asarray(full, dtype=float)
    if not (lags.shape == kept.shape == full.shape) or lags.ndim != 1:
        raise ValueError("plot_path_counts: lags, kept and full must be 1-D and of one length")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.8), layout="constrained")
    fig = _white(ax.figure)
    ax.semilogy(lags, full, "o-", color="tab:orange", label="scissors off (full gradient)")
    ax.semilogy(lags, kept, "s-", color=_CEC, label="scissors on (only the CEC)")
    ax.set_xlabel("k, steps back")
    ax.set_ylabel("paths from $s_c(t-k)$ to $s_c(t)$")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend()
    return fig


# ======================================================================================
# Training results
# ======================================================================================
def plot_learning_curves(updates: Sequence[int], curves: Mapping[str, np.ndarray], *,
                         baseline: Optional[float] = None, title: Optional[str] = None,
                         ax: Optional[Axes] = None) -> Figure:
    """Learning curves of several variants: one thin line per seed, the mean thick.

    Args:
        updates: (P,) weight updates at each point.
        curves: label -> (n_seeds, P) loss values (mean E/2 per sequence).
        baseline: loss of a network that learned nothing (drawn dotted).
        title: axes title.
        ax: axes to draw on.
    """
    updates = np.asarray(updates)
    if not curves:
        raise ValueError("plot_learning_curves: no curves given")
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4), layout="constrained")
    fig = _white(ax.figure)
    for (label, values), color in zip(curves.items(), _COLORS):
        values = np.atleast_2d(np.asarray(values, dtype=float))
        if values.shape[1] != updates.shape[0]:
            raise ValueError(f"plot_learning_curves: curve {label!r} has {values.shape[1]} points, "
                             f"updates has {updates.shape[0]}")
        for row in values:
            ax.plot(updates, row, color=color, lw=0.8, alpha=0.45)
        name = f"{label} (mean of {len(values)})" if len(values) > 1 else label
        ax.plot(updates, values.mean(axis=0), color=color, lw=2.4, label=name)
    if baseline is not None:
        ax.axhline(baseline, color="0.3", ls=":", lw=1.2, label="learned nothing (constant output)")
    ax.set_yscale("log")
    ax.set_xlabel("weight updates")
    ax.set_ylabel("training loss, mean E/2 per sequence")
    ax.grid(True, which="both", alpha=0.25)
    ax.legend(fontsize=8.5)
    if title:
        ax.set_title(title, fontsize=11)
    return fig


def plot_bias_sweep(labels: Sequence[str], test_loss: np.ndarray, write_relevant: np.ndarray,
                    write_irrelevant: np.ndarray, *, baseline: Optional[float] = None,
                    axes: Optional[Sequence[Axes]] = None) -> Figure:
    """Left: test loss after training per initial bias (dots: seeds, line: mean). Right: what the cells write.

    All arrays are (n_biases, n_seeds); ``labels`` name the biases.
    """
    test_loss, rel, irr = (np.atleast_2d(np.asarray(a, dtype=float)) for a in (test_loss, write_relevant,
                                                                             write_irrelevant))
    if not (test_loss.shape == rel.shape == irr.shape) or test_loss.shape[0] != len(labels):
        raise ValueError("plot_bias_sweep: arrays must be (n_biases, n_seeds), one row per label")
    left, right = _axes(axes, 2, (11, 4))
    fig = _white(left.figure)
    pos = np.arange(len(labels))
    for j in range(test_loss.shape[1]):
        left.plot(pos, test_loss[:, j], "o", color="tab:blue", alpha=0.45, ms=5)
    left.plot(pos, test_loss.mean(axis=1), "-", color="tab:blue", lw=2, label="mean over seeds")
    if baseline is not None:
        left.axhline(baseline, color="0.3", ls=":", lw=1.2, label="learned nothing")
    left.set_yscale("log")
    left.set_ylabel("test loss after training, E/2")
    right.plot(pos, rel.mean(axis=1), "o-", color="tab:green", label="at the marked (relevant) steps")
    right.plot(pos, irr.mean(axis=1), "s-", color="tab:red", label="at all other steps")
    right.set_ylabel(r"mean $|s_c(t) - s_c(t-1)|$ after training")
    for a in (left, right):
        a.set_xticks(pos, labels, rotation=0, fontsize=9)
        a.set_xlabel("initial input-gate bias (per block)")
        a.grid(True, alpha=0.25)
        a.legend(fontsize=8.5)
    return fig


def plot_drift(biases: Sequence[float], final_abs_state: np.ndarray, final_h_slope: np.ndarray,
               gate_slope: Sequence[float], *, axes: Optional[Sequence[Axes]] = None) -> Figure:
    """Untrained networks: how far s_c drifts (left) and the two slopes error must pass (right)."""
    b = np.asarray(biases, dtype=float)
    drift = np.atleast_2d(np.asarray(final_abs_state, dtype=float))
    h_slope = np.atleast_2d(np.asarray(final_h_slope, dtype=float))
    if drift.shape[0] != b.shape[0] or h_slope.shape != drift.shape or len(gate_slope) != b.shape[0]:
        raise ValueError("plot_drift: expected (n_biases, n_seeds) arrays and one gate slope per bias")
    left, right = _axes(axes, 2, (11, 3.8))
    fig = _white(left.figure)
    for j in range(drift.shape[1]):
        left.semilogy(b, drift[:, j], "o", color="tab:purple", alpha=0.4, ms=4)
    left.semilogy(b, drift.mean(axis=1), "-", color="tab:purple", lw=2, label="mean over seeds")
    left.set_ylabel(r"mean $|s_c|$ at the sequence end")
    left.set_title("before training: how far the cell states drift", fontsize=10.5)
    right.plot(b, h_slope.mean(axis=1), "o-", color="tab:purple", label=r"$h'(s_c)$ at the end (into the CEC)")
    right.plot(b, gate_slope, "s-", color="tab:blue", label=r"$f'(b)$ (into the input gate's weights)")
    right.set_ylabel("slope")
    right.set_title("the trade-off the paper names (Sec. 4)", fontsize=10.5)
    for a in (left, right):
        a.set_xlabel("initial input-gate bias b (every block)")
        a.grid(True, which="both", alpha=0.25)
        a.legend(fontsize=8.5)
    return fig


def plot_gate_activity(y_in: np.ndarray, states: np.ndarray, relevant: Sequence[bool], *,
                       axes: Optional[Sequence[Axes]] = None) -> Figure:
    """A network over one sequence: input gates y^in (top) and cell states s_c (bottom).

    Args:
        y_in: (T, B) input-gate activations per block.
        states: (T, C) cell states.
        relevant: (T,) True at the steps whose input matters (shaded).
        axes: two axes (top, bottom); default: a new figure.
    """
    y_in, states = np.asarray(y_in, dtype=float), np.asarray(states, dtype=float)
    relevant = np.asarray(relevant, dtype=bool)
    if y_in.ndim != 2 or states.ndim != 2 or not (y_in.shape[0] == states.shape[0] == relevant.shape[0]):
        raise ValueError("plot_gate_activity: expected y_in (T, B), states (T, C) and relevant (T,)")
    if axes is None:
        _, created = plt.subplots(2, 1, figsize=(6.5, 4.6), sharex=True, layout="constrained")
        top, bottom = created
    else:
        top, bottom = _axes(axes, 2, (0, 0))
    fig = _white(top.figure)
    t = np.arange(1, y_in.shape[0] + 1)
    for a in (top, bottom):
        for step in t[relevant]:
            a.axvspan(step - 0.5, step + 0.5, color="gold", alpha=0.35, lw=0)
        a.grid(True, alpha=0.25)
    for j in range(y_in.shape[1]):
        top.plot(t, y_in[:, j], "o-", ms=3, color=_COLORS[j], label=f"block {j + 1}")
    top.set_ylim(-0.03, 1.03)
    top.set_ylabel(r"input gate $y^{in}$")
    top.legend(fontsize=8, loc="upper right")
    top.set_title("one test sequence (shaded: the marked steps)", fontsize=10)
    for c in range(states.shape[1]):
        bottom.plot(t, states[:, c], "-", color=_COLORS[c % len(_COLORS)], lw=1.5, label=f"cell {c + 1}")
    bottom.set_ylabel(r"cell state $s_c$")
    bottom.set_xlabel("time step t")
    bottom.legend(fontsize=8, ncol=2, loc="best")
    return fig


def plot_bias_run(updates: Sequence[int], curve: np.ndarray, y_in: np.ndarray, states: np.ndarray,
                  relevant: Sequence[bool], *, label: str, baseline: Optional[float] = None,
                  title: Optional[str] = None) -> Figure:
    """One run: its learning curve (left) beside its input gates and cell states on one sequence (right).

    ``curve`` is (n_seeds, P) or (P,); the other arguments as in ``plot_learning_curves`` and
    ``plot_gate_activity``. Always draws a new figure.
    """
    fig, ax = plt.subplot_mosaic([["curve", "gate"], ["curve", "state"]], figsize=(12, 4.6), layout="constrained")
    plot_learning_curves(updates, {label: np.atleast_2d(curve)}, baseline=baseline, title=title, ax=ax["curve"])
    plot_gate_activity(y_in, states, relevant, axes=(ax["gate"], ax["state"]))
    return _white(fig)


# ======================================================================================
# The squashers
# ======================================================================================
def plot_squashers(x: np.ndarray, values: Mapping[str, np.ndarray], slopes: Mapping[str, np.ndarray], *,
                   axes: Optional[Sequence[Axes]] = None) -> Figure:
    """Left: the functions over ``x``; right: their derivatives. ``values``/``slopes``: label -> (len(x),)."""
    x = np.asarray(x, dtype=float)
    if set(values) != set(slopes) or not values:
        raise ValueError("plot_squashers: values and slopes must name the same, non-empty set of functions")
    left, right = _axes(axes, 2, (11, 3.8))
    fig = _white(left.figure)
    for (label, v), color in zip(values.items(), _COLORS):
        if np.shape(v) != x.shape or np.shape(slopes[label]) != x.shape:
            raise ValueError(f"plot_squashers: {label!r} has a different length than x")
        left.plot(x, v, color=color, lw=2, label=label)
        right.plot(x, slopes[label], color=color, lw=2, label=label)
    left.set_ylabel("value")
    right.set_ylabel("derivative")
    for a in (left, right):
        a.axhline(0, color="0.5", lw=0.8)
        a.axvline(0, color="0.5", lw=0.8)
        a.set_xlabel("x (net input)")
        a.grid(True, alpha=0.25)
        a.legend(fontsize=9)
    return fig


def plot_accumulation(steps: np.ndarray, states: Mapping[str, np.ndarray], outputs: Mapping[str, np.ndarray], *,
                      axes: Optional[Sequence[Axes]] = None) -> Figure:
    """Left: s_c(t) as a cell keeps writing; right: the cell output h(s_c(t)). label -> (len(steps),)."""
    steps = np.asarray(steps)
    if set(states) != set(outputs) or not states:
        raise ValueError("plot_accumulation: states and outputs must name the same, non-empty set of variants")
    left, right = _axes(axes, 2, (11, 3.6))
    fig = _white(left.figure)
    for (label, s), color in zip(states.items(), _COLORS):
        left.plot(steps, s, "o-", ms=3, color=color, label=label)
        right.plot(steps, outputs[label], "o-", ms=3, color=color, label=label)
    left.set_ylabel(r"cell state $s_c(t)$")
    right.set_ylabel(r"squashed state $h(s_c(t))$")
    right.set_ylim(-1.05, 1.05)
    for a in (left, right):
        a.set_xlabel("time step t")
        a.grid(True, alpha=0.25)
        a.legend(fontsize=9)
    return fig

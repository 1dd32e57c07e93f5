"""Figures of the scissors (compute: :mod:`lstm_core.analysis.scissors`).

- ``plot_unrolled_graph``: two steps of one memory cell as a computation graph, the edges
  the scissors cut drawn dashed (from :func:`lstm_core.analysis.scissors.unrolled_graph`);
- ``plot_path_counts``: how many chain-rule paths link s_c(t-k) to s_c(t), kept vs all.

Every function takes plain arrays (and optional axes) and returns the Figure, white background.
"""

from __future__ import annotations

import re
from typing import Optional, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from lstm_core.plots._figure import white as _white

__all__ = ["plot_unrolled_graph", "plot_path_counts"]


_CUT, _CEC, _PLAIN, _FADED = "tab:red", "tab:green", "0.2", "0.6"


_FACE = {"net": "#e3ecfa", "gate": "#e3ecfa", "squash": "#fff1d6", "state": "#e2f3e6", "vector": "#f2f2f2",
         "out": "white"}


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

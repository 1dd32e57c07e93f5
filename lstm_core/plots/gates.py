"""Figures of the gates chapter.

- ``draw_cell_diagram``: a block diagram of the 1997 memory cell (paper, Fig. 1) with the
  numbers of one update, optionally highlighting one of its five stages;
- ``plot_gate_trace``: a cell over time, its gates acting as write and read permissions;
- ``plot_state_drift``: cell states over an unending stream, 1997 cell vs forget-gate variant.

The numbers come from :mod:`lstm_core.model.cells` and :mod:`lstm_core.analysis.carousel`.
"""

from __future__ import annotations

from typing import Mapping, Optional, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from lstm_core.plots._figure import white as _white
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

__all__ = ["STAGE_ELEMENTS", "draw_cell_diagram", "plot_gate_trace", "plot_state_drift"]

#: stage number -> the diagram elements it computes (1: input gate ... 5: read out).
STAGE_ELEMENTS: dict[int, frozenset[str]] = {
    1: frozenset({"in_gate", "y_in"}),
    2: frozenset({"g", "g_c"}),
    3: frozenset({"x_in", "plus", "loop", "s"}),
    4: frozenset({"out_gate", "y_out"}),
    5: frozenset({"h", "x_out", "h_s", "y_c"}),
}
# the value each stage produces, shown as "?" before its stage
_OUTPUT_STAGE = {"y_in": 1, "g_c": 2, "s": 3, "y_out": 4, "h_s": 5, "y_c": 5}

_EDGE, _FUTURE, _HIGHLIGHT = "0.15", "0.72", "tab:red"
_FACE = {"gate": "#e3ecfa", "squash": "#fff1d6", "cec": "#e2f3e6", "op": "white"}
_FACE_HIGHLIGHT = "#ffd9cc"


def draw_cell_diagram(
    values: Optional[Mapping[str, float]] = None,
    stage: Optional[int] = None,
    *,
    caption: Optional[str] = None,
    ax: Optional[Axes] = None,
) -> Figure:
    """Draw the 1997 memory cell: net_c → g → × y^in → + (CEC, self-loop 1.0) → h → × y^out → y^c.

    Args:
        values: numbers of one update keyed like ``lstm_core.analysis.carousel.CELL_VALUE_NAMES``
            (net_in, y_in, net_c, g_c, s_prev, s, net_out, y_out, h_s, y_c); None draws the
            bare diagram.
        stage: 1..5 highlights that stage (1 input gate, 2 squash the input, 3 CEC update,
            4 output gate, 5 squash and read out); later stages are greyed and their results
            shown as "?". None shows everything.
        caption: a line of text under the diagram (e.g. the current stage's formula).
        ax: axes to draw on; default: a new 10 x 5.1 inch figure.

    Returns:
        The figure holding ``ax``.
    """
    if stage is not None and stage not in STAGE_ELEMENTS:
        raise ValueError(f"draw_cell_diagram: stage={stage!r}; expected None or one of {sorted(STAGE_ELEMENTS)}")
    if values is not None:
        missing = {"net_in", "y_in", "net_c", "g_c", "s_prev", "s", "net_out", "y_out", "h_s", "y_c"} - set(values)
        if missing:
            raise ValueError(f"draw_cell_diagram: values lack {sorted(missing)}")
    if ax is None:
        fig, ax = plt.subplots(figsize=(10, 5.1), layout="constrained")
    fig = _white(ax.figure)
    ax.set_xlim(0, 14)
    ax.set_ylim(-0.2, 7.2)
    ax.set_aspect("equal")
    ax.axis("off")

    current = STAGE_ELEMENTS.get(stage, frozenset()) if stage is not None else frozenset()
    done = frozenset().union(*(STAGE_ELEMENTS[k] for k in STAGE_ELEMENTS if stage is None or k < stage))

    def style(key: str) -> tuple[str, float, str]:
        """edge colour, line width, text colour of an element."""
        if key in current:
            return _HIGHLIGHT, 3.0, _HIGHLIGHT
        if stage is None or key in done:
            return _EDGE, 1.4, _EDGE
        return _FUTURE, 1.2, _FUTURE

    def box(key: str, xy: tuple[float, float], label: str, sub: str, kind: str) -> None:
        edge, lw, txt = style(key)
        face = _FACE_HIGHLIGHT if key in current else _FACE[kind]
        w, h = 1.75, 1.0
        ax.add_patch(FancyBboxPatch((xy[0] - w / 2, xy[1] - h / 2), w, h, boxstyle="round,pad=0.05",
                                    fc=face, ec=edge, lw=lw, zorder=3))
        ax.text(xy[0], xy[1] + 0.13, label, ha="center", va="center", fontsize=13, color=txt, zorder=4,
                fontweight="bold")
        ax.text(xy[0], xy[1] - 0.27, sub, ha="center", va="center", fontsize=8.5, color=txt, zorder=4)

    def node(key: str, xy: tuple[float, float], label: str, r: float = 0.36, kind: str = "op") -> None:
        edge, lw, txt = style(key)
        face = _FACE_HIGHLIGHT if key in current else _FACE[kind]
        ax.add_patch(Circle(xy, r, fc=face, ec=edge, lw=lw, zorder=3))
        ax.text(xy[0], xy[1], label, ha="center", va="center", fontsize=15, color=txt, zorder=4)

    def arrow(a: tuple[float, float], b: tuple[float, float], key: str = "", **kw) -> None:
        edge, lw, _ = style(key) if key else (_EDGE, 1.4, _EDGE)
        ax.add_patch(FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=13, color=edge, lw=lw,
                                     zorder=2, shrinkA=0, shrinkB=0, **kw))

    def number(key: str, xy: tuple[float, float], text: str, ha: str = "center") -> None:
        """A value label; results of stages not reached yet read '?'."""
        if values is None:
            return
        produced_at = _OUTPUT_STAGE.get(key)
        hidden = stage is not None and produced_at is not None and produced_at > stage
        shown = text.split("=")[0] + "= ?" if hidden else text
        color = _HIGHLIGHT if key in current else (_FUTURE if hidden else "black")
        ax.text(*xy, shown, ha=ha, va="center", fontsize=10.5, color=color, zorder=5,
                bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.9))

    y0 = 3.0  # the main line
    # the cell's frame
    ax.add_patch(FancyBboxPatch((1.35, 0.55), 11.0, 3.35, boxstyle="round,pad=0.1", fc="none", ec="0.55",
                                lw=1.0, ls="--", zorder=1))
    ax.text(1.5, 3.72, "memory cell $c_j$", fontsize=10, color="0.4", va="center")

    # main line: net_c -> g -> x -> + -> h -> x -> y^c
    ax.text(0.55, y0, "$net_c$", ha="center", va="center", fontsize=12)
    arrow((0.95, y0), (1.52, y0), "g")
    box("g", (2.4, y0), "g", "squash to [−2, 2]", "squash")
    arrow((3.28, y0), (4.24, y0), "x_in")
    node("x_in", (4.6, y0), "×")
    arrow((4.96, y0), (6.6, y0), "plus")
    node("plus", (7.0, y0), "+", r=0.4, kind="cec")
    arrow((7.4, y0), (8.52, y0), "h")
    box("h", (9.4, y0), "h", "squash to [−1, 1]", "squash")
    arrow((10.28, y0), (11.24, y0), "x_out")
    node("x_out", (11.6, y0), "×")
    arrow((11.96, y0), (12.85, y0), "y_c")
    ax.text(13.3, y0, "$y^c$", ha="center", va="center", fontsize=13,
            color=style("y_c")[2] if stage is not None else _EDGE)

    # the CEC: a self-loop of fixed weight 1.0 around the + node
    edge, lw, txt = style("loop")
    ax.plot([7.9, 7.9, 7.0], [y0, 1.35, 1.35], color=edge, lw=lw, zorder=2)
    arrow((7.0, 1.35), (7.0, y0 - 0.4), "loop")
    ax.text(8.05, 1.95, "×1.0", fontsize=10, color=txt, va="center")
    ax.text(6.85, 0.95, "constant error carousel (CEC)", fontsize=9.5, color=txt, ha="center", va="center")

    # the gates: f squashes net_in / net_out into [0, 1]
    box("in_gate", (4.6, 5.35), "f", "input gate: write", "gate")
    ax.text(4.6, 6.75, "$net_{in}$", ha="center", va="center", fontsize=12)
    arrow((4.6, 6.5), (4.6, 5.9), "in_gate")
    arrow((4.6, 4.8), (4.6, y0 + 0.36), "y_in")
    box("out_gate", (11.6, 5.35), "f", "output gate: read", "gate")
    ax.text(11.6, 6.75, "$net_{out}$", ha="center", va="center", fontsize=12)
    arrow((11.6, 6.5), (11.6, 5.9), "out_gate")
    arrow((11.6, 4.8), (11.6, y0 + 0.36), "y_out")

    if values is not None:
        v = values
        number("net_in", (5.0, 6.75), f"= {v['net_in']:.3f}", ha="left")
        number("net_out", (12.0, 6.75), f"= {v['net_out']:.3f}", ha="left")
        number("net_c", (0.55, 2.45), f"{v['net_c']:.3f}")
        number("y_in", (4.75, 4.3), f"$y^{{in}}$ = {v['y_in']:.3f}", ha="left")
        number("y_out", (11.75, 4.3), f"$y^{{out}}$ = {v['y_out']:.3f}", ha="left")
        number("g_c", (2.4, 2.1), f"g = {v['g_c']:.3f}")
        number("s", (7.0, 3.65), f"$s_c(t)$ = {v['s']:.3f}")
        number("s_prev", (5.6, 1.75), f"$s_c(t-1)$ = {v['s_prev']:.3f}")
        number("h_s", (9.4, 2.1), f"h = {v['h_s']:.3f}")
        number("y_c", (13.3, 2.4), f"= {v['y_c']:.3f}")
    if caption:
        ax.text(7.0, -0.05, caption, ha="center", va="center", fontsize=10.5,
                color=_HIGHLIGHT if stage is not None else "black")
    ax.set_title("The 1997 memory cell: one update", fontsize=12)
    return fig


def plot_gate_trace(
    values: Sequence[float],
    write: Sequence[float],
    read: Sequence[float],
    y_in: Sequence[float],
    y_out: Sequence[float],
    s: Sequence[float],
    y_c: Sequence[float],
    *,
    axes: Optional[Sequence[Axes]] = None,
) -> Figure:
    """One cell over time: inputs, gates, state and output in three rows.

    Args:
        values, write, read: the input lines (a value, the write and read flags), length T.
        y_in, y_out: the gates; s: the cell state s_c(t); y_c: the cell output; all length T.
        axes: three axes (top to bottom); default: a new figure.

    Returns:
        The figure holding the axes.
    """
    arrays = [np.asarray(a, dtype=float) for a in (values, write, read, y_in, y_out, s, y_c)]
    if any(a.ndim != 1 for a in arrays) or len({a.size for a in arrays}) != 1 or arrays[0].size == 0:
        raise ValueError(f"plot_gate_trace: all series must be 1-d of one length; got {[a.shape for a in arrays]}")
    values, write, read, y_in, y_out, s, y_c = arrays
    if axes is None:
        fig, axes = plt.subplots(3, 1, figsize=(10, 6.2), sharex=True, layout="constrained")
    a0, a1, a2 = axes
    fig = _white(a0.figure)
    t = np.arange(values.size)
    a0.bar(t, values, color="0.6", width=0.6, label="value (net_c)")
    for flag, name, color in ((write, "write", "tab:green"), (read, "read", "tab:purple")):
        for k in np.flatnonzero(flag > 0.5):
            a0.axvspan(k - 0.4, k + 0.4, color=color, alpha=0.25, lw=0)
        a0.plot([], [], color=color, lw=6, alpha=0.4, label=f"{name} flag")
    a0.set_ylabel("input")
    a0.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=9)
    a1.step(t, y_in, where="mid", color="tab:green", lw=2, label="$y^{in}$ (write permission)")
    a1.step(t, y_out, where="mid", color="tab:purple", lw=2, ls="--", label="$y^{out}$ (read permission)")
    a1.set_ylim(-0.08, 1.08)
    a1.set_ylabel("gate")
    a1.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=9)
    a2.plot(t, s, "o-", color="tab:blue", lw=2, label="$s_c(t)$ (the carousel)")
    a2.plot(t, y_c, "s-", color="tab:orange", lw=1.5, label="$y^c(t)$ (what others see)")
    a2.axhline(0, color="0.7", lw=0.8, zorder=0)
    a2.set_ylabel("state / output")
    a2.set_xlabel("time step t")
    a2.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=9)
    a0.set_title("Write when the input gate opens, hold, read when the output gate opens")
    return fig


def plot_state_drift(
    s_1997: np.ndarray,
    s_forget: np.ndarray,
    *,
    bound: Optional[float] = None,
    axes: Optional[Sequence[Axes]] = None,
) -> Figure:
    """Cell states s_c(t) over one stream without resets: the 1997 cell vs the forget-gate variant.

    Args:
        s_1997: (T, C) states of the 1997 network.
        s_forget: (T, C') states of the network with the later forget gate.
        bound: if given, drawn as ±bound on the forget-gate panel (a bound the states must obey).
        axes: two axes (the 1997 cell's, the forget gate's); default: a new figure, one above the other
            (legible at a text column's width).

    Returns:
        The figure holding the axes.
    """
    a, b = np.asarray(s_1997, dtype=float), np.asarray(s_forget, dtype=float)
    if a.ndim != 2 or b.ndim != 2 or a.shape[0] == 0 or b.shape[0] == 0:
        raise ValueError(f"plot_state_drift: states must be (T, C) arrays; got {a.shape} and {b.shape}")
    if axes is None:
        fig, axes = plt.subplots(2, 1, figsize=(8.5, 6.4), sharex=True, layout="constrained")
    left, right = axes
    fig = _white(left.figure)
    for ax, states, title in ((left, a, "1997 cell: s_c(t) = s_c(t−1) + y^in g"),
                              (right, b, "with a forget gate (Gers et al., later): s_c(t) = y^φ s_c(t−1) + y^in g")):
        for c in range(states.shape[1]):
            ax.plot(np.arange(states.shape[0]), states[:, c], lw=1.3, label=f"cell {c}")
        ax.axhline(0, color="0.7", lw=0.8, zorder=0)
        ax.set_xlabel("time step t (one stream, no resets)")
        ax.set_ylabel("cell state $s_c(t)$")
        ax.set_title(title, fontsize=10)
    if bound is not None:
        for sign in (1, -1):
            right.axhline(sign * bound, color="0.3", ls=":", lw=1.2, label="bound" if sign == 1 else None)
    left.legend(loc="upper left", fontsize=9)
    right.legend(loc="upper left", fontsize=9)
    return fig

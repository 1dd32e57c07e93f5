"""Diagrams of the course, drawn by code (matplotlib patches, no image files).

- ``draw_unrolled_loop``: a recurrent network's loop, folded and unrolled over T steps; with
  ``error`` given, the error flowing back from the loss, shrinking by one factor per step;
- ``draw_carousel``: the constant error carousel, a linear unit whose self-connection is fixed
  at 1.0, and the same unit unrolled, the error passing back unchanged;
- ``draw_memory_block``: one memory-cell block, S cells sharing one input gate and one output
  gate (the paper's Fig. 2 and 3);

The whole 1997 network and the four cells side by side are in :mod:`lstm_core.plots.architectures`,
drawn with the same sketching helpers.

Every function takes an optional ``ax`` and returns the figure, drawn on an opaque white
background (legible on a dark page, in a PDF and in a notebook). The colours are those of the
cell diagram of :mod:`lstm_core.plots.gates`: blue gates, yellow squashers, green CEC.
"""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from lstm_core.plots._figure import new_axes
from lstm_core.plots.gates import _EDGE, _FACE

__all__ = ["draw_unrolled_loop", "draw_carousel", "draw_memory_block"]

_ERROR = "tab:red"  # error flowing backwards
_MUTED = "0.4"
_FACE_UNIT = {"input": "#f2f2f2", "output": "white", "bias": "#f2f2f2", "hidden": "#eef0f4"}


# ======================================================================================
# A few drawing primitives, in data coordinates of an equal-aspect axes without frame
# ======================================================================================
class _Sketch:
    def __init__(self, ax: Axes, xlim: tuple[float, float], ylim: tuple[float, float]) -> None:
        self.ax = ax
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        ax.set_aspect("equal")
        ax.axis("off")

    def text(self, xy, s: str, size: float = 11, color: str = _EDGE, **kw) -> None:
        kw.setdefault("ha", "center")
        kw.setdefault("va", "center")
        self.ax.text(xy[0], xy[1], s, fontsize=size, color=color, zorder=5, **kw)

    def box(self, xy, label: str, kind: str = "squash", sub: str = "", w: float = 1.3, h: float = 0.8,
            size: float = 12, ec: str = _EDGE, lw: float = 1.4, face: Optional[str] = None) -> None:
        fc = face or _FACE.get(kind) or _FACE_UNIT.get(kind, "white")
        self.ax.add_patch(FancyBboxPatch((xy[0] - w / 2, xy[1] - h / 2), w, h, boxstyle="round,pad=0.05",
                                         fc=fc, ec=ec, lw=lw, zorder=3))
        if sub:
            self.text((xy[0], xy[1] + 0.14 * h), label, size=size, fontweight="bold")
            self.text((xy[0], xy[1] - 0.26 * h), sub, size=max(9.0, size - 3.0))
        else:
            self.text(xy, label, size=size)

    def node(self, xy, label: str, r: float = 0.3, kind: str = "op", size: float = 13, ec: str = _EDGE) -> None:
        fc = _FACE.get(kind) or _FACE_UNIT.get(kind, "white")
        self.ax.add_patch(Circle(xy, r, fc=fc, ec=ec, lw=1.4, zorder=3))
        self.text(xy, label, size=size)

    def arrow(self, a, b, color: str = _EDGE, lw: float = 1.4, ls: str = "-", rad: float = 0.0,
              head: bool = True) -> None:
        style = "-|>" if head else "-"
        self.ax.add_patch(FancyArrowPatch(a, b, arrowstyle=style, mutation_scale=12, color=color, lw=lw,
                                          ls=ls, zorder=2, shrinkA=0, shrinkB=0,
                                          connectionstyle=f"arc3,rad={rad}"))

    def line(self, xs, ys, color: str = _EDGE, lw: float = 1.4, ls: str = "-") -> None:
        self.ax.plot(xs, ys, color=color, lw=lw, ls=ls, zorder=2, solid_capstyle="round")

    def frame(self, x0: float, y0: float, w: float, h: float, ec: str = "0.55", ls: str = "--",
              fc: str = "none", lw: float = 1.0) -> None:
        self.ax.add_patch(FancyBboxPatch((x0, y0), w, h, boxstyle="round,pad=0.1", fc=fc, ec=ec, lw=lw, ls=ls,
                                         zorder=1))

    def self_loop(self, xy, label: str, up: float = 1.0, half: float = 0.4, color: str = _EDGE,
                  size: float = 11, lw: float = 1.6, reach: float = 0.47) -> None:
        """An arrow leaving the top (``up`` < 0: bottom) right of a unit at ``xy`` and coming back at
        its left; ``reach``: from the unit's centre to its edge, where the loop starts and ends."""
        x, y = xy
        edge = reach if up > 0 else -reach
        self.line([x + half, x + half, x - half], [y + edge, y + up, y + up], color=color, lw=lw)
        self.arrow((x - half, y + up), (x - half, y + edge), color=color, lw=lw)
        if label:
            self.text((x, y + up + (0.3 if up > 0 else -0.3)), label, size=size, color=color)


def _size(xlim: tuple[float, float], ylim: tuple[float, float], inches_per_unit: float) -> tuple[float, float]:
    """A figure size that fits an equal-aspect sketch of these limits, at ``inches_per_unit``.

    The diagrams' text has a fixed size in points, so this scale decides how large the text is
    against the drawing; the values used keep every diagram about 7 to 9 inches wide, legible
    when a page shows it about 700 pixels wide.
    """
    return ((xlim[1] - xlim[0]) * inches_per_unit + 0.2, (ylim[1] - ylim[0]) * inches_per_unit + 0.2)


def _check_int(name: str, value, lo: int, hi: int, fn: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not lo <= value <= hi:
        raise ValueError(f"{fn}: {name} must be an integer from {lo} to {hi} (a diagram wider than that is "
                         f"not legible); got {value!r}")
    return int(value)


def _fmt(v: float) -> str:
    """An error size for a label: 1, 0.27, 0.073, 2.1e-06."""
    if v == 0:
        return "0"
    if v >= 0.01:
        return f"{v:.2g}"
    return f"{v:.1e}".replace("e-0", "e-")


# ======================================================================================
# (a) the unrolled loop
# ======================================================================================
def draw_unrolled_loop(steps: int = 4, *, error: Optional[Sequence[float]] = None,
                       factor_label: str = r"$\times\,\mathrm{diag}(\tanh')\,W_{hh}$",
                       ax: Optional[Axes] = None) -> Figure:
    """A tanh RNN's loop (left) and the same loop unrolled over ``steps`` steps (right).

    Every step reads x_t through W_xh and the previous state h_{t-1} through W_hh: the same
    weights at every step, so the unrolled network is ``steps`` layers deep with shared weights.

    Args:
        steps: time steps to unroll, 2 to 6.
        error: optional sizes of the error signal ||dL/dh_t|| at h_1 ... h_T (length ``steps``,
            non-negative, e.g. ``product_chain(0.9, 0.3, steps - 1)[::-1]``). Drawn as red arrows
            from the loss L back through the steps, their width following the size, each labelled
            with its value and the factor by which it shrank.
        factor_label: what one step back multiplies the error by (shown once, under the arrows).
        ax: axes to draw on; default: a new figure sized to ``steps``.

    Returns:
        The figure holding ``ax``.
    """
    steps = _check_int("steps", steps, 2, 6, "draw_unrolled_loop")
    sizes = None
    if error is not None:
        sizes = np.asarray(error, dtype=float)
        if sizes.shape != (steps,) or not np.all(np.isfinite(sizes)) or np.any(sizes < 0):
            raise ValueError(f"draw_unrolled_loop: error must hold {steps} finite, non-negative sizes "
                             f"(||dL/dh_t|| for t = 1..{steps}); got {np.asarray(error).tolist()}")
        if sizes[-1] == 0:
            raise ValueError("draw_unrolled_loop: the error at the last step must be positive "
                             "(it is where the loss sends its error in)")
    dx = 2.3
    x_first = 7.0
    xs = [x_first + dx * k for k in range(steps)]
    right = xs[-1] + (2.4 if sizes is not None else 1.0)
    top = 5.6 if sizes is not None else 4.3
    xlim, ylim = (-0.3, right), (-0.55, top)
    fig, ax = new_axes(ax, _size(xlim, ylim, 0.47))
    sk = _Sketch(ax, xlim, ylim)
    y_h, y_x = 2.0, 0.2

    # the loop, folded
    sk.text((1.6, top - 0.3), "the loop", size=11, color=_MUTED)
    sk.box((1.6, y_h), "$h_t$", "hidden")
    sk.self_loop((1.6, y_h), "$W_{hh}$", up=1.15, half=0.45)
    sk.text((1.6, y_x - 0.05), "$x_t$", size=13)
    sk.arrow((1.6, y_x + 0.3), (1.6, y_h - 0.45))
    sk.text((2.1, (y_x + y_h) / 2 - 0.1), "$W_{xh}$", size=11, ha="left")
    sk.arrow((2.8, y_h), (3.9, y_h), color=_MUTED, lw=2.2)
    sk.text((3.35, y_h + 0.35), "unroll", size=10, color=_MUTED)

    # unrolled: h_0 -> h_1 -> ... -> h_T
    sk.text((4.85, y_h), "$h_0 = 0$", size=12)
    sk.text(((xs[0] + xs[-1]) / 2, top - 0.3), f"unrolled over T = {steps} steps: "
            "the same $W_{xh}$, $W_{hh}$ at every step", size=11, color=_MUTED)
    for k, x in enumerate(xs, start=1):
        sk.box((x, y_h), f"$h_{k}$" if k < steps else "$h_T$" if steps > 4 else f"$h_{k}$", "hidden")
        sk.text((x, y_x - 0.05), f"$x_{k}$", size=13)
        sk.arrow((x, y_x + 0.3), (x, y_h - 0.45))
        start = x - dx + 0.68 if k > 1 else 5.5
        sk.arrow((start, y_h), (x - 0.7, y_h))
        if k == 1:
            sk.text((x + 0.35, (y_x + y_h) / 2 - 0.1), "$W_{xh}$", size=11, ha="left")
        sk.text(((start + x - 0.7) / 2, y_h + 0.3), "$W_{hh}$", size=10.5)

    if sizes is not None:
        sk.box((xs[-1] + 1.75, y_h), "$L$", "output", w=0.8)
        sk.arrow((xs[-1] + 0.68, y_h), (xs[-1] + 1.3, y_h))
        rel = sizes / sizes[-1]
        y_e = y_h + 1.35
        widths = 0.6 + 3.4 * rel ** 0.5  # wide where the error is large
        sk.arrow((xs[-1] + 1.75, y_h + 0.45), (xs[-1] + 0.35, y_e), color=_ERROR, lw=widths[-1], rad=0.25)
        for k in range(steps - 1, 0, -1):  # from h_{k+1} back to h_k (0-based: xs[k] -> xs[k-1])
            sk.arrow((xs[k] - 0.25, y_e), (xs[k - 1] + 0.25, y_e), color=_ERROR, lw=widths[k - 1])
            if sizes[k] > 0:
                sk.text(((xs[k] + xs[k - 1]) / 2, y_e - 0.3), f"×{_fmt(sizes[k - 1] / sizes[k])}", size=10,
                        color=_ERROR)
        for k, x in enumerate(xs):
            sk.text((x, y_e + 0.42), _fmt(sizes[k]), size=11, color=_ERROR, fontweight="bold")
        sk.text(((xs[0] + xs[-1]) / 2, y_e + 1.05), r"error $\|\partial L/\partial h_t\|$ flowing back; "
                "each step back " + factor_label, size=11, color=_ERROR)
    return fig


# ======================================================================================
# (b) the constant error carousel
# ======================================================================================
def draw_carousel(steps: int = 4, *, ax: Optional[Axes] = None) -> Figure:
    """The constant error carousel: a linear unit with a self-connection fixed at 1.0 (left) and
    the same unit unrolled over ``steps`` steps (right), the error passing back unchanged.

    Args:
        steps: time steps to unroll, 2 to 6.
        ax: axes to draw on; default: a new figure sized to ``steps``.

    Returns:
        The figure holding ``ax``.
    """
    steps = _check_int("steps", steps, 2, 6, "draw_carousel")
    dx = 2.4
    x0 = 6.6
    xs = [x0 + dx * k for k in range(steps)]
    right = xs[-1] + 1.4
    top = 5.6
    xlim, ylim = (-0.4, right), (-0.7, top)
    fig, ax = new_axes(ax, _size(xlim, ylim, 0.45))
    sk = _Sketch(ax, xlim, ylim)
    y = 2.2

    # the unit: linear, w = 1.0
    sk.node((1.8, y), "$s_c$", r=0.5, kind="cec", size=14)
    sk.self_loop((1.8, y), "weight 1.0, fixed", up=1.4, half=0.3, color="tab:green", size=11, lw=2.0, reach=0.42)
    sk.text((1.8, y - 0.85), "linear: $f(x) = x$", size=10.5)
    sk.arrow((-0.2, y), (1.28, y))
    sk.text((0.3, y + 0.3), "+ what the\ninput gate\nlets in", size=9.5, color=_MUTED, va="bottom")
    sk.arrow((2.32, y), (3.6, y))
    sk.text((3.0, y + 0.35), "to $h$, $y^{out}$", size=9.5, color=_MUTED)
    sk.text((1.8, 0.0), "error back one step:\n" r"$f'(net)\cdot w = 1 \cdot 1.0 = 1$", size=10.5,
            color=_ERROR)
    sk.arrow((3.9, y), (5.0, y), color=_MUTED, lw=2.2)
    sk.text((4.45, y + 0.35), "unroll", size=10, color=_MUTED)

    # unrolled: s_c(t-k) -> ... -> s_c(t), each step adds the write and keeps everything else
    for k, x in enumerate(xs):
        back = steps - 1 - k
        sk.node((x, y), "+", r=0.34, kind="cec", size=14)
        sk.text((x, y - 1.55), r"$y^{in} g$", size=11)
        sk.arrow((x, y - 1.3), (x, y - 0.36))
        sk.text((x, y - 2.1), "$t$" if back == 0 else f"$t-{back}$", size=11, color=_MUTED)
        if k:
            sk.arrow((xs[k - 1] + 0.36, y), (x - 0.36, y), color="tab:green", lw=2.0)
            sk.text(((xs[k - 1] + x) / 2, y - 0.32), "×1.0", size=10.5, color="tab:green")
    sk.arrow((xs[0] - 1.3, y), (xs[0] - 0.36, y), color="tab:green", lw=2.0)
    sk.text((xs[0] - 1.35, y + 0.35), "$s_c$", size=11)
    sk.arrow((xs[-1] + 0.36, y), (xs[-1] + 1.2, y), color="tab:green", lw=2.0)
    # the error: the same size at every step
    y_e = y + 1.25
    for k in range(steps - 1, 0, -1):
        sk.arrow((xs[k] - 0.2, y_e), (xs[k - 1] + 0.2, y_e), color=_ERROR, lw=3.0)
    for x in xs:
        sk.text((x, y_e + 0.4), r"$\delta$", size=13, color=_ERROR)
    sk.text(((xs[0] + xs[-1]) / 2, y_e + 1.0), "error on the carousel: the same δ at every step back", size=11,
            color=_ERROR)
    sk.text(((xs[0] + xs[-1]) / 2, top - 0.15), r"$s_c(t) = s_c(t-1) + y^{in}(t)\,g(net_c(t))$", size=12)
    return fig


# ======================================================================================
# (c) one memory-cell block with shared gates
# ======================================================================================
def _cell_row(sk: _Sketch, y: float, v: int, xs: dict, sub: str) -> None:
    """One cell of a block on the line y: net_c -> g -> x -> + (CEC) -> h -> x -> y^c."""
    sk.text((xs["net"], y), f"$net_{{c_{v}}}$", size=12)
    sk.arrow((xs["net"] + 0.55, y), (xs["g"] - 0.6, y))
    sk.box((xs["g"], y), "g", "squash", w=1.0, h=0.7, size=13)
    sk.arrow((xs["g"] + 0.55, y), (xs["write"] - 0.3, y))
    sk.node((xs["write"], y), "×")
    sk.arrow((xs["write"] + 0.3, y), (xs["cec"] - 0.36, y))
    sk.node((xs["cec"], y), "+", r=0.36, kind="cec", size=14)
    sk.self_loop((xs["cec"], y), "", up=-0.95, half=0.25, color="tab:green", lw=1.6, reach=0.3)
    sk.text((xs["cec"] + 0.9, y - 0.75), "×1.0", size=10, color="tab:green")
    sk.text((xs["cec"], y + 0.52), f"$s_{{c_{v}}}$", size=11)
    sk.arrow((xs["cec"] + 0.36, y), (xs["h"] - 0.55, y))
    sk.box((xs["h"], y), "h", "squash", w=1.0, h=0.7, size=13)
    sk.arrow((xs["h"] + 0.55, y), (xs["read"] - 0.3, y))
    sk.node((xs["read"], y), "×")
    sk.arrow((xs["read"] + 0.3, y), (xs["out"] - 0.5, y))
    sk.text((xs["out"], y), f"$y^{{c_{v}}}$", size=12)
    sk.text((xs["net"] - 0.05, y - 0.5), sub, size=9.5, color=_MUTED)


def draw_memory_block(block_size: int = 2, *, ax: Optional[Axes] = None) -> Figure:
    """One memory-cell block of the 1997 paper (its Fig. 2 and 3): ``block_size`` cells, each
    with its own cell input, CEC and output, sharing one input gate and one output gate.

    Args:
        block_size: S, the cells in the block, 1 to 4.
        ax: axes to draw on; default: a new figure sized to ``block_size``.

    Returns:
        The figure holding ``ax``.
    """
    S = _check_int("block_size", block_size, 1, 4, "draw_memory_block")
    xs = {"net": 0.6, "g": 2.2, "write": 3.8, "cec": 5.5, "h": 7.4, "read": 9.0, "out": 10.4}
    row = 2.3
    ys = [0.9 + row * (S - 1 - k) for k in range(S)]  # top row first
    y_gate = ys[0] + 2.0
    top = y_gate + 1.55
    xlim, ylim = (-0.3, 11.1), (-1.15, top)
    fig, ax = new_axes(ax, _size(xlim, ylim, 0.64))
    sk = _Sketch(ax, xlim, ylim)
    sk.frame(1.3, -0.35, 8.45, y_gate - 0.15 + 0.35 + 0.8, ec="0.55")
    shares = f"{S} cells share one input gate and one output gate" if S > 1 else "1 cell with its own two gates"
    sk.text((5.5, -0.85), f"memory-cell block $j$ of size S = {S}: {shares}", size=10.5, color=_MUTED)
    for v, y in enumerate(ys, start=1):
        _cell_row(sk, y, v, xs, f"cell {v}")
    # the shared gates: one input gate, its y^in fans out to every cell's write; likewise y^out
    for key, name, sub in (("write", "in", "input gate: write"), ("read", "out", "output gate: read")):
        x = xs[key]
        sk.box((x, y_gate), "f", "gate", sub=sub, w=2.1, h=0.9, size=12)
        sk.text((x, y_gate + 1.05), f"$net_{{{name}_j}}$", size=12)
        sk.arrow((x, y_gate + 0.8), (x, y_gate + 0.45))
        sk.line([x, x], [y_gate - 0.45, ys[-1] + 0.3], color="tab:blue", lw=2.0)
        for y in ys:
            sk.arrow((x, y + 0.75), (x, y + 0.3), color="tab:blue", lw=2.0)
        sk.text((x + 0.2, y_gate - 0.75), f"$y^{{{name}_j}}$", size=12, color="tab:blue", ha="left")
    return fig

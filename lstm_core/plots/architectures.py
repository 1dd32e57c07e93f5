"""Architecture diagrams, drawn by code: a whole 1997 network and the four cells side by side.

- ``draw_paper_network``: a whole 1997 network with connectivity "F", every group of weights
  labelled with its count, taken from the model's parameters (:mod:`lstm_core.model.connectivity`);
- ``draw_cell_variants``: the 1997 cell, the forget-gate LSTM (1999/2000), the modern LSTM
  (``nn.LSTM``) and the GRU, side by side in one notation.

Both take an optional ``ax`` and return the figure, with the sketching helpers and colours of
:mod:`lstm_core.plots.diagrams`.
"""

from __future__ import annotations

from typing import Optional, Union

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from lstm_core.model.connectivity import weight_groups
from lstm_core.model.networks import LSTM1997, count_parameters, paper_network
from lstm_core.plots._figure import new_axes
from lstm_core.plots.diagrams import _MUTED, _Sketch, _size

__all__ = ["draw_paper_network", "draw_cell_variants", "VARIANTS"]


# ======================================================================================
# (d) the whole network with connectivity "F"
# ======================================================================================
_GROUP_TEXT = {
    ("inputs", "gates"): "inputs → gates",
    ("inputs", "cells"): "inputs → cells",
    ("hidden", "gates"): "hidden $y(t-1)$ → gates",
    ("hidden", "cells"): "hidden $y(t-1)$ → cells",
    ("cells", "outputs"): "cells → outputs",
    ("bias", "gates"): "biases of gates",
    ("bias", "cells"): "biases of cells",
    ("bias", "outputs"): "biases of outputs",
}


def _unit_column(n: int, most: int) -> list[Optional[int]]:
    """Which of n units to draw (None marks a '...' gap): all if n <= most, else the first and last few."""
    if n <= most:
        return list(range(n))
    return list(range(most - 2)) + [None, n - 1]


def draw_paper_network(model: Union[str, LSTM1997], *, title: Optional[str] = None,
                       ax: Optional[Axes] = None) -> Figure:
    """A 1997 network with connectivity "F", each group of weights labelled with its count.

    Input units feed every hidden unit (gates and cells); every hidden unit reads the previous
    activations of all hidden units (the recurrent loop); the output units read the cells only;
    biases where the experiment has them. The counts come from the model's parameters
    (:func:`lstm_core.model.connectivity.weight_groups`) and the title states their total,
    ``count_parameters(model)``.

    Args:
        model: an ``LSTM1997`` network, or the name of a paper experiment (``paper_network(name)``,
            e.g. "adding"; not "2a-B", whose connectivity is "B").
        title: the figure's title; default: the network's name and its number of weights.
        ax: axes to draw on; default: a new figure.

    Returns:
        The figure holding ``ax``.
    """
    name = model if isinstance(model, str) else None
    net = paper_network(model) if isinstance(model, str) else model
    groups = weight_groups(net)  # raises a ValueError for anything but an LSTM1997
    cell = net.cell
    n_in, n_out, B, S = cell.n_inputs, net.n_outputs, cell.n_blocks, cell.block_size
    total = count_parameters(net)
    gate_names = ["in"] + (["out"] if cell.output_gate else []) + (["φ"] if cell.forget_gate else [])

    blocks = _unit_column(B, 4)
    gap = 0.3
    bh = min(1.6, (6.4 - gap * (len(blocks) - 1)) / len(blocks))  # block height
    h_all = len(blocks) * bh + (len(blocks) - 1) * gap
    mid_y = 4.6  # the middle of every column
    bottom = min(mid_y - h_all / 2 - 2.2, mid_y - 3.4)
    xlim, ylim = (-0.4, 19.7), (bottom, 10.4)
    fig, ax = new_axes(ax, _size(xlim, ylim, 0.43))
    sk = _Sketch(ax, xlim, ylim)
    count = {(g.source, g.target): g.count for g in groups}

    # the columns: inputs at x = 1, the hidden layer (blocks) from x_l to x_r, outputs at x = 12.6
    def column(x: float, n: int, label: str, kind: str, prefix: str) -> float:
        """Draw the units; return the y of the top one."""
        shown = _unit_column(n, 6)
        gap = 1.1
        y_top = mid_y + gap * (len(shown) - 1) / 2
        for i, u in enumerate(shown):
            yy = y_top - gap * i
            if u is None:
                sk.text((x, yy), "⋮", size=14)
            else:
                sk.node((x, yy), f"{prefix}{u + 1}" if n > 1 else prefix, r=0.38, kind=kind, size=9.5)
        sk.text((x, y_top + 0.85), label, size=11)
        return y_top

    column(1.0, n_in, f"{n_in} input unit{'s' if n_in > 1 else ''}", "input", "x")
    x_out = 12.75
    out_top = column(x_out, n_out, f"{n_out} output unit{'s' if n_out > 1 else ''}", "output", "k")

    # the hidden layer: blocks drawn as frames with their gates (squares) and cells (circles) in a row
    y0 = mid_y + h_all / 2  # top of the first block
    x_l, x_r = 4.1, 9.9
    sk.frame(x_l - 0.3, y0 - h_all - 0.3, x_r - x_l + 0.6, h_all + 0.6, ec="0.35", ls="-", fc="#fafafa")
    sk.text(((x_l + x_r) / 2 - 0.6, y0 + 0.8),
            f"{B} block{'s' if B > 1 else ''} × {S} cell{'s' if S > 1 else ''}, {len(gate_names)} gates per block",
            size=11)
    for i, b in enumerate(blocks):
        top = y0 - i * (bh + gap)
        yy = top - bh / 2 - 0.12
        if b is None:
            sk.text(((x_l + x_r) / 2, top - bh / 2), "⋮", size=14)
            continue
        sk.frame(x_l, top - bh, x_r - x_l, bh, ec="0.55")
        sk.text((x_l + 0.1, top - 0.22), f"block {b + 1}", size=9, color=_MUTED, ha="left")
        for k, gname in enumerate(gate_names):
            sk.box((x_l + 0.55 + 0.95 * k, yy), gname, "gate", w=0.75, h=0.55, size=10)
        cells = _unit_column(S, 3)
        for k, c in enumerate(cells):
            cx = x_r - 0.55 - 0.95 * (len(cells) - 1 - k)
            if c is None:
                sk.text((cx, yy), "…", size=12)
            else:
                sk.node((cx, yy), "c", r=0.3, kind="cec", size=10.5)

    # the connections, one arrow per group, with its count
    sk.arrow((1.55, mid_y), (x_l - 0.4, mid_y), lw=2.6)
    sk.text(((1.5 + x_l) / 2 - 0.1, mid_y + 0.75),
            f"{count['inputs', 'gates']} → gates\n{count['inputs', 'cells']} → cells", size=10.5)
    sk.arrow((x_r + 0.4, mid_y), (x_out - 0.5, mid_y), lw=2.6)
    sk.text(((x_r + x_out) / 2, mid_y + 0.4), f"{count['cells', 'outputs']}", size=10.5)
    sk.text(((x_r + x_out) / 2, mid_y - 0.4), "cells only", size=9.5, color=_MUTED)
    y_bottom = y0 - h_all - 0.4
    sk.arrow((x_r - 0.8, y_bottom), (x_l + 0.8, y_bottom), lw=2.6, rad=-0.4)
    sk.text(((x_l + x_r) / 2, y_bottom - 1.25),
            f"recurrent, from every hidden unit's $y(t-1)$: {count['hidden', 'gates']} → gates, "
            f"{count['hidden', 'cells']} → cells", size=10.5)
    n_hidden_bias = count["bias", "gates"] + count["bias", "cells"]
    if n_hidden_bias or count["bias", "outputs"]:  # a bias unit: always 1, one weight to each biased unit
        bx, by = x_r + 1.2, 9.55
        sk.node((bx, by), "1", r=0.33, kind="bias", size=10)
        sk.text((bx + 0.5, by + 0.05), "bias", size=10, ha="left", color=_MUTED)
        if n_hidden_bias:
            sk.arrow((bx - 0.3, by - 0.15), (x_r + 0.05, y0 + 0.35), ls="--", lw=1.3)
            parts = [f"{count['bias', k]} → {k}" for k in ("gates", "cells") if count["bias", k]]
            sk.text((bx - 0.5, by), ", ".join(parts), size=10, ha="right")
        if count["bias", "outputs"]:
            sk.arrow((bx + 0.25, by - 0.25), (x_out - 0.2, out_top + 1.25), ls="--", lw=1.3)
            sk.text((x_out - 0.05, (by + out_top + 1.25) / 2 + 0.2), f"{count['bias', 'outputs']}", size=10,
                    ha="left")

    # the table of counts: what the picture claims, from the parameters
    rows = [(text, count[key]) for key, text in _GROUP_TEXT.items() if count[key]]
    y = 8.7
    sk.text((14.6, y + 0.75), "weights by connection", size=11, ha="left", fontweight="bold")
    for text, c in rows:
        sk.text((14.6, y), text, size=10.5, ha="left")
        sk.text((19.6, y), f"{c}", size=10.5, ha="right")
        y -= 0.62
    sk.line([14.6, 19.6], [y + 0.3, y + 0.3], color="0.3", lw=1.0)
    sk.text((14.6, y - 0.05), "total", size=11, ha="left", fontweight="bold")
    sk.text((19.6, y - 0.05), f"{total}", size=11, ha="right", fontweight="bold")
    if title is None:
        who = f"paper_network({name!r})" if name else "a 1997 network"
        title = f"{who}: {total} weights, connectivity \"F\""
    ax.set_title(title, fontsize=12)
    return fig


# ======================================================================================
# (e) four cells side by side
# ======================================================================================
#: the four cells of ``draw_cell_variants``: key -> (title, state update, notes)
VARIANTS: dict[str, tuple[str, str, str]] = {
    "1997": ("1997 LSTM (Hochreiter & Schmidhuber)",
             r"$s_c(t) = s_c(t-1) + y^{in}\,g(net_c)$",
             "no forget gate; $g$, $h$ scaled sigmoids; truncated gradient"),
    "forget": ("forget gate added (Gers et al. 1999/2000)",
               r"$s_c(t) = y^{\varphi}\,s_c(t-1) + y^{in}\,g(net_c)$",
               "later; the 1997 cell when $y^{\\varphi} = 1$"),
    "modern": ("modern LSTM (PyTorch nn.LSTM)",
               r"$c_t = f_t \odot c_{t-1} + i_t \odot g_t$",
               "tanh squashers; full BPTT; gates read $x_t, h_{t-1}$"),
    "gru": ("GRU (Cho et al. 2014)",
            r"$h_t = (1 - z_t) \odot n_t + z_t \odot h_{t-1}$",
            "no cell state, no output gate; reset gate $r_t$"),
}


def _variant(sk: _Sketch, key: str, ox: float, oy: float) -> None:
    """Draw one cell of VARIANTS with its lower-left corner at (ox, oy); the panel is 10 x 7.3."""
    def P(x: float, y: float) -> tuple[float, float]:
        return (ox + x, oy + y)

    title, update, notes = VARIANTS[key]
    sk.frame(ox + 0.1, oy + 0.1, 9.8, 7.1, ec="0.6", ls="-")
    sk.text(P(5.0, 6.8), title, size=11.5, fontweight="bold")
    sk.text(P(5.0, 6.15), update, size=11)
    sk.text(P(5.0, 0.45), notes, size=9.5, color=_MUTED)
    y_s, y_w, y_g, y_bus = 5.0, 3.75, 2.45, 1.3  # state line, write node, gates, input bus
    gru = key == "gru"
    state_in, state_out = {"1997": ("$s_c(t-1)$", "$s_c(t)$"), "forget": ("$s_c(t-1)$", "$s_c(t)$"),
                           "modern": ("$c_{t-1}$", "$c_t$"), "gru": ("$h_{t-1}$", "$h_t$")}[key]
    sk.text(P(0.75, y_s + 0.42), state_in, size=11)
    sk.line([ox + 0.35, ox + 9.65], [oy + y_s, oy + y_s], color="tab:green", lw=2.4)
    sk.arrow(P(9.2, y_s), P(9.7, y_s), color="tab:green", lw=2.4)
    sk.text(P(9.25, y_s + 0.42), state_out, size=11)
    bus = "$x(t)$, $y(t-1)$" if key in ("1997", "forget") else "$x_t$, $h_{t-1}$"
    sk.line([ox + 0.6, ox + 8.9], [oy + y_bus, oy + y_bus], color="0.45", lw=1.6)
    sk.text(P(0.55, y_bus - 0.38), bus, size=10, ha="left", color="0.3")

    def gate(x: float, label: str, sub: str, kind: str = "gate", to: Optional[tuple[float, float]] = None) -> None:
        sk.arrow(P(x, y_bus), P(x, y_g - 0.4), color="0.45", lw=1.2)
        sk.box(P(x, y_g), label, kind, sub=sub, w=1.25, h=0.78, size=11)
        if to is not None:
            sk.arrow(P(x, y_g + 0.42), P(*to), lw=1.4)

    paper = key in ("1997", "forget")
    sig = "f" if paper else "σ"  # the paper calls the logistic function f
    # keep or scale the old state
    if key == "1997":
        sk.text(P(2.4, y_s - 0.38), "×1.0", size=10.5, color="tab:green")
    else:
        sk.node(P(2.4, y_s), "×")
        gate(2.4, sig, {"forget": "$y^{\\varphi}$", "modern": "$f_t$", "gru": "$z_t$"}[key], to=(2.4, y_s - 0.3))
    # write: + on the state line, fed by x (input gate times squashed input)
    sk.node(P(5.2, y_s), "+", kind="cec", size=14)
    sk.node(P(5.2, y_w), "×")
    sk.arrow(P(5.2, y_w + 0.3), P(5.2, y_s - 0.3))
    if gru:
        # (1 - z_t) n_t is written; n_t = tanh(W_n x_t + r_t * (U_n h_{t-1})): the reset gate r_t
        sk.node(P(3.7, y_w), "1−", r=0.32, size=10)
        sk.arrow(P(2.4, y_w), P(3.38, y_w), head=True)
        sk.arrow(P(4.02, y_w), P(4.9, y_w))
        sk.box(P(5.2, y_g), "tanh", "squash", sub="$n_t$", w=1.25, h=0.78, size=11)
        sk.arrow(P(5.2, y_bus), P(5.2, y_g - 0.4), color="0.45", lw=1.2)
        sk.arrow(P(5.2, y_g + 0.42), P(5.2, y_w - 0.3))
        gate(7.5, sig, "$r_t$")
        sk.arrow(P(6.85, y_g), P(5.85, y_g))
        sk.text(P(6.35, y_g + 0.3), "reset", size=9.5, color=_MUTED)
        sk.text(P(7.9, y_w + 0.1), "output: $h_t$ itself", size=10, color=_MUTED)
        return
    squash_in = ("g", "$net_c$") if key in ("1997", "forget") else ("tanh", "$g_t$")
    sk.box(P(4.3, y_g), squash_in[0], "squash", sub=squash_in[1], w=1.25, h=0.78, size=11)
    sk.arrow(P(4.3, y_bus), P(4.3, y_g - 0.4), color="0.45", lw=1.2)
    sk.arrow(P(4.3, y_g + 0.42), P(5.0, y_w - 0.2))
    gate(6.1, sig, "$y^{in}$" if paper else "$i_t$", to=(5.4, y_w - 0.2))
    # read: squash the state, multiply by the output gate
    squash_out = "h" if key in ("1997", "forget") else "tanh"
    sk.arrow(P(7.0, y_s), P(7.0, y_w + 0.4))
    sk.box(P(7.0, y_w), squash_out, "squash", w=1.0, h=0.66, size=11)
    sk.arrow(P(7.5, y_w), P(8.1, y_w))
    sk.node(P(8.4, y_w), "×")
    gate(8.4, sig, "$y^{out}$" if paper else "$o_t$", to=(8.4, y_w - 0.3))
    sk.arrow(P(8.7, y_w), P(9.3, y_w))
    sk.text(P(9.55, y_w + 0.45), "$y^c$" if key in ("1997", "forget") else "$h_t$", size=11)


def draw_cell_variants(*, ax: Optional[Axes] = None) -> Figure:
    """The 1997 cell, the forget-gate LSTM, the modern LSTM and the GRU side by side (2 x 2).

    Each panel draws its state line (green) from left to right, what multiplies the old state,
    what is added (a gate times a squashed input), and how the output is read; its title names
    the cell, the line under it gives the state update. Gates are blue (σ, the logistic
    function; the paper's f), squashers yellow.

    Args:
        ax: axes to draw on; default: a new figure about 9 inches wide.

    Returns:
        The figure holding ``ax``.
    """
    xlim, ylim = (-0.05, 20.25), (-0.05, 14.85)
    fig, ax = new_axes(ax, _size(xlim, ylim, 0.40))
    sk = _Sketch(ax, xlim, ylim)
    for i, key in enumerate(VARIANTS):
        _variant(sk, key, 10.15 * (i % 2), 7.45 * (1 - i // 2))
    return fig

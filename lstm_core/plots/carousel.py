"""Figures of the constant error carousel (compute: :mod:`lstm_core.analysis.carousel`).

- ``plot_carousel``: a signal multiplied by W at every step (RNN) vs carried by the CEC;
- ``plot_gradient_highway``: measured ||dL/d state(t)|| against steps back, one curve per model;
- ``plot_error_on_carousel``: the error on the carousel (flat) and the error leaving it
  through the input gate (scaled at every step);
- ``plot_squashers`` and ``plot_accumulation``: g, h and tanh, and how fast a cell fills.

Every function takes plain arrays (and optional axes) and returns the Figure, white background.
"""

from __future__ import annotations

from typing import Mapping, Optional, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from lstm_core import validation as validate
from lstm_core.plots._figure import COLORS, axes_list, white as _white

__all__ = ["plot_carousel", "plot_gradient_highway", "plot_error_on_carousel", "plot_squashers",
           "plot_accumulation"]


RNN_COLOR = "tab:red"


LSTM_COLOR = "tab:blue"


_CYCLE = ("tab:blue", "tab:red", "tab:orange", "tab:green", "tab:purple", "tab:brown")


def plot_carousel(
    steps: Sequence[float],
    rnn: Sequence[float],
    lstm: Sequence[float],
    weight: float,
    decay: float = 1.0,
    *,
    floor: float = 1e-12,
    ax: Optional[Axes] = None,
) -> Figure:
    """Signal strength over steps for the RNN update h <- h W and the CEC update s <- s + 0.

    Args:
        steps, rnn, lstm: the step counts and both curves (see ``lstm_core.analysis.carousel.carousel_signal``).
        weight: W of the RNN update (for the legend).
        decay: the factor on s_c(t-1) (1.0 is the 1997 CEC), for the legend.
        floor: the bottom of the log-scaled y axis; smaller values are drawn on it.
        ax: axes to draw on; default: a new 8 x 4 inch figure.

    Returns:
        The figure holding ``ax``.
    """
    steps, rnn, lstm = (np.asarray(a, dtype=float) for a in (steps, rnn, lstm))
    if not (steps.shape == rnn.shape == lstm.shape) or steps.ndim != 1 or steps.size == 0:
        raise ValueError(f"plot_carousel: steps, rnn and lstm must be 1-d of one length; got shapes "
                         f"{steps.shape}, {rnn.shape}, {lstm.shape}")
    floor = validate.positive_real("floor", floor, example="1e-6")
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 4), layout="constrained")
    fig = _white(ax.figure)
    k = int(steps[-1])

    def shown(v: np.ndarray) -> np.ndarray:  # magnitudes on a log axis, clipped at the floor
        with np.errstate(invalid="ignore"):
            return np.clip(np.abs(v), floor, None)

    cec = "s ← s + 0 (CEC, input gate closed)" if decay == 1.0 else f"s ← {decay:g}·s + 0 (state decay)"
    ax.plot(steps, shown(rnn), color=RNN_COLOR, lw=2,
            label=f"RNN: h ← h × W, W = {weight:g}   (after {k} steps: {abs(rnn[-1]):.3g})")
    ax.plot(steps, shown(lstm), color=LSTM_COLOR, lw=2, ls="--" if decay == 1.0 else "-",
            label=f"LSTM: {cec}   (after {k} steps: {abs(lstm[-1]):.3g})")
    ax.set_yscale("log")
    both = shown(np.concatenate([rnn, lstm]))
    top = max(10.0, float(np.nanmax(both)) * 3)
    ax.set_ylim(max(floor / 3, float(np.nanmin(both)) / 10), top)
    ax.axhline(1.0, color="0.6", lw=0.8, zorder=0)
    if (np.abs(rnn) < floor).any() or (np.abs(lstm) < floor).any():
        ax.text(0.99, 0.02, f"values below {floor:g} are drawn at {floor:g}", transform=ax.transAxes,
                ha="right", va="bottom", fontsize=8, color="0.4")
    ax.set_xlabel("steps k")
    ax.set_ylabel("signal strength |value after k steps| (log)")
    ax.set_title("The carousel: multiply at every step, or carry unchanged")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize=9)
    ax.set_xlim(steps[0], max(steps[-1], steps[0] + 1))
    return fig


def plot_gradient_highway(norms: Mapping[str, Sequence[float]], *, ax: Optional[Axes] = None) -> Figure:
    """Measured gradient norms ||dL/d state(t)|| against steps back, relative to the last step.

    Args:
        norms: label -> norms for t = 0..T-1 (as ``lstm_core.analysis.gradients.state_gradient_norms``
            returns them, for a loss at the last step). Each curve is divided by its value at
            the last step, so all start at 1 at 0 steps back.
        ax: axes to draw on; default: a new 8 x 4.5 inch figure.

    Returns:
        The figure holding ``ax``.
    """
    if not norms:
        raise ValueError("plot_gradient_highway: no curves; expected at least one label -> norms")
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
    fig = _white(ax.figure)
    lowest = 1.0
    for i, (label, values) in enumerate(norms.items()):
        v = np.asarray(values, dtype=float)
        if v.ndim != 1 or v.size < 2:
            raise ValueError(f"plot_gradient_highway: norms for {label!r} must be 1-d with >= 2 steps, got {v.shape}")
        if not v[-1] > 0:
            raise ValueError(f"plot_gradient_highway: the last-step norm of {label!r} is {v[-1]!r}; "
                             "expected a positive number to divide by")
        back = np.arange(v.size)[::-1]  # t = T-1 is 0 steps back
        rel = v / v[-1]
        positive = rel > 0
        lowest = min(lowest, float(rel[positive].min()))
        ax.plot(back[positive], rel[positive], lw=2, color=_CYCLE[i % len(_CYCLE)], label=label)
    ax.set_yscale("log")
    ax.set_ylim(max(lowest / 10, 1e-300), 10)
    ax.axhline(1.0, color="0.6", lw=0.8, zorder=0)
    ax.set_xlabel("steps back from the error (T − 1 − t)")
    ax.set_ylabel("||dL/d state(t)|| ÷ ||dL/d state(T−1)|| (log)")
    ax.set_title("The gradient highway, measured with autograd")
    ax.legend(loc="lower left", fontsize=9)
    return fig


def plot_error_on_carousel(
    dL_ds: np.ndarray,
    dL_dnet_c: np.ndarray,
    y_in: np.ndarray,
    *,
    cell: int = 0,
    axes: Optional[Sequence[Axes]] = None,
) -> Figure:
    """Error on the carousel vs error leaving it, for one cell of one sequence.

    Args:
        dL_ds, dL_dnet_c, y_in: arrays (T, C) for one sequence (see
            ``lstm_core.analysis.carousel.CarouselGradients``; index the batch first).
        cell: which cell to draw.
        axes: two axes (top, bottom); default: a new figure with two rows sharing the time axis.

    Returns:
        The figure holding the axes.
    """
    arrays = [np.asarray(a, dtype=float) for a in (dL_ds, dL_dnet_c, y_in)]
    if any(a.ndim != 2 for a in arrays) or len({a.shape for a in arrays}) != 1:
        raise ValueError(f"plot_error_on_carousel: dL_ds, dL_dnet_c and y_in must be (T, C) of one shape; "
                         f"got {[a.shape for a in arrays]}")
    dL_ds, dL_dnet_c, y_in = arrays
    if not 0 <= cell < dL_ds.shape[1]:
        raise ValueError(f"plot_error_on_carousel: cell={cell}; expected an index in [0, {dL_ds.shape[1]})")
    if axes is None:
        fig, axes = plt.subplots(2, 1, figsize=(10, 5), sharex=True, layout="constrained")
    top, bottom = axes
    fig = _white(top.figure)
    t = np.arange(dL_ds.shape[0])
    floor = 1e-300
    top.plot(t, np.abs(dL_ds[:, cell]) + floor, color=LSTM_COLOR, lw=2, label="$|dL/ds_c(t)|$: on the carousel")
    top.plot(t, np.abs(dL_dnet_c[:, cell]) + floor, color="tab:orange", lw=1.5,
             label="$|dL/dnet_c(t)| = |dL/ds_c(t)|\\, y^{in}(t)\\, g'(net_c(t))$: leaving it")
    top.set_yscale("log")
    top.set_ylabel("error (log)")
    top.set_title(f"Cell {cell}: error rides the carousel unchanged; the input gate scales what leaves it",
                  fontsize=10)
    top.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8)
    bottom.plot(t, y_in[:, cell], color="tab:green", lw=1.5, label="$y^{in}(t)$")
    bottom.set_ylim(-0.05, 1.05)
    bottom.set_ylabel("input gate $y^{in}$")
    bottom.set_xlabel("time step t")
    bottom.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8)
    return fig


def plot_squashers(x: np.ndarray, values: Mapping[str, np.ndarray], slopes: Mapping[str, np.ndarray], *,
                   axes: Optional[Sequence[Axes]] = None) -> Figure:
    """Left: the functions over ``x``; right: their derivatives. ``values``/``slopes``: label -> (len(x),)."""
    x = np.asarray(x, dtype=float)
    if set(values) != set(slopes) or not values:
        raise ValueError("plot_squashers: values and slopes must name the same, non-empty set of functions")
    left, right = axes_list(axes, 2, (11, 3.8))
    fig = _white(left.figure)
    for (label, v), color in zip(values.items(), COLORS):
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
    left, right = axes_list(axes, 2, (11, 3.6))
    fig = _white(left.figure)
    for (label, s), color in zip(states.items(), COLORS):
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

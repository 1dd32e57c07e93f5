"""Figures of the long-lag diagnosis (compute: :mod:`lstm_core.analysis.long_lag`).

- ``plot_state_drift``: the cell states s_c(t) of one sequence, one panel per network, with the
  band outside which h'(s_c) falls below the flat-slope threshold;
- ``plot_signal_error``: the error reaching the input gates at the signal steps against the
  training sequences seen, one line per (row, reading), on a log scale.

Both take plain arrays (and optional axes) and return the Figure, white background.
"""

from __future__ import annotations

from typing import Mapping, Optional, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from lstm_core.plots._figure import COLORS, axes_list, white

__all__ = ["plot_state_drift", "plot_signal_error"]


def plot_state_drift(states: Mapping[str, np.ndarray], flat_at: float, *, signal_step: Optional[int] = None,
                     axes: Optional[Sequence[Axes]] = None, title: str = "") -> Figure:
    """One panel per network: s_c(t) (T, cells) of one sequence; shaded where |s_c| > ``flat_at``.

    ``flat_at`` is the |s| beyond which h'(s) is below the diagnosis's flat-slope threshold;
    ``signal_step`` marks the step where the information to be stored enters.
    """
    if not states:
        raise ValueError("plot_state_drift: no states given; expected a mapping label -> (T, cells) array")
    arrays = {}
    for label, s in states.items():
        s = np.asarray(s, dtype=float)
        if s.ndim != 2 or s.shape[0] < 2:
            raise ValueError(f"plot_state_drift: states[{label!r}] must be (T, cells) with T >= 2; got {s.shape}")
        arrays[label] = s
    if not np.isfinite(flat_at) or flat_at <= 0:
        raise ValueError(f"plot_state_drift: flat_at must be a positive |s|; got {flat_at!r}")
    axs = axes_list(axes, len(arrays), (4.2 * len(arrays), 3.2), sharey=True)
    top = max(float(np.abs(s).max()) for s in arrays.values()) * 1.1 + 0.5
    for ax, (label, s) in zip(axs, arrays.items()):
        t = np.arange(1, s.shape[0] + 1)
        ax.axhspan(flat_at, max(top, flat_at * 1.2), color="0.9", zorder=0)
        ax.axhspan(-max(top, flat_at * 1.2), -flat_at, color="0.9", zorder=0)
        for c in range(s.shape[1]):
            ax.plot(t, s[:, c], color=COLORS[c % len(COLORS)], lw=1.6, label=f"cell {c + 1}")
        if signal_step is not None:
            ax.axvline(signal_step + 1, color="k", ls=":", lw=1)
        ax.set_title(label, fontsize=10)
        ax.set_xlabel("step t")
        ax.set_ylim(-max(top, flat_at * 1.2), max(top, flat_at * 1.2))
    axs[0].set_ylabel("cell state $s_c(t)$")
    axs[0].legend(loc="upper left", fontsize=8, frameon=False)
    fig = axs[0].figure
    if title:
        fig.suptitle(title, fontsize=11)
    return white(fig)


def plot_signal_error(curves: Mapping[str, tuple[Sequence[float], Sequence[float]]], *, ax: Optional[Axes] = None,
                      title: str = "") -> Figure:
    """label -> (training sequences, mean |dE/dnet_in| at the signal steps): lines on a log y axis."""
    if not curves:
        raise ValueError("plot_signal_error: no curves given; expected a mapping label -> (sequences, values)")
    (ax,) = axes_list(None if ax is None else [ax], 1, (6.4, 3.4))
    for i, (label, (x, y)) in enumerate(curves.items()):
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        if x.shape != y.shape or x.ndim != 1 or x.size == 0:
            raise ValueError(f"plot_signal_error: curve {label!r} needs x and y of one equal length; "
                             f"got {x.shape} and {y.shape}")
        if not np.all(np.isfinite(y)) or np.any(y <= 0):
            raise ValueError(f"plot_signal_error: curve {label!r} has values that are not positive and finite; "
                             "a log axis cannot show them")
        ax.plot(x, y, "o-", color=COLORS[i % len(COLORS)], lw=1.8, ms=4, label=label)
    ax.set_yscale("log")
    ax.set_xlabel("training sequences")
    ax.set_ylabel(r"mean $|\partial E / \partial \mathrm{net}_{in}|$ at the signal")
    ax.legend(fontsize=8, frameon=False)
    if title:
        ax.set_title(title, fontsize=11)
    return white(ax.figure)

"""What every figure of :mod:`lstm_core.plots` does first (its axes, an opaque white figure), a
shared colour cycle, and the one way learning curves are drawn.
"""
from __future__ import annotations

from typing import Mapping, Optional, Sequence, Union

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

#: Colours of successive series (seeds, variants, classes, blocks) in every topic's figures.
COLORS = ("tab:blue", "tab:orange", "tab:green", "tab:purple", "tab:brown", "tab:pink", "tab:gray", "tab:olive",
          "tab:cyan", "tab:red")


def white(fig: Figure) -> Figure:
    """Give the figure an opaque white background (legible on a dark page, in a PDF, in a notebook)."""
    fig.patch.set_facecolor("white")
    fig.patch.set_alpha(1.0)
    return fig


def new_axes(ax: Optional[Axes], figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    """``ax``'s figure and ``ax``, or a new constrained-layout figure of ``figsize`` with one axes; white."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return white(ax.figure), ax


def axes_list(axes: Union[None, Axes, Sequence[Axes]], n: int, figsize: tuple[float, float], *,
              vertical: bool = False, **subplots: object) -> list[Axes]:
    """The ``n`` axes given, or a new figure of ``n`` axes side by side (``vertical``: stacked).

    Raises ValueError naming both counts when ``axes`` holds another number of axes.
    """
    if axes is None:
        shape = (n, 1) if vertical else (1, n)
        _, created = plt.subplots(*shape, figsize=figsize, layout="constrained", squeeze=False, **subplots)
        return list(created[:, 0] if vertical else created[0])
    axes = [axes] if isinstance(axes, Axes) else list(axes)
    if len(axes) != n:
        raise ValueError(f"expected {n} axes, got {len(axes)}")
    return axes


def draw_curves(ax: Axes, curves: Mapping[str, tuple[Sequence[float], np.ndarray]], *,
                colors: Optional[Mapping[str, str]] = None, mean_width: float = 2.2, run_width: float = 0.7,
                run_alpha: float = 0.35, marker: str = "", thin_runs: bool = True,
                what: str = "plot_learning_curves") -> None:
    """Learning curves: label -> (x (P,), values (P,) or (runs, P)); each run thin (unless not
    ``thin_runs``), their mean bold.

    The one drawing routine behind every topic's ``plot_learning_curves`` (whose signatures follow
    what their chapters pass).
    """
    if not curves:
        raise ValueError(f"{what}: no curves given; expected a mapping label -> (x, values)")
    for i, (label, (x, values)) in enumerate(curves.items()):
        x = np.asarray(x, dtype=float)
        runs = np.atleast_2d(np.asarray(values, dtype=float))
        if x.ndim != 1 or runs.shape[1] != x.size:
            raise ValueError(f"{what}: curve {label!r} has {runs.shape[-1]} points but its x has {x.size}; "
                             "expected x and values of the same length")
        color = (colors or {}).get(label, COLORS[i % len(COLORS)])
        if thin_runs:
            for run in runs:
                ax.plot(x, run, color=color, lw=run_width, alpha=run_alpha)
        ax.plot(x, runs.mean(axis=0), marker or "-", color=color, lw=mean_width, markersize=3, label=label)

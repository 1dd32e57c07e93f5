"""Figures of how hard the success criteria are (compute: :mod:`lstm_core.analysis.criteria`).

- ``plot_run_probability``: P(k correct in a row) against the per-sequence error rate, with
  chosen error rates marked (why a strict criterion like ST3 can take very long).

Every function takes plain arrays (and optional axes) and returns the Figure, white background.
"""

from __future__ import annotations

from typing import Mapping, Optional

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from lstm_core import validation as validate
from lstm_core.plots._figure import COLORS, axes_list
from lstm_core.plots._figure import white as _white

__all__ = ["plot_run_probability"]


def plot_run_probability(rates: Mapping[str, float], k: int = 2000, *, ax: Optional[Axes] = None) -> Figure:
    """P(k correct in a row) = (1 - e)^k against the per-sequence error rate e, chosen rates marked."""
    k = validate.positive_int("k", k)
    (ax,) = axes_list(ax, 1, (7.0, 3.6), vertical=True)
    e = np.logspace(-5, -1, 400)
    ax.plot(e, (1 - e) ** k, color="0.3", lw=1.6)
    for i, (name, rate) in enumerate(rates.items()):
        p = (1 - rate) ** k
        ax.plot([rate], [p], "o", color=COLORS[i % len(COLORS)], label=f"{name}: e = {rate:.2g}, P = {p:.2g}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(1e-12, 2)
    ax.set_xlabel("per-sequence error rate e")
    ax.set_ylabel(f"P({k} correct in a row)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8, loc="lower left")
    return _white(ax.figure)

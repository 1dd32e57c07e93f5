"""The two things every figure of :mod:`lstm_core.plots` does first: an axes, an opaque white figure."""
from __future__ import annotations

from typing import Optional

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure


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

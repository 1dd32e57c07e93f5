"""The history chapter's figure: a timeline of events."""

from __future__ import annotations

import textwrap
from typing import Sequence

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = ["plot_timeline"]

# Stem heights, cycled so that neighbouring labels sit on different levels and sides.
_LEVELS = (2.0, -2.0, 1.0, -1.0)
_HIGHLIGHT = "tab:red"
_PLAIN = "tab:blue"


def plot_timeline(
    years: Sequence[int],
    titles: Sequence[str],
    *,
    highlight: int | None = None,
    xlim: tuple[float, float] | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Draw events as labelled stems on a horizontal time axis.

    Args:
        years: year of each event, in order.
        titles: short title of each event; same length as ``years``.
        highlight: index of one event to draw in colour and bold, or None.
        xlim: (first, last) year shown; default: one year either side of the events.
        ax: axes to draw on; default: a new 10 x 4 inch figure.

    Returns:
        The figure holding ``ax``.

    Raises:
        ValueError: if ``years`` and ``titles`` differ in length, ``years`` is not sorted,
            ``highlight`` is not an index of an event, or ``xlim`` is reversed.
    """
    years, titles = list(years), list(titles)
    if len(years) != len(titles):
        raise ValueError(f"plot_timeline: {len(years)} years but {len(titles)} titles; expected one title per year")
    if years != sorted(years):
        raise ValueError(f"plot_timeline: years {years} are not in increasing order; expected them sorted")
    if highlight is not None and not 0 <= highlight < len(years):
        raise ValueError(f"plot_timeline: highlight={highlight}; expected None or an index in [0, {len(years)})")
    if xlim is None:
        xlim = (years[0] - 1, years[-1] + 1) if years else (0, 1)
    if xlim[0] >= xlim[1]:
        raise ValueError(f"plot_timeline: xlim={xlim}; expected first < last")

    if ax is None:
        fig, ax = plt.subplots(figsize=(10, 4), layout="constrained")
    fig = ax.figure
    fig.patch.set_facecolor("white")
    fig.patch.set_alpha(1.0)

    ax.axhline(0, color="0.3", linewidth=1.5, zorder=1)
    for i, (year, title) in enumerate(zip(years, titles)):
        level = _LEVELS[i % len(_LEVELS)]
        chosen = i == highlight
        color = _HIGHLIGHT if chosen else _PLAIN
        ax.vlines(year, 0, level, color=color, linewidth=2.5 if chosen else 1.0, zorder=2)
        ax.plot(year, 0, "o", color=color, markersize=9 if chosen else 6, zorder=3)
        label = f"{year}\n" + textwrap.fill(title, width=16)
        ax.annotate(label, (year, level), xytext=(0, 4 if level > 0 else -4), textcoords="offset points",
                    ha="center", va="bottom" if level > 0 else "top", fontsize=9, color=color,
                    fontweight="bold" if chosen else "normal")
    if not years:
        ax.text(0.5, 0.5, "no events in this range", transform=ax.transAxes, ha="center", color="0.4")

    ax.set_xlim(*xlim)
    ax.set_ylim(-3.6, 3.6)
    ax.set_yticks([])
    ax.set_xlabel("year")
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    return fig

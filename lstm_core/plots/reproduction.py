"""Figures of the reproduction: the paper's sequences to success beside ours."""

from __future__ import annotations

from typing import Optional, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure


def plot_paper_vs_ours(paper: Sequence[float], ours: Sequence[Optional[float]], labels: Sequence[str],
                       budgets: Sequence[float], *, ax: Optional[Axes] = None) -> Figure:
    """Log-log: the paper's mean sequences to success (x) against ours (y), one point per row.

    Rows where no trial met the criterion are drawn at their budget with an upward triangle
    (a lower bound). The diagonal marks "as fast as the paper".
    """
    if not (len(paper) == len(ours) == len(labels) == len(budgets)):
        raise ValueError("paper, ours, labels and budgets need one entry per row")
    if ax is None:
        fig, ax = plt.subplots(figsize=(10, 5.5), layout="constrained")
    fig = ax.figure
    fig.patch.set_facecolor("white")
    ax.set_facecolor("white")
    paper_a = np.asarray(paper, float)
    solved = np.array([o is not None for o in ours])
    ours_a = np.array([o if o is not None else b for o, b in zip(ours, budgets)], float)
    lo, hi = min(paper_a.min(), ours_a.min()) / 2, max(paper_a.max(), ours_a.max()) * 2
    ax.plot([lo, hi], [lo, hi], color="0.6", lw=1, ls="--", label="as many as the paper")
    ax.scatter(paper_a[solved], ours_a[solved], color="tab:blue", zorder=3, label="ours: mean of solved trials")
    ax.scatter(paper_a[~solved], ours_a[~solved], marker="^", color="tab:red", zorder=3,
               label="ours: criterion not met within the budget (drawn at the budget)")
    # Points crowd (several rows share the paper's x): number them, and list the numbers beside the axes.
    for k, (x, y) in enumerate(zip(paper_a, ours_a), start=1):
        ax.annotate(str(k), (x, y), textcoords="offset points", xytext=(4, 2 + 7 * (k % 2)), fontsize=7)
    key = "\n".join(f"{k:>2}  {label}" for k, label in enumerate(labels, start=1))
    ax.text(1.02, 1.0, key, transform=ax.transAxes, va="top", ha="left", fontsize=7, family="monospace")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_xlabel("paper: training sequences to its criterion (mean)")
    ax.set_ylabel("ours: training sequences to the same criterion")
    ax.set_title("The paper's protocol, reproduced")
    ax.legend(fontsize=8, loc="upper left")
    return fig

"""Figures of the recurrent loop: hidden-state trajectories and how the first input fades.

Every function takes plain arrays and an optional ``ax`` and returns the figure.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from lstm_core.plots._figure import new_axes as _axes

__all__ = ["plot_hidden_states", "plot_state_paths", "plot_influence"]


def _as_states(states: np.ndarray, what: str) -> np.ndarray:
    arr = np.asarray(states, dtype=float)
    if arr.ndim != 2 or arr.shape[0] == 0:
        raise ValueError(f"{what}: states must have shape (T >= 1, hidden units); got {arr.shape}")
    return arr


def plot_hidden_states(
    states: np.ndarray,
    labels: Sequence[str],
    *,
    ax: Axes | None = None,
) -> Figure:
    """Each hidden unit's activation h_t[i] against the step t, one line per unit.

    Args:
        states: (T, H) array, row t is h_t after reading input t (t = 1..T on the plot).
        labels: one label per step (e.g. the letters read), shown under the step numbers.
        ax: axes to draw on; default: a new figure.

    Raises:
        ValueError: if ``states`` is not 2-d or ``labels`` has not one entry per step.
    """
    states = _as_states(states, "plot_hidden_states")
    labels = list(labels)
    if len(labels) != states.shape[0]:
        raise ValueError(f"plot_hidden_states: {states.shape[0]} steps but {len(labels)} labels; "
                         "expected one label per step")
    fig, ax = _axes(ax, (6, 3.5))
    steps = np.arange(1, states.shape[0] + 1)
    ax.axhline(0, color="0.7", linewidth=0.8)
    for i in range(states.shape[1]):
        ax.plot(steps, states[:, i], "o-", label=f"$h_t[{i + 1}]$")
    ax.set_xticks(steps, [f"{t}\n{c}" for t, c in zip(steps, labels)])
    ax.set_ylim(-1.05, 1.05)
    ax.set_xlabel("step t and the input read")
    ax.set_ylabel("hidden activation")
    ax.legend(loc="best", fontsize=9)
    return fig


def plot_state_paths(
    paths: Mapping[str, np.ndarray],
    *,
    ax: Axes | None = None,
) -> Figure:
    """The path of a 2-unit hidden state in the plane, from h_0 = 0, one path per word.

    Args:
        paths: word -> (len(word), 2) array of h_1..h_T; each point is annotated with the
            letter just read, and the end of each path is marked.
        ax: axes to draw on; default: a new square figure.

    Raises:
        ValueError: if there are no paths, or a path is not (len(word), 2).
    """
    if not paths:
        raise ValueError("plot_state_paths: no paths; expected at least one word -> states")
    fig, ax = _axes(ax, (4.5, 4.5))
    ax.axhline(0, color="0.85", linewidth=0.8, zorder=0)
    ax.axvline(0, color="0.85", linewidth=0.8, zorder=0)
    for word, states in paths.items():
        states = _as_states(states, "plot_state_paths")
        if states.shape != (len(word), 2):
            raise ValueError(f"plot_state_paths: word {word!r} needs states of shape ({len(word)}, 2); "
                             f"got {states.shape}")
        xy = np.vstack([np.zeros((1, 2)), states])  # start at h_0 = 0
        (line,) = ax.plot(xy[:, 0], xy[:, 1], "-", marker="o", markersize=4, label=word)
        ax.plot(*xy[-1], "s", color=line.get_color(), markersize=9)
        for letter, (x, y) in zip(word, states):
            ax.annotate(letter, (x, y), xytext=(4, 4), textcoords="offset points",
                        color=line.get_color(), fontsize=10)
    ax.plot(0, 0, "k.", markersize=8)
    ax.annotate("$h_0$", (0, 0), xytext=(-14, -12), textcoords="offset points", fontsize=10)
    ax.set_xlim(-1.05, 1.05)
    ax.set_ylim(-1.05, 1.05)
    ax.set_aspect("equal")
    ax.set_xlabel("$h_t[1]$")
    ax.set_ylabel("$h_t[2]$")
    ax.legend(loc="best", fontsize=9, title="word (square: end)")
    return fig


def plot_influence(
    distances: Mapping[str, np.ndarray],
    *,
    ax: Axes | None = None,
) -> Figure:
    """How far apart two runs are after t steps when only their first input differed.

    Args:
        distances: label -> (T,) array of ||h_t - h'_t|| for t = 1..T; drawn on a log scale
            (exact zeros, which a log scale cannot show, are left out).
        ax: axes to draw on; default: a new figure.

    Raises:
        ValueError: if there are no curves or a curve is not 1-d or has negative values.
    """
    if not distances:
        raise ValueError("plot_influence: no curves; expected at least one label -> distances")
    fig, ax = _axes(ax, (6, 3.5))
    for label, d in distances.items():
        d = np.asarray(d, dtype=float)
        if d.ndim != 1 or (d < 0).any():
            raise ValueError(f"plot_influence: curve {label!r} must be a 1-d array of distances >= 0; "
                             f"got shape {d.shape}")
        ax.semilogy(np.arange(1, d.size + 1), np.where(d > 0, d, np.nan), "o-", markersize=3, label=label)
    ax.set_xlabel("step t")
    ax.set_ylabel(r"$\|h_t - h'_t\|$ (log scale)")
    ax.legend(loc="best", fontsize=9)
    ax.grid(True, which="major", alpha=0.3)
    return fig

"""Figures of networks trained together (compute: :mod:`lstm_core.analysis.sweeps`).

- ``plot_learning_curves``: training curves of several variants, one thin line per seed;
- ``plot_bias_sweep`` and ``plot_drift``: what the initial input-gate bias does;
- ``plot_gate_activity``: a trained cell's input gates and states over one sequence;
- ``plot_bias_run``: one training run's learning curve beside its gates (the bias panel).

Every function takes plain arrays (and optional axes) and returns the Figure, white background.
"""

from __future__ import annotations

from typing import Mapping, Optional, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from lstm_core.plots._figure import COLORS, axes_list, draw_curves, new_axes, white as _white

__all__ = ["plot_learning_curves", "plot_bias_sweep", "plot_drift", "plot_gate_activity", "plot_bias_run"]


def plot_learning_curves(updates: Sequence[int], curves: Mapping[str, np.ndarray], *,
                         baseline: Optional[float] = None, title: Optional[str] = None,
                         ax: Optional[Axes] = None) -> Figure:
    """Learning curves of several variants: one thin line per seed, the mean thick.

    Args:
        updates: (P,) weight updates at each point.
        curves: label -> (n_seeds, P) loss values (mean E/2 per sequence).
        baseline: loss of a network that learned nothing (drawn dotted).
        title: axes title.
        ax: axes to draw on.
    """
    fig, ax = new_axes(ax, (6.5, 4))
    named = {}
    for label, values in curves.items():
        runs = np.atleast_2d(np.asarray(values, dtype=float))
        named[f"{label} (mean of {len(runs)})" if len(runs) > 1 else label] = (updates, runs)
    draw_curves(ax, named, mean_width=2.4, run_width=0.8, run_alpha=0.45)
    if baseline is not None:
        ax.axhline(baseline, color="0.3", ls=":", lw=1.2, label="learned nothing (constant output)")
    ax.set_yscale("log")
    ax.set_xlabel("weight updates")
    ax.set_ylabel("training loss, mean E/2 per sequence")
    ax.grid(True, which="both", alpha=0.25)
    ax.legend(fontsize=8.5)
    if title:
        ax.set_title(title, fontsize=11)
    return fig


def plot_bias_sweep(labels: Sequence[str], test_loss: np.ndarray, write_relevant: np.ndarray,
                    write_irrelevant: np.ndarray, *, baseline: Optional[float] = None,
                    axes: Optional[Sequence[Axes]] = None) -> Figure:
    """Left: test loss after training per initial bias (dots: seeds, line: mean). Right: what the cells write.

    All arrays are (n_biases, n_seeds); ``labels`` name the biases.
    """
    test_loss, rel, irr = (np.atleast_2d(np.asarray(a, dtype=float)) for a in (test_loss, write_relevant,
                                                                             write_irrelevant))
    if not (test_loss.shape == rel.shape == irr.shape) or test_loss.shape[0] != len(labels):
        raise ValueError("plot_bias_sweep: arrays must be (n_biases, n_seeds), one row per label")
    left, right = axes_list(axes, 2, (11, 4))
    fig = _white(left.figure)
    pos = np.arange(len(labels))
    for j in range(test_loss.shape[1]):
        left.plot(pos, test_loss[:, j], "o", color="tab:blue", alpha=0.45, ms=5)
    left.plot(pos, test_loss.mean(axis=1), "-", color="tab:blue", lw=2, label="mean over seeds")
    if baseline is not None:
        left.axhline(baseline, color="0.3", ls=":", lw=1.2, label="learned nothing")
    left.set_yscale("log")
    left.set_ylabel("test loss after training, E/2")
    right.plot(pos, rel.mean(axis=1), "o-", color="tab:green", label="at the marked (relevant) steps")
    right.plot(pos, irr.mean(axis=1), "s-", color="tab:red", label="at all other steps")
    right.set_ylabel(r"mean $|s_c(t) - s_c(t-1)|$ after training")
    for a in (left, right):
        a.set_xticks(pos, labels, rotation=0, fontsize=9)
        a.set_xlabel("initial input-gate bias (per block)")
        a.grid(True, alpha=0.25)
        a.legend(fontsize=8.5)
    return fig


def plot_drift(biases: Sequence[float], final_abs_state: np.ndarray, final_h_slope: np.ndarray,
               gate_slope: Sequence[float], *, axes: Optional[Sequence[Axes]] = None) -> Figure:
    """Untrained networks: how far s_c drifts (left) and the two slopes error must pass (right)."""
    b = np.asarray(biases, dtype=float)
    drift = np.atleast_2d(np.asarray(final_abs_state, dtype=float))
    h_slope = np.atleast_2d(np.asarray(final_h_slope, dtype=float))
    if drift.shape[0] != b.shape[0] or h_slope.shape != drift.shape or len(gate_slope) != b.shape[0]:
        raise ValueError("plot_drift: expected (n_biases, n_seeds) arrays and one gate slope per bias")
    left, right = axes_list(axes, 2, (11, 3.8))
    fig = _white(left.figure)
    for j in range(drift.shape[1]):
        left.semilogy(b, drift[:, j], "o", color="tab:purple", alpha=0.4, ms=4)
    left.semilogy(b, drift.mean(axis=1), "-", color="tab:purple", lw=2, label="mean over seeds")
    left.set_ylabel(r"mean $|s_c|$ at the sequence end")
    left.set_title("before training: how far the cell states drift", fontsize=10.5)
    right.plot(b, h_slope.mean(axis=1), "o-", color="tab:purple", label=r"$h'(s_c)$ at the end (into the CEC)")
    right.plot(b, gate_slope, "s-", color="tab:blue", label=r"$f'(b)$ (into the input gate's weights)")
    right.set_ylabel("slope")
    right.set_title("the trade-off the paper names (Sec. 4)", fontsize=10.5)
    for a in (left, right):
        a.set_xlabel("initial input-gate bias b (every block)")
        a.grid(True, which="both", alpha=0.25)
        a.legend(fontsize=8.5)
    return fig


def plot_gate_activity(y_in: np.ndarray, states: np.ndarray, relevant: Sequence[bool], *,
                       axes: Optional[Sequence[Axes]] = None) -> Figure:
    """A network over one sequence: input gates y^in (top) and cell states s_c (bottom).

    Args:
        y_in: (T, B) input-gate activations per block.
        states: (T, C) cell states.
        relevant: (T,) True at the steps whose input matters (shaded).
        axes: two axes (top, bottom); default: a new figure.
    """
    y_in, states = np.asarray(y_in, dtype=float), np.asarray(states, dtype=float)
    relevant = np.asarray(relevant, dtype=bool)
    if y_in.ndim != 2 or states.ndim != 2 or not (y_in.shape[0] == states.shape[0] == relevant.shape[0]):
        raise ValueError("plot_gate_activity: expected y_in (T, B), states (T, C) and relevant (T,)")
    if axes is None:
        _, created = plt.subplots(2, 1, figsize=(6.5, 4.6), sharex=True, layout="constrained")
        top, bottom = created
    else:
        top, bottom = axes_list(axes, 2, (0, 0))
    fig = _white(top.figure)
    t = np.arange(1, y_in.shape[0] + 1)
    for a in (top, bottom):
        for step in t[relevant]:
            a.axvspan(step - 0.5, step + 0.5, color="gold", alpha=0.35, lw=0)
        a.grid(True, alpha=0.25)
    for j in range(y_in.shape[1]):
        top.plot(t, y_in[:, j], "o-", ms=3, color=COLORS[j], label=f"block {j + 1}")
    top.set_ylim(-0.03, 1.03)
    top.set_ylabel(r"input gate $y^{in}$")
    top.legend(fontsize=8, loc="upper right")
    top.set_title("one test sequence (shaded: the marked steps)", fontsize=10)
    for c in range(states.shape[1]):
        bottom.plot(t, states[:, c], "-", color=COLORS[c % len(COLORS)], lw=1.5, label=f"cell {c + 1}")
    bottom.set_ylabel(r"cell state $s_c$")
    bottom.set_xlabel("time step t")
    bottom.legend(fontsize=8, ncol=2, loc="best")
    return fig


def plot_bias_run(updates: Sequence[int], curve: np.ndarray, y_in: np.ndarray, states: np.ndarray,
                  relevant: Sequence[bool], *, label: str, baseline: Optional[float] = None,
                  title: Optional[str] = None) -> Figure:
    """One run: its learning curve (left) beside its input gates and cell states on one sequence (right).

    ``curve`` is (n_seeds, P) or (P,); the other arguments as in ``plot_learning_curves`` and
    ``plot_gate_activity``. Always draws a new figure.
    """
    fig, ax = plt.subplot_mosaic([["curve", "gate"], ["curve", "state"]], figsize=(12, 4.6), layout="constrained")
    plot_learning_curves(updates, {label: np.atleast_2d(curve)}, baseline=baseline, title=title, ax=ax["curve"])
    plot_gate_activity(y_in, states, relevant, axes=(ax["gate"], ax["state"]))
    return _white(fig)

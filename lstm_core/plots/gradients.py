"""Figures of backprop through time: repeated factors, measured gradient norms, learning curves.

Every function takes plain arrays and an optional ``ax`` and returns the figure.
:func:`gradient_regime` names the regime of a per-step factor; the figures use it in titles.
"""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from lstm_core import validation as validate
from lstm_core.plots._figure import draw_curves, new_axes as _axes

__all__ = ["REGIMES", "gradient_regime", "plot_powers", "plot_factor_power", "plot_gradient_norms",
           "plot_learning_curves"]

#: The three regimes of a per-step factor, and the colour each is drawn in.
REGIMES = {"vanishing": "tab:blue", "stable": "tab:green", "exploding": "tab:red"}


def gradient_regime(factor: float, tolerance: float = 1e-9) -> str:
    """Name what repeating a per-step factor does to a signal: shrink, keep or grow it.

    The verdict depends on the factor, not on how many steps were taken: any factor below 1
    drives factor^t to 0 as t grows, however slowly (0.8^10 = 0.107 has lost 89%).

    >>> gradient_regime(0.8), gradient_regime(1.0), gradient_regime(1.1)
    ('vanishing', 'stable', 'exploding')
    >>> gradient_regime(-1.2)   # the size matters, |factor|: a sign flip each step still grows
    'exploding'

    Args:
        factor: the factor by which the signal is multiplied at every step.
        tolerance: |factor| within this distance of 1 counts as 1 (slider values are floats).

    Raises:
        ValueError: if ``factor`` is not finite or ``tolerance`` is negative.
    """
    size = abs(validate.real("factor", factor))
    tolerance = validate.nonneg_real("tolerance", tolerance, example="1e-9")
    if size < 1.0 - tolerance:
        return "vanishing"
    if size > 1.0 + tolerance:
        return "exploding"
    return "stable"


def _positive_or_nan(values: np.ndarray) -> np.ndarray:
    """Values for a log axis: zeros (underflow) and negatives become NaN, i.e. gaps."""
    return np.where(values > 0, values, np.nan)


def _log_curves(ax: Axes, curves: Mapping[str, np.ndarray], what: str, x_of: Callable[[int], np.ndarray]) -> None:
    """One log-scale line per label, at x = ``x_of(len(values))``; exact zeros (underflow) left out."""
    if not curves:
        raise ValueError(f"{what}: no curves; expected at least one label -> array")
    for label, values in curves.items():
        values = np.asarray(values, dtype=float)
        if values.ndim != 1 or values.size == 0:
            raise ValueError(f"{what}: curve {label!r} must be a non-empty 1-d array; got shape {values.shape}")
        ax.semilogy(x_of(values.size), _positive_or_nan(values), label=label)


def plot_powers(
    powers: Mapping[str, np.ndarray],
    *,
    marks: Sequence[tuple[int, float, str]] = (),
    ax: Axes | None = None,
) -> Figure:
    """Curves factor^k for k = 0..K on a log scale, one per label, with optional marked points.

    Args:
        powers: label -> (K + 1,) array whose entry k is the signal left after k steps
            (e.g. from :func:`lstm_core.analysis.gradients.product_chain`).
        marks: (k, value, text) points to mark and annotate.
        ax: axes to draw on; default: a new figure.

    Raises:
        ValueError: if there are no curves or a curve is not 1-d.
    """
    fig, ax = _axes(ax, (7, 4))
    _log_curves(ax, powers, "plot_powers", lambda n: np.arange(n))
    for k, value, text in marks:
        ax.plot(k, value, "ko", markersize=5)
        ax.annotate(text, (k, value), xytext=(6, -2), textcoords="offset points", fontsize=8, va="top")
    ax.axhline(1.0, color="0.6", linewidth=0.8, linestyle="--")
    ax.set_xlabel("steps back in time, k")
    ax.set_ylabel("signal left (log scale)")
    ax.legend(loc="best", fontsize=9)
    ax.grid(True, which="major", alpha=0.3)
    return fig


def plot_factor_power(factor: float, values: np.ndarray, *, ax: Axes | None = None) -> Figure:
    """One factor's powers factor^k, k = 0..t, titled with factor^t and its regime.

    Args:
        factor: the per-step factor (weight x derivative).
        values: (t + 1,) array of factor^k for k = 0..t, at least 2 entries.
        ax: axes to draw on; default: a new figure.

    Raises:
        ValueError: if ``values`` is not 1-d with at least 2 entries.
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 1 or values.size < 2:
        raise ValueError(f"plot_factor_power: values must be 1-d with at least 2 entries (k = 0..t); "
                         f"got shape {values.shape}")
    regime = gradient_regime(factor)
    fig, ax = _axes(ax, (7, 3.5))
    steps = np.arange(values.size)
    ax.semilogy(steps, _positive_or_nan(np.abs(values)), "o-", markersize=3, color=REGIMES[regime])
    ax.axhline(1.0, color="0.6", linewidth=0.8, linestyle="--")
    t = values.size - 1
    ax.set_title(f"{factor:.2f}$^{{{t}}}$ = {values[-1]:.4g}: {regime}", color=REGIMES[regime])
    ax.set_xlabel("timesteps t")
    ax.set_ylabel("factor$^t$ (log scale)")
    ax.grid(True, which="major", alpha=0.3)
    return fig


def plot_gradient_norms(
    norms: Mapping[str, np.ndarray],
    *,
    ylabel: str = r"$\|\partial L / \partial h_t\|$ (log scale)",
    ax: Axes | None = None,
) -> Figure:
    """Gradient norms per time step against *steps back* from the last step, on a log scale.

    Args:
        norms: label -> (T,) array, entry t for the state at step t = 0..T-1 (as returned by
            :func:`lstm_core.analysis.gradients.state_gradient_norms`); plotted at T - 1 - t steps back.
            Exact zeros (floating-point underflow) are left out.
        ylabel: the y-axis label (e.g. to say the norms are relative to the last step).
        ax: axes to draw on; default: a new figure.

    Raises:
        ValueError: if there are no curves or a curve is not 1-d.
    """
    fig, ax = _axes(ax, (7, 4))
    _log_curves(ax, norms, "plot_gradient_norms", lambda n: n - 1 - np.arange(n))  # steps back
    ax.set_xlabel("steps back from the last step")
    ax.set_ylabel(ylabel)
    ax.legend(loc="best", fontsize=9)
    ax.grid(True, which="major", alpha=0.3)
    return fig


def plot_learning_curves(
    curves: Mapping[str, tuple[np.ndarray, np.ndarray]],
    *,
    chance: float | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Training accuracy against training sequences seen, one curve per label.

    Args:
        curves: label -> (sequences, accuracy), two arrays of the same length (e.g.
            ``History.sequences`` and ``History.accuracy``).
        chance: accuracy of guessing, drawn as a dashed line; None draws none.
        ax: axes to draw on; default: a new figure.

    Raises:
        ValueError: if there are no curves or a curve's two arrays differ in length.
    """
    fig, ax = _axes(ax, (7, 3.5))
    draw_curves(ax, curves, marker="o-", thin_runs=False, mean_width=1.5)
    if chance is not None:
        ax.axhline(chance, color="0.5", linestyle="--", linewidth=1, label="chance")
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("training sequences seen")
    ax.set_ylabel("fraction correct")
    ax.legend(loc="best", fontsize=9)
    ax.grid(True, alpha=0.3)
    return fig

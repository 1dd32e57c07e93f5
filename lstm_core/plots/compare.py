"""The legacy chapter's figures: models side by side, error flow through time and depth, cost vs length.

Series are passed as mappings from a model name (a key of ``lstm_core.analysis.compare.MODEL_LABELS``,
or any label) to arrays; a known model name gets its label and a fixed colour, so the same
model looks the same in every figure.
"""

from __future__ import annotations

from typing import Mapping, Optional, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from lstm_core.plots._figure import draw_curves, new_axes as _new_axes
from matplotlib.ticker import NullFormatter

from lstm_core.analysis.compare import MODEL_LABELS

__all__ = ["MODEL_COLORS", "plot_learning_curves", "plot_accuracy_dots", "plot_gradient_flow",
           "plot_depth_gradients", "plot_two_highways", "plot_cost_vs_length"]

#: One colour per architecture, the same in every figure.
MODEL_COLORS = {
    "rnn": "tab:gray",
    "lstm1997": "tab:red",
    "lstm1997_forget": "tab:orange",
    "lstm": "tab:blue",
    "gru": "tab:green",
    "transformer": "tab:purple",
}

_FALLBACK = ("tab:brown", "tab:pink", "tab:olive", "tab:cyan")


def _style(name: str, i: int) -> tuple[str, str]:
    """(label, colour) of a series."""
    return MODEL_LABELS.get(name, name), MODEL_COLORS.get(name, _FALLBACK[i % len(_FALLBACK)])


def _check_series(what: str, series: Mapping[str, np.ndarray]) -> None:
    if not series:
        raise ValueError(f"{what}: no series given; expected a mapping name -> array")


def plot_learning_curves(
    sequences: Mapping[str, Sequence[float]],
    accuracy: Mapping[str, np.ndarray],
    *,
    chance: Optional[float] = None,
    title: str = "",
    ax: Optional[Axes] = None,
) -> Figure:
    """Training accuracy against training sequences seen, one colour per model.

    Args:
        sequences: model -> (records,) sequences seen at each point.
        accuracy: model -> (seeds, records) or (records,) accuracy; the mean over seeds is drawn
            bold, each seed thin.
        chance: accuracy of guessing, drawn as a dashed line; None draws none.
        title: axes title.
        ax: axes to draw on; default: a new figure.

    Raises:
        ValueError: if the two mappings name different models or a model's arrays disagree in length.
    """
    if set(sequences) != set(accuracy):
        raise ValueError(f"plot_learning_curves: sequences has models {sorted(sequences)} but accuracy has "
                         f"{sorted(accuracy)}; expected the same models")
    fig, ax = _new_axes(ax, (7, 4))
    styles = [_style(name, i) for i, name in enumerate(accuracy)]
    draw_curves(ax, {label: (sequences[name], accuracy[name]) for name, (label, _) in zip(accuracy, styles)},
                colors=dict(styles))
    if chance is not None:
        ax.axhline(chance, color="black", linestyle="--", linewidth=1, label=f"chance ({chance:.2f})")
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel("training sequences seen")
    ax.set_ylabel("fraction of training sequences correct")
    if title:
        ax.set_title(title)
    ax.legend(fontsize=8, loc="upper left")
    ax.grid(alpha=0.3)
    return fig


def plot_accuracy_dots(
    accuracy: Mapping[str, Sequence[float]],
    *,
    chance: Optional[float] = None,
    title: str = "",
    ax: Optional[Axes] = None,
) -> Figure:
    """Test accuracy of every run (a dot per seed) and the mean (a bar), one row per model."""
    _check_series("plot_accuracy_dots", accuracy)
    fig, ax = _new_axes(ax, (6, 0.5 * len(accuracy) + 1.2))
    names = list(accuracy)
    for row, name in enumerate(names):
        values = np.asarray(accuracy[name], dtype=float)
        label, color = _style(name, row)
        ax.barh(row, values.mean(), color=color, alpha=0.35)
        ax.plot(values, np.full(values.size, row), "o", color=color)
    if chance is not None:
        ax.axvline(chance, color="black", linestyle="--", linewidth=1, label=f"chance ({chance:.2f})")
        ax.legend(fontsize=8, loc="lower right")
    ax.set_yticks(range(len(names)), [_style(n, i)[0] for i, n in enumerate(names)])
    ax.invert_yaxis()
    ax.set_xlim(0, 1.02)
    ax.set_xlabel("test accuracy (dots: seeds; bar: mean)")
    ax.set_ylabel("model")
    if title:
        ax.set_title(title)
    return fig


def plot_gradient_flow(curves: Mapping[str, np.ndarray], *, title: str = "", ax: Optional[Axes] = None) -> Figure:
    """Error reaching each earlier step, relative to the last step, on a log scale.

    Args:
        curves: model -> (T,) ||dE/d state(t)|| / ||dE/d state(T-1)|| for t = 0..T-1.
    The x axis counts steps back from the end, so every curve starts at 1 on the left.
    """
    _check_series("plot_gradient_flow", curves)
    fig, ax = _new_axes(ax, (7, 4))
    floor = 1e-30
    for i, (name, values) in enumerate(curves.items()):
        values = np.asarray(values, dtype=float)
        label, color = _style(name, i)
        back = np.arange(values.size)[::-1]  # steps back from the last step
        ax.semilogy(back, np.maximum(values, floor), color=color, linewidth=2, label=label)
    ax.set_xlabel("steps back from the last step")
    ax.set_ylabel("error signal reaching the state\n(relative to the last step)")
    if title:
        ax.set_title(title)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, which="both")
    return fig


def plot_depth_gradients(norms: Mapping[str, np.ndarray], *, title: str = "", ax: Optional[Axes] = None) -> Figure:
    """Gradient norm at the input of every layer of a deep network, log scale.

    Args:
        norms: label -> (depth,) ||dL/d x_l|| for l = 0..depth-1 (e.g. "plain", "residual").
    """
    _check_series("plot_depth_gradients", norms)
    fig, ax = _new_axes(ax, (7, 4))
    colors = {"plain": "tab:gray", "residual": "tab:red"}
    for i, (name, values) in enumerate(norms.items()):
        values = np.asarray(values, dtype=float)
        ax.semilogy(np.arange(values.size), np.maximum(values, 1e-300), "o-", markersize=3,
                    color=colors.get(name, _FALLBACK[i % len(_FALLBACK)]), label=name)
    ax.set_xlabel("layer l (0 = first layer, where the input enters)")
    ax.set_ylabel(r"gradient norm $\|\partial L / \partial x_l\|$")
    if title:
        ax.set_title(title)
    ax.legend(fontsize=9)
    ax.grid(alpha=0.3, which="both")
    return fig


def plot_two_highways(
    through_time: Mapping[str, np.ndarray],
    through_depth: Mapping[str, np.ndarray],
) -> Figure:
    """The same picture twice: error kept across time steps (top) and across layers (below).

    Args:
        through_time: model -> (T,) relative error at each step t = 0..T-1 (as ``plot_gradient_flow``).
        through_depth: label -> (depth,) gradient norm at the input of each layer l = 0..depth-1
            (as ``plot_depth_gradients``). Each curve is divided by its value at the last layer
            and drawn against layers back from the output, so both panels read "fraction of
            the error signal that survives k steps (layers) back".
    """
    _check_series("plot_two_highways", through_time)
    _check_series("plot_two_highways", through_depth)
    # stacked, not side by side: each panel keeps the text column's full width
    fig, (left, right) = plt.subplots(2, 1, figsize=(7, 8), layout="constrained", sharey=True)
    plot_gradient_flow(through_time, title=r"across time: $s_c(t) = s_c(t-1) + y^{in}(t)\,g(net_c(t))$", ax=left)
    colors = {"plain": "tab:gray", "residual": "tab:red"}
    for i, (name, values) in enumerate(through_depth.items()):
        values = np.asarray(values, dtype=float)
        relative = values[::-1] / values[-1]  # index k = k layers back from the output
        right.semilogy(np.arange(values.size), np.maximum(relative, 1e-300), "o-", markersize=3,
                       color=colors.get(name, _FALLBACK[i % len(_FALLBACK)]), label=name)
    right.set_title(r"across layers: $x_{l+1} = x_l + f(x_l)$")
    right.set_xlabel("layers back from the output")
    right.set_ylabel("error signal reaching the layer\n(relative to the last layer)")
    right.yaxis.set_tick_params(labelleft=True)
    right.legend(fontsize=8)
    right.grid(alpha=0.3, which="both")
    return fig


def plot_cost_vs_length(
    lengths: Sequence[int],
    seconds: Mapping[str, np.ndarray],
    memory: Optional[Mapping[str, np.ndarray]] = None,
) -> Figure:
    """Forward time (and activation memory) per sequence against sequence length, log-log.

    Dotted guides show cost proportional to N and to N^2, anchored at the first point of the
    first model.
    """
    _check_series("plot_cost_vs_length", seconds)
    n = np.asarray(lengths, dtype=float)
    panels = 1 if memory is None else 2
    fig, axes = plt.subplots(panels, 1, figsize=(7, 3.8 * panels), layout="constrained", squeeze=False)  # stacked
    fig.patch.set_facecolor("white")
    data = [("forward time per sequence (s)", seconds)] + ([] if memory is None else
                                                           [("activations kept for backward (bytes)", memory)])
    for ax, (ylabel, series) in zip(axes[:, 0], data):
        for i, (name, values) in enumerate(series.items()):
            values = np.asarray(values, dtype=float)
            if values.size != n.size:
                raise ValueError(f"plot_cost_vs_length: {name!r} has {values.size} values for {n.size} lengths")
            label, color = _style(name, i)
            ax.loglog(n, values, "o-", color=color, linewidth=2, label=label)
        anchor = float(np.asarray(next(iter(series.values())), dtype=float)[0])
        ax.loglog(n, anchor * n / n[0], ":", color="0.4", label=r"$\propto N$")
        ax.loglog(n, anchor * (n / n[0]) ** 2, "--", color="0.4", label=r"$\propto N^2$")
        ax.set_xticks(n, [str(int(v)) for v in n])  # label the measured lengths, nothing else
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel("sequence length N")
        ax.set_ylabel(ylabel)
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3, which="both")
    return fig

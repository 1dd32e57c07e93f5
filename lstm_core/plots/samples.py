"""Figures of the chapters on temporal order (Exp. 6) and the rest of the paper (Exps. 2, 3, 5).

Tasks as data:

- ``plot_symbol_rows``: symbolic sequences (2a, 2b, 2c, 6a, 6b) as rows of coloured cells, the
  steps that matter labelled and highlighted, the distractors grey;
- ``plot_signal_sample``: one 2-sequence problem (Exp. 3): the input line, its first N elements shaded;
- ``plot_pairs_sample``: one multiplication-problem sequence (values and markers);
- ``plot_task_sample`` / ``plot_task_gallery``: any :class:`lstm_core.analysis.probes.TaskSample`,
  one or several in a column.

Looking inside a temporal-order network:

- ``plot_gate_selectivity``: mean input gate y^in per block at the X/Y steps vs the filler steps;
- ``plot_class_states``: per-class mean cell state s_c(t), one panel per cell;
- ``plot_phase_separation``: how well the cell states separate the classes at each phase.

Every function takes plain data (arrays, strings, or the ``TaskSample`` record) and optional
axes, and returns the Figure with an opaque white background.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from lstm_core.plots._figure import white as _white
from matplotlib.patches import Rectangle

__all__ = [
    "plot_symbol_rows",
    "plot_signal_sample",
    "plot_pairs_sample",
    "plot_task_sample",
    "plot_task_gallery",
    "plot_gate_selectivity",
    "plot_class_states",
    "plot_phase_separation",
]

_COLORS = ("tab:blue", "tab:orange", "tab:green", "tab:purple", "tab:brown", "tab:pink", "tab:gray", "tab:olive")
#: Colours of the symbols that matter; anything else highlighted is drawn in _OTHER.
_SYMBOL_COLORS = {"X": "tab:red", "Y": "tab:blue", "x": "tab:red", "y": "tab:blue", "E": "0.35", "B": "0.35",
                  "b": "0.35", "e": "tab:green"}
_OTHER, _DISTRACTOR = "tab:purple", "0.88"


def _one_ax(ax: Optional[Axes], figsize: tuple[float, float]) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


# ======================================================================================
# Tasks as data
# ======================================================================================
def plot_symbol_rows(rows: Sequence[Sequence[str]], highlights: Sequence[Sequence[bool]], *,
                     row_labels: Optional[Sequence[str]] = None, targets: Optional[Sequence[str]] = None,
                     title: str = "", ax: Optional[Axes] = None) -> Figure:
    """Symbol sequences as rows of cells: highlighted steps coloured and labelled, the rest grey.

    Args:
        rows: one list of symbol names per sequence (time runs left to right, from step 1).
        highlights: per row, a bool per step: True for the steps that matter.
        row_labels: a label per row (e.g. the class), written on the left.
        targets: per row, the answer the network must give at the end (written after the row).
        title: the figure title.
    """
    if len(rows) == 0 or len(rows) != len(highlights):
        raise ValueError(f"need at least one row and one highlight list per row; got {len(rows)} rows and "
                         f"{len(highlights)} highlight lists")
    for r, h in zip(rows, highlights):
        if len(r) != len(h) or len(r) == 0:
            raise ValueError(f"each row needs one highlight flag per symbol; got {len(r)} symbols, {len(h)} flags")
    for name, extra in (("row_labels", row_labels), ("targets", targets)):
        if extra is not None and len(extra) != len(rows):
            raise ValueError(f"{name} must have one entry per row ({len(rows)}); got {len(extra)}")
    T = max(len(r) for r in rows)
    ax = _one_ax(ax, (min(12.0, 3.0 + 0.09 * T), 0.9 + 0.55 * len(rows)))
    label_all = T <= 40
    for i, (r, h) in enumerate(zip(rows, highlights)):
        y = len(rows) - 1 - i
        for t, (sym, on) in enumerate(zip(r, h)):
            color = _SYMBOL_COLORS.get(sym, _OTHER) if on else _DISTRACTOR
            ax.add_patch(Rectangle((t + 0.5, y - 0.4), 1.0, 0.8, facecolor=color, edgecolor="white", lw=0.5))
            if on or label_all:
                ax.text(t + 1, y, sym, ha="center", va="center", fontsize=7 if len(sym) < 3 else 5,
                        color="white" if on else "0.3", fontweight="bold" if on else "normal")
        if targets is not None:
            ax.text(len(r) + 1.2, y, f"→ {targets[i]}", ha="left", va="center", fontsize=9)
    ax.set_xlim(0.3, T + (4.5 if targets is not None else 0.8))
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(list(row_labels)[::-1] if row_labels is not None else [""] * len(rows))
    ax.set_ylabel("sequence")
    ax.set_xlabel("time step t (grey: distractors" + ("" if label_all else ", not labelled") + ")")
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    if title:
        ax.set_title(title, fontsize=10)
    return _white(ax.figure)


def plot_signal_sample(values: np.ndarray, n_info: int, *, target: str = "", title: str = "",
                       ax: Optional[Axes] = None) -> Figure:
    """One sequence of the 2-sequence problem: the single input line over time, the first N shaded."""
    v = np.asarray(values, dtype=np.float64).reshape(-1)
    if v.size == 0 or not 0 <= n_info <= v.size:
        raise ValueError(f"need a non-empty sequence and 0 <= n_info <= its length; got {v.size} and {n_info}")
    ax = _one_ax(ax, (8.5, 2.6))
    t = np.arange(1, v.size + 1)
    ax.axvspan(0.5, n_info + 0.5, color="tab:orange", alpha=0.25, lw=0, label=f"first N = {n_info}: the class")
    ax.plot(t, v, color="0.45", lw=0.9, label="input (noise after N)")
    ax.plot(t[:n_info], v[:n_info], "o", color="tab:orange", ms=4)
    ax.axhline(0, color="k", lw=0.5)
    ax.set_xlabel("time step t")
    ax.set_ylabel("input")
    ax.set_xlim(0, v.size + 1)
    ax.legend(loc="upper right", fontsize=7)
    head = f"target at the end: {target}" if target else ""
    ax.set_title(" — ".join(x for x in (title, head) if x), fontsize=10)
    return _white(ax.figure)


def plot_pairs_sample(values: np.ndarray, markers: np.ndarray, *, target: str = "", title: str = "",
                      ax: Optional[Axes] = None) -> Figure:
    """One multiplication-problem sequence: values as bars, the two marked pairs in red."""
    v = np.asarray(values, dtype=np.float64).reshape(-1)
    m = np.asarray(markers, dtype=np.float64).reshape(-1)
    if v.shape != m.shape or v.size == 0:
        raise ValueError(f"values and markers must be non-empty and equally long; got {v.size} and {m.size}")
    ax = _one_ax(ax, (8.5, 2.6))
    t = np.arange(1, v.size + 1)
    colors = np.where(m == 1.0, "tab:red", np.where(m == -1.0, "0.35", "0.75"))
    ax.bar(t, v, color=colors, width=0.8)
    for s in np.flatnonzero(m == 1.0):
        ax.annotate(f"{v[s]:.2f}", (t[s], v[s]), xytext=(0, 4), textcoords="offset points", ha="center",
                    fontsize=8, color="tab:red")
    ax.set_ylim(0, 1.25)
    ax.set_xlabel("time step t (red: marked, dark grey: marker −1)")
    ax.set_ylabel("value")
    head = f"target at the end: {target}" if target else ""
    ax.set_title(" — ".join(x for x in (title, head) if x), fontsize=10)
    return _white(ax.figure)


def plot_task_sample(sample: Any, *, ax: Optional[Axes] = None) -> Figure:
    """Draw a :class:`lstm_core.analysis.probes.TaskSample` with the plot that fits its ``kind``."""
    title = f"{sample.experiment}: {sample.note}" if sample.note else sample.experiment
    if sample.kind == "symbols":
        return plot_symbol_rows([list(sample.tokens)], [list(sample.highlight)], targets=[sample.target],
                                title=title, ax=ax)
    if sample.kind == "signal":
        return plot_signal_sample(sample.values, sample.n_info, target=sample.target, title=title, ax=ax)
    if sample.kind == "pairs":
        return plot_pairs_sample(sample.values, sample.markers, target=sample.target, title=title, ax=ax)
    raise ValueError(f"unknown sample kind {sample.kind!r}; expected 'symbols', 'signal' or 'pairs'")


def plot_task_gallery(samples: Sequence[Any], *, title: str = "") -> Figure:
    """Several task samples in one column (one panel each)."""
    if len(samples) == 0:
        raise ValueError("samples must hold at least one TaskSample")
    heights = [1.3 if s.kind == "symbols" else 2.3 for s in samples]
    fig, axs = plt.subplots(len(samples), 1, figsize=(11.0, sum(heights) + 0.4), layout="constrained",
                            squeeze=False, gridspec_kw={"height_ratios": heights})
    for ax, s in zip(axs[:, 0], samples):
        plot_task_sample(s, ax=ax)
    if title:
        fig.suptitle(title)
    return _white(fig)


# ======================================================================================
# Inside a temporal-order network
# ======================================================================================
def plot_gate_selectivity(at_relevant: Mapping[str, np.ndarray], at_filler: Mapping[str, np.ndarray], *,
                          ax: Optional[Axes] = None) -> Figure:
    """Mean input gate y^in_j per block j at the X/Y steps and at the filler steps.

    Args:
        at_relevant: network name -> (B,) mean y^in at the X/Y steps.
        at_filler: network name -> (B,) mean y^in at the filler steps (same names).
    """
    if not at_relevant or set(at_relevant) != set(at_filler):
        raise ValueError("at_relevant and at_filler must name the same, non-empty set of networks")
    ax = _one_ax(ax, (7.0, 3.4))
    groups = []
    for name in at_relevant:
        rel = np.asarray(at_relevant[name], dtype=np.float64).reshape(-1)
        fil = np.asarray(at_filler[name], dtype=np.float64).reshape(-1)
        if rel.shape != fil.shape:
            raise ValueError(f"{name}: one value per block in both; got {rel.size} and {fil.size}")
        for j in range(rel.size):
            groups.append((f"{name}\nblock {j + 1}", rel[j], fil[j]))
    x = np.arange(len(groups))
    ax.bar(x - 0.2, [g[1] for g in groups], 0.4, color="tab:red", label="at X/Y steps")
    ax.bar(x + 0.2, [g[2] for g in groups], 0.4, color="0.6", label="at filler steps (a–d)")
    for xi, (_, rel, fil) in zip(x, groups):
        ax.text(xi - 0.2, rel + 0.02, f"{rel:.2f}", ha="center", fontsize=7)
        ax.text(xi + 0.2, fil + 0.02, f"{fil:.2f}", ha="center", fontsize=7)
    ax.set_xticks(x)
    ax.set_xticklabels([g[0] for g in groups], fontsize=8)
    ax.set_ylim(0, 1.08)
    ax.set_ylabel("mean input gate $y^{in}$")
    ax.set_xlabel("network and memory-cell block")
    ax.legend(fontsize=8, loc="upper right")
    ax.grid(alpha=0.3, axis="y")
    return _white(ax.figure)


def plot_class_states(traces: np.ndarray, class_names: Sequence[str], *,
                      position_ranges: Sequence[tuple[int, int]] = (), title: str = "") -> Figure:
    """Per-class mean cell state over time, one panel per cell.

    Args:
        traces: (K, T, C) mean s_c(t) of each of K classes (NaN where undefined).
        class_names: K names (Q, R, S, U, ...).
        position_ranges: 1-based (low, high) step ranges where the X/Y symbols fall (shaded).
    """
    tr = np.asarray(traces, dtype=np.float64)
    if tr.ndim != 3 or tr.shape[0] != len(class_names):
        raise ValueError(f"traces must be (K, T, C) with one name per class; got {tr.shape} and "
                         f"{len(class_names)} names")
    K, T, C = tr.shape
    ncols = min(C, 2)
    nrows = int(np.ceil(C / ncols))
    fig, axs = plt.subplots(nrows, ncols, figsize=(9.0, 2.3 * nrows + 0.5), layout="constrained",
                            squeeze=False, sharex=True)
    t = np.arange(1, T + 1)
    for c in range(nrows * ncols):
        ax = axs.flat[c]
        if c >= C:
            ax.set_visible(False)
            continue
        for lo, hi in position_ranges:
            ax.axvspan(lo - 0.5, hi + 0.5, color="0.9", lw=0)
        for k in range(K):
            ax.plot(t, tr[k, :, c], color=_COLORS[k % len(_COLORS)], lw=1.4, label=class_names[k])
        ax.set_ylabel(f"$s_c$, cell {c + 1}")
        ax.grid(alpha=0.3)
        if c >= C - ncols:
            ax.set_xlabel("time step t (shaded: where X/Y can fall)")
    axs.flat[0].legend(fontsize=8, ncol=K, loc="best", title="class", title_fontsize=8)
    if title:
        fig.suptitle(title)
    return _white(fig)


def plot_phase_separation(phases: Sequence[str], accuracy: Mapping[str, np.ndarray], chance: float, *,
                          ax: Optional[Axes] = None) -> Figure:
    """Held-out class accuracy of the cell states at each phase, one bar group per phase.

    Args:
        phases: phase names (x axis).
        accuracy: network name -> (phases,) accuracy.
        chance: accuracy of guessing (a dashed line).
    """
    if not accuracy:
        raise ValueError("accuracy must name at least one network")
    ax = _one_ax(ax, (8.0, 3.4))
    x = np.arange(len(phases))
    width = 0.8 / len(accuracy)
    for i, (name, acc) in enumerate(accuracy.items()):
        a = np.asarray(acc, dtype=np.float64).reshape(-1)
        if a.size != len(phases):
            raise ValueError(f"{name}: one accuracy per phase ({len(phases)}); got {a.size}")
        xs = x - 0.4 + width * (i + 0.5)
        ax.bar(xs, a, width, color=_COLORS[i % len(_COLORS)], label=name)
        for xi, ai in zip(xs, a):
            ax.text(xi, ai + 0.015, f"{ai:.2f}", ha="center", fontsize=7)
    ax.axhline(chance, color="k", ls="--", lw=1, label=f"chance ({chance:.2f})")
    ax.set_xticks(x)
    ax.set_xticklabels(phases, fontsize=8)
    ax.set_ylim(0, 1.1)
    ax.set_ylabel("class accuracy from $s_c$\n(nearest centroid, held out)")
    ax.set_xlabel("where in the sequence the cell states are read")
    ax.legend(fontsize=8, loc="upper left")
    ax.grid(alpha=0.3, axis="y")
    return _white(ax.figure)

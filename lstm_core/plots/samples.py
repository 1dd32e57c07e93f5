"""Figures of the paper's tasks as data (compute: :mod:`lstm_core.analysis.samples`).

- ``plot_symbol_rows``: symbolic sequences (2a, 2b, 2c, 6a, 6b) as rows of coloured cells, the
  steps that matter labelled and highlighted, the distractors grey;
- ``plot_signal_sample``: one 2-sequence problem (Exp. 3): the input line, its first N elements shaded;
- ``plot_pairs_sample``: one multiplication-problem sequence (values and markers);
- ``plot_adding_sequence``: one adding-problem sequence (values, markers, the target);
- ``plot_task_sample`` / ``plot_task_gallery``: any :class:`lstm_core.analysis.samples.TaskSample`,
  one or several in a column;
- ``plot_reber_automaton``: the Reber grammar's automaton drawn from its transition table.

Every function takes plain arrays (and optional axes) and returns the Figure, white background.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch, Rectangle

from lstm_core.plots._figure import axes_list, new_axes, white as _white

__all__ = ["plot_symbol_rows", "plot_signal_sample", "plot_pairs_sample", "plot_adding_sequence",
           "plot_task_sample", "plot_task_gallery", "plot_reber_automaton"]


#: Colours of the symbols that matter; anything else highlighted is drawn in _OTHER.
_SYMBOLCOLORS = {"X": "tab:red", "Y": "tab:blue", "x": "tab:red", "y": "tab:blue", "E": "0.35", "B": "0.35",
                  "b": "0.35", "e": "tab:green"}


_OTHER, _DISTRACTOR = "tab:purple", "0.88"


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
    ax = new_axes(ax, (min(12.0, 3.0 + 0.09 * T), 0.9 + 0.55 * len(rows)))[1]
    label_all = T <= 40
    for i, (r, h) in enumerate(zip(rows, highlights)):
        y = len(rows) - 1 - i
        for t, (sym, on) in enumerate(zip(r, h)):
            color = _SYMBOLCOLORS.get(sym, _OTHER) if on else _DISTRACTOR
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
    ax = new_axes(ax, (8.5, 2.6))[1]
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
    ax = new_axes(ax, (8.5, 2.6))[1]
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


def plot_adding_sequence(values: np.ndarray, markers: np.ndarray, target: float, *,
                         ax: Optional[Axes] = None) -> Figure:
    """One adding-problem sequence: its values (bars), markers (1: coloured, -1: grey) and target."""
    v = np.asarray(values, dtype=np.float64).reshape(-1)
    m = np.asarray(markers, dtype=np.float64).reshape(-1)
    if v.shape != m.shape:
        raise ValueError(f"values and markers must have the same length; got {v.size} and {m.size}")
    (ax,) = axes_list(ax, 1, (8.5, 3.2), vertical=True)
    t = np.arange(v.size)
    colors = np.where(m == 1.0, "tab:red", np.where(m == -1.0, "0.35", "0.75"))
    ax.bar(t, v, color=colors, width=0.8)
    for s in np.flatnonzero(m == 1.0):
        ax.annotate(f"X = {v[s]:+.2f}", (s, v[s]), xytext=(0, 8 if v[s] >= 0 else -14),
                    textcoords="offset points", ha="center", fontsize=8, color="tab:red")
    for s in np.flatnonzero(m == -1.0):
        ax.text(s, -1.15, "−1", ha="center", fontsize=7, color="0.35")
    ax.axhline(0, color="k", lw=0.6)
    ax.set_ylim(-1.3, 1.3)
    ax.set_xlabel("time step (red: marker 1, dark grey: marker −1, light: marker 0)")
    ax.set_ylabel("value")
    ax.set_title(f"{v.size} steps; target at the last step = 0.5 + (X1 + X2)/4 = {target:.3f}")
    return _white(ax.figure)


def plot_task_sample(sample: Any, *, ax: Optional[Axes] = None) -> Figure:
    """Draw a :class:`lstm_core.analysis.samples.TaskSample` with the plot that fits its ``kind``."""
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


#: Where each state of the Reber automaton is drawn (the classic left-to-right picture).
_REBER_POS = {0: (0.0, 0.0), 1: (1.2, 0.0), 2: (2.4, 1.0), 3: (2.4, -1.0), 4: (3.9, 1.0), 5: (3.9, -1.0),
              6: (5.1, 0.0), None: (6.3, 0.0)}


def plot_reber_automaton(transitions: Mapping[int, Sequence[tuple[str, Optional[int]]]], *,
                         highlight: str = "", ax: Optional[Axes] = None) -> Figure:
    """The Reber automaton: states as circles, one arrow per transition labelled with its symbol.

    ``transitions`` is ``lstm_core.tasks.reber.TRANSITIONS`` (state -> ((symbol, next state), ...),
    next state None = the end). ``highlight`` is a string whose path is drawn in red.
    """
    missing = {s for s, moves in transitions.items() for _, s2 in moves} | set(transitions)
    missing -= set(_REBER_POS)
    if missing:
        raise ValueError(f"no drawing position for states {sorted(missing, key=str)}; this draws the Reber automaton")
    (ax,) = axes_list(ax, 1, (8.0, 3.6), vertical=True)
    path: set[tuple[int, Optional[int], str]] = set()
    state: Optional[int] = 0
    for ch in highlight:
        moves = dict(transitions.get(state, ())) if state is not None else {}
        if ch not in moves:
            raise ValueError(f"{highlight!r} is not a path of this automaton (stuck at {ch!r})")
        path.add((state, moves[ch], ch))
        state = moves[ch]
    r = 0.28
    for s, (x, y) in _REBER_POS.items():
        final = s is None
        ax.add_patch(Circle((x, y), r, fc="white" if not final else "0.9", ec="k", lw=1.3 if not final else 0.8))
        ax.text(x, y, "end" if final else str(s), ha="center", va="center", fontsize=10 if not final else 8)
    for s, moves in transitions.items():
        for symbol, s2 in moves:
            on = (s, s2, symbol) in path
            color, lw = ("tab:red", 2.2) if on else ("0.25", 1.2)
            (x1, y1), (x2, y2) = _REBER_POS[s], _REBER_POS[s2]
            if s == s2:  # self-loop above (state 2) or below (state 3)
                sign = 1 if y1 >= 0 else -1
                arrow = FancyArrowPatch((x1 - 0.15, y1 + sign * r), (x1 + 0.15, y1 + sign * r),
                                        connectionstyle=f"arc3,rad={-1.8 * sign}", arrowstyle="-|>",
                                        mutation_scale=12, color=color, lw=lw)
                ax.add_patch(arrow)
                ax.text(x1, y1 + sign * (r + 0.42), symbol, ha="center", va="center", fontsize=11,
                        color=color, fontweight="bold")
                continue
            d = np.array([x2 - x1, y2 - y1])
            u = d / np.linalg.norm(d)
            a, b = np.array([x1, y1]) + r * u, np.array([x2, y2]) - r * u
            ax.add_patch(FancyArrowPatch(tuple(a), tuple(b), arrowstyle="-|>", mutation_scale=12, color=color,
                                         lw=lw, shrinkA=0, shrinkB=0))
            mid = (a + b) / 2 + 0.16 * np.array([-u[1], u[0]])
            ax.text(mid[0], mid[1], symbol, ha="center", va="center", fontsize=11, color=color, fontweight="bold")
    ax.set_xlim(-0.5, 6.8)
    ax.set_ylim(-1.9, 1.9)
    ax.set_aspect("equal")
    ax.set_xlabel("states of the Reber automaton; each arrow emits its symbol" +
                  (f"   (red: the path of {highlight})" if highlight else ""))
    ax.set_ylabel("the Reber grammar")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    return _white(ax.figure)

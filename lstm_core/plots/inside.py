"""Figures of what a network does inside (compute: :mod:`lstm_core.analysis.inside`), and of live runs.

- ``plot_live_run``: a live run's learning curve: per-sequence error (with its running mean)
  and the running fraction correct; or, for tasks judged on a test set, the wrong count per check;
- ``plot_trace``: several per-step quantities of one sequence in stacked panels sharing the time
  axis, with chosen steps marked (e.g. the adding problem's marked pairs);
- ``plot_reber_predictions``: a network's outputs at each step of one string beside the allowed set;
- ``plot_branch_states``: one cell's state along T-branch and P-branch strings;
- ``plot_gate_selectivity``: mean input gate y^in per block at the X/Y steps vs the filler steps;
- ``plot_class_states``: per-class mean cell state s_c(t), one panel per cell;
- ``plot_phase_separation``: how well the cell states separate the classes at each phase.

Every function takes plain arrays (and optional axes) and returns the Figure, white background.
"""

from __future__ import annotations

from typing import Mapping, Optional, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from lstm_core.analysis.inside import running_mean
from lstm_core.plots._figure import COLORS, axes_list, new_axes, white as _white

__all__ = ["plot_live_run", "plot_trace", "plot_reber_predictions", "plot_branch_states",
           "plot_gate_selectivity", "plot_class_states", "plot_phase_separation"]


def plot_live_run(errors: np.ndarray, correct: np.ndarray, *, window: int = 2000,
                  checks: Optional[np.ndarray] = None, check_size: int = 0,
                  criterion_at: Optional[int] = None, error_bound: Optional[float] = None,
                  mean_error_bound: Optional[float] = None, title: str = "", axes: Optional[Sequence[Axes]] = None) -> Figure:
    """A live training run: per-sequence error and the fraction correct (or test-set checks).

    Args:
        errors: (n,) per-sequence error before each update, in training order.
        correct: (n,) bool, the task's per-sequence criterion before each update.
        window: sequences in the running mean and the running fraction correct (ST3: 2000).
        checks: (m, 2) rows (sequences trained, wrong in the check set) for tasks judged on a
            test set; then the lower panel shows these instead of the running fraction.
        check_size: sequences in each check (for the axis label).
        criterion_at: the sequence count where the paper's criterion was met (a vertical line).
        error_bound: a horizontal line in the error panel (e.g. the adding problem's 0.04).
        mean_error_bound: a dotted line for the running mean (e.g. ST3's 0.01).
    """
    e = np.asarray(errors, dtype=np.float64).reshape(-1)
    ok = np.asarray(correct, dtype=bool).reshape(-1)
    if e.size != ok.size or e.size == 0:
        raise ValueError(f"errors and correct must be non-empty and equally long; got {e.size} and {ok.size}")
    ax_err, ax_ok = axes_list(axes, 2, (8.0, 5.2), vertical=True, sharex=True)
    n = np.arange(1, e.size + 1)
    stride = max(1, e.size // 4000)  # thin the scatter of single sequences
    ax_err.plot(n[::stride], np.maximum(e[::stride], 1e-6), ".", ms=1.5, color="0.65", label="one sequence")
    w = min(window, e.size)
    ax_err.plot(n, running_mean(e, max(1, min(w, e.size)), full_only=True), color="tab:blue", lw=1.6,
                label=f"mean of the last {w}")
    if error_bound is not None:
        ax_err.axhline(error_bound, color="tab:red", ls="--", lw=1, label=f"correct below {error_bound:g}")
    if mean_error_bound is not None:
        ax_err.axhline(mean_error_bound, color="tab:blue", ls=":", lw=1, label=f"mean below {mean_error_bound:g}")
    ax_err.set_yscale("log")
    ax_err.set_ylabel("error per sequence")
    ax_err.legend(loc="upper right", fontsize=8)
    if checks is not None and np.size(checks):
        c = np.asarray(checks).reshape(-1, 2)
        ax_ok.plot(c[:, 0], c[:, 1], "o-", ms=3, color="tab:purple")
        ax_ok.set_ylabel(f"wrong of {check_size}" if check_size else "wrong in check set")
        ax_ok.set_ylim(bottom=-0.02 * max(1, c[:, 1].max()))
    else:
        ax_ok.plot(n, running_mean(ok, max(1, min(w, ok.size)), full_only=True), color="tab:green", lw=1.6)
        ax_ok.set_ylabel(f"fraction correct\n(last {w})")
        ax_ok.set_ylim(-0.02, 1.02)
    for ax in (ax_err, ax_ok):
        if criterion_at is not None:
            ax.axvline(criterion_at, color="k", ls=":", lw=1.2)
        ax.grid(alpha=0.3)
    if criterion_at is not None:
        ax_ok.text(criterion_at, 0.5, " criterion met", transform=ax_ok.get_xaxis_transform(), fontsize=8)
    ax_ok.set_xlabel("training sequences (one update each)")
    if title:
        ax_err.set_title(title)
    return _white(ax_err.figure)


def plot_trace(panels: Mapping[str, np.ndarray], *, marks: Optional[Sequence[int]] = None,
               labels: Optional[Mapping[str, Sequence[str]]] = None, title: str = "",
               axes: Optional[Sequence[Axes]] = None) -> Figure:
    """Per-step quantities of one sequence, one panel each, sharing the time axis.

    Args:
        panels: panel title (used as the y label) -> (T,) or (T, k) array (k lines).
        marks: steps to mark with a shaded band in every panel (e.g. the marked pairs).
        labels: panel title -> names of its k lines (a legend).
    """
    if not panels:
        raise ValueError("panels must name at least one quantity")
    arrays = {name: np.asarray(v, dtype=np.float64) for name, v in panels.items()}
    lengths = {v.shape[0] for v in arrays.values()}
    if len(lengths) != 1:
        raise ValueError(f"every panel must have the same number of steps; got {sorted(lengths)}")
    axs = axes_list(axes, len(arrays), (8.0, 1.6 * len(arrays) + 0.6), vertical=True, sharex=True)
    t = np.arange(lengths.pop())
    marks = [] if marks is None else [int(m) for m in np.asarray(marks).reshape(-1)]
    for i, (ax, (name, v)) in enumerate(zip(axs, arrays.items())):
        v2 = v.reshape(v.shape[0], -1)
        names = list((labels or {}).get(name, []))
        for k in range(v2.shape[1]):
            ax.plot(t, v2[:, k], color=COLORS[k % len(COLORS)], lw=1.3,
                    label=names[k] if k < len(names) else None)
        for m in marks:
            ax.axvspan(m - 0.5, m + 0.5, color="tab:red", alpha=0.15, lw=0)
        ax.set_ylabel(name)
        ax.grid(alpha=0.3)
        if names:
            ax.legend(loc="upper right", fontsize=7, ncol=min(4, len(names)))
    axs[-1].set_xlabel("time step t" + ("   (shaded: marked steps)" if marks else ""))
    if title:
        axs[0].set_title(title)
    return _white(axs[0].figure)


def plot_reber_predictions(outputs: np.ndarray, allowed: np.ndarray, string: str, symbols: str = "BTPSXVE", *,
                           step: Optional[int] = None, ax: Optional[Axes] = None) -> Figure:
    """A network's outputs at every step of one string (heatmap), the allowed next symbols boxed.

    Args:
        outputs: (L, 7) output activations, one row per step (step t reads symbol t of ``string``).
        allowed: (L, 7) bool, the symbols the grammar allows next.
        string: the whole string (L + 1 symbols; the last is only a target).
        step: a step to highlight (the dashboard's step slider).
    Steps where the criterion fails (an allowed output not above every other) get a red ✗.
    """
    out = np.asarray(outputs, dtype=np.float64)
    alw = np.asarray(allowed, dtype=bool)
    if out.ndim != 2 or out.shape != alw.shape or out.shape[1] != len(symbols) or len(string) != out.shape[0] + 1:
        raise ValueError(f"outputs and allowed must be (L, {len(symbols)}) with L = len(string) - 1; "
                         f"got {out.shape}, {alw.shape} and a string of {len(string)}")
    (ax,) = axes_list(ax, 1, (min(14.0, max(4.5, 0.45 * out.shape[0] + 2.0)), 3.8))
    im = ax.imshow(out.T, cmap="Blues", vmin=0.0, vmax=1.0, aspect="auto", origin="upper")
    L = out.shape[0]
    for t in range(L):
        for k in range(len(symbols)):
            if alw[t, k]:
                ax.add_patch(Rectangle((t - 0.5, k - 0.5), 1, 1, fill=False, ec="tab:orange", lw=2.0))
        low_allowed = out[t][alw[t]].min() if alw[t].any() else np.inf
        high_other = out[t][~alw[t]].max() if (~alw[t]).any() else -np.inf
        if not low_allowed > high_other:
            ax.text(t, len(symbols) - 0.3, "✗", ha="center", va="top", color="tab:red", fontsize=12)
    if step is not None:
        ax.add_patch(Rectangle((step - 0.5, -0.5), 1, len(symbols), fill=False, ec="k", lw=2.2, ls="--"))
    ax.set_xticks(range(L))
    ax.set_xticklabels(list(string[:-1]))
    ax.set_yticks(range(len(symbols) + 1))
    ax.set_yticklabels(list(symbols) + ["wrong?"])  # the bottom band holds the ✗ of failed steps
    ax.set_ylim(len(symbols) + 0.3, -0.5)
    ax.set_xlabel("input symbol at each step  (orange boxes: allowed next symbols; ✗: step wrong)")
    ax.set_ylabel("output unit (next symbol)")
    ax.figure.colorbar(im, ax=ax, label="output activation", fraction=0.04)
    return _white(ax.figure)


def plot_branch_states(states_t: Sequence[np.ndarray], states_p: Sequence[np.ndarray], *, cell: int,
                       threshold: Optional[float] = None, ax: Optional[Axes] = None) -> Figure:
    """One cell's state s_c along strings of the T branch (blue) and the P branch (orange).

    ``states_t`` / ``states_p``: one (L_i,) array per string (the cell's s_c at each step).
    ``threshold``: a horizontal line, e.g. the measured split between the two branches.
    """
    if len(states_t) == 0 or len(states_p) == 0:
        raise ValueError("need at least one string of each branch")
    (ax,) = axes_list(ax, 1, (7.5, 3.4), vertical=True)
    for states, color, name in ((states_t, "tab:blue", "T branch (second symbol T)"),
                                (states_p, "tab:orange", "P branch (second symbol P)")):
        for i, s in enumerate(states):
            s = np.asarray(s, dtype=np.float64).reshape(-1)
            ax.plot(np.arange(s.size), s, color=color, lw=0.9, alpha=0.6, label=name if i == 0 else None)
    if threshold is not None:
        ax.axhline(threshold, color="k", ls="--", lw=1, label=f"split at {threshold:.2f}")
    ax.set_xlabel("step along the string")
    ax.set_ylabel(f"$s_c$ of cell {cell}")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    return _white(ax.figure)


def plot_gate_selectivity(at_relevant: Mapping[str, np.ndarray], at_filler: Mapping[str, np.ndarray], *,
                          ax: Optional[Axes] = None) -> Figure:
    """Mean input gate y^in_j per block j at the X/Y steps and at the filler steps.

    Args:
        at_relevant: network name -> (B,) mean y^in at the X/Y steps.
        at_filler: network name -> (B,) mean y^in at the filler steps (same names).
    """
    if not at_relevant or set(at_relevant) != set(at_filler):
        raise ValueError("at_relevant and at_filler must name the same, non-empty set of networks")
    ax = new_axes(ax, (7.0, 3.4))[1]
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
            ax.plot(t, tr[k, :, c], color=COLORS[k % len(COLORS)], lw=1.4, label=class_names[k])
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
    ax = new_axes(ax, (8.0, 3.4))[1]
    x = np.arange(len(phases))
    width = 0.8 / len(accuracy)
    for i, (name, acc) in enumerate(accuracy.items()):
        a = np.asarray(acc, dtype=np.float64).reshape(-1)
        if a.size != len(phases):
            raise ValueError(f"{name}: one accuracy per phase ({len(phases)}); got {a.size}")
        xs = x - 0.4 + width * (i + 0.5)
        ax.bar(xs, a, width, color=COLORS[i % len(COLORS)], label=name)
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

"""Figures of the gauntlet chapters (the paper's experiments): tasks as data, live runs, looks inside.

Generic (any paper task):

- ``plot_live_run``: a live run's learning curve: per-sequence error (with its running mean)
  and the running fraction correct; or, for tasks judged on a test set, the wrong count per check;
- ``plot_trace``: several per-step quantities of one sequence in stacked panels sharing the time
  axis, with chosen steps marked (e.g. the adding problem's marked pairs);
- ``plot_run_probability``: P(k correct in a row) against the per-sequence error rate, with
  chosen error rates marked (why a strict criterion like ST3 can take very long).

Task-specific:

- ``plot_adding_sequence``: one adding-problem sequence (values, markers, the target);
- ``plot_reber_automaton``: the Reber grammar's automaton drawn from its transition table;
- ``plot_reber_predictions``: a network's outputs at each step of one string beside the allowed set;
- ``plot_branch_states``: one cell's state along T-branch and P-branch strings.

Every function takes plain arrays (and optional axes) and returns the Figure, white background.
"""

from __future__ import annotations

from typing import Mapping, Optional, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from lstm_core.plots._figure import white as _white
from matplotlib.patches import Circle, FancyArrowPatch, Rectangle

__all__ = [
    "plot_live_run",
    "plot_trace",
    "plot_run_probability",
    "plot_adding_sequence",
    "plot_reber_automaton",
    "plot_reber_predictions",
    "plot_branch_states",
]

_COLORS = ("tab:blue", "tab:orange", "tab:green", "tab:purple", "tab:brown", "tab:pink", "tab:gray", "tab:olive")


def _axes(axes: Optional[Sequence[Axes]], n: int, figsize: tuple[float, float], **kw) -> list[Axes]:
    if axes is None:
        _, created = plt.subplots(n, 1, figsize=figsize, layout="constrained", squeeze=False, **kw)
        return list(created[:, 0])
    axes = [axes] if isinstance(axes, Axes) else list(axes)
    if len(axes) != n:
        raise ValueError(f"expected {n} axes, got {len(axes)}")
    return axes


def _trailing_mean(x: np.ndarray, window: int) -> np.ndarray:
    c = np.concatenate([[0.0], np.cumsum(x)])
    i = np.arange(1, x.size + 1)
    lo = np.maximum(0, i - window)
    out = (c[i] - c[lo]) / (i - lo)
    out[i < min(window, x.size)] = np.nan
    return out


# ======================================================================================
# Generic
# ======================================================================================
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
    ax_err, ax_ok = _axes(axes, 2, (8.0, 5.2), sharex=True)
    n = np.arange(1, e.size + 1)
    stride = max(1, e.size // 4000)  # thin the scatter of single sequences
    ax_err.plot(n[::stride], np.maximum(e[::stride], 1e-6), ".", ms=1.5, color="0.65", label="one sequence")
    w = min(window, e.size)
    ax_err.plot(n, _trailing_mean(e, w), color="tab:blue", lw=1.6, label=f"mean of the last {w}")
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
        ax_ok.plot(n, _trailing_mean(ok.astype(np.float64), w), color="tab:green", lw=1.6)
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
    axs = _axes(axes, len(arrays), (8.0, 1.6 * len(arrays) + 0.6), sharex=True)
    t = np.arange(lengths.pop())
    marks = [] if marks is None else [int(m) for m in np.asarray(marks).reshape(-1)]
    for i, (ax, (name, v)) in enumerate(zip(axs, arrays.items())):
        v2 = v.reshape(v.shape[0], -1)
        names = list((labels or {}).get(name, []))
        for k in range(v2.shape[1]):
            ax.plot(t, v2[:, k], color=_COLORS[k % len(_COLORS)], lw=1.3,
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


def plot_run_probability(rates: Mapping[str, float], k: int = 2000, *, ax: Optional[Axes] = None) -> Figure:
    """P(k correct in a row) = (1 - e)^k against the per-sequence error rate e, chosen rates marked."""
    if k < 1:
        raise ValueError(f"k must be a positive int; got {k!r}")
    (ax,) = _axes(ax, 1, (7.0, 3.6))
    e = np.logspace(-5, -1, 400)
    ax.plot(e, (1 - e) ** k, color="0.3", lw=1.6)
    for i, (name, rate) in enumerate(rates.items()):
        p = (1 - rate) ** k
        ax.plot([rate], [p], "o", color=_COLORS[i % len(_COLORS)], label=f"{name}: e = {rate:.2g}, P = {p:.2g}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(1e-12, 2)
    ax.set_xlabel("per-sequence error rate e")
    ax.set_ylabel(f"P({k} correct in a row)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8, loc="lower left")
    return _white(ax.figure)


# ======================================================================================
# The adding problem
# ======================================================================================
def plot_adding_sequence(values: np.ndarray, markers: np.ndarray, target: float, *,
                         ax: Optional[Axes] = None) -> Figure:
    """One adding-problem sequence: its values (bars), markers (1: coloured, -1: grey) and target."""
    v = np.asarray(values, dtype=np.float64).reshape(-1)
    m = np.asarray(markers, dtype=np.float64).reshape(-1)
    if v.shape != m.shape:
        raise ValueError(f"values and markers must have the same length; got {v.size} and {m.size}")
    (ax,) = _axes(ax, 1, (8.5, 3.2))
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


# ======================================================================================
# The Reber grammar
# ======================================================================================
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
    (ax,) = _axes(ax, 1, (8.0, 3.6))
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
    (ax,) = _axes(ax, 1, (min(14.0, max(4.5, 0.45 * out.shape[0] + 2.0)), 3.8))
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
    (ax,) = _axes(ax, 1, (7.5, 3.4))
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

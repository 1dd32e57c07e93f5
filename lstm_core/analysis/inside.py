"""Inside a network: what the gates and the cells do, measured over a batch.

- :func:`gate_activity` runs a 1997 network over a batch and returns every per-step quantity of
  the memory cells as numpy arrays (y^in, y^out, g, s_c, y^c, outputs); :func:`gate_trace` is
  one sequence of it, :func:`storage_profile` how much a cell writes at relevant and other steps.
- Small measuring tools compare them between groups of steps: :func:`mean_where`,
  :func:`threshold_accuracy`, :func:`state_jumps`, :func:`class_mean_traces`.
- Does a state separate the classes? :func:`centroid_accuracy`, and at every phase of a
  temporal-order sequence :func:`phase_separation` (phases from :func:`phase_steps`).
- :func:`end_state_drift`: how far the cell states of *untrained* paper networks have drifted by
  the last step, and the slope h' there (the factor every truncated gradient to the cell-input
  and input-gate weights carries).
- :func:`running_mean`: the trailing mean of a live run's per-sequence results.

Which steps of a task matter (marked pairs, X/Y symbols, Reber's long-memory step) is in
:mod:`lstm_core.analysis.samples`; live training runs are :mod:`lstm_core.training.online`.

Paper notation in the arrays of :class:`GateActivity`: ``y_in`` = y^in_j(t), ``y_out`` =
y^out_j(t) (blocks j), ``s`` = s_c(t), ``y_c`` = y^c(t) (cells c), ``outputs`` = y^k(t).
Plots: :mod:`lstm_core.plots.inside`; panels: :mod:`lstm_core.dashboards.inside`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Union

import numpy as np
import torch

from lstm_core import validation as validate
from lstm_core.model import activations
from lstm_core.model.networks import LSTM1997, paper_network
from lstm_core.tasks import temporal_order  # noqa: F401  (the doctests draw sequences with it)
from lstm_core.tasks.base import SequenceBatch, check_task, step_mask
from lstm_core.training.online import resolve_config
from lstm_core.analysis.samples import relevant_steps

__all__ = ["running_mean", "GateActivity", "gate_activity", "gate_trace", "storage_profile", "mean_where",
           "state_jumps", "threshold_accuracy", "class_mean_traces", "phase_steps", "centroid_accuracy",
           "PhaseSeparation", "phase_separation", "EndStateDrift", "end_state_drift"]


def running_mean(values: Any, window: int, full_only: bool = False) -> np.ndarray:
    """Trailing mean over the last ``window`` values; same length as ``values``.

    At the start fewer values are averaged, or (``full_only=True``) the result is NaN until a
    whole window is there (so a lucky first sequence does not read as "100 % correct").

    >>> running_mean([1, 0, 1, 1], 2).tolist()
    [1.0, 0.5, 0.5, 1.0]
    >>> running_mean([1, 0, 1, 1], 3, full_only=True)[:2].tolist()
    [nan, nan]
    """
    x = np.asarray(values, dtype=np.float64).reshape(-1)
    window = validate.positive_int("window", window)
    c = np.concatenate([[0.0], np.cumsum(x)])
    i = np.arange(1, x.size + 1)
    lo = np.maximum(0, i - window)
    out = (c[i] - c[lo]) / (i - lo)
    if full_only:
        out[i < window] = np.nan
    return out


@dataclass
class GateActivity:
    """Every per-step quantity of the 1997 memory cells over a batch, as float64 numpy arrays.

    Steps after a sequence's length are computed on the zero padding; ``valid`` marks the real ones.
    """

    y_in: np.ndarray  # (n, T_max, B) input gates y^in_j(t)
    y_out: np.ndarray  # (n, T_max, B) output gates y^out_j(t) (ones without output gates)
    g_c: np.ndarray  # (n, T_max, C) squashed cell inputs g(net_c(t))
    s: np.ndarray  # (n, T_max, C) cell states s_c(t)
    y_c: np.ndarray  # (n, T_max, C) cell outputs y^c(t)
    outputs: np.ndarray  # (n, T_max, n_out) output units y^k(t)
    valid: np.ndarray  # (n, T_max) bool, the steps inside each sequence
    block_of_cell: np.ndarray  # (C,) int, the block j of each cell c

    def per_cell(self, gate: np.ndarray) -> np.ndarray:
        """A block quantity (n, T, B) repeated for each cell of the block: (n, T, C)."""
        return gate[..., self.block_of_cell]


def gate_activity(net: LSTM1997, batch: Union[SequenceBatch, Any]) -> GateActivity:
    """Run ``net`` (an ``LSTM1997``) over ``batch`` and keep y^in, y^out, g, s_c, y^c and the outputs.

    ``batch`` is a :class:`SequenceBatch` or an input array (n, T, n_in) (all steps valid).
    """
    validate.instance("net", net, LSTM1997, needed_by="gate_activity (it looks inside the 1997 network)")
    if isinstance(batch, SequenceBatch):
        x, valid = batch.inputs, step_mask(batch.lengths, batch.T_max)
    else:
        x = np.asarray(batch.detach().cpu() if isinstance(batch, torch.Tensor) else batch, dtype=np.float32)
        if x.ndim != 3:
            raise ValueError(f"inputs must have shape (n, T, {net.n_inputs}); got {x.shape}")
        valid = np.ones(x.shape[:2], dtype=bool)
    with torch.no_grad():
        trace = net.run(torch.as_tensor(x))

    def arr(name: str) -> np.ndarray:
        return trace.stack(name).detach().to(torch.float64).numpy()

    n, T = x.shape[:2]
    y_in, s = arr("y_in"), arr("s")
    y_out = arr("y_out")
    if y_out.shape[-1] != y_in.shape[-1]:  # no output gates: y^out = 1 per cell; keep one per block
        y_out = np.ones_like(y_in)
    block_size = s.shape[-1] // y_in.shape[-1]
    return GateActivity(y_in=y_in, y_out=y_out, g_c=arr("g_c"), s=s, y_c=arr("y_c"),
                        outputs=trace.outputs.detach().to(torch.float64).numpy(), valid=valid,
                        block_of_cell=np.arange(s.shape[-1]) // block_size)


def gate_trace(model: LSTM1997, batch: SequenceBatch, index: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One sequence of ``batch`` through ``model``: (y^in (T, B), s_c (T, C), relevant steps (T,)).

    T is that sequence's own length (padding dropped); the numbers are :func:`gate_activity`'s.
    """
    index = validate.nonneg_int("index", index, high=batch.n - 1)
    n = int(batch.lengths[index])
    act = gate_activity(model, batch.inputs[index:index + 1, :n])
    return act.y_in[0], act.s[0], relevant_steps(batch)[index, :n]


def storage_profile(model: LSTM1997, batch: SequenceBatch) -> tuple[float, float]:
    """(mean |Δs_c| at relevant steps, mean |Δs_c| at the other steps) over cells and sequences.

    Δs_c(t) = s_c(t) - s_c(t-1) = y^in(t) g(net_c(t)) is what the cell writes at step t. A
    cell that ignores the distractors writes at the relevant steps and (almost) nowhere else.
    Padding after a sequence's end is left out.
    """
    act = gate_activity(model, batch)
    relevant = relevant_steps(batch)
    writes = np.abs(state_jumps(act.s)).mean(axis=2)  # (n, T): |s_c(t) - s_c(t-1)|, s_c(-1) = 0
    return float(writes[relevant & act.valid].mean()), float(writes[~relevant & act.valid].mean())


def mean_where(values: Any, where: Any, valid: Any = None) -> np.ndarray:
    """Per-unit mean of ``values`` (n, T, k) over the steps where ``where`` (n, T) (and ``valid``) hold.

    >>> v = np.arange(8.0).reshape(1, 4, 2)          # unit 0: 0 2 4 6, unit 1: 1 3 5 7
    >>> mean_where(v, np.array([[True, False, True, False]])).tolist()
    [2.0, 3.0]
    """
    v = np.asarray(values, dtype=np.float64)
    w = np.asarray(where, dtype=bool)
    if v.ndim != 3 or w.shape != v.shape[:2]:
        raise ValueError(f"values must be (n, T, k) and where (n, T); got {v.shape} and {w.shape}")
    if valid is not None:
        w = w & np.asarray(valid, dtype=bool)
    if not w.any():
        raise ValueError("no step is selected; nothing to average")
    return v[w].mean(axis=0)


def state_jumps(s: Any) -> np.ndarray:
    """Δs_c(t) = s_c(t) - s_c(t-1) along axis 1 of (n, T, C), with s_c(-1) = 0 (what each step wrote).

    In the 1997 cell this is exactly y^in(t) g(net_c(t)).

    >>> state_jumps(np.array([[[1.0], [1.5], [1.5]]]))[0, :, 0].tolist()
    [1.0, 0.5, 0.0]
    """
    s = np.asarray(s, dtype=np.float64)
    if s.ndim != 3:
        raise ValueError(f"s must have shape (n, T, C); got {s.shape}")
    return np.diff(s, axis=1, prepend=0.0)


def threshold_accuracy(values: Any, labels: Any) -> tuple[float, float]:
    """Best accuracy of one threshold on ``values`` separating two classes, and that threshold.

    Tries both directions (class True above or below). 1.0 means the two classes do not overlap.

    >>> threshold_accuracy([0.1, 0.2, 0.8, 0.9], [False, False, True, True])
    (1.0, 0.5)
    >>> threshold_accuracy([0.1, 0.9, 0.2, 0.8], [False, False, True, True])[0]
    0.75
    """
    v = np.asarray(values, dtype=np.float64).reshape(-1)
    y = np.asarray(labels, dtype=bool).reshape(-1)
    if v.size != y.size or v.size == 0:
        raise ValueError(f"values and labels must be non-empty and of equal size; got {v.size} and {y.size}")
    if y.all() or not y.any():
        raise ValueError("labels must contain both classes")
    order = np.argsort(v, kind="stable")
    v, y = v[order], y[order]
    # split after position i: everything <= v[i] below. True-above accuracy = (False below + True above) / n
    false_below = np.concatenate([[0], np.cumsum(~y)])
    true_above = y.sum() - np.concatenate([[0], np.cumsum(y)])
    acc_up = (false_below + true_above) / v.size
    acc = np.maximum(acc_up, 1.0 - acc_up)
    # only split between distinct values
    cut = np.concatenate([[True], v[1:] != v[:-1], [True]])
    acc = np.where(cut, acc, -1.0)
    best = int(acc.argmax())
    if best == 0:
        thr = v[0] - 1.0
    elif best == v.size:
        thr = v[-1] + 1.0
    else:
        thr = 0.5 * (v[best - 1] + v[best])
    return float(acc[best]), float(thr)


def class_mean_traces(values: Any, labels: Any, valid: Any, n_classes: int) -> np.ndarray:
    """(n_classes, T, k) mean over each class's sequences of ``values`` (n, T, k), valid steps only.

    NaN where a class has no valid step at that time.

    >>> v = np.arange(6.0).reshape(3, 2, 1); valid = np.array([[1, 1], [1, 0], [1, 1]], bool)
    >>> class_mean_traces(v, [0, 0, 1], valid, 2)[:, :, 0].tolist()
    [[1.0, 1.0], [4.0, 5.0]]
    """
    v = np.asarray(values, dtype=np.float64)
    y = np.asarray(labels).reshape(-1)
    ok = np.asarray(valid, dtype=bool)
    if v.ndim != 3 or ok.shape != v.shape[:2] or y.size != v.shape[0]:
        raise ValueError(f"values must be (n, T, k), valid (n, T) and labels (n,); got {v.shape}, {ok.shape}, "
                         f"{y.size}")
    out = np.full((n_classes, v.shape[1], v.shape[2]), np.nan)
    for k in range(n_classes):
        m = ok & (y == k)[:, None]  # (n, T)
        count = m.sum(axis=0)  # (T,)
        total = np.where(m[..., None], v, 0.0).sum(axis=0)  # (T, k)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[k] = np.where(count[:, None] > 0, total / count[:, None], np.nan)
    return out


def phase_steps(batch: SequenceBatch) -> list[tuple[str, np.ndarray]]:
    """The steps at which to read a sequence's state, in order: (name, (n,) step index).

    For each X/Y symbol k (1st, 2nd[, 3rd]): the step just before it and the step of it (its
    write is done); then the last step (the trigger B, where the answer is read).

    >>> b = temporal_order.generate(temporal_order.PAPER_CONFIGS["6a"], n=1, seed=3)
    >>> [(name, int(idx[0])) for name, idx in phase_steps(b)]
    [('before 1st X/Y', 17), ('at 1st X/Y', 18), ('before 2nd X/Y', 49), ('at 2nd X/Y', 50), ('last step (B)', 107)]
    """
    check_task(batch, "6a", "6b")
    ordinal = ("1st", "2nd", "3rd")
    pos = np.asarray(batch.info["positions"])
    out: list[tuple[str, np.ndarray]] = []
    for k in range(pos.shape[1]):
        out.append((f"before {ordinal[k]} X/Y", pos[:, k] - 1))
        out.append((f"at {ordinal[k]} X/Y", pos[:, k].copy()))
    out.append(("last step (B)", np.asarray(batch.lengths) - 1))
    return out


def centroid_accuracy(features: Any, labels: Any, seed: int = 0, test_fraction: float = 0.5) -> float:
    """Held-out accuracy of a nearest-centroid classifier on ``features`` (n, d).

    The sequences are split at random (``seed``): class centroids come from one part, and
    the other part is classified by its nearest centroid (Euclidean). 1/n_classes is chance;
    1.0 means the classes sit in separate regions of feature space.

    >>> x = np.array([[0.0], [0.1], [5.0], [5.1]] * 5); y = np.array([0, 0, 1, 1] * 5)
    >>> centroid_accuracy(x, y)
    1.0
    """
    x = np.asarray(features, dtype=np.float64)
    y = np.asarray(labels).reshape(-1)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2 or x.shape[0] != y.size:
        raise ValueError(f"features must be (n, d) with one label each; got {x.shape} and {y.size} labels")
    test_fraction = validate.probability("test_fraction", test_fraction, low_open=True, high_open=True)
    order = np.random.default_rng(seed).permutation(y.size)
    n_test = int(round(test_fraction * y.size))
    test, train = order[:n_test], order[n_test:]
    classes = np.unique(y)
    if n_test == 0 or any(not np.any(y[train] == k) for k in classes):
        raise ValueError("every class needs sequences on both sides of the split; use more sequences")
    centroids = np.stack([x[train][y[train] == k].mean(axis=0) for k in classes])
    dist = ((x[test][:, None, :] - centroids[None]) ** 2).sum(axis=-1)
    return float((classes[dist.argmin(axis=1)] == y[test]).mean())


@dataclass(frozen=True)
class PhaseSeparation:
    """How well the cell states s_c separate the classes at each phase of a temporal-order sequence."""

    phases: tuple[str, ...]  # phase names, in order (see phase_steps)
    accuracy: np.ndarray  # (phases,) held-out nearest-centroid accuracy of s_c at that phase
    chance: float  # 1 / number of classes
    n_sequences: int  # sequences measured


def phase_separation(states: Any, batch: SequenceBatch, seed: int = 0) -> PhaseSeparation:
    """Nearest-centroid accuracy of the cell states ``states`` (n, T_max, C) at every phase.

    Before the 1st X/Y nothing is known (chance); after the 1st the state can at best tell
    the first symbol (1/2 of the classes of 6a ruled out, accuracy 0.5); after the last X/Y a
    network that stored both symbols *in order* separates all classes.
    """
    check_task(batch, "6a", "6b")
    s = np.asarray(states, dtype=np.float64)
    if s.ndim != 3 or s.shape[:2] != (batch.n, batch.T_max):
        raise ValueError(f"states must be (n, T_max, C) = ({batch.n}, {batch.T_max}, C); got {s.shape}")
    rows = np.arange(batch.n)
    phases = phase_steps(batch)
    acc = np.array([centroid_accuracy(s[rows, idx], batch.info["label"], seed=seed) for _, idx in phases])
    n_classes = 2 ** batch.info["positions"].shape[1]
    return PhaseSeparation(tuple(name for name, _ in phases), acc, 1.0 / n_classes, batch.n)


@dataclass
class EndStateDrift:
    """Cell states of untrained networks at the last step of each sequence.

    ``abs_state[i, c]`` is the median over sequences of |s_c(T)| for network ``seeds[i]`` and cell c;
    ``h_slope[i, c]`` the median of h'(s_c(T)). With error only at the end, the truncated gradient
    of every cell-input and input-gate weight of cell c is proportional to h'(s_c(T)).
    """

    seeds: list[int]
    abs_state: np.ndarray  # (seeds, cells)
    h_slope: np.ndarray  # (seeds, cells)

    @property
    def worst_cell_state(self) -> np.ndarray:
        """Per network: the larger median |s_c(T)| of its cells."""
        return self.abs_state.max(axis=1)

    @property
    def best_cell_slope(self) -> np.ndarray:
        """Per network: the larger median h'(s_c(T)) of its cells (its best-placed cell)."""
        return self.h_slope.max(axis=1)


def end_state_drift(network: str, task_config: Any, seeds: Any, n: int = 64, p: Optional[int] = None,
                    data_seed: int = 1) -> EndStateDrift:
    """Measure the drift of s_c in untrained ``paper_network(network, seed=s, p=p)`` for each seed.

    All networks read the same ``n`` sequences of ``task_config`` (drawn with ``data_seed``).

    >>> d = end_state_drift("3", "3a-T100-N1", seeds=[0, 1], n=8)
    >>> d.abs_state.shape, bool((d.h_slope > 0).all() and (d.h_slope <= 0.5).all())
    ((2, 3), True)
    """
    seeds = list(seeds)
    if not seeds:
        raise ValueError("seeds must be a non-empty list of seeds, e.g. seeds=[0, 1, 2]")
    seeds = [validate.nonneg_int(f"seeds[{i}]", s) for i, s in enumerate(seeds)]
    task, cfg = resolve_config(task_config)
    batch = task.generate(cfg, validate.positive_int("n", n), data_seed)
    last = (np.arange(batch.n), np.asarray(batch.lengths) - 1)
    states, slopes = [], []
    for seed in seeds:
        act = gate_activity(paper_network(network, seed=seed, p=p), batch)
        s_end = act.s[last]  # (n, cells)
        states.append(np.median(np.abs(s_end), axis=0))
        slopes.append(np.median(activations.h_prime(torch.from_numpy(s_end)).numpy(), axis=0))
    return EndStateDrift([int(s) for s in seeds], np.array(states), np.array(slopes))

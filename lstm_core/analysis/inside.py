"""Compute helpers for the gauntlet chapters (the paper's experiments, Sec. 5): live runs and looks inside.

Two jobs, both pure and seeded:

1. **A live paper-protocol run** that fits in a notebook cell: :func:`live_paper_run` trains one
   1997 network on any paper task by the paper's protocol (online: one sequence, one plain
   gradient step, the paper's network, initial weights and learning rate, scissors on) on the
   fast engine (:mod:`lstm_core.training.engines.lstm1997`), stops at the paper's criterion, a sequence budget or a
   wall-clock limit, and returns a :class:`LiveRun` with the learning curve and the trained
   network. It is one trial of what :func:`lstm_core.reproduction.run.run_row` runs many of.
2. **A look inside a trained network**: :func:`gate_activity` runs it over a batch and returns
   every per-step quantity of the memory cells as numpy arrays (y^in, y^out, s_c, y^c, outputs);
   small measuring tools compare them between groups of steps (:func:`mean_where`,
   :func:`threshold_accuracy`, :func:`state_jumps`).

It also holds the arithmetic of "k in a row" criteria (:func:`prob_run`,
:func:`expected_wait_for_run`, :func:`error_rate_for_run`), which explains why a network that
gets 99 % of its sequences right may still take very long to meet ST3 (2000 correct in a row).

Public API (signatures are stable; other chapters import them)
--------------------------------------------------------------

- ``live_paper_run(task_config, network, learning_rate, max_sequences, seed=0, max_seconds=30.0, *,
  p=None, chunk=None, check_every=None, reber_pair=None, stop_at_criterion=True) -> LiveRun``:
  one online training run. ``LiveRun`` has ``errors``, ``correct`` (per training sequence),
  ``checks`` (test-set checks), ``solved``, ``sequences``, ``stopped_by``, ``model``, ``params``.
- ``resolve_config(task_config) -> (task module, config)``: a paper config name or a config object.
- ``running_mean(values, window, full_only=False) -> ndarray``: trailing mean (learning curves).
- ``gate_activity(net, batch) -> GateActivity``: y^in, y^out, g, s_c, y^c and outputs as numpy.
- ``mean_where(values, where, valid=None) -> ndarray``: per-unit mean over the chosen steps.
- ``state_jumps(s) -> ndarray``: Δs_c(t) = s_c(t) - s_c(t-1), with s_c(-1) = 0.
- ``threshold_accuracy(values, labels) -> (accuracy, threshold)``: best one-number split of two classes.
- ``adding_marked_steps(batch) -> ndarray``: (n, T_max) bool, the adding problem's two marked steps.
- ``reber_branches(batch) -> ndarray``: (n,) "T" or "P", the embedded string's second symbol.
- ``reber_step_kinds(batch) -> (inside, long_step, inner)``: (n, T_max) bool masks of an embedded
  Reber batch's steps: all real steps, the long-memory step, the inner-grammar steps.
- ``prob_run(error_rate, k)``: P(k correct in a row) = (1 - e)^k.
- ``expected_wait_for_run(error_rate, k)``: mean sequences until the first k correct in a row.
- ``error_rate_for_run(probability, k)``: the e with (1 - e)^k = probability.
- ``trial_error_rates(row_result) -> ndarray``: each trial's wrong / tested on its final test set,
  from one row of ``lstm_core.reproduction.results.load_results()["rows"]``.
- ``end_state_drift(network, task_config, seeds, n=64, p=None, data_seed=1) -> EndStateDrift``: how far
  the cell states of *untrained* paper networks have drifted by the last step, and the slope h' there
  (the factor every truncated gradient to the cell-input and input-gate weights carries).

Paper notation in the arrays of :class:`GateActivity`: ``y_in`` = y^in_j(t), ``y_out`` =
y^out_j(t) (blocks j), ``s`` = s_c(t), ``y_c`` = y^c(t) (cells c), ``outputs`` = y^k(t).

>>> run = live_paper_run("adding-T100", "adding", 0.5, max_sequences=200, seed=0)   # doctest: +SKIP
>>> run.errors.shape, run.stopped_by                                                # doctest: +SKIP
((200,), 'budget')
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Optional, Union

import numpy as np
import torch

from lstm_core.model import activations
from lstm_core.model.networks import LSTM1997, paper_network
from lstm_core.tasks import reber
from lstm_core.tasks.base import SequenceBatch, step_mask
# the live run is one trial of the online driver; re-exported here, where the chapters import it
from lstm_core.training.online import LiveRun, live_paper_run, resolve_config  # noqa: F401

__all__ = [
    "LiveRun",
    "live_paper_run",
    "resolve_config",
    "running_mean",
    "GateActivity",
    "gate_activity",
    "mean_where",
    "state_jumps",
    "threshold_accuracy",
    "adding_marked_steps",
    "reber_branches",
    "reber_step_kinds",
    "prob_run",
    "expected_wait_for_run",
    "error_rate_for_run",
    "trial_error_rates",
    "EndStateDrift",
    "end_state_drift",
]


# ======================================================================================
# A live run of the paper's protocol
# ======================================================================================
def _check_positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive int; got {value!r}")
    return int(value)


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
    window = _check_positive_int("window", window)
    c = np.concatenate([[0.0], np.cumsum(x)])
    i = np.arange(1, x.size + 1)
    lo = np.maximum(0, i - window)
    out = (c[i] - c[lo]) / (i - lo)
    if full_only:
        out[i < window] = np.nan
    return out


# ======================================================================================
# Looking inside a trained network
# ======================================================================================
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
    if not isinstance(net, LSTM1997):
        raise ValueError(f"gate_activity looks inside the 1997 network (LSTM1997); got {type(net).__name__}")
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


def adding_marked_steps(batch: SequenceBatch) -> np.ndarray:
    """(n, T_max) bool: the two marked steps (X1, X2) of each adding-problem sequence."""
    if "marked" not in batch.info:
        raise ValueError(f"expected an adding or multiplication batch with info['marked']; got task {batch.task!r}")
    marked = np.asarray(batch.info["marked"])
    out = np.zeros((batch.n, batch.T_max), dtype=bool)
    rows = np.arange(batch.n)
    out[rows, marked[:, 0]] = True
    out[rows, marked[:, 1]] = True
    return out


def reber_branches(batch: SequenceBatch) -> np.ndarray:
    """(n,) the second symbol of each embedded Reber string ("T" or "P"): what must be remembered."""
    if batch.task != "reber" or "strings" not in batch.info:
        raise ValueError(f"expected a Reber batch with info['strings']; got task {batch.task!r}")
    return np.array([s[1] for s in batch.info["strings"]])


def reber_step_kinds(batch: SequenceBatch) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Three (n, T_max) bool masks of an embedded Reber batch: ``inside``, ``long_step``, ``inner``.

    ``inside``: every real step. ``long_step``: the step whose input is the inner string's E and
    whose target is the remembered T or P (the one prediction that needs the long memory).
    ``inner``: the steps reading the inner Reber string up to (not including) its E, i.e. all
    steps but the first two and the last two. (Steps 0 and 1 and the final step make up the rest.)

    >>> inside, long_step, inner = reber_step_kinds(reber.encode_strings(["BTBTXSETE"]))
    >>> np.flatnonzero(long_step[0]).tolist(), np.flatnonzero(inner[0]).tolist()
    ([6], [2, 3, 4, 5])
    """
    if batch.task != "reber" or "strings" not in batch.info:
        raise ValueError(f"expected a Reber batch with info['strings']; got task {batch.task!r}")
    if not all(reber.is_embedded_reber(str(s)) for s in batch.info["strings"]):
        raise ValueError("reber_step_kinds needs embedded Reber strings (B, T|P, a Reber string, T|P, E)")
    n = batch.n
    rows = np.arange(n)
    inside = step_mask(batch.lengths, batch.T_max)
    long_step = np.zeros((n, batch.T_max), dtype=bool)
    long_step[rows, batch.lengths - 2] = True
    inner = inside.copy()
    inner[:, :2] = False
    inner[rows, batch.lengths - 2] = False
    inner[rows, batch.lengths - 1] = False
    return inside, long_step, inner


# ======================================================================================
# "k correct in a row"
# ======================================================================================
def _check_rate(error_rate: Any) -> float:
    e = float(error_rate)
    if not 0.0 <= e < 1.0:
        raise ValueError(f"error_rate must lie in [0, 1); got {error_rate!r}")
    return e


def prob_run(error_rate: float, k: int) -> float:
    """Probability that ``k`` independent sequences are all correct: (1 - e)^k.

    >>> round(prob_run(0.001, 2000), 4)
    0.1352
    """
    return float((1.0 - _check_rate(error_rate)) ** _check_positive_int("k", k))


def expected_wait_for_run(error_rate: float, k: int) -> float:
    """Mean number of sequences until the first run of ``k`` correct ones, at a fixed error rate e.

    ((1 - e)^-k - 1) / e (the classic waiting time for k successes in a row); k when e = 0;
    ``inf`` when the wait is beyond what a float holds.

    >>> expected_wait_for_run(0.5, 1)     # a fair coin: two tosses on average until the first head
    2.0
    >>> expected_wait_for_run(0.5, 2000)  # 2^2000: longer than any training run, and than a float
    inf
    """
    e = _check_rate(error_rate)
    k = _check_positive_int("k", k)
    if e == 0.0:
        return float(k)
    try:
        return float(math.expm1(-k * math.log1p(-e)) / e)
    except OverflowError:
        return math.inf


def error_rate_for_run(probability: float, k: int) -> float:
    """The per-sequence error rate e at which k in a row happen with ``probability``: 1 - p^(1/k).

    >>> round(error_rate_for_run(0.5, 2000), 6)
    0.000347
    """
    p = float(probability)
    if not 0.0 < p <= 1.0:
        raise ValueError(f"probability must lie in (0, 1]; got {probability!r}")
    return float(-math.expm1(math.log(p) / _check_positive_int("k", k)))


def trial_error_rates(row_result: dict[str, Any]) -> np.ndarray:
    """Each trial's fraction wrong on its final test set, from one row of the shipped results.

    ``row_result`` is ``load_results()["rows"][key]``; trials without a final test are skipped.

    >>> trial_error_rates({"trials": [{"test_wrong": 5, "test_size": 2560}, {"test_wrong": None, "test_size": None}]})
    array([0.00195312])
    """
    trials = row_result.get("trials") if isinstance(row_result, dict) else None
    if not isinstance(trials, list):
        raise ValueError("row_result must be one row of load_results()['rows'] (a dict with a 'trials' list)")
    rates = [t["test_wrong"] / t["test_size"] for t in trials
             if t.get("test_wrong") is not None and t.get("test_size")]
    return np.asarray(rates, dtype=np.float64)


# ======================================================================================
# Internal state drift before learning (Sec. 4 of the paper)
# ======================================================================================


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
    if not seeds or any(isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 0 for s in seeds):
        raise ValueError(f"seeds must be a non-empty list of ints >= 0; got {seeds!r}")
    task, cfg = resolve_config(task_config)
    batch = task.generate(cfg, _check_positive_int("n", n), data_seed)
    last = (np.arange(batch.n), np.asarray(batch.lengths) - 1)
    states, slopes = [], []
    for seed in seeds:
        act = gate_activity(paper_network(network, seed=seed, p=p), batch)
        s_end = act.s[last]  # (n, cells)
        states.append(np.median(np.abs(s_end), axis=0))
        slopes.append(np.median(activations.h_prime(torch.from_numpy(s_end)).numpy(), axis=0))
    return EndStateDrift([int(s) for s in seeds], np.array(states), np.array(slopes))

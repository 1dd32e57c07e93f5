"""Running the reproduced rows as the paper ran them: many trials, online, to the paper's criteria.

A row (:mod:`lstm_core.reproduction.rows`) says what to run; ``run_row(row)`` runs it and returns
a :class:`RowResult`, one :class:`TrialResult` per trial, which :mod:`lstm_core.reproduction.results` stores.

``run_row(row)`` trains all trials of a row together with the online driver
(:mod:`lstm_core.training.online`, on the engine that fits the row's network,
``lstm_core.training.engines``):

- each trial has its own initial weights and its own stream of training sequences (seeds below);
- one sequence, one update by plain gradient descent (the 1997 protocol; no Adam, no clipping,
  no pre-training), the paper's initial weights, gate biases and learning rate, scissors on;
- after every sequence the task's stopping rule is fed (ST3, the 10,000-successive rule of
  Exp. 2, Exp. 5's window), or, for the rows judged on a test set (Exps. 1 and 3), the test set
  is checked every ``check_every`` sequences;
- a trial that meets its rule stops with exactly the weights it had then; it is then measured
  on 2560 fresh test sequences where the paper reports such a test.

Seeds: trial ``k`` of a run with ``seed`` gets initial weights ``paper_network(..., seed=seed *
10_007 + k)`` and its training stream ``numpy.random.default_rng([seed, k, 1])``; the final test
set is ``default_rng([seed, k, 2])``; Reber's train/test string sets are pair ``k // 10`` as in
the paper's "3 train/test pairs x 10 seeds".
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Mapping, Optional

import numpy as np

from lstm_core import validation as validate
from lstm_core.reproduction.rows import Row
from lstm_core.training.online import FINAL_TEST_SIZE, OnlineSetup, TrialRun, run_trials


@dataclass
class TrialResult:
    """One trial of a row."""

    seed: int  # the initial-weight seed of this trial
    solved: bool  # met the paper's stopping criterion within the budget
    sequences: Optional[int]  # training sequences to the criterion, counted as the paper counts them
    sequences_trained: int  # training sequences actually run
    diverged: bool = False  # stopped on a non-finite loss
    st1: Optional[int] = None  # Exp. 3: sequences to ST1 (the misclassification condition alone)
    test_wrong: Optional[int] = None  # wrong of the final test set (2560; Reber: of its 256 + 256 strings)
    test_size: Optional[int] = None  # size of that test set
    test_mean_abs_error: Optional[float] = None  # mean absolute end error on the final test set
    test_mse: Optional[float] = None  # mean squared end error on the final test set


@dataclass
class RowResult:
    """All trials of one row, and a summary to set beside the paper's numbers."""

    row: Row
    trials: list[TrialResult]
    seed: int
    seconds: float
    budget: int  # training sequences allowed per trial in this run
    quick: bool = False  # produced by a reduced run (fewer trials or a smaller budget)
    summary: dict[str, Any] = field(default_factory=dict)
    example_trial: Optional[int] = None  # the trial whose final weights are kept (the first solved one, else 0)
    example_weights: Optional[dict[str, list]] = None  # its parameters, keyed like model.named_parameters()

    def summarize(self) -> dict[str, Any]:
        solved = [t for t in self.trials if t.solved]
        seqs = [t.sequences for t in solved if t.sequences is not None]
        st1 = [t.st1 for t in self.trials if t.st1 is not None]
        wrong = [t.test_wrong for t in solved if t.test_wrong is not None]
        frac = [t.test_wrong / t.test_size for t in solved if t.test_wrong is not None and t.test_size]
        mse = [t.test_mse for t in solved if t.test_mse is not None]
        tested = [t for t in self.trials if t.test_wrong is not None and t.test_size]
        self.summary = {
            "trials": len(self.trials),
            "solved": len(solved),
            "success_rate": 100.0 * len(solved) / max(1, len(self.trials)),
            "diverged": sum(t.diverged for t in self.trials),
            "sequences_mean": float(np.mean(seqs)) if seqs else None,
            "sequences_min": int(min(seqs)) if seqs else None,
            "sequences_max": int(max(seqs)) if seqs else None,
            "st1_mean": float(np.mean(st1)) if st1 else None,
            "test_wrong_mean": float(np.mean(wrong)) if wrong else None,
            "test_fraction_wrong": float(np.mean(frac)) if frac else None,
            "test_mse_mean": float(np.mean(mse)) if mse else None,
            # every trial that did not diverge, solved or not: how well it learned within the budget
            "all_test_fraction_wrong_median": (float(np.median([t.test_wrong / t.test_size for t in tested]))
                                               if tested else None),
            "all_test_size": tested[0].test_size if tested else None,
            "budget": self.budget,
        }
        return self.summary

    def to_dict(self) -> dict[str, Any]:
        return {"row": asdict(self.row), "seed": self.seed, "seconds": self.seconds, "budget": self.budget,
                "quick": self.quick, "example_trial": self.example_trial, "example_weights": self.example_weights,
                "summary": self.summarize(), "trials": [asdict(t) for t in self.trials]}


# ---------------------------------------------------------------------------------------
# Running a row: the online driver (lstm_core.training.online) does the training
# ---------------------------------------------------------------------------------------
def row_setup(row: Row) -> OnlineSetup:
    """What the online driver trains for ``row``."""
    return OnlineSetup(row.task_config, row.network, row.learning_rate, p=row.p, model=row.model, hidden=row.hidden,
                       updates=row.updates, cell_from=row.cell_from, check_every=row.check_every,
                       overrides=row.overrides)


def run_row(row: Row, trials: Optional[int] = None, seed: int = 0, budget: Optional[int] = None,
            progress: bool = True, log: Optional[Callable[[str], None]] = None, *,
            on_trial: Optional[Callable[[int, TrialRun], None]] = None,
            done: Optional[Mapping[int, Any]] = None) -> RowResult:
    """Train ``trials`` networks (default: the row's number) on ``row`` by the paper's protocol.

    The trials run on :func:`lstm_core.training.online.run_trials` (seeds in its docstring).
    ``on_trial(k, trial)`` is called with each trial's ``TrialRun`` as soon as it is finished
    (``trial.record()``: the fields of :class:`TrialResult`; ``trial.weight_lists()``: its
    weights). ``done`` maps trials finished earlier (an interrupted run's checkpoint) to
    ``{"trial": TrialResult fields, "weights": weights keyed like named_parameters()}`` (or to
    a ``TrialRun``); they are not trained again and the others train exactly as they would have.
    """
    n_trials = row.trials if trials is None else validate.positive_int("trials", trials)
    budget = row.budget if budget is None else validate.positive_int("budget", budget)
    done = dict(done or {})
    for k in done:
        validate.nonneg_int("a trial index of done", k, high=n_trials - 1)
    start = time.perf_counter()
    runs = run_trials(row_setup(row), n_trials, budget=budget, seed=seed, skip=set(done), on_trial=on_trial,
                      progress=progress, desc=row.key)
    records, weights = [], []
    for k in range(n_trials):
        if runs[k] is not None:
            records.append(runs[k].record())
            weights.append(runs[k].weights)
        elif isinstance(done[k], TrialRun):
            records.append(done[k].record())
            weights.append(done[k].weights)
        else:
            records.append(dict(done[k]["trial"]))
            weights.append(done[k].get("weights"))
    results = [TrialResult(**r) for r in records]
    result = RowResult(row, results, seed, time.perf_counter() - start, budget,
                       quick=(n_trials != row.trials or budget != row.budget))
    result.example_trial = next((k for k, t in enumerate(results) if t.solved), 0)
    example = weights[result.example_trial]
    result.example_weights = (None if example is None
                              else {name: np.asarray(w).tolist() for name, w in example.items()})
    result.summarize()
    if log is not None:
        s = result.summary
        log(f"{row.key}: {s['solved']}/{s['trials']} solved, mean {s['sequences_mean']} sequences "
            f"(paper {row.paper.sequences_to_success}), {result.seconds:.1f} s")
    return result


def run_checkpointed(row: Row, checkpoint: Any, *, trials: Optional[int] = None, seed: int = 0,
                     budget: Optional[int] = None, progress: bool = True,
                     log: Optional[Callable[[str], None]] = None, label: Optional[str] = None) -> RowResult:
    """``run_row`` with each finished trial appended to ``checkpoint`` (a ``results.Checkpoint``).

    Trials already in the checkpoint (an interrupted earlier run of the same row, seed and budget)
    are not run again; the result, wall time included, is the one an uninterrupted run gives.
    The caller merges the result and then removes the checkpoint.
    """
    n_trials = row.trials if trials is None else trials
    done = {k: line for k, line in checkpoint.load().items() if k < n_trials}
    if done and log is not None:
        log(f"{label or row.key}: resuming, trials {sorted(done)} already done ({checkpoint.path})")
    earlier = max((line["seconds"] for line in done.values()), default=0.0)
    start = time.perf_counter()

    def on_trial(k: int, trial: TrialRun) -> None:
        checkpoint.append(k, trial.record(), trial.weight_lists(), earlier + time.perf_counter() - start)

    result = run_row(row, trials=trials, seed=seed, budget=budget, progress=progress, log=log,
                     on_trial=on_trial, done=done)
    result.seconds = earlier + time.perf_counter() - start
    return result


__all__ = ["TrialResult", "RowResult", "run_row", "run_checkpointed", "row_setup", "FINAL_TEST_SIZE"]

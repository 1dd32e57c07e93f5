"""The long lags, diagnosed: what a 1997 network of a long-lag row does early in training.

A row of the reproduction (``lstm_core.reproduction.rows``) under a reading
(``lstm_core.reproduction.readings``) is trained for a few sequences (trial ``trial`` of the
shipped seed convention, so it *is* the start of that shipped trial) and then measured on a
fresh batch of the row's task:

- **drift**: the median |s_c| at each sequence's last step (worst cell), and the share of all
  steps at which h'(s_c) < 0.1 (h'(0) = 0.5): a cell deep in the flat part of h passes almost
  no error back to its input gate and cell input;
- **gate at the signal**: the mean input-gate activation y^in at the *signal steps* (where the
  information to be stored enters: the marked pair of the adding problem, the x|y symbol at
  step 2 of 2a-2c, the first N elements of experiment 3) divided by its mean elsewhere; 1 means
  the gates do not single out the signal;
- **error at the signal**: mean |dE/dnet_in(t)| at the signal steps, by autograd through the
  network with its scissors as trained (on: the paper's truncated gradient, so this is exactly
  the delta_in the paper's weight update uses), E = 1/2 sum of squared errors at the targets;
- **what the cells know**: the largest |correlation| over cells, across sequences, between s_c at
  the last step and the target (about 1/sqrt(n) by chance for n sequences).

The shipped measurements (:data:`PLAN`, ``python -m lstm_core.analysis.long_lag``) are in
``reproduction/data/diagnosis.json``; :func:`shipped` reads one entry's medians.

>>> d = diagnose("T3-2c-q50-p50", n=16, trials=[0])
>>> d.key, d.sequences, bool(0.0 < d.gate_ratio[0] < 10.0), bool(d.delta_signal[0] > 0.0)
('T3-2c-q50-p50', 0, True, True)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Sequence

import numpy as np
import torch

from lstm_core import validation as validate
from lstm_core.analysis.inside import gate_activity
from lstm_core.analysis.samples import relevant_steps
from lstm_core.model import activations
from lstm_core.tasks.base import SequenceBatch

__all__ = ["FLAT_SLOPE", "N_SEQUENCES", "DATA_SEED", "MEASURES", "PLAN", "signal_steps", "LagDiagnosis", "diagnose",
           "measure", "signal_deltas", "flat_state", "entry_key", "load_diagnosis", "shipped", "to_record", "row_lag",
           "row_N", "task_of", "trained_model"]

FLAT_SLOPE = 0.1  # h'(s_c) below this counts as "flat" (h'(0) = 0.5 for the paper's h)
N_SEQUENCES = 128  # the fresh sequences every measurement reads
DATA_SEED = 7  # their seed (apart from every training, check and test stream of the shipped trials)


def flat_state() -> float:
    """|s| beyond which h'(s) < FLAT_SLOPE for the paper's h(x) = 2 sigma(x) - 1 (h' = 2 sigma (1 - sigma)).

    >>> round(flat_state(), 3)
    2.887
    """
    sigma = (1 + np.sqrt(1 - 2 * FLAT_SLOPE)) / 2
    return float(np.log(sigma / (1 - sigma)))


def signal_steps(batch: SequenceBatch, N: int = 1) -> np.ndarray:
    """(n, T_max) bool: the steps at which the information to be stored enters.

    Adding and multiplication: the two marked steps; 2a, 2b, 2c: step 2 (index 1, the x|y
    symbol after b / the first symbol's successor); experiment 3: the first ``N`` steps.
    """
    task = batch.task
    mask = np.zeros((batch.n, batch.T_max), dtype=bool)
    if task in ("adding", "multiplication", "6a", "6b"):
        return relevant_steps(batch)
    if task in ("2a", "2b", "2c"):
        mask[:, 1] = True
        return mask
    if task in ("3a", "3b", "3c"):
        mask[:, :validate.positive_int("N", N)] = True
        return mask
    raise ValueError(f"signal_steps knows the adding, multiplication, experiment 2, 3 and 6 tasks; "
                     f"got task {task!r}")


def signal_deltas(model: torch.nn.Module, batch: SequenceBatch) -> np.ndarray:
    """(n, T_max, blocks) dE/dnet_in(t) by autograd, E = 1/2 sum over target steps of squared errors.

    The model keeps its scissors as they are: on (the paper's truncated gradient), the values
    are the delta_in the paper's update uses; off, the full gradient's.
    """
    x = torch.as_tensor(batch.inputs)
    target = torch.as_tensor(batch.targets)
    mask = torch.as_tensor(batch.target_mask).unsqueeze(-1).to(target.dtype)
    with torch.enable_grad():
        trace = model.run(x)
        nets = [s.net_in for s in trace.steps]
        error = 0.5 * (((trace.outputs - target) * mask) ** 2).sum()
        grads = torch.autograd.grad(error, nets, allow_unused=True)
    out = [torch.zeros_like(n) if g is None else g for n, g in zip(nets, grads)]
    return torch.stack(out, dim=1).detach().to(torch.float64).numpy()


@dataclass
class LagDiagnosis:
    """The measurements of :func:`diagnose`, one entry per trial (see the module docstring)."""

    key: str  # the row
    reading: str  # the reading it ran under
    sequences: int  # training sequences before the measurement (0: the initial weights)
    trials: list[int]
    end_state: np.ndarray  # (trials,) median over sequences of |s_c| at the last step, worse cell
    flat_share: np.ndarray  # (trials,) share of (valid step, cell) pairs with h'(s_c) < FLAT_SLOPE
    gate_ratio: np.ndarray  # (trials,) mean y^in at signal steps / mean y^in at the other steps
    delta_signal: np.ndarray  # (trials,) mean |dE/dnet_in| at the signal steps
    delta_other: np.ndarray  # (trials,) mean |dE/dnet_in| at the other valid steps
    correlation: np.ndarray  # (trials,) max over cells of |corr(s_c(last step), target)|
    end_error: np.ndarray  # (trials,) mean absolute output error at the targets
    lag: int = 0  # the row's minimal lag (T, q + 1)

    def median(self, name: str) -> float:
        """The median over trials of one measurement."""
        return float(np.median(getattr(self, name)))


def task_of(key: str) -> tuple[Any, Any]:
    """(task module, config) of row ``key``'s task."""
    from lstm_core.reproduction.rows import get_row
    from lstm_core.training.online import resolve_config
    return resolve_config(get_row(key).task_config)


def row_N(key: str) -> int:
    """How many leading steps carry the signal in row ``key``'s task (experiment 3's N; 1 elsewhere)."""
    return int(getattr(task_of(key)[1], "N", 1))


def row_lag(key: str) -> int:
    """The minimal time lag of a row's task (2c: q + 1; adding, experiment 3: T)."""
    cfg = task_of(key)[1]
    return int(cfg.q) + 1 if hasattr(cfg, "q") else int(cfg.T)


def trained_model(key: str, reading: str = "literal", trial: int = 0, sequences: int = 0) -> torch.nn.Module:
    """The network of trial ``trial`` of row ``key`` under ``reading`` after ``sequences`` training sequences.

    ``sequences=0`` gives its initial weights; otherwise it is trained by the online driver
    exactly as the shipped trial starts (the whole count: the criterion does not stop it).
    """
    from lstm_core.reproduction.readings import apply_reading
    from lstm_core.reproduction.rows import literal_row
    from lstm_core.reproduction.run import row_setup
    from lstm_core.training.online import run_trials, trial_model

    trial = validate.nonneg_int("trial", trial)
    sequences = validate.nonneg_int("sequences", sequences)
    row = apply_reading(literal_row(key), reading)
    if row.model != "lstm1997" or row.network.startswith("2a"):
        raise ValueError(f"row {key}: the diagnosis looks inside the 1997 memory-cell network; "
                         f"{row.network!r} ({row.model}) is not one")
    setup = row_setup(row)
    if sequences == 0:
        return trial_model(setup, trial)  # run seed 0: trial k starts from weights 0 * SEED_STRIDE + k
    runs = run_trials(setup, trial + 1, budget=sequences, skip=range(trial), final_test=False,
                      stop_at_criterion=False)
    return runs[trial].model


def measure(model: torch.nn.Module, batch: SequenceBatch, N: int = 1) -> dict[str, float]:
    """The diagnosis's measurements of one network on one batch (see the module docstring)."""
    act = gate_activity(model, batch)
    valid = act.valid
    last = (np.arange(batch.n), np.asarray(batch.lengths) - 1)
    signal = signal_steps(batch, N) & valid
    other = ~signal & valid
    s_end = act.s[last]  # (n, cells)
    slope = activations.h_prime(torch.from_numpy(act.s)).numpy()  # (n, T, cells)
    flat = (slope < FLAT_SLOPE)[valid].mean()
    y_in = act.y_in.mean(axis=2)  # (n, T): the mean over blocks
    deltas = np.abs(signal_deltas(model, batch)).mean(axis=2)  # (n, T)
    if "clean_target" in batch.info:  # 3c: the noise-free target
        target = np.asarray(batch.info["clean_target"], dtype=float).reshape(batch.n, -1)[:, 0]
    elif "label" in batch.info:  # 2c, experiment 3: the class
        target = np.asarray(batch.info["label"], dtype=float)
    else:  # adding, multiplication: the target at the last step
        target = np.asarray(batch.targets, dtype=float)[last][:, 0]
    corr = []
    for c in range(s_end.shape[1]):
        sd = s_end[:, c].std()
        corr.append(0.0 if sd < 1e-12 or target.std() < 1e-12 else abs(np.corrcoef(s_end[:, c], target)[0, 1]))
    mask = np.asarray(batch.target_mask)
    err = np.abs(act.outputs - np.asarray(batch.targets))[mask].mean()
    return {"end_state": float(np.median(np.abs(s_end), axis=0).max()), "flat_share": float(flat),
            "gate_ratio": float(y_in[signal].mean() / y_in[other].mean()),
            "delta_signal": float(deltas[signal].mean()), "delta_other": float(deltas[other].mean()),
            "correlation": float(max(corr)), "end_error": float(err)}


def diagnose(key: str, reading: str = "literal", sequences: int = 0, trials: Sequence[int] = (0, 1, 2, 3),
             n: int = N_SEQUENCES, data_seed: int = DATA_SEED, batch: Optional[SequenceBatch] = None) -> LagDiagnosis:
    """Measure trials ``trials`` of row ``key`` under ``reading`` after ``sequences`` training sequences.

    Every trial reads the same ``n`` sequences of the row's task (drawn with ``data_seed``), or ``batch``.
    """
    trials = [validate.nonneg_int(f"trials[{i}]", t) for i, t in enumerate(trials)]
    if not trials:
        raise ValueError("trials must name at least one trial, e.g. trials=[0, 1, 2]")
    if batch is None:
        task, cfg = task_of(key)
        batch = task.generate(cfg, validate.positive_int("n", n), data_seed)
    N = row_N(key)
    found = [measure(trained_model(key, reading, t, sequences), batch, N) for t in trials]
    cols = {name: np.array([f[name] for f in found]) for name in found[0]}
    return LagDiagnosis(key, reading, int(sequences), trials, lag=row_lag(key), **cols)


# ---------------------------------------------------------------------------------------
# The shipped diagnosis: python -m lstm_core.analysis.long_lag (writes as it goes)
# ---------------------------------------------------------------------------------------
MEASURES = ("end_state", "flat_share", "gate_ratio", "delta_signal", "delta_other", "correlation", "end_error")

#: What the shipped diagnosis measures: (row, reading, training sequences, trials); each entry once.
PLAN: tuple[tuple[str, str, int, tuple[int, ...]], ...] = (
    *[(k, "literal", 0, (0, 1, 2, 3)) for k in ("T3-2c-q50-p50", "T3-2c-q100-p100", "T7-adding-T100",
                                                 "T7-adding-T500", "T5-3b-T100-N1", "T5-3b-T1000-N1")],
    *[("T3-2c-q100-p100", r, 0, (0, 1, 2, 3)) for r in ("igb-neg", "igb-neg+lr-x2")],  # literal: above
    *[("T3-2c-q100-p100", r, s, (0, 1, 2)) for r in ("literal", "igb-neg", "igb-neg+lr-x2")
      for s in (5_000, 20_000, 60_000)],
    *[(k, r, 20_000, (0, 1, 2)) for k in ("T7-adding-T500", "T5-3b-T1000-N1")
      for r in ("literal", "igb-neg", "ogb-neg", "lr-x0.5", "lr-x2", "full-gradient", "igb-neg+lr-x2")],
)

DIAGNOSIS = "diagnosis.json"


def entry_key(key: str, reading: str, sequences: int) -> str:
    """The name of one measurement in the shipped file: ``row/reading/sequences``."""
    return f"{key}/{reading}/{int(sequences)}"


def load_diagnosis(path: Optional[Any] = None) -> dict[str, Any]:
    """The shipped diagnosis: {"meta": ..., "entries": {entry_key: {measure: [per trial], ...}}}."""
    import json
    from pathlib import Path

    from lstm_core.reproduction.results import results_path
    path = results_path(DIAGNOSIS) if path is None else Path(path)
    if not path.exists():
        return {"meta": {}, "entries": {}}
    return json.loads(path.read_text())


def shipped(key: str, reading: str, sequences: int, data: Optional[dict[str, Any]] = None) -> dict[str, float]:
    """The medians over trials of one shipped entry's measurements: {measure: median}."""
    data = load_diagnosis() if data is None else data
    name = entry_key(key, reading, sequences)
    if name not in data["entries"]:
        raise ValueError(f"the shipped diagnosis has no entry {name!r}; PLAN names what it measures")
    entry = data["entries"][name]
    return {m: float(np.median(entry[m])) for m in MEASURES}


def to_record(d: LagDiagnosis) -> dict[str, Any]:
    """What the shipped file keeps of one :class:`LagDiagnosis`."""
    return {"key": d.key, "reading": d.reading, "sequences": d.sequences, "trials": list(d.trials), "lag": d.lag,
            **{m: [float(v) for v in getattr(d, m)] for m in MEASURES}}


def main(argv: Optional[Sequence[str]] = None) -> int:
    import argparse
    import json
    import time

    from lstm_core.reproduction.results import locked, results_path, write_atomic

    parser = argparse.ArgumentParser(prog="python -m lstm_core.analysis.long_lag",
                                     description="Measure the long-lag rows early in training (PLAN) and ship "
                                                 "the measurements in reproduction/data/diagnosis.json.")
    parser.add_argument("--redo", action="store_true", help="measure again what the file already holds")
    args = parser.parse_args(argv)
    path = results_path(DIAGNOSIS)
    for key, reading, sequences, trials in PLAN:
        name = entry_key(key, reading, sequences)
        if not args.redo and name in load_diagnosis(path)["entries"]:
            continue
        start = time.perf_counter()
        rec = to_record(diagnose(key, reading, sequences, trials))
        rec["seconds"] = round(time.perf_counter() - start, 1)
        with locked(path):
            data = load_diagnosis(path)
            data["entries"][name] = rec
            data["meta"] = {"n": N_SEQUENCES, "data_seed": DATA_SEED, "flat_slope": FLAT_SLOPE}
            write_atomic(path, json.dumps(data, indent=1) + "\n")
        print(f"{name}: {rec['seconds']} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

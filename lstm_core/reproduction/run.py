"""Running the reproduced rows as the paper ran them: many trials, online, to the paper's criteria.

A row (:mod:`lstm_core.reproduction.rows`) says what to run; ``run_row(row)`` runs it and returns
a :class:`RowResult`, one :class:`TrialResult` per trial, which :mod:`lstm_core.reproduction.results` stores.

``run_row(row)`` trains all trials of a row together on the fast engine (``lstm_core.training.engines.lstm1997``; the
2a/2b network on ``lstm_core.training.engines.lstm2a``):

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
from typing import Any, Callable, Optional

import numpy as np
import torch

from lstm_core.training.engines import lstm1997 as fast, lstm2a as fast_2a, rnn as fast_rnn, rtrl as fast_rtrl
from lstm_core.model.networks import LSTM2aConfig, VanillaRNN, paper_network, paper_spec
from lstm_core.reproduction.rows import Row
from lstm_core.tasks import get_task, paper_config
from lstm_core.tasks import long_lag, reber
from lstm_core.tasks.base import SequenceBatch, StoppingRule, SuccessiveCorrect, TestSetRule, concat_batches

FINAL_TEST_SIZE = 2560  # the paper's post-training test set (Exps. 3-6)


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
# Running a row
# ---------------------------------------------------------------------------------------
def _chunk_size(T_mean: float, n_trials: int) -> int:
    """Sequences per trial per kernel call: about 200k steps per trial, at least 10."""
    return int(max(10, min(2000, 200_000 // max(1.0, T_mean))))


def _new_batch(task, cfg, n: int, rng: np.random.Generator, reber_train: Optional[SequenceBatch]) -> SequenceBatch:
    if reber_train is not None:  # Exp. 1 trains on its fixed 256 training strings
        return reber_train.select(rng.integers(0, reber_train.n, size=n))
    if task is long_lag:
        return task.generate(cfg, n, rng, dense=False)  # the fast engine reads info["symbols"]
    return task.generate(cfg, n, rng)


def _dense(task, batch: SequenceBatch) -> SequenceBatch:
    """A batch with its one-hot inputs built (the per-step engine reads dense inputs)."""
    if task is long_lag and batch.inputs.strides[0] == 0:
        n_in = batch.n_inputs
        onehot = np.zeros(batch.inputs.shape, np.float32)
        sym = batch.info["symbols"]
        i, t = np.nonzero(sym >= 0)
        onehot[i, t, sym[i, t]] = 1.0
        return SequenceBatch(onehot, batch.targets, batch.target_mask, batch.lengths, batch.info, batch.task)
    return batch


def _steps(task, batch: SequenceBatch, n_inputs: int) -> Optional[fast.SparseSteps]:
    if task is long_lag:
        return fast.SparseSteps.from_symbols(batch.info["symbols"], batch.lengths, n_inputs)
    return None


def _judge_outputs(out: np.ndarray, k: int, batch: SequenceBatch, task: Any) -> tuple[np.ndarray, np.ndarray]:
    """Per-sequence correct and error of trial k's training outputs, by the task's rule."""
    return task.sequence_correct(out[k, :batch.n], batch), task.sequence_error(out[k, :batch.n], batch)


class _LSTMEngine:
    """The 1997 network on the fast engine: all trials' weights stacked."""

    def __init__(self, row: Row, n_trials: int, seed: int) -> None:
        self.per_step = row.updates == "step"
        models = [paper_network(row.network, seed=seed * 10_007 + k, p=row.p) for k in range(n_trials)]
        ok, why = fast.supports(models[0])
        if not ok:
            raise ValueError(f"row {row.key} cannot use the fast engine: {why}")
        self.params = fast.StackedParams.from_models(models)
        self.n_inputs = self.params.layout.n_inputs
        self.task = None

    def train(self, batches: list, task: Any, lr: float) -> tuple[np.ndarray, set[int]]:
        before = self.params.diverged_at.copy()
        if self.per_step:  # the paper's truncated RTRL, weights changed at every step with error
            dense = [None if b is None else _dense(task, b) for b in batches]
            out = fast_rtrl.train_online_trials(self.params, dense, lr)[0]
            return out, {k for k in range(len(batches)) if before[k] < 0 <= self.params.diverged_at[k]}
        steps = [None if b is None else _steps(task, b, self.n_inputs) for b in batches]
        out = fast.train_online_trials(self.params, batches, lr, steps=steps)
        return out, {k for k in range(len(batches)) if before[k] < 0 <= self.params.diverged_at[k]}

    def snapshot(self) -> Any:
        return self.params.W.copy(), self.params.Wk.copy()

    def restore(self, snap: Any, k: int) -> None:
        self.params.W[k], self.params.Wk[k] = snap[0][k], snap[1][k]

    judge = staticmethod(_judge_outputs)

    def replay(self, k: int, batch: SequenceBatch, task: Any, lr: float) -> None:
        if self.per_step:
            fast_rtrl.train_online(self.params.trial(k), _dense(task, batch), lr)
        else:
            fast.train_online(self.params.trial(k), batch, lr, steps=_steps(task, batch, self.n_inputs))

    def forward(self, k: int, batch: SequenceBatch, task: Any) -> np.ndarray:
        return fast.minibatch_gradients(self.params.trial(k), batch, steps=_steps(task, batch, self.n_inputs))[0]

    def named_weights(self, k: int) -> dict[str, np.ndarray]:
        return self.params.trial(k).named()


class _LSTM2aEngine:
    """The 2a/2b network (``networks.LSTM2a``: one cell, input gate only, connectivity "B") on ``fast_2a``.

    Training returns each sequence's judged error (the largest |t_k - y_k| where
    ``tasks.long_lag.sequence_error`` looks) rather than its outputs: p x (p + 1) outputs per
    sequence would be about 80 kB each.
    """

    def __init__(self, row: Row, n_trials: int, seed: int) -> None:
        if row.updates != "sequence":
            raise ValueError(f"row {row.key}: the 2a/2b engine updates after each sequence; got updates={row.updates!r}")
        models = [paper_network(row.network, seed=seed * 10_007 + k, p=row.p) for k in range(n_trials)]
        self.weights = fast_2a.Weights2a.from_models(models, cell_from=row.cell_from)

    def train(self, batches: list, task: Any, lr: float) -> tuple[np.ndarray, set[int]]:
        before = self.weights.diverged_at.copy()
        errors = fast_2a.train_online_trials(self.weights, batches, lr)
        return errors, {k for k in range(len(batches)) if before[k] < 0 <= self.weights.diverged_at[k]}

    def judge(self, out: np.ndarray, k: int, batch: SequenceBatch, task: Any) -> tuple[np.ndarray, np.ndarray]:
        error = out[k, :batch.n]  # already the judged error of each sequence
        return error < long_lag.ERROR_BOUNDS[batch.task], error

    def snapshot(self) -> Any:
        w = self.weights
        return w.Wh.copy(), w.V.copy(), w.n_seen.copy(), w.diverged_at.copy()

    def restore(self, snap: Any, k: int) -> None:
        w = self.weights
        w.Wh[k], w.V[k], w.n_seen[k], w.diverged_at[k] = snap[0][k], snap[1][k], snap[2][k], snap[3][k]

    def replay(self, k: int, batch: SequenceBatch, task: Any, lr: float) -> None:
        fast_2a.train_online(self.weights.trial(k), batch, lr)

    def forward(self, k: int, batch: SequenceBatch, task: Any) -> np.ndarray:
        return fast_2a.forward(self.weights, batch, k)

    def named_weights(self, k: int) -> dict[str, np.ndarray]:
        return self.weights.named(k)


class _RNNEngine:
    """The vanilla RNN baseline on ``fast_rnn`` (full BPTT)."""

    def __init__(self, row: Row, n_trials: int, seed: int) -> None:
        spec = paper_network(row.network, p=row.p)
        r = spec.config.init_range  # the paper's initial weight range for this task
        models = []
        for k in range(n_trials):
            m = VanillaRNN(spec.n_inputs, row.hidden, spec.n_outputs)
            gen = torch.Generator().manual_seed(seed * 10_007 + k)
            with torch.no_grad():
                for prm in m.parameters():
                    prm.uniform_(-r, r, generator=gen)
            models.append(m)
        self.params = fast_rnn.RNNParams.from_models(models)
        self.diverged: set[int] = set()

    def train(self, batches: list, task: Any, lr: float) -> tuple[np.ndarray, set[int]]:
        batches = [None if k in self.diverged else b for k, b in enumerate(batches)]
        out, failed = fast_rnn.train_online_trials(self.params, batches, lr)
        new = {k for k in range(len(batches)) if failed[k] >= 0}
        self.diverged |= new
        return out, new

    def snapshot(self) -> Any:
        return self.params.copy()

    def restore(self, snap: Any, k: int) -> None:
        self.params.set_trial(k, snap)

    judge = staticmethod(_judge_outputs)

    def replay(self, k: int, batch: SequenceBatch, task: Any, lr: float) -> None:
        self.train([batch if j == k else None for j in range(self.params.n_trials)], task, lr)

    def forward(self, k: int, batch: SequenceBatch, task: Any) -> np.ndarray:
        one = [batch if j == k else None for j in range(self.params.n_trials)]
        return fast_rnn.train_online_trials(self.params, one, 0.0)[0][k, :, :batch.T_max]

    def named_weights(self, k: int) -> dict[str, np.ndarray]:
        p = self.params
        return {"cell.weight_ih": p.W_ih[k], "cell.weight_hh": p.W_hh[k], "cell.bias_ih": p.b_h[k],
                "cell.bias_hh": np.zeros_like(p.b_h[k]), "output_units.weight": p.W_o[k],
                "output_units.bias": p.b_o[k]}


def _engine_class(row: Row) -> type:
    """The engine that trains ``row``'s network: the RNN baseline, the 2a/2b network, or LSTM1997."""
    if row.model == "rnn":
        return _RNNEngine
    if isinstance(paper_spec(row.network, row.p).config, LSTM2aConfig):
        return _LSTM2aEngine
    return _LSTMEngine


def run_row(row: Row, trials: Optional[int] = None, seed: int = 0, budget: Optional[int] = None,
            progress: bool = True, log: Optional[Callable[[str], None]] = None) -> RowResult:
    """Train ``trials`` networks (default: the row's number) on ``row`` by the paper's protocol."""
    n_trials = row.trials if trials is None else trials
    budget = row.budget if budget is None else budget
    if n_trials < 1 or budget < 1:
        raise ValueError(f"trials and budget must be positive, got trials={n_trials}, budget={budget}")
    task, cfg = get_task(paper_config(row.task_config).experiment), paper_config(row.task_config)
    start = time.perf_counter()
    engine = _engine_class(row)(row, n_trials, seed)
    rngs = [np.random.default_rng([seed, k, 1]) for k in range(n_trials)]
    # what each trial's stopping rule judges
    test_rule = isinstance(task.stopping_rule(cfg), TestSetRule)
    rules: list[StoppingRule] = [task.stopping_rule(cfg) for _ in range(n_trials)]
    st1_rules = ([task.stopping_rule(cfg, "ST1") for _ in range(n_trials)]
                 if task.__name__.endswith("noise_signal") else None)
    reber_sets = [reber.make_reber_sets(k // 10, cfg) for k in range(n_trials)] if task is reber else None
    check_sets = []
    if test_rule:
        for k in range(n_trials):
            if reber_sets is not None:  # the train and test strings are judged together
                check_sets.append(concat_batches(*reber_sets[k]))
            else:
                check_sets.append(task.generate(cfg, task.TEST_SET_SIZE, np.random.default_rng([seed, k, 3])))
    probe = _new_batch(task, cfg, 64, np.random.default_rng(0), reber_sets[0][0] if reber_sets else None)
    chunk = row.check_every if test_rule else _chunk_size(float(probe.lengths.mean()), n_trials)
    results = [TrialResult(seed=seed * 10_007 + k, solved=False, sequences=None, sequences_trained=0)
               for k in range(n_trials)]
    active = set(range(n_trials))
    bar = _bar(progress, n_trials * budget, row.key)
    while active:
        batches: dict[int, SequenceBatch] = {}
        for k in sorted(active):
            batches[k] = _new_batch(task, cfg, chunk, rngs[k], reber_sets[k][0] if reber_sets else None)
            n = min(chunk, budget - results[k].sequences_trained)
            if n < chunk:
                batches[k] = batches[k].select(np.arange(n))
        groups: dict[int, list[int]] = {}
        for k, b in batches.items():  # trials near their budget get shorter batches: one call per size
            groups.setdefault(b.n, []).append(k)
        for members in groups.values():
            snap = engine.snapshot()
            out, diverged = engine.train([batches.get(k) if k in members else None for k in range(n_trials)],
                                         task, row.learning_rate)
            for k in members:
                res, batch = results[k], batches[k]
                before = res.sequences_trained
                if k in diverged:
                    res.diverged = True
                    active.discard(k)
                    continue
                res.sequences_trained += batch.n
                bar.update(batch.n)
                if test_rule:
                    test_out = engine.forward(k, check_sets[k], task)
                    correct = task.sequence_correct(test_out, check_sets[k])
                    error = task.sequence_error(test_out, check_sets[k])
                    if st1_rules is not None and st1_rules[k].update(correct, error) and res.st1 is None:
                        res.st1 = res.sequences_trained
                    if rules[k].update(correct, error):
                        res.solved, res.sequences = True, res.sequences_trained
                else:
                    correct, error = engine.judge(out, k, batch, task)
                    if rules[k].update(correct, error):
                        met_in_chunk = rules[k].met_at - before  # 1-based index of the sequence
                        if met_in_chunk < batch.n:  # replay so the weights are those at the criterion
                            engine.restore(snap, k)
                            engine.replay(k, batch.select(np.arange(met_in_chunk)), task, row.learning_rate)
                        res.sequences_trained = rules[k].met_at
                        res.solved = True
                        res.sequences = (rules[k].success_after if isinstance(rules[k], SuccessiveCorrect)
                                         else rules[k].met_at)
                if res.solved or res.sequences_trained >= budget:
                    active.discard(k)
                    bar.update(budget - res.sequences_trained)
    bar.close()
    for k, res in enumerate(results):
        if not res.diverged:
            _final_test(task, cfg, lambda b, k=k: engine.forward(k, b, task), res, seed, k,
                        reber_sets[k] if reber_sets else None)
    result = RowResult(row, results, seed, time.perf_counter() - start, budget,
                       quick=(n_trials != row.trials or budget != row.budget))
    result.example_trial = next((k for k, t in enumerate(results) if t.solved), 0)
    result.example_weights = {name: np.asarray(w).tolist()
                              for name, w in engine.named_weights(result.example_trial).items()}
    result.summarize()
    if log is not None:
        s = result.summary
        log(f"{row.key}: {s['solved']}/{s['trials']} solved, mean {s['sequences_mean']} sequences "
            f"(paper {row.paper.sequences_to_success}), {result.seconds:.1f} s")
    return result


def _final_test(task, cfg, forward: Callable[[SequenceBatch], np.ndarray], res: TrialResult, seed: int, k: int,
                reber_pair: Optional[tuple[SequenceBatch, SequenceBatch]]) -> None:
    """The paper's post-training test: 2560 fresh sequences (Reber: its own train + test strings)."""
    if reber_pair is not None:
        test = concat_batches(*reber_pair)
    else:
        rng = np.random.default_rng([seed, k, 2])
        parts = []
        size = 256 if task is long_lag else FINAL_TEST_SIZE
        for start in range(0, size, 256):
            parts.append(_new_batch(task, cfg, min(256, size - start), rng, None))
        test = parts[0] if len(parts) == 1 else None
        if test is None:  # judge chunk by chunk, then pool
            wrong, abs_err, sq_err, n = 0, 0.0, 0.0, 0
            for part in parts:
                w, a, s = _judge(task, forward, part)
                wrong, abs_err, sq_err, n = wrong + w, abs_err + a, sq_err + s, n + part.n
            res.test_wrong, res.test_size = wrong, n
            res.test_mean_abs_error, res.test_mse = abs_err / n, sq_err / n
            return
    w, a, s = _judge(task, forward, test)
    res.test_wrong, res.test_size = w, test.n
    res.test_mean_abs_error, res.test_mse = a / test.n, s / test.n


def _judge(task, forward: Callable[[SequenceBatch], np.ndarray], batch: SequenceBatch) -> tuple[int, float, float]:
    out = forward(batch)
    wrong = int((~task.sequence_correct(out, batch)).sum())
    idx = np.arange(batch.n), batch.lengths - 1
    diff = out[idx] - batch.targets[idx]
    if "clean_target" in batch.info:  # 3c: judged against the noise-free target
        diff = out[idx] - np.asarray(batch.info["clean_target"]).reshape(batch.n, -1)
    return wrong, float(np.abs(diff).mean(axis=-1).sum()), float((diff ** 2).sum(axis=-1).sum())


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _bar(progress: bool, total: int, desc: str):
    if not progress:
        return _NoBar()
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="seq", desc=desc, leave=False)


__all__ = ["TrialResult", "RowResult", "run_row", "FINAL_TEST_SIZE"]

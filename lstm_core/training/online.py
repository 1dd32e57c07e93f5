"""The one online driver: the paper's protocol for one trial or many, on the fast engines.

Everything that trains by the paper's protocol goes through :func:`run_trials`: the
reproduction's rows (``lstm_core.reproduction.run.run_row``) and every chapter's live run
(:func:`live_paper_run`, the dashboards' "train" buttons). So a chapter's live run with seed k
*is* trial k of the shipped row (run seed 0), sequence for sequence, until its budget or time
limit differs.

The protocol
------------
- one sequence, one plain gradient step (``updates="step"``: a step at every target, truncated
  RTRL), the paper's network, initial weights and learning rate, scissors on (a network with
  them off, ``overrides=(("scissors", False),)``, trains on the full-gradient engine);
- after every sequence the task's stopping rule is fed (ST3, Exp. 2's 10,000 successive
  correct, Exp. 5's window) and, when it is met inside a chunk, the trial is rewound and
  replayed so that it stops with exactly the weights it had at the criterion; rules judged on
  a test set (Exps. 1 and 3) are fed a check of that set every ``check_every`` sequences (and
  at the budget);
- a finished trial (solved, out of budget or time, or diverged: ``engines.base``) is measured
  on a final test set where the paper reports one (``final_test=True``).

Seeds (one convention for rows and live runs)
---------------------------------------------
Trial ``k`` of a run with ``seed`` has initial weights ``seed * 10_007 + k``
(``paper_network(..., seed=...)``; the RNN baseline: ``U[-r, r]`` from ``torch.Generator``
with that seed, r the paper network's initial range), the training stream
``numpy.random.default_rng([seed, k, 1])`` drawn chunk by chunk (the chunk size is fixed by the
task: :func:`chunk_size`), the check set ``default_rng([seed, k, 3])`` and the final test set
``default_rng([seed, k, 2])``; Reber's train/test string sets are pair ``k // 10``.

API
---
``OnlineSetup(task_config, network, learning_rate, p=None, model="lstm1997", hidden=0,
updates="sequence", cell_from=0, check_every=1000, overrides=())``
    what is trained: a paper config name or config object, a paper network name, the rate;
    ``model="rnn"`` trains the vanilla RNN baseline with ``hidden`` units instead.

``run_trials(setup, n_trials, *, budget, seed=0, skip=(), on_trial=None, final_test=True,
curves=False, stop_at_criterion=True, max_seconds=None, chunk=None, reber_pair=None,
threads=None, progress=False, desc="") -> list[TrialRun | None]``
    trains trials ``0..n_trials-1`` except those in ``skip`` (their entries are None), all
    together, each until it meets the criterion or has trained ``budget`` sequences.
    ``on_trial(k, trial)`` is called as soon as trial k is finished (solved, out of budget or
    time, or diverged; after its final test), so a caller can checkpoint trial by trial and,
    after an interruption, rerun with ``skip`` = the finished trials: the others train exactly
    as they would have. ``curves=True`` keeps every training sequence's error and criterion;
    ``stop_at_criterion=False`` trains the whole budget and reports when the rule was met;
    ``max_seconds`` stops every trial after the first round of chunks that ends past it;
    ``chunk`` overrides the chunk size (then the stream is no longer the row's).

``TrialRun``: ``trial``, ``seed`` (initial weights), ``solved``, ``sequences`` (to the
criterion, counted as the paper counts), ``sequences_trained``, ``diverged``, ``message``,
``stopped_by`` ("criterion", "budget", "time", "diverged"), ``st1``, ``test_wrong``,
``test_size``, ``test_mean_abs_error``, ``test_mse``, ``errors``/``correct`` (with ``curves``),
``checks`` ((sequences, wrong) per test-set check), ``check_size``, ``rule_state``,
``seconds``, ``weights`` (keyed like ``model.named_parameters()``), ``params`` (the engine's
one-trial weights), ``model`` (the trained torch network); ``record()`` gives the fields a
results file keeps (``RECORD_FIELDS``), ``weight_lists()`` the weights as JSON lists.

``live_paper_run(task_config, network, learning_rate, max_sequences, seed=0, max_seconds=30.0, *,
p=None, chunk=None, check_every=None, reber_pair=None, stop_at_criterion=True) -> LiveRun``
    one trial (trial ``seed`` of run seed 0) with curves and no final test; ``LiveRun`` is
    ``TrialRun``, ``n_trained`` its sequences trained.

>>> run = live_paper_run("adding-T100", "adding", 0.5, max_sequences=200, seed=0)   # doctest: +SKIP
>>> run.errors.shape, run.stopped_by                                                # doctest: +SKIP
((200,), 'budget')
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Callable, Iterable, Optional

import numpy as np
import torch

from lstm_core import validation as validate
from lstm_core.model.baselines import VanillaRNN
from lstm_core.model.networks import paper_network
from lstm_core.tasks import get_task, long_lag, noise_signal, paper_config, reber
from lstm_core.tasks.base import SequenceBatch, concat_batches
from lstm_core.tasks.stopping import SuccessiveCorrect, TestSetRule
from lstm_core.training.engines import UPDATES, engine_for
from lstm_core.training.engines.base import Engine, check_learning_rate
from lstm_core.training.engines.lstm2a import LSTM2aEngine
from lstm_core.training.threads import use_threads

__all__ = ["FINAL_TEST_SIZE", "RECORD_FIELDS", "MODELS", "OnlineSetup", "TrialRun", "LiveRun", "run_trials",
           "live_paper_run", "resolve_config", "trial_model", "chunk_size", "progress_bar"]

FINAL_TEST_SIZE = 2560  # the paper's post-training test set (Exps. 3-6); 2a-2c: 256
SEED_STRIDE = 10_007  # trial k of a run with seed s starts from weights s * SEED_STRIDE + k
MODELS = ("lstm1997", "rnn")  # the paper's network by name, or the vanilla RNN baseline

#: What a results file keeps of a trial (``TrialRun.record()``).
RECORD_FIELDS = ("seed", "solved", "sequences", "sequences_trained", "diverged", "st1", "test_wrong",
                 "test_size", "test_mean_abs_error", "test_mse")


def resolve_config(task_config: Any) -> tuple[ModuleType, Any]:
    """``(task module, config)`` from a paper config name ("adding-T100") or a config object.

    >>> module, cfg = resolve_config("adding-T100")
    >>> module.__name__.rsplit(".", 1)[-1], cfg.T
    ('adding', 100)
    """
    cfg = paper_config(task_config) if isinstance(task_config, str) else task_config
    experiment = getattr(cfg, "experiment", None)
    if not isinstance(experiment, str):
        raise ValueError(f"task_config must be a paper config name (e.g. 'adding-T100') or a task config "
                         f"object with an .experiment name; got {task_config!r}")
    return get_task(experiment), cfg


@dataclass(frozen=True)
class OnlineSetup:
    """What an online run trains (see the module docstring)."""

    task_config: Any  # a paper config name ("adding-T100") or a task config object
    network: str  # a paper network name (lstm_core.model.networks.paper_network)
    learning_rate: float  # the paper's alpha
    p: Optional[int] = None  # alphabet size for the 2a/2b/2c networks
    model: str = "lstm1997"  # "lstm1997" (the paper's network) or "rnn" (vanilla tanh RNN, full BPTT)
    hidden: int = 0  # hidden units of the "rnn" baseline
    updates: str = "sequence"  # weights change after each "sequence", or at every "step" with error (RTRL)
    cell_from: int = 0  # the 2a/2b network: training sequences before its cell and input gate are added
    check_every: int = 1000  # sequences between test-set checks (tasks judged on a test set)
    overrides: tuple = ()  # ((config field, value), ...): the paper network's config changed (paper_network)

    def __post_init__(self) -> None:
        object.__setattr__(self, "learning_rate", check_learning_rate(self.learning_rate))
        if isinstance(self.overrides, dict):
            object.__setattr__(self, "overrides", tuple(sorted(self.overrides.items())))
        if any(not (isinstance(o, tuple) and len(o) == 2 and isinstance(o[0], str)) for o in self.overrides):
            raise ValueError(f"overrides must be (config field, value) pairs, e.g. (('init_range', 0.1),); "
                             f"got {self.overrides!r}")
        if self.overrides and self.model != "lstm1997":
            raise ValueError(f"overrides change the paper network's config; model {self.model!r} has none")
        validate.choice("model", self.model, MODELS)
        validate.choice("updates", self.updates, UPDATES)
        if self.model == "rnn":
            validate.positive_int("hidden", self.hidden)
        validate.nonneg_int("cell_from", self.cell_from)
        validate.positive_int("check_every", self.check_every)
        resolve_config(self.task_config)


def trial_model(setup: OnlineSetup, init_seed: int) -> torch.nn.Module:
    """The untrained network of a trial with initial-weight seed ``init_seed``."""
    if setup.model == "rnn":
        spec = paper_network(setup.network, p=setup.p)
        r = spec.config.init_range  # the paper's initial weight range for this task
        model = VanillaRNN(spec.n_inputs, setup.hidden, spec.n_outputs)
        gen = torch.Generator().manual_seed(int(init_seed))
        with torch.no_grad():
            for prm in model.parameters():
                prm.uniform_(-r, r, generator=gen)
        return model
    return paper_network(setup.network, seed=int(init_seed), p=setup.p, **dict(setup.overrides))


def chunk_size(task: ModuleType, cfg: Any, check_every: int, train_set: Optional[SequenceBatch] = None) -> int:
    """Sequences per trial per engine call: ``check_every`` for test-set rules, else about 200k steps."""
    if isinstance(task.stopping_rule(cfg), TestSetRule):
        return check_every
    probe = _new_batch(task, cfg, 64, np.random.default_rng(0), train_set)
    return int(max(10, min(2000, 200_000 // max(1.0, float(probe.lengths.mean())))))


@dataclass(eq=False)
class TrialRun:
    """One trial of an online run (see the module docstring)."""

    trial: int  # k: the trial's index in its run
    seed: int  # the initial-weight seed (run seed * 10_007 + k)
    task_config: Any  # the config object trained on
    network: str  # paper network name
    learning_rate: float  # the paper's alpha
    solved: bool = False  # met the paper's stopping criterion
    sequences: Optional[int] = None  # sequences to the criterion, counted as the paper counts them
    sequences_trained: int = 0  # training sequences run (good updates, for a diverged trial)
    diverged: bool = False  # stopped by the divergence policy (engines.base)
    message: str = ""  # what happened if it diverged, and what to change
    stopped_by: str = "budget"  # "criterion", "budget", "time" or "diverged"
    st1: Optional[int] = None  # Exp. 3: sequences to ST1 (the misclassification condition alone)
    test_wrong: Optional[int] = None  # wrong of the final test set
    test_size: Optional[int] = None  # size of that test set
    test_mean_abs_error: Optional[float] = None  # mean absolute end error on the final test set
    test_mse: Optional[float] = None  # mean squared end error on the final test set
    errors: Optional[np.ndarray] = None  # (n,) per-sequence error before each update (curves=True)
    correct: Optional[np.ndarray] = None  # (n,) bool per-sequence criterion before each update (curves=True)
    checks: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), np.int64))  # (sequences, wrong) per check
    check_size: int = 0  # sequences in each check (0 if none)
    rule_state: dict[str, Any] = field(default_factory=dict)  # the stopping rule's last state (e.g. n_wrong)
    seconds: float = 0.0  # wall time from the start of the run to this trial's end
    weights: dict[str, np.ndarray] = field(default_factory=dict)  # trained, keyed like named_parameters()
    params: Any = None  # the engine's one-trial weights (FastParams for the 1997 network)
    model: Optional[torch.nn.Module] = None  # the trained network (torch), ready for run/gate_activity

    @property
    def n_trained(self) -> int:
        """Training sequences run."""
        return int(self.sequences_trained)

    def record(self) -> dict[str, Any]:
        """The fields a results file keeps (``RECORD_FIELDS``), as plain Python values."""
        return {name: getattr(self, name) for name in RECORD_FIELDS}

    def weight_lists(self) -> dict[str, list]:
        """The trained weights as nested lists (for JSON)."""
        return {name: np.asarray(w).tolist() for name, w in self.weights.items()}


LiveRun = TrialRun  # a chapter's live run is one trial of the driver


def _new_batch(task: ModuleType, cfg: Any, n: int, rng: np.random.Generator,
               train_set: Optional[SequenceBatch]) -> SequenceBatch:
    if train_set is not None:  # Exp. 1: random draws from the fixed training strings
        return train_set.select(rng.integers(0, train_set.n, size=n))
    if task is long_lag:
        return task.generate(cfg, n, rng, dense=False)  # the engines read info["symbols"]
    return task.generate(cfg, n, rng)


def _judge(task: ModuleType, forward: Callable[[SequenceBatch], np.ndarray],
           batch: SequenceBatch) -> tuple[int, float, float]:
    out = forward(batch)
    wrong = int((~task.sequence_correct(out, batch)).sum())
    idx = np.arange(batch.n), batch.lengths - 1
    diff = out[idx] - batch.targets[idx]
    if "clean_target" in batch.info:  # 3c: judged against the noise-free target
        diff = out[idx] - np.asarray(batch.info["clean_target"]).reshape(batch.n, -1)
    return wrong, float(np.abs(diff).mean(axis=-1).sum()), float((diff ** 2).sum(axis=-1).sum())


def _final_test(task: ModuleType, cfg: Any, forward: Callable[[SequenceBatch], np.ndarray], res: TrialRun,
                seed: int, reber_pair: Optional[tuple[SequenceBatch, SequenceBatch]]) -> None:
    """The paper's post-training test: 2560 fresh sequences (2a-2c: 256; Reber: its train + test strings)."""
    if reber_pair is not None:
        parts = [concat_batches(*reber_pair)]
    else:
        rng = np.random.default_rng([seed, res.trial, 2])
        size = 256 if task is long_lag else FINAL_TEST_SIZE
        parts = [_new_batch(task, cfg, min(256, size - start), rng, None) for start in range(0, size, 256)]
    wrong, abs_err, sq_err, n = 0, 0.0, 0.0, 0
    for part in parts:  # judged part by part, then pooled
        w, a, s = _judge(task, forward, part)
        wrong, abs_err, sq_err, n = wrong + w, abs_err + a, sq_err + s, n + part.n
    res.test_wrong, res.test_size = wrong, n
    res.test_mean_abs_error, res.test_mse = abs_err / n, sq_err / n


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def progress_bar(progress: bool, total: int, desc: str) -> Any:
    """A tqdm bar of ``total`` sequences, or an object with the same two methods that shows nothing."""
    if not progress:
        return _NoBar()
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="seq", desc=desc, leave=False)


def _build_engine(setup: OnlineSetup, models: list) -> Engine:
    engine_cls = engine_for(models[0], setup.updates)
    if engine_cls is LSTM2aEngine:
        return engine_cls.from_models(models, cell_from=setup.cell_from)
    if setup.cell_from:
        raise ValueError(f"cell_from is for the 2a/2b network only; network {setup.network!r} has no late cell")
    return engine_cls.from_models(models)


def run_trials(setup: OnlineSetup, n_trials: int, *, budget: int, seed: int = 0, skip: Iterable[int] = (),
               on_trial: Optional[Callable[[int, TrialRun], None]] = None, final_test: bool = True,
               curves: bool = False, stop_at_criterion: bool = True, max_seconds: Optional[float] = None,
               chunk: Optional[int] = None, reber_pair: Optional[tuple[SequenceBatch, SequenceBatch]] = None,
               threads: Optional[int] = None, progress: bool = False, desc: str = "") -> list[Optional[TrialRun]]:
    """Train trials ``0..n_trials-1`` (but ``skip``) of ``setup`` by the paper's protocol; see the module docstring."""
    if not isinstance(setup, OnlineSetup):
        raise ValueError(f"setup must be an OnlineSetup; got {type(setup).__name__}")
    n_trials = validate.positive_int("n_trials", n_trials)
    budget = validate.positive_int("budget", budget)
    seed = validate.nonneg_int("seed", seed)
    skip = {validate.nonneg_int("skip entry", k) for k in skip}
    for name, flag in (("final_test", final_test), ("curves", curves), ("stop_at_criterion", stop_at_criterion),
                       ("progress", progress)):
        validate.switch(name, flag)
    max_seconds = validate.positive_real("max_seconds", max_seconds, allow_none=True)
    chunk = validate.positive_int("chunk", chunk, allow_none=True)
    task, cfg = resolve_config(setup.task_config)
    ids = [k for k in range(n_trials) if k not in skip]  # slot j trains trial ids[j]
    out: list[Optional[TrialRun]] = [None] * n_trials
    if not ids:
        return out
    models = [trial_model(setup, seed * SEED_STRIDE + k) for k in ids]
    if models[0].n_inputs != cfg.n_inputs or models[0].n_outputs != cfg.n_outputs:
        raise ValueError(f"network {setup.network!r} has {models[0].n_inputs} inputs and {models[0].n_outputs} "
                         f"outputs; task {cfg.experiment!r} needs {cfg.n_inputs} and {cfg.n_outputs} (wrong network or p?)")
    engine = _build_engine(setup, models)
    lr = setup.learning_rate
    rules = [task.stopping_rule(cfg) for _ in ids]
    test_rule = isinstance(rules[0], TestSetRule)
    st1_rules = [task.stopping_rule(cfg, "ST1") for _ in ids] if task is noise_signal else None
    pairs = None
    if task is reber:
        pairs = [reber.make_reber_sets(k // 10, cfg) if reber_pair is None else reber_pair for k in ids]
    check_sets: list[Optional[SequenceBatch]] = [None] * len(ids)
    if test_rule:
        for j, k in enumerate(ids):
            check_sets[j] = (concat_batches(*pairs[j]) if pairs is not None  # train and test strings together
                             else task.generate(cfg, task.TEST_SET_SIZE, np.random.default_rng([seed, k, 3])))
    every = setup.check_every
    size = chunk if chunk is not None else chunk_size(task, cfg, every, pairs[0][0] if pairs else None)
    rngs = [np.random.default_rng([seed, k, 1]) for k in ids]
    runs = [TrialRun(trial=k, seed=seed * SEED_STRIDE + k, task_config=cfg, network=setup.network, learning_rate=lr,
                     check_size=0 if check_sets[j] is None else check_sets[j].n) for j, k in enumerate(ids)]
    curve: list[tuple[list, list]] = [([], []) for _ in ids]
    checks: list[list[tuple[int, int]]] = [[] for _ in ids]
    next_check = [every] * len(ids)
    active = set(range(len(ids)))
    bar = progress_bar(progress, len(ids) * budget, desc)
    start = time.perf_counter()

    def finish(j: int, why: str) -> None:
        res = runs[j]
        res.stopped_by = why
        active.discard(j)
        bar.update(budget - res.sequences_trained)
        if not stop_at_criterion and rules[j].met:
            res.solved = True
            res.sequences = (rules[j].success_after if isinstance(rules[j], SuccessiveCorrect)
                             else checks[j][rules[j].met_at - 1][0] if test_rule else int(rules[j].met_at))
        if final_test and not res.diverged:
            _final_test(task, cfg, lambda b: engine.forward(j, b), res, seed, pairs[j] if pairs else None)
        if curves:
            res.errors = np.concatenate(curve[j][0]) if curve[j][0] else np.zeros(0)
            res.correct = np.concatenate(curve[j][1]) if curve[j][1] else np.zeros(0, bool)
        res.checks = np.asarray(checks[j], dtype=np.int64).reshape(-1, 2)
        res.rule_state = {k: getattr(rules[j], k) for k in ("n_wrong", "streak", "n_seen") if hasattr(rules[j], k)}
        res.weights, res.params = engine.named(j), engine.trial_params(j)
        res.model = engine.to_model(j, trial_model(setup, res.seed))
        res.seconds = time.perf_counter() - start
        if on_trial is not None:
            on_trial(res.trial, res)

    with use_threads(numba=threads):
        while active:
            batches: dict[int, SequenceBatch] = {}
            for j in sorted(active):
                res = runs[j]
                want = min(size, next_check[j] - res.sequences_trained) if test_rule else size
                batch = _new_batch(task, cfg, want, rngs[j], pairs[j][0] if pairs else None)
                n = min(want, budget - res.sequences_trained)
                batches[j] = batch if n == want else batch.select(np.arange(n))
            groups: dict[int, list[int]] = {}
            for j, b in batches.items():  # trials near their budget get shorter batches: one call per size
                groups.setdefault(b.n, []).append(j)
            for members in groups.values():
                snap = engine.snapshot()
                trained = engine.train([batches.get(j) if j in members else None for j in range(len(ids))], lr)
                for j in members:
                    _after_chunk(j, runs[j], batches[j], trained, snap, engine, task, rules[j],
                                 None if st1_rules is None else st1_rules[j], test_rule, check_sets[j], curves,
                                 curve[j], checks[j], next_check, every, budget, stop_at_criterion, lr, bar, finish)
            if max_seconds is not None and time.perf_counter() - start > max_seconds:
                for j in sorted(active):
                    finish(j, "time")
    bar.close()
    for j, k in enumerate(ids):
        out[k] = runs[j]
    return out


def _after_chunk(j, res, batch, trained, snap, engine, task, rule, st1_rule, test_rule, check_set, curves, curve,
                 checks, next_check, every, budget, stop_at_criterion, lr, bar, finish) -> None:
    """Feed trial j's stopping rule with its chunk (rewinding to an online criterion); finish it if done."""
    before = res.sequences_trained
    if j in trained.diverged:
        res.diverged, res.message = True, engine.divergence_message(j, lr)
        good = int(engine.params.n_seen[j]) - before  # sequences of the chunk whose updates were applied
        if curves and good > 0:
            ok, err = engine.judge(trained, j, batch, task)
            curve[0].append(err[:good])
            curve[1].append(ok[:good])
        res.sequences_trained = before + max(0, good)
        bar.update(max(0, good))
        finish(j, "diverged")
        return
    n = batch.n
    if curves or not test_rule:
        ok, err = engine.judge(trained, j, batch, task)
        if not test_rule and stop_at_criterion and rule.update(ok, err):
            n = int(rule.met_at) - before  # 1-based index of the sequence where the rule was met
            if n < batch.n:  # rewind, then replay so the weights are those at the criterion
                engine.restore(snap, j)
                engine.replay(j, batch.select(np.arange(n)), lr)
            res.solved = True
            res.sequences = rule.success_after if isinstance(rule, SuccessiveCorrect) else int(rule.met_at)
        elif not test_rule and not stop_at_criterion:
            rule.update(ok, err)
        if curves:
            curve[0].append(err[:n])
            curve[1].append(ok[:n])
    res.sequences_trained = before + n
    bar.update(n)
    if test_rule and (res.sequences_trained >= next_check[j] or res.sequences_trained >= budget):
        next_check[j] = res.sequences_trained + every
        out = engine.forward(j, check_set)
        c_ok = np.asarray(task.sequence_correct(out, check_set), dtype=bool)
        c_err = np.asarray(task.sequence_error(out, check_set), dtype=np.float64)
        checks.append((res.sequences_trained, int((~c_ok).sum())))
        if st1_rule is not None and st1_rule.update(c_ok, c_err) and res.st1 is None:
            res.st1 = res.sequences_trained
        if rule.update(c_ok, c_err) and stop_at_criterion and not res.solved:
            res.solved, res.sequences = True, res.sequences_trained
    if res.solved:
        finish(j, "criterion")
    elif res.sequences_trained >= budget:
        finish(j, "budget")


def live_paper_run(task_config: Any, network: str, learning_rate: float, max_sequences: int,
                   seed: int = 0, max_seconds: Optional[float] = 30.0, *, p: Optional[int] = None,
                   chunk: Optional[int] = None, check_every: Optional[int] = None,
                   reber_pair: Optional[tuple[SequenceBatch, SequenceBatch]] = None,
                   stop_at_criterion: bool = True) -> LiveRun:
    """One trial of the paper's protocol for a notebook cell: trial ``seed`` of the row (run seed 0).

    Args:
        task_config: a paper config name ("adding-T100", "reber", "6a", ...) or a config object
            (e.g. ``AddingConfig(T=30)`` for a shorter live run).
        network: a paper network name ("adding", "reber-3x2", "6a", ...).
        learning_rate: the paper's alpha (one plain gradient step per sequence).
        max_sequences: the budget of training sequences.
        seed: the trial k: initial weights ``paper_network(..., seed=k)``, training stream
            ``default_rng([0, k, 1])``, Exp. 3 check set ``default_rng([0, k, 3])``, Reber pair
            ``k // 10``: trial k of the reproduction's row, as long as budget and time allow.
        max_seconds: stop after the first chunk that ends past this wall-clock time; ``None`` or
            ``math.inf``: no time limit (the run is then the same on any machine).
        p: alphabet size for the 2a/2b/2c networks.
        chunk: sequences per engine call (default: the row's, see :func:`chunk_size`; another
            chunk draws the training stream differently).
        check_every: sequences between test-set checks (Reber, Exp. 3); default 500.
        reber_pair: Exp. 1's (training, test) string sets; default pair ``seed // 10``.
        stop_at_criterion: stop when the paper's criterion is met (False: train the whole budget).

    Returns the trial's :class:`TrialRun` with its curves (``errors``, ``correct``), its checks,
    ``stopped_by`` and the trained ``model`` and ``params``; no final test is run.
    """
    k = validate.nonneg_int("seed", seed)
    if max_seconds is not None and not isinstance(max_seconds, bool) and max_seconds == math.inf:
        max_seconds = None  # no time limit
    setup = OnlineSetup(task_config, network, learning_rate, p=p, check_every=500 if check_every is None else check_every)
    run = run_trials(setup, k + 1, budget=validate.positive_int("max_sequences", max_sequences), seed=0,
                     skip=range(k), final_test=False, curves=True, stop_at_criterion=stop_at_criterion,
                     max_seconds=validate.positive_real("max_seconds", max_seconds, allow_none=True), chunk=chunk,
                     reber_pair=reber_pair)[k]
    return run

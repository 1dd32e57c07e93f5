"""Training loops: the paper's online protocol and a minibatch mode, with one readable loop.

``fit(model, "adding", TrainConfig(learning_rate=0.5))`` trains any model of ``networks`` on
fresh sequences of a paper task and returns a :class:`History`.

- **The paper's protocol** (``batch_size=1``, ``optimizer="sgd"``): one sequence, then one
  weight update by plain gradient descent, activations reset before every sequence, error
  only where the task's ``target_mask`` puts it. The loss of one sequence is
  E/2 = 1/2 sum_t sum_k (y_k(t) - t_k(t))^2: the paper's E with its factor 2 moved into the
  learning rate alpha (App. A.1), so ``learning_rate`` *is* the paper's alpha.
- **Minibatch mode** (``batch_size > 1``; optionally ``optimizer="adam"``): what the chapters
  use for quick live runs. It is not the paper's protocol, and histories say so.

This loop uses autograd on the readable model: it is the reference, and it trains any model.
For many long paper-protocol runs of the 1997 network, ``lstm_core.training.engines.lstm1997`` computes the same
gradients without a step-by-step autograd graph (see ``lstm_core.reproduction.run``).

A run that diverges (non-finite loss or weights) stops at once with a message that says what
to change, in ``History.message`` and as a warning; it never plots NaNs silently.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Callable, Iterator, Optional

import numpy as np
import torch
from torch import nn

from lstm_core import tasks as tasks_pkg
from lstm_core.tasks.base import SequenceBatch, concat_batches
from lstm_core.tasks.stopping import StoppingRule, TestSetRule

OPTIMIZERS = ("sgd", "adam")


@dataclass(frozen=True)
class TrainConfig:
    """How to train (the task and model are given separately)."""

    learning_rate: float  # alpha: step size of gradient descent on E/2 per sequence (paper's alpha)
    max_sequences: int = 10_000  # budget: stop after this many training sequences
    batch_size: int = 1  # sequences per weight update; 1 = the paper's online protocol
    optimizer: str = "sgd"  # "sgd" = plain gradient descent (the paper's); "adam" = minibatch mode only
    log_every: int = 100  # training sequences per history record
    test_every: int = 1000  # sequences between test-set checks, for tasks judged on a test set (Exps. 1, 3)
    seed: int = 0  # seed of the training-data stream
    max_seconds: Optional[float] = None  # wall-clock budget (for live runs in chapters); None = no limit
    progress: bool = True  # show a tqdm progress bar

    def __post_init__(self) -> None:
        if not (isinstance(self.learning_rate, (int, float)) and np.isfinite(self.learning_rate)
                and self.learning_rate > 0):
            raise ValueError(f"learning_rate must be a positive number, got {self.learning_rate!r}")
        for name in ("max_sequences", "batch_size", "log_every", "test_every"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {self.optimizer!r}")
        if self.max_seconds is not None and not self.max_seconds > 0:
            raise ValueError(f"max_seconds must be positive or None, got {self.max_seconds!r}")

    @property
    def is_paper_protocol(self) -> bool:
        """One sequence per update, plain gradient descent: the 1997 protocol."""
        return self.batch_size == 1 and self.optimizer == "sgd"


@dataclass
class History:
    """What a training run did. Lists have one entry per ``log_every`` sequences."""

    sequences: list[int] = field(default_factory=list)  # training sequences seen at each record
    loss: list[float] = field(default_factory=list)  # mean E/2 per sequence since the last record
    error: list[float] = field(default_factory=list)  # mean task error per sequence (the task's own measure)
    accuracy: list[float] = field(default_factory=list)  # fraction of sequences correct since the last record
    solved_at: Optional[int] = None  # sequences seen when the task's stopping rule was met; None if never
    diverged: bool = False  # the run stopped on a non-finite loss or weight
    message: str = ""  # why the run stopped, for people
    seconds: float = 0.0  # wall time
    protocol: str = ""  # "paper (online, plain gradient descent)" or a description of the minibatch mode

    @property
    def n_sequences(self) -> int:
        return self.sequences[-1] if self.sequences else 0

    def as_arrays(self) -> dict[str, np.ndarray]:
        return {k: np.asarray(getattr(self, k)) for k in ("sequences", "loss", "error", "accuracy")}


def sequence_loss(outputs: torch.Tensor, targets: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """E/2 per sequence: 1/2 sum over masked steps t and outputs k of (y_k(t) - t_k(t))^2 -> (batch,)."""
    sq = (outputs - targets) ** 2 * mask.unsqueeze(-1)
    return 0.5 * sq.sum(dim=(1, 2))


def as_tensors(batch: SequenceBatch, dtype: torch.dtype = torch.float32) -> tuple[torch.Tensor, ...]:
    """(inputs, targets, mask) of a batch as torch tensors."""
    return (torch.as_tensor(batch.inputs, dtype=dtype), torch.as_tensor(batch.targets, dtype=dtype),
            torch.as_tensor(batch.target_mask, dtype=dtype))


@torch.no_grad()
def predict(model: nn.Module, batch: SequenceBatch, chunk: int = 256) -> np.ndarray:
    """Model outputs for a whole batch, (n, T_max, n_out), computed in chunks without gradients."""
    dtype = next(model.parameters()).dtype
    outs = []
    for start in range(0, batch.n, chunk):
        x = torch.as_tensor(batch.inputs[start:start + chunk], dtype=dtype)
        outs.append(model(x)[0].numpy())
    return np.concatenate(outs).astype(np.float64)


def resolve_task(task: str | ModuleType, task_config: Any = None) -> tuple[ModuleType, Any]:
    """A task module and its config from names: ("adding", None) -> (adding, the T=100 row)."""
    name = task if isinstance(task, str) else None
    module = tasks_pkg.get_task(task) if isinstance(task, str) else task
    if task_config is None:
        if name is None:
            raise ValueError("give task_config when the task is a module, or name the task, e.g. 'adding'")
        task_config = tasks_pkg.paper_config(name)
    elif isinstance(task_config, str):
        task_config = tasks_pkg.paper_config(task_config)
    return module, task_config


def training_batches(task: ModuleType, task_config: Any, batch_size: int, seed: int) -> Iterator[SequenceBatch]:
    """The stream of training batches: fresh sequences, or draws from the fixed Reber training set."""
    rng = np.random.default_rng(seed)
    if task is tasks_pkg.reber:  # Exp. 1 trains on a fixed set of 256 strings
        train_set, _ = task.make_reber_sets(seed, task_config)
        while True:
            yield train_set.select(rng.integers(0, train_set.n, size=batch_size))
    while True:
        yield task.generate(task_config, batch_size, rng)


def test_set(task: ModuleType, task_config: Any, seed: int) -> SequenceBatch:
    """The set a ``TestSetRule`` judges: Reber's train + test strings, or 256 fresh test sequences."""
    if task is tasks_pkg.reber:
        train_set, test = task.make_reber_sets(seed, task_config)
        idx = np.arange(train_set.n + test.n)
        return concat_batches(train_set, test).select(idx)
    return task.generate(task_config, getattr(task, "TEST_SET_SIZE", 256), np.random.default_rng(seed + 1_000_003))


def divergence_message(n_seen: int, config: TrainConfig, what: str) -> str:
    return (f"training diverged after {n_seen} sequences ({what}). Lower the learning rate "
            f"(now {config.learning_rate:g}; try {config.learning_rate / 10:g}), or, in minibatch mode, "
            f"use a smaller batch or optimizer='sgd'.")


def fit(
    model: nn.Module,
    task: str | ModuleType,
    config: TrainConfig,
    task_config: Any = None,
    stopping_rule: Optional[StoppingRule] | bool = True,
    callback: Optional[Callable[[History], None]] = None,
) -> History:
    """Train ``model`` on ``task`` (a name such as "adding" or a task module) and return the history.

    ``task_config`` is a config object or a paper row name ("adding-T500"); default: the task's
    default row. ``stopping_rule=True`` uses the task's own (the paper's), ``False`` trains for
    the whole budget, or pass a rule. ``callback(history)`` runs at every record.
    """
    module, task_config = resolve_task(task, task_config)
    if getattr(model, "n_inputs", None) is not None:
        probe = module.generate(task_config, 1, 0)
        if (model.n_inputs, model.n_outputs) != (probe.n_inputs, probe.n_outputs):
            raise ValueError(f"the model has {model.n_inputs} inputs and {model.n_outputs} outputs but the task "
                             f"needs {probe.n_inputs} and {probe.n_outputs}")
    rule = module.stopping_rule(task_config) if stopping_rule is True else (stopping_rule or None)
    test = test_set(module, task_config, config.seed) if isinstance(rule, TestSetRule) else None
    params = [p for p in model.parameters() if p.requires_grad]
    dtype = params[0].dtype
    opt = (torch.optim.SGD(params, lr=config.learning_rate) if config.optimizer == "sgd"
           else torch.optim.Adam(params, lr=config.learning_rate))
    history = History(protocol="paper (online, plain gradient descent)" if config.is_paper_protocol
                      else f"minibatch (batch {config.batch_size}, {config.optimizer}) - not the paper's protocol")
    window: dict[str, list] = {"loss": [], "error": [], "correct": []}
    n_seen, next_log, next_test = 0, config.log_every, config.test_every
    start = time.perf_counter()
    bar = _progress(config)
    stream = training_batches(module, task_config, config.batch_size, config.seed)
    model.train()
    while n_seen < config.max_sequences:
        batch = next(stream)
        x, y, m = as_tensors(batch, dtype)
        outputs, _ = model(x)
        losses = sequence_loss(outputs, y, m)
        loss = losses.mean()  # batch 1: E/2 of the one sequence; batches: the mean per sequence
        if not torch.isfinite(loss):
            history.diverged, history.message = True, divergence_message(n_seen, config, f"loss = {loss.item()}")
            break
        opt.zero_grad()
        loss.backward()
        opt.step()
        if not all(torch.isfinite(p).all() for p in params):
            history.diverged, history.message = True, divergence_message(n_seen, config, "a weight became non-finite")
            break
        out_np = outputs.detach().numpy()
        correct = module.sequence_correct(out_np, batch)
        error = module.sequence_error(out_np, batch)
        window["loss"].extend(losses.detach().tolist())
        window["error"].extend(np.asarray(error).tolist())
        window["correct"].extend(np.asarray(correct).tolist())
        n_seen += batch.n
        bar.update(batch.n)
        if rule is not None and not isinstance(rule, TestSetRule) and rule.update(correct, error):
            history.solved_at = rule.met_at  # fed once per sequence, so exact within a minibatch
        if test is not None and n_seen >= next_test:
            next_test += config.test_every
            test_out = predict(model, test)
            if rule.update(module.sequence_correct(test_out, test), module.sequence_error(test_out, test)):
                history.solved_at = n_seen
        if n_seen >= next_log or history.solved_at is not None:
            next_log += config.log_every
            _record(history, window, n_seen)
            if callback is not None:
                callback(history)
        if history.solved_at is not None:
            history.message = f"solved: the paper's stopping criterion was met after {history.solved_at} sequences"
            break
        if config.max_seconds is not None and time.perf_counter() - start > config.max_seconds:
            history.message = f"stopped at the time budget ({config.max_seconds:g} s) after {n_seen} sequences"
            break
    else:
        history.message = f"budget of {config.max_sequences} sequences used up without meeting the stopping criterion"
    bar.close()
    if window["loss"]:
        _record(history, window, n_seen)
    history.seconds = time.perf_counter() - start
    if history.diverged:
        warnings.warn(history.message, RuntimeWarning, stacklevel=2)
    elif not history.message:
        history.message = f"trained on {n_seen} sequences"
    return history


def _record(history: History, window: dict[str, list], n_seen: int) -> None:
    history.sequences.append(n_seen)
    history.loss.append(float(np.mean(window["loss"])))
    history.error.append(float(np.mean(window["error"])))
    history.accuracy.append(float(np.mean(window["correct"])))
    for v in window.values():
        v.clear()


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(config: TrainConfig):
    if not config.progress:
        return _NoBar()
    from tqdm.auto import tqdm

    return tqdm(total=config.max_sequences, unit="seq", leave=False)

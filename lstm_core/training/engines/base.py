"""The one interface every fast engine offers, and the rules they share.

An engine trains ``K`` independent networks of one kind (the trials of a row) by the paper's
online protocol: one sequence, one plain gradient step (or, for ``rtrl``, a step at every
target). Every engine follows the same conventions:

- **Parameters in, built from models.** ``Engine.from_models(models)`` copies the torch
  models' weights into a float64 *container* with a leading trial axis; the engine refuses a
  model it cannot train exactly (``Engine.supports(model) -> (ok, why)``). Each container
  (``StackedParams``, ``Weights2a``, ``RNNParams``) has ``n_trials``, ``n_seen[k]`` (sequences
  trial k trained on), ``diverged_at[k]`` (-1, or the 1-based sequence where it diverged),
  ``diverged_how[k]`` (a :data:`DIVERGED` code), ``named(k)`` (trial k's weights keyed like
  ``model.named_parameters()``) and ``to_model(model, k)``.
- **Trained parameters and per-sequence results out.** ``engine.train(batches, learning_rate)``
  trains trial k on ``batches[k]`` (None: leave it) in place and returns a :class:`Trained`:
  the outputs each sequence produced before its own update (or, where outputs would be too
  big, each sequence's judged error) and the trials that diverged in this call.
  ``engine.judge(trained, k, batch, task)`` turns them into the task's per-sequence
  ``(correct, error)``; ``engine.forward(k, batch)`` gives outputs without training.
- **One divergence policy** (:func:`check_divergence`): a trial has diverged when a loss or an
  error signal of a sequence is not finite (found before that sequence's update is written:
  the trial keeps the weights it had before it), or when after a call some weight has
  |w| > :data:`MAX_ABS_WEIGHT` (its units are saturated: f'(net) is ~0, so no error flows and
  learning has stopped). A diverged trial is skipped from then on;
  :func:`divergence_message` says what happened and what to change.
- **One rule for learning rates**: ``lstm_core.validation.learning_rate`` (finite, positive,
  not a bool), applied by every engine through :func:`check_learning_rate`.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import Any, ClassVar, Optional, Sequence

import numpy as np

from lstm_core import validation as validate
from lstm_core.tasks.base import SequenceBatch

__all__ = [
    "MAX_ABS_WEIGHT", "DIVERGED", "Trained", "Engine", "check_learning_rate", "trial_counters",
    "check_array", "check_batch", "check_divergence", "divergence_message", "select_batches",
]

#: A weight beyond this size means the run has diverged (its units are saturated).
MAX_ABS_WEIGHT = 1e6

#: Codes of ``diverged_how``: why a trial stopped.
DIVERGED = {0: "healthy", 1: "not finite", 2: "weights too large"}


def check_learning_rate(learning_rate: Any) -> float:
    """The one learning-rate rule (``lstm_core.validation.learning_rate``): a finite positive real."""
    return validate.learning_rate("learning_rate", learning_rate)


def trial_counters(n_seen: Any, diverged_at: Any, k: int,
                   diverged_how: Any = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-trial bookkeeping of ``k`` trials: sequences seen (0), divergence step (-1) and code (0)."""
    n_seen = np.zeros(k, np.int64) if n_seen is None else np.asarray(n_seen, np.int64)
    diverged_at = np.full(k, -1, np.int64) if diverged_at is None else np.asarray(diverged_at, np.int64)
    diverged_how = (np.where(diverged_at >= 0, 1, 0).astype(np.int8) if diverged_how is None
                    else np.asarray(diverged_how, np.int8))
    for name, arr in (("n_seen", n_seen), ("diverged_at", diverged_at), ("diverged_how", diverged_how)):
        if arr.shape != (k,):
            raise ValueError(f"{name} must have shape ({k},) (one entry per trial); got {arr.shape}")
    return n_seen, diverged_at, diverged_how


def check_array(name: str, value: Any, shape: tuple[int, ...]) -> np.ndarray:
    """``value`` if it is a C-contiguous float64 array of ``shape`` (the kernels update it in place)."""
    arr = np.asarray(value)
    if arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape}; got {arr.shape}")
    if arr.dtype != np.float64 or not arr.flags.c_contiguous:
        raise ValueError(f"{name} must be a C-contiguous float64 array (the kernels update it in place); "
                         f"got {arr.dtype}, contiguous={arr.flags.c_contiguous}")
    return arr


def check_batch(batch: Any, n_inputs: int, n_outputs: int, what: str = "batch") -> SequenceBatch:
    """``batch`` if it is a SequenceBatch of this many inputs and outputs with finite masked targets."""
    if not isinstance(batch, SequenceBatch):
        raise ValueError(f"{what} must be a SequenceBatch; got {type(batch).__name__}")
    if batch.n_inputs != n_inputs or batch.n_outputs != n_outputs:
        raise ValueError(f"{what} has {batch.n_inputs} inputs and {batch.n_outputs} outputs per step; "
                         f"the network expects {n_inputs} and {n_outputs}")
    if not np.isfinite(batch.targets[batch.target_mask]).all():
        raise ValueError(f"{what} contains NaN or inf in its masked targets")
    return batch


def select_batches(batches: Sequence[Optional[SequenceBatch]], n_trials: int, n_inputs: int,
                   n_outputs: int) -> tuple[list[int], int]:
    """The trials that have a batch, and their common number of sequences; checks every batch."""
    if len(batches) != n_trials:
        raise ValueError(f"need one batch (or None) per trial: {n_trials} trials, got {len(batches)} batches")
    given = [k for k, b in enumerate(batches) if b is not None]
    if not given:
        raise ValueError("every batch is None: nothing to train")
    for k in given:
        check_batch(batches[k], n_inputs, n_outputs, f"batches[{k}]")
    sizes = [batches[k].n for k in given]
    if any(n != sizes[0] for n in sizes):
        raise ValueError(f"every batch must hold the same number of sequences; got {sizes}")
    return given, sizes[0]


def check_divergence(container: Any, trials: Sequence[int], failed: np.ndarray, n: int,
                     weights: Sequence[np.ndarray]) -> list[int]:
    """Apply the divergence policy after a training call; returns the trials that diverged in it.

    ``failed[k]`` is -1 or the 0-based index of the sequence of the call whose loss or deltas
    were not finite (not applied); ``n`` is the number of sequences in the call; ``weights`` are
    the container's weight arrays (leading trial axis). Updates ``n_seen``, ``diverged_at``
    and ``diverged_how`` of the trials in ``trials``.
    """
    new = []
    for k in trials:
        if failed[k] >= 0:
            container.diverged_at[k] = container.n_seen[k] + failed[k] + 1
            container.diverged_how[k] = 1
            container.n_seen[k] += failed[k]
            new.append(k)
            continue
        container.n_seen[k] += n
        if max(float(np.abs(w[k]).max(initial=0.0)) for w in weights) > MAX_ABS_WEIGHT:
            container.diverged_at[k] = container.n_seen[k]
            container.diverged_how[k] = 2
            new.append(k)
    return new


def divergence_message(container: Any, k: int, learning_rate: Optional[float] = None) -> str:
    """What happened to diverged trial ``k`` and what to change.

    >>> from types import SimpleNamespace as NS
    >>> divergence_message(NS(diverged_at=[12], diverged_how=[1]), 0, 0.5)
    'training diverged at sequence 12: its loss or an error signal was not finite (NaN or inf). Lower the learning rate (now 0.5; try 0.05).'
    """
    at, how = int(container.diverged_at[k]), int(container.diverged_how[k])
    lr = "" if learning_rate is None else f" (now {learning_rate:g}; try {learning_rate / 10:g})"
    if how == 2:
        return (f"training diverged by sequence {at} (weights are checked after every call of the engine): a "
                f"weight had grown beyond |w| = {MAX_ABS_WEIGHT:g}, so its units are saturated (f'(net) is about "
                f"0) and no error flows through them. Lower the learning rate{lr}.")
    return (f"training diverged at sequence {at}: its loss or an error signal was not finite (NaN or inf). "
            f"Lower the learning rate{lr}.")


@dataclass
class Trained:
    """What one ``Engine.train`` call returns (outputs or errors of the trials that had a batch)."""

    outputs: Optional[np.ndarray] = None  # (K, n, T_max, n_out) before each sequence's update; NaN if skipped
    errors: Optional[np.ndarray] = None  # (K, n) judged error per sequence, for engines that judge inside
    diverged: list[int] = field(default_factory=list)  # trials that diverged in this call


class Engine(abc.ABC):
    """Trains the trials of one network kind; see the module docstring for the conventions.

    Subclasses set ``name`` and implement ``supports``, ``from_models``, ``_train`` and
    ``forward``; snapshots, replays and the default judging are shared.
    """

    name: ClassVar[str] = ""
    params: Any  # the float64 container of every trial's weights (leading trial axis)

    # ---- what subclasses provide --------------------------------------------------------
    @staticmethod
    @abc.abstractmethod
    def supports(model: Any) -> tuple[bool, str]:
        """``(True, "")`` if this engine trains ``model`` exactly, else ``(False, why)``."""

    @classmethod
    @abc.abstractmethod
    def from_models(cls, models: Sequence[Any], **options: Any) -> "Engine":
        """An engine holding float64 copies of ``models``' weights, one trial per model."""

    @abc.abstractmethod
    def _train(self, batches: Sequence[Optional[SequenceBatch]], learning_rate: float) -> Trained:
        """Train in place; fill ``outputs`` or ``errors`` (divergence is handled by the container)."""

    @abc.abstractmethod
    def forward(self, k: int, batch: SequenceBatch) -> np.ndarray:
        """Outputs (n, T_max, n_out) of trial ``k`` on ``batch``, without training."""

    @abc.abstractmethod
    def trial_params(self, k: int) -> Any:
        """A copy of trial ``k``'s weights in this engine's one-trial form."""

    # ---- shared ---------------------------------------------------------------------------
    @classmethod
    def refuse_unsupported(cls, models: Sequence[Any]) -> None:
        """Raise ValueError naming the first model this engine cannot train, and why."""
        if len(models) == 0:
            raise ValueError(f"the {cls.name} engine needs at least one model")
        for i, m in enumerate(models):
            ok, why = cls.supports(m)
            if not ok:
                raise ValueError(f"the {cls.name} engine cannot train models[{i}]: {why}")

    @property
    def n_trials(self) -> int:
        return int(self.params.n_trials)

    def train(self, batches: Sequence[Optional[SequenceBatch]], learning_rate: Any) -> Trained:
        """Train trial k on ``batches[k]`` (None: leave it); see :class:`Trained`."""
        return self._train(batches, check_learning_rate(learning_rate))

    def judge(self, trained: Trained, k: int, batch: SequenceBatch, task: Any) -> tuple[np.ndarray, np.ndarray]:
        """Per-sequence ``(correct, error)`` of trial ``k``'s training sequences, by the task's rule."""
        out = trained.outputs[k, :batch.n, :batch.T_max]
        return (np.asarray(task.sequence_correct(out, batch), dtype=bool),
                np.asarray(task.sequence_error(out, batch), dtype=np.float64))

    def replay(self, k: int, batch: SequenceBatch, learning_rate: Any) -> Trained:
        """Train trial ``k`` alone on ``batch`` (after a :meth:`restore`: the rewind to a criterion)."""
        return self.train([batch if j == k else None for j in range(self.n_trials)], learning_rate)

    def snapshot(self) -> dict[str, np.ndarray]:
        """Copies of every array of the container (weights and counters)."""
        return {name: getattr(self.params, name).copy() for name in self.params.ARRAYS}

    def restore(self, snap: dict[str, np.ndarray], k: int) -> None:
        """Put trial ``k`` back as it was in ``snap``."""
        for name, value in snap.items():
            getattr(self.params, name)[k] = value[k]

    def named(self, k: int) -> dict[str, np.ndarray]:
        """Trial ``k``'s weights keyed and shaped like ``model.named_parameters()`` (copies)."""
        return self.params.named(k)

    def to_model(self, k: int, model: Any) -> Any:
        """Copy trial ``k``'s weights into ``model``; returns the model."""
        return self.params.to_model(model, k)

    def diverged(self, k: int) -> bool:
        return bool(self.params.diverged_at[k] >= 0)

    def divergence_message(self, k: int, learning_rate: Optional[float] = None) -> str:
        return divergence_message(self.params, k, learning_rate)

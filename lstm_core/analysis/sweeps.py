"""Sweeps: many small 1997 networks trained at once, to compare variants and initial gate biases.

Everything is seeded and returns arrays or dataclasses; ``train_together`` (and what is built on
it) writes the trained weights back into the networks it is given.

- ``train_together``: K networks of the same architecture, trained in lockstep with
  ``torch.func.vmap`` (each on its own data stream); exactly K runs of
  ``training.loop.fit`` in minibatch mode, only faster. **Minibatch mode with Adam by default:
  not the paper's online protocol**; chapters use it for live runs of a few seconds.
- ``compare_variants`` (the scissors on/off, g/h vs tanh), ``bias_sweep`` (initial
  input-gate bias) and ``drift_at_init`` (what the bias does before any training).
- ``baseline_loss``: the loss of a network that learned nothing.

Plots: :mod:`lstm_core.plots.sweeps`; panels: :mod:`lstm_core.dashboards.sweeps`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Optional, Sequence

import numpy as np
import torch
from torch import nn
from torch.func import functional_call, stack_module_state

from lstm_core import validation as validate
from lstm_core.model import activations
from lstm_core.model.networks import LSTM1997, SequenceModel, paper_network
from lstm_core.tasks.base import SequenceBatch
from lstm_core.training.loop import OPTIMIZERS, as_tensors, sequence_loss, training_batches
from lstm_core.training.online import resolve_config
from lstm_core.training.threads import use_threads
from lstm_core.analysis.inside import storage_profile

__all__ = ["QuickTrainConfig", "RunSet", "train_together", "compare_variants", "BiasSweep", "bias_sweep",
           "DriftAtInit", "drift_at_init", "baseline_loss"]


@dataclass(frozen=True)
class QuickTrainConfig:
    """Minibatch training for live runs (NOT the paper's online protocol of one sequence per update)."""

    updates: int = 150  # weight updates per network
    batch_size: int = 32  # sequences per update
    learning_rate: float = 0.01  # step size
    optimizer: str = "adam"  # "adam" (default, fast to converge) or "sgd" (plain gradient descent)
    log_every: int = 10  # updates per point of the recorded learning curve
    test_size: int = 256  # fixed test sequences, the same for every network
    test_seed: int = 9_999  # seed of the test set
    one_thread: bool = True  # train on one torch thread (small networks run fastest so), then restore

    def __post_init__(self) -> None:
        for name in ("updates", "batch_size", "log_every", "test_size"):
            validate.positive_int(name, getattr(self, name))
        validate.learning_rate("learning_rate", self.learning_rate)
        validate.choice("optimizer", self.optimizer, OPTIMIZERS)
        validate.switch("one_thread", self.one_thread)

    @property
    def protocol(self) -> str:
        return (f"minibatch ({self.batch_size} sequences per update, {self.optimizer}, lr {self.learning_rate:g}) "
                "- not the paper's online protocol")


@dataclass
class RunSet:
    """K networks trained together. Row k of every array belongs to ``labels[k]``."""

    labels: list[str]  # one per network, e.g. "seed 0"
    updates: np.ndarray  # (P,) weight updates done at each point of the learning curves
    train_loss: np.ndarray  # (K, P) mean E/2 per training sequence over the last log_every updates
    test_loss: np.ndarray  # (K,) mean E/2 per sequence on the fixed test set, after training
    test_accuracy: np.ndarray  # (K,) fraction of test sequences correct by the task's criterion
    seconds: float  # wall time of the whole lockstep run
    protocol: str  # how it was trained
    networks: list[LSTM1997] = field(repr=False)  # the trained networks


class _Unrolled(nn.Module):
    """``model`` looped over time without input checks (which data-dependent branches would break under vmap)."""

    def __init__(self, model: SequenceModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        m = self.model
        state = m.initial_state(x.shape[0], x)
        features = []
        for t in range(x.shape[1]):
            state, feat, _ = m.step(x[:, t], state)
            features.append(feat)
        return m.readout(torch.stack(features, dim=1))


def _structure(net: LSTM1997):
    """The config without the initial biases: networks that agree on it can be stacked."""
    return replace(net.config, input_gate_bias=None, output_gate_bias=None, forget_gate_bias=None)


def _padded(batches: Sequence[SequenceBatch], dtype: torch.dtype) -> tuple[torch.Tensor, ...]:
    """Stack K batches, zero-padded to the longest: (K, n, T, .). Padding is outside every mask."""
    T = max(b.T_max for b in batches)
    out = []
    for part in zip(*(as_tensors(b, dtype) for b in batches)):
        out.append(torch.stack([nn.functional.pad(p, (0, 0, 0, T - p.shape[1]) if p.dim() == 3 else (0, T - p.shape[1]))
                                for p in part]))
    return tuple(out)


def train_together(
    networks: Sequence[LSTM1997],
    task_config: Any,
    config: QuickTrainConfig = QuickTrainConfig(),
    data_seeds: Optional[Sequence[int]] = None,
    labels: Optional[Sequence[str]] = None,
) -> RunSet:
    """Train K networks of one architecture side by side; network k reads the data stream of ``data_seeds[k]``.

    The result equals K separate runs of ``train.fit(net, task, TrainConfig(batch_size=...,
    optimizer=..., seed=data_seeds[k]), stopping_rule=False)``: the same batches, the same
    loss (mean E/2 per sequence), the same optimizer (Adam and SGD act on each weight
    separately). The networks are batched with ``torch.func.vmap`` over the library's own
    ``step``, so the scissors, g and h are the library's. They may differ in their weights
    and initial biases, not in structure (scissors, g, h, sizes).

    The trained weights are copied back into ``networks``.
    """
    nets = list(networks)
    if not nets:
        raise ValueError("train_together needs at least one network")
    for net in nets:
        validate.instance("model", net, LSTM1997, needed_by="train_together")
    structure = _structure(nets[0])
    for net in nets[1:]:
        if _structure(net) != structure:
            raise ValueError("train_together needs networks of one architecture (same sizes, scissors, g, h); "
                             f"got {structure} and {_structure(net)}: train them in separate calls")
    seeds = list(range(len(nets))) if data_seeds is None else [int(s) for s in data_seeds]
    if len(seeds) != len(nets):
        raise ValueError(f"{len(nets)} networks but {len(seeds)} data seeds; expected one seed per network")
    names = [f"network {k}" for k in range(len(nets))] if labels is None else list(labels)
    if len(names) != len(nets):
        raise ValueError(f"{len(nets)} networks but {len(names)} labels")
    module, task_config = resolve_config(task_config)
    probe = module.generate(task_config, 1, 0)
    if (nets[0].n_inputs, nets[0].n_outputs) != (probe.n_inputs, probe.n_outputs):
        raise ValueError(f"the networks have {nets[0].n_inputs} inputs and {nets[0].n_outputs} outputs but the task "
                         f"needs {probe.n_inputs} and {probe.n_outputs}")

    dtype = next(nets[0].parameters()).dtype
    start = time.perf_counter()
    with use_threads(torch=1 if config.one_thread else None):
        params, _ = stack_module_state(nets)  # name -> (K, ...) leaf tensors
        base = _Unrolled(nets[0])
        stacked = {f"model.{name}": p for name, p in params.items()}

        def outputs(p: Mapping[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
            return functional_call(base, p, (x,))

        batched = torch.vmap(outputs)  # network k reads its own x[k]
        opt = (torch.optim.Adam(list(params.values()), lr=config.learning_rate) if config.optimizer == "adam"
               else torch.optim.SGD(list(params.values()), lr=config.learning_rate))
        streams = [training_batches(module, task_config, config.batch_size, s) for s in seeds]
        points, curve, window = [], [], []
        for update in range(1, config.updates + 1):
            x, y, m = _padded([next(s) for s in streams], dtype)
            out = batched(stacked, x)  # (K, n, T, n_out)
            per_net = 0.5 * ((out - y) ** 2 * m.unsqueeze(-1)).sum(dim=(2, 3)).mean(dim=1)  # mean E/2, (K,)
            if not torch.isfinite(per_net).all():
                raise FloatingPointError(f"a network's loss became non-finite at update {update}; "
                                         f"lower the learning rate (now {config.learning_rate:g})")
            opt.zero_grad()
            per_net.sum().backward()  # the sum separates: network k's weights see only its own loss
            opt.step()
            window.append(per_net.detach().numpy().astype(np.float64))
            if update % config.log_every == 0 or update == config.updates:
                points.append(update)
                curve.append(np.mean(window, axis=0))
                window.clear()
        with torch.no_grad():
            for name, p in params.items():
                for k, net in enumerate(nets):
                    net.get_parameter(name).copy_(p[k])
        test = module.generate(task_config, config.test_size, config.test_seed)
        test_loss, test_acc = [], []
        x, y, m = as_tensors(test, dtype)
        with torch.no_grad():
            test_out = torch.vmap(outputs, in_dims=(0, None))(stacked, x)
        for k in range(len(nets)):
            test_loss.append(sequence_loss(test_out[k], y, m).mean().item())
            test_acc.append(float(np.mean(module.sequence_correct(test_out[k].numpy(), test))))
    return RunSet(names, np.array(points), np.array(curve).T, np.array(test_loss), np.array(test_acc),
                  time.perf_counter() - start, config.protocol, nets)


def compare_variants(
    variants: Mapping[str, Mapping[str, Any]],
    seeds: Sequence[int],
    task_config: Any,
    config: QuickTrainConfig = QuickTrainConfig(),
    network: str = "adding",
) -> dict[str, RunSet]:
    """Train ``paper_network(network, seed=s, **overrides)`` for every variant and seed.

    Every variant uses the same seeds for initial weights and for its data stream, so the
    variants differ only in their overrides (e.g. ``{"scissors": False}``).
    """
    if not variants:
        raise ValueError("compare_variants needs at least one variant, e.g. {'scissors on': {}}")
    if len(seeds) == 0:
        raise ValueError("compare_variants needs at least one seed")
    results = {}
    for label, overrides in variants.items():
        nets = [paper_network(network, seed=int(s), **dict(overrides)) for s in seeds]
        results[label] = train_together(nets, task_config, config, data_seeds=seeds,
                                        labels=[f"{label}, seed {s}" for s in seeds])
    return results


def _bias_tuple(bias: float | Sequence[float], n_blocks: int) -> tuple[float, ...]:
    if isinstance(bias, (int, float, np.floating, np.integer)):
        return (float(bias),) * n_blocks
    values = tuple(float(b) for b in bias)
    if len(values) != n_blocks:
        raise ValueError(f"an input-gate bias needs one value per block ({n_blocks}), got {values}")
    return values


@dataclass
class BiasSweep:
    """Training runs over initial input-gate biases. Arrays are (n_biases, n_seeds)."""

    biases: list[tuple[float, ...]]  # the initial input-gate bias of each block, per sweep entry
    seeds: list[int]  # seeds of weights and data (the same for every bias)
    test_loss: np.ndarray  # mean E/2 on the fixed test set after training
    test_accuracy: np.ndarray  # fraction of test sequences correct
    write_relevant: np.ndarray  # mean |s_c(t) - s_c(t-1)| at the relevant steps, after training
    write_irrelevant: np.ndarray  # the same at all other steps
    runs: RunSet  # every network; row i * n_seeds + j is bias i, seed j

    def curves(self, i: int) -> np.ndarray:
        """(n_seeds, P) learning curves of bias ``i``."""
        n = len(self.seeds)
        return self.runs.train_loss[i * n:(i + 1) * n]

    def network(self, i: int, j: int) -> LSTM1997:
        """The trained network of bias ``i``, seed ``j``."""
        return self.runs.networks[i * len(self.seeds) + j]

    def select(self, i: int, j: Optional[int] = None) -> "BiasSweep":
        """The part of the sweep with bias ``i`` (and only seed ``j``, if given); no retraining."""
        seeds = range(len(self.seeds)) if j is None else [j]
        if not (0 <= i < len(self.biases) and all(0 <= jj < len(self.seeds) for jj in seeds)):
            raise ValueError(f"select({i}, {j}) is outside a sweep of {len(self.biases)} biases "
                             f"and {len(self.seeds)} seeds")
        rows = [i * len(self.seeds) + jj for jj in seeds]
        cols = list(seeds)
        r = self.runs
        runs = RunSet([r.labels[k] for k in rows], r.updates, r.train_loss[rows], r.test_loss[rows],
                      r.test_accuracy[rows], r.seconds, r.protocol, [r.networks[k] for k in rows])
        return BiasSweep([self.biases[i]], [self.seeds[jj] for jj in cols], self.test_loss[i:i + 1, cols],
                         self.test_accuracy[i:i + 1, cols], self.write_relevant[i:i + 1, cols],
                         self.write_irrelevant[i:i + 1, cols], runs)


def bias_sweep(
    biases: Sequence[float | Sequence[float]],
    seeds: Sequence[int],
    task_config: Any,
    config: QuickTrainConfig = QuickTrainConfig(),
    network: str = "adding",
    **overrides: Any,
) -> BiasSweep:
    """Train ``paper_network(network)`` with each initial input-gate bias, all in one lockstep run.

    A bias given as one number is used for every block; a tuple gives one per block (the
    paper's adding network uses (-3, -6)). Same seeds (weights and data) for every bias.
    """
    if len(biases) == 0 or len(seeds) == 0:
        raise ValueError("bias_sweep needs at least one bias and one seed")
    n_blocks = paper_network(network, seed=0, **overrides).cell.n_blocks
    tuples = [_bias_tuple(b, n_blocks) for b in biases]
    nets, data, labels = [], [], []
    for b in tuples:
        for s in seeds:
            nets.append(paper_network(network, seed=int(s), input_gate_bias=b, **overrides))
            data.append(int(s))
            labels.append(f"bias {b}, seed {s}")
    runs = train_together(nets, task_config, config, data_seeds=data, labels=labels)
    module, cfg = resolve_config(task_config)
    probe = module.generate(cfg, config.test_size, config.test_seed)
    relevant, irrelevant = zip(*(storage_profile(net, probe) for net in runs.networks))
    shape = (len(tuples), len(seeds))
    return BiasSweep(tuples, [int(s) for s in seeds], runs.test_loss.reshape(shape),
                     runs.test_accuracy.reshape(shape), np.reshape(relevant, shape),
                     np.reshape(irrelevant, shape), runs)


@dataclass
class DriftAtInit:
    """Untrained networks over initial input-gate biases. Arrays are (n_biases, n_seeds)."""

    biases: np.ndarray  # (n_biases,) the bias given to every block
    gate: np.ndarray  # (n_biases,) f(b) = y^in when the gate's other inputs are 0
    gate_slope: np.ndarray  # (n_biases,) f'(b): how strongly error reaches the input gate's weights
    final_abs_state: np.ndarray  # mean |s_c| at the last step of each sequence
    final_h_slope: np.ndarray  # mean h'(s_c) there: the factor error must pass to reach the CEC


def drift_at_init(biases: Sequence[float], seeds: Sequence[int], task_config: Any, n_sequences: int = 64,
                  network: str = "adding") -> DriftAtInit:
    """How far untrained cells drift over a sequence, for each initial input-gate bias.

    The paper (Sec. 4, "internal state drift") biases input gates negatively so that, at the
    start of learning, s_c does not wander off to where h'(s_c) is tiny and the gradient
    vanishes. Every block gets the same bias; all other weights come from the seed.
    """
    if len(biases) == 0 or len(seeds) == 0:
        raise ValueError("drift_at_init needs at least one bias and one seed")
    module, cfg = resolve_config(task_config)
    batch = module.generate(cfg, n_sequences, 0)
    rows = np.arange(batch.n)
    abs_state = np.zeros((len(biases), len(seeds)))
    h_slope = np.zeros_like(abs_state)
    n_blocks = paper_network(network, seed=0).cell.n_blocks
    for i, b in enumerate(biases):
        for j, s in enumerate(seeds):
            net = paper_network(network, seed=int(s), input_gate_bias=_bias_tuple(b, n_blocks))
            h_prime = activations.get_prime(net.config.h)
            with torch.no_grad():
                states = torch.stack(net.run(torch.as_tensor(batch.inputs)).states, dim=1)  # (n, T, C)
            final = states[rows, torch.as_tensor(batch.lengths - 1)]  # (n, C) at each sequence's end
            abs_state[i, j] = final.abs().mean().item()
            h_slope[i, j] = h_prime(final.double()).mean().item()
    b = torch.as_tensor(np.asarray(biases, dtype=np.float64))
    return DriftAtInit(b.numpy(), activations.f(b).numpy(), activations.f_prime(b).numpy(), abs_state, h_slope)


def baseline_loss(task_config: Any, n: int = 4096, seed: int = 0) -> float:
    """Mean E/2 per sequence of the best constant output (the mean target): the loss of a net that learned nothing."""
    module, cfg = resolve_config(task_config)
    batch = module.generate(cfg, n, seed)
    mask = batch.target_mask.astype(bool)
    targets = batch.targets[mask]  # (n_targets, n_out)
    return float(0.5 * ((targets - targets.mean(axis=0)) ** 2).sum() / n)

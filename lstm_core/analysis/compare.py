"""The 1997 LSTM beside its successors, on the same tasks, measured.

Three measurements for the legacy chapter. The first two are pure functions of their arguments
and seeds; the third times code, so its seconds depend on the machine (its byte counts do not):

- ``compare_models``: train several architectures on one task with the same budget of
  training sequences, the same data stream and the same seeds, at comparable parameter
  counts; test each on the same fresh sequences. Minibatch mode with Adam: quick and equal
  for all, and **not** the paper's protocol (one sequence, then one plain gradient step).
- ``gradient_flow``: how error injected at the last step reaches every earlier step, for
  each recurrent model (``gradients.state_gradient_norms``).
- ``time_vs_length``: forward time and activation memory per sequence as sequences grow,
  the recurrent O(N) against attention's O(N^2) work.

The architectures, by name (``MODELS``):

| name              | model                                                                  | whose       |
|-------------------|------------------------------------------------------------------------|-------------|
| ``rnn``           | ``VanillaRNN``: tanh RNN, full BPTT                                   | baseline    |
| ``lstm1997``      | ``LSTM1997``: CEC, input and output gates, scissors, g and h           | the paper's |
| ``lstm1997_forget`` | the same network with the forget gate of Gers et al. (1999/2000)     | later       |
| ``lstm``          | ``TorchLSTM``: ``nn.LSTM`` (forget gate, tanh, full BPTT), forget bias +1 | later     |
| ``gru``           | ``TorchGRU``: ``nn.GRU`` (Cho et al. 2014)                             | later       |
| ``transformer``   | ``TinyTransformer``: one causal self-attention layer (2017)            | later       |

Each has one width knob ``size`` (hidden units, blocks, or model width); ``matched_model``
picks the size whose parameter count is closest to a target, so the comparison is at equal
footing in weights as well as in data.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Callable, Mapping, Optional, Sequence

import numpy as np
import torch
from torch import nn

from lstm_core import validation as validate
from lstm_core.analysis.carousel import set_forget_bias
from lstm_core.analysis.gradients import state_gradient_norms
from lstm_core.model.networks import LSTM1997, LSTM1997Config, SequenceModel, count_parameters
from lstm_core.model.baselines import TinyTransformer, TorchGRU, TorchLSTM, VanillaRNN
from lstm_core.training.loop import TrainConfig, fit, predict, resolve_task
from lstm_core.training.threads import use_threads

__all__ = ["MODELS", "MODEL_LABELS", "RECURRENT_MODELS", "build_model", "size_for_params", "matched_model",
           "CompareConfig", "RunResult", "Comparison", "compare_models", "chance_accuracy", "guessing_baselines",
           "gradient_flow", "TimingResult", "time_vs_length", "saved_activation_bytes", "loglog_slope",
           "shortened_config"]

#: Architecture names, in the order tables and plots list them.
MODELS = ("rnn", "lstm1997", "lstm1997_forget", "lstm", "gru", "transformer")

#: Names for people.
MODEL_LABELS = {
    "rnn": "vanilla RNN",
    "lstm1997": "LSTM 1997",
    "lstm1997_forget": "LSTM 1997 + forget gate",
    "lstm": "modern LSTM (nn.LSTM)",
    "gru": "GRU",
    "transformer": "Transformer",
}

#: The models that carry a state through time (the Transformer does not).
RECURRENT_MODELS = ("rnn", "lstm1997", "lstm1997_forget", "lstm", "gru")

#: Cells per block of the 1997 networks built here (as in the paper's Exps. 4-6).
BLOCK_SIZE = 2
#: Default initial forget-gate bias of ``lstm1997_forget`` and of ``lstm`` (``nn.LSTM``): f(1) = 0.73,
#: so the gate starts more open (remembering) than f(0) = 0.5, which halves the state every step.
#: PyTorch's own initialisation puts ``nn.LSTM``'s forget bias near 0, a known weak default;
#: Jozefowicz, Zaremba & Sutskever (2015) recommend +1, as Gers et al. (2000) did for their gate.
FORGET_GATE_BIAS = 1.0


def _input_gate_biases(n_blocks: int) -> tuple[float, ...]:
    """Staggered negative input-gate biases -1, -2, -3, ... (the paper's remedy for the abuse problem)."""
    return tuple(-float(j + 1) for j in range(n_blocks))


def build_model(name: str, n_inputs: int, n_outputs: int, size: int, seed: Optional[int] = None,
                forget_bias: float = FORGET_GATE_BIAS) -> nn.Module:
    """Architecture ``name`` (one of ``MODELS``) with width ``size`` and sigmoid output units.

    ``size`` is the number of hidden units (``rnn``, ``lstm``, ``gru``), of memory-cell blocks of
    two cells (``lstm1997``, ``lstm1997_forget``), or the model width d_model of the one-layer,
    one-head Transformer. ``forget_bias`` is the initial forget-gate bias of ``lstm1997_forget``
    and of ``lstm`` (``nn.LSTM``'s total forget bias, ``bias_ih`` + ``bias_hh``); the other models
    ignore it. The GRU keeps PyTorch's initialisation. The 1997 networks get the paper's staggered negative
    input-gate biases -1, -2, -3, ...; every other setting is the library default.

    >>> count_parameters(build_model("rnn", 2, 1, size=3, seed=0))   # 3*2 + 3*3 + 3 + 3 + (3 + 1)
    25
    """
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; expected one of {MODELS}")
    size = validate.positive_int("size", size)
    if name == "rnn":
        return VanillaRNN(n_inputs, size, n_outputs, seed=seed)
    if name in ("lstm1997", "lstm1997_forget"):
        forget = name == "lstm1997_forget"
        config = LSTM1997Config(n_inputs, n_outputs, n_blocks=size, block_size=BLOCK_SIZE,
                                input_gate_bias=_input_gate_biases(size), forget_gate=forget,
                                forget_gate_bias=(float(forget_bias),) * size if forget else None)
        return LSTM1997(config, seed=seed)
    if name == "lstm":  # PyTorch's forget bias is about 0 (it halves the state each step): start at forget_bias
        return set_forget_bias(TorchLSTM(n_inputs, size, n_outputs, seed=seed), float(forget_bias))
    if name == "gru":
        return TorchGRU(n_inputs, size, n_outputs, seed=seed)
    return TinyTransformer(n_inputs, n_outputs, d_model=size, n_heads=1, n_layers=1, seed=seed)


def size_for_params(name: str, n_inputs: int, n_outputs: int, n_params: int, max_size: int = 64) -> int:
    """The ``size`` in 1..max_size whose parameter count is closest to ``n_params`` (smaller on ties).

    >>> size_for_params("rnn", 2, 1, n_params=25)
    3
    """
    n_params = validate.positive_int("n_params", n_params)
    best_size, best_gap = 1, None
    for size in range(1, max_size + 1):
        count = count_parameters(build_model(name, n_inputs, n_outputs, size, seed=0))  # seeded: global RNG untouched
        gap = abs(count - n_params)
        if best_gap is None or gap < best_gap:
            best_size, best_gap = size, gap
        if count > n_params:  # counts grow with size: nothing closer beyond this point
            break
    return best_size


def matched_model(name: str, n_inputs: int, n_outputs: int, n_params: int, seed: Optional[int] = None) -> nn.Module:
    """``build_model`` at the size whose parameter count is closest to ``n_params``."""
    return build_model(name, n_inputs, n_outputs, size_for_params(name, n_inputs, n_outputs, n_params), seed)


# ======================================================================================
# Training every model on one task
# ======================================================================================
@dataclass(frozen=True)
class CompareConfig:
    """How every model of a comparison is trained and tested (the same for all of them)."""

    budget: int = 3200  # training sequences per run (the same data stream for every model of a seed)
    n_params: int = 500  # target parameter count; each model gets the size closest to it
    batch_size: int = 32  # sequences per weight update (minibatch mode, not the paper's online protocol)
    learning_rate: float = 0.05  # Adam's step size
    log_every: int = 320  # training sequences per point of the learning curves
    test_size: int = 512  # fresh test sequences, the same for every model and seed
    test_seed: int = 12345  # seed of the test set
    forget_bias: float = FORGET_GATE_BIAS  # initial forget-gate bias of lstm1997_forget and of lstm (nn.LSTM)
    max_seconds: Optional[float] = None  # wall-clock limit per run (a safety net for widgets); None = none

    def __post_init__(self) -> None:
        for name in ("budget", "n_params", "batch_size", "log_every", "test_size"):
            validate.positive_int(name, getattr(self, name))
        validate.learning_rate("learning_rate", self.learning_rate)
        validate.real("forget_bias", self.forget_bias)
        validate.positive_real("max_seconds", self.max_seconds, allow_none=True, example="30")


@dataclass
class RunResult:
    """One model trained with one seed."""

    model: str  # architecture name (a key of MODEL_LABELS)
    size: int  # the width knob of build_model (hidden units, blocks, or d_model)
    seed: int  # seed of the initial weights and of the training-data stream
    n_params: int  # trainable parameters
    sequences: np.ndarray  # (records,) training sequences seen at each learning-curve point
    accuracy: np.ndarray  # (records,) fraction of training sequences correct since the previous point
    loss: np.ndarray  # (records,) mean E/2 per training sequence since the previous point
    test_accuracy: float  # fraction of the test sequences correct (the task's own criterion)
    test_error: float  # mean of the task's per-sequence error on the test set
    seconds: float  # wall time of the training run
    message: str = ""  # how the run ended (from the training history)
    trained: Optional[nn.Module] = field(default=None, repr=False)  # the trained network


@dataclass
class Comparison:
    """Every run of ``compare_models``, with summaries per model."""

    task: str  # experiment name of the task ("adding", "6a", ...)
    task_config: Any  # the task's config dataclass
    config: CompareConfig  # how the runs were trained
    chance: float  # test accuracy of the mean-target answer, which ignores the inputs (see ``chance_accuracy``)
    runs: list[RunResult] = field(default_factory=list)

    @property
    def models(self) -> list[str]:
        """Model names in the order they were run."""
        return list(dict.fromkeys(r.model for r in self.runs))

    @property
    def seeds(self) -> list[int]:
        return list(dict.fromkeys(r.seed for r in self.runs))

    def runs_of(self, model: str) -> list[RunResult]:
        runs = [r for r in self.runs if r.model == model]
        if not runs:
            raise ValueError(f"no runs of model {model!r}; this comparison has {self.models}")
        return runs

    def test_accuracy(self, model: str) -> np.ndarray:
        """(seeds,) test accuracy of each run of ``model``."""
        return np.array([r.test_accuracy for r in self.runs_of(model)])

    def curves(self, model: str) -> tuple[np.ndarray, np.ndarray]:
        """(sequences (records,), training accuracy (seeds, records)) of ``model``; runs cut to the shortest."""
        runs = self.runs_of(model)
        n = min(len(r.sequences) for r in runs)
        return runs[0].sequences[:n], np.stack([r.accuracy[:n] for r in runs])

    def curve_arrays(self) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """``curves`` of every model as two dicts (sequences, accuracy), for ``plot_learning_curves``."""
        pairs = {model: self.curves(model) for model in self.models}
        return {m: p[0] for m, p in pairs.items()}, {m: p[1] for m, p in pairs.items()}

    def table(self) -> list[dict[str, Any]]:
        """One row per model: parameters, test accuracy (mean, min, max over seeds), seconds per run."""
        rows = []
        for model in self.models:
            runs = self.runs_of(model)
            acc = self.test_accuracy(model)
            rows.append({"model": model, "label": MODEL_LABELS[model], "size": runs[0].size,
                         "params": runs[0].n_params,
                         "accuracy_mean": float(acc.mean()), "accuracy_min": float(acc.min()),
                         "accuracy_max": float(acc.max()), "error_mean": float(np.mean([r.test_error for r in runs])),
                         "seconds": float(np.mean([r.seconds for r in runs]))})
        return rows

    def as_markdown(self) -> str:
        """The table as Markdown, for ``IPython.display.Markdown``."""
        lines = ["| model | size | weights | test accuracy | over seeds | test error | s per run |",
                 "|---|---:|---:|---:|---:|---:|---:|"]
        for row in self.table():
            lines.append(f"| {row['label']} | {row['size']} | {row['params']} | {row['accuracy_mean']:.2f} | "
                         f"{row['accuracy_min']:.2f}–{row['accuracy_max']:.2f} | {row['error_mean']:.3f} | "
                         f"{row['seconds']:.1f} |")
        return "\n".join(lines)


def chance_accuracy(task: str | ModuleType, task_config: Any = None, n: int = 4096, seed: int = 0) -> float:
    """Test accuracy of the mean target: the answer a network gives that has learned nothing from its inputs.

    Gradient descent on squared error, before it uses the inputs, moves every output to the mean
    target at the sequence end: the best constant answer under squared error. Judged by the
    task's own criterion, that answer is "chance" here. For the adding problem (target
    0.5 + (X1 + X2) / 4) it is within 0.04 of the target about 1 time in 6.8. For temporal order
    it is 1/4 on every output unit, 0.75 away from the true class's 1, so it scores 0: the
    criterion (every output within 0.3) accepts only an answer that commits to one class
    (see ``guessing_baselines``).
    """
    return guessing_baselines(task, task_config, n, seed)["mean target"]["accuracy"]


def guessing_baselines(task: str | ModuleType, task_config: Any = None, n: int = 4096,
                       seed: int = 0) -> dict[str, dict[str, float]]:
    """Answers that ignore the inputs, judged by the task's criterion and by the training loss.

    Returns name -> {"accuracy": fraction of ``n`` sequences correct, "loss": mean E/2 per
    sequence (the quantity training minimises)} for

    - ``"mean target"``: the mean of the end targets (the best constant under squared error);
    - ``"one class"`` (classification tasks, one output unit per class, one-hot targets): always
      the one-hot code of the most frequent class;
    - ``"a random class"`` (classification tasks): a one-hot code drawn at random per sequence.

    >>> from lstm_core.analysis.compare import shortened_config
    >>> b = guessing_baselines("6a", shortened_config("6a", 10))
    >>> b["mean target"]["accuracy"], round(b["mean target"]["loss"], 3), round(b["one class"]["accuracy"], 2)
    (0.0, 0.375, 0.26)
    """
    module, task_config = resolve_task(task, task_config)
    batch = module.generate(task_config, n, np.random.default_rng(seed))
    rows = np.arange(batch.n)
    ends = batch.targets[rows, batch.lengths - 1]  # (n, n_out)

    def judged(answers: np.ndarray) -> dict[str, float]:  # answers: (n, n_out) at each sequence's end
        outputs = np.zeros_like(batch.targets, dtype=np.float64)
        outputs[rows, batch.lengths - 1] = answers
        loss = 0.5 * ((answers - ends) ** 2).sum(axis=1)
        return {"accuracy": float(np.mean(module.sequence_correct(outputs, batch))), "loss": float(loss.mean())}

    out = {"mean target": judged(np.broadcast_to(ends.mean(axis=0), ends.shape))}
    if batch.n_outputs > 1 and np.all(ends.sum(axis=1) == 1):  # one-hot classes
        eye = np.eye(batch.n_outputs)
        out["one class"] = judged(eye[np.full(batch.n, int(np.argmax(ends.sum(axis=0))))])
        out["a random class"] = judged(eye[np.random.default_rng(seed + 1).integers(0, batch.n_outputs, batch.n)])
    return out


def compare_models(
    task: str | ModuleType,
    task_config: Any = None,
    models: Sequence[str] = MODELS,
    seeds: Sequence[int] = (0, 1),
    config: CompareConfig = CompareConfig(),
    keep_models: bool = False,
    callback: Optional[Callable[[RunResult], None]] = None,
) -> Comparison:
    """Train every model in ``models`` with every seed on ``task`` and test it.

    Equal footing: for a given seed every model starts from weights drawn with that seed, sees
    the same stream of training sequences (``config.budget`` of them, in minibatches), and is
    tested on the same ``config.test_size`` fresh sequences; its size is matched to
    ``config.n_params``. The task's stopping rule is off: every run uses its whole budget.
    ``callback(run)`` is called after each run (for progress displays).
    """
    module, task_config = resolve_task(task, task_config)
    models = list(models)
    if not models:
        raise ValueError(f"models is empty; expected some of {MODELS}")
    unknown = [m for m in models if m not in MODELS]
    if unknown:
        raise ValueError(f"unknown models {unknown}; expected some of {MODELS}")
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ValueError("seeds is empty; expected at least one seed")
    probe = module.generate(task_config, 1, 0)
    n_in, n_out = probe.n_inputs, probe.n_outputs
    test = module.generate(task_config, config.test_size, np.random.default_rng(config.test_seed))
    result = Comparison(probe.task, task_config, config, chance_accuracy(module, task_config))
    sizes = {name: size_for_params(name, n_in, n_out, config.n_params) for name in models}
    for seed in seeds:
        for name in models:
            net = build_model(name, n_in, n_out, sizes[name], seed=seed, forget_bias=config.forget_bias)
            train = TrainConfig(learning_rate=config.learning_rate, max_sequences=config.budget,
                                batch_size=config.batch_size, optimizer="adam", log_every=config.log_every,
                                seed=seed, max_seconds=config.max_seconds, progress=False)
            with use_threads(torch=1):  # tiny networks: one torch thread is fastest
                history = fit(net, module, train, task_config=task_config, stopping_rule=False)
                out = predict(net, test)
            run = RunResult(
                model=name, size=sizes[name], seed=seed, n_params=count_parameters(net),
                sequences=np.asarray(history.sequences), accuracy=np.asarray(history.accuracy),
                loss=np.asarray(history.loss),
                test_accuracy=float(np.mean(module.sequence_correct(out, test))),
                test_error=float(np.mean(module.sequence_error(out, test))),
                seconds=history.seconds, message=history.message, trained=net if keep_models else None,
            )
            result.runs.append(run)
            if callback is not None:
                callback(run)
    return result


# ======================================================================================
# Error flow through time, per model
# ======================================================================================
def gradient_flow(models: Mapping[str, nn.Module], x: Any) -> dict[str, np.ndarray]:
    """|| dE / d state(t) || for t = 0..T-1, for each recurrent model, error injected at the last step.

    ``x``: inputs (batch, T, n_inputs), e.g. ``batch.inputs[:, :T]``; float64 for clean small numbers.
    Each curve is divided by its value at the last step, so it reads "fraction of the error
    signal that reaches step t". Non-recurrent models (the Transformer) raise ValueError.
    """
    curves = {}
    for name, model in models.items():
        if not isinstance(model, SequenceModel):
            raise ValueError(f"gradient_flow: {name!r} is a {type(model).__name__}, which carries no state "
                             "through time; pass recurrent models only")
        dtype = next(model.parameters()).dtype
        norms = state_gradient_norms(model, torch.as_tensor(np.asarray(x), dtype=dtype))
        if not norms[-1] > 0:
            raise ValueError(f"gradient_flow: {name!r} has no gradient at the last step; cannot normalise")
        curves[name] = norms / norms[-1]
    return curves


# ======================================================================================
# Cost as sequences grow
# ======================================================================================
@dataclass
class TimingResult:
    """Forward cost per sequence of each model at each length."""

    lengths: np.ndarray  # (L,) sequence lengths N
    seconds: dict[str, np.ndarray]  # model -> (L,) forward seconds per sequence (best of the repeats)
    memory: dict[str, np.ndarray]  # model -> (L,) bytes of activations kept for the backward pass, per sequence

    def slope(self, model: str, what: str = "seconds", last: int = 3) -> float:
        """Log-log slope over the ``last`` lengths: 1 means cost proportional to N, 2 to N^2."""
        values = {"seconds": self.seconds, "memory": self.memory}[what][model]
        return loglog_slope(self.lengths[-last:], values[-last:])


def loglog_slope(x: Sequence[float], y: Sequence[float]) -> float:
    """Least-squares slope of log y against log x (the exponent k of y ~ x^k).

    >>> round(loglog_slope([10, 100, 1000], [1, 100, 10000]), 6)
    2.0
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.shape != y.shape or x.size < 2:
        raise ValueError(f"need two equally long arrays of at least 2 points; got {x.shape} and {y.shape}")
    if np.any(x <= 0) or np.any(y <= 0):
        raise ValueError("loglog_slope needs positive values")
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


def saved_activation_bytes(model: nn.Module, x: torch.Tensor) -> int:
    """Bytes of the tensors autograd keeps from one forward pass for the backward pass."""
    total = 0

    def pack(t: torch.Tensor) -> torch.Tensor:
        nonlocal total
        total += t.numel() * t.element_size()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        model(x)
    return total


def time_vs_length(models: Mapping[str, nn.Module], lengths: Sequence[int], batch: int = 1,
                   repeats: int = 3, seed: int = 0) -> TimingResult:
    """Forward seconds (no gradients, best of ``repeats``) and saved-activation bytes per sequence.

    Inputs are standard normal, (batch, N, n_inputs), drawn with ``seed``. The best of several
    repeats is the least disturbed by other work on the machine.
    """
    lengths = np.asarray(lengths, dtype=int)
    if lengths.ndim != 1 or lengths.size < 2 or np.any(lengths < 1) or np.any(np.diff(lengths) <= 0):
        raise ValueError(f"lengths must be at least 2 increasing positive integers; got {lengths.tolist()}")
    repeats, batch = validate.positive_int("repeats", repeats), validate.positive_int("batch", batch)
    gen = torch.Generator().manual_seed(seed)
    seconds = {name: np.zeros(len(lengths)) for name in models}
    memory = {name: np.zeros(len(lengths)) for name in models}
    for i, n in enumerate(lengths):
        for name, model in models.items():
            with use_threads(torch=1):  # tiny networks: one torch thread is fastest
                seconds[name][i], memory[name][i] = _cost(model, int(n), batch, repeats, gen)
    return TimingResult(lengths, seconds, memory)


def _cost(model: nn.Module, n: int, batch: int, repeats: int, gen: torch.Generator) -> tuple[float, float]:
    """(best forward seconds, saved-activation bytes) per sequence at length n."""
    dtype = next(model.parameters()).dtype
    x = torch.randn(batch, n, model.n_inputs, generator=gen, dtype=dtype)
    memory = saved_activation_bytes(model, x) / batch
    with torch.no_grad():
        model(x)  # warm-up
        best = np.inf
        for _ in range(repeats):
            start = time.perf_counter()
            model(x)
            best = min(best, time.perf_counter() - start)
    return best / batch, memory


def shortened_config(task: str, length: int) -> Any:
    """A task config like the paper's but ``length`` steps long (the paper's rows: length 100).

    - ``"adding"``: ``AddingConfig(T=length)`` (minimal lag length / 2; length >= 11).
    - ``"6a"``: the temporal-order task 6a scaled by length / 100: sequence length in
      [L, L + L // 10], X/Y positions in [0.1 L, 0.2 L] and [0.5 L, 0.6 L] (at least position 2,
      after the leading E). ``shortened_config("6a", 100)`` is the paper's 6a.
    """
    from lstm_core.tasks.adding import AddingConfig
    from lstm_core.tasks.temporal_order import TemporalOrderConfig

    length = validate.positive_int("length", length)
    if task == "adding":
        if length < 11:
            raise ValueError(f"the adding problem needs length >= 11, got {length}")
        return AddingConfig(T=length)
    if task == "6a":
        if length < 8:
            raise ValueError(f"the shortened temporal-order task needs length >= 8, got {length}")
        def nearest(fraction: float) -> int:  # round half up (Python's round() rounds half to even)
            return math.floor(fraction * length + 0.5)

        first = (max(2, nearest(0.1)), max(2, nearest(0.2)))
        second = (nearest(0.5), nearest(0.6))
        return TemporalOrderConfig((length, length + length // 10), (first, second), "6a")
    raise ValueError(f"shortened_config knows the tasks 'adding' and '6a'; got {task!r}")

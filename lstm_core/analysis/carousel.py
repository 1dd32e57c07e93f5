"""The constant error carousel (CEC) and the gates that guard it: small computations for the chapters.

The 1997 cell (Hochreiter & Schmidhuber 1997, Sec. 4) keeps its state on a self-connection of
fixed weight 1.0,

    s_c(t) = s_c(t-1) + y^in(t) g(net_c(t)),      so   d s_c(t) / d s_c(t-1) = 1,

and reads it through the output gate, y^c(t) = y^out(t) h(s_c(t)). This module measures what
that buys and what it costs; plots live in :mod:`lstm_core.plots.carousel` and
:mod:`lstm_core.plots.gates`.

| function                | computes                                                                  |
|-------------------------|---------------------------------------------------------------------------|
| ``carousel_signal``     | a signal multiplied by W at every step (RNN) vs carried by the CEC        |
| ``carousel_gradients``  | dL/ds_c(t), dL/dnet_c(t) and the gate factors, for a 1997 network        |
| ``set_forget_bias``     | the forget-gate bias of ``TorchLSTM`` (``nn.LSTM``; a later cell)        |
| ``cell_update_stages``  | the five stages of one cell update, with formulas and numbers            |
| ``write_read_network``  | a hand-set 1997 network whose gates obey "write" and "read" input lines   |
| ``write_read_inputs``   | the input sequence for it                                                 |
| ``adding_stream``       | adding-problem pairs as one unending stream, no resets                    |
| ``run_stream``          | s_c(t), y^in g, y^phi over a stream, for the state-drift figure          |

Paper notation as in :mod:`lstm_core.model.cells` (y_in = y^in, g_c = g(net_c), s = s_c, h_s = h(s_c),
y_c = y^c; y_forget = y^phi of the later forget gate, Gers et al. 1999/2000).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

import numpy as np
import torch

from lstm_core import validation as validate
from lstm_core.model import activations
from lstm_core.model.cells import CellStep
from lstm_core.analysis.gradients import last_step_loss
from lstm_core.model.networks import LSTM1997, LSTM1997Config, TorchLSTM

__all__ = [
    "CarouselSignal",
    "carousel_signal",
    "CarouselGradients",
    "carousel_gradients",
    "set_forget_bias",
    "CELL_VALUE_NAMES",
    "cell_values",
    "Stage",
    "cell_update_stages",
    "WRITE_READ_INPUTS",
    "write_read_network",
    "write_read_inputs",
    "adding_stream",
    "StreamRun",
    "run_stream",
]


# ======================================================================================
# The toy carousel: multiply vs carry
# ======================================================================================
@dataclass(frozen=True)
class CarouselSignal:
    """A unit signal after k = 0..steps updates, for both update rules."""

    steps: np.ndarray  # (steps + 1,) the step counts k = 0, 1, ..., steps
    rnn: np.ndarray  # (steps + 1,) h(k) for h <- h * W, h(0) = 1: equals W^k
    lstm: np.ndarray  # (steps + 1,) s(k) for s <- decay * s + 0 (input gate closed), s(0) = 1
    weight: float  # W of the RNN update
    decay: float  # factor on s_c(t-1); 1.0 is the 1997 CEC


def carousel_signal(weight: float, steps: int, decay: float = 1.0) -> CarouselSignal:
    """Run both toy updates for ``steps`` steps from a signal of 1.

    RNN update: h(k) = h(k-1) * W. LSTM update with the input gate closed (y^in = 0):
    s(k) = decay * s(k-1) + y^in g = decay * s(k-1); the 1997 CEC has decay = 1.
    Both updates are linear, so each curve is also the derivative d h(k)/d h(0) (resp.
    d s(k)/d s(0)): the factor an error signal keeps after travelling k steps back.

    >>> sig = carousel_signal(0.5, 3)
    >>> sig.rnn.tolist(), sig.lstm.tolist()
    ([1.0, 0.5, 0.25, 0.125], [1.0, 1.0, 1.0, 1.0])
    """
    weight, decay = validate.real("weight", weight), validate.real("decay", decay)
    steps = validate.nonneg_int("steps", steps)
    rnn = np.empty(steps + 1)
    lstm = np.empty(steps + 1)
    h, s = 1.0, 1.0
    y_in, g_c = 0.0, 0.0  # the input gate is closed: nothing is written
    rnn[0], lstm[0] = h, s
    with np.errstate(over="ignore", under="ignore"):
        for k in range(1, steps + 1):
            h = h * weight  # RNN: h <- h W
            s = decay * s + y_in * g_c  # CEC: s_c(t) = s_c(t-1) + y^in(t) g(net_c(t)), decay = 1
            rnn[k], lstm[k] = h, s
    return CarouselSignal(np.arange(steps + 1), rnn, lstm, float(weight), float(decay))


# ======================================================================================
# Error on the carousel of a real 1997 network
# ======================================================================================
@dataclass(frozen=True)
class CarouselGradients:
    """Where the error of a 1997 network is scaled and where it is not; arrays are (batch, T, C).

    With the scissors on, dL/ds_c(t) = dL/ds_c(t+1) (the CEC), the error enters the carousel
    as dL/ds_c(T-1) = dL/dy^c(T-1) * y^out h'(s_c) and leaves it towards the cell's input
    weights as dL/dnet_c(t) = dL/ds_c(t) * y^in(t) g'(net_c(t)) (paper, Sec. 4, "Learning").
    """

    dL_ds: np.ndarray  # dL/ds_c(t), the error on the carousel
    dL_dnet_c: np.ndarray  # dL/dnet_c(t), the error that leaves it towards the cell input weights
    y_in: np.ndarray  # y^in(t) of each cell's block
    g_prime: np.ndarray  # g'(net_c(t))
    y_out: np.ndarray  # y^out(t) of each cell's block
    h_prime: np.ndarray  # h'(s_c(t))
    dL_dyc_last: np.ndarray  # (batch, C) dL/dy^c at the last step: the error arriving at the cell output


def carousel_gradients(model: LSTM1997, x: torch.Tensor,
                       loss_fn: Optional[Callable[[torch.Tensor], torch.Tensor]] = None) -> CarouselGradients:
    """Measure the error on and around the carousel of a 1997 network with autograd.

    ``loss_fn`` maps the outputs (batch, T, n_out) to a scalar; default: the sum of the
    outputs at the last step (:func:`lstm_core.analysis.gradients.last_step_loss`).
    """
    validate.instance("model", model, LSTM1997, needed_by="carousel_gradients")
    trace = model.run(x)
    loss = (loss_fn or last_step_loss)(trace.outputs)
    if loss.dim() != 0:
        raise ValueError(f"loss_fn must return a scalar, got shape {tuple(loss.shape)}")
    steps: list[CellStep] = trace.steps
    T = len(steps)
    wanted = list(trace.states) + [st.net_c for st in steps] + [steps[-1].y_c]
    grads = torch.autograd.grad(loss, wanted, allow_unused=True)

    def stacked(tensors: Sequence[Optional[torch.Tensor]], like: torch.Tensor) -> np.ndarray:
        cols = [torch.zeros_like(like) if t is None else t for t in tensors]
        return torch.stack(cols, dim=1).detach().numpy()

    cell = model.cell
    g_prime_fn = activations.get_prime(cell.g_name)
    h_prime_fn = activations.get_prime(cell.h_name)
    with torch.no_grad():
        s0 = trace.states[0]
        return CarouselGradients(
            dL_ds=stacked(grads[:T], s0),
            dL_dnet_c=stacked(grads[T:2 * T], s0),
            y_in=stacked([cell.per_cell(st.y_in) for st in steps], s0),
            g_prime=stacked([g_prime_fn(st.net_c) for st in steps], s0),
            y_out=stacked([cell.per_cell(st.y_out) for st in steps], s0),
            h_prime=stacked([h_prime_fn(st.s) for st in steps], s0),
            dL_dyc_last=(torch.zeros_like(s0) if grads[-1] is None else grads[-1]).detach().numpy(),
        )


def set_forget_bias(model: TorchLSTM, value: float) -> TorchLSTM:
    """Set the forget-gate bias of a ``TorchLSTM`` (``nn.LSTM``) to ``value``; returns the model.

    ``nn.LSTM`` keeps two bias vectors, ``bias_ih`` and ``bias_hh``, each with the gates in the
    order (i, f, g, o); the forget gate's total bias becomes ``value`` (``bias_ih`` = value,
    ``bias_hh`` = 0). At initialisation with zero inputs, y^phi = sigma(value).
    The forget gate is Gers et al.'s (1999/2000), not part of the 1997 cell.
    """
    validate.instance("model", model, TorchLSTM, needed_by="set_forget_bias")
    value = validate.real("value (the forget-gate bias)", value, example="1.0")
    H = model.rnn.hidden_size
    with torch.no_grad():
        model.rnn.bias_ih_l0[H:2 * H] = value  # rows H..2H-1: the forget gate f
        model.rnn.bias_hh_l0[H:2 * H] = 0.0
    return model


# ======================================================================================
# The five stages of one cell update (the step-through figure)
# ======================================================================================
@dataclass(frozen=True)
class Stage:
    """One stage of a memory-cell update, as the step-through figure shows it."""

    number: int  # 1..5, in the order the cell computes
    title: str  # what happens, in words
    formula: str  # the paper's formula with this update's numbers filled in
    name: str  # the CellStep field this stage produces ("y_in", "g_c", "s", "y_out", "y_c")
    value: float  # that field's value


CELL_VALUE_NAMES = ("net_in", "y_in", "net_c", "g_c", "s_prev", "s", "net_out", "y_out", "h_s", "y_c")


def cell_values(step: CellStep, index: int = 0) -> dict[str, float]:
    """The quantities of one cell's update as plain floats, keyed by ``CELL_VALUE_NAMES``.

    ``index`` picks one cell when ``step`` holds several (flattened order). Without an output
    gate, ``net_out`` is NaN (y^out = 1).

    >>> from lstm_core.model.cells import step_from_preactivations
    >>> round(cell_values(step_from_preactivations(0.0, 0.0, 0.0, 1.0))["y_c"], 4)
    0.2311
    """
    out = {}
    for name in CELL_VALUE_NAMES:
        tensor = getattr(step, name)
        if tensor is None:
            out[name] = float("nan")
            continue
        flat = torch.as_tensor(tensor).detach().reshape(-1)
        if flat.numel() == 1:
            out[name] = float(flat[0])  # a value shared by all cells (e.g. a scalar gate)
        elif 0 <= index < flat.numel():
            out[name] = float(flat[index])
        else:
            raise ValueError(f"index {index} out of range; the step holds {flat.numel()} values of {name}")
    return out


def cell_update_stages(step: CellStep, index: int = 0) -> tuple[Stage, ...]:
    """The five stages of one update of a single cell (element ``index`` of ``step``).

    ``step`` comes from :func:`lstm_core.model.cells.step_from_preactivations` (or a network's
    ``step``); it must have an output gate's net input (``net_out``), no forget gate, and the
    paper's squashers g = 4σ − 2 and h = 2σ − 1 (the formulas spell them out).

    >>> from lstm_core.model.cells import step_from_preactivations
    >>> stages = cell_update_stages(step_from_preactivations(-2.1, 1.5, 0.5, 1.5))
    >>> [round(st.value, 3) for st in stages]
    [0.109, 1.27, 1.639, 0.622, 0.42]
    >>> stages[2].formula
    's_c(t) = s_c(t-1) + y^in g(net_c) = 1.500 + 0.109 × 1.270 = 1.639'
    """
    if step.net_out is None:
        raise ValueError("cell_update_stages needs an output gate (net_out); got a step without one")
    if step.y_forget is not None:
        raise ValueError("cell_update_stages shows the 1997 cell; got a step with the later forget gate")

    val = cell_values(step, index)
    net_in, y_in, net_c, g_c = val["net_in"], val["y_in"], val["net_c"], val["g_c"]
    s_prev, s, net_out, y_out = val["s_prev"], val["s"], val["net_out"], val["y_out"]
    h_s, y_c = val["h_s"], val["y_c"]
    sig = lambda z: 1.0 / (1.0 + math.exp(-z))  # noqa: E731
    if not (math.isclose(g_c, 4 * sig(net_c) - 2, abs_tol=1e-6) and math.isclose(h_s, 2 * sig(s) - 1, abs_tol=1e-6)):
        raise ValueError("cell_update_stages writes the paper's g = 4σ − 2 and h = 2σ − 1; "
                         "this step used other squashers (e.g. g='sigmoid', h='identity')")
    return (
        Stage(1, "input gate: may we write?",
              f"y^in = f(net_in) = f({net_in:.3f}) = {y_in:.3f}", "y_in", y_in),
        Stage(2, "squash the cell input",
              f"g(net_c) = 4σ({net_c:.3f}) − 2 = {g_c:.3f}", "g_c", g_c),
        Stage(3, "write onto the carousel (CEC)",
              f"s_c(t) = s_c(t-1) + y^in g(net_c) = {s_prev:.3f} + {y_in:.3f} × {g_c:.3f} = {s:.3f}", "s", s),
        Stage(4, "output gate: may we read?",
              f"y^out = f(net_out) = f({net_out:.3f}) = {y_out:.3f}", "y_out", y_out),
        Stage(5, "squash the state and read it out",
              f"y^c = y^out h(s_c) = {y_out:.3f} × (2σ({s:.3f}) − 1) = {y_out:.3f} × {h_s:.3f} = {y_c:.3f}",
              "y_c", y_c),
    )


# ======================================================================================
# A hand-set network: the gates as write and read permissions
# ======================================================================================
WRITE_READ_INPUTS = ("value", "write", "read")  # the input lines of write_read_network


def write_read_network(gain: float = 10.0) -> LSTM1997:
    """One 1997 memory cell whose gates obey two input lines; every other weight is 0.

    Inputs (``WRITE_READ_INPUTS``): a value, a "write" flag and a "read" flag (0 or 1).

    - net_c = value, so g(net_c) ~ value for small values (g'(0) = 1);
    - net_in = gain (2 write - 1): y^in = f(gain) ~ 1 when write = 1, f(-gain) ~ 0 otherwise;
    - net_out = gain (2 read - 1): y^out likewise with the read flag.

    The output unit reads y^c with weight 1 and no bias. Nothing is learned: this is the
    behaviour that training has to discover. Recurrent weights are 0, so the scissors do not
    matter here.

    >>> net = write_read_network()
    >>> net.cell.weight_in[0, :3].tolist(), net.cell.bias_in.tolist()
    ([0.0, 20.0, 0.0], [-10.0])
    """
    gain = validate.positive_real("gain", gain, example="10")
    config = LSTM1997Config(n_inputs=3, n_outputs=1, n_blocks=1, block_size=1, bias_units="hidden")
    net = LSTM1997(config, seed=0)
    cell = net.cell
    with torch.no_grad():
        for p in net.parameters():
            p.zero_()
        cell.weight_c[0, 0] = 1.0  # net_c = value
        cell.weight_in[0, 1] = 2 * gain  # net_in = 2 gain write - gain
        cell.bias_in[0] = -gain
        cell.weight_out[0, 2] = 2 * gain  # net_out = 2 gain read - gain
        cell.bias_out[0] = -gain
        net.output_units.weight[0, 0] = 1.0
    return net


def write_read_inputs(values: Sequence[float], write_at: Sequence[int], read_at: Sequence[int]) -> torch.Tensor:
    """Inputs (1, T, 3) for :func:`write_read_network`: the values, with write/read flags at given steps.

    >>> x = write_read_inputs([0.5, -0.25, 0.125], write_at=[0], read_at=[2])
    >>> x.shape, x[0].tolist()
    (torch.Size([1, 3, 3]), [[0.5, 1.0, 0.0], [-0.25, 0.0, 0.0], [0.125, 0.0, 1.0]])
    """
    values = np.asarray(values, dtype=np.float32)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"values must be a non-empty 1-d sequence, got shape {values.shape}")
    T = values.size
    x = np.zeros((1, T, 3), dtype=np.float32)
    x[0, :, 0] = values
    for name, steps, col in (("write_at", write_at, 1), ("read_at", read_at, 2)):
        for t in steps:
            validate.nonneg_int(f"{name} (a step index)", t, high=T - 1)
            x[0, t, col] = 1.0
    return torch.from_numpy(x)


# ======================================================================================
# An unending stream: the state drift that led to the forget gate
# ======================================================================================
def adding_stream(n_sequences: int, T: int = 100, seed: int = 0) -> torch.Tensor:
    """``n_sequences`` adding-problem sequences (Exp. 4) laid end to end: one stream (1, steps, 2).

    Each sequence keeps its own length (T to T + T/10 steps); nothing marks a boundary for
    the network except the -1 markers the task puts at each sequence's first and last pair,
    and no state is reset in between.
    """
    from lstm_core.tasks import adding

    n_sequences = validate.positive_int("n_sequences", n_sequences)
    batch = adding.generate(adding.AddingConfig(T=T), n_sequences, seed)
    parts = [batch.inputs[i, : batch.lengths[i]] for i in range(batch.n)]
    return torch.from_numpy(np.concatenate(parts)[None].astype(np.float32))


@dataclass(frozen=True)
class StreamRun:
    """A 1997 network (or its forget-gate variant) run over a stream; arrays are (batch, T, C)."""

    s: np.ndarray  # s_c(t), the cell states
    written: np.ndarray  # y^in(t) g(net_c(t)), what each step adds to the carousel
    y_forget: Optional[np.ndarray]  # y^phi(t) per cell (forget-gate variant), None for the 1997 cell


def run_stream(model: LSTM1997, x: torch.Tensor) -> StreamRun:
    """Run ``model`` over ``x`` (batch, T, n_in) from s_c(0) = 0 with no reset, without gradients."""
    validate.instance("model", model, LSTM1997, needed_by="run_stream")
    with torch.no_grad():
        trace = model.run(x)
        cell = model.cell
        s = torch.stack(trace.states, dim=1)
        written = torch.stack([cell.per_cell(st.y_in) * st.g_c for st in trace.steps], dim=1)
        y_forget = (torch.stack([cell.per_cell(st.y_forget) for st in trace.steps], dim=1).numpy()
                    if cell.forget_gate else None)
    return StreamRun(s.numpy(), written.numpy(), y_forget)

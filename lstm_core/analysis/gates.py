"""The gates that guard the carousel: one cell update stage by stage, and a hand-set network whose
gates obey "write" and "read" lines.

The cell reads its state through the output gate, y^c(t) = y^out(t) h(s_c(t)), and writes through
the input gate, y^in(t) g(net_c(t)). Plots: :mod:`lstm_core.plots.gates`; panels:
:mod:`lstm_core.dashboards.gates`.

| function                | computes                                                                  |
|-------------------------|---------------------------------------------------------------------------|
| ``cell_values``         | the named quantities of one cell in one step, as floats                   |
| ``cell_update_stages``  | the five stages of one cell update, with formulas and numbers            |
| ``write_read_network``  | a hand-set 1997 network whose gates obey "write" and "read" input lines   |
| ``write_read_inputs``   | the input sequence for it                                                 |
| ``adding_stream``       | adding-problem pairs as one unending stream, no resets                    |
| ``run_stream``          | s_c(t), y^in g, y^phi over a stream, for the state-drift figure          |
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np
import torch

from lstm_core import validation as validate
from lstm_core.model.cells import CellStep
from lstm_core.model.networks import LSTM1997, LSTM1997Config

__all__ = ["CELL_VALUE_NAMES", "cell_values", "Stage", "cell_update_stages", "WRITE_READ_INPUTS",
           "write_read_network", "write_read_inputs", "adding_stream", "StreamRun", "run_stream"]


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

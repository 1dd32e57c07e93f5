"""The gates: the output gate reading the cell (the check of that exercise).

| check           | exercise           | the learner writes                          |
|-----------------|--------------------|---------------------------------------------|
| ``cell_output`` | ``ex-05-output``   | ``cell_output(y_out, s)``: y^c = y^out h(s_c) |

Every check returns a :class:`~lstm_core.check.engine.CheckReport`; the known wrong answers it
recognises are in ``MISTAKES`` (check name -> mistakes), written in the learner's own format, so
tests and graders can feed them to the check. All are importable as ``lstm_core.check.<name>``.
"""
from __future__ import annotations

from typing import Any, Callable

import torch

from lstm_core.model import activations
from lstm_core.model.activations import f, g
from lstm_core.model.cells import cell_update
from lstm_core.check.cases import F64, scalar, uniform
from lstm_core.check.engine import Case, CheckReport, Mistake, check_answer

__all__ = ["cell_output"]


def _library_cell_output(y_out: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
    """y^c from lstm_core.model.cells.cell_update, with nothing written (y^in = 0) so that s_c stays s."""
    with torch.no_grad():
        zeros = torch.zeros_like(s)
        return cell_update(s, zeros, zeros, y_out, activations.h)[2]


def _output_cases() -> list[Case]:
    gen = torch.Generator().manual_seed(5)
    f, g = activations.f, activations.g
    s_example = 1.5 + f(scalar(-2.1)) * g(scalar(1.5))  # the state of chapter 5's worked example
    return [
        Case("chapter 5's example: y_out = f(0.5), s = 1.5 + f(-2.1) g(1.5)", (f(scalar(0.5)), s_example)),
        Case("output gate open: y_out = 1, s = -0.8", (scalar(1.0), scalar(-0.8))),
        Case("output gate shut: y_out = 0, s = 3", (scalar(0.0), scalar(3.0))),
        Case("a drifted state: y_out = 0.9, s = 10", (scalar(0.9), scalar(10.0))),
        Case("4 cells", (f(torch.randn(4, generator=gen, dtype=F64)), uniform(gen, 4, scale=4.0))),
    ]


_CELL_OUTPUT_MISTAKES = (
    Mistake("sigmoid instead of h", lambda y, s: y * torch.sigmoid(s),
            "That is the source article's slip: the logistic function has range (0, 1), so your cell could "
            "never output a negative value. Look up the paper's h: its range is [-1, 1]."),
    Mistake("tanh instead of h", lambda y, s: y * torch.tanh(s),
            "tanh is the modern choice; the 1997 paper squashes the state with its own h. "
            "Same range, different slope: build h from the logistic function."),
    Mistake("g instead of h", lambda y, s: y * activations.g(s),
            "That is the cell *input* squasher g, range [-2, 2]. The state is read through h."),
    Mistake("no squashing", lambda y, s: y * s,
            "The state is unbounded (it can drift far from 0); it is squashed before it leaves the cell."),
    Mistake("gate applied before squashing", lambda y, s: activations.h(y * s),
            "Order matters: the state is squashed first and the gate scales the result, so a shut gate "
            "gives exactly 0 and an open one the full squashed state."),
    Mistake("no output gate", lambda y, s: activations.h(s),
            "Your cell is always readable: where does the read permission y_out enter?"),
)


def cell_output(candidate: Callable[..., Any]) -> CheckReport:
    """Chapter 5, exercise ex-05-output: the cell output y^c = y^out h(s_c), h(x) = 2 sigma(x) - 1.

    ``candidate(y_out, s)`` takes float64 tensors of one shape and returns y^c; compared with
    ``lstm_core.model.cells.cell_update`` with the paper's h (``lstm_core.model.activations.h``)."""
    return check_answer(candidate, _library_cell_output, _output_cases(),
                          exercise="The cell output (ex-05-output)", mistakes=_CELL_OUTPUT_MISTAKES,
                          hint="Two stages: squash the state with the paper's h, then let the output gate "
                               "scale it.")


#: check name -> the wrong answers it recognises, in the learner's format (for tests and graders).
MISTAKES: dict[str, tuple[Mistake, ...]] = dict(cell_output=_CELL_OUTPUT_MISTAKES)

"""The size of a 1997 network and the paper's squashers: the checks of those exercises.

| check               | exercise                | the learner writes                                                        |
|---------------------|-------------------------|---------------------------------------------------------------------------|
| ``count_weights``   | ``ex-01-weights``       | ``count_weights(n_inputs, n_outputs, n_blocks, block_size, bias_units)`` (Table 10) |
| ``paper_squashers`` | ``ex-06-squashers``     | ``paper_squashers(x)``: (g(x), h(x)) from the logistic function           |

Every check returns a :class:`~lstm_core.check.engine.CheckReport`; the known wrong answers it
recognises are in ``MISTAKES`` (check name -> mistakes), written in the learner's own format, so
tests and graders can feed them to the check. All are importable as ``lstm_core.check.<name>``.
"""
from __future__ import annotations

from typing import Any, Callable

import torch

from lstm_core.model import activations, cells
from lstm_core.model.networks import LSTM1997, LSTM1997Config, count_parameters, paper_spec
from lstm_core.check.cases import F64, scalar, uniform
from lstm_core.check.engine import Case, CheckReport, Mistake, check_answer

__all__ = ["count_weights", "paper_squashers"]


_TABLE10_NETWORKS = ("adding", "reber-4x1", "reber-3x2", "3", "6b", "2c")


def _library_weight_count(n_inputs: int, n_outputs: int, n_blocks: int, block_size: int,
                          bias_units: str) -> int:
    """count_parameters of the course's 1997 network with these sizes (its counts match Table 10)."""
    config = LSTM1997Config(n_inputs=n_inputs, n_outputs=n_outputs, n_blocks=n_blocks,
                            block_size=block_size, bias_units=bias_units)
    return count_parameters(LSTM1997(config, seed=0))


def _weight_cases() -> list[Case]:
    cases = []
    for name in _TABLE10_NETWORKS:
        spec = paper_spec(name)
        c = spec.config
        args = (c.n_inputs, c.n_outputs, c.n_blocks, c.block_size, c.bias_units)
        cases.append(Case(f"experiment {name}: {c.n_inputs} inputs, {c.n_outputs} outputs, {c.n_blocks} blocks "
                          f"of {c.block_size}, bias_units={c.bias_units!r} (Table 10: {spec.table10_weights})", args))
    return cases


def _biases(bias_units: str, gate_units: int, cells: int, outputs: int) -> int:
    """How many units carry a bias (one weight each), for a given count of each kind of unit."""
    return {"none": 0, "gates": gate_units, "hidden": gate_units + cells,
            "all": gate_units + cells + outputs}.get(bias_units, 0)


def _weights_with(n_in: int, n_out: int, B: int, S: int, bias_units: str, *, gates: int | None = None,
                  fed_back: str = "hidden", outputs_read: str = "cells", biases: bool = True,
                  output_weights: bool = True) -> int:
    """A weight count under (possibly wrong) assumptions; the defaults give Table 10's rule."""
    C = B * S                                   # cells
    G = 2 * B if gates is None else gates       # gate units: one input and one output gate per block
    H = C + G                                   # hidden units
    back = {"hidden": H, "cells": C, "none": 0}[fed_back]  # recurrent inputs of each hidden unit
    read = {"cells": C, "hidden": H}[outputs_read]
    return (H * (n_in + back) + (n_out * read if output_weights else 0)
            + (_biases(bias_units, G, C, n_out) if biases else 0))


_COUNT_WEIGHTS_MISTAKES = (
    Mistake("only the cell outputs fed back",
            lambda n_in, n_out, B, S, b: _weights_with(n_in, n_out, B, S, b, fed_back="cells"),
            "In connectivity \"F\" every hidden unit reads the previous activations of all hidden units, "
            "the gates' activations as well as the cells' outputs (nn.LSTM feeds back only the cell "
            "outputs; the 1997 network does not)."),
    Mistake("no recurrent connections",
            lambda n_in, n_out, B, S, b: _weights_with(n_in, n_out, B, S, b, fed_back="none"),
            "A recurrent network: besides the inputs, each hidden unit reads the hidden activations of the "
            "previous step. Count those incoming weights too."),
    Mistake("gates not counted",
            lambda n_in, n_out, B, S, b: _weights_with(n_in, n_out, B, S, b, gates=0),
            "The gates are units with incoming weights of their own, and they receive the same inputs as "
            "the cells. How many gates does a block have?"),
    Mistake("one pair of gates per cell",
            lambda n_in, n_out, B, S, b: _weights_with(n_in, n_out, B, S, b, gates=2 * B * S),
            "Gates belong to blocks, not to cells: all cells of a block share its input gate and its "
            "output gate. Compare a network of blocks of 2 cells with one of blocks of 1."),
    Mistake("output units read every hidden unit",
            lambda n_in, n_out, B, S, b: _weights_with(n_in, n_out, B, S, b, outputs_read="hidden"),
            "The output units read the cell outputs y^c only, not the gates' activations."),
    Mistake("biases left out",
            lambda n_in, n_out, B, S, b: _weights_with(n_in, n_out, B, S, b, biases=False),
            "Table 10's 'bias units' column says which units carry a bias, and each bias counts as one weight: "
            "'gates' (gate units only), 'hidden' (gates and cells), 'all' (every non-input unit)."),
    Mistake("output weights left out",
            lambda n_in, n_out, B, S, b: _weights_with(n_in, n_out, B, S, b, output_weights=False),
            "The connections from the cells to the output units are weights too."),
)


def count_weights(candidate: Callable[..., int]) -> CheckReport:
    """Chapter 1, exercise ex-01-weights: the weight count of a 1997 network (Table 10's rule).

    ``candidate(n_inputs, n_outputs, n_blocks, block_size, bias_units)`` must return the number
    of weights, biases included, of the paper's network with connectivity "F"; it is compared with
    ``count_parameters`` of the course's network on six of the paper's networks."""
    return check_answer(candidate, _library_weight_count, _weight_cases(),
                          exercise="The size of a 1997 network (ex-01-weights)",
                          mistakes=_COUNT_WEIGHTS_MISTAKES,
                          hint="Count unit by unit: which units are there, what does each one read, "
                               "which of them carry a bias?")


def _library_squashers(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(g(x), h(x)) from lstm_core.model.activations."""
    return activations.g(x), activations.h(x)


def _squasher_cases() -> list[Case]:
    gen = torch.Generator().manual_seed(6)
    return [
        Case("x = -6, -3, 0, 3, 6", (torch.linspace(-6, 6, 5, dtype=F64),)),
        Case("x = 0", (scalar(0.0),)),
        Case("x = -30, 30 (saturated)", (torch.tensor([-30.0, 30.0], dtype=F64),)),
        Case("x = 0.1, -0.1 (near 0, where the slopes show)", (torch.tensor([0.1, -0.1], dtype=F64),)),
        Case("4 random values", (uniform(gen, 4, scale=3.0),)),
    ]


_SQUASHER_MISTAKES = (
    Mistake("g and h swapped", lambda x: (activations.h(x), activations.g(x)),
            "Check the ranges: the cell input is squashed into [-2, 2], the cell state into [-1, 1]. "
            "(The caption of Table 10 swaps the two; the text and App. A.1 do not.)"),
    Mistake("tanh for both", lambda x: (torch.tanh(x), torch.tanh(x)),
            "Those are today's squashers. The paper builds its two from the logistic function, with two "
            "different ranges."),
    Mistake("2 tanh(x) and tanh(x)", lambda x: (2 * torch.tanh(x), torch.tanh(x)),
            "The ranges are right but the slopes are not: compare your slopes at 0 with the chapter's "
            "g'(0) = 1 and h'(0) = 1/2."),
    Mistake("logistic for both", lambda x: (torch.sigmoid(x), torch.sigmoid(x)),
            "Both squashers are centred on 0 (g(0) = h(0) = 0) and have different ranges: stretch and shift "
            "the logistic function."),
    Mistake("not shifted", lambda x: (4 * torch.sigmoid(x), 2 * torch.sigmoid(x)),
            "Your squashers are never negative: a cell must be able to store and output negative values. Shift them."),
    Mistake("the squashers of experiments 2a/2b", lambda x: (torch.sigmoid(x), x.clone()),
            "Those are the exceptions of experiments 2a and 2b (g = sigmoid, h = identity). The paper's "
            "default g and h are stretched, shifted logistic functions."),
)


def paper_squashers(candidate: Callable[[torch.Tensor], Any]) -> CheckReport:
    """Chapter 6, exercise ex-06-squashers: the paper's g(x) = 4 sigma(x) - 2 and h(x) = 2 sigma(x) - 1.

    ``candidate(x)`` takes a float64 tensor and returns the pair (g(x), h(x)); compared with
    ``lstm_core.model.activations.g`` and ``lstm_core.model.activations.h``."""
    return check_answer(candidate, _library_squashers, _squasher_cases(),
                          exercise="The paper's squashers (ex-06-squashers)", mistakes=_SQUASHER_MISTAKES,
                          hint="Start from the logistic function (range (0, 1)); stretch it to the width of each "
                               "range, then shift it so that it is centred on 0.")


#: check name -> the wrong answers it recognises, in the learner's format (for tests and graders).
MISTAKES: dict[str, tuple[Mistake, ...]] = dict(count_weights=_COUNT_WEIGHTS_MISTAKES,
    paper_squashers=_SQUASHER_MISTAKES)

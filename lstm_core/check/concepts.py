"""Checks for the exercises of chapters 1-6: one function per coding exercise.

Each check takes the learner's answer (a function, or for ``keep_half`` a number), runs it and
``lstm_core``'s own code on several cases (edge cases included) and returns a
:class:`~lstm_core.check.CheckReport`. When the answer behaves like a known wrong answer on every
case, the report carries that mistake's name and a hint. The engine is in :mod:`lstm_core.check`.

| check             | chapter, exercise      | the learner writes                                               |
|-------------------|------------------------|------------------------------------------------------------------|
| ``count_weights`` | 1, ``ex-01-weights``   | ``count_weights(n_inputs, n_outputs, n_blocks, block_size, bias_units)`` |
| ``rnn_step``      | 2, ``ex-02-rnn-step``  | ``rnn_step(x, h_prev, W_xh, W_hh, b)``: h_t = tanh(W_xh x + W_hh h + b) |
| ``step_jacobian`` | 3, ``ex-03-jacobian``  | ``step_jacobian(x, h_prev, W_xh, W_hh, b)``: d h_t / d h_{t-1}     |
| ``keep_half``     | 3, ``ex-03-half``      | the number ``w_half``: a per-step factor keeping half over 100 steps |
| ``cec_update``    | 4, ``ex-04-cec``       | ``cec_update(s_prev, y_in, g_c)``: s_c(t) = s_c(t-1) + y^in g(net_c) |
| ``carried_error`` | 4, ``ex-04-decay``     | ``carried_error(decay, steps)``: d s_c(steps) / d s_c(0)           |
| ``cell_output``   | 5, ``ex-05-output``    | ``cell_output(y_out, s)``: y^c = y^out h(s_c)                       |
| ``settled_state`` | 5, ``ex-05-forget``    | ``settled_state(written, y_forget)``: where a forget-gate cell settles |
| ``scissors``      | 6, ``ex-06-scissors``  | ``scissors(x, y_prev, s_prev)``: what step t reads, with the cut   |
| ``paper_squashers`` | 6, ``ex-06-squashers`` | ``paper_squashers(x)``: (g(x), h(x)) from the logistic function  |

The known wrong answers of each check are in ``MISTAKES`` (check name -> tuple of
:class:`~lstm_core.check.Mistake`), written in the same form as the learner's answer, so tests can
feed each one to its check.

>>> cec_update(lambda s_prev, y_in, g_c: s_prev + y_in * g_c).ok
True
>>> report = cec_update(lambda s_prev, y_in, g_c: s_prev * y_in * g_c)
>>> report.ok, report.mistake
(False, 'multiplicative CEC')
"""
from __future__ import annotations

import copy
import functools
import math
from typing import Any, Callable

import numpy as np
import torch

from lstm_core.model import activations
from lstm_core.analysis.carousel import carousel_signal
from lstm_core.model.cells import VanillaRNNCell, cell_update
from lstm_core.check.engine import Case, CheckReport, Mistake, answer_or_stub, check_function, check_value, is_stub
from lstm_core.analysis.gradients import last_step_loss, product_chain
from lstm_core.model.networks import LSTM1997, LSTM1997Config, count_parameters, paper_network, paper_spec

__all__ = [
    "count_weights",
    "rnn_step",
    "step_jacobian",
    "keep_half",
    "cec_update",
    "carried_error",
    "cell_output",
    "settled_state",
    "scissors",
    "paper_squashers",
]

F64 = torch.float64


# ======================================================================================
# Helpers shared by the checks
# ======================================================================================
def _answer(candidate: Any, copies: bool = True) -> Any:
    """The learner's function, ready for ``check_function``.

    A stub becomes ``...`` (the engine reports "not answered yet"); with ``copies``, a real
    function is called on copies of the case's arguments, so an in-place change cannot leak into
    the reference or the comparison with known mistakes."""
    if is_stub(candidate):
        return Ellipsis
    if not callable(candidate) or not copies:
        return candidate

    def on_copies(*args: Any) -> Any:
        return answer_or_stub(candidate(*copy.deepcopy(args)))

    return on_copies


def _uniform(gen: torch.Generator, *shape: int, scale: float = 1.0) -> torch.Tensor:
    """Float64 numbers drawn uniformly from [-scale, scale]."""
    return scale * (2 * torch.rand(*shape, generator=gen, dtype=F64) - 1)


# ======================================================================================
# Chapter 1: the size of a 1997 network (Table 10)
# ======================================================================================
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
    return check_function(_answer(candidate), _library_weight_count, _weight_cases(),
                          exercise="The size of a 1997 network (ex-01-weights)",
                          mistakes=_COUNT_WEIGHTS_MISTAKES,
                          hint="Count unit by unit: which units are there, what does each one read, "
                               "which of them carry a bias?")


# ======================================================================================
# Chapters 2 and 3: one step of a tanh RNN, and its Jacobian
# ======================================================================================
def _rnn_cell(W_xh: torch.Tensor, W_hh: torch.Tensor, b: torch.Tensor) -> VanillaRNNCell:
    """The library's RNN cell holding these weights (bias_ih = b, bias_hh = 0)."""
    with torch.random.fork_rng(devices=[]):  # the cell draws initial weights: keep the global RNG untouched
        cell = VanillaRNNCell(W_xh.shape[1], W_xh.shape[0]).to(F64)
    with torch.no_grad():
        cell.weight_ih.copy_(W_xh)
        cell.weight_hh.copy_(W_hh)
        cell.bias_ih.copy_(b)
        cell.bias_hh.zero_()
    return cell


def _library_rnn_step(x: torch.Tensor, h_prev: torch.Tensor, W_xh: torch.Tensor, W_hh: torch.Tensor,
                      b: torch.Tensor) -> torch.Tensor:
    """h_t from lstm_core.model.cells.VanillaRNNCell."""
    with torch.no_grad():
        return _rnn_cell(W_xh, W_hh, b)(x[None], h_prev[None])[0]


def _library_step_jacobian(x: torch.Tensor, h_prev: torch.Tensor, W_xh: torch.Tensor, W_hh: torch.Tensor,
                           b: torch.Tensor) -> torch.Tensor:
    """d h_t / d h_{t-1} of lstm_core.model.cells.VanillaRNNCell, through autograd: (H, H)."""
    cell = _rnn_cell(W_xh, W_hh, b)
    return torch.autograd.functional.jacobian(lambda h: cell(x[None], h[None])[0], h_prev).detach()


def _rnn_cases() -> list[Case]:
    """(x, h_prev, W_xh, W_hh, b) cases: 1-d vectors, a matrix per weight, all float64."""
    gen = torch.Generator().manual_seed(2)
    cases = []
    # the first step: nothing to remember yet
    cases.append(Case("first step, h_prev = 0 (3 inputs, 2 hidden units)",
                      (_uniform(gen, 3), torch.zeros(2, dtype=F64), _uniform(gen, 2, 3), _uniform(gen, 2, 2),
                       _uniform(gen, 2, scale=0.5))))
    cases.append(Case("3 inputs, 2 hidden units",
                      (_uniform(gen, 3), _uniform(gen, 2, scale=0.9), _uniform(gen, 2, 3), _uniform(gen, 2, 2),
                       _uniform(gen, 2, scale=0.5))))
    cases.append(Case("2 inputs, 4 hidden units",
                      (_uniform(gen, 2), _uniform(gen, 4, scale=0.9), _uniform(gen, 4, 2), _uniform(gen, 4, 4),
                       _uniform(gen, 4, scale=0.5))))
    cases.append(Case("large weights, tanh saturates (3 inputs, 3 hidden units)",
                      (_uniform(gen, 3), _uniform(gen, 3, scale=0.9), _uniform(gen, 3, 3, scale=4.0),
                       _uniform(gen, 3, 3, scale=4.0), _uniform(gen, 3, scale=2.0))))
    one_hot = torch.zeros(6, dtype=F64)
    one_hot[1] = 1.0
    cases.append(Case("a one-hot letter, W_hh = 0.5 I, no bias (like the CAT example)",
                      (one_hot, _uniform(gen, 2, scale=0.5), _uniform(gen, 2, 6, scale=0.5),
                       0.5 * torch.eye(2, dtype=F64), torch.zeros(2, dtype=F64))))
    return cases


_RNN_STEP_MISTAKES = (
    Mistake("no tanh", lambda x, h, W_xh, W_hh, b: W_xh @ x + W_hh @ h + b,
            "You returned the pre-activation. The new state is squashed, so every unit stays between -1 and 1."),
    Mistake("sigmoid instead of tanh", lambda x, h, W_xh, W_hh, b: torch.sigmoid(W_xh @ x + W_hh @ h + b),
            "The squashing function of this network is tanh, range (-1, 1), not the logistic sigmoid (0, 1)."),
    Mistake("no loop", lambda x, h, W_xh, W_hh, b: torch.tanh(W_xh @ x + b),
            "Your new state ignores the previous one: the recurrent term that feeds h_{t-1} back is missing."),
    Mistake("previous state without W_hh", lambda x, h, W_xh, W_hh, b: torch.tanh(W_xh @ x + h + b),
            "The previous state does enter, but not through its weight matrix: the loop has weights too."),
    Mistake("no bias", lambda x, h, W_xh, W_hh, b: torch.tanh(W_xh @ x + W_hh @ h),
            "Everything is there except one term: check the bias."),
    Mistake("W_hh transposed", lambda x, h, W_xh, W_hh, b: torch.tanh(W_xh @ x + W_hh.T @ h + b),
            "Row i of W_hh holds the weights *into* unit i. Multiply the matrix by the vector, "
            "not the vector by the matrix (or transpose where the shapes call for it)."),
)


def rnn_step(candidate: Callable[..., Any]) -> CheckReport:
    """Chapter 2, exercise ex-02-rnn-step: h_t = tanh(W_xh x_t + W_hh h_{t-1} + b).

    ``candidate(x, h_prev, W_xh, W_hh, b)`` takes float64 tensors (x: (n_in,), h_prev and b: (H,),
    W_xh: (H, n_in), W_hh: (H, H)) and returns h_t, (H,); it is compared with
    ``lstm_core.model.cells.VanillaRNNCell`` holding the same weights."""
    return check_function(_answer(candidate), _library_rnn_step, _rnn_cases(),
                          exercise="One step of a tanh RNN (ex-02-rnn-step)", mistakes=_RNN_STEP_MISTAKES,
                          hint="Write the formula term by term: the input through W_xh, the previous state "
                               "through W_hh, the bias, then the squashing function.")


def _slope(a: torch.Tensor) -> torch.Tensor:
    """diag(tanh'(a)) = diag(1 - tanh(a)^2)."""
    return torch.diag(1 - torch.tanh(a) ** 2)


def _h_new(x: torch.Tensor, h: torch.Tensor, W_xh: torch.Tensor, W_hh: torch.Tensor,
           b: torch.Tensor) -> torch.Tensor:
    """h_t = tanh(W_xh x + W_hh h + b): shorthand for the mistakes below."""
    return torch.tanh(W_xh @ x + W_hh @ h + b)


_STEP_JACOBIAN_MISTAKES = (
    Mistake("no slope", lambda x, h, W_xh, W_hh, b: W_hh.clone(),
            "W_hh is only half of it: h_t = tanh(a_t), so the chain rule adds the slope of tanh."),
    Mistake("W_hh diag(slope)", lambda x, h, W_xh, W_hh, b: W_hh @ torch.diag(1 - _h_new(x, h, W_xh, W_hh, b) ** 2),
            "The right numbers in the wrong order. Row i of the Jacobian is d h_t[i] / d h_{t-1}: which "
            "factor belongs to unit i of the *new* state? Multiplying a diagonal matrix from the left "
            "scales rows, from the right it scales columns."),
    Mistake("the article's form, W_hh diag(tanh'(h_{t-1}))",
            lambda x, h, W_xh, W_hh, b: W_hh @ _slope(h),
            "That is the article's formula, and it is off twice: the slope belongs to the pre-activation "
            "of step t (not to h_{t-1}), and it multiplies from the left."),
    Mistake("slope taken from h_{t-1}", lambda x, h, W_xh, W_hh, b: torch.diag(1 - h ** 2) @ W_hh,
            "The slope belongs to the step you differentiate: use the tanh of step t, not the state of "
            "step t-1."),
    Mistake("tanh' evaluated at h_t", lambda x, h, W_xh, W_hh, b: _slope(_h_new(x, h, W_xh, W_hh, b)) @ W_hh,
            "You applied tanh' to h_t, which is already a tanh. tanh'(a) = 1 - tanh(a)^2: what is tanh(a_t)?"),
    Mistake("slope written 1 - h", lambda x, h, W_xh, W_hh, b: torch.diag(1 - _h_new(x, h, W_xh, W_hh, b)) @ W_hh,
            "Check the derivative of tanh: d tanh(a)/da = 1 - tanh(a)^2."),
    Mistake("transposed", lambda x, h, W_xh, W_hh, b: (_slope(W_xh @ x + W_hh @ h + b) @ W_hh).T,
            "Your matrix is transposed: entry [i, j] must be d h_t[i] / d h_{t-1}[j]."),
)


def step_jacobian(candidate: Callable[..., Any]) -> CheckReport:
    """Chapter 3, exercise ex-03-jacobian: d h_t / d h_{t-1} = diag(tanh'(a_t)) W_hh.

    ``candidate(x, h_prev, W_xh, W_hh, b)`` (arguments as for :func:`rnn_step`) returns the
    (H, H) matrix with entry [i, j] = d h_t[i] / d h_{t-1}[j]; it is compared with autograd's
    Jacobian of ``lstm_core.model.cells.VanillaRNNCell``."""
    return check_function(_answer(candidate), _library_step_jacobian, _rnn_cases(),
                          exercise="The Jacobian of one step (ex-03-jacobian)", mistakes=_STEP_JACOBIAN_MISTAKES,
                          hint="h_t = tanh(a_t) with a_t = W_xh x + W_hh h_{t-1} + b: apply the chain rule to "
                               "one entry h_t[i] first, then assemble the matrix.")


# ======================================================================================
# Chapter 3: the factor that keeps half of the signal over 100 steps
# ======================================================================================
HALF_STEPS = 100  # the exercise's number of steps
HALF_FRACTION = 0.5  # the fraction of the signal to keep


def _keep_fraction_factor(fraction: float, steps: int) -> float:
    """The per-step factor w with product_chain(w, 1, steps)[steps] = fraction, by bisection."""
    lo, hi = 0.0, 1.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if product_chain(mid, 1.0, steps)[steps] < fraction:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


_KEEP_HALF_MISTAKES = (
    Mistake("power instead of root", HALF_FRACTION ** HALF_STEPS,
            "That is what a factor of 0.5 leaves after 100 steps. You want the factor whose 100th power is 0.5."),
    Mistake("divided by the steps", HALF_FRACTION / HALF_STEPS,
            "A factor that small wipes the signal out in a few steps. The factors multiply; they do not add."),
    Mistake("linear loss", 1 - (1 - HALF_FRACTION) / HALF_STEPS,
            "You spread the loss evenly: 0.5 % per step. But each step takes its share of what is *left*, so "
            "the losses compound. Compute the 100th power of your value to see."),
    Mistake("one step too few", HALF_FRACTION ** (1 / (HALF_STEPS - 1)),
            "Off by one: 100 steps means 100 factors."),
    Mistake("one step too many", HALF_FRACTION ** (1 / (HALF_STEPS + 1)),
            "Off by one: 100 steps means 100 factors."),
    Mistake("doubling instead of halving", (1 / HALF_FRACTION) ** (1 / HALF_STEPS),
            "Your factor is above 1: the signal would double, not halve (the exploding side)."),
)


def keep_half(value: Any) -> CheckReport:
    """Chapter 3, exercise ex-03-half: the per-step factor w that keeps half the signal over 100 steps.

    ``value`` is compared with the factor found from ``lstm_core.analysis.gradients.product_chain`` by
    bisection (relative tolerance 1e-5: give it computed, not rounded)."""
    return check_value(value, _keep_fraction_factor(HALF_FRACTION, HALF_STEPS),
                       exercise="Half over a hundred steps (ex-03-half)", mistakes=_KEEP_HALF_MISTAKES, rtol=1e-5,
                       hint="Write down what is left after 100 steps with factor w, set it equal to one half "
                            "and solve for w. Compute it rather than rounding by hand.")


# ======================================================================================
# Chapter 4: the CEC update and state decay
# ======================================================================================
def _library_cec(s_prev: torch.Tensor, y_in: torch.Tensor, g_c: torch.Tensor) -> torch.Tensor:
    """s_c(t) from lstm_core.model.cells.cell_update (the output side is irrelevant here)."""
    with torch.no_grad():
        return cell_update(s_prev, y_in, g_c, torch.ones_like(s_prev), activations.h)[0]


def _t(v: float) -> torch.Tensor:
    """A float64 scalar tensor."""
    return torch.tensor(v, dtype=F64)


def _cec_cases() -> list[Case]:
    gen = torch.Generator().manual_seed(4)
    f, g = activations.f, activations.g
    return [
        Case("chapter 5's example: s_prev = 1.5, y_in = f(-2.1), g_c = g(1.5)", (_t(1.5), f(_t(-2.1)), g(_t(1.5)))),
        Case("input gate shut: s_prev = 0.7, y_in = 0, g_c = 1.9", (_t(0.7), _t(0.0), _t(1.9))),
        Case("empty cell: s_prev = 0, y_in = 0.6, g_c = -1.2", (_t(0.0), _t(0.6), _t(-1.2))),
        Case("gate wide open, g_c at its floor: s_prev = 0.4, y_in = 1, g_c = -2", (_t(0.4), _t(1.0), _t(-2.0))),
        Case("3 sequences x 4 cells", (torch.randn(3, 4, generator=gen, dtype=F64),
                                       f(torch.randn(3, 4, generator=gen, dtype=F64)),
                                       g(2 * torch.randn(3, 4, generator=gen, dtype=F64)))),
    ]


_CEC_MISTAKES = (
    Mistake("multiplicative CEC", lambda s, y, gc: s * y * gc,
            "Your state is multiplied by what comes in, so an empty cell can never fill and a shut gate "
            "erases it. The carousel keeps the old state as it is and adds the new content."),
    Mistake("forgot s_prev", lambda s, y, gc: y * gc,
            "Your cell forgets everything at every step: the new state has to carry the old one along."),
    Mistake("no input gate", lambda s, y, gc: s + gc,
            "Everything reaching the cell input gets written: what decides whether it may be?"),
    Mistake("the gate scales the old state too", lambda s, y, gc: y * (s + gc),
            "The input gate controls what is written, not what is kept: the old state should pass "
            "unchanged whatever the gate does."),
    Mistake("interpolation with 1 - y_in", lambda s, y, gc: (1 - y) * s + y * gc,
            "That is an interpolation between the old state and the input (as in a GRU): opening the gate "
            "would erase the memory. In the 1997 cell the old state is kept with weight 1.0."),
    Mistake("tanh on the carousel", lambda s, y, gc: torch.tanh(s + y * gc),
            "No squashing function sits on the carousel: a squashed state would shrink error at every step. "
            "The squashing happens where the cell is read, not here."),
    Mistake("h on the carousel", lambda s, y, gc: activations.h(s + y * gc),
            "h squashes the state when the cell is *read*; the state itself is stored unsquashed."),
    Mistake("gate squashed again", lambda s, y, gc: s + torch.sigmoid(y) * gc,
            "y_in is already the gate's output f(net_in), a number in (0, 1): do not squash it again."),
    Mistake("cell input squashed again", lambda s, y, gc: s + y * activations.g(gc),
            "g_c is already g(net_c): do not squash it again."),
)


def cec_update(candidate: Callable[..., Any]) -> CheckReport:
    """Chapter 4, exercise ex-04-cec: the CEC, s_c(t) = s_c(t-1) + y^in(t) g(net_c(t)).

    ``candidate(s_prev, y_in, g_c)`` takes float64 tensors of one shape (y_in = f(net_in) and
    g_c = g(net_c) already squashed) and returns s_c(t); compared with ``lstm_core.model.cells.cell_update``."""
    return check_function(_answer(candidate), _library_cec, _cec_cases(),
                          exercise="The CEC update (ex-04-cec)", mistakes=_CEC_MISTAKES,
                          hint="Two things happen: the old state is carried over, and the gated input is "
                               "written on top. Check each against the formula in the chapter.")


def _library_carried_error(decay: float, steps: int) -> float:
    """d s(steps) / d s(0) for s <- decay s + y^in g: lstm_core.analysis.carousel.carousel_signal's LSTM curve."""
    return float(carousel_signal(1.0, steps, decay=decay).lstm[-1])


_DECAY_CASES = (
    Case("decay = 0.9, 100 steps (the state decay of Gers et al.)", (0.9, 100)),
    Case("decay = 1.0, 100 steps (the 1997 CEC)", (1.0, 100)),
    Case("decay = 0.5, 10 steps", (0.5, 10)),
    Case("decay = 0.9, 1 step", (0.9, 1)),
    Case("decay = 0.99, 500 steps", (0.99, 500)),
    Case("decay = 0.8, 0 steps (s_c(0) itself)", (0.8, 0)),
)

_CARRIED_ERROR_MISTAKES = (
    Mistake("always 1", lambda decay, steps: 1.0,
            "That holds for the 1997 carousel only. With a factor on s_c(t-1), what does one step back do to "
            "the error?"),
    Mistake("one step too few", lambda decay, steps: decay ** (steps - 1),
            "Off by one: count how many times the update multiplies the state between s_c(0) and s_c(steps)."),
    Mistake("one step too many", lambda decay, steps: decay ** (steps + 1),
            "Off by one: count how many times the update multiplies the state between s_c(0) and s_c(steps)."),
    Mistake("linear loss", lambda decay, steps: 1 - (1 - decay) * steps,
            "The losses compound: each step scales what is left, it does not subtract a fixed amount."),
)


def carried_error(candidate: Callable[[float, int], Any]) -> CheckReport:
    """Chapter 4, exercise ex-04-decay: d s_c(steps) / d s_c(0) under s_c(t) = decay s_c(t-1) + y^in g.

    ``candidate(decay, steps)`` returns a number (or a 0-d tensor); compared with the curve of
    ``lstm_core.analysis.carousel.carousel_signal``, which is that derivative."""
    return check_function(_answer(candidate), _library_carried_error, list(_DECAY_CASES),
                          exercise="State decay (ex-04-decay)", mistakes=_CARRIED_ERROR_MISTAKES,
                          hint="Start from a tensor s_0 with requires_grad=True, apply the update `steps` times, "
                               "and ask autograd for the derivative of the final state with respect to s_0.")


# ======================================================================================
# Chapter 5: the cell output and the forget gate's resting point
# ======================================================================================
def _library_cell_output(y_out: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
    """y^c from lstm_core.model.cells.cell_update, with nothing written (y^in = 0) so that s_c stays s."""
    with torch.no_grad():
        zeros = torch.zeros_like(s)
        return cell_update(s, zeros, zeros, y_out, activations.h)[2]


def _output_cases() -> list[Case]:
    gen = torch.Generator().manual_seed(5)
    f, g = activations.f, activations.g
    s_example = 1.5 + f(_t(-2.1)) * g(_t(1.5))  # the state of chapter 5's worked example
    return [
        Case("chapter 5's example: y_out = f(0.5), s = 1.5 + f(-2.1) g(1.5)", (f(_t(0.5)), s_example)),
        Case("output gate open: y_out = 1, s = -0.8", (_t(1.0), _t(-0.8))),
        Case("output gate shut: y_out = 0, s = 3", (_t(0.0), _t(3.0))),
        Case("a drifted state: y_out = 0.9, s = 10", (_t(0.9), _t(10.0))),
        Case("4 cells", (f(torch.randn(4, generator=gen, dtype=F64)), _uniform(gen, 4, scale=4.0))),
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
    return check_function(_answer(candidate), _library_cell_output, _output_cases(),
                          exercise="The cell output (ex-05-output)", mistakes=_CELL_OUTPUT_MISTAKES,
                          hint="Two stages: squash the state with the paper's h, then let the output gate "
                               "scale it.")


@functools.lru_cache(maxsize=None)  # deterministic and a few hundred steps long: compute each case once
def _library_settled_state(written: float, y_forget: float) -> float:
    """Run s_c(t) = y^phi s_c(t-1) + y^in g with lstm_core.model.cells.cell_update from 0 until it stops moving."""
    w, phi, one = torch.as_tensor(written, dtype=F64), torch.as_tensor(y_forget, dtype=F64), _t(1.0)
    steps = 1 if float(phi) == 0.0 else math.ceil(math.log(1e-17) / math.log(float(phi))) + 1  # phi^steps < 1e-17
    s = _t(0.0)
    with torch.no_grad():
        for _ in range(steps):
            s = cell_update(s, one, w, one, activations.h, y_forget=phi)[0]  # y^in g(net_c) = written
    return float(s)


_SETTLED_CASES = (
    Case("written = 0.1 per step, y_forget = 0.9", (0.1, 0.9)),
    Case("written = -0.3, y_forget = 0.5", (-0.3, 0.5)),
    Case("written = 0.5, y_forget = 0.75", (0.5, 0.75)),
    Case("written = 0.02, y_forget = 0.95", (0.02, 0.95)),
    Case("written = 1.2, y_forget = 0 (the forget gate shut)", (1.2, 0.0)),
)

_SETTLED_MISTAKES = (
    Mistake("multiplied instead of divided", lambda w, phi: w * (1 - phi),
            "Your state is smaller than a single write, but the cell keeps most of its state and adds a "
            "write at every step. Write down the condition for a state that no longer changes and solve it."),
    Mistake("sign slip", lambda w, phi: w / (1 + phi),
            "Check the algebra of s = y_forget s + written when you collect the terms in s."),
    Mistake("only the carried part", lambda w, phi: w * phi / (1 - phi),
            "That is what is carried over from the settled state, before the step's own write is added."),
    Mistake("one write only", lambda w, phi: w,
            "That is the state after one step from 0. A forget gate above 0 keeps part of the state, so "
            "writes pile up until losses and writes balance."),
)


def settled_state(candidate: Callable[[float, float], Any]) -> CheckReport:
    """Chapter 5, exercise ex-05-forget: the state s_c settles at under s_c(t) = y^phi s_c(t-1) + written.

    ``candidate(written, y_forget)`` (numbers, 0 <= y_forget < 1) returns that state; compared with
    ``lstm_core.model.cells.cell_update`` iterated from s_c = 0 until it stops moving."""
    return check_function(_answer(candidate), _library_settled_state, list(_SETTLED_CASES),
                          exercise="Where a forget gate settles (ex-05-forget)", mistakes=_SETTLED_MISTAKES,
                          hint="At the settled state one step changes nothing: s = y_forget s + written. "
                               "Solve for s (or iterate until the state stops changing, not a fixed 200 steps).")


# ======================================================================================
# Chapter 6: the scissors and the squashers
# ======================================================================================
_SCISSORS_CASES = (
    Case("the adding network (2 blocks of 2 cells), weights in [-1, 1], 2 sequences of 12 steps", ("adding", 0, 12)),
    Case("experiment 3's network (3 blocks of 1 cell), weights in [-1, 1], 2 sequences of 10 steps", ("3", 1, 10)),
    Case("experiment 6a's network (8 inputs, 2 blocks of 2), weights in [-1, 1], 2 sequences of 8 steps",
         ("6a", 2, 8)),
)
_GROUPS = (("input gates", ("weight_in", "bias_in")), ("output gates", ("weight_out", "bias_out")),
           ("cells", ("weight_c", "bias_c")), ("output units", ("weight", "bias")))


def _scissors_setup(name: str, seed: int, T: int) -> tuple[LSTM1997, torch.Tensor]:
    """A float64 paper network with weights in [-1, 1] (large enough that the full and the truncated
    gradient differ clearly) and 2 random input sequences."""
    net = paper_network(name, seed=seed, init_range=1.0).to(F64)
    x = torch.randn(2, T, net.n_inputs, generator=torch.Generator().manual_seed(100 + seed), dtype=F64)
    return net, x


def _summary(net: LSTM1997, outputs: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """(outputs at the last step, norms of the error gradients of the four weight groups)."""
    modules = {"cell": net.cell, "out": net.output_units}
    params = []
    for group, names in _GROUPS:
        owner = modules["out"] if group == "output units" else modules["cell"]
        params.append([p for p in (getattr(owner, n) for n in names) if p is not None])
    flat = [p for group in params for p in group]
    grads = torch.autograd.grad(last_step_loss(outputs), flat, allow_unused=True)
    grads = [torch.zeros_like(p) if gr is None else gr for p, gr in zip(flat, grads)]
    norms, i = [], 0
    for group in params:
        norms.append(float(torch.sqrt(sum((gr ** 2).sum() for gr in grads[i:i + len(group)]))))
        i += len(group)
    return outputs[:, -1, 0].detach().numpy(), np.array(norms)


@functools.lru_cache(maxsize=None)  # deterministic: compute each case once per session
def _library_scissors_run(name: str, seed: int, T: int) -> tuple[np.ndarray, np.ndarray]:
    """The library's network with scissors=True (the paper's truncated gradient)."""
    net, x = _scissors_setup(name, seed, T)
    net.scissors = True
    return _summary(net, net.run(x).outputs)


def _run_with_cut(cut: Callable[..., Any], name: str, seed: int, T: int) -> tuple[np.ndarray, np.ndarray]:
    """The same network and inputs, but step t reads what ``cut(x_t, y_prev, s_prev)`` returns.

    The library's own step runs with its scissors off, so the only cut is the one ``cut`` makes."""
    net, x = _scissors_setup(name, seed, T)
    cell, n_in = net.cell, net.n_inputs
    cell.scissors = False
    y, s = cell.initial_state(x.shape[0], x)
    features = []
    for t in range(T):
        z, s_carried = answer_or_stub(cut(x[:, t], y, s))  # z = [x(t), y(t-1)] as the net inputs read it; s_c(t-1) for the CEC
        step = cell.step(z[:, :n_in], (z[:, n_in:], s_carried))
        y, s = step.y, step.s
        features.append(step.y_c)
    return _summary(net, net.readout(torch.stack(features, dim=1)))


_SCISSORS_MISTAKES = (
    Mistake("no scissors", lambda x, y, s: (torch.cat([x, y], dim=1), s),
            "Error now also flows back through y(t-1) into net_in, net_out and net_c: that is the full "
            "gradient (scissors=False). The paper stops the error where the previous activations enter the "
            "net inputs (App. A.1). Detaching x does not help: the inputs carry no gradient anyway."),
    Mistake("cut the carousel instead", lambda x, y, s: (torch.cat([x, y], dim=1), s.detach()),
            "You cut the one path the paper keeps. s_c(t-1) is the constant error carousel: error must flow "
            "back along it unchanged. The cut belongs elsewhere."),
    Mistake("cut everything", lambda x, y, s: (torch.cat([x, y.detach()], dim=1), s.detach()),
            "Now no error reaches the past at all, and the cell cannot learn to bridge a time lag. "
            "One of your two cuts is the paper's; the other removes the carousel."),
    Mistake("cut the connection, not the error", lambda x, y, s: (torch.cat([x, torch.zeros_like(y)], dim=1), s),
            "The scissors cut the error, not the connection: the net inputs must still see the value of "
            "y(t-1) (your outputs changed), only no gradient may flow back through it."),
)


@functools.lru_cache(maxsize=None)  # deterministic: compute each case once per session
def _mistake_run(index: int, name: str, seed: int, T: int) -> tuple[np.ndarray, np.ndarray]:
    """``_run_with_cut`` for known mistake number ``index``."""
    return _run_with_cut(_SCISSORS_MISTAKES[index].answer, name, seed, T)


def scissors(candidate: Callable[..., Any]) -> CheckReport:
    """Chapter 6, exercise ex-06-scissors: the paper's truncated gradient, as autograd sees it.

    ``candidate(x, y_prev, s_prev)`` returns ``(z, s_carried)``: z = [x(t), y(t-1)] concatenated
    along dim 1 (what net_in, net_out and net_c read) and the s_c(t-1) the carousel carries, with
    the cut applied. It is run inside the library's step over whole sequences; each case compares
    (the outputs at the last step, the norms of the gradients of the input-gate, output-gate, cell
    and output-unit weights) with the library's network with ``scissors=True``."""
    answer = _answer(candidate, copies=False)  # it must receive the graph's own tensors
    run = (lambda name, seed, T: _run_with_cut(answer, name, seed, T)) if callable(answer) else answer
    mistakes = [Mistake(m.name, functools.partial(_mistake_run, i), m.hint) for i, m in enumerate(_SCISSORS_MISTAKES)]
    return check_function(run, _library_scissors_run, list(_SCISSORS_CASES),
                          exercise="Apply the scissors (ex-06-scissors)", mistakes=mistakes,
                          hint="Two things come from the past: the activations y(t-1), read by the net inputs, "
                               "and the state s_c(t-1), carried by the CEC. App. A.1 says which of them may pass "
                               "error back.")


def _library_squashers(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(g(x), h(x)) from lstm_core.model.activations."""
    return activations.g(x), activations.h(x)


def _squasher_cases() -> list[Case]:
    gen = torch.Generator().manual_seed(6)
    return [
        Case("x = -6, -3, 0, 3, 6", (torch.linspace(-6, 6, 5, dtype=F64),)),
        Case("x = 0", (_t(0.0),)),
        Case("x = -30, 30 (saturated)", (torch.tensor([-30.0, 30.0], dtype=F64),)),
        Case("x = 0.1, -0.1 (near 0, where the slopes show)", (torch.tensor([0.1, -0.1], dtype=F64),)),
        Case("4 random values", (_uniform(gen, 4, scale=3.0),)),
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
    return check_function(_answer(candidate), _library_squashers, _squasher_cases(),
                          exercise="The paper's squashers (ex-06-squashers)", mistakes=_SQUASHER_MISTAKES,
                          hint="Start from the logistic function (range (0, 1)); stretch it to the width of each "
                               "range, then shift it so that it is centred on 0.")


#: The known wrong answers of every check, in the form of the learner's answer (for the tests).
MISTAKES: dict[str, tuple[Mistake, ...]] = {
    "count_weights": _COUNT_WEIGHTS_MISTAKES,
    "rnn_step": _RNN_STEP_MISTAKES,
    "step_jacobian": _STEP_JACOBIAN_MISTAKES,
    "keep_half": _KEEP_HALF_MISTAKES,
    "cec_update": _CEC_MISTAKES,
    "carried_error": _CARRIED_ERROR_MISTAKES,
    "cell_output": _CELL_OUTPUT_MISTAKES,
    "settled_state": _SETTLED_MISTAKES,
    "scissors": _SCISSORS_MISTAKES,
    "paper_squashers": _SQUASHER_MISTAKES,
}

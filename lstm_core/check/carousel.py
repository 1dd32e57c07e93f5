"""The constant error carousel and the later forget gate: the checks of those exercises.

| check                 | exercise                 | the learner writes                                                  |
|-----------------------|--------------------------|---------------------------------------------------------------------|
| ``cec_update``        | ``ex-04-cec``            | ``cec_update(s_prev, y_in, g_c)``: s_c(t) = s_c(t-1) + y^in g(net_c) |
| ``carried_error``     | ``ex-04-decay``          | ``carried_error(decay, steps)``: d s_c(steps) / d s_c(0)            |
| ``settled_state``     | ``ex-05-forget``         | ``settled_state(written, y_forget)``: where a forget-gate cell settles |
| ``forget_error_kept`` | ``ex-11-forget-bias``    | the error surviving k steps of a forget gate with a given bias     |
| ``forget_gate_update``| ``ex-11-forget-update``  | s_c(t) = y^phi s_c(t-1) + y^in g                                    |

>>> cec_update(lambda s_prev, y_in, g_c: s_prev + y_in * g_c).ok
True
>>> report = cec_update(lambda s_prev, y_in, g_c: s_prev * y_in * g_c)
>>> report.ok, report.mistake
(False, 'multiplicative CEC')

Every check returns a :class:`~lstm_core.check.engine.CheckReport`; the known wrong answers it
recognises are in ``MISTAKES`` (check name -> mistakes), written in the learner's own format, so
tests and graders can feed them to the check. All are importable as ``lstm_core.check.<name>``.
"""
from __future__ import annotations

import functools
import math
from typing import Any, Callable

import torch

from lstm_core.model import activations, cells
from lstm_core.model.activations import f, g
from lstm_core.model.cells import cell_update
from lstm_core.analysis.carousel import carousel_signal
from lstm_core.check.cases import F64, scalar
from lstm_core.check.engine import Case, CheckReport, Mistake, check_answer

__all__ = ["cec_update", "carried_error", "settled_state", "forget_error_kept", "forget_gate_update"]


def _library_cec(s_prev: torch.Tensor, y_in: torch.Tensor, g_c: torch.Tensor) -> torch.Tensor:
    """s_c(t) from lstm_core.model.cells.cell_update (the output side is irrelevant here)."""
    with torch.no_grad():
        return cell_update(s_prev, y_in, g_c, torch.ones_like(s_prev), activations.h)[0]


def _cec_cases() -> list[Case]:
    gen = torch.Generator().manual_seed(4)
    f, g = activations.f, activations.g
    return [
        Case("chapter 5's example: s_prev = 1.5, y_in = f(-2.1), g_c = g(1.5)", (scalar(1.5), f(scalar(-2.1)), g(scalar(1.5)))),
        Case("input gate shut: s_prev = 0.7, y_in = 0, g_c = 1.9", (scalar(0.7), scalar(0.0), scalar(1.9))),
        Case("empty cell: s_prev = 0, y_in = 0.6, g_c = -1.2", (scalar(0.0), scalar(0.6), scalar(-1.2))),
        Case("gate wide open, g_c at its floor: s_prev = 0.4, y_in = 1, g_c = -2", (scalar(0.4), scalar(1.0), scalar(-2.0))),
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
    return check_answer(candidate, _library_cec, _cec_cases(),
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
    return check_answer(candidate, _library_carried_error, list(_DECAY_CASES),
                          exercise="State decay (ex-04-decay)", mistakes=_CARRIED_ERROR_MISTAKES,
                          hint="Start from a tensor s_0 with requires_grad=True, apply the update `steps` times, "
                               "and ask autograd for the derivative of the final state with respect to s_0.")


@functools.lru_cache(maxsize=None)  # deterministic and a few hundred steps long: compute each case once
def _library_settled_state(written: float, y_forget: float) -> float:
    """Run s_c(t) = y^phi s_c(t-1) + y^in g with lstm_core.model.cells.cell_update from 0 until it stops moving."""
    w, phi, one = torch.as_tensor(written, dtype=F64), torch.as_tensor(y_forget, dtype=F64), scalar(1.0)
    steps = 1 if float(phi) == 0.0 else math.ceil(math.log(1e-17) / math.log(float(phi))) + 1  # phi^steps < 1e-17
    s = scalar(0.0)
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
    return check_answer(candidate, _library_settled_state, list(_SETTLED_CASES),
                          exercise="Where a forget gate settles (ex-05-forget)", mistakes=_SETTLED_MISTAKES,
                          hint="At the settled state one step changes nothing: s = y_forget s + written. "
                               "Solve for s (or iterate until the state stops changing, not a fixed 200 steps).")


@functools.lru_cache(maxsize=64)
def _kept_by_the_cell(forget_bias: float, k: int) -> float:
    """d s_c(k) / d s_c(0) through k steps of ``cells.step_from_preactivations`` with a forget gate whose
    net input is its bias, other paths cut (the scissors): the share of an error that gets back."""
    s0 = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    s = s0
    for _ in range(k):
        s = cells.step_from_preactivations(net_in=0.0, net_c=0.5, net_out=None, s_prev=s, net_forget=forget_bias).s
    if k == 0:
        return 1.0
    (grad,) = torch.autograd.grad(s, s0)
    return float(grad)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


_KEPT_MISTAKES = (
    Mistake("one step only", lambda b, k: _sigmoid(b),
            "Your answer does not change with k. The gate scales the carried state at every step on the "
            "way back."),
    Mistake("one step too many", lambda b, k: _sigmoid(b) ** (k + 1),
            "Count the steps again: going back k steps passes through k forget-gate multiplications "
            "(0 steps back: all of the error)."),
    Mistake("bias used as the gate value", lambda b, k: float(b) ** k,
            "The gate's value is not its bias: the bias is a net input, squashed by the logistic f."),
    Mistake("the forgotten share", lambda b, k: (1.0 - _sigmoid(b)) ** k,
            "y^phi is the share of the state that is kept, not the share that is forgotten."),
)


def forget_error_kept(candidate: Any) -> CheckReport:
    """Chapter 11, exercise ex-11-forget-bias: ``error_kept(forget_bias, k) -> float``.

    The share of an error on s_c that reaches k steps back through a forget gate whose net input
    is its bias (small weights at the start of training). Reference: autograd through
    ``cells.step_from_preactivations`` with ``net_forget = forget_bias``, k steps.
    """
    cases = [Case("bias 1, 19 steps back (the bench's forget gate, the adding problem at T = 20)", (1.0, 19)),
             Case("bias 5, 19 steps back", (5.0, 19)),
             Case("bias 0 (how nn.LSTM starts), 10 steps back", (0.0, 10)),
             Case("bias -2, 3 steps back", (-2.0, 3)),
             Case("bias 1, 0 steps back", (1.0, 0)),
             Case("bias 5, 100 steps back", (5.0, 100))]
    return check_answer(candidate, _kept_by_the_cell, cases, exercise="error_kept (ex-11-forget-bias)",
                  mistakes=_KEPT_MISTAKES,
                  hint="With the scissors, d s_c(t) / d s_c(t-1) is the forget gate's value y^phi = f(net). "
                       "Multiply one such factor per step.", rtol=1e-6, atol=1e-12)


def _cell_reference(s_prev: Any, y_in: Any, g: Any, y_f: Any) -> torch.Tensor:
    """s_c(t) by ``cells.cell_update`` with the forget gate (output gate 1, h = identity)."""
    s, _, _ = cells.cell_update(s_prev, y_in, g, torch.ones_like(torch.as_tensor(s_prev)), lambda t: t, y_forget=y_f)
    return s


_UPDATE_MISTAKES = (
    Mistake("forget gate on g", lambda s, i, g, f: s + f * i * g,
            "Your forget gate scales the new input. It acts on what is carried over from the previous step."),
    Mistake("forget gate on the sum", lambda s, i, g, f: f * (s + i * g),
            "Your forget gate also scales the new input y^in g. It multiplies only the carried state."),
    Mistake("keeps 1 - y_f", lambda s, i, g, f: (1 - f) * s + i * g,
            "With y_f = 1 your cell forgets everything. In Gers et al.'s gate, y_f = 1 means 'keep': it "
            "gives back the 1997 cell."),
    Mistake("no input gate", lambda s, i, g, f: f * s + g,
            "The input gate y^in still decides how much of g is written."),
    Mistake("the 1997 cell", lambda s, i, g, f: s + i * g,
            "That is the 1997 CEC: your update ignores y_f. It should agree with it only when y_f = 1."),
    Mistake("coupled gates", lambda s, i, g, f: f * s + (1 - f) * i * g,
            "You tied the input to the forget gate (1 - y_f), as a GRU does. Gers et al.'s cell keeps the "
            "input gate y^in as it is."),
)


def forget_gate_update(candidate: Any) -> CheckReport:
    """Chapter 11, exercise ex-11-forget-update: ``forget_update(s_prev, y_in, g, y_f) -> s``.

    The cell state with the later forget gate (Gers et al. 1999/2000), on torch tensors. Reference:
    ``cells.cell_update(..., y_forget=y_f)``; with y_f = 1 it is the 1997 CEC.
    """
    t = lambda v: torch.tensor(v, dtype=torch.float64)  # noqa: E731
    gen = torch.Generator().manual_seed(0)
    batch = [torch.rand(2, 3, generator=gen, dtype=torch.float64) * w + o
             for w, o in ((4, -2), (1, 0), (4, -2), (1, 0))]
    cases = [Case("y_f = 1 (the 1997 cell): s_prev = 1.5, y_in = 0.5, g = 0.8", (t(1.5), t(0.5), t(0.8), t(1.0))),
             Case("y_f = 0 (reset): s_prev = 1.5, y_in = 0.5, g = 0.8", (t(1.5), t(0.5), t(0.8), t(0.0))),
             Case("input gate shut: s_prev = 2, y_in = 0, g = 1.3, y_f = 0.5", (t(2.0), t(0.0), t(1.3), t(0.5))),
             Case("s_prev = -1, y_in = 0.9, g = -1.5, y_f = 0.73", (t(-1.0), t(0.9), t(-1.5), t(0.73))),
             Case("a batch, shape (2, 3)", tuple(batch))]
    return check_answer(candidate, _cell_reference, cases, exercise="forget_update (ex-11-forget-update)",
                  mistakes=_UPDATE_MISTAKES,
                  hint="Start from the 1997 update s_c(t) = s_c(t-1) + y^in g and let the forget gate decide "
                       "how much of s_c(t-1) is carried over.")


#: check name -> the wrong answers it recognises, in the learner's format (for tests and graders).
MISTAKES: dict[str, tuple[Mistake, ...]] = dict(cec_update=_CEC_MISTAKES,
    carried_error=_CARRIED_ERROR_MISTAKES, settled_state=_SETTLED_MISTAKES,
    forget_error_kept=_KEPT_MISTAKES, forget_gate_update=_UPDATE_MISTAKES)

"""Error flow through time: one step of a tanh RNN, its Jacobian, a factor raised to a power, and the
paper's truncated gradient (the scissors) as autograd sees it.

| check             | exercise               | the learner writes                                                 |
|-------------------|------------------------|--------------------------------------------------------------------|
| ``rnn_step``      | ``ex-02-rnn-step``     | ``rnn_step(x, h_prev, W_xh, W_hh, b)``: h_t = tanh(W_xh x + W_hh h + b) |
| ``step_jacobian`` | ``ex-03-jacobian``     | ``step_jacobian(x, h_prev, W_xh, W_hh, b)``: d h_t / d h_{t-1}       |
| ``keep_half``     | ``ex-03-half``         | the number ``w_half``: a per-step factor keeping half over 100 steps |
| ``scissors``      | ``ex-06-scissors``     | ``scissors(x, y_prev, s_prev)``: what step t reads, with the paper's cut (App. A.1) |

Every check returns a :class:`~lstm_core.check.engine.CheckReport`; the known wrong answers it
recognises are in ``MISTAKES`` (check name -> mistakes), written in the learner's own format, so
tests and graders can feed them to the check. All are importable as ``lstm_core.check.<name>``.
"""
from __future__ import annotations

import functools
from typing import Any, Callable

import numpy as np
import torch

from lstm_core.model.activations import h
from lstm_core.model.cells import VanillaRNNCell
from lstm_core.model.networks import LSTM1997, paper_network
from lstm_core.analysis.gradients import last_step_loss, product_chain
from lstm_core.check.cases import F64, uniform
from lstm_core.check.engine import Case, CheckReport, Mistake, answer_or_stub, check_answer, check_function, check_value, is_stub

__all__ = ["rnn_step", "step_jacobian", "keep_half", "scissors"]


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
                      (uniform(gen, 3), torch.zeros(2, dtype=F64), uniform(gen, 2, 3), uniform(gen, 2, 2),
                       uniform(gen, 2, scale=0.5))))
    cases.append(Case("3 inputs, 2 hidden units",
                      (uniform(gen, 3), uniform(gen, 2, scale=0.9), uniform(gen, 2, 3), uniform(gen, 2, 2),
                       uniform(gen, 2, scale=0.5))))
    cases.append(Case("2 inputs, 4 hidden units",
                      (uniform(gen, 2), uniform(gen, 4, scale=0.9), uniform(gen, 4, 2), uniform(gen, 4, 4),
                       uniform(gen, 4, scale=0.5))))
    cases.append(Case("large weights, tanh saturates (3 inputs, 3 hidden units)",
                      (uniform(gen, 3), uniform(gen, 3, scale=0.9), uniform(gen, 3, 3, scale=4.0),
                       uniform(gen, 3, 3, scale=4.0), uniform(gen, 3, scale=2.0))))
    one_hot = torch.zeros(6, dtype=F64)
    one_hot[1] = 1.0
    cases.append(Case("a one-hot letter, W_hh = 0.5 I, no bias (like the CAT example)",
                      (one_hot, uniform(gen, 2, scale=0.5), uniform(gen, 2, 6, scale=0.5),
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
    return check_answer(candidate, _library_rnn_step, _rnn_cases(),
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
    return check_answer(candidate, _library_step_jacobian, _rnn_cases(),
                          exercise="The Jacobian of one step (ex-03-jacobian)", mistakes=_STEP_JACOBIAN_MISTAKES,
                          hint="h_t = tanh(a_t) with a_t = W_xh x + W_hh h_{t-1} + b: apply the chain rule to "
                               "one entry h_t[i] first, then assemble the matrix.")


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
    answer = Ellipsis if is_stub(candidate) else candidate  # it must receive the graph's own tensors
    run = (lambda name, seed, T: _run_with_cut(answer, name, seed, T)) if callable(answer) else answer
    mistakes = [Mistake(m.name, functools.partial(_mistake_run, i), m.hint) for i, m in enumerate(_SCISSORS_MISTAKES)]
    return check_function(run, _library_scissors_run, list(_SCISSORS_CASES),
                          exercise="Apply the scissors (ex-06-scissors)", mistakes=mistakes,
                          hint="Two things come from the past: the activations y(t-1), read by the net inputs, "
                               "and the state s_c(t-1), carried by the CEC. App. A.1 says which of them may pass "
                               "error back.")


#: check name -> the wrong answers it recognises, in the learner's format (for tests and graders).
MISTAKES: dict[str, tuple[Mistake, ...]] = dict(rnn_step=_RNN_STEP_MISTAKES,
    step_jacobian=_STEP_JACOBIAN_MISTAKES, keep_half=_KEEP_HALF_MISTAKES, scissors=_SCISSORS_MISTAKES)

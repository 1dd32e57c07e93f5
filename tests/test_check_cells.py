"""Tests of the exercise checks of the network, its gradients, the carousel and the gates
(lstm_core.check.model, .gradients, .carousel, .gates).

For every check: a right answer is ok; each listed wrong answer is rejected and gets its own hint
(report.mistake == its name); a stub (``raise NotImplementedError``, a body of ``...``, or the
value ``...``) is reported as not answered and does not raise; a function that raises another
error is reported, not raised. The right answers here are written independently of the
references (from the paper's formulas), so a reference that drifts from the paper fails too.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

from lstm_core import check, paper_network
from lstm_core.check.engine import STRICT_ENV, Mistake
from lstm_core.check import carousel, gradients, model
from lstm_core.model.networks import PAPER_NETWORKS


@pytest.fixture(autouse=True)
def _not_strict(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wrong answers must come back as reports here, even if the suite runs the chapters strictly."""
    monkeypatch.delenv(STRICT_ENV, raising=False)


# -- right answers, written from the paper's formulas ------------------------------------
def count_weights(n_in: int, n_out: int, B: int, S: int, bias_units: str) -> int:
    C, H = B * S, B * S + 2 * B
    bias = {"none": 0, "gates": 2 * B, "hidden": 2 * B + C, "all": 2 * B + C + n_out}[bias_units]
    return H * (n_in + H) + n_out * C + bias


def rnn_step(x, h, W_xh, W_hh, b):  # noqa: ANN001, ANN201
    return torch.tanh(x @ W_xh.T + h @ W_hh.T + b)  # the row-vector convention is right too


def step_jacobian(x, h, W_xh, W_hh, b):  # noqa: ANN001, ANN201
    h_t = torch.tanh(W_xh @ x + W_hh @ h + b)
    return (1 - h_t ** 2)[:, None] * W_hh  # diag(tanh'(a_t)) W_hh without building the diagonal


def carried_error(decay: float, steps: int) -> float:
    s0 = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    s = s0
    for _ in range(steps):
        s = decay * s + 0.05
    (grad,) = torch.autograd.grad(s, s0)
    return float(grad)


def scissors(x, y_prev, s_prev):  # noqa: ANN001, ANN201
    return torch.cat([x, y_prev.detach()], dim=1), s_prev


RIGHT = {
    "count_weights": count_weights,
    "rnn_step": rnn_step,
    "step_jacobian": step_jacobian,
    "keep_half": float(np.exp(np.log(0.5) / 100)),
    "cec_update": lambda s_prev, y_in, g_c: s_prev + y_in * g_c,
    "carried_error": carried_error,
    "cell_output": lambda y_out, s: y_out * torch.tanh(s / 2),  # h(x) = 2 sigma(x) - 1 = tanh(x / 2)
    "settled_state": lambda written, y_forget: written / (1 - y_forget),
    "scissors": scissors,
    "paper_squashers": lambda x: (2 * torch.tanh(x / 2), torch.tanh(x / 2)),
}
FUNCTION_CHECKS = [name for name, answer in RIGHT.items() if callable(answer)]
VALUE_CHECKS = [name for name, answer in RIGHT.items() if not callable(answer)]
MISTAKES = {name: check.MISTAKES[name] for name in RIGHT}
MISTAKE_CASES = [(name, m) for name, mistakes in MISTAKES.items() for m in mistakes]


def test_every_exported_check_is_tested() -> None:
    # with those of test_check_tasks, these are all of lstm_core.check's checks
    assert set(RIGHT) <= set(check.CHECKS) and set(RIGHT) == set(MISTAKES)


@pytest.mark.parametrize("name", list(RIGHT))
def test_right_answer_is_ok(name: str) -> None:
    report = getattr(check, name)(RIGHT[name])
    assert report.ok, str(report)
    assert report.answered and report.score == 1.0 and report.mistake is None
    assert "correct" in str(report)


@pytest.mark.parametrize("name, mistake", MISTAKE_CASES, ids=[f"{n}: {m.name}" for n, m in MISTAKE_CASES])
def test_each_mistake_is_rejected_with_its_own_hint(name: str, mistake: Mistake) -> None:
    report = getattr(check, name)(mistake.answer)
    assert not report.ok
    assert report.answered
    assert report.mistake == mistake.name
    assert report.hint == mistake.hint and mistake.hint in str(report)


@pytest.mark.parametrize("name", list(MISTAKES))
def test_mistakes_have_distinct_names_and_at_least_three(name: str) -> None:
    names = [m.name for m in MISTAKES[name]]
    assert len(names) >= 3 and len(set(names)) == len(names)


def _not_implemented(*args):  # noqa: ANN002, ANN202
    raise NotImplementedError("write your code here")


def _ellipsis_body(*args):  # noqa: ANN002, ANN202
    """A stub as a learner may leave it."""
    ...


@pytest.mark.parametrize("name", FUNCTION_CHECKS)
@pytest.mark.parametrize("stub", [_not_implemented, _ellipsis_body, ...], ids=["raise", "body ...", "value ..."])
def test_stub_is_not_answered_and_does_not_raise(name: str, stub: object) -> None:
    report = getattr(check, name)(stub)
    assert not report.answered and not report.ok and report.score == 0.0
    assert "not answered yet" in str(report)


@pytest.mark.parametrize("name", VALUE_CHECKS)
def test_value_stub_is_not_answered(name: str) -> None:
    report = getattr(check, name)(...)
    assert not report.answered and not report.ok
    assert "not answered yet" in str(report)


@pytest.mark.parametrize("name", FUNCTION_CHECKS)
def test_an_error_in_the_answer_is_reported_not_raised(name: str) -> None:
    def broken(*args):  # noqa: ANN002, ANN202
        raise ZeroDivisionError("oops")

    report = getattr(check, name)(broken)
    assert report.answered and not report.ok and report.mistake is None
    assert report.failed and all("raised ZeroDivisionError: oops" in f for f in report.failed)


@pytest.mark.parametrize("name", FUNCTION_CHECKS)
def test_a_function_that_forgets_to_return_is_answered_but_wrong(name: str) -> None:
    def no_return(*args):  # noqa: ANN002, ANN202
        args[0]  # computes something, returns nothing

    report = getattr(check, name)(no_return)
    assert report.answered and not report.ok


@pytest.mark.parametrize("value", ["0.993", None, 0.99309249, torch.tensor(0.5 ** 0.01)])
def test_keep_half_values(value: object) -> None:
    report = check.keep_half(value)
    if value is None:
        assert not report.answered
    elif isinstance(value, str):
        assert report.answered and not report.ok  # a string is not a number
    else:
        assert report.ok, str(report)  # computed, or given to 8 digits, or as a tensor


def test_a_near_miss_gets_the_general_hint() -> None:
    report = check.cec_update(lambda s_prev, y_in, g_c: s_prev + y_in * g_c + 1e-3)
    assert not report.ok and report.mistake is None and report.hint
    assert "0 of 5 cases right" in str(report)


def test_the_answer_works_on_copies() -> None:
    def in_place(s_prev, y_in, g_c):  # noqa: ANN001, ANN202
        s_prev += y_in * g_c  # changes its argument: must not corrupt the reference or the mistakes
        return s_prev

    assert check.cec_update(in_place).ok


def test_checks_leave_the_global_rng_alone() -> None:
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    for name in FUNCTION_CHECKS:
        getattr(check, name)(RIGHT[name])
    assert torch.equal(torch.rand(3), expected)


# -- the references themselves, against hand-made cases ---------------------------------
def test_weight_reference_matches_table_10() -> None:
    for name in model._TABLE10_NETWORKS:
        c = PAPER_NETWORKS[name].config
        got = model._library_weight_count(c.n_inputs, c.n_outputs, c.n_blocks, c.block_size, c.bias_units)
        assert got == PAPER_NETWORKS[name].table10_weights == count_weights(
            c.n_inputs, c.n_outputs, c.n_blocks, c.block_size, c.bias_units)


def test_keep_half_reference() -> None:
    w = gradients._keep_fraction_factor(0.5, 100)
    assert abs(w ** 100 - 0.5) < 1e-12 and abs(w - 0.5 ** 0.01) < 1e-12


def test_settled_state_reference_on_hand_cases() -> None:
    assert abs(carousel._library_settled_state(0.1, 0.9) - 1.0) < 1e-12  # s = 0.9 s + 0.1
    assert carousel._library_settled_state(1.2, 0.0) == pytest.approx(1.2, abs=1e-15)


def test_scissors_harness_reproduces_both_library_variants() -> None:
    """The harness run with the paper's cut equals scissors=True; with no cut, scissors=False."""
    no_cut = MISTAKES["scissors"][0]
    assert no_cut.name == "no scissors"
    for case in gradients._SCISSORS_CASES:
        name, seed, T = case.args
        on = gradients._library_scissors_run(name, seed, T)
        mine = gradients._run_with_cut(scissors, name, seed, T)
        np.testing.assert_allclose(mine[0], on[0], rtol=1e-12)
        np.testing.assert_allclose(mine[1], on[1], rtol=1e-10)
        net, x = gradients._scissors_setup(name, seed, T)
        net.scissors = False
        off = gradients._summary(net, net.run(x).outputs)
        full = gradients._run_with_cut(no_cut.answer, name, seed, T)
        np.testing.assert_allclose(full[1], off[1], rtol=1e-10)
        assert np.abs(off[1][:3] - on[1][:3]).max() > 1e-3 * np.abs(on[1][:3]).max()  # the cases tell them apart


def test_scissors_setup_uses_the_paper_network() -> None:
    net, x = gradients._scissors_setup("adding", 0, 5)
    reference = paper_network("adding", seed=0, init_range=1.0)
    assert net.cell.bias_in.tolist() == reference.cell.bias_in.tolist() == [-3.0, -6.0]
    assert x.shape == (2, 5, 2) and x.dtype == torch.float64


def test_is_stub() -> None:
    def documented_stub(x):  # noqa: ANN001, ANN202
        """Only a docstring and a pass."""
        pass

    assert check.is_stub(documented_stub) and check.is_stub(_ellipsis_body)
    assert not check.is_stub(_not_implemented) and not check.is_stub(RIGHT["cec_update"])
    assert not check.is_stub(print) and not check.is_stub(3.0)

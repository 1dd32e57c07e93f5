"""The 1997 memory cell against oracles: hand-derived RTRL, numerical gradients, PyTorch, the article."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_core import LSTM1997, LSTM1997Config, VanillaRNNCell, paper_network, step_from_preactivations
from lstm_core.model.activations import f, f_prime, g, g_prime, h, h_prime
from lstm_core.model.cells import LSTM1997Cell
from lstm_core.analysis.gradients import step_jacobians

torch.set_default_dtype(torch.float32)


def tiny_net(scissors: bool = True, seed: int = 3, **kw) -> LSTM1997:
    cfg = LSTM1997Config(n_inputs=2, n_outputs=2, n_blocks=2, block_size=2, bias_units="all",
                         init_range=0.5, scissors=scissors, **kw)
    return LSTM1997(cfg, seed=seed).double()


# ---------------------------------------------------------------------------------------
# The source article's worked examples, recomputed from their stated pre-activations
# ---------------------------------------------------------------------------------------
def test_five_step_cell_update_of_the_article():
    # The article: net_in = 0.8 + 0.1 - 3.0 = -2.1, net_c = 1.5, net_out = 0.5, s_c(t-1) = 1.5.
    step = step_from_preactivations(net_in=0.8 + 0.1 - 3.0, net_c=1.5, net_out=0.5, s_prev=1.5)
    sig = lambda v: 1 / (1 + math.exp(-v))  # noqa: E731 - the oracle, independent of torch
    assert step.y_in.item() == pytest.approx(sig(-2.1), abs=1e-12)          # article: 0.11
    assert round(step.y_in.item(), 2) == 0.11
    assert step.g_c.item() == pytest.approx(4 * sig(1.5) - 2, abs=1e-12)     # 1.2703; article: 1.28
    # (the article rounded sigma(1.5) to 0.82 before multiplying by 4, giving 1.28)
    assert round(step.g_c.item(), 2) == 1.27
    s_expected = 1.5 + sig(-2.1) * (4 * sig(1.5) - 2)
    assert step.s.item() == pytest.approx(s_expected, abs=1e-12)             # 1.6386; article: 1.64
    assert round(step.s.item(), 2) == 1.64
    assert step.y_out.item() == pytest.approx(sig(0.5), abs=1e-12)           # article: 0.62
    assert round(step.y_out.item(), 2) == 0.62
    # Step 5: h(s) = 2 sigma(s) - 1. The article printed 0.84, which is sigma(1.64), not h(1.64).
    assert step.h_s.item() == pytest.approx(2 * sig(s_expected) - 1, abs=1e-12)
    assert round(step.h_s.item(), 3) == 0.675
    assert round(sig(1.64), 2) == 0.84  # what the article computed by mistake
    # ... so y_c = 0.62 * 0.675 = 0.42, where the article printed 0.52.
    assert step.y_c.item() == pytest.approx(sig(0.5) * (2 * sig(s_expected) - 1), abs=1e-12)
    assert round(step.y_c.item(), 2) == 0.42


def test_rnn_cat_example_of_the_article():
    # h_1 = tanh([0.5, -0.3]) printed as [0.46, -0.29]; h_2 = tanh([0.3 + 0.23, 0.4 - 0.15]) as [0.49, 0.24].
    # A cell whose weights produce exactly those pre-activations: W_xh columns for C, A, T; W_hh = 0.5 I.
    cell = VanillaRNNCell(3, 2).double()
    with torch.no_grad():
        cell.weight_ih.copy_(torch.tensor([[0.5, 0.3, 0.0], [-0.3, 0.4, 0.0]], dtype=torch.float64))
        cell.weight_hh.copy_(0.5 * torch.eye(2))
        cell.bias_ih.zero_()
        cell.bias_hh.zero_()
    c, a = torch.eye(3, dtype=torch.float64)[:2]
    h1 = cell(c.unsqueeze(0))
    assert h1[0].tolist() == pytest.approx([math.tanh(0.5), math.tanh(-0.3)], abs=1e-12)
    assert [round(v, 2) for v in h1[0].tolist()] == [0.46, -0.29]
    pre2 = cell.preactivation(a.unsqueeze(0), h1)[0]
    # W_hh h_1 = 0.5 * [0.4621, -0.2913] = [0.231, -0.146]: the article's "+0.23" and "-0.15"
    assert [round(v, 2) for v in (pre2 - torch.tensor([0.3, 0.4], dtype=torch.float64)).tolist()] == [0.23, -0.15]
    # from the article's stated (rounded) pre-activations, tanh([0.53, 0.25]) = [0.49, 0.24] as printed
    assert [round(math.tanh(v), 2) for v in (0.3 + 0.23, 0.4 - 0.15)] == [0.49, 0.24]
    h2 = cell(a.unsqueeze(0), h1)[0]
    assert h2.tolist() == pytest.approx(torch.tanh(pre2).tolist(), abs=1e-12)
    assert round(h2[0].item(), 2) == 0.49


# ---------------------------------------------------------------------------------------
# The Constant Error Carousel
# ---------------------------------------------------------------------------------------
def test_cec_derivative_is_exactly_one_for_every_cell_at_every_step():
    net = tiny_net(scissors=True)
    x = torch.randn(3, 12, 2, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    jac = step_jacobians(net, x)  # (T-1, batch, C, C), total derivative through the whole graph
    eye = torch.eye(net.cell.n_cells, dtype=torch.float64).expand_as(jac)
    assert torch.equal(jac, eye)  # exactly 1.0 on the diagonal, exactly 0 elsewhere


def test_without_scissors_the_state_jacobian_is_not_the_identity():
    # Full BPTT adds paths s(t-1) -> y_c(t-1) -> net(t) -> s(t): the carousel is no longer pure.
    net = tiny_net(scissors=False)
    x = torch.randn(2, 6, 2, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    jac = step_jacobians(net, x)
    assert (jac - torch.eye(net.cell.n_cells, dtype=torch.float64)).abs().max() > 1e-4


# ---------------------------------------------------------------------------------------
# The scissors: truncated gradient == hand-derived RTRL of App. A.1
# ---------------------------------------------------------------------------------------
def rtrl_truncated_gradient(net: LSTM1997, x: np.ndarray, targets: np.ndarray) -> dict[str, np.ndarray]:
    """The paper's truncated gradient by forward-mode RTRL (App. A.1, eqs. 21, 25, 27), in numpy.

    Loss L = sum_t sum_k (y^k(t) - target_k(t))^2 over every step. Written from the paper's
    equations, independent of the model's autograd code: it only reads the weights.
    """
    cell = net.cell
    P = {k: v.detach().numpy().astype(np.float64) for k, v in net.named_parameters()}
    W_in = np.c_[P["cell.weight_in"], P["cell.bias_in"]]  # bias as the weight from a unit that is always 1
    W_out = np.c_[P["cell.weight_out"], P["cell.bias_out"]]
    W_c = np.c_[P["cell.weight_c"], P["cell.bias_c"]]
    W_k, b_k = P["output_units.weight"], P["output_units.bias"]
    B, S, C, H = cell.n_blocks, cell.block_size, cell.n_cells, cell.hidden_size
    block = np.repeat(np.arange(B), S)  # the block j of each cell c
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    f_, fp = sig, lambda v: sig(v) * (1 - sig(v))  # noqa: E731
    g_, gp = lambda v: 4 * sig(v) - 2, lambda v: 4 * fp(v)  # noqa: E731
    h_, hp = lambda v: 2 * sig(v) - 1, lambda v: 2 * fp(v)  # noqa: E731

    grads = {"in": np.zeros_like(W_in), "out": np.zeros_like(W_out), "c": np.zeros_like(W_c),
             "k": np.zeros_like(W_k), "bk": np.zeros_like(b_k)}
    y_prev, s = np.zeros(H), np.zeros(C)
    trace_in = np.zeros((C, W_in.shape[1]))  # d s_c / d w_in_{j(c), m}   (eq. 25)
    trace_c = np.zeros((C, W_c.shape[1]))    # d s_c / d w_c,m            (eq. 27)
    for t in range(x.shape[0]):
        z = np.r_[x[t], y_prev, 1.0]
        net_in, net_out, net_c = W_in @ z, W_out @ z, W_c @ z
        y_in, y_out = f_(net_in), f_(net_out)
        s = s + y_in[block] * g_(net_c)
        trace_in += (g_(net_c) * fp(net_in)[block])[:, None] * z[None, :]
        trace_c += (gp(net_c) * y_in[block])[:, None] * z[None, :]
        y_c = y_out[block] * h_(s)
        net_k = W_k @ y_c + b_k
        y_k = f_(net_k)
        delta_k = 2 * (y_k - targets[t]) * fp(net_k)         # dL_t / d net_k
        grads["k"] += np.outer(delta_k, y_c)
        grads["bk"] += delta_k
        e_c = W_k.T @ delta_k                                  # dL_t / d y_c(t)
        # output gate: instantaneous term only (eq. 21)
        e_out = np.bincount(block, weights=e_c * h_(s), minlength=B) * fp(net_out)
        grads["out"] += np.outer(e_out, z)
        e_s = e_c * y_out[block] * hp(s)                       # dL_t / d s_c(t)
        grads["in"] += np.stack([(e_s[block == j, None] * trace_in[block == j]).sum(0) for j in range(B)])
        grads["c"] += e_s[:, None] * trace_c
        y_prev = np.r_[y_c, y_in, y_out]
    F = x.shape[1] + H
    return {
        "cell.weight_in": grads["in"][:, :F], "cell.bias_in": grads["in"][:, F],
        "cell.weight_out": grads["out"][:, :F], "cell.bias_out": grads["out"][:, F],
        "cell.weight_c": grads["c"][:, :F], "cell.bias_c": grads["c"][:, F],
        "output_units.weight": grads["k"], "output_units.bias": grads["bk"],
    }


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_scissors_gradient_equals_hand_derived_truncated_rtrl(seed):
    net = tiny_net(scissors=True, seed=seed)
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(7, 2, generator=gen, dtype=torch.float64)
    targets = torch.rand(7, 2, generator=gen, dtype=torch.float64)
    outputs, _ = net(x.unsqueeze(0))
    loss = ((outputs[0] - targets) ** 2).sum()
    auto = dict(zip([n for n, _ in net.named_parameters()], torch.autograd.grad(loss, list(net.parameters()))))
    oracle = rtrl_truncated_gradient(net, x.numpy(), targets.numpy())
    assert set(auto) == set(oracle)
    for name, expected in oracle.items():
        np.testing.assert_allclose(auto[name].numpy(), expected, rtol=1e-10, atol=1e-13, err_msg=name)


def test_scissors_change_the_gradient():
    # Otherwise the RTRL test above could not tell the truncated from the full gradient.
    x = torch.randn(1, 7, 2, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    grads = []
    for scissors in (True, False):
        net = tiny_net(scissors=scissors, seed=0)
        grads.append(torch.autograd.grad(net(x)[0].sum(), net.cell.weight_in)[0])
    assert (grads[0] - grads[1]).abs().max() > 1e-6


def _loss_of_parameters(net: LSTM1997, x: torch.Tensor):
    names = [n for n, _ in net.named_parameters()]

    def loss(*params):
        out = torch.func.functional_call(net, dict(zip(names, params)), (x,))[0]
        return (out ** 2).sum()

    return loss, tuple(p.detach().clone().requires_grad_(True) for p in net.parameters())


def test_full_bptt_passes_gradcheck():
    net = tiny_net(scissors=False)
    x = torch.randn(2, 5, 2, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    loss, params = _loss_of_parameters(net, x)
    assert torch.autograd.gradcheck(loss, params, eps=1e-6, atol=1e-7)


def test_truncated_gradient_fails_gradcheck():
    # The scissors make the gradient an approximation: the numerical derivative disagrees.
    net = tiny_net(scissors=True)
    x = torch.randn(2, 5, 2, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    loss, params = _loss_of_parameters(net, x)
    assert not torch.autograd.gradcheck(loss, params, eps=1e-6, atol=1e-7, raise_exception=False)


# ---------------------------------------------------------------------------------------
# Variants against their references
# ---------------------------------------------------------------------------------------
def test_vanilla_rnn_cell_matches_torch_rnncell_with_copied_weights():
    ours, ref = VanillaRNNCell(3, 5).double(), torch.nn.RNNCell(3, 5).double()
    ref.load_state_dict(ours.state_dict())  # same names and shapes
    gen = torch.Generator().manual_seed(0)
    hx = torch.randn(4, 5, generator=gen, dtype=torch.float64)
    for _ in range(6):
        x = torch.randn(4, 3, generator=gen, dtype=torch.float64)
        a, b = ours(x, hx), ref(x, hx)
        torch.testing.assert_close(a, b, rtol=0, atol=1e-14)
        hx = a


def test_forget_gate_held_open_reduces_to_the_1997_cell():
    base = tiny_net(scissors=False, seed=5)
    later = tiny_net(scissors=False, seed=5, forget_gate=True)
    B = base.cell.n_blocks
    with torch.no_grad():
        for name in ("weight_in", "weight_out", "weight_c"):
            old = getattr(base.cell, name)  # columns: [x, y_c, y_in, y_out]; the new one adds y_forget
            getattr(later.cell, name).copy_(torch.cat([old, torch.zeros(old.shape[0], B, dtype=old.dtype)], 1))
        for name in ("bias_in", "bias_out", "bias_c"):
            getattr(later.cell, name).copy_(getattr(base.cell, name))
        later.cell.weight_forget.zero_()
        later.cell.bias_forget.fill_(50.0)  # sigma(50) == 1.0 exactly in float64: fully open
        later.output_units.load_state_dict(base.output_units.state_dict())
    x = torch.randn(3, 9, 2, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    a, (ya, sa) = base(x)
    b, (yb, sb) = later(x)
    assert torch.equal(a, b) and torch.equal(sa, sb)
    assert "not in the 1997 paper" in repr(later)


def test_forget_gate_closed_forgets():
    net = tiny_net(seed=0, forget_gate=True)
    with torch.no_grad():
        net.cell.weight_forget.zero_()
        net.cell.bias_forget.fill_(-50.0)  # y_forget = 0: s_c(t) = y_in g(net_c), no memory
    trace = net.run(torch.randn(1, 4, 2, dtype=torch.float64))
    for step in trace.steps:
        torch.testing.assert_close(step.s, net.cell.per_cell(step.y_in) * step.g_c)


# ---------------------------------------------------------------------------------------
# Properties on arbitrary inputs
# ---------------------------------------------------------------------------------------
finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@given(st.lists(finite, min_size=1, max_size=50))
def test_squasher_ranges(values):
    v = torch.tensor(values, dtype=torch.float64)
    assert ((g(v) >= -2) & (g(v) <= 2)).all()
    assert ((h(v) >= -1) & (h(v) <= 1)).all()
    moderate = v.clamp(-30, 30)  # in float64 sigma stays strictly inside (0, 1) here
    assert ((f(moderate) > 0) & (f(moderate) < 1)).all()


@given(st.floats(-20, 20))
def test_squasher_derivatives_match_autograd(v):
    x = torch.tensor(v, dtype=torch.float64, requires_grad=True)
    for fn, prime in ((f, f_prime), (g, g_prime), (h, h_prime)):
        (d,) = torch.autograd.grad(fn(x), x)
        assert d.item() == pytest.approx(prime(x).item(), abs=1e-12)


@settings(max_examples=30, deadline=None)
@given(batch=st.integers(1, 4), T=st.integers(1, 6), n_in=st.integers(1, 4), blocks=st.integers(1, 3),
       size=st.integers(1, 3), seed=st.integers(0, 10_000), scale=st.floats(0.01, 50))
def test_network_states_and_ranges(batch, T, n_in, blocks, size, seed, scale):
    net = LSTM1997(LSTM1997Config(n_in, 2, blocks, size, init_range=1.0), seed=seed).double()
    x = scale * torch.randn(batch, T, n_in, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    trace = net.run(x)
    C, H = blocks * size, blocks * size + 2 * blocks
    assert trace.outputs.shape == (batch, T, 2)
    for step in trace.steps:
        assert step.y.shape == (batch, H) and step.s.shape == (batch, C)
        for net_gate, gate in ((step.net_in, step.y_in), (step.net_out, step.y_out)):
            assert ((gate >= 0) & (gate <= 1)).all()  # closed: a huge net input saturates to 0.0 or 1.0
            inside = net_gate.abs() < 30  # below saturation, strictly inside (0, 1)
            assert ((gate[inside] > 0) & (gate[inside] < 1)).all()
        assert (step.g_c.abs() <= 2).all() and (step.h_s.abs() <= 1).all()
        assert (step.y_c.abs() <= 1).all()
        # the CEC moves by y_in g(net_c) per step: at most 2 (saturated gate and squasher)
        assert ((step.s - step.s_prev).abs() <= 2 + 1e-12).all()  # (up to rounding)


# ---------------------------------------------------------------------------------------
# Conventions: determinism, parameters, errors
# ---------------------------------------------------------------------------------------
def test_same_seed_same_weights_and_global_rng_untouched():
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a, b = paper_network("6a", seed=7), paper_network("6a", seed=7)
    assert torch.rand(1) == before  # building with a seed did not consume the global RNG
    for pa, pb in zip(a.parameters(), b.parameters()):
        assert torch.equal(pa, pb)
    c = paper_network("6a", seed=8)
    assert not torch.equal(a.cell.weight_c, c.cell.weight_c)


def test_initial_weights_in_the_papers_range_and_gate_biases_set():
    net = paper_network("3", seed=0)
    for name, p in net.named_parameters():
        if name not in ("cell.bias_in", "cell.bias_out"):
            assert p.abs().max() <= 0.1, name
    assert net.cell.bias_in.tolist() == [-1.0, -3.0, -5.0]
    assert net.cell.bias_out.tolist() == [-2.0, -4.0, -6.0]
    reber = paper_network("reber-4x1", seed=0)
    assert reber.cell.bias_c is None and reber.output_units.bias is None  # "only gates biased"
    assert reber.cell.weight_c.abs().max() <= 0.2 and reber.cell.bias_in.abs().max() <= 0.1


@pytest.mark.parametrize("bad, match", [
    (torch.zeros(5, 2), r"shape \(batch, time>=1, 2\).*unsqueeze"),
    (torch.zeros(1, 5, 3), r"shape \(batch, time>=1, 2\), got \(1, 5, 3\)"),
    (torch.zeros(1, 0, 2), r"time>=1"),
    (torch.full((1, 5, 2), float("nan")), "NaN or inf"),
    (torch.tensor([[[1.0, float("inf")]]]), "NaN or inf"),
])
def test_bad_network_input_raises_value_error(bad, match):
    with pytest.raises(ValueError, match=match):
        paper_network("adding")(bad)


@pytest.mark.parametrize("kwargs, match", [
    (dict(n_inputs=0, n_outputs=1, n_blocks=1), "n_inputs must be a positive integer"),
    (dict(n_inputs=2, n_outputs=1, n_blocks=-1), "n_blocks must be a positive integer"),
    (dict(n_inputs=2, n_outputs=1, n_blocks=1, block_size=0), "block_size"),
    (dict(n_inputs=2, n_outputs=1, n_blocks=1, bias_units="some"), "bias_units must be one of"),
    (dict(n_inputs=2, n_outputs=1, n_blocks=1, init_range=0), "init_range must be a finite positive number"),
    (dict(n_inputs=2, n_outputs=1, n_blocks=1, g="relu"), "unknown activation 'relu'"),
])
def test_bad_config_raises_value_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        LSTM1997(LSTM1997Config(**kwargs))


def test_bad_gate_bias_and_step_input():
    with pytest.raises(ValueError, match="one value per block"):
        LSTM1997(LSTM1997Config(2, 1, n_blocks=2, input_gate_bias=(-1.0,)))
    with pytest.raises(ValueError, match="carry no bias"):
        LSTM1997(LSTM1997Config(2, 1, n_blocks=1, bias_units="none", input_gate_bias=(-1.0,)))
    cell = LSTM1997Cell(3, 2)
    with pytest.raises(ValueError, match=r"expected input of shape \(batch, 3\)"):
        cell(torch.zeros(4, 2))
    with pytest.raises(ValueError, match=r"state s must have shape \(4, 2\)"):
        cell(torch.zeros(4, 3), (torch.zeros(4, 6), torch.zeros(4, 5)))


def test_cell_interface_like_lstmcell():
    cell = LSTM1997Cell(3, n_blocks=2, block_size=2)
    y, s = cell(torch.randn(5, 3))
    assert y.shape == (5, 8) and s.shape == (5, 4)
    y2, s2 = cell(torch.randn(5, 3), (y, s))
    assert y2.shape == y.shape
    assert "scissors=True" in repr(cell) and "hidden_size=8" in repr(cell)

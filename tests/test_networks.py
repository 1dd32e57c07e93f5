"""The paper's networks by name (Table 10), the baselines' shared interface, and gradient tools."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from lstm_core import (PAPER_NETWORKS, TinyTransformer, TorchGRU, TorchLSTM, VanillaRNN, count_parameters,
                       paper_network)
from lstm_core.analysis.gradients import depth_gradient_norms, product_chain, state_gradient_norms

# The paper's Table 10 / Tables 1, 3 weight counts: the oracle for connectivity "F".
TABLE10 = [("reber-4x1", None, 264), ("reber-3x2", None, 276), ("3a", None, 102), ("3b", None, 102),
           ("3c", None, 102), ("adding", None, 93), ("multiplication", None, 93), ("6a", None, 156),
           ("6b", None, 308), ("2c", 50, 364), ("2c", 100, 664), ("2c", 200, 1264), ("2c", 500, 3064),
           ("2c", 1000, 6064)]


@pytest.mark.parametrize("name, p, weights", TABLE10)
def test_parameter_count_equals_table_10(name, p, weights):
    assert count_parameters(paper_network(name, p=p)) == weights


def test_every_named_network_builds_and_runs():
    for name in PAPER_NETWORKS:
        net = paper_network(name, seed=0)
        out, _ = net(torch.rand(2, 3, net.n_inputs))
        assert out.shape == (2, 3, net.n_outputs) and ((out > 0) & (out < 1)).all()
    assert not paper_network("2a").cell.output_gate  # 2a/2b: no output gate


def test_unknown_experiment_and_overrides_raise():
    with pytest.raises(ValueError, match="unknown experiment 'adding2'.*'adding'"):
        paper_network("adding2")
    with pytest.raises(ValueError, match="unknown config fields"):
        paper_network("adding", n_cells=3)
    with pytest.raises(ValueError, match="applies to experiments 2a/2b/2c only"):
        paper_network("adding", p=10)
    assert not paper_network("adding", scissors=False).scissors


@pytest.mark.parametrize("make", [
    lambda: VanillaRNN(2, 6, 1, seed=0), lambda: TorchLSTM(2, 6, 1, seed=0),
    lambda: TorchGRU(2, 6, 1, seed=0), lambda: TinyTransformer(2, 1, seed=0),
    lambda: paper_network("adding", seed=0),
])
def test_same_sequence_interface(make):
    model = make().double()
    x = torch.randn(3, 11, 2, dtype=torch.float64)
    out, _ = model(x)
    assert out.shape == (3, 11, 1)
    with pytest.raises(ValueError, match="expected input of shape"):
        model(torch.zeros(3, 11, 5))
    # causality: changing the last input does not change earlier outputs
    x2 = x.clone()
    x2[:, -1] += 1.0
    torch.testing.assert_close(model(x2)[0][:, :-1], out[:, :-1])
    # seeded construction is deterministic
    assert torch.equal(make().double()(x)[0], out)


@pytest.mark.parametrize("cls", [TorchLSTM, TorchGRU, VanillaRNN])
def test_stepwise_run_equals_library_forward(cls):
    model = cls(3, 5, 2, seed=1).double()
    x = torch.randn(2, 9, 3, dtype=torch.float64)
    torch.testing.assert_close(model.run(x).outputs, model(x)[0], rtol=0, atol=1e-12)


def test_vanilla_rnn_matches_torch_rnn():
    model = VanillaRNN(3, 5, 2, seed=0).double()
    ref = torch.nn.RNN(3, 5, batch_first=True).double()
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(ref, name + "_l0").copy_(getattr(model.cell, name))
    x = torch.randn(2, 9, 3, dtype=torch.float64)
    hidden, _ = ref(x)
    torch.testing.assert_close(model(x)[0], torch.sigmoid(model.output_units(hidden)))


# --- gradient tools --------------------------------------------------------------------
def test_product_chain_and_the_articles_walkthrough():
    chain = product_chain(0.9, 0.3, 99)
    assert chain[1] == pytest.approx(0.27) and chain[2] == pytest.approx(0.0729)
    # The article printed (0.27)^10 ~ 2.9e-6; it is 2.06e-6.
    assert chain[10] == pytest.approx(math.exp(10 * math.log(0.27)))
    assert f"{chain[10]:.2e}" == "2.06e-06"
    # The article printed (0.27)^99 ~ 1e-58; it is 5.1e-57.
    assert f"{chain[99]:.1e}" == "5.1e-57"
    assert product_chain(1.1, 1.0, 100)[100] == pytest.approx(13780.6, rel=1e-4)
    assert product_chain(0.9, 1.0, 100)[100] == pytest.approx(2.656e-5, rel=1e-3)
    assert product_chain(0.8, 1.0, 10)[10] == pytest.approx(0.10737, rel=1e-4)
    with pytest.raises(ValueError, match="steps must be a non-negative integer"):
        product_chain(0.9, 0.3, -1)
    with pytest.raises(ValueError, match=r"spectral \(factor\) must be a finite non-negative number"):
        product_chain(float("nan"), 0.3, 3)


def test_state_gradient_norms_cec_constant_rnn_vanishing():
    x = torch.randn(4, 60, 2, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    lstm = paper_network("adding", seed=0).double()
    with torch.no_grad():  # output gates fully open, weights into the gates off: a pure carousel
        lstm.cell.weight_out.zero_()
        lstm.cell.bias_out.fill_(50.0)
    norms = state_gradient_norms(lstm, x)
    # with the scissors on, dL/ds_c(t) is the same at every step: error rides the CEC unchanged
    np.testing.assert_allclose(norms, norms[-1], rtol=1e-12)
    rnn = VanillaRNN(2, 8, 1, seed=0).double()
    rnn_norms = state_gradient_norms(rnn, x)
    assert rnn_norms[0] < 1e-6 * rnn_norms[-1]  # vanished over 59 steps
    assert len(norms) == len(rnn_norms) == 60
    with pytest.raises(ValueError, match="Transformer has no state"):
        state_gradient_norms(TinyTransformer(2, 1), x)


def test_state_gradient_norms_agree_with_finite_differences():
    # Oracle: perturb the state of step t by hand and measure the loss change.
    rnn = VanillaRNN(2, 4, 1, seed=3).double()
    x = torch.randn(1, 8, 2, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    norms = state_gradient_norms(rnn, x)
    t, eps = 3, 1e-6
    with torch.no_grad():
        state = rnn.initial_state(1, x)
        for i in range(t + 1):
            state, _, _ = rnn.step(x[:, i], state)
        grad = []
        for j in range(4):
            losses = []
            for sign in (1, -1):
                s = state.clone()
                s[0, j] += sign * eps
                for i in range(t + 1, 8):
                    s, _, _ = rnn.step(x[:, i], s)
                losses.append(rnn.readout(s).sum().item())
            grad.append((losses[0] - losses[1]) / (2 * eps))
    assert norms[t] == pytest.approx(np.linalg.norm(grad), rel=1e-6)


def test_residual_connections_keep_gradient_through_depth():
    plain = depth_gradient_norms(depth=40, residual=False, init_scale=0.5)
    residual = depth_gradient_norms(depth=40, residual=True, init_scale=0.5)
    assert plain[0] / plain[-1] < 1e-6  # vanished through 40 tanh layers
    assert residual[0] / residual[-1] > 0.5  # the identity path keeps it

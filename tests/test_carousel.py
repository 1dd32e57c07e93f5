"""lstm_core.analysis.carousel against oracles: closed forms, hand derivations, the CEC recursion itself."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

from lstm_core import TorchLSTM, VanillaRNN, paper_network, step_from_preactivations
from lstm_core.analysis.gates import (
    CELL_VALUE_NAMES, adding_stream, cell_update_stages, cell_values, run_stream, write_read_inputs,
    write_read_network,
)
from lstm_core.analysis.carousel import carousel_gradients, carousel_signal, set_forget_bias
from lstm_core.tasks import adding


def sig(v: float) -> float:
    return 1.0 / (1.0 + math.exp(-v))


# ---------------------------------------------------------------------------------------
# carousel_signal
# ---------------------------------------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(weight=st.floats(0.0, 1.5), steps=st.integers(0, 300), decay=st.floats(0.5, 1.0))
def test_carousel_signal_is_the_power_law(weight, steps, decay):
    sig_ = carousel_signal(weight, steps, decay)
    k = np.arange(steps + 1)
    np.testing.assert_array_equal(sig_.steps, k)
    np.testing.assert_allclose(sig_.rnn, np.power(weight, k.astype(float)), rtol=1e-11, atol=1e-300)
    np.testing.assert_allclose(sig_.lstm, np.power(decay, k.astype(float)), rtol=1e-11)


def test_carousel_signal_cec_is_exactly_one_and_rnn_vanishes():
    sig_ = carousel_signal(0.9, 100)
    assert (sig_.lstm == 1.0).all()  # s <- s + 0: not approximately, exactly
    assert sig_.rnn[-1] == pytest.approx(0.9 ** 100, rel=1e-12)
    assert carousel_signal(1.1, 100).rnn[-1] == pytest.approx(1.1 ** 100, rel=1e-12)  # explodes instead


@pytest.mark.parametrize("kwargs", [dict(weight=float("nan"), steps=3), dict(weight=0.5, steps=-1),
                                    dict(weight=0.5, steps=2.5), dict(weight=0.5, steps=3, decay=float("inf")),
                                    dict(weight="0.5", steps=3)])
def test_carousel_signal_rejects_bad_input(kwargs):
    with pytest.raises(ValueError):
        carousel_signal(**kwargs)


# ---------------------------------------------------------------------------------------
# carousel_gradients: the error on, into and out of the carousel
# ---------------------------------------------------------------------------------------
def _adding_inputs(n: int = 2, T: int = 30) -> torch.Tensor:
    batch = adding.generate(adding.AddingConfig(T=T), n, seed=1)
    return torch.as_tensor(batch.inputs[:, :T]).double()


def test_carousel_gradients_constant_on_carousel_scaled_by_gates():
    net = paper_network("adding", seed=2).double()
    x = _adding_inputs()
    cg = carousel_gradients(net, x)
    n, T, C = cg.dL_ds.shape
    assert (n, T, C) == (2, 30, 4)
    # on the carousel: the same error at every step (scissors on, loss at the last step)
    np.testing.assert_allclose(cg.dL_ds, cg.dL_ds[:, -1:, :].repeat(T, axis=1), rtol=1e-12, atol=0)
    # leaving it: scaled by y^in g'(net_c) (paper, Sec. 4)
    np.testing.assert_allclose(cg.dL_dnet_c, cg.dL_ds * cg.y_in * cg.g_prime, rtol=1e-10, atol=1e-300)
    # entering it: dL/ds_c(T-1) = dL/dy^c * y^out h'(s_c)
    np.testing.assert_allclose(cg.dL_ds[:, -1], cg.dL_dyc_last * cg.y_out[:, -1] * cg.h_prime[:, -1], rtol=1e-10)
    # hand oracle for dL/dy^c: L = sum_k f(net_k), net_k = sum_c w_kc y^c + b_k  =>  dL/dy^c = sum_k f'(net_k) w_kc
    with torch.no_grad():
        y_c = net.run(x).steps[-1].y_c
        net_k = net.output_units(y_c)
        expected = (torch.sigmoid(net_k) * (1 - torch.sigmoid(net_k))) @ net.output_units.weight
    np.testing.assert_allclose(cg.dL_dyc_last, expected.numpy(), rtol=1e-10)


def test_carousel_gradients_factors_are_the_paper_functions():
    net = paper_network("adding", seed=0).double()
    x = _adding_inputs(1, 12)
    cg = carousel_gradients(net, x)
    trace = net.run(x)
    net_c = torch.stack([s.net_c for s in trace.steps], 1).detach().numpy()
    s = torch.stack(trace.states, 1).detach().numpy()
    sg = 1 / (1 + np.exp(-net_c))
    np.testing.assert_allclose(cg.g_prime, 4 * sg * (1 - sg), rtol=1e-12)  # g = 4 sigma - 2
    ss = 1 / (1 + np.exp(-s))
    np.testing.assert_allclose(cg.h_prime, 2 * ss * (1 - ss), rtol=1e-12)  # h = 2 sigma - 1
    # block gates are shared by the block's cells (2 blocks of 2 cells)
    np.testing.assert_array_equal(cg.y_in[..., 0], cg.y_in[..., 1])
    np.testing.assert_array_equal(cg.y_out[..., 2], cg.y_out[..., 3])


def test_carousel_gradients_rejects_other_models():
    with pytest.raises(ValueError, match="LSTM1997"):
        carousel_gradients(VanillaRNN(2, 3, 1), torch.zeros(1, 4, 2))
    with pytest.raises(ValueError, match="scalar"):
        carousel_gradients(paper_network("adding", seed=0), torch.zeros(1, 4, 2), loss_fn=lambda out: out)


# ---------------------------------------------------------------------------------------
# set_forget_bias
# ---------------------------------------------------------------------------------------
def test_set_forget_bias_sets_the_forget_gate_of_nn_lstm():
    model = set_forget_bias(TorchLSTM(2, 3, 1, seed=0).double(), 3.0)
    r = model.rnn
    np.testing.assert_array_equal(r.bias_ih_l0[3:6].detach().numpy(), 3.0)
    np.testing.assert_array_equal(r.bias_hh_l0[3:6].detach().numpy(), 0.0)
    # oracle: with x = 0 and h = 0, c(1) = sigma(3) c(0) + sigma(b_i) tanh(b_g)
    c0 = torch.tensor([[0.5, -1.0, 2.0]], dtype=torch.float64)
    (h1, c1), _, _ = model.step(torch.zeros(1, 2, dtype=torch.float64), (torch.zeros(1, 3, dtype=torch.float64), c0))
    b = (r.bias_ih_l0 + r.bias_hh_l0).detach()
    expected = sig(3.0) * c0 + torch.sigmoid(b[0:3]) * torch.tanh(b[6:9])
    np.testing.assert_allclose(c1.detach().numpy(), expected.numpy(), rtol=1e-12)
    with pytest.raises(ValueError, match="TorchLSTM"):
        set_forget_bias(VanillaRNN(2, 3, 1), 1.0)
    with pytest.raises(ValueError, match="finite"):
        set_forget_bias(TorchLSTM(2, 3, 1), float("nan"))


# ---------------------------------------------------------------------------------------
# cell_values and cell_update_stages: the article's five-step example
# ---------------------------------------------------------------------------------------
def test_stages_of_the_articles_worked_example():
    step = step_from_preactivations(net_in=-2.1, net_c=1.5, net_out=0.5, s_prev=1.5)
    values = cell_values(step)
    assert set(values) == set(CELL_VALUE_NAMES)
    y_in, g_c = sig(-2.1), 4 * sig(1.5) - 2
    s = 1.5 + y_in * g_c
    y_out, h_s = sig(0.5), 2 * sig(s) - 1
    stages = cell_update_stages(step)
    assert [st.number for st in stages] == [1, 2, 3, 4, 5]
    assert [st.name for st in stages] == ["y_in", "g_c", "s", "y_out", "y_c"]
    for st, oracle in zip(stages, (y_in, g_c, s, y_out, y_out * h_s)):
        assert st.value == pytest.approx(oracle, abs=1e-12)
        assert st.value == pytest.approx(values[st.name], abs=0)
    assert stages[0].formula.endswith("= 0.109")
    assert "1.500 + 0.109 × 1.270 = 1.639" in stages[2].formula
    assert stages[4].formula.endswith("0.622 × 0.675 = 0.420")  # not the article's 0.84 and 0.52


def test_stages_reject_steps_they_cannot_spell():
    with pytest.raises(ValueError, match="output gate"):
        cell_update_stages(step_from_preactivations(0.0, 0.0, None, 0.0))
    with pytest.raises(ValueError, match="forget gate"):
        cell_update_stages(step_from_preactivations(0.0, 0.0, 0.0, 0.0, net_forget=1.0))
    with pytest.raises(ValueError, match="squashers"):
        cell_update_stages(step_from_preactivations(0.0, 1.0, 0.0, 0.5, g="sigmoid", h="identity"))
    many = step_from_preactivations(torch.tensor([0.0, 1.0]), 0.5, 0.0, 0.0)
    assert cell_values(many, 1)["y_in"] == pytest.approx(sig(1.0))
    assert cell_values(many, 1)["net_out"] == 0.0  # a scalar is shared by both cells
    with pytest.raises(ValueError, match="out of range"):
        cell_values(many, 2)
    no_gate = cell_values(step_from_preactivations(0.0, 0.0, None, 0.0))
    assert no_gate["y_out"] == 1.0 and math.isnan(no_gate["net_out"])  # no output gate: y^out = 1


# ---------------------------------------------------------------------------------------
# write_read_network: the gates as permissions
# ---------------------------------------------------------------------------------------
def test_write_read_network_writes_holds_and_reads():
    gain = 10.0
    values = [0.3, -0.5, 0.8, 0.1, -0.9, 0.4, 0.2, -0.7]
    x = write_read_inputs(values, write_at=[2], read_at=[6])
    trace = write_read_network(gain).run(x)
    s = torch.stack(trace.states, 1)[0, :, 0].detach().numpy()
    y_c = trace.stack("y_c")[0, :, 0].detach().numpy()
    v = np.asarray(values, dtype=np.float32).astype(float)
    closed, open_ = sig(-gain), sig(gain)
    g = lambda z: 4 * sig(z) - 2  # noqa: E731
    # oracle: the CEC recursion with the gate values the hand-set weights imply
    expected_s, state = [], 0.0
    for t, val in enumerate(v):
        state = state + (open_ if t == 2 else closed) * g(val)
        expected_s.append(state)
    np.testing.assert_allclose(s, expected_s, rtol=1e-5, atol=1e-7)
    expected_y = [(open_ if t == 6 else closed) * (2 * sig(e) - 1) for t, e in enumerate(expected_s)]
    np.testing.assert_allclose(y_c, expected_y, rtol=1e-5, atol=1e-7)
    assert abs(y_c[6]) > 0.3 and np.abs(np.delete(y_c, 6)).max() < 1e-4


def test_write_read_inputs_and_network_validate():
    x = write_read_inputs([1.0, 2.0], write_at=[0], read_at=[0, 1])
    assert x.shape == (1, 2, 3) and x[0, :, 1].tolist() == [1.0, 0.0] and x[0, :, 2].tolist() == [1.0, 1.0]
    with pytest.raises(ValueError, match="write_at"):
        write_read_inputs([1.0, 2.0], write_at=[2], read_at=[])
    with pytest.raises(ValueError, match="non-empty"):
        write_read_inputs([], write_at=[], read_at=[])
    with pytest.raises(ValueError, match="gain"):
        write_read_network(0.0)


# ---------------------------------------------------------------------------------------
# adding_stream and run_stream: the state drift
# ---------------------------------------------------------------------------------------
def test_adding_stream_is_the_sequences_end_to_end():
    stream = adding_stream(5, T=20, seed=3)
    batch = adding.generate(adding.AddingConfig(T=20), 5, seed=3)
    assert stream.shape == (1, int(batch.lengths.sum()), 2)
    np.testing.assert_array_equal(stream[0, : batch.lengths[0]].numpy(), batch.inputs[0, : batch.lengths[0]])
    assert int((stream[0, :, 1] == 1.0).sum()) == 2 * 5  # two marked pairs per sequence
    with pytest.raises(ValueError, match="n_sequences"):
        adding_stream(0)


def test_run_stream_follows_the_cec_recursion():
    x = adding_stream(3, T=20, seed=0)
    run = run_stream(paper_network("adding", seed=0), x)
    assert run.y_forget is None
    # 1997: s_c(t) = s_c(t-1) + y^in g, from s_c(0) = 0, is the running sum of what was written
    np.testing.assert_allclose(run.s, np.cumsum(run.written.astype(float), axis=1), rtol=1e-4, atol=1e-5)
    later = run_stream(paper_network("adding", seed=0, forget_gate=True, forget_gate_bias=(1.0, 1.0)), x)
    s, w, f = (a.astype(float) for a in (later.s, later.written, later.y_forget))
    prev = np.concatenate([np.zeros_like(s[:, :1]), s[:, :-1]], axis=1)
    np.testing.assert_allclose(s, f * prev + w, rtol=1e-5, atol=1e-6)  # s_c(t) = y^phi s_c(t-1) + y^in g
    # ... and is bounded by max|y^in g| / (1 - max y^phi)
    assert np.abs(s).max() <= np.abs(w).max() / (1 - f.max()) + 1e-6
    with pytest.raises(ValueError, match="LSTM1997"):
        run_stream(VanillaRNN(2, 3, 1), x)

"""The vanilla RNN baseline's engine (full BPTT) against torch autograd on ``VanillaRNN``, float64."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lstm_core import VanillaRNN
from lstm_core.tasks import adding, temporal_order
from lstm_core.training.engines import rnn as fast_rnn
from lstm_core.training.loop import as_tensors, sequence_loss


@pytest.mark.parametrize("output_activation", ["sigmoid", "identity"])
def test_rnn_engine_gradient_equals_autograd_bptt(output_activation):
    model = VanillaRNN(2, 5, 1, seed=0, output_activation=output_activation).double()
    batch = adding.generate(adding.AddingConfig(T=20), 3, 0)
    grads = fast_rnn.sequence_gradients(model, batch, i=1)
    x, y, m = as_tensors(batch.select([1]), torch.float64)
    loss = sequence_loss(model(x)[0], y, m).sum()
    names = [n for n, _ in model.named_parameters()]
    auto = dict(zip(names, torch.autograd.grad(loss, list(model.parameters()))))
    for name, key in (("cell.weight_ih", "cell.weight_ih"), ("cell.weight_hh", "cell.weight_hh"),
                      ("cell.bias", "cell.bias_ih"), ("cell.bias", "cell.bias_hh"),
                      ("output_units.weight", "output_units.weight"), ("output_units.bias", "output_units.bias")):
        np.testing.assert_allclose(grads[name], auto[key].numpy(), rtol=1e-9, atol=1e-13, err_msg=key)
    assert np.abs(grads["cell.weight_ih"]).max() > 1e-4  # not a vacuous comparison


@pytest.mark.parametrize("output_activation", ["sigmoid", "identity"])
def test_rnn_engine_forward_equals_the_module(output_activation):
    model = VanillaRNN(8, 6, 4, seed=2, output_activation=output_activation).double()
    batch = temporal_order.generate(temporal_order.PAPER_CONFIGS["6a"], 4, 1)
    p = fast_rnn.RNNParams.from_models([model])
    out = fast_rnn.forward(p, batch)
    ref = model(torch.as_tensor(batch.inputs, dtype=torch.float64))[0].detach().numpy()
    inside = np.arange(batch.T_max)[None] < batch.lengths[:, None]
    np.testing.assert_allclose(out[inside], ref[inside], atol=1e-12)
    assert p.n_seen[0] == 0  # forward does not train


def test_online_training_equals_autograd_sgd_and_round_trips():
    """One SGD step per sequence, as autograd on the module with its two biases merged into one.

    The engine keeps b_ih + b_hh as one bias and steps it once (SGD on both would move their
    sum twice as fast): the oracle is autograd SGD with b_hh folded into b_ih and held at 0.
    """
    lr = 0.3
    model = VanillaRNN(2, 4, 1, seed=3, output_activation="identity").double()
    with torch.no_grad():
        model.cell.bias_ih += model.cell.bias_hh
        model.cell.bias_hh.zero_()
    batch = adding.generate(adding.AddingConfig(T=12), 4, 2)
    p = fast_rnn.RNNParams.from_models([model])
    fast_rnn.train_online(p, batch, lr)
    trained = [prm for name, prm in model.named_parameters() if name != "cell.bias_hh"]
    for i in range(batch.n):  # the oracle: one autograd SGD step per sequence
        x, y, m = as_tensors(batch.select([i]), torch.float64)
        loss = sequence_loss(model(x)[0], y, m).sum()
        grads = torch.autograd.grad(loss, trained)
        with torch.no_grad():
            for prm, g in zip(trained, grads):
                prm -= lr * g
    other = VanillaRNN(2, 4, 1, seed=9, output_activation="identity").double()
    p.to_model(other)
    x = torch.as_tensor(batch.inputs, dtype=torch.float64)
    np.testing.assert_allclose(other(x)[0].detach().numpy(), model(x)[0].detach().numpy(), atol=1e-12)
    assert p.n_seen.tolist() == [4] and p.diverged_at.tolist() == [-1]


def test_supports_refuses_what_the_kernel_does_not_compute():
    assert fast_rnn.supports(VanillaRNN(2, 3, 1))[0]
    assert fast_rnn.supports(VanillaRNN(2, 3, 1, output_activation="identity"))[0]
    no_bias = VanillaRNN(2, 3, 1)
    no_bias.cell.bias_ih = None
    ok, why = fast_rnn.supports(no_bias)
    assert not ok and "bias" in why
    assert not fast_rnn.supports(torch.nn.RNN(2, 3))[0]
    with pytest.raises(ValueError, match="cannot train models\\[0\\]"):
        fast_rnn.RNNParams.from_models([no_bias])


def test_learning_rates_and_divergence():
    model = VanillaRNN(2, 3, 1, seed=0)
    batch = adding.generate(adding.AddingConfig(T=12), 3, 0)
    for lr in (0.0, -1.0, float("inf"), float("nan"), True, "0.1"):
        with pytest.raises(ValueError, match="learning_rate"):
            fast_rnn.train_online(fast_rnn.RNNParams.from_models([model]), batch, lr)
    p = fast_rnn.RNNParams.from_models([model])
    p.W_o *= 3e6  # beyond engines.base.MAX_ABS_WEIGHT: saturated, diverged
    with pytest.raises(ValueError, match="diverged by sequence 3 .*: a weight had grown beyond"):
        fast_rnn.train_online(p, batch, 0.1)
    stacked = fast_rnn.RNNParams.from_models([model, model])
    stacked.W_o[0] *= 3e6
    out = fast_rnn.train_online_trials(stacked, [batch, batch], 0.1)
    assert stacked.diverged_at.tolist() == [3, -1] and stacked.diverged_how.tolist() == [2, 0]
    before = stacked.W_ih[0].copy()
    out = fast_rnn.train_online_trials(stacked, [batch, batch], 0.1)  # a diverged trial stays stopped
    np.testing.assert_array_equal(stacked.W_ih[0], before)
    assert np.isnan(out[0]).all() and np.isfinite(out[1]).all()

"""The networks and cells check what they are given: states hx (parts, shapes, batch, dtype) as
``nn.RNN`` does, switches as real bools, sizes as integers (numpy integers too)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from lstm_core import (LSTM1997, LSTM1997Cell, LSTM1997Config, TinyTransformer, TorchGRU, TorchLSTM, VanillaRNN,
                       VanillaRNNCell, paper_network)

MODELS = {
    "LSTM1997": lambda: paper_network("adding", seed=0),
    "LSTM2a": lambda: paper_network("2a-B", p=4, seed=0),
    "VanillaRNN": lambda: VanillaRNN(2, 5, 1, seed=0),
    "TorchLSTM": lambda: TorchLSTM(2, 5, 1, seed=0),
    "TorchGRU": lambda: TorchGRU(2, 5, 1, seed=0),
}


def _input(model, batch=3, T=4, dtype=torch.float32):
    return torch.rand(batch, T, model.n_inputs, dtype=dtype)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_a_state_from_a_run_is_accepted_and_continues_the_sequence(name):
    model = MODELS[name]().double()
    x = _input(model, dtype=torch.float64)
    whole, _ = model(x)
    first, state = model(x[:, :2])
    rest, _ = model(x[:, 2:], state)
    torch.testing.assert_close(torch.cat([first, rest], dim=1), whole, rtol=0, atol=1e-12)
    torch.testing.assert_close(model.run(x[:, 2:], state).outputs, rest, rtol=0, atol=1e-12)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_a_state_of_another_batch_size_is_refused(name):
    model = MODELS[name]()
    _, state = model(_input(model, batch=2))
    with pytest.raises(ValueError, match=r"state \w+ must have shape \(3, \d+\) \(its batch size must equal"):
        model(_input(model, batch=3), state)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_a_state_of_another_dtype_is_refused_as_nn_rnn_does(name):
    model = MODELS[name]()
    x = _input(model)
    _, state = model(x)
    state64 = tuple(t.double() for t in state) if isinstance(state, tuple) else state.double()
    with pytest.raises(ValueError, match=r"has dtype torch.float64 but the model's parameters are torch.float32"):
        model(x, state64)
    with pytest.raises(ValueError, match="torch.float64 but the model's parameters are torch.float32"):
        model.run(x, state64)
    # the oracle: nn.RNN refuses a float64 h0 for float32 weights as well
    with pytest.raises(RuntimeError):
        nn.RNN(2, 3, batch_first=True)(torch.zeros(1, 2, 2), torch.zeros(1, 1, 3, dtype=torch.float64))


def test_wrong_parts_and_sizes_are_named():
    net = paper_network("adding", seed=0)  # state (y, s): y (batch, 8), s (batch, 4)
    x = _input(net, batch=2)
    y, s = net(x)[1]
    with pytest.raises(ValueError, match=r"hx must be the state \(y, s\): 2 tensor\(s\)"):
        net(x, s)
    with pytest.raises(ValueError, match=r"state s must have shape \(2, 4\), got \(2, 3\)"):
        net(x, (y, s[:, :3]))
    with pytest.raises(ValueError, match="state y must be a torch.Tensor"):
        net(x, (y.detach().numpy(), s))
    with pytest.raises(ValueError, match="TinyTransformer has no recurrent state"):
        TinyTransformer(2, 1, seed=0)(x, (y, s))


def test_cells_check_state_and_input_dtype():
    cell = LSTM1997Cell(3, 2, 2)
    x = torch.rand(4, 3)
    y, s = cell(x)
    with pytest.raises(ValueError, match=r"state y must have shape \(5, 8\) \(its batch size"):
        cell(torch.rand(5, 3), (y, s))
    with pytest.raises(ValueError, match="state s has dtype torch.float64"):
        cell(x, (y, s.double()))
    with pytest.raises(ValueError, match="input has dtype torch.float64 but the cell's parameters are torch.float32"):
        cell(x.double())
    rnn = VanillaRNNCell(3, 4)
    with pytest.raises(ValueError, match="state h has dtype torch.float64"):
        rnn(x, torch.zeros(4, 4, dtype=torch.float64))


def test_scissors_is_a_real_switch():
    net = paper_network("adding", seed=0)
    net.scissors = False
    assert net.scissors is False and net.cell.scissors is False
    for bad in ("no", "False", 0, 1, None):
        with pytest.raises(TypeError, match="scissors is a switch and must be True or False"):
            net.scissors = bad
        assert net.scissors is False  # unchanged by the refused value
    with pytest.raises(TypeError, match="scissors is a switch"):
        LSTM1997Cell(2, 1, scissors="yes")
    with pytest.raises(TypeError, match="output_gate is a switch"):
        LSTM1997(LSTM1997Config(2, 1, n_blocks=1, output_gate=1))
    with pytest.raises(TypeError, match="scissors is a switch"):
        paper_network("adding", scissors="off")


def test_numpy_integer_sizes_are_sizes_and_bools_are_not():
    net = LSTM1997(LSTM1997Config(np.int64(2), np.int64(1), n_blocks=np.int32(2), block_size=np.int64(2)), seed=0)
    assert net.config.n_blocks == 2 and type(net.config.n_blocks) is int
    assert net.cell.n_cells == 4
    for cls in (VanillaRNN, TorchLSTM, TorchGRU):
        model = cls(np.int64(2), np.int64(5), np.int64(1), seed=0)
        assert model(torch.rand(1, 3, 2))[0].shape == (1, 3, 1)
    assert paper_network("2c", p=np.int64(50)).n_inputs == 54
    with pytest.raises(TypeError, match="n_blocks must be a positive integer"):
        LSTM1997Config(2, 1, n_blocks=True)
    with pytest.raises(TypeError, match="hidden_size must be a positive integer"):
        VanillaRNN(2, 5.0, 1)
    with pytest.raises(TypeError, match="init_range must be a finite positive number"):
        LSTM1997Config(2, 1, n_blocks=1, init_range=True)

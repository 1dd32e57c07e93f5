"""The baselines the 1997 network is compared with, behind the same sequence interface.

| class               | what                                                         | whose          |
|---------------------|--------------------------------------------------------------|----------------|
| ``VanillaRNN``      | tanh RNN (``VanillaRNNCell``), full backprop through time    | baseline       |
| ``TorchLSTM``       | ``nn.LSTM`` (forget gate, tanh, no scissors) + output units  | later (modern) |
| ``TorchGRU``        | ``nn.GRU`` + output units                                    | later (2014)   |
| ``TinyTransformer`` | small causal Transformer encoder + output units              | later (2017)   |

Like :class:`lstm_core.model.networks.LSTM1997` they are batch-first, their output units are
logistic sigmoids by default, and ``forward(x, hx=None)`` checks ``hx`` as ``nn.RNN`` does.
"""

from __future__ import annotations

import math
from typing import Any, Optional

import torch
from torch import nn

from lstm_core.model.cells import VanillaRNNCell
from lstm_core.model.networks import SequenceModel, _check_sizes, _output_activation, _seeded

__all__ = ["VanillaRNN", "TorchLSTM", "TorchGRU", "TinyTransformer"]


class VanillaRNN(SequenceModel):
    """A tanh RNN (``VanillaRNNCell``) with sigmoid output units; trained with full BPTT."""

    def __init__(self, n_inputs: int, hidden_size: int, n_outputs: int, *,
                 output_activation: str = "sigmoid", seed: Optional[int] = None) -> None:
        super().__init__()
        n_inputs, hidden_size, n_outputs = _check_sizes(n_inputs=n_inputs, hidden_size=hidden_size,
                                                        n_outputs=n_outputs)
        self.n_inputs, self.n_outputs = n_inputs, n_outputs
        self.output_activation = _output_activation(output_activation)
        with _seeded(seed):
            self.cell = VanillaRNNCell(n_inputs, hidden_size)
            self.output_units = nn.Linear(hidden_size, n_outputs)

    def initial_state(self, batch: int, like: torch.Tensor) -> torch.Tensor:
        return torch.zeros(batch, self.cell.hidden_size, dtype=like.dtype)

    def step(self, x_t: torch.Tensor, state: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        h = torch.tanh(self.cell.preactivation(x_t, state))
        return h, h, h

    def carried(self, state: torch.Tensor) -> torch.Tensor:
        return state


class _TorchRecurrent(SequenceModel):
    """Shared code of the ``nn.LSTM`` / ``nn.GRU`` wrappers (one layer, batch-first)."""

    rnn: nn.RNNBase

    def _setup(self, rnn_class: type, n_inputs: int, hidden_size: int, n_outputs: int,
               output_activation: str, seed: Optional[int]) -> None:
        n_inputs, hidden_size, n_outputs = _check_sizes(n_inputs=n_inputs, hidden_size=hidden_size,
                                                        n_outputs=n_outputs)
        self.n_inputs, self.n_outputs = n_inputs, n_outputs
        self.output_activation = _output_activation(output_activation)
        with _seeded(seed):
            self.rnn = rnn_class(n_inputs, hidden_size, batch_first=True)
            self.output_units = nn.Linear(hidden_size, n_outputs)

    # Our state tensors are (batch, hidden); torch's are (1, batch, hidden).
    @staticmethod
    def _to_torch(state: Any) -> Any:
        return tuple(t.unsqueeze(0) for t in state) if isinstance(state, tuple) else state.unsqueeze(0)

    @staticmethod
    def _from_torch(state: Any) -> Any:
        return tuple(t[0] for t in state) if isinstance(state, tuple) else state[0]

    def forward(self, input: torch.Tensor, hx: Any = None) -> tuple[torch.Tensor, Any]:
        x = self.check_input(input)  # whole sequence in one call: the fast library kernel
        out, state = self.rnn(x, None if hx is None else self._to_torch(self.check_state(hx, x)))
        return self.readout(out), self._from_torch(state)

    def step(self, x_t: torch.Tensor, state: Any) -> tuple[Any, torch.Tensor, torch.Tensor]:
        _, new = self.rnn(x_t.unsqueeze(1), self._to_torch(state))
        new = self._from_torch(new)
        return new, new, new  # the GRU's output is its state h


class TorchLSTM(_TorchRecurrent):
    """``nn.LSTM`` (the modern LSTM: forget gate, tanh, full BPTT) with sigmoid output units.

    State ``(h, c)``, each (batch, hidden) (``nn.LSTM`` adds a leading layer axis); ``carried`` is c.
    """

    def __init__(self, n_inputs: int, hidden_size: int, n_outputs: int, *,
                 output_activation: str = "sigmoid", seed: Optional[int] = None) -> None:
        super().__init__()
        self._setup(nn.LSTM, n_inputs, hidden_size, n_outputs, output_activation, seed)

    state_names = ("h", "c")

    def initial_state(self, batch: int, like: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        z = torch.zeros(batch, self.rnn.hidden_size, dtype=like.dtype)
        return z, z.clone()

    def carried(self, state: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        return state[1]

    def step(self, x_t: torch.Tensor, state: Any) -> tuple[Any, torch.Tensor, torch.Tensor]:
        """One step written out from ``nn.LSTM``'s own weights (gate order i, f, g, o), so that
        h(t) is computed from c(t) inside the graph and per-step gradients are exact."""
        h_prev, c_prev = state
        r = self.rnn
        gates = x_t @ r.weight_ih_l0.T + r.bias_ih_l0 + h_prev @ r.weight_hh_l0.T + r.bias_hh_l0
        i, f, g, o = gates.chunk(4, dim=1)
        c = torch.sigmoid(f) * c_prev + torch.sigmoid(i) * torch.tanh(g)  # forget gate: later than 1997
        h = torch.sigmoid(o) * torch.tanh(c)
        return (h, c), h, h


class TorchGRU(_TorchRecurrent):
    """``nn.GRU`` (Cho et al. 2014) with sigmoid output units; state h (batch, hidden)."""

    def __init__(self, n_inputs: int, hidden_size: int, n_outputs: int, *,
                 output_activation: str = "sigmoid", seed: Optional[int] = None) -> None:
        super().__init__()
        self._setup(nn.GRU, n_inputs, hidden_size, n_outputs, output_activation, seed)

    def initial_state(self, batch: int, like: torch.Tensor) -> torch.Tensor:
        return torch.zeros(batch, self.rnn.hidden_size, dtype=like.dtype)

    def carried(self, state: torch.Tensor) -> torch.Tensor:
        return state


class TinyTransformer(nn.Module):
    """A small causal Transformer encoder (Vaswani et al. 2017) with sigmoid output units.

    Same call as the recurrent models: ``outputs, None = model(x)`` with x (batch, T, n_inputs);
    position t attends to positions <= t only, so its output at the last step sees the whole
    sequence, like an RNN's. Positions use fixed sinusoidal encodings (no length limit).
    It has no recurrent state, so it has no ``run``/``step``.
    """

    def __init__(self, n_inputs: int, n_outputs: int, d_model: int = 16, n_heads: int = 2,
                 n_layers: int = 2, *, output_activation: str = "sigmoid", seed: Optional[int] = None) -> None:
        super().__init__()
        n_inputs, n_outputs, d_model, n_heads, n_layers = _check_sizes(
            n_inputs=n_inputs, n_outputs=n_outputs, d_model=d_model, n_heads=n_heads, n_layers=n_layers)
        if d_model % n_heads:
            raise ValueError(f"d_model ({d_model}) must be divisible by n_heads ({n_heads})")
        self.n_inputs, self.n_outputs, self.d_model = n_inputs, n_outputs, d_model
        self.output_activation = _output_activation(output_activation)
        with _seeded(seed):
            self.embed = nn.Linear(n_inputs, d_model)
            layer = nn.TransformerEncoderLayer(d_model, n_heads, dim_feedforward=4 * d_model, dropout=0.0,
                                               batch_first=True)
            self.encoder = nn.TransformerEncoder(layer, n_layers, enable_nested_tensor=False)
            self.output_units = nn.Linear(d_model, n_outputs)

    check_input = SequenceModel.check_input

    def positions(self, T: int, dtype: torch.dtype) -> torch.Tensor:
        """Sinusoidal position encodings, (T, d_model)."""
        pos = torch.arange(T, dtype=dtype).unsqueeze(1)
        freq = torch.exp(torch.arange(0, self.d_model, 2, dtype=dtype) * (-math.log(10000.0) / self.d_model))
        pe = torch.zeros(T, self.d_model, dtype=dtype)
        pe[:, 0::2] = torch.sin(pos * freq)
        pe[:, 1::2] = torch.cos(pos * freq[: self.d_model // 2])
        return pe

    def forward(self, input: torch.Tensor, hx: Any = None) -> tuple[torch.Tensor, None]:
        if hx is not None:
            raise ValueError("TinyTransformer has no recurrent state: call it with hx=None (the default)")
        x = self.check_input(input)
        T = x.shape[1]
        mask = nn.Transformer.generate_square_subsequent_mask(T, dtype=x.dtype)
        z = self.encoder(self.embed(x) + self.positions(T, x.dtype), mask=mask, is_causal=True)
        return self.output_activation(self.output_units(z)), None

"""Measuring how error flows back through time (and through depth).

- ``product_chain``: the analytic vanishing-gradient product, (spectral factor x derivative
  factor)^k over k steps, as in the walkthrough "0.9 x 0.3 = 0.27 per step".
- ``state_gradient_norms``: for any model of ``networks`` and an input batch, the norm of the
  loss gradient with respect to the carried state at every time step, in one call.
- ``step_jacobians``: the total derivative d state(t) / d state(t-1) at every step, through
  autograd. For the 1997 cell with the scissors on it is exactly the identity: the CEC.
- ``depth_gradient_norms``: the same question across the layers of a deep tanh network,
  with and without residual connections (x + f(x)).
"""

from __future__ import annotations

from typing import Callable, Optional

import numpy as np
import torch
from torch import nn

from lstm_core import validation as validate
from lstm_core.model.networks import SequenceModel

LossFn = Callable[[torch.Tensor], torch.Tensor]


def product_chain(spectral: float, derivative: float, steps: int) -> np.ndarray:
    """(spectral * derivative)^k for k = 0..steps: the factor error keeps after k steps back.

    In a tanh RNN, d h_k / d h_{k-1} = W_hh diag(tanh'), so the error reaching k steps back
    is bounded by (||W_hh|| * max tanh')^k. With ||W_hh|| = 0.9 and tanh' about 0.3:

    >>> chain = product_chain(0.9, 0.3, 2)
    >>> [round(float(v), 4) for v in chain]
    [1.0, 0.27, 0.0729]
    """
    spectral = validate.nonneg_real("spectral (factor)", spectral, example="0.9")
    derivative = validate.nonneg_real("derivative (factor)", derivative, example="0.3")
    steps = validate.nonneg_int("steps", steps)
    with np.errstate(over="ignore", under="ignore"):
        return np.power(float(spectral) * float(derivative), np.arange(steps + 1, dtype=float))


def last_step_loss(outputs: torch.Tensor) -> torch.Tensor:
    """Default loss for gradient measurements: the sum of the outputs at the last step only."""
    return outputs[:, -1].sum()


def state_gradient_norms(model: SequenceModel, x: torch.Tensor, loss_fn: Optional[LossFn] = None) -> np.ndarray:
    """|| dL / d state(t) || for t = 0..T-1 (norm over the batch and the state units).

    ``state`` is what carries memory: s_c for ``LSTM1997``, c for ``TorchLSTM``, h for the RNN
    and GRU. ``loss_fn`` maps outputs (batch, T, n_out) to a scalar; default: the outputs of the
    last step, so the curve shows how error injected at the end reaches each earlier step.
    """
    if not isinstance(model, SequenceModel):
        raise ValueError(f"state_gradient_norms needs a recurrent SequenceModel, got {type(model).__name__} "
                         "(a Transformer has no state carried through time)")
    trace = model.run(x)
    loss = (loss_fn or last_step_loss)(trace.outputs)
    if loss.dim() != 0:
        raise ValueError(f"loss_fn must return a scalar, got shape {tuple(loss.shape)}")
    grads = torch.autograd.grad(loss, trace.states, allow_unused=True)
    # the norm in float64: squaring a float32 gradient of 1e-24 underflows to 0
    return np.array([0.0 if g is None else g.double().norm().item() for g in grads])


def step_jacobians(model: SequenceModel, x: torch.Tensor) -> torch.Tensor:
    """d state(t) / d state(t-1) for t = 1..T-1, through autograd: shape (T-1, batch, d, d).

    Entry [t-1, b, i, j] is d state_i(t) / d state_j(t-1) for sequence b, following *every*
    path in the graph (for the 1997 cell, also through y(t-1) when the scissors are off).
    """
    trace = model.run(x)
    states = trace.states
    T, (batch, d) = len(states), states[0].shape
    if T < 2:
        raise ValueError("step_jacobians needs sequences of at least 2 steps")
    jac = torch.zeros(T - 1, batch, d, d, dtype=states[0].dtype)
    for t in range(1, T):
        for i in range(d):
            (g,) = torch.autograd.grad(states[t][:, i].sum(), states[t - 1], retain_graph=True, allow_unused=True)
            if g is not None:  # sequences in a batch are independent, so the sum separates them
                jac[t - 1, :, i, :] = g
    return jac


class DeepTanhNet(nn.Module):
    """``depth`` tanh layers of ``width`` units; ``residual=True`` makes each x + tanh(W x + b)."""

    def __init__(self, depth: int, width: int, residual: bool, init_scale: float = 1.0,
                 seed: Optional[int] = None) -> None:
        super().__init__()
        depth, width = validate.positive_int("depth", depth), validate.positive_int("width", width)
        residual = validate.switch("residual", residual)
        self.residual = residual
        gen = None if seed is None else torch.Generator().manual_seed(seed)
        self.layers = nn.ModuleList(nn.Linear(width, width) for _ in range(depth))
        with torch.no_grad():
            for layer in self.layers:  # variance-preserving init, scaled
                layer.weight.normal_(0.0, init_scale / np.sqrt(width), generator=gen)
                layer.bias.zero_()

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        inputs = []
        for layer in self.layers:
            inputs.append(x)
            fx = torch.tanh(layer(x))
            x = x + fx if self.residual else fx  # the residual connection: add, don't replace
        return x, inputs


def depth_gradient_norms(depth: int = 50, width: int = 32, residual: bool = False, batch: int = 16,
                         init_scale: float = 1.0, seed: int = 0) -> np.ndarray:
    """|| dL / d input of layer l || for l = 0..depth-1 in a deep tanh net, L = sum of outputs."""
    net = DeepTanhNet(depth, width, residual, init_scale, seed).double()
    x = torch.randn(batch, width, generator=torch.Generator().manual_seed(seed + 1), dtype=torch.float64,
                    requires_grad=True)
    out, inputs = net(x)
    grads = torch.autograd.grad(out.sum(), inputs)
    return np.array([g.double().norm().item() for g in grads])

"""The constant error carousel (CEC): what a self-connection of weight 1.0 buys and what it costs.

The 1997 cell (Hochreiter & Schmidhuber 1997, Sec. 4) keeps its state on a self-connection of
fixed weight 1.0,

    s_c(t) = s_c(t-1) + y^in(t) g(net_c(t)),      so   d s_c(t) / d s_c(t-1) = 1.

Plots: :mod:`lstm_core.plots.carousel`; panels: :mod:`lstm_core.dashboards.carousel`.

| function                | computes                                                                  |
|-------------------------|---------------------------------------------------------------------------|
| ``carousel_signal``     | a signal multiplied by W at every step (RNN) vs carried by the CEC        |
| ``carousel_gradients``  | dL/ds_c(t), dL/dnet_c(t) and the gate factors, for a 1997 network        |
| ``set_forget_bias``     | the forget-gate bias of ``TorchLSTM`` (``nn.LSTM``; a later cell)        |
| ``accumulate``          | s_c(t) and h(s_c(t)) of a cell that writes the same y^in g at every step  |

Paper notation as in :mod:`lstm_core.model.cells` (y_in = y^in, g_c = g(net_c), s = s_c, h_s = h(s_c),
y_c = y^c; y_forget = y^phi of the later forget gate, Gers et al. 1999/2000).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, Sequence

import numpy as np
import torch

from lstm_core import validation as validate
from lstm_core.model import activations
from lstm_core.model.cells import CellStep, step_from_preactivations
from lstm_core.model.networks import LSTM1997
from lstm_core.model.baselines import TorchLSTM
from lstm_core.analysis.gradients import last_step_loss

__all__ = ["CarouselSignal", "carousel_signal", "CarouselGradients", "carousel_gradients",
           "set_forget_bias", "accumulate"]


@dataclass(frozen=True)
class CarouselSignal:
    """A unit signal after k = 0..steps updates, for both update rules."""

    steps: np.ndarray  # (steps + 1,) the step counts k = 0, 1, ..., steps
    rnn: np.ndarray  # (steps + 1,) h(k) for h <- h * W, h(0) = 1: equals W^k
    lstm: np.ndarray  # (steps + 1,) s(k) for s <- decay * s + 0 (input gate closed), s(0) = 1
    weight: float  # W of the RNN update
    decay: float  # factor on s_c(t-1); 1.0 is the 1997 CEC


def carousel_signal(weight: float, steps: int, decay: float = 1.0) -> CarouselSignal:
    """Run both toy updates for ``steps`` steps from a signal of 1.

    RNN update: h(k) = h(k-1) * W. LSTM update with the input gate closed (y^in = 0):
    s(k) = decay * s(k-1) + y^in g = decay * s(k-1); the 1997 CEC has decay = 1.
    Both updates are linear, so each curve is also the derivative d h(k)/d h(0) (resp.
    d s(k)/d s(0)): the factor an error signal keeps after travelling k steps back.

    >>> sig = carousel_signal(0.5, 3)
    >>> sig.rnn.tolist(), sig.lstm.tolist()
    ([1.0, 0.5, 0.25, 0.125], [1.0, 1.0, 1.0, 1.0])
    """
    weight, decay = validate.real("weight", weight), validate.real("decay", decay)
    steps = validate.nonneg_int("steps", steps)
    rnn = np.empty(steps + 1)
    lstm = np.empty(steps + 1)
    h, s = 1.0, 1.0
    y_in, g_c = 0.0, 0.0  # the input gate is closed: nothing is written
    rnn[0], lstm[0] = h, s
    with np.errstate(over="ignore", under="ignore"):
        for k in range(1, steps + 1):
            h = h * weight  # RNN: h <- h W
            s = decay * s + y_in * g_c  # CEC: s_c(t) = s_c(t-1) + y^in(t) g(net_c(t)), decay = 1
            rnn[k], lstm[k] = h, s
    return CarouselSignal(np.arange(steps + 1), rnn, lstm, float(weight), float(decay))


@dataclass(frozen=True)
class CarouselGradients:
    """Where the error of a 1997 network is scaled and where it is not; arrays are (batch, T, C).

    With the scissors on, dL/ds_c(t) = dL/ds_c(t+1) (the CEC), the error enters the carousel
    as dL/ds_c(T-1) = dL/dy^c(T-1) * y^out h'(s_c) and leaves it towards the cell's input
    weights as dL/dnet_c(t) = dL/ds_c(t) * y^in(t) g'(net_c(t)) (paper, Sec. 4, "Learning").
    """

    dL_ds: np.ndarray  # dL/ds_c(t), the error on the carousel
    dL_dnet_c: np.ndarray  # dL/dnet_c(t), the error that leaves it towards the cell input weights
    y_in: np.ndarray  # y^in(t) of each cell's block
    g_prime: np.ndarray  # g'(net_c(t))
    y_out: np.ndarray  # y^out(t) of each cell's block
    h_prime: np.ndarray  # h'(s_c(t))
    dL_dyc_last: np.ndarray  # (batch, C) dL/dy^c at the last step: the error arriving at the cell output


def carousel_gradients(model: LSTM1997, x: torch.Tensor,
                       loss_fn: Optional[Callable[[torch.Tensor], torch.Tensor]] = None) -> CarouselGradients:
    """Measure the error on and around the carousel of a 1997 network with autograd.

    ``loss_fn`` maps the outputs (batch, T, n_out) to a scalar; default: the sum of the
    outputs at the last step (:func:`lstm_core.analysis.gradients.last_step_loss`).
    """
    validate.instance("model", model, LSTM1997, needed_by="carousel_gradients")
    trace = model.run(x)
    loss = (loss_fn or last_step_loss)(trace.outputs)
    if loss.dim() != 0:
        raise ValueError(f"loss_fn must return a scalar, got shape {tuple(loss.shape)}")
    steps: list[CellStep] = trace.steps
    T = len(steps)
    wanted = list(trace.states) + [st.net_c for st in steps] + [steps[-1].y_c]
    grads = torch.autograd.grad(loss, wanted, allow_unused=True)

    def stacked(tensors: Sequence[Optional[torch.Tensor]], like: torch.Tensor) -> np.ndarray:
        cols = [torch.zeros_like(like) if t is None else t for t in tensors]
        return torch.stack(cols, dim=1).detach().numpy()

    cell = model.cell
    g_prime_fn = activations.get_prime(cell.g_name)
    h_prime_fn = activations.get_prime(cell.h_name)
    with torch.no_grad():
        s0 = trace.states[0]
        return CarouselGradients(
            dL_ds=stacked(grads[:T], s0),
            dL_dnet_c=stacked(grads[T:2 * T], s0),
            y_in=stacked([cell.per_cell(st.y_in) for st in steps], s0),
            g_prime=stacked([g_prime_fn(st.net_c) for st in steps], s0),
            y_out=stacked([cell.per_cell(st.y_out) for st in steps], s0),
            h_prime=stacked([h_prime_fn(st.s) for st in steps], s0),
            dL_dyc_last=(torch.zeros_like(s0) if grads[-1] is None else grads[-1]).detach().numpy(),
        )


def set_forget_bias(model: TorchLSTM, value: float) -> TorchLSTM:
    """Set the forget-gate bias of a ``TorchLSTM`` (``nn.LSTM``) to ``value``; returns the model.

    ``nn.LSTM`` keeps two bias vectors, ``bias_ih`` and ``bias_hh``, each with the gates in the
    order (i, f, g, o); the forget gate's total bias becomes ``value`` (``bias_ih`` = value,
    ``bias_hh`` = 0). At initialisation with zero inputs, y^phi = sigma(value).
    The forget gate is Gers et al.'s (1999/2000), not part of the 1997 cell.
    """
    validate.instance("model", model, TorchLSTM, needed_by="set_forget_bias")
    value = validate.real("value (the forget-gate bias)", value, example="1.0")
    H = model.rnn.hidden_size
    with torch.no_grad():
        model.rnn.bias_ih_l0[H:2 * H] = value  # rows H..2H-1: the forget gate f
        model.rnn.bias_hh_l0[H:2 * H] = 0.0
    return model


def accumulate(net_in: float, net_c: float, steps: int, g: str = "g", h: str = "h") -> tuple[np.ndarray, np.ndarray]:
    """(s_c(t), h(s_c(t))) for t = 0..steps when a cell writes y^in g(net_c) at every step.

    The gate and cell inputs are held fixed, there is no output gate (y^out = 1) and
    s_c(0) = 0, so s_c(t) = t f(net_in) g(net_c): how fast a cell can fill with a given g.

    >>> s, out = accumulate(net_in=50.0, net_c=50.0, steps=3)    # gate open, g saturated at 2
    >>> s.round(3).tolist()
    [0.0, 2.0, 4.0, 6.0]
    """
    steps = validate.positive_int("steps", steps)
    s_values, outputs = [0.0], [float(activations.get(h)(torch.zeros((), dtype=torch.float64)))]
    s = 0.0
    for _ in range(steps):
        step = step_from_preactivations(net_in=net_in, net_c=net_c, net_out=None, s_prev=s, g=g, h=h)
        s = step.s.item()
        s_values.append(s)
        outputs.append(step.y_c.item())
    return np.array(s_values), np.array(outputs)

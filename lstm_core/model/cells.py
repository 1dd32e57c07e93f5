"""One time step of the 1997 memory-cell layer, and of a vanilla RNN.

The 1997 layer (Hochreiter & Schmidhuber 1997, Sec. 4 and App. A.1) is a set of memory-cell
*blocks*. Each block has one input gate and one output gate, shared by its cells; each cell
has a Constant Error Carousel (CEC). There is no forget gate in the paper; the forget gate of
Gers, Schmidhuber & Cummins (1999/2000) is available here as a clearly labelled option.

Paper notation and the names used in the code (a column "ours" marks what is not the paper's):

| paper                     | code             | shape            | meaning                                         |
|---------------------------|------------------|------------------|-------------------------------------------------|
| y^u(t-1), all hidden u    | ``y_prev``       | (batch, H)       | previous activations of every hidden unit       |
| x(t)                      | ``x``            | (batch, n_in)    | current input units                             |
| net_in_j(t)               | ``net_in``       | (batch, B)       | input-gate net input of block j                 |
| y^in_j(t) = f(net_in_j)   | ``y_in``         | (batch, B)       | input gate: write permission                    |
| net_out_j(t)              | ``net_out``      | (batch, B)       | output-gate net input                           |
| y^out_j(t) = f(net_out_j) | ``y_out``        | (batch, B)       | output gate: read permission                    |
| net_c(t)                  | ``net_c``        | (batch, C)       | cell net input                                  |
| g(net_c(t))               | ``g_c``          | (batch, C)       | squashed cell input, in [-2, 2]                 |
| s_c(t)                    | ``s``            | (batch, C)       | cell state, the CEC                             |
| h(s_c(t))                 | ``h_s``          | (batch, C)       | squashed cell state, in [-1, 1]                 |
| y^c(t)                    | ``y_c``          | (batch, C)       | cell output                                     |
| y^phi(t) (ours: later)    | ``y_forget``     | (batch, B)       | forget gate (Gers et al. 2000), not in 1997     |

Legend: B = number of blocks, S = cells per block, C = B*S cells,
H = C + (number of gate units) hidden units. Hidden activations are ordered
``[y_c (C), y_in (B), y_out (B), y_forget (B)]`` (absent gates are left out).

Connectivity "F" (paper, Sec. 5): every hidden unit (cells *and* gates) receives the current
inputs x(t) and the previous activations y(t-1) of all hidden units.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

import torch
from torch import nn

from lstm_core import validation as validate
from lstm_core.model import activations


@dataclass
class CellStep:
    """Every intermediate quantity of one step of the memory-cell layer (see the module table).

    ``y`` is the new hidden activation vector (batch, H) and ``s`` the new cell state
    (batch, C): together they are the state carried to the next step.
    """

    net_in: torch.Tensor
    y_in: torch.Tensor
    net_out: Optional[torch.Tensor]
    y_out: torch.Tensor
    net_c: torch.Tensor
    g_c: torch.Tensor
    s_prev: torch.Tensor
    s: torch.Tensor
    h_s: torch.Tensor
    y_c: torch.Tensor
    y: torch.Tensor
    net_forget: Optional[torch.Tensor] = None
    y_forget: Optional[torch.Tensor] = None


def cell_update(
    s_prev: torch.Tensor,
    y_in: torch.Tensor,
    g_c: torch.Tensor,
    y_out: torch.Tensor,
    h_fn: activations.Activation,
    y_forget: Optional[torch.Tensor] = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The CEC and the cell output, given gate values per cell. Returns (s, h(s), y_c).

    1997:       s_c(t) = s_c(t-1) + y^in(t) g(net_c(t))
    1999/2000:  s_c(t) = y^phi(t) s_c(t-1) + y^in(t) g(net_c(t))   (forget gate, later)
    both:       y^c(t) = y^out(t) h(s_c(t))
    """
    carried = s_prev if y_forget is None else y_forget * s_prev
    s = carried + y_in * g_c
    h_s = h_fn(s)
    return s, h_s, y_out * h_s


def step_from_preactivations(
    net_in: float | torch.Tensor,
    net_c: float | torch.Tensor,
    net_out: float | torch.Tensor | None,
    s_prev: float | torch.Tensor,
    g: str = "g",
    h: str = "h",
    net_forget: float | torch.Tensor | None = None,
) -> CellStep:
    """One memory-cell update from given net inputs: the worked examples, cell by cell.

    All arguments broadcast against each other (plain floats work). ``net_out=None`` means
    no output gate (y^out = 1, as in experiments 2a/2b); ``net_forget`` adds the later
    forget gate. ``y`` in the result is ``y_c`` (no other hidden units are involved).

    >>> step = step_from_preactivations(net_in=-2.1, net_c=1.5, net_out=0.5, s_prev=1.5)
    >>> round(step.y_in.item(), 4), round(step.g_c.item(), 4), round(step.s.item(), 4)
    (0.1091, 1.2703, 1.6386)
    """
    t = [torch.as_tensor(v, dtype=torch.float64) for v in (net_in, net_c, s_prev)]
    net_in_t, net_c_t, s_prev_t = torch.broadcast_tensors(*t)
    g_fn, h_fn = activations.get(g), activations.get(h)
    y_in = activations.f(net_in_t)
    g_c = g_fn(net_c_t)
    net_out_t = None if net_out is None else torch.as_tensor(net_out, dtype=torch.float64)
    y_out = torch.ones_like(s_prev_t) if net_out_t is None else activations.f(net_out_t)
    net_forget_t = None if net_forget is None else torch.as_tensor(net_forget, dtype=torch.float64)
    y_forget = None if net_forget_t is None else activations.f(net_forget_t)
    s, h_s, y_c = cell_update(s_prev_t, y_in, g_c, y_out, h_fn, y_forget)
    return CellStep(net_in_t, y_in, net_out_t, y_out, net_c_t, g_c, s_prev_t, s, h_s, y_c, y_c,
                    net_forget_t, y_forget)


class LSTM1997Cell(nn.Module):
    """The hidden layer of the 1997 network: ``n_blocks`` memory-cell blocks of ``block_size`` cells.

    ``forward(input, hx=None) -> (y, s)``, like ``nn.LSTMCell`` returns ``(h, c)``:

    - input: (batch, n_inputs)
    - hx: ``(y_prev, s_prev)`` with shapes (batch, H) and (batch, C); zeros if None
      (the paper resets activations and s_c(0) = 0 at the start of every sequence).
    - y: (batch, H), all hidden activations ``[y_c, y_in, y_out(, y_forget)]``; the cell
      outputs are ``y[:, :C]``. s: (batch, C), the cell states.

    Deviations from ``nn.LSTMCell`` (on purpose, to be the paper's network): the recurrent
    state ``y`` carries the gate activations as well as the cell outputs (connectivity "F");
    gates are shared by the cells of a block; g and h are the paper's squashers; biases exist
    per group (``bias_gates``, ``bias_cells``) as each experiment prescribes; and ``scissors``
    truncates the gradient as in App. A.1.

    Args:
        n_inputs: input units feeding every hidden unit.
        n_blocks: memory-cell blocks (B).
        block_size: cells per block (S), which share the block's two gates.
        scissors: the paper's truncated backprop (on by default); off = full BPTT.
        output_gate: False removes the output gates (y^out = 1), as in experiments 2a/2b.
        forget_gate: True adds the *later* forget gate (Gers et al. 1999/2000).
        bias_gates: gate units carry a bias.
        bias_cells: cell units carry a bias.
        g, h: names of the cell-input and cell-output squashers (see ``activations``).
    """

    def __init__(
        self,
        n_inputs: int,
        n_blocks: int,
        block_size: int = 1,
        *,
        scissors: bool = True,
        output_gate: bool = True,
        forget_gate: bool = False,
        bias_gates: bool = True,
        bias_cells: bool = True,
        g: str = "g",
        h: str = "h",
    ) -> None:
        super().__init__()
        n_inputs, n_blocks, block_size = (validate.positive_int(name, value) for name, value in (
            ("n_inputs", n_inputs), ("n_blocks", n_blocks), ("block_size", block_size)))
        output_gate, forget_gate, bias_gates, bias_cells = (validate.switch(name, value) for name, value in (
            ("output_gate", output_gate), ("forget_gate", forget_gate),
            ("bias_gates", bias_gates), ("bias_cells", bias_cells)))
        self.n_inputs, self.n_blocks, self.block_size = n_inputs, n_blocks, block_size
        self.scissors, self.output_gate, self.forget_gate = scissors, output_gate, forget_gate
        self.g_name, self.h_name = g, h
        self._g, self._h = activations.get(g), activations.get(h)
        self.n_cells = n_blocks * block_size
        self.n_gate_units = n_blocks * (1 + int(output_gate) + int(forget_gate))
        self.hidden_size = self.n_cells + self.n_gate_units  # H
        fan_in = n_inputs + self.hidden_size  # every hidden unit sees x(t) and y(t-1)

        def weights(rows: int) -> nn.Parameter:
            return nn.Parameter(torch.empty(rows, fan_in))

        def bias(rows: int, present: bool) -> Optional[nn.Parameter]:
            return nn.Parameter(torch.empty(rows)) if present else None

        self.weight_in = weights(n_blocks)
        self.bias_in = bias(n_blocks, bias_gates)
        self.weight_out = weights(n_blocks) if output_gate else None
        self.bias_out = bias(n_blocks, bias_gates and output_gate)
        self.weight_forget = weights(n_blocks) if forget_gate else None
        self.bias_forget = bias(n_blocks, bias_gates and forget_gate)
        self.weight_c = weights(self.n_cells)
        self.bias_c = bias(self.n_cells, bias_cells)
        self.reset_parameters()

    @property
    def scissors(self) -> bool:
        """The paper's truncated backprop (App. A.1): True cuts, False is full BPTT. A real bool only."""
        return self._scissors

    @scissors.setter
    def scissors(self, on: bool) -> None:
        self._scissors = validate.switch("scissors", on)

    # -- parameters ---------------------------------------------------------------------
    def reset_parameters(
        self,
        init_range: float = 0.1,
        input_gate_bias: Optional[tuple[float, ...]] = None,
        output_gate_bias: Optional[tuple[float, ...]] = None,
        forget_gate_bias: Optional[tuple[float, ...]] = None,
        random_bias_range: Optional[float] = None,
        generator: Optional[torch.Generator] = None,
    ) -> None:
        """Weights ~ U[-init_range, init_range]; biases likewise (or ~ U[-random_bias_range, ...]).

        ``*_gate_bias`` give one fixed initial bias per block (e.g. the adding problem's
        input-gate biases (-3, -6)); None draws them at random like the other biases.
        """
        init_range = validate.positive_real("init_range", init_range)
        bias_range = init_range if random_bias_range is None else validate.positive_real(
            "random_bias_range", random_bias_range)
        with torch.no_grad():
            for p in (self.weight_in, self.weight_out, self.weight_forget, self.weight_c):
                if p is not None:
                    _uniform_(p, init_range, generator)
            for p, fixed, label in (
                (self.bias_in, input_gate_bias, "input_gate_bias"),
                (self.bias_out, output_gate_bias, "output_gate_bias"),
                (self.bias_forget, forget_gate_bias, "forget_gate_bias"),
                (self.bias_c, None, ""),
            ):
                if fixed is not None:
                    if p is None:
                        raise ValueError(f"{label} given but those gate units carry no bias "
                                         "(or the gate does not exist); enable the bias or drop it")
                    if len(fixed) != self.n_blocks:
                        raise ValueError(f"{label} needs one value per block ({self.n_blocks}), got {tuple(fixed)}")
                    p.copy_(torch.as_tensor(fixed, dtype=p.dtype))
                elif p is not None:
                    _uniform_(p, bias_range, generator)

    def extra_repr(self) -> str:
        later = ", forget_gate=True (Gers et al. 1999/2000, not in the 1997 paper)" if self.forget_gate else ""
        return (f"n_inputs={self.n_inputs}, n_blocks={self.n_blocks}, block_size={self.block_size}, "
                f"hidden_size={self.hidden_size}, scissors={self.scissors}, output_gate={self.output_gate}, "
                f"g={self.g_name}, h={self.h_name}{later}")

    # -- one step -----------------------------------------------------------------------
    def initial_state(self, batch: int, like: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """All activations 0 and s_c(0) = 0, as the paper resets at each sequence start."""
        zeros = lambda n: torch.zeros(batch, n, dtype=like.dtype, device=like.device)  # noqa: E731
        return zeros(self.hidden_size), zeros(self.n_cells)

    def per_cell(self, gate: torch.Tensor) -> torch.Tensor:
        """(batch, B) block gate values -> (batch, C): each cell gets its block's gate."""
        return gate.repeat_interleave(self.block_size, dim=1)

    def step(self, x: torch.Tensor, hx: Optional[tuple[torch.Tensor, torch.Tensor]] = None) -> CellStep:
        """One time step returning every intermediate quantity (see ``CellStep``)."""
        if hx is None:
            hx = self.initial_state(x.shape[0], x)
        y_prev, s_prev = hx
        # The scissors (App. A.1): d net_in(t)/d y(t-1), d net_out(t)/d y(t-1) and
        # d net_c(t)/d y(t-1) are set to 0, so error reaches the past only through s_c.
        y_rec = y_prev.detach() if self.scissors else y_prev
        z = torch.cat([x, y_rec], dim=1)  # (batch, n_in + H): connectivity "F"
        # net_in_j(t) = sum_u w_in_j,u y^u ;  y^in_j(t) = f(net_in_j(t))
        net_in = _linear(z, self.weight_in, self.bias_in)
        y_in = activations.f(net_in)
        # net_out_j(t) likewise; without output gates y^out = 1 (experiments 2a/2b)
        if self.output_gate:
            net_out = _linear(z, self.weight_out, self.bias_out)
            y_out = activations.f(net_out)
        else:
            net_out, y_out = None, torch.ones_like(y_in)
        # later variant, not the paper's: forget gate y^phi = f(net_phi)
        net_forget = _linear(z, self.weight_forget, self.bias_forget) if self.forget_gate else None
        y_forget = activations.f(net_forget) if self.forget_gate else None
        # net_c(t) = sum_u w_c,u y^u ;  g(net_c(t))
        net_c = _linear(z, self.weight_c, self.bias_c)
        g_c = self._g(net_c)
        # CEC: s_c(t) = s_c(t-1) + y^in(t) g(net_c(t));  y^c(t) = y^out(t) h(s_c(t))
        s, h_s, y_c = cell_update(
            s_prev, self.per_cell(y_in), g_c, self.per_cell(y_out), self._h,
            None if y_forget is None else self.per_cell(y_forget),
        )
        parts = [y_c, y_in] + ([y_out] if self.output_gate else []) + ([y_forget] if self.forget_gate else [])
        return CellStep(net_in, y_in, net_out, y_out, net_c, g_c, s_prev, s, h_s, y_c,
                        torch.cat(parts, dim=1), net_forget, y_forget)

    def forward(
        self, input: torch.Tensor, hx: Optional[tuple[torch.Tensor, torch.Tensor]] = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        _check_step_input(input, self.n_inputs, self.weight_c.dtype)
        if hx is not None:
            _check_state(hx, input, (self.hidden_size, self.n_cells), ("y", "s"), self.weight_c.dtype)
        out = self.step(input, hx)
        return out.y, out.s


class VanillaRNNCell(nn.Module):
    """A tanh RNN cell, h(t) = tanh(W_ih x(t) + b_ih + W_hh h(t-1) + b_hh), as ``nn.RNNCell``.

    Same parameter names and shapes as ``nn.RNNCell`` (weight_ih (H, n_in), weight_hh (H, H),
    bias_ih, bias_hh) so weights can be copied either way. ``forward(input, hx=None) -> h``.
    """

    def __init__(self, n_inputs: int, hidden_size: int, bias: bool = True) -> None:
        super().__init__()
        n_inputs, hidden_size = validate.positive_int("n_inputs", n_inputs), validate.positive_int("hidden_size", hidden_size)
        bias = validate.switch("bias", bias)
        self.n_inputs, self.hidden_size = n_inputs, hidden_size
        self.weight_ih = nn.Parameter(torch.empty(hidden_size, n_inputs))
        self.weight_hh = nn.Parameter(torch.empty(hidden_size, hidden_size))
        self.bias_ih = nn.Parameter(torch.empty(hidden_size)) if bias else None
        self.bias_hh = nn.Parameter(torch.empty(hidden_size)) if bias else None
        self.reset_parameters()

    def reset_parameters(self, init_range: Optional[float] = None,
                         generator: Optional[torch.Generator] = None) -> None:
        """U[-r, r] with r = 1/sqrt(hidden_size) (PyTorch's default) unless ``init_range``."""
        r = 1.0 / math.sqrt(self.hidden_size) if init_range is None else validate.positive_real("init_range", init_range)
        with torch.no_grad():
            for p in self.parameters():
                _uniform_(p, r, generator)

    def extra_repr(self) -> str:
        return f"n_inputs={self.n_inputs}, hidden_size={self.hidden_size}, bias={self.bias_ih is not None}"

    def preactivation(self, x: torch.Tensor, h_prev: torch.Tensor) -> torch.Tensor:
        """W_ih x(t) + b_ih + W_hh h(t-1) + b_hh, before the tanh."""
        return _linear(x, self.weight_ih, self.bias_ih) + _linear(h_prev, self.weight_hh, self.bias_hh)

    def forward(self, input: torch.Tensor, hx: Optional[torch.Tensor] = None) -> torch.Tensor:
        _check_step_input(input, self.n_inputs, self.weight_hh.dtype)
        if hx is None:
            hx = torch.zeros(input.shape[0], self.hidden_size, dtype=input.dtype)
        else:
            _check_state((hx,), input, (self.hidden_size,), ("h",), self.weight_hh.dtype)
        return torch.tanh(self.preactivation(input, hx))


# -- small helpers ----------------------------------------------------------------------
def _linear(z: torch.Tensor, weight: torch.Tensor, bias: Optional[torch.Tensor]) -> torch.Tensor:
    out = z @ weight.T
    return out if bias is None else out + bias


def _uniform_(p: torch.Tensor, r: float, generator: Optional[torch.Generator]) -> None:
    p.uniform_(-r, r, generator=generator)


def _check_step_input(x: torch.Tensor, n_inputs: int, dtype: torch.dtype) -> None:
    if not isinstance(x, torch.Tensor):
        raise ValueError(f"input must be a torch.Tensor of shape (batch, {n_inputs}), got {type(x).__name__}")
    if x.dim() != 2 or x.shape[1] != n_inputs:
        raise ValueError(f"expected input of shape (batch, {n_inputs}), got {tuple(x.shape)}")
    if x.dtype != dtype:  # as nn.RNNCell: no silent conversion inside a cell
        raise ValueError(f"input has dtype {x.dtype} but the cell's parameters are {dtype}; "
                         f"convert one of them (input.to({dtype}) or cell.to({x.dtype}))")
    if not torch.isfinite(x).all():
        raise ValueError("input contains NaN or inf; clean the data or lower the learning rate of whatever produced it")


def _check_state(hx: tuple, input: torch.Tensor, sizes: tuple[int, ...], names: tuple[str, ...],
                 dtype: torch.dtype) -> None:
    """hx: one (batch, size) tensor per name, of the input's batch and the cell's dtype (as ``nn.RNNCell``)."""
    validate.state(hx, names, [(input.shape[0], size) for size in sizes], dtype)

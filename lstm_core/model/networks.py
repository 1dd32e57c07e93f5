"""Sequence networks with one interface: the 1997 LSTM network, and the paper's networks by name.

Every model here maps a batch of sequences to output-unit activations:

    outputs, state = model(x)        x: (batch, time, n_inputs) -> outputs: (batch, time, n_outputs)
    trace = model.run(x)             the same, keeping every step (states, gates) for a look inside

All models are **batch-first** (unlike ``nn.LSTM``'s default) and their output units are
logistic sigmoids by default, as in the paper (every paper target lies in [0, 1]).

| class          | what                                                            | whose        |
|----------------|-----------------------------------------------------------------|--------------|
| ``LSTM1997``   | memory-cell blocks + sigmoid output units, connectivity "F"     | the paper's  |
| ``LSTM2a``     | one cell + input gate, inputs also feed the outputs ("B", 2a/2b)| the paper's  |

The baselines (``VanillaRNN``, ``TorchLSTM``, ``TorchGRU``, ``TinyTransformer``) are in
:mod:`lstm_core.model.baselines`, with the same interface; they can be imported from here too.

``paper_network(name)`` builds the network of each experiment with the paper's settings
(units, biases, initial weights, gate biases); see ``PAPER_NETWORKS``. The parameter count of
each equals the paper's Table 10: ``count_parameters(paper_network("adding")) == 93``. For
2a/2b there are two: "2a" is an ``LSTM1997`` with connectivity "F" (fewer weights than the
paper's), "2a-B" the paper's own wiring, an ``LSTM2a`` with 10,504 weights at p = 100.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field, replace
from typing import Any, Optional

import torch
from torch import nn

from lstm_core import validation as validate
from lstm_core.model import activations
from lstm_core.model.cells import CellStep, LSTM1997Cell, cell_update

_OUTPUT_ACTIVATIONS = {"sigmoid": torch.sigmoid, "identity": lambda t: t}


# ======================================================================================
# The shared sequence interface
# ======================================================================================
@dataclass
class SequenceTrace:
    """What ``model.run(x)`` keeps of a forward pass.

    outputs: (batch, T, n_outputs) output-unit activations.
    states: T tensors of shape (batch, d), the state that carries memory from step to step
        (s_c for ``LSTM1997``, c for ``TorchLSTM``, h for the RNN and GRU); they stay in the
        autograd graph, so gradients with respect to them can be taken.
    steps: per-step records (``CellStep`` for ``LSTM1997``; hidden tensors otherwise).
    """

    outputs: torch.Tensor
    states: list[torch.Tensor]
    steps: list[Any] = field(default_factory=list)

    def stack(self, name: str) -> torch.Tensor:
        """Stack one ``CellStep`` field over time: e.g. ``trace.stack("y_in")`` -> (batch, T, B)."""
        if not self.steps or not hasattr(self.steps[0], name):
            raise ValueError(f"the steps of this trace have no field {name!r}")
        return torch.stack([getattr(s, name) for s in self.steps], dim=1)


class SequenceModel(nn.Module):
    """Base class: a recurrent ``step`` plus sigmoid output units, looped over time.

    Subclasses set ``n_inputs``, ``n_outputs`` and implement ``initial_state``, ``step``
    (returning the new state, the features the output units read, and a per-step record)
    and ``carried`` (the memory-carrying tensor of a state).
    """

    n_inputs: int
    n_outputs: int
    state_names: tuple[str, ...] = ("h",)  # the parts of a state ``hx``, in order (for messages)

    def initial_state(self, batch: int, like: torch.Tensor) -> Any:
        raise NotImplementedError

    def step(self, x_t: torch.Tensor, state: Any) -> tuple[Any, torch.Tensor, Any]:
        raise NotImplementedError

    def carried(self, state: Any) -> torch.Tensor:
        raise NotImplementedError

    def readout(self, features: torch.Tensor) -> torch.Tensor:
        """Output units: y^k = f_out(W_k features + b_k)."""
        return self.output_activation(self.output_units(features))

    def forward(self, input: torch.Tensor, hx: Any = None) -> tuple[torch.Tensor, Any]:
        """(batch, T, n_inputs) -> ((batch, T, n_outputs), final state)."""
        x = self.check_input(input)
        state = self.initial_state(x.shape[0], x) if hx is None else self.check_state(hx, x)
        features = []
        for t in range(x.shape[1]):
            state, feat, _ = self.step(x[:, t], state)
            features.append(feat)
        return self.readout(torch.stack(features, dim=1)), state

    def run(self, input: torch.Tensor, hx: Any = None) -> SequenceTrace:
        """Like ``forward`` but keeps every step's state and record (for gradients and plots)."""
        x = self.check_input(input)
        state = self.initial_state(x.shape[0], x) if hx is None else self.check_state(hx, x)
        features, states, steps = [], [], []
        for t in range(x.shape[1]):
            state, feat, record = self.step(x[:, t], state)
            features.append(feat)
            states.append(self.carried(state))
            steps.append(record)
        return SequenceTrace(self.readout(torch.stack(features, dim=1)), states, steps)

    def check_input(self, input: Any) -> torch.Tensor:
        """Validate (batch, T, n_inputs), finite; convert arrays and match the parameters' dtype."""
        if not isinstance(input, torch.Tensor):
            try:
                input = torch.as_tensor(input)
            except Exception as e:  # noqa: BLE001 - report what was given
                raise ValueError(f"input must be array-like of shape (batch, time, {self.n_inputs}); "
                                 f"got {type(input).__name__}") from e
        if input.dim() != 3 or input.shape[2] != self.n_inputs or input.shape[1] == 0:
            hint = " (add a batch dimension with x.unsqueeze(0))" if input.dim() == 2 else ""
            raise ValueError(f"expected input of shape (batch, time>=1, {self.n_inputs}), "
                             f"got {tuple(input.shape)}{hint}")
        dtype = next(self.parameters()).dtype
        input = input.to(dtype)
        if not torch.isfinite(input).all():
            raise ValueError("input contains NaN or inf; check the data generator or preprocessing")
        return input


    def check_state(self, hx: Any, x: torch.Tensor) -> Any:
        """Refuse a state of the wrong structure, shape, batch size or dtype (as ``nn.RNN`` does).

        ``hx`` must look like ``initial_state(batch, x)``: the same parts (``state_names``), each
        (batch, size) with the input's batch and the parameters' dtype. Returns ``hx``.
        """
        ref = self.initial_state(x.shape[0], x)
        parts = ref if isinstance(ref, tuple) else (ref,)
        validate.state(hx, self.state_names, [tuple(t.shape) for t in parts], x.dtype)
        return hx


def _check_sizes(**sizes: int) -> tuple[int, ...]:
    """The sizes as plain ints (numpy integers accepted), in the order given; see ``validation``."""
    return tuple(validate.positive_int(name, value) for name, value in sizes.items())


def _normalise_sizes(config: Any, *names: str) -> None:
    """Check a frozen config's size fields and store them as plain ints."""
    for name, value in zip(names, _check_sizes(**{n: getattr(config, n) for n in names})):
        object.__setattr__(config, name, value)


def _output_activation(name: str):
    return _OUTPUT_ACTIVATIONS[validate.choice("output_activation", name, sorted(_OUTPUT_ACTIVATIONS))]


# ======================================================================================
# The 1997 network
# ======================================================================================
BIAS_UNITS = ("none", "gates", "hidden", "all")


@dataclass(frozen=True)
class LSTM1997Config:
    """Architecture and initialisation of a 1997 network (paper, Sec. 5 and Table 10)."""

    n_inputs: int  # input units (local codes, values, markers)
    n_outputs: int  # sigmoid output units
    n_blocks: int  # memory-cell blocks, each with one input gate and one output gate
    block_size: int = 1  # cells per block, sharing the block's gates
    bias_units: str = "all"  # which units carry a bias: "none", "gates", "hidden" (gates+cells), "all" (+outputs)
    init_range: float = 0.1  # weights ~ U[-r, r]: 0.2 in experiments 1-2, 0.1 in 3-6
    random_bias_range: Optional[float] = None  # range of the random ("r") biases; None = init_range
    input_gate_bias: Optional[tuple[float, ...]] = None  # one per block, e.g. (-3, -6); None = random
    output_gate_bias: Optional[tuple[float, ...]] = None  # one per block, e.g. (-2, -4, -6); None = random
    output_gate: bool = True  # False: no output gates (experiments 2a/2b)
    g: str = "g"  # cell-input squasher: "g" in [-2, 2] (paper) or "sigmoid" (2a/2b)
    h: str = "h"  # cell-output squasher: "h" in [-1, 1] (paper) or "identity" (2a/2b)
    scissors: bool = True  # the paper's truncated backprop (App. A.1); False = full BPTT
    forget_gate: bool = False  # LATER variant (Gers et al. 1999/2000), not in the 1997 paper
    forget_gate_bias: Optional[tuple[float, ...]] = None  # one per block; None = random
    output_activation: str = "sigmoid"  # output units' squasher (the paper's f)

    def __post_init__(self) -> None:
        _normalise_sizes(self, "n_inputs", "n_outputs", "n_blocks", "block_size")
        validate.choice("bias_units", self.bias_units, BIAS_UNITS)
        validate.positive_real("init_range", self.init_range)
        validate.positive_real("random_bias_range", self.random_bias_range, allow_none=True)
        for name in ("output_gate", "scissors", "forget_gate"):
            validate.switch(name, getattr(self, name))
        _output_activation(self.output_activation)


class LSTM1997(SequenceModel):
    """The 1997 network: inputs -> memory-cell blocks -> sigmoid output units.

    Output units see the *current* cell outputs y^c(t) only (paper, Sec. 5: inputs are set,
    then hidden units computed, then outputs). State ``(y, s)`` as in ``LSTM1997Cell``.

    Build it from a config, ``LSTM1997(LSTM1997Config(2, 1, n_blocks=2, block_size=2))``,
    or by experiment name, ``paper_network("adding")``. ``seed`` makes initialisation
    deterministic without touching the global RNG.
    """

    def __init__(self, config: LSTM1997Config, seed: Optional[int] = None) -> None:
        super().__init__()
        self.config = config
        self.n_inputs, self.n_outputs = config.n_inputs, config.n_outputs
        with _seeded(seed):  # nn.Linear draws default weights; keep the global RNG out of it
            self.cell = LSTM1997Cell(
                config.n_inputs, config.n_blocks, config.block_size,
                scissors=config.scissors, output_gate=config.output_gate, forget_gate=config.forget_gate,
                bias_gates=config.bias_units != "none", bias_cells=config.bias_units in ("hidden", "all"),
                g=config.g, h=config.h,
            )
            # output units k: net_k(t) = sum_c w_k,c y^c(t) (+ b_k); y^k(t) = f(net_k(t))
            self.output_units = nn.Linear(self.cell.n_cells, config.n_outputs, bias=config.bias_units == "all")
        self.output_activation = _output_activation(config.output_activation)
        self.reset_parameters(seed)

    @property
    def scissors(self) -> bool:
        return self.cell.scissors

    @scissors.setter
    def scissors(self, on: bool) -> None:
        self.cell.scissors = on  # the cell refuses anything but True/False ("no" would be truthy)

    def reset_parameters(self, seed: Optional[int] = None) -> None:
        c = self.config
        gen = None if seed is None else torch.Generator().manual_seed(seed)
        self.cell.reset_parameters(c.init_range, c.input_gate_bias, c.output_gate_bias,
                                   c.forget_gate_bias, c.random_bias_range, gen)
        with torch.no_grad():
            self.output_units.weight.uniform_(-c.init_range, c.init_range, generator=gen)
            if self.output_units.bias is not None:
                r = c.init_range if c.random_bias_range is None else c.random_bias_range
                self.output_units.bias.uniform_(-r, r, generator=gen)

    def extra_repr(self) -> str:
        return f"n_outputs={self.n_outputs}, bias_units={self.config.bias_units!r}, init_range={self.config.init_range}"

    state_names = ("y", "s")

    def initial_state(self, batch: int, like: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.cell.initial_state(batch, like)

    def step(self, x_t: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor]) -> tuple[Any, torch.Tensor, CellStep]:
        out = self.cell.step(x_t, state)
        return (out.y, out.s), out.y_c, out

    def carried(self, state: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        return state[1]  # s_c, the CEC


# ======================================================================================
# The network of experiments 2a and 2b: one cell, input gate only, connectivity "B"
# ======================================================================================
@dataclass(frozen=True)
class LSTM2aConfig:
    """The 2a/2b network (paper, Sec. 5.2): one memory cell with an input gate, connectivity "B".

    No output gate, no biases, and no recurrent weights: the cell's only recurrence is its
    CEC. The output units read the input units directly as well as the cell.
    """

    n_inputs: int  # input units: the p + 1 local symbol codes
    n_outputs: int  # output units: the p + 1 next-symbol predictions
    init_range: float = 0.2  # weights ~ U[-r, r] (experiments 1 and 2: 0.2)
    g: str = "sigmoid"  # cell-input squasher: the paper's 2a/2b choice, logistic sigmoid in [0, 1]
    h: str = "identity"  # cell-output squasher: the paper's 2a/2b choice, h(x) = x
    output_activation: str = "sigmoid"  # output units' squasher (the paper's f)

    def __post_init__(self) -> None:
        _normalise_sizes(self, "n_inputs", "n_outputs")
        validate.positive_real("init_range", self.init_range)
        validate.choice("g (the cell-input squasher)", self.g, sorted(activations.ACTIVATIONS))
        validate.choice("h (the cell-output squasher)", self.h, sorted(activations.ACTIVATIONS))
        _output_activation(self.output_activation)


class LSTM2a(SequenceModel):
    """The paper's network for experiments 2a and 2b: one memory cell, input gate only, connectivity "B".

    Paper (Sec. 5.2): "like with RTRL, but the hidden unit is replaced by a memory cell and an
    input gate (no output gate required)", where the RTRL net has "one self-recurrent hidden
    unit, p+1 non-recurrent output units. Each layer has connections from all layers below."
    Sec. 4 adds that in 2a/2b all units except gate units feed all higher layers. So, per step:

        net_in(t) = sum_i w_in,i x_i(t)          y^in(t) = f(net_in(t))        (input gate)
        net_c(t)  = sum_i w_c,i  x_i(t)          s_c(t)  = s_c(t-1) + y^in(t) g(net_c(t))
        y^c(t)    = h(s_c(t))                    (no output gate: y^out = 1)
        net_k(t)  = sum_i w_k,i x_i(t) + w_k,c y^c(t)       y^k(t) = f(net_k(t))

    with g = sigmoid and h = identity. Weights (no biases), for p + 1 symbols:

    ======================  ==============================  ===================
    weights                 shape (code name)               p = 100
    ======================  ==============================  ===================
    inputs -> input gate    (1, p+1) ``weight_in``          101
    inputs -> cell          (1, p+1) ``weight_c``           101
    inputs, cell -> outputs (p+1, p+2) ``output_units``     10,201 + 101
    ======================  ==============================  ===================

    In all (p + 1)(p + 4) = 10,504 for p = 100, the paper's #w. The count is the RTRL net's
    (p + 2)^2 = 10,404 with the hidden unit's self-weight replaced by the fixed CEC (-1) and
    an input gate added (+101). Any other wiring misses it: recurrent weights from the cell
    and gate as in connectivity "F" would give 10,508, the cell's output fed back into cell
    and gate 10,506, the gate also feeding the outputs 10,605.

    No net input reads y(t-1), so the scissors (App. A.1) have nothing to cut: autograd's
    gradient is exactly the paper's truncated one.

    The forward pass (state s_c, features [x(t), y^c(t)] for the output units) and ``run``
    are those of every ``SequenceModel``; ``run`` records a ``CellStep`` per step (``y_out`` = 1,
    ``net_out`` None). Build it with ``paper_network("2a-B", p=100)``.
    """

    def __init__(self, config: LSTM2aConfig, seed: Optional[int] = None) -> None:
        super().__init__()
        self.config = config
        self.n_inputs, self.n_outputs = config.n_inputs, config.n_outputs
        # w_in,i: inputs -> input gate; w_c,i: inputs -> cell (one row each: one cell)
        self.weight_in = nn.Parameter(torch.empty(1, config.n_inputs))
        self.weight_c = nn.Parameter(torch.empty(1, config.n_inputs))
        with _seeded(seed):  # nn.Linear draws default weights; keep the global RNG out of it
            # output units k: net_k(t) = sum_i w_k,i x_i(t) + w_k,c y^c(t); columns [inputs, cell]
            self.output_units = nn.Linear(config.n_inputs + 1, config.n_outputs, bias=False)
        self._g, self._h = activations.get(config.g), activations.get(config.h)
        self.output_activation = _output_activation(config.output_activation)
        self.reset_parameters(seed)

    def reset_parameters(self, seed: Optional[int] = None) -> None:
        """Every weight ~ U[-init_range, init_range] (in ``named_parameters()`` order)."""
        r = self.config.init_range
        gen = None if seed is None else torch.Generator().manual_seed(seed)
        with torch.no_grad():
            for prm in (self.weight_in, self.weight_c, self.output_units.weight):
                prm.uniform_(-r, r, generator=gen)

    def extra_repr(self) -> str:
        c = self.config
        return (f"n_inputs={self.n_inputs}, n_outputs={self.n_outputs}, g={c.g!r}, h={c.h!r}, "
                f"init_range={c.init_range}, connectivity='B'")

    state_names = ("s",)

    def initial_state(self, batch: int, like: torch.Tensor) -> torch.Tensor:
        """s_c(0) = 0 (the only state: no unit reads y(t-1))."""
        return torch.zeros(batch, 1, dtype=like.dtype, device=like.device)

    def step(self, x_t: torch.Tensor, state: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, CellStep]:
        s_prev = state
        # net_in(t) = sum_i w_in,i x_i(t);  y^in(t) = f(net_in(t))
        net_in = x_t @ self.weight_in.T
        y_in = activations.f(net_in)
        # net_c(t) = sum_i w_c,i x_i(t);  g(net_c(t))
        net_c = x_t @ self.weight_c.T
        g_c = self._g(net_c)
        # CEC: s_c(t) = s_c(t-1) + y^in(t) g(net_c(t));  y^c(t) = h(s_c(t)) (y^out = 1)
        y_out = torch.ones_like(y_in)
        s, h_s, y_c = cell_update(s_prev, y_in, g_c, y_out, self._h)
        features = torch.cat([x_t, y_c], dim=1)  # what the output units read: connectivity "B"
        return s, features, CellStep(net_in, y_in, None, y_out, net_c, g_c, s_prev, s, h_s, y_c, y_c)

    def carried(self, state: torch.Tensor) -> torch.Tensor:
        return state  # s_c, the CEC


@dataclass(frozen=True)
class PaperNetwork:
    """One experiment's network as the paper specifies it, with its Table 10 weight count."""

    experiment: str  # experiment name, e.g. "adding"
    config: LSTM1997Config | LSTM2aConfig  # the architecture and initialisation (its type picks the class)
    table10_weights: Optional[int]  # the paper's weight count (None where the paper's differs in connectivity)
    note: str = ""  # what is the paper's and what is our choice


def _net(name: str, weights: Optional[int], note: str = "", **kw: Any) -> tuple[str, PaperNetwork]:
    return name, PaperNetwork(name, LSTM1997Config(**kw), weights, note)


#: Networks of the paper's experiments (Sec. 5, Table 10). 2c's size depends on p: use
#: ``paper_network("2c", p=...)``; the entry here is p = 100.
PAPER_NETWORKS: dict[str, PaperNetwork] = dict([
    _net("reber-4x1", 264, "Exp. 1; output-gate biases -1..-4 per Table 10; input-gate biases random in [-0.1, 0.1]",
         n_inputs=7, n_outputs=7, n_blocks=4, block_size=1, bias_units="gates", init_range=0.2,
         random_bias_range=0.1, output_gate_bias=(-1.0, -2.0, -3.0, -4.0)),
    _net("reber-3x2", 276, "Exp. 1; output-gate biases -1, -2, -3; input-gate biases random in [-0.1, 0.1]",
         n_inputs=7, n_outputs=7, n_blocks=3, block_size=2, bias_units="gates", init_range=0.2,
         random_bias_range=0.1, output_gate_bias=(-1.0, -2.0, -3.0)),
    _net("2a", None, "Exp. 2a/2b: one cell with an input gate, no output gate, no biases, g = sigmoid, "
         "h = identity. The paper used connectivity 'B' (10504 weights, p = 100; see '2a-B'); this one is 'F'.",
         n_inputs=101, n_outputs=101, n_blocks=1, block_size=1, bias_units="none", init_range=0.2,
         output_gate=False, g="sigmoid", h="identity"),
    ("2a-B", PaperNetwork("2a-B", LSTM2aConfig(n_inputs=101, n_outputs=101, init_range=0.2), 10_504,
                          "Exp. 2a/2b as the paper wires it: one cell with an input gate, no output gate, no "
                          "biases, g = sigmoid, h = identity, connectivity 'B' (inputs also feed the output "
                          "units; (p + 1)(p + 4) weights)")),
    _net("2c", 664, "Exp. 2c: p + 4 inputs, 2 outputs, 2 blocks of 1 cell, no biases (6p + 64 weights)",
         n_inputs=104, n_outputs=2, n_blocks=2, block_size=1, bias_units="none", init_range=0.2),
    _net("3", 102, "Exp. 3a/3b/3c: all hidden units biased; input gates -1, -3, -5; output gates -2, -4, -6",
         n_inputs=1, n_outputs=1, n_blocks=3, block_size=1, bias_units="hidden", init_range=0.1,
         input_gate_bias=(-1.0, -3.0, -5.0), output_gate_bias=(-2.0, -4.0, -6.0)),
    _net("adding", 93, "Exp. 4: all non-input units biased; input gates -3, -6; output-gate biases random",
         n_inputs=2, n_outputs=1, n_blocks=2, block_size=2, bias_units="all", init_range=0.1,
         input_gate_bias=(-3.0, -6.0)),
    _net("multiplication", 93, "Exp. 5: all non-input units biased, every bias random",
         n_inputs=2, n_outputs=1, n_blocks=2, block_size=2, bias_units="all", init_range=0.1),
    _net("6a", 156, "Exp. 6a: all non-input units biased; input gates -2, -4",
         n_inputs=8, n_outputs=4, n_blocks=2, block_size=2, bias_units="all", init_range=0.1,
         input_gate_bias=(-2.0, -4.0)),
    _net("6b", 308, "Exp. 6b: all non-input units biased; input gates -2, -4, -6",
         n_inputs=8, n_outputs=8, n_blocks=3, block_size=2, bias_units="all", init_range=0.1,
         input_gate_bias=(-2.0, -4.0, -6.0)),
])
_ALIASES = {"3a": "3", "3b": "3", "3c": "3", "2b": "2a", "2b-B": "2a-B", "4": "adding", "5": "multiplication"}


def paper_spec(name: str, p: Optional[int] = None) -> PaperNetwork:
    """The paper's network spec for experiment ``name`` (see ``PAPER_NETWORKS``; also "3a", "2b", ...)."""
    key = _ALIASES.get(name, name)
    if key not in PAPER_NETWORKS:
        known = sorted(set(PAPER_NETWORKS) | set(_ALIASES))
        raise ValueError(f"unknown experiment {name!r}; expected one of {known}")
    spec = PAPER_NETWORKS[key]
    if p is None:
        return spec
    if key not in ("2a", "2a-B", "2c"):
        raise ValueError(f"p (the alphabet size) applies to experiments 2a/2b/2c only, not {name!r}")
    (p,) = _check_sizes(p=p)
    if key == "2c":  # p + 4 input symbols, Table 3: #w = 6p + 64
        return replace(spec, config=replace(spec.config, n_inputs=p + 4), table10_weights=6 * p + 64)
    if key == "2a-B":  # p + 1 symbols in and out: (p + 1)^2 + 3 (p + 1) weights, Table 2: 10,504 at p = 100
        return replace(spec, config=replace(spec.config, n_inputs=p + 1, n_outputs=p + 1),
                       table10_weights=(p + 1) * (p + 4))
    return replace(spec, config=replace(spec.config, n_inputs=p + 1, n_outputs=p + 1))


def paper_network(name: str, seed: Optional[int] = None, p: Optional[int] = None,
                  **overrides: Any) -> LSTM1997 | LSTM2a:
    """The network of experiment ``name`` with the paper's settings; ``overrides`` change config fields.

    An ``LSTM1997`` for every name but "2a-B" (alias "2b-B"), the paper's own 2a/2b wiring,
    which is an ``LSTM2a``.

    >>> net = paper_network("adding", seed=0)
    >>> count_parameters(net)
    93
    >>> net.cell.bias_in.tolist()
    [-3.0, -6.0]
    >>> count_parameters(paper_network("2a-B", p=100))
    10504
    """
    config = paper_spec(name, p).config
    if overrides:
        fields = type(config).__dataclass_fields__
        unknown = set(overrides) - set(fields)
        if unknown:
            raise ValueError(f"unknown config fields {sorted(unknown)}; expected some of {sorted(fields)}")
        config = replace(config, **overrides)
    if isinstance(config, LSTM2aConfig):
        return LSTM2a(config, seed=seed)
    return LSTM1997(config, seed=seed)


def count_parameters(model: nn.Module) -> int:
    """Number of trainable weights (the paper's "#w", biases included where a unit has one)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


@contextlib.contextmanager
def _seeded(seed: Optional[int]):
    """Build modules under a private seed: deterministic weights, global RNG left untouched."""
    if seed is None:
        yield
        return
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


# The baselines (a tanh RNN, nn.LSTM, nn.GRU, a small Transformer) live in lstm_core.model.baselines;
# they are importable from here as well, beside the paper's networks.
from lstm_core.model.baselines import TinyTransformer, TorchGRU, TorchLSTM, VanillaRNN  # noqa: E402,F401

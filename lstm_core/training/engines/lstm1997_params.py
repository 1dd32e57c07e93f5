"""The 1997 network's weights as the fast engines hold them: layout, one trial, many trials.

Weight layout (ours): all hidden units sit in one matrix ``W`` (H, n_in + H + 1) whose rows are
ordered like the hidden activations ``[cells (C), input gates (B), output gates (B)]`` and
whose columns are z = [x, y(t-1), 1]; the last column is the bias. Output units sit in ``Wk``
(n_out, C + 1), bias last. Groups without a bias keep a bias column of exact zeros that is
never updated.

============================  ================================================================
name                          what
============================  ================================================================
:func:`structure`             do this model's weights fit the packed layout? (any scissors)
:func:`supports`              can this model take the truncated fast path? (and if not, why)
:class:`FastLayout`           the network's shape as the kernels need it (everything but weights)
:class:`FastParams`           float64 copy of one ``LSTM1997``'s weights (``from_model``,
                              ``to_model``, ``named``)
:class:`StackedParams`        many independent trials' weights with a leading trial axis
============================  ================================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Sequence

import numpy as np
import torch

from lstm_core.model.networks import LSTM1997
from lstm_core.training.engines.base import check_array, trial_counters
from lstm_core.training.engines.squash import SQUASH_CODES

__all__ = ["structure", "supports", "FastLayout", "FastParams", "StackedParams", "from_model", "to_model"]

_OUTPUT_ACTIVATIONS = ("sigmoid", "identity")


def structure(model: Any) -> tuple[bool, str]:
    """``(True, "")`` if ``model``'s weights fit the packed layout, whatever its scissors.

    An ``LSTM1997`` without a forget gate, with sigmoid or identity output units and squashers
    the kernels know. Which gradient an engine computes is its own check (:func:`supports` for
    the truncated engines, ``lstm1997_full.supports`` for the full one).
    """
    if not isinstance(model, LSTM1997):
        return False, f"the fast path runs the 1997 network (LSTM1997) only, got {type(model).__name__}"
    cell = model.cell
    if cell.forget_gate:
        return False, ("the model has a forget gate (Gers et al. 1999/2000); error then no longer flows "
                       "back through s_c with derivative 1, which the fast path relies on")
    if model.config.output_activation not in _OUTPUT_ACTIVATIONS:
        return False, f"output activation {model.config.output_activation!r} is not one of {_OUTPUT_ACTIVATIONS}"
    for name in (cell.g_name, cell.h_name):
        if name not in SQUASH_CODES:
            return False, f"squasher {name!r} is not one of {sorted(SQUASH_CODES)}"
    return True, ""


def supports(model: Any) -> tuple[bool, str]:
    """``(True, "")`` if ``model`` can use the fast path, else ``(False, reason)``.

    The fast path needs an ``LSTM1997`` with the scissors on, no forget gate, and sigmoid or
    identity output units.

    >>> from lstm_core import paper_network
    >>> supports(paper_network("adding"))
    (True, '')
    >>> supports(paper_network("adding", scissors=False))[0]
    False
    """
    ok, why = structure(model)
    if not ok:
        return ok, why
    if not model.cell.scissors:
        return False, ("the scissors are off (full BPTT); the fast path computes the truncated gradient "
                       "of App. A.1 only: the lstm1997-full engine trains this model (one update per "
                       "sequence), or turn the scissors on")
    return True, ""


@dataclass(frozen=True)
class FastLayout:
    """The shape of a 1997 network as the kernels need it (everything but the weights)."""

    n_inputs: int  # input units
    n_outputs: int  # output units
    n_blocks: int  # memory-cell blocks (B)
    block_size: int  # cells per block (S)
    output_gate: bool  # False: y^out = 1 (experiments 2a/2b)
    bias_gates: bool  # gate units carry a bias
    bias_cells: bool  # cell units carry a bias
    bias_outputs: bool  # output units carry a bias
    g: str = "g"  # cell-input squasher (name in activations.ACTIVATIONS)
    h: str = "h"  # cell-output squasher
    output_activation: str = "sigmoid"  # output units' squasher: "sigmoid" or "identity"

    @property
    def n_cells(self) -> int:
        """C = B * S."""
        return self.n_blocks * self.block_size

    @property
    def hidden_size(self) -> int:
        """H: cells, input gates and (if present) output gates."""
        return self.n_cells + self.n_blocks * (2 if self.output_gate else 1)

    @property
    def fan_in(self) -> int:
        """Columns of W: z = [x (n_in), y(t-1) (H), 1]."""
        return self.n_inputs + self.hidden_size + 1

    def dims(self) -> np.ndarray:
        """The integers the kernels read: n_in, B, S, output gate, g, h and output squasher codes."""
        return np.array([self.n_inputs, self.n_blocks, self.block_size, int(self.output_gate),
                         SQUASH_CODES[self.g], SQUASH_CODES[self.h],
                         SQUASH_CODES[self.output_activation]], dtype=np.int64)

    def bias_flags(self) -> tuple[np.ndarray, np.ndarray]:
        """(H,) and (n_out,) bool: which hidden rows and output units have a bias."""
        C = self.n_cells
        rows = np.zeros(self.hidden_size, dtype=np.bool_)
        rows[:C] = self.bias_cells
        rows[C:] = self.bias_gates
        return rows, np.full(self.n_outputs, self.bias_outputs, dtype=np.bool_)

    def groups(self) -> list[tuple[str, str, slice, bool]]:
        """(parameter name, kind, rows, is bias) in ``named_parameters()`` order.

        kind "W" names rows of the hidden matrix, "Wk" the output matrix.
        """
        C, B = self.n_cells, self.n_blocks
        out: list[tuple[str, str, slice, bool]] = [("cell.weight_in", "W", slice(C, C + B), False)]
        if self.bias_gates:
            out.append(("cell.bias_in", "W", slice(C, C + B), True))
        if self.output_gate:
            out.append(("cell.weight_out", "W", slice(C + B, C + 2 * B), False))
            if self.bias_gates:
                out.append(("cell.bias_out", "W", slice(C + B, C + 2 * B), True))
        out.append(("cell.weight_c", "W", slice(0, C), False))
        if self.bias_cells:
            out.append(("cell.bias_c", "W", slice(0, C), True))
        out.append(("output_units.weight", "Wk", slice(0, self.n_outputs), False))
        if self.bias_outputs:
            out.append(("output_units.bias", "Wk", slice(0, self.n_outputs), True))
        return out

    @classmethod
    def from_model(cls, model: LSTM1997, scissors: Optional[bool] = True) -> FastLayout:
        """The layout of ``model``; ``scissors`` is the gradient the weights are for.

        True (the truncated engines) refuses a model whose scissors are off, False (the
        full-gradient engine) one whose scissors are on; None checks the layout only (copying
        weights back into a model).
        """
        ok, reason = supports(model) if scissors is True else structure(model)
        if ok and scissors is False and model.cell.scissors:
            ok, reason = False, ("the scissors are on (the truncated gradient of App. A.1); the lstm1997 "
                                 "engine trains this model, or turn the scissors off for the full gradient")
        if not ok:
            raise ValueError(f"this model cannot use the fast path: {reason}")
        cell = model.cell
        return cls(n_inputs=cell.n_inputs, n_outputs=model.n_outputs, n_blocks=cell.n_blocks,
                   block_size=cell.block_size, output_gate=cell.output_gate,
                   bias_gates=cell.bias_in is not None, bias_cells=cell.bias_c is not None,
                   bias_outputs=model.output_units.bias is not None, g=cell.g_name, h=cell.h_name,
                   output_activation=model.config.output_activation)


def _split(layout: FastLayout, W: np.ndarray, Wk: np.ndarray) -> dict[str, np.ndarray]:
    """Packed (W, Wk) -> arrays named and shaped like ``model.named_parameters()`` (copies)."""
    out = {}
    for name, kind, rows, is_bias in layout.groups():
        m = W if kind == "W" else Wk
        out[name] = m[rows, -1].copy() if is_bias else m[rows, :-1].copy()
    return out


@dataclass(eq=False)
class FastParams:
    """float64 weights of one 1997 network, in the kernels' packed layout (module docstring).

    ``W`` (H, n_in + H + 1) hidden units, ``Wk`` (n_out, C + 1) output units; the last column of
    each is the bias (exact zeros where a group has none). Build with :meth:`from_model`; copy back
    with :meth:`to_model`. ``named()`` gives the weights keyed like ``model.named_parameters()``.
    """

    layout: FastLayout  # sizes, squashers and which groups have biases
    W: np.ndarray  # (H, n_in + H + 1) float64: rows [cells, input gates, output gates]
    Wk: np.ndarray  # (n_out, C + 1) float64: output units, bias last

    def __post_init__(self) -> None:
        lay = self.layout
        self.W = check_array("W", self.W, (lay.hidden_size, lay.fan_in))
        self.Wk = check_array("Wk", self.Wk, (lay.n_outputs, lay.n_cells + 1))

    @classmethod
    def from_model(cls, model: LSTM1997, scissors: Optional[bool] = True) -> FastParams:
        """Copy an ``LSTM1997``'s weights (any dtype) into float64 arrays (``scissors``: see ``FastLayout``)."""
        layout = FastLayout.from_model(model, scissors)
        W = np.zeros((layout.hidden_size, layout.fan_in))
        Wk = np.zeros((layout.n_outputs, layout.n_cells + 1))
        named = dict(model.named_parameters())
        for name, kind, rows, is_bias in layout.groups():
            value = named[name].detach().cpu().to(torch.float64).numpy()
            m = W if kind == "W" else Wk
            if is_bias:
                m[rows, -1] = value
            else:
                m[rows, :-1] = value
        if not (np.isfinite(W).all() and np.isfinite(Wk).all()):
            raise ValueError("the model's weights contain NaN or inf; re-initialise it")
        return cls(layout, W, Wk)

    def to_model(self, model: LSTM1997) -> LSTM1997:
        """Copy these weights into ``model``'s parameters (in its dtype); returns the model."""
        layout = FastLayout.from_model(model, scissors=None)  # either gradient: only the shapes matter
        if layout != self.layout:
            raise ValueError(f"the model's layout {layout} differs from these parameters' {self.layout}")
        named = dict(model.named_parameters())
        with torch.no_grad():
            for name, value in self.named().items():
                named[name].copy_(torch.from_numpy(value))
        return model

    def named(self) -> dict[str, np.ndarray]:
        """The weights as copies keyed and shaped like ``model.named_parameters()``."""
        return _split(self.layout, self.W, self.Wk)

    def copy(self) -> FastParams:
        return FastParams(self.layout, self.W.copy(), self.Wk.copy())

    @staticmethod
    def stack(params: Sequence[FastParams]) -> StackedParams:
        """Many trials' weights (same layout) -> one :class:`StackedParams` (copies)."""
        return StackedParams.from_params(params)


def from_model(model: LSTM1997) -> FastParams:
    """float64 copy of ``model``'s weights (see :meth:`FastParams.from_model`)."""
    return FastParams.from_model(model)


def to_model(params: FastParams, model: LSTM1997) -> LSTM1997:
    """Copy ``params`` back into the torch parameters of ``model`` (see :meth:`FastParams.to_model`)."""
    return params.to_model(model)


@dataclass(eq=False)
class StackedParams:
    """The weights of ``n_trials`` independent networks of one layout, with a leading trial axis.

    ``trial(k)`` is a :class:`FastParams` *view* of trial k (training one trains the other).
    ``n_seen[k]`` counts the sequences trial k has trained on; ``diverged_at[k]`` is -1 while
    the trial is healthy, else the (1-based) count of the sequence where it diverged, and
    ``diverged_how[k]`` says why (``engines.base.DIVERGED``).
    """

    ARRAYS = ("W", "Wk", "n_seen", "diverged_at", "diverged_how")  # what a snapshot copies

    layout: FastLayout  # shared by every trial
    W: np.ndarray  # (n_trials, H, n_in + H + 1) float64
    Wk: np.ndarray  # (n_trials, n_out, C + 1) float64
    n_seen: Optional[np.ndarray] = None  # (n_trials,) int64, sequences trained on; None: zeros
    diverged_at: Optional[np.ndarray] = None  # (n_trials,) int64, -1 = healthy; None: all -1
    diverged_how: Optional[np.ndarray] = None  # (n_trials,) int8 code of engines.base.DIVERGED; None: from diverged_at

    def __post_init__(self) -> None:
        lay = self.layout
        W = np.asarray(self.W)
        if W.ndim != 3 or W.shape[0] < 1:
            raise ValueError(f"W must have shape (n_trials, H, fan_in); got {W.shape}")
        k = W.shape[0]
        self.W = check_array("W", W, (k, lay.hidden_size, lay.fan_in))
        self.Wk = check_array("Wk", self.Wk, (k, lay.n_outputs, lay.n_cells + 1))
        self.n_seen, self.diverged_at, self.diverged_how = trial_counters(self.n_seen, self.diverged_at, k,
                                                                          self.diverged_how)

    @property
    def n_trials(self) -> int:
        return int(self.W.shape[0])

    @classmethod
    def from_params(cls, params: Sequence[FastParams]) -> StackedParams:
        if len(params) == 0:
            raise ValueError("need at least one FastParams to stack")
        layout = params[0].layout
        for i, p in enumerate(params):
            if p.layout != layout:
                raise ValueError(f"trial {i} has layout {p.layout}, trial 0 has {layout}; all must match")
        return cls(layout, np.stack([p.W for p in params]), np.stack([p.Wk for p in params]))

    @classmethod
    def from_models(cls, models: Sequence[LSTM1997], scissors: Optional[bool] = True) -> StackedParams:
        """One trial per model (copies of their weights; ``scissors``: see ``FastLayout.from_model``)."""
        return cls.from_params([FastParams.from_model(m, scissors) for m in models])

    def trial(self, k: int) -> FastParams:
        """A view of trial ``k``'s weights."""
        if not -self.n_trials <= k < self.n_trials:
            raise ValueError(f"trial index {k} out of range for {self.n_trials} trials")
        return FastParams(self.layout, self.W[k], self.Wk[k])

    def named(self, k: int = 0) -> dict[str, np.ndarray]:
        """Trial ``k``'s weights as copies keyed and shaped like ``model.named_parameters()``."""
        return self.trial(k).named()

    def to_model(self, model: LSTM1997, k: int = 0) -> LSTM1997:
        """Copy trial ``k``'s weights into ``model`` (in its dtype); returns the model."""
        return self.trial(k).to_model(model)

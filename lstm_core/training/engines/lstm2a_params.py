"""The 2a/2b network's weights as the fast engine holds them (``Weights2a``, leading trial axis).

Weight layout (ours): ``Wh`` (K, 2, n_in) holds the rows [cell (w_c), input gate (w_in)];
``V`` (K, n_out, n_in + 1) the output units, columns [inputs, cell]. The conventions of every
engine container (``engines.base``): ``n_trials``, ``n_seen``, ``diverged_at``,
``diverged_how``, ``named(k)``, ``to_model(model, k)``, ``trial(k)``, ``copy()``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Sequence

import numpy as np
import torch

from lstm_core.model.networks import LSTM2a, LSTM2aConfig
from lstm_core.training.engines.base import check_array, trial_counters
from lstm_core.training.engines.squash import SQUASH_CODES

__all__ = ["Weights2a"]

_CELL, _GATE = 0, 1  # rows of Wh


@dataclass(eq=False)
class Weights2a:
    """float64 weights of ``n_trials`` independent ``LSTM2a`` networks of one configuration.

    ``trial(k)`` is a one-trial view (training it trains these arrays). ``n_seen[k]`` counts
    the sequences trial k has trained on; ``diverged_at[k]`` is -1 while it is healthy, else
    the (1-based) count of the sequence whose loss or deltas were not finite.

    ``cell_from`` is the paper's sequential construction (Sec. 4, "abuse problem", solution 1):
    the cell and its input gate join the net only after that many training sequences. Before,
    the output units read the inputs alone (nothing reads the cell, no error reaches it, so its
    weights and its output weights keep their initial values). 0: the cell is there from the start.
    """

    config: LSTM2aConfig  # sizes and squashers, shared by every trial
    Wh: np.ndarray  # (K, 2, n_in) float64: rows [cell w_c, input gate w_in]
    V: np.ndarray  # (K, n_out, n_in + 1) float64: output units, columns [inputs, cell]
    n_seen: Optional[np.ndarray] = None  # (K,) int64 sequences trained on; None: zeros
    diverged_at: Optional[np.ndarray] = None  # (K,) int64, -1 = healthy; None: all -1
    cell_from: int = 0  # training sequences before the cell and its input gate are added (0: from the start)
    diverged_how: Optional[np.ndarray] = None  # (K,) int8 code of engines.base.DIVERGED; None: from diverged_at

    ARRAYS = ("Wh", "V", "n_seen", "diverged_at", "diverged_how")  # what a snapshot copies

    def __post_init__(self) -> None:
        c = self.config
        if isinstance(self.cell_from, bool) or not isinstance(self.cell_from, (int, np.integer)) or self.cell_from < 0:
            raise ValueError(f"cell_from must be an int >= 0; got {self.cell_from!r}")
        if not isinstance(c, LSTM2aConfig):
            raise ValueError(f"config must be an LSTM2aConfig; got {type(c).__name__}")
        for name in (c.g, c.h, c.output_activation):
            if name not in SQUASH_CODES:
                raise ValueError(f"squasher {name!r} is not one of {sorted(SQUASH_CODES)}")
        Wh = np.asarray(self.Wh)
        if Wh.ndim != 3 or Wh.shape[0] < 1:
            raise ValueError(f"Wh must have shape (n_trials, 2, n_inputs); got {Wh.shape}")
        K = Wh.shape[0]
        self.Wh = check_array("Wh", Wh, (K, 2, c.n_inputs))
        self.V = check_array("V", self.V, (K, c.n_outputs, c.n_inputs + 1))
        self.n_seen, self.diverged_at, self.diverged_how = trial_counters(self.n_seen, self.diverged_at, K,
                                                                          self.diverged_how)

    @property
    def n_trials(self) -> int:
        return int(self.Wh.shape[0])

    @property
    def codes(self) -> np.ndarray:
        """The kernels' squasher codes (g, h, output units)."""
        c = self.config
        return np.array([SQUASH_CODES[c.g], SQUASH_CODES[c.h], SQUASH_CODES[c.output_activation]], np.int64)

    def cell_present(self, k: int = 0) -> bool:
        """Whether trial ``k``'s net has its cell yet (``n_seen[k] >= cell_from``)."""
        return bool(self.n_seen[k] >= self.cell_from)

    @classmethod
    def from_models(cls, models: Sequence[LSTM2a], cell_from: int = 0) -> Weights2a:
        """One trial per model (float64 copies of their weights); ``cell_from`` as in the class."""
        if len(models) == 0:
            raise ValueError("need at least one LSTM2a")
        for i, m in enumerate(models):
            if not isinstance(m, LSTM2a):
                raise ValueError(f"models[{i}] must be an LSTM2a; got {type(m).__name__}")
            if _layout(m.config) != _layout(models[0].config):
                raise ValueError(f"models[{i}] has config {m.config}, models[0] {models[0].config}; sizes and "
                                 "squashers must match")
        get = lambda t: t.detach().cpu().to(torch.float64).numpy()  # noqa: E731
        Wh = np.stack([np.stack([get(m.weight_c)[0], get(m.weight_in)[0]]) for m in models])
        V = np.stack([get(m.output_units.weight) for m in models])
        if not (np.isfinite(Wh).all() and np.isfinite(V).all()):
            raise ValueError("a model's weights contain NaN or inf; re-initialise it")
        return cls(models[0].config, np.ascontiguousarray(Wh), np.ascontiguousarray(V), cell_from=cell_from)

    def trial(self, k: int) -> Weights2a:
        """A one-trial view of trial ``k`` (its arrays share memory with these)."""
        if not -self.n_trials <= k < self.n_trials:
            raise ValueError(f"trial index {k} out of range for {self.n_trials} trials")
        k = k % self.n_trials
        return Weights2a(self.config, self.Wh[k:k + 1], self.V[k:k + 1], self.n_seen[k:k + 1],
                         self.diverged_at[k:k + 1], self.cell_from, self.diverged_how[k:k + 1])

    def named(self, k: int = 0) -> dict[str, np.ndarray]:
        """Trial ``k``'s weights as copies keyed and shaped like ``LSTM2a.named_parameters()``.

        Before its cell is added (``cell_present``) the cell's output weights read as 0, so an
        ``LSTM2a`` with these weights computes what the trial's net computes.
        """
        V = self.V[k].copy()
        if not self.cell_present(k):
            V[:, -1] = 0.0
        return {"weight_in": self.Wh[k, _GATE][None].copy(), "weight_c": self.Wh[k, _CELL][None].copy(),
                "output_units.weight": V}

    def to_model(self, model: LSTM2a, k: int = 0) -> LSTM2a:
        """Copy trial ``k``'s weights into ``model`` (in its dtype); returns the model."""
        if not isinstance(model, LSTM2a) or _layout(model.config) != _layout(self.config):
            raise ValueError(f"model must be an LSTM2a with config like {self.config}")
        params = dict(model.named_parameters())
        with torch.no_grad():
            for name, value in self.named(k).items():
                params[name].copy_(torch.from_numpy(value))
        return model

    def copy(self) -> Weights2a:
        return Weights2a(self.config, self.Wh.copy(), self.V.copy(), self.n_seen.copy(), self.diverged_at.copy(),
                         self.cell_from, self.diverged_how.copy())


def _layout(config: LSTM2aConfig) -> tuple:
    """What the kernels depend on (init_range does not matter once the weights exist)."""
    return config.n_inputs, config.n_outputs, config.g, config.h, config.output_activation


def _as_weights(model_or_weights: Any) -> Weights2a:
    if isinstance(model_or_weights, Weights2a):
        return model_or_weights
    if isinstance(model_or_weights, LSTM2a):
        return Weights2a.from_models([model_or_weights])
    raise ValueError(f"expected an LSTM2a or Weights2a; got {type(model_or_weights).__name__}")

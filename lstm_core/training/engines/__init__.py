"""Fast engines for the paper's online protocol (numba, float64), behind one interface (``base.Engine``).

    base           the interface, the container and return conventions, the divergence policy
    lstm1997       the 1997 network with the scissors on: one update per sequence
    lstm1997_full  the same network with the scissors off: the full gradient (exact backprop
                   through time), one update per sequence (per-step updates with the full
                   gradient, full RTRL, have no engine)
    rtrl           the 1997 network with the scissors on, one update at every step with error
                   (truncated RTRL, App. A.1)
    lstm2a         the network of experiments 2a/2b (one cell, input gate only)
    rnn            the vanilla tanh RNN baseline, full backprop through time

    lstm1997_params, lstm1997_kernels, lstm1997_full_kernels, lstm2a_params, sparse, squash: their parts

``engine_for(model, updates="sequence")`` picks the engine class that trains ``model`` exactly,
or raises ValueError with every engine's reason for refusing it.
"""

from __future__ import annotations

from typing import Any

from lstm_core.training.engines.base import Engine
from lstm_core.training.engines.lstm1997 import LSTM1997Engine
from lstm_core.training.engines.lstm1997_full import FullGradientEngine
from lstm_core.training.engines.lstm2a import LSTM2aEngine
from lstm_core.training.engines.rnn import RNNEngine
from lstm_core.training.engines.rtrl import RTRLEngine

__all__ = ["Engine", "ENGINES", "UPDATES", "engine_for"]

#: Every engine class, by name.
ENGINES: dict[str, type[Engine]] = {e.name: e for e in (LSTM1997Engine, FullGradientEngine, RTRLEngine,
                                                        LSTM2aEngine, RNNEngine)}

#: When weights change: after each sequence, or at every step with error (truncated RTRL; the 1997
#: network with the scissors on only).
UPDATES = ("sequence", "step")


def engine_for(model: Any, updates: str = "sequence") -> type[Engine]:
    """The engine class that trains ``model`` exactly with ``updates``; ValueError (with reasons) if none."""
    if updates not in UPDATES:
        raise ValueError(f"updates must be one of {UPDATES}; got {updates!r}")
    candidates = ([RTRLEngine] if updates == "step"
                  else [LSTM1997Engine, FullGradientEngine, LSTM2aEngine, RNNEngine])
    reasons = []
    for engine in candidates:
        ok, why = engine.supports(model)
        if ok:
            return engine
        reasons.append(f"{engine.name}: {why}")
    raise ValueError(f"no fast engine trains this {type(model).__name__} with updates={updates!r} exactly ("
                     + "; ".join(reasons) + ")")

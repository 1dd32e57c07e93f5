"""Models compared on one footing: the check of running a recurrent model one step per call.

=========================  ============================  ===============================================
check                      exercise                      the learner writes
=========================  ============================  ===============================================
``stepwise_outputs``       ex-11-stream                  a recurrent model run one step per call
=========================  ============================  ===============================================

Every check returns a :class:`~lstm_core.check.engine.CheckReport`; the known wrong answers it
recognises are in ``MISTAKES`` (check name -> mistakes), written in the learner's own format, so
tests and graders can feed them to the check. All are importable as ``lstm_core.check.<name>``.
"""
from __future__ import annotations

import functools
from typing import Any

import torch

from lstm_core.check.engine import Case, CheckReport, Mistake, check_answer

__all__ = ["stepwise_outputs"]


@functools.lru_cache(maxsize=4)
def _bench_size(name: str) -> int:
    from lstm_core.analysis.compare import size_for_params
    return size_for_params(name, 2, 1, 500)


@functools.lru_cache(maxsize=4)
def _stream_model(name: str, seed: int) -> torch.nn.Module:
    """A model of the bench (cached: answers get copies of it, the reference runs it without gradients)."""
    from lstm_core.analysis.compare import build_model
    return build_model(name, 2, 1, _bench_size(name), seed=seed).double()


def _stepwise_without_state(model: Any, x: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        return torch.cat([model(x[:, t:t + 1])[0] for t in range(x.shape[1])], dim=1)


def _stepwise(model: Any, x: torch.Tensor, dim: int = 1, last_only: bool = False) -> torch.Tensor:
    state, pieces = None, []
    with torch.no_grad():
        for t in range(x.shape[1]):
            out, state = model(x[:, t:t + 1], hx=state)
            pieces.append(out)
    return pieces[-1] if last_only else torch.cat(pieces, dim=dim)


_STREAM_MISTAKES = (
    Mistake("state not passed back", _stepwise_without_state,
            "Every step of yours starts from a fresh state, so the model forgets at each step. Hand the "
            "state returned by one call to the next (hx=...)."),
    Mistake("only the last step", lambda m, x: _stepwise(m, x, last_only=True),
            "You returned the output of the last call only. Keep the output of every step and join them "
            "along the time axis."),
    Mistake("steps joined along the batch axis", lambda m, x: _stepwise(m, x, dim=0),
            "Your outputs have the steps stacked on the batch axis. Outputs are (batch, time, n_outputs): "
            "join the steps along axis 1."),
)


def stepwise_outputs(candidate: Any) -> CheckReport:
    """Chapter 11, exercise ex-11-stream: ``run_stepwise(model, x) -> outputs``.

    Run a recurrent model of the bench on ``x`` (batch, T, 2) one step per call, passing the state
    on; the outputs must equal those of one call on the whole sequence (the reference,
    ``model(x)``), for the 1997 LSTM, ``nn.LSTM`` and ``nn.GRU`` (whose states differ in form).
    """
    gen = torch.Generator().manual_seed(1)
    x = lambda b, T: torch.rand(b, T, 2, generator=gen, dtype=torch.float64)  # noqa: E731
    lstm1997 = _stream_model("lstm1997", 0)
    cases = [Case("the bench's 1997 LSTM, 1 sequence of 8 steps", (lstm1997, x(1, 8))),
             Case("the bench's 1997 LSTM, 3 sequences of 6 steps", (lstm1997, x(3, 6))),
             Case("the bench's 1997 LSTM, a single step", (lstm1997, x(1, 1))),
             Case("nn.LSTM (state (h, c)), 2 sequences of 7 steps", (_stream_model("lstm", 0), x(2, 7))),
             Case("nn.GRU (state h), 2 sequences of 5 steps", (_stream_model("gru", 0), x(2, 5)))]

    def reference(model: Any, inputs: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            return model(inputs)[0]

    return check_answer(candidate, reference, cases, exercise="run_stepwise (ex-11-stream)", mistakes=_STREAM_MISTAKES,
                  hint="Loop over t, call model(x[:, t:t + 1], hx=state), keep both the output and the new "
                       "state, and join the outputs along the time axis.", rtol=1e-9, atol=1e-12)


#: check name -> the wrong answers it recognises, in the learner's format (for tests and graders).
MISTAKES: dict[str, tuple[Mistake, ...]] = dict(stepwise_outputs=_STREAM_MISTAKES)

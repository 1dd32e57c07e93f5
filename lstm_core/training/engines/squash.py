"""The paper's squashing functions as the numba kernels compute them: value and derivative at once.

Codes (``SQUASH_CODES``, by the names of ``lstm_core.model.activations.ACTIVATIONS``):
0 f = sigmoid, 1 g(x) = 4 sigma(x) - 2, 2 h(x) = 2 sigma(x) - 1, 3 identity, 4 tanh.
The tests compare every engine that uses them with autograd on the readable modules.
"""

from __future__ import annotations

import math

from numba import njit

__all__ = ["SQUASH_CODES", "squash"]

#: Squashers the kernels know, by the names of ``activations.ACTIVATIONS``.
SQUASH_CODES = {"sigmoid": 0, "g": 1, "h": 2, "identity": 3, "tanh": 4}


@njit(cache=True)
def squash(code: int, x: float) -> tuple[float, float]:
    """(value, derivative) of squasher ``code`` at x: 0 f, 1 g, 2 h, 3 identity, 4 tanh."""
    if code == 3:
        return x, 1.0
    if code == 4:
        t = math.tanh(x)
        return t, 1.0 - t * t
    s = 1.0 / (1.0 + math.exp(-x))
    d = s * (1.0 - s)
    if code == 0:
        return s, d  # f(x) = sigma(x)
    if code == 1:
        return 4.0 * s - 2.0, 4.0 * d  # g(x) = 4 sigma(x) - 2
    return 2.0 * s - 1.0, 2.0 * d  # h(x) = 2 sigma(x) - 1

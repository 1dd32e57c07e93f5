"""The squashing functions of the 1997 paper (Appendix A.1, eqs. 3-5).

| paper | range    | formula            | used for                                   | code name   |
|-------|----------|--------------------|--------------------------------------------|-------------|
| f     | [0, 1]   | 1 / (1 + e^-x)     | input gates, output gates, output units    | ``f``       |
| g     | [-2, 2]  | 4 sigma(x) - 2     | squashes the cell input net_c              | ``g``       |
| h     | [-1, 1]  | 2 sigma(x) - 1     | squashes the cell state s_c before output  | ``h``       |

Exceptions some experiments use (paper, Sec. 5.2): experiments 2a and 2b take g = sigma
(``"sigmoid"``) and h = identity (``"identity"``).

Each function has its derivative beside it (``*_prime``), written as a function of x, so
hand-derived gradients in the tests can use them. ``get(name)`` returns a callable by name;
the names are the keys of ``ACTIVATIONS``.

Note: 2 sigma(x) - 1 equals tanh(x / 2), and 4 sigma(x) - 2 equals 2 tanh(x / 2): the paper's
squashers are tanh with half the slope (and, for g, twice the range).
"""

from __future__ import annotations

from typing import Callable

import torch

Activation = Callable[[torch.Tensor], torch.Tensor]


def f(x: torch.Tensor) -> torch.Tensor:
    """Logistic sigmoid, range (0, 1): the paper's gate and output-unit squasher."""
    return torch.sigmoid(x)


def f_prime(x: torch.Tensor) -> torch.Tensor:
    """f'(x) = f(x) (1 - f(x))."""
    s = torch.sigmoid(x)
    return s * (1 - s)


def g(x: torch.Tensor) -> torch.Tensor:
    """Cell-input squasher g(x) = 4 sigma(x) - 2, range (-2, 2)."""
    return 4 * torch.sigmoid(x) - 2


def g_prime(x: torch.Tensor) -> torch.Tensor:
    """g'(x) = 4 sigma(x) (1 - sigma(x)); g'(0) = 1."""
    return 4 * f_prime(x)


def h(x: torch.Tensor) -> torch.Tensor:
    """Cell-output squasher h(x) = 2 sigma(x) - 1, range (-1, 1)."""
    return 2 * torch.sigmoid(x) - 1


def h_prime(x: torch.Tensor) -> torch.Tensor:
    """h'(x) = 2 sigma(x) (1 - sigma(x)); h'(0) = 1/2."""
    return 2 * f_prime(x)


def identity(x: torch.Tensor) -> torch.Tensor:
    """h = identity, used by experiments 2a and 2b."""
    return x


def identity_prime(x: torch.Tensor) -> torch.Tensor:
    return torch.ones_like(x)


def tanh_prime(x: torch.Tensor) -> torch.Tensor:
    return 1 - torch.tanh(x) ** 2


#: name -> (function, derivative). "g" and "h" are the paper's defaults.
ACTIVATIONS: dict[str, tuple[Activation, Activation]] = {
    "g": (g, g_prime),
    "h": (h, h_prime),
    "sigmoid": (f, f_prime),
    "identity": (identity, identity_prime),
    "tanh": (torch.tanh, tanh_prime),  # not the paper's; for the chapter comparing ranges
}


def get(name: str) -> Activation:
    """The activation called ``name`` (a key of ``ACTIVATIONS``)."""
    return _lookup(name)[0]


def get_prime(name: str) -> Activation:
    """The derivative of the activation called ``name``."""
    return _lookup(name)[1]


def _lookup(name: str) -> tuple[Activation, Activation]:
    if name not in ACTIVATIONS:
        raise ValueError(
            f"unknown activation {name!r}; expected one of {sorted(ACTIVATIONS)}"
        )
    return ACTIVATIONS[name]

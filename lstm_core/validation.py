"""One rule per kind of value, used by every module that takes arguments from a reader.

Each function checks one value, returns it in its plain Python form (so ``np.int64(3)`` comes
back as ``3``) and raises an error whose message names the argument, the value given and what
to pass instead:

================  ==========================================================  ================
function          accepts                                                     returns
================  ==========================================================  ================
``positive_int``  ints and numpy integers >= 1 (or >= ``low``); not bools,    ``int``
                  not floats (``3.0`` is refused: sizes are counted)
``nonneg_int``    the same, >= 0                                              ``int``
``integer``       the same, in any [low, high] (a slider's range)             ``int``
``positive_real`` finite reals > 0 (ints, floats, numpy scalars); not bools,  ``float``
                  not inf, not nan -- learning rates, time limits, ranges
``nonneg_real``   finite reals >= 0                                           ``float``
``real``          finite reals, optionally within [low, high]                 ``float``
``probability``   finite reals in [0, 1] -- probabilities, fractions, rates   ``float``
``switch``        ``True``/``False`` only (and numpy bools): ``"no"`` and     ``bool``
                  ``0`` are refused, since ``bool("no")`` is True
``choice``        one of a given set of options                               the value
``instance``      an instance of one of the given classes (a model, a config) the value
``shape``         an array (numpy or torch) whose shape matches a pattern     the shape
``state``         a recurrent state ``hx``: one tensor per part, each of the  None
                  given shape and the model's dtype (as ``nn.RNN`` refuses)
================  ==========================================================  ================

``learning_rate`` is ``positive_real`` under its usual name. Every function takes
``allow_none=True`` where "not given" is a valid answer (e.g. ``max_seconds=None``).

A value of the wrong kind (a string or a float where a count belongs) raises ``WrongType``,
which is both a ``TypeError`` and a ``ValueError`` (so code that catches either sees it); a value
of the right kind out of range raises ``ValueError``. Both carry the same message form:

    >>> positive_int("n_blocks", 0)
    Traceback (most recent call last):
    ...
    ValueError: n_blocks must be a positive integer (>= 1); got 0. Pass a whole number such as 4.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Iterable, Optional, Sequence

import numpy as np
import torch

__all__ = [
    "WrongType", "integer", "positive_int", "nonneg_int", "positive_real", "nonneg_real", "real", "learning_rate",
    "probability", "switch", "choice", "instance", "shape", "state",
]


class WrongType(TypeError, ValueError):
    """A value of the wrong kind (e.g. ``"3"`` or ``3.0`` for a size): a TypeError and a ValueError."""


def _describe(value: Any) -> str:
    """``value!r`` plus its type when the repr hides it (``'3'`` vs ``3``, ``np.float64``)."""
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    kind = type(value).__name__
    if type(value) in (int, float, bool, str, type(None)):
        return text
    return f"{text} (a {kind})"


def _is_integer(value: Any) -> bool:
    # numbers.Integral covers int and numpy integers (numpy registers them); bool is an int
    # subclass but a switch is not a count.
    return isinstance(value, numbers.Integral) and not _is_bool(value)


def _is_bool(value: Any) -> bool:
    return isinstance(value, (bool, np.bool_))


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not _is_bool(value)


def integer(name: str, value: Any, *, low: Optional[int] = None, high: Optional[int] = None,
            allow_none: bool = False, what: str = "an integer") -> Optional[int]:
    """``value`` as an int in [low, high] (either end may be open-ended); ints and numpy integers only."""
    if value is None and allow_none:
        return None
    if low is not None and high is not None:
        bound = f" (in [{low}, {high}])"
    elif low is not None:
        bound = f" (>= {low})"
    elif high is not None:
        bound = f" (<= {high})"
    else:
        bound = ""
    none = " or None" if allow_none else ""
    if low is not None and high is not None:
        example = 4 if low <= 4 <= high else low
    elif low is not None:
        example = max(low, 4)
    else:
        example = 4 if high is None else min(high, 4)
    hint = f" Pass a whole number such as {example}."
    if not _is_integer(value):
        raise WrongType(f"{name} must be {what}{bound}{none}; got {_describe(value)}.{hint}")
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{name} must be {what}{bound}{none}; got {value}.{hint}")
    return value


def positive_int(name: str, value: Any, *, low: int = 1, high: Optional[int] = None,
                 allow_none: bool = False) -> Optional[int]:
    """``value`` as an int in [low, high]; ints and numpy integers only (no bools, no floats)."""
    return integer(name, value, low=low, high=high, allow_none=allow_none, what="a positive integer")


def nonneg_int(name: str, value: Any, *, high: Optional[int] = None,
               allow_none: bool = False) -> Optional[int]:
    """``value`` as an int >= 0 (and <= high); ints and numpy integers only."""
    return integer(name, value, low=0, high=high, allow_none=allow_none, what="a non-negative integer")


def real(name: str, value: Any, *, low: Optional[float] = None, high: Optional[float] = None,
         low_open: bool = False, high_open: bool = False, allow_none: bool = False,
         what: str = "a finite number", example: str = "") -> Optional[float]:
    """``value`` as a finite float, optionally within low..high (open or closed ends)."""
    if value is None and allow_none:
        return None
    parts = []
    if low is not None:
        parts.append(f"{'>' if low_open else '>='} {low:g}")
    if high is not None:
        parts.append(f"{'<' if high_open else '<='} {high:g}")
    bound = f" ({' and '.join(parts)})" if parts else ""
    none = " or None" if allow_none else ""
    hint = f" Pass a number such as {example}." if example else ""
    if not _is_real(value):
        raise WrongType(f"{name} must be {what}{bound}{none}; got {_describe(value)}.{hint}")
    x = float(value)
    if not math.isfinite(x):
        raise ValueError(f"{name} must be {what}{bound}{none}; got {value!r}, which is not finite.{hint}")
    if low is not None and (x <= low if low_open else x < low):
        raise ValueError(f"{name} must be {what}{bound}{none}; got {value!r}.{hint}")
    if high is not None and (x >= high if high_open else x > high):
        raise ValueError(f"{name} must be {what}{bound}{none}; got {value!r}.{hint}")
    return x


def positive_real(name: str, value: Any, *, high: Optional[float] = None,
                  allow_none: bool = False, example: str = "0.1") -> Optional[float]:
    """``value`` as a finite float > 0 (<= high); refuses bools, inf and nan."""
    return real(name, value, low=0.0, low_open=True, high=high, allow_none=allow_none,
                what="a finite positive number", example=example)


def nonneg_real(name: str, value: Any, *, high: Optional[float] = None,
                allow_none: bool = False, example: str = "0.5") -> Optional[float]:
    """``value`` as a finite float >= 0 (<= high)."""
    return real(name, value, low=0.0, high=high, allow_none=allow_none,
                what="a finite non-negative number", example=example)


def learning_rate(name: str, value: Any, *, allow_none: bool = False) -> Optional[float]:
    """A learning rate: a finite positive real (``True``, ``inf``, ``nan``, ``0``, ``-0.1`` refused)."""
    return positive_real(name, value, allow_none=allow_none, example="0.1 or 1.0")


def probability(name: str, value: Any, *, low_open: bool = False, high_open: bool = False,
                allow_none: bool = False) -> Optional[float]:
    """``value`` as a float in [0, 1] (ends open on request): probabilities, fractions, rates."""
    return real(name, value, low=0.0, high=1.0, low_open=low_open, high_open=high_open,
                allow_none=allow_none, what="a probability", example="0.5")


def switch(name: str, value: Any, *, allow_none: bool = False) -> Optional[bool]:
    """``value`` as a bool; only ``True``/``False`` (or numpy bools) -- ``"no"`` or ``0`` raise."""
    if value is None and allow_none:
        return None
    if not _is_bool(value):
        none = " or None" if allow_none else ""
        raise WrongType(f"{name} is a switch and must be True or False{none}; got {_describe(value)}. "
                        f"Pass {name}=True or {name}=False.")
    return bool(value)


def choice(name: str, value: Any, options: Iterable[Any]) -> Any:
    """``value`` if it is one of ``options``; otherwise a ValueError that lists them."""
    options = list(options)
    try:
        ok = value in options
    except TypeError:  # unhashable value against a set-like container
        ok = False
    if not ok or _is_bool(value) and not any(_is_bool(o) for o in options):
        listed = ", ".join(repr(o) for o in options)
        raise ValueError(f"{name} must be one of {listed}; got {_describe(value)}.")
    return value


def instance(name: str, value: Any, *classes: type, needed_by: str = "") -> Any:
    """``value`` if it is an instance of one of ``classes``; else a WrongType naming them.

    ``needed_by`` names the function that needs it: "gate_trace needs an LSTM1997 network as model".
    """
    if isinstance(value, classes):
        return value
    names = [c.__name__ for c in classes]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    article = "an" if listed[0].upper() in "AEIOU" else "a"
    if needed_by:
        raise WrongType(f"{needed_by} needs {article} {listed} as {name}; got {type(value).__name__}")
    raise WrongType(f"{name} must be {article} {listed}; got {type(value).__name__}")


def shape(name: str, array: Any, pattern: Sequence[Any], *, legend: str = "") -> tuple[int, ...]:
    """Check that ``array.shape`` matches ``pattern``; return the shape as a tuple of ints.

    ``pattern`` holds one entry per axis: an int (that exact size), ``None`` (any size) or a
    string (a named size: any value, but the same wherever the name repeats; it is printed in
    the message, e.g. ``("batch", "T", 3)``). ``legend`` is added to the message.
    """
    pattern = tuple(pattern)
    shown = "(" + ", ".join("*" if p is None else str(p) for p in pattern) + ("," if len(pattern) == 1 else "") + ")"
    if not hasattr(array, "shape"):
        raise WrongType(f"{name} must be an array of shape {shown}; got {_describe(array)}."
                        + (f" {legend}" if legend else ""))
    got = tuple(int(n) for n in array.shape)
    named: dict[str, int] = {}
    ok = len(got) == len(pattern)
    if ok:
        for size, want in zip(got, pattern):
            if isinstance(want, str):
                if named.setdefault(want, size) != size:
                    ok = False
            elif want is not None and size != want:
                ok = False
    if not ok:
        raise ValueError(f"{name} must have shape {shown}; got {got}." + (f" {legend}" if legend else ""))
    return got


def state(hx: Any, names: Sequence[str], shapes: Sequence[tuple[int, ...]], dtype: Any) -> None:
    """Refuse a state ``hx`` that is not one tensor per name with these shapes and this dtype.

    ``hx`` is a tuple of tensors when ``names`` has several entries, a tensor when it has one
    (a 1-tuple is accepted too). The message names the tensor, the shape or dtype expected and
    the one given, and how to get a right one (the model's ``initial_state``).
    """
    legend = f"({', '.join(names)})" if len(names) > 1 else names[0]
    parts = (hx,) if len(names) == 1 and isinstance(hx, torch.Tensor) else hx
    if not isinstance(parts, (tuple, list)) or len(parts) != len(names):
        got = f"{len(parts)} tensors" if isinstance(parts, (tuple, list)) else type(hx).__name__
        raise ValueError(f"hx must be the state {legend}: {len(names)} tensor(s) of shapes "
                         f"{', '.join(map(str, shapes))}; got {got}. Pass hx=None to start from zeros.")
    for t, shape, name in zip(parts, shapes, names):
        if not isinstance(t, torch.Tensor):
            raise ValueError(f"state {name} must be a torch.Tensor of shape {shape}; got {type(t).__name__}")
        if tuple(t.shape) != tuple(shape):
            what = " (its batch size must equal the input's)" if t.dim() == len(shape) and t.shape[1:] == shape[1:] else ""
            raise ValueError(f"state {name} must have shape {shape}{what}, got {tuple(t.shape)}")
        if t.dtype != dtype:
            raise ValueError(f"state {name} has dtype {t.dtype} but the model's parameters are {dtype}; "
                             f"convert the state (e.g. {name}.to({dtype})) or the model (model.to({dtype}))")

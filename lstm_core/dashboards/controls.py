"""The controls every panel builds, made once: sliders that refuse a start value outside their
range (ipywidgets would clamp it silently), and a runner that puts a training error in the
panel's status line instead of leaving the panel frozen at "training ...".

>>> slider = int_slider("steps", 20, 1, 500)
>>> slider.value, slider.min, slider.max
(20, 1, 500)
>>> int_slider("steps", 600, 1, 500)
Traceback (most recent call last):
...
ValueError: steps must be an integer (in [1, 500]); got 600. Pass a whole number such as 4. (The panel's slider for steps covers 1..500.)
"""

from __future__ import annotations

import html
from typing import Any, Callable, Optional

import ipywidgets as widgets

from lstm_core import validation as validate

__all__ = ["int_slider", "float_slider", "bounded_int", "report_errors", "printing_errors"]


def _range_note(name: str, lo: Any, hi: Any) -> str:
    return f" (The panel's slider for {name} covers {lo:g}..{hi:g}.)"


def int_slider(name: str, value: Any, lo: int, hi: int, *, step: int = 1, description: Optional[str] = None,
               **kwargs: Any) -> widgets.IntSlider:
    """An IntSlider from lo to hi starting at ``value``; a ValueError naming the range if it lies outside."""
    try:
        value = validate.integer(name, value, low=lo, high=hi)
    except ValueError as err:
        raise type(err)(str(err) + _range_note(name, lo, hi)) from None
    return widgets.IntSlider(value=value, min=lo, max=hi, step=step, description=description or name, **kwargs)


def float_slider(name: str, value: Any, lo: float, hi: float, *, step: float, description: Optional[str] = None,
                 **kwargs: Any) -> widgets.FloatSlider:
    """A FloatSlider from lo to hi starting at ``value``; a ValueError naming the range if it lies outside."""
    try:
        value = validate.real(name, value, low=lo, high=hi, example=f"{(lo + hi) / 2:g}")
    except ValueError as err:
        raise type(err)(str(err) + _range_note(name, lo, hi)) from None
    return widgets.FloatSlider(value=value, min=lo, max=hi, step=step, description=description or name, **kwargs)


def bounded_int(name: str, value: Any, lo: int, hi: int, *, description: Optional[str] = None,
                **kwargs: Any) -> widgets.BoundedIntText:
    """A BoundedIntText (a number box) from lo to hi; a ValueError naming the range if ``value`` lies outside."""
    try:
        value = validate.integer(name, value, low=lo, high=hi)
    except ValueError as err:
        raise type(err)(str(err) + f" (The panel's box for {name} takes {lo}..{hi}.)") from None
    return widgets.BoundedIntText(value=value, min=lo, max=hi, description=description or name, **kwargs)


def report_errors(status: widgets.Widget, action: Callable[[], Any], *,
                  button: Optional[widgets.Button] = None, what: str = "training") -> Any:
    """Run ``action()``; if it raises, show the error in ``status`` (and return None) instead of raising.

    ``button`` (if given) is disabled while the action runs and enabled again afterwards, error or
    not, so that the panel can be used again at once.
    """
    if button is not None:
        button.disabled = True
    try:
        return action()
    except Exception as err:  # noqa: BLE001 - shown to the reader, who can change the settings and retry
        message = f"{what} stopped with an error: {type(err).__name__}: {err}"
        if isinstance(status, widgets.HTML):
            status.value = f'<span style="color:#b00020"><b>{html.escape(message)}</b></span>'
        else:
            status.value = message
        return None
    finally:
        if button is not None:
            button.disabled = False


def printing_errors(show: Callable[..., None], *, what: str = "training") -> Callable[..., None]:
    """``show`` for ``widgets.interactive_output``: an error it raises is printed as one line under
    the controls (what to change), instead of a traceback or a half-drawn panel."""
    def run(**values: Any) -> None:
        try:
            show(**values)
        except Exception as err:  # noqa: BLE001 - shown to the reader, who can move the control again
            print(f"{what} stopped with an error: {type(err).__name__}: {err}")

    run.__name__ = getattr(show, "__name__", "show")
    return run

"""Panels of the constant error carousel.

- ``carousel_explorer``: choose the RNN's weight, the number of steps and the CEC factor;
- ``squasher_explorer``: hold a cell's input fixed and watch it fill, with the paper's g and
  h or with tanh.

Controls are wired to compute in :mod:`lstm_core.analysis` and figures in :mod:`lstm_core.plots` (the
same topic name); nothing is computed here.
"""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt

from lstm_core.analysis.carousel import accumulate, carousel_signal
from lstm_core.dashboards.controls import float_slider, int_slider
from lstm_core.plots.carousel import plot_accumulation, plot_carousel

__all__ = ["carousel_explorer", "squasher_explorer"]


def carousel_explorer(weight: float = 0.9, steps: int = 100, decay: float = 1.0) -> widgets.Widget:
    """Sliders for W (RNN update h <- h W), the number of steps, and the factor on s_c(t-1).

    The factor is 1.0 for the 1997 CEC; below 1 it is the "state decay" variant. Each change
    reruns :func:`lstm_core.analysis.carousel.carousel_signal` and redraws
    :func:`lstm_core.plots.carousel.plot_carousel`.

    Returns:
        A VBox with the sliders above the figure.
    """
    carousel_signal(weight, steps, decay)  # validates the starting values
    wide = dict(style={"description_width": "110px"}, layout=widgets.Layout(width="420px"))
    w = float_slider("weight", weight, 0.0, 1.5, step=0.01, description="RNN weight W", **wide)
    k = int_slider("steps", steps, 1, 500, **wide)
    d = float_slider("decay", decay, 0.5, 1.0, step=0.01, description="CEC factor", **wide)

    def show(weight: float, steps: int, decay: float) -> None:
        sig = carousel_signal(weight, steps, decay)
        plot_carousel(sig.steps, sig.rnn, sig.lstm, sig.weight, sig.decay)
        plt.show()

    output = widgets.interactive_output(show, {"weight": w, "steps": k, "decay": d})
    return widgets.VBox([widgets.HBox([w, k]), d, output])


def squasher_explorer(net_in: float = -1.0, net_c: float = 1.0, steps: int = 20) -> widgets.Widget:
    """Sliders for a cell's fixed input-gate and cell net inputs: its state and output, g/h vs tanh.

    Returns:
        A VBox: three sliders, then the figure.
    """
    gate = float_slider("net_in", net_in, -8.0, 8.0, step=0.5, continuous_update=False)
    cell = float_slider("net_c", net_c, -8.0, 8.0, step=0.5, continuous_update=False)
    length = int_slider("steps", steps, 1, 40, continuous_update=False)

    def show(net_in: float, net_c: float, steps: int) -> None:
        variants = {"paper: g in [-2, 2], h in [-1, 1]": ("g", "h"), "tanh for both": ("tanh", "tanh")}
        states, outputs = {}, {}
        for label, (g, h) in variants.items():
            states[label], outputs[label] = accumulate(net_in, net_c, steps, g=g, h=h)
        plot_accumulation(range(steps + 1), states, outputs)
        plt.show()

    output = widgets.interactive_output(show, {"net_in": gate, "net_c": cell, "steps": length})
    return widgets.VBox([widgets.HBox([gate, cell, length]), output])

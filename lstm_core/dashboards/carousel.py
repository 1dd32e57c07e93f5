"""The carousel chapter's panel: choose the RNN's weight, the number of steps and the CEC factor."""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt

from lstm_core.dashboards.controls import float_slider, int_slider
from lstm_core.analysis.carousel import carousel_signal
from lstm_core.plots.carousel import plot_carousel

__all__ = ["carousel_explorer"]


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

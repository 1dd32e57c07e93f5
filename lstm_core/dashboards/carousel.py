"""The carousel chapter's panel: choose the RNN's weight, the number of steps and the CEC factor."""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt

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
    w = widgets.FloatSlider(value=weight, min=0.0, max=1.5, step=0.01, description="RNN weight W",
                            style={"description_width": "110px"}, layout=widgets.Layout(width="420px"))
    k = widgets.IntSlider(value=steps, min=1, max=500, step=1, description="steps",
                          style={"description_width": "110px"}, layout=widgets.Layout(width="420px"))
    d = widgets.FloatSlider(value=decay, min=0.5, max=1.0, step=0.01, description="CEC factor",
                            style={"description_width": "110px"}, layout=widgets.Layout(width="420px"))

    def show(weight: float, steps: int, decay: float) -> None:
        sig = carousel_signal(weight, steps, decay)
        plot_carousel(sig.steps, sig.rnn, sig.lstm, sig.weight, sig.decay)
        plt.show()

    output = widgets.interactive_output(show, {"weight": w, "steps": k, "decay": d})
    return widgets.VBox([widgets.HBox([w, k]), d, output])

"""The gates chapter's panel: step through one update of the 1997 memory cell."""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt

from lstm_core.dashboards.controls import float_slider, int_slider
from lstm_core.analysis.gates import cell_update_stages, cell_values
from lstm_core.model.cells import step_from_preactivations
from lstm_core.plots.gates import draw_cell_diagram

__all__ = ["cell_step_through"]


def cell_step_through(net_in: float = -2.1, net_c: float = 1.5, net_out: float = 0.5,
                      s_prev: float = 1.5, stage: int = 1) -> widgets.Widget:
    """A "step" slider (1..5) that walks through one cell update on the diagram, and sliders
    for the four given quantities (net_in, net_c, net_out, s_c(t-1)) that recompute it.

    The defaults are the source article's worked example. Each change calls
    :func:`lstm_core.model.cells.step_from_preactivations`, lists the stages up to the chosen one
    (:func:`lstm_core.analysis.carousel.cell_update_stages`) and redraws
    :func:`lstm_core.plots.gates.draw_cell_diagram`.

    Returns:
        A VBox with the controls above the figure and the stage list.
    """
    wide = dict(style={"description_width": "90px"}, layout=widgets.Layout(width="360px"))
    step = int_slider("stage", stage, 1, 5, description="step", **wide)
    sliders = {
        "net_in": float_slider("net_in", net_in, -8.0, 8.0, step=0.1, **wide),
        "net_c": float_slider("net_c", net_c, -5.0, 5.0, step=0.1, **wide),
        "net_out": float_slider("net_out", net_out, -8.0, 8.0, step=0.1, **wide),
        "s_prev": float_slider("s_prev", s_prev, -4.0, 4.0, step=0.1, description="s_c(t-1)", **wide),
    }

    def show(stage: int, net_in: float, net_c: float, net_out: float, s_prev: float) -> None:
        update = step_from_preactivations(net_in=net_in, net_c=net_c, net_out=net_out, s_prev=s_prev)
        stages = cell_update_stages(update)
        now = stages[stage - 1]
        draw_cell_diagram(cell_values(update), stage, caption=f"Step {stage}/5, {now.title}: {now.formula}")
        plt.show()
        for st in stages[:stage]:
            print(f"{st.number}. {st.title:36s} {st.formula}")

    output = widgets.interactive_output(show, {"stage": step, **sliders})
    controls = widgets.VBox([step, widgets.HBox([sliders["net_in"], sliders["net_c"]]),
                             widgets.HBox([sliders["net_out"], sliders["s_prev"]])])
    return widgets.VBox([controls, output])

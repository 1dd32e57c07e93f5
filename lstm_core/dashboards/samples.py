"""Panels of the paper's tasks as data.

- ``task_sample_panel``: pick an experiment (2a ... 6b) and a seed, and see a fresh sequence.

Controls are wired to compute in :mod:`lstm_core.analysis` and figures in :mod:`lstm_core.plots` (the
same topic name); nothing is computed here.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

import ipywidgets as widgets
import matplotlib.pyplot as plt

from lstm_core.analysis.samples import SAMPLE_EXPERIMENTS, task_sample
from lstm_core.dashboards.controls import int_slider
from lstm_core.plots.samples import plot_task_sample

__all__ = ["task_sample_panel"]


def task_sample_panel(experiments: Optional[Sequence[str]] = None, *, seed: int = 0) -> widgets.Widget:
    """Choose an experiment and a seed; see one fresh sequence of that task."""
    options = list(SAMPLE_EXPERIMENTS) if experiments is None else list(experiments)
    unknown = [e for e in options if e not in SAMPLE_EXPERIMENTS]
    if not options or unknown:
        raise ValueError(f"experiments must be some of {list(SAMPLE_EXPERIMENTS)}; got {options}")
    exp = widgets.Dropdown(options=options, value=options[0], description="experiment")
    seed_slider = int_slider("seed", seed, 0, 100, continuous_update=False)
    output = widgets.Output()

    def show(*_: Any) -> None:
        with output:
            output.clear_output(wait=True)
            plot_task_sample(task_sample(exp.value, seed=seed_slider.value))
            plt.show()

    exp.observe(show, names="value")
    seed_slider.observe(show, names="value")
    show()
    return widgets.VBox([widgets.HBox([exp, seed_slider]), output])

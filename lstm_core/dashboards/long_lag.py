"""Panel of the long-lag diagnosis: pick a row, a reading and how long to train, then look inside.

- ``long_lag_panel``: trains trial 0 of the row under the reading for the chosen number of
  sequences (the start of the shipped trial 0), measures it (:func:`lstm_core.analysis.long_lag.measure`)
  and draws the cell states of one sequence (:func:`lstm_core.plots.long_lag.plot_state_drift`).

Controls are wired to compute in :mod:`lstm_core.analysis.long_lag` and figures in
:mod:`lstm_core.plots.long_lag`; nothing is computed here.
"""

from __future__ import annotations

import html
from typing import Optional, Sequence

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import torch

from lstm_core.analysis import long_lag as lag
from lstm_core.analysis.inside import gate_activity
from lstm_core.dashboards.controls import int_slider, report_errors
from lstm_core.plots.long_lag import plot_state_drift

__all__ = ["ROWS", "READINGS", "long_lag_panel"]

#: The rows the panel offers: the long-lag rows and their short companions.
ROWS = ("T3-2c-q50-p50", "T3-2c-q100-p100", "T7-adding-T100", "T7-adding-T500", "T5-3b-T100-N1", "T5-3b-T1000-N1")
#: The readings it offers (lstm_core.reproduction.readings).
READINGS = ("literal", "igb-neg", "ogb-neg", "lr-x0.5", "lr-x2", "igb-neg+lr-x2", "full-gradient")


def long_lag_panel(key: str = "T3-2c-q100-p100", reading: str = "literal", sequences: int = 20_000, *,
                   readings: Sequence[str] = READINGS, n: int = 64,
                   model: Optional[torch.nn.Module] = None) -> widgets.Widget:
    """Dropdowns for the row and the reading, a slider for the training sequences, a button.

    The panel draws its first result at once (so a page without a kernel shows it). Training
    takes about a second per 10,000 sequences of 2c (q = 100); the adding problem at T = 500 and
    3b at T = 1000 take about five and ten times as long. ``model``: the network of the first
    setting (``lstm_core.analysis.long_lag.trained_model(key, reading, 0, sequences)``), if the
    caller has trained it already; it is drawn instead of training it again.
    """
    if key not in ROWS:
        raise ValueError(f"key must be one of {list(ROWS)}; got {key!r}")
    if reading not in readings:
        raise ValueError(f"reading must be one of {list(readings)}; got {reading!r}")
    row = widgets.Dropdown(options=list(ROWS), value=key, description="row")
    read = widgets.Dropdown(options=list(readings), value=reading, description="reading")
    seqs = int_slider("sequences", sequences, 0, 60_000, step=5_000, description="sequences",
                      continuous_update=False)
    button = widgets.Button(description="train and measure")
    status = widgets.HTML()
    output = widgets.Output()

    def run(model: Optional[torch.nn.Module] = None) -> None:
        status.value = "training ..."
        if model is None:
            model = lag.trained_model(row.value, read.value, trial=0, sequences=seqs.value)
        task, cfg = lag.task_of(row.value)
        batch = task.generate(cfg, n, lag.DATA_SEED)
        m = lag.measure(model, batch, lag.row_N(row.value))
        s = gate_activity(model, batch).s[0, :int(batch.lengths[0])]
        with output:
            output.clear_output(wait=True)
            plot_state_drift({f"{row.value}, {read.value}, after {seqs.value:,} sequences": s}, lag.flat_state(),
                             signal_step=int(np.flatnonzero(lag.signal_steps(batch, lag.row_N(row.value))[0])[0]),
                             title="trial 0: the cell states of one sequence")
            plt.show()
        status.value = html.escape(
            f"median |s_c| at the end {m['end_state']:.2f}; steps with h' < {lag.FLAT_SLOPE}: {m['flat_share']:.0%}; "
            f"gate at signal / elsewhere {m['gate_ratio']:.2f}; error at the signal {m['delta_signal']:.1e}; "
            f"cells vs target {m['correlation']:.2f}; error at the targets {m['end_error']:.3f}")

    button.on_click(lambda _: report_errors(status, run, button=button, what="the diagnosis"))
    report_errors(status, lambda: run(model), what="the diagnosis")
    return widgets.VBox([widgets.HBox([row, read]), widgets.HBox([seqs, button]), status, output])

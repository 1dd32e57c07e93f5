"""Panels of the chapters on temporal order (Exp. 6) and the rest of the paper (Exps. 2, 3, 5).

- ``temporal_order_figure``: one temporal-order sequence through a network: input gates y^in,
  cell states s_c and output units over time, the X/Y steps shaded;
- ``temporal_order_panel``: pick a class (Q, R, S, U, ...), a network (e.g. trained or
  untrained) and a sequence, and see that figure;
- ``task_sample_panel``: pick an experiment (2a ... 6b) and a seed, and see a fresh sequence.

Controls are wired to :mod:`lstm_core.analysis.inside` / :mod:`lstm_core.analysis.probes` (compute)
and :mod:`lstm_core.plots.inside` / :mod:`lstm_core.plots.probes` (figures); nothing
is computed here.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from lstm_core.dashboards.controls import int_slider
from lstm_core.analysis.inside import gate_activity
from lstm_core.analysis.samples import SAMPLE_EXPERIMENTS, sequence_of_class, task_sample
from lstm_core.model.networks import LSTM1997
from lstm_core.plots.probes import plot_task_sample
from lstm_core.plots.inside import plot_trace
from lstm_core.tasks.base import SequenceBatch

__all__ = ["temporal_order_figure", "temporal_order_panel", "task_sample_panel"]


def temporal_order_figure(net: LSTM1997, batch: SequenceBatch, class_names: Sequence[str], *,
                          name: str = "") -> Figure:
    """Sequence 0 of a temporal-order ``batch`` through ``net``: y^in, s_c and the outputs over time."""
    length = int(batch.lengths[0])
    act = gate_activity(net, batch.select([0]))
    pattern = "".join("XY"[int(v)] for v in batch.info["xy"][0])
    answer = class_names[int(np.argmax(act.outputs[0, length - 1]))]
    truth = class_names[int(batch.info["label"][0])]
    blocks, cells = act.y_in.shape[2], act.s.shape[2]
    return plot_trace(
        {"input gates $y^{in}$": act.y_in[0, :length], "cell states $s_c$": act.s[0, :length],
         "outputs $y^k$": act.outputs[0, :length]},
        marks=batch.info["positions"][0],
        labels={"input gates $y^{in}$": [f"block {j + 1}" for j in range(blocks)],
                "cell states $s_c$": [f"cell {c + 1}" for c in range(cells)],
                "outputs $y^k$": list(class_names)},
        title=(f"{name}: " if name else "") + f"class {truth} ({pattern}); largest output at the end: {answer}")


def temporal_order_panel(networks: Mapping[str, LSTM1997], config: Any, *, seed: int = 0) -> widgets.Widget:
    """Choose a class, a network and a sequence number; see the gates and states of that sequence.

    Args:
        networks: display name -> network (e.g. {"trained": net, "untrained": paper_network("6a")}).
        config: the temporal-order config (6a or 6b) the sequences are drawn from.
        seed: the first sequence number.
    """
    if not networks:
        raise ValueError("networks must name at least one network")
    names = list(config.class_names)
    cls = widgets.Dropdown(options=[(f"{n} ({p})", k) for k, (n, p) in
                                    enumerate(zip(names, _patterns(len(config.position_ranges))))],
                           value=0, description="class")
    net = widgets.Dropdown(options=list(networks), value=list(networks)[0], description="network")
    seq = int_slider("seed", seed, 0, 50, description="sequence", continuous_update=False)
    output = widgets.Output()

    def show(*_: Any) -> None:
        batch = sequence_of_class(config, cls.value, seed=seq.value)
        with output:
            output.clear_output(wait=True)
            temporal_order_figure(networks[net.value], batch, names, name=net.value)
            plt.show()

    for w in (cls, net, seq):
        w.observe(show, names="value")
    show()
    return widgets.VBox([widgets.HBox([cls, net, seq]), output])


def _patterns(k: int) -> list[str]:
    """X/Y patterns in class order: XX, XY, YX, YY (k = 2)."""
    return ["".join("XY"[(i >> (k - 1 - j)) & 1] for j in range(k)) for i in range(2 ** k)]


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

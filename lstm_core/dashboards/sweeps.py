"""Panels of networks trained together.

- ``bias_explorer``: pick an initial input-gate bias, retrain the adding network for a few
  seconds, see its learning curve and its input gates over one test sequence.

Controls are wired to compute in :mod:`lstm_core.analysis` and figures in :mod:`lstm_core.plots` (the
same topic name); nothing is computed here.
"""

from __future__ import annotations

from typing import Any, Optional

import ipywidgets as widgets
import matplotlib.pyplot as plt

from lstm_core.analysis.inside import gate_trace
from lstm_core.analysis.sweeps import BiasSweep, QuickTrainConfig, bias_sweep
from lstm_core.dashboards.controls import float_slider, printing_errors
from lstm_core.plots.sweeps import plot_bias_run
from lstm_core.tasks import get_task

__all__ = ["bias_explorer"]


#: In "first block only" mode, the second block keeps the paper's adding-problem bias.
OTHER_BLOCK_BIAS = -6.0


def _biases(mode: str, bias: float) -> tuple[float, float]:
    return (float(bias), float(bias)) if mode == "both" else (float(bias), OTHER_BLOCK_BIAS)


def bias_explorer(
    task_config: Any,
    config: QuickTrainConfig,
    *,
    seed: int = 0,
    start: float = -3.0,
    initial: Optional[BiasSweep] = None,
    baseline: Optional[float] = None,
    example_seed: int = 4,
) -> widgets.Widget:
    """A slider for the initial input-gate bias of the adding network; every change retrains it.

    Args:
        task_config: the task to train on (an adding-problem config).
        config: how to train (updates, batch size, learning rate).
        seed: seed of the initial weights and of the data stream.
        start: the bias selected at first.
        initial: an already trained ``bias_sweep`` of one bias and this seed, shown first
            instead of training again (it must have the same ``task_config`` and ``config``).
        baseline: loss of a network that learned nothing, drawn in the learning curve.
        example_seed: seed of the test sequence whose gates are shown.

    Returns:
        A VBox: controls, then the figure and a line of numbers.
    """
    cache: dict[tuple[float, ...], BiasSweep] = {}
    if initial is not None:
        if len(initial.biases) != 1 or initial.seeds != [seed]:
            raise ValueError("bias_explorer: initial must be a bias_sweep of one bias and the explorer's seed")
        cache[initial.biases[0]] = initial
    example = get_task(task_config.experiment).generate(task_config, 1, example_seed)
    bias = float_slider("start", start, -14.0, 2.0, step=0.5, description="input-gate bias",
                        continuous_update=False, readout_format=".1f",
                        style={"description_width": "initial"}, layout=widgets.Layout(width="420px"))
    mode = widgets.Dropdown(options=[("both blocks", "both"), (f"block 1 only (block 2 stays {OTHER_BLOCK_BIAS:g})",
                                                                "first")],
                            value="both" if initial is None or len(set(initial.biases[0])) == 1 else "first",
                            description="applies to", layout=widgets.Layout(width="330px"))

    def show(bias: float, mode: str) -> None:
        key = _biases(mode, bias)
        if key not in cache:
            cache[key] = bias_sweep([key], [seed], task_config, config)
        sweep = cache[key]
        y_in, states, relevant = gate_trace(sweep.network(0, 0), example)
        plot_bias_run(sweep.runs.updates, sweep.curves(0), y_in, states, relevant, label=f"bias {key}",
                      baseline=baseline, title=f"seed {seed}, {config.updates} updates of {config.batch_size} "
                                            f"sequences ({config.optimizer})")
        plt.show()
        print(f"input-gate biases {key}: test loss {sweep.test_loss[0, 0]:.4f}, "
              f"test sequences correct {sweep.test_accuracy[0, 0]:.0%}, "
              f"written per step: {sweep.write_relevant[0, 0]:.3f} at marked steps, "
              f"{sweep.write_irrelevant[0, 0]:.3f} elsewhere ({sweep.runs.seconds:.1f} s)")

    output = widgets.interactive_output(printing_errors(show), {"bias": bias, "mode": mode})
    return widgets.VBox([widgets.HBox([bias, mode]), output])

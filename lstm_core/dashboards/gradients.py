"""The vanishing-gradient chapter's panels: a factor raised to a power, and a live recall run."""

from __future__ import annotations

from typing import Mapping, Optional

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from lstm_core.dashboards.controls import float_slider, int_slider, printing_errors
from lstm_core.analysis.gradients import product_chain
from lstm_core.model.baselines import VanillaRNN
from lstm_core.plots.gradients import gradient_regime, plot_factor_power, plot_learning_curves
from lstm_core.tasks import recall
from lstm_core.training.loop import History, TrainConfig, fit, predict

__all__ = ["factor_power_explorer", "recall_trainer"]


def factor_power_explorer(weight: float = 0.8, steps: int = 10) -> widgets.Widget:
    """Sliders for a per-step factor (0.5..1.5) and a number of timesteps (1..100); shows factor^t.

    The curve is ``product_chain(weight, 1.0, steps)``: the weight alone stands for the whole
    per-step factor. The title names the regime with :func:`gradient_regime`.
    """
    weight_slider = float_slider("weight", weight, 0.5, 1.5, step=0.01, description="weight W",
                                 layout=widgets.Layout(width="360px"))
    steps_slider = int_slider("steps", steps, 1, 100, description="timesteps t",
                              style={"description_width": "initial"}, layout=widgets.Layout(width="360px"))

    def show(weight: float, steps: int) -> None:
        values = product_chain(weight, 1.0, steps)
        plot_factor_power(weight, values)
        plt.show()
        print(f"{weight:.2f}^{steps} = {values[-1]:.4g}: {gradient_regime(weight)} "
              f"(the signal is multiplied by {weight:.2f} at every step)")

    output = widgets.interactive_output(show, {"weight": weight_slider, "steps": steps_slider})
    return widgets.VBox([widgets.HBox([weight_slider, steps_slider]), output])


def recall_trainer(
    lag: int = 5,
    *,
    max_before: int = 10,
    hidden_size: int = 16,
    max_sequences: int = 3200,
    learning_rate: float = 0.01,
    seed: int = 0,
    max_seconds: float = 30.0,
    histories: Optional[Mapping[int, History]] = None,
) -> widgets.Widget:
    """A lag slider (1..100, acts on release) that trains a fresh tanh RNN on delayed recall.

    Every run: ``VanillaRNN(2, hidden_size, 1, seed=seed)`` trained by
    ``fit(..., recall, TrainConfig(learning_rate, batch_size=32, optimizer="adam"), RecallConfig(lag, max_before))``
    for ``max_sequences`` sequences (or ``max_seconds``), then judged on 512 fresh sequences.

    Args:
        lag: the lag shown at first.
        max_before, hidden_size, max_sequences, learning_rate, seed, max_seconds: the run's settings.
        histories: lag -> History of runs made with these settings already (e.g. in the chapter);
            those lags are shown without training again. New runs are kept for the session.
    """
    slider = int_slider("lag", lag, 1, 100, continuous_update=False, layout=widgets.Layout(width="420px"))
    runs: dict[int, tuple[History, Optional[float]]] = {k: (h, None) for k, h in (histories or {}).items()}

    def show(lag: int) -> None:
        if lag not in runs:
            config = recall.RecallConfig(lag=lag, max_before=max_before)
            model = VanillaRNN(recall.N_INPUTS, hidden_size, recall.N_OUTPUTS, seed=seed)
            train = TrainConfig(learning_rate=learning_rate, max_sequences=max_sequences, batch_size=32,
                                optimizer="adam", log_every=320, seed=seed, max_seconds=max_seconds,
                                progress=False)
            history = fit(model, recall, train, task_config=config, stopping_rule=False)
            test = recall.generate(config, recall.TEST_SET_SIZE, seed + 1)
            runs[lag] = (history, float(recall.sequence_correct(predict(model, test), test).mean()))
        history, test_accuracy = runs[lag]
        plot_learning_curves({f"lag {lag}": (np.asarray(history.sequences), np.asarray(history.accuracy))},
                             chance=recall.CHANCE_ACCURACY)
        plt.show()
        tested = "" if test_accuracy is None else f"; {test_accuracy:.0%} of {recall.TEST_SET_SIZE} fresh test sequences"
        print(f"lag {lag}: {history.message} in {history.seconds:.1f} s; "
              f"last record {history.accuracy[-1]:.0%} correct{tested}")

    output = widgets.interactive_output(printing_errors(show), {"lag": slider})
    return widgets.VBox([slider, output])

"""The legacy chapter's panels: residual connections through depth, and the models side by side."""

from __future__ import annotations

from dataclasses import replace
from typing import Optional, Sequence

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from lstm_core.dashboards.controls import float_slider, int_slider, report_errors
from lstm_core.analysis.compare import (
    MODEL_LABELS, MODELS, CompareConfig, Comparison, compare_models, shortened_config,
)
from lstm_core.analysis.gradients import depth_gradient_norms
from lstm_core.plots.compare import plot_depth_gradients, plot_learning_curves

__all__ = ["residual_explorer", "comparison_explorer", "TASK_CHOICES"]

#: Tasks the comparison panel offers: label -> task name for ``shortened_config``.
TASK_CHOICES = {"adding problem": "adding", "temporal order (6a, shortened)": "6a"}


def _length(task_config) -> int:
    """The length knob of ``shortened_config``: T of the adding problem, the minimal length of 6a."""
    return task_config.T if hasattr(task_config, "T") else task_config.length_range[0]


def residual_explorer(depth: int = 40, width: int = 32, init_scale: float = 0.5, residual: bool = False,
                      seed: int = 0) -> widgets.Widget:
    """Depth and init-scale sliders and a residual on/off toggle, redrawing the gradient at every layer.

    The other setting (residual off when on, and vice versa) is drawn too, as a reference.

    Args:
        depth, width, init_scale, residual, seed: starting values (see
            :func:`lstm_core.analysis.gradients.depth_gradient_norms`).
    """
    depth_slider = int_slider("depth", depth, 2, 100, continuous_update=False)
    scale_slider = float_slider("init_scale", init_scale, 0.1, 2.0, step=0.1, description="init scale",
                                continuous_update=False)
    toggle = widgets.ToggleButtons(options=[("residual off", False), ("residual on", True)], value=residual,
                                   description="x + f(x)")

    def show(depth: int, init_scale: float, residual: bool) -> None:
        chosen = depth_gradient_norms(depth, width, residual, init_scale=init_scale, seed=seed)
        other = depth_gradient_norms(depth, width, not residual, init_scale=init_scale, seed=seed)
        name, other_name = ("residual", "plain") if residual else ("plain", "residual")
        fig = plot_depth_gradients({name: chosen, f"{other_name} (for reference)": other},
                                   title=f"{depth} tanh layers of width {width}, init scale {init_scale:g}")
        fig.axes[0].lines[1].set_alpha(0.35)
        plt.show()
        print(f"{name}: gradient at layer 0 / at layer {depth - 1} = {chosen[0] / chosen[-1]:.3g}")

    output = widgets.interactive_output(show, {"depth": depth_slider, "init_scale": scale_slider,
                                               "residual": toggle})
    return widgets.VBox([widgets.HBox([depth_slider, scale_slider]), toggle, output])


def comparison_explorer(initial: Optional[Comparison] = None, models: Sequence[str] = MODELS,
                        config: CompareConfig = CompareConfig()) -> widgets.Widget:
    """Pick a task, its length, the models, seeds and budget; press "train" to retrain and see the curves.

    Args:
        initial: a comparison to show before anything is trained (e.g. the chapter's default run);
            None shows nothing until "train" is pressed.
        models: the models ticked at first.
        config: training settings; the panel changes only ``budget``.
    """
    task = widgets.Dropdown(options=list(TASK_CHOICES.items()), value="adding", description="task")
    length = widgets.IntSlider(value=12, min=11, max=60, step=1, description="length", continuous_update=False)
    boxes = {name: widgets.Checkbox(value=name in models, description=MODEL_LABELS[name], indent=False,
                                    layout=widgets.Layout(width="210px")) for name in MODELS}
    seeds = widgets.IntSlider(value=2, min=1, max=5, description="seeds", continuous_update=False)
    step = config.batch_size * 5
    budget = widgets.IntSlider(value=config.budget, min=min(step, config.budget), max=max(config.budget * 4, step),
                               step=step, description="sequences", continuous_update=False)
    button = widgets.Button(description="train", button_style="primary", icon="play")
    status = widgets.Label()
    output = widgets.Output()

    if initial is not None:
        task.value = initial.task if initial.task in TASK_CHOICES.values() else "adding"
        length.value = _length(initial.task_config)

    def draw(result: Comparison) -> None:
        with output:
            output.clear_output(wait=True)
            sequences, accuracy = result.curve_arrays()
            task_name = next((label for label, name in TASK_CHOICES.items() if name == result.task), result.task)
            plot_learning_curves(sequences, accuracy, chance=result.chance,
                                 title=f"{task_name}, length {_length(result.task_config)}")
            plt.show()
            display(Markdown(result.as_markdown()))

    def train(_: widgets.Button) -> None:
        chosen = [name for name, box in boxes.items() if box.value]
        if not chosen:
            status.value = "tick at least one model"
            return
        try:
            task_config = shortened_config(task.value, length.value)
        except ValueError as e:
            status.value = str(e)
            return
        total = len(chosen) * seeds.value
        done = []

        def progress(run) -> None:
            done.append(run)
            status.value = f"trained {len(done)} of {total} ({MODEL_LABELS[run.model]}, seed {run.seed})"

        status.value = f"training {total} runs..."
        result = report_errors(status, lambda: compare_models(task.value, task_config, chosen,
                                                              tuple(range(seeds.value)),
                                                              replace(config, budget=budget.value),
                                                              callback=progress), button=button)
        if result is not None:
            draw(result)

    button.on_click(train)
    if initial is not None:
        draw(initial)
        status.value = "showing the chapter's default run; change the settings and press train"
    else:
        status.value = "choose a task, models, seeds and sequences, then press train"
    grid = widgets.GridBox(list(boxes.values()), layout=widgets.Layout(grid_template_columns="repeat(3, 220px)"))
    return widgets.VBox([widgets.HBox([task, length]), grid, widgets.HBox([seeds, budget]),
                         widgets.HBox([button, status]), output])

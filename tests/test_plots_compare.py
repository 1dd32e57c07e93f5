"""Figures and panels of the model comparison: they draw what they are given, label it, and check input."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402

from lstm_core.analysis.compare import CompareConfig, compare_models, shortened_config
from lstm_core.plots.compare import (
    MODEL_COLORS, plot_accuracy_dots, plot_cost_vs_length, plot_depth_gradients, plot_gradient_flow,
    plot_learning_curves, plot_two_highways,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def assert_white_and_labelled(fig):
    assert to_rgba(fig.get_facecolor()) == (1.0, 1.0, 1.0, 1.0)
    for ax in fig.axes:
        assert ax.get_xlabel() and ax.get_ylabel()


def test_learning_curves_draw_a_mean_line_per_model_and_a_thin_line_per_seed():
    seqs = {"rnn": [32, 64, 96], "lstm1997": [32, 64, 96]}
    acc = {"rnn": np.array([[0.0, 0.1, 0.2], [0.0, 0.2, 0.4]]), "lstm1997": np.array([0.1, 0.5, 0.9])}
    fig = plot_learning_curves(seqs, acc, chance=0.25, title="t")
    ax = fig.axes[0]
    assert_white_and_labelled(fig)
    # rnn: 2 seeds + mean; lstm1997: 1 seed + mean; chance line
    assert len(ax.lines) == 3 + 2 + 1
    mean_rnn = [line for line in ax.lines if line.get_label() == "vanilla RNN"][0]
    np.testing.assert_allclose(mean_rnn.get_ydata(), [0.0, 0.15, 0.3])
    assert mean_rnn.get_color() == MODEL_COLORS["rnn"]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "LSTM 1997" in labels and "chance (0.25)" in labels


def test_learning_curves_reject_mismatched_input():
    with pytest.raises(ValueError, match="same models"):
        plot_learning_curves({"rnn": [1, 2]}, {"gru": [0.1, 0.2]})
    with pytest.raises(ValueError, match="has 3 points but its x has 2"):
        plot_learning_curves({"rnn": [1, 2]}, {"rnn": [0.1, 0.2, 0.3]})
    with pytest.raises(ValueError, match="no curves"):
        plot_learning_curves({}, {})


def test_accuracy_dots_one_row_per_model():
    fig = plot_accuracy_dots({"rnn": [0.1, 0.2], "gru": [0.9, 1.0]}, chance=0.15)
    ax = fig.axes[0]
    assert_white_and_labelled(fig)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["vanilla RNN", "GRU"]
    assert [p.get_width() for p in ax.patches] == pytest.approx([0.15, 0.95])


def test_gradient_flow_plots_steps_back_on_a_log_axis():
    curves = {"rnn": np.array([1e-4, 1e-2, 1.0]), "lstm1997": np.ones(3)}
    fig = plot_gradient_flow(curves)
    ax = fig.axes[0]
    assert_white_and_labelled(fig)
    assert ax.get_yscale() == "log"
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [2, 1, 0])  # the first step is 2 steps back
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), curves["rnn"])


def test_depth_gradients_and_two_highways():
    depth = {"plain": np.array([1e-6, 1e-3, 1.0]), "residual": np.array([4.0, 2.0, 1.0])}
    fig = plot_depth_gradients(depth)
    assert_white_and_labelled(fig)
    assert fig.axes[0].get_yscale() == "log" and len(fig.axes[0].lines) == 2
    fig = plot_two_highways({"rnn": np.array([0.01, 1.0])}, {"plain": np.array([1e-6, 1e-3, 2.0])})
    assert_white_and_labelled(fig)
    right = fig.axes[1]
    # relative to the last layer, read from the output backwards
    np.testing.assert_allclose(right.lines[0].get_ydata(), [1.0, 5e-4, 5e-7])


def test_cost_vs_length_draws_guides_and_checks_lengths():
    n = [100, 200, 400]
    seconds = {"lstm": np.array([1.0, 2.0, 4.0]), "transformer": np.array([1.0, 4.0, 16.0])}
    fig = plot_cost_vs_length(n, seconds, memory={"lstm": np.array([10.0, 20.0, 40.0])})
    assert_white_and_labelled(fig)
    assert len(fig.axes) == 2
    guide = [line for line in fig.axes[0].lines if line.get_label() == r"$\propto N^2$"][0]
    np.testing.assert_allclose(guide.get_ydata(), [1.0, 4.0, 16.0])
    with pytest.raises(ValueError, match="2 values for 3 lengths"):
        plot_cost_vs_length(n, {"lstm": np.array([1.0, 2.0])})


def test_panels_build_and_the_train_button_retrains():
    import ipywidgets as widgets

    from lstm_core.dashboards.compare import comparison_explorer, residual_explorer

    assert isinstance(residual_explorer(depth=5, width=4), widgets.VBox)
    config = CompareConfig(budget=64, n_params=40, log_every=32, test_size=16)
    initial = compare_models("adding", shortened_config("adding", 11), ["rnn"], seeds=(0,), config=config)
    panel = comparison_explorer(initial, models=("rnn",), config=config)
    controls = panel.children
    task, length = controls[0].children
    assert (task.value, length.value) == ("adding", 11)
    seeds, budget = controls[2].children
    seeds.value = 1
    button, status = controls[3].children
    assert "default run" in status.value
    button.click()
    assert status.value == "trained 1 of 1 (vanilla RNN, seed 0)"
    for box in controls[1].children:
        box.value = False
    button.click()
    assert status.value == "tick at least one model"

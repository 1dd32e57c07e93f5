"""Figures and panels of the scissors and the sweeps: they draw what they are given, labelled, on white."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import ipywidgets as widgets  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from lstm_core.dashboards.sweeps import bias_explorer
from lstm_core.dashboards.carousel import squasher_explorer
from lstm_core.analysis.sweeps import QuickTrainConfig, bias_sweep
from lstm_core.analysis.scissors import unrolled_graph
from lstm_core.plots.carousel import plot_accumulation, plot_squashers
from lstm_core.plots.sweeps import (
    plot_bias_run, plot_bias_sweep, plot_drift, plot_gate_activity, plot_learning_curves,
)
from lstm_core.plots.scissors import plot_path_counts, plot_unrolled_graph
from lstm_core.tasks import adding  # noqa: E402



def _white_and_labelled(fig: Figure, labelled: bool = True) -> None:
    assert isinstance(fig, Figure)
    assert fig.patch.get_facecolor()[:3] == (1.0, 1.0, 1.0) and fig.patch.get_alpha() == 1.0
    if labelled:
        for ax in fig.axes:
            assert ax.get_xlabel() and ax.get_ylabel()


def test_unrolled_graph_marks_exactly_the_cut_edges():
    g = unrolled_graph(1, 1, steps=3)
    on = plot_unrolled_graph(g, scissors=True)
    _white_and_labelled(on, labelled=False)
    scissors_marks = [t for t in on.axes[0].texts if t.get_text() == "\u2702"]
    assert len(scissors_marks) == 6  # y(t-1) -> net_in, net_out, net_c, at steps 2 and 3
    assert "6 red edges" in on.axes[0].get_title()
    off = plot_unrolled_graph(g, scissors=False)
    assert not [t for t in off.axes[0].texts if t.get_text() == "\u2702"]
    labels = {t.get_text() for t in on.axes[0].texts}
    assert {r"$s_c$", r"$y^{in}$", r"$net_{out}$", r"$E$", "step 3"} <= labels
    with pytest.raises(ValueError, match="1 block of 1 cell"):
        plot_unrolled_graph(unrolled_graph(2, 1, steps=2))


def test_path_counts_plot_has_both_lines_on_a_log_axis():
    fig = plot_path_counts([1, 2, 3], [1, 1, 1], [3, 15, 75])
    _white_and_labelled(fig)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and len(ax.get_lines()) == 2
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), [3, 15, 75])
    with pytest.raises(ValueError, match="one length"):
        plot_path_counts([1, 2], [1], [1, 2])


def test_learning_curves_draw_each_seed_and_the_mean():
    curves = {"a": np.array([[0.02, 0.01], [0.03, 0.01]]), "b": np.array([[0.02, 0.015]])}
    fig = plot_learning_curves([10, 20], curves, baseline=0.02, title="t")
    _white_and_labelled(fig)
    ax = fig.axes[0]
    assert len(ax.get_lines()) == 2 + 1 + 1 + 1 + 1  # seeds + means of a, b and the baseline
    np.testing.assert_allclose(ax.get_lines()[2].get_ydata(), [0.025, 0.01])
    with pytest.raises(ValueError, match="points"):
        plot_learning_curves([10, 20, 30], curves)
    with pytest.raises(ValueError, match="no curves"):
        plot_learning_curves([1], {})


def test_bias_sweep_and_drift_plots():
    loss = np.array([[0.01, 0.012], [0.005, 0.006]])
    fig = plot_bias_sweep(["0", "-3"], loss, loss * 10, loss * 2, baseline=0.02)
    _white_and_labelled(fig)
    assert len(fig.axes) == 2
    np.testing.assert_allclose(fig.axes[1].get_lines()[1].get_ydata(), loss.mean(axis=1) * 2)
    with pytest.raises(ValueError, match="one row per label"):
        plot_bias_sweep(["0"], loss, loss, loss)
    fig = plot_drift([0.0, -3.0], np.array([[4.0, 5.0], [0.3, 0.4]]), np.array([[0.1, 0.1], [0.5, 0.5]]),
                     [0.25, 0.045])
    _white_and_labelled(fig)
    with pytest.raises(ValueError, match="one gate slope"):
        plot_drift([0.0, -3.0], np.ones((2, 1)), np.ones((2, 1)), [0.25])


def test_gate_activity_shades_the_relevant_steps():
    T = 6
    relevant = np.zeros(T, dtype=bool)
    relevant[[1, 4]] = True
    fig = plot_gate_activity(np.full((T, 2), 0.5), np.zeros((T, 4)), relevant)
    _white_and_labelled(fig, labelled=False)
    top, bottom = fig.axes
    assert top.get_ylabel() and bottom.get_ylabel() and bottom.get_xlabel()
    assert len(top.patches) == 2 and len(top.get_lines()) == 2 and len(bottom.get_lines()) == 4
    with pytest.raises(ValueError, match="expected"):
        plot_gate_activity(np.zeros((T, 2)), np.zeros((T + 1, 4)), relevant)


def test_bias_run_puts_the_curve_beside_the_gates():
    T = 5
    fig = plot_bias_run([10, 20], np.array([0.02, 0.01]), np.full((T, 2), 0.1), np.zeros((T, 4)),
                        np.arange(T) == 2, label="bias (-3, -6)", baseline=0.02, title="run")
    _white_and_labelled(fig, labelled=False)
    assert len(fig.axes) == 3 and fig.axes[0].get_yscale() == "log"
    assert fig.axes[0].get_title() == "run"


def test_squasher_and_accumulation_plots():
    x = np.linspace(-3, 3, 7)
    fig = plot_squashers(x, {"tanh": np.tanh(x)}, {"tanh": 1 - np.tanh(x) ** 2})
    _white_and_labelled(fig)
    with pytest.raises(ValueError, match="same"):
        plot_squashers(x, {"tanh": np.tanh(x)}, {"g": x})
    with pytest.raises(ValueError, match="length"):
        plot_squashers(x, {"tanh": x[:3]}, {"tanh": x[:3]})
    fig = plot_accumulation(np.arange(3), {"a": np.array([0, 1, 2])}, {"a": np.array([0, 0.4, 0.7])})
    _white_and_labelled(fig)
    with pytest.raises(ValueError, match="same"):
        plot_accumulation(np.arange(3), {"a": np.zeros(3)}, {})


def test_panels_build_without_training_again():
    cfg = adding.AddingConfig(T=11)
    config = QuickTrainConfig(updates=1, batch_size=2, test_size=4)
    first = bias_sweep([-3.0], [0], cfg, config)
    panel = bias_explorer(cfg, config, initial=first, start=-3.0)
    assert isinstance(panel, widgets.VBox)
    slider = panel.children[0].children[0]
    assert slider.continuous_update is False and slider.value == -3.0
    with pytest.raises(ValueError, match="initial"):
        bias_explorer(cfg, config, seed=1, initial=first)
    assert isinstance(squasher_explorer(), widgets.VBox)

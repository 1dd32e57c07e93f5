"""Figures and panels of task samples and class separation: drawn, labelled, white."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from lstm_core.dashboards.inside import _patterns, temporal_order_figure, temporal_order_panel
from lstm_core.dashboards.samples import task_sample_panel
from lstm_core.analysis.samples import SAMPLE_EXPERIMENTS, sequence_of_class, task_sample
from lstm_core.model.networks import paper_network
from lstm_core.plots.inside import plot_class_states, plot_gate_selectivity, plot_phase_separation
from lstm_core.plots.samples import (
    plot_pairs_sample, plot_signal_sample, plot_symbol_rows, plot_task_gallery, plot_task_sample,
)
from lstm_core.tasks import temporal_order  # noqa: E402



def _white_and_labelled(fig: Figure) -> None:
    assert isinstance(fig, Figure)
    assert fig.patch.get_facecolor()[:3] == (1.0, 1.0, 1.0) and fig.patch.get_alpha() == 1.0
    for ax in fig.axes:
        if ax.get_visible():
            assert ax.get_xlabel() and ax.get_ylabel(), f"unlabelled axis in {ax.get_title()!r}"


def test_symbol_rows_colour_only_the_steps_that_matter():
    fig = plot_symbol_rows([["E", "a", "X", "b", "B"], ["E", "Y", "c", "B"]],
                           [[True, False, True, False, True], [True, True, False, True]],
                           row_labels=["Q", "U"], targets=["Q", "U"], title="two rows")
    _white_and_labelled(fig)
    ax = fig.axes[0]
    assert len(ax.patches) == 9  # one cell per symbol
    grey = [p for p in ax.patches if p.get_facecolor()[:3] == matplotlib.colors.to_rgb("0.88")]
    assert len(grey) == 3  # a, b, c
    assert [t.get_text() for t in ax.get_yticklabels()] == ["U", "Q"]  # first row on top


def test_symbol_rows_reject_mismatched_input():
    with pytest.raises(ValueError):
        plot_symbol_rows([["a", "b"]], [[True]])
    with pytest.raises(ValueError):
        plot_symbol_rows([["a"]], [[True]], row_labels=["x", "y"])
    with pytest.raises(ValueError):
        plot_symbol_rows([], [])


def test_signal_and_pairs_samples():
    _white_and_labelled(plot_signal_sample(np.r_[np.ones(3), np.zeros(20)], 3, target="1"))
    fig = plot_pairs_sample(np.linspace(0, 1, 10), np.r_[-1, 0, 1, 0, 0, 1, 0, 0, 0, -1.0], target="0.1")
    _white_and_labelled(fig)
    assert len(fig.axes[0].patches) == 10
    with pytest.raises(ValueError):
        plot_signal_sample(np.ones(3), 5)
    with pytest.raises(ValueError):
        plot_pairs_sample(np.ones(3), np.ones(4))


@pytest.mark.parametrize("experiment", list(SAMPLE_EXPERIMENTS))
def test_task_sample_plots(experiment):
    _white_and_labelled(plot_task_sample(task_sample(experiment, seed=0)))


def test_task_gallery_has_one_panel_per_sample():
    fig = plot_task_gallery([task_sample(e) for e in ("2c", "3b", "multiplication")], title="three")
    _white_and_labelled(fig)
    assert len(fig.axes) == 3
    with pytest.raises(ValueError):
        plot_task_gallery([])


def test_gate_selectivity_bars():
    fig = plot_gate_selectivity({"a": np.array([0.9, 0.1])}, {"a": np.array([0.05, 0.1])})
    _white_and_labelled(fig)
    heights = sorted(round(p.get_height(), 2) for p in fig.axes[0].patches)
    assert heights == [0.05, 0.1, 0.1, 0.9]
    with pytest.raises(ValueError):
        plot_gate_selectivity({"a": np.ones(2)}, {"b": np.ones(2)})


def test_class_states_one_panel_per_cell():
    traces = np.random.default_rng(0).normal(size=(4, 30, 3))
    fig = plot_class_states(traces, list("QRSU"), position_ranges=[(5, 8)], title="t")
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 3 and all(len(ax.lines) == 4 for ax in visible)
    for ax in visible[-2:]:
        assert ax.get_xlabel()
    assert all(ax.get_ylabel() for ax in visible)
    with pytest.raises(ValueError):
        plot_class_states(traces, list("QRS"))


def test_phase_separation_bars():
    fig = plot_phase_separation(["a", "b"], {"n1": np.array([0.2, 1.0]), "n2": np.array([0.3, 0.4])}, 0.25)
    _white_and_labelled(fig)
    assert len(fig.axes[0].patches) == 4
    with pytest.raises(ValueError):
        plot_phase_separation(["a"], {"n": np.array([0.1, 0.2])}, 0.5)


def test_patterns_follow_the_class_order():
    cfg = temporal_order.PAPER_CONFIGS["6b"]
    assert [temporal_order.class_of(p) for p in _patterns(3)] == list(cfg.class_names)


def test_temporal_order_figure_and_panels():
    cfg = temporal_order.PAPER_CONFIGS["6a"]
    net = paper_network("6a", seed=0)
    fig = temporal_order_figure(net, sequence_of_class(cfg, 1, seed=0), cfg.class_names, name="untrained")
    assert fig.patch.get_facecolor()[:3] == (1.0, 1.0, 1.0)
    assert isinstance(fig, Figure) and len(fig.axes) == 3 and "class R (XY)" in fig.axes[0].get_title()
    assert all(ax.get_ylabel() for ax in fig.axes) and fig.axes[-1].get_xlabel()
    assert isinstance(temporal_order_panel({"untrained": net}, cfg), widgets.Widget)
    assert isinstance(task_sample_panel(["2c", "3a"]), widgets.Widget)
    with pytest.raises(ValueError):
        temporal_order_panel({}, cfg)
    with pytest.raises(ValueError):
        task_sample_panel(["7"])

"""Figures and panels of live runs and looks inside: they draw what they are given, labelled, on white."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from lstm_core import paper_network  # noqa: E402
from lstm_core.dashboards.inside import adding_inside_figure, adding_panel, live_run_panel, reber_panel
from lstm_core.plots.samples import plot_adding_sequence, plot_reber_automaton
from lstm_core.plots.inside import plot_branch_states, plot_live_run, plot_reber_predictions, plot_trace
from lstm_core.plots.criteria import plot_run_probability
from lstm_core.tasks import adding, reber  # noqa: E402
from lstm_core.tasks.adding import AddingConfig  # noqa: E402



def _white_and_labelled(fig: Figure) -> None:
    assert isinstance(fig, Figure)
    assert fig.patch.get_facecolor()[:3] == (1.0, 1.0, 1.0) and fig.patch.get_alpha() == 1.0
    for ax in fig.axes:
        if ax.get_label() == "<colorbar>":
            assert ax.get_ylabel()
            continue
        assert ax.get_ylabel()
    assert fig.axes[-1].get_xlabel() or fig.axes[0].get_xlabel()


def test_live_run_curve_draws_the_running_fraction():
    correct = np.r_[np.zeros(100, bool), np.ones(300, bool)]
    errors = np.where(correct, 0.01, 0.2)
    fig = plot_live_run(errors, correct, window=100, criterion_at=350, error_bound=0.04, mean_error_bound=0.01)
    _white_and_labelled(fig)
    ax_err, ax_ok = fig.axes
    frac = ax_ok.lines[0].get_ydata()
    assert np.isnan(frac[:99]).all() and frac[99] == 0.0 and frac[-1] == 1.0  # NaN until a full window
    assert ax_err.get_yscale() == "log"
    assert any(np.allclose(line.get_xdata(), 350) for line in ax_ok.lines)  # the criterion line
    # test-set checks replace the running fraction
    fig2 = plot_live_run(errors, correct, checks=np.array([[200, 30], [400, 0]]), check_size=512)
    np.testing.assert_array_equal(fig2.axes[1].lines[0].get_ydata(), [30, 0])
    assert "512" in fig2.axes[1].get_ylabel()
    with pytest.raises(ValueError):
        plot_live_run(errors, correct[:-1])


def test_trace_has_one_panel_per_quantity_and_the_marks():
    fig = plot_trace({"a": np.arange(10.0), "b": np.ones((10, 3))}, marks=np.array([2, 7]),
                     labels={"b": ["x", "y", "z"]})
    _white_and_labelled(fig)
    assert len(fig.axes) == 2 and len(fig.axes[1].lines) == 3
    assert len(fig.axes[0].patches) == 2  # one band per mark
    with pytest.raises(ValueError):
        plot_trace({"a": np.ones(3), "b": np.ones(4)})


def test_run_probability_marks_the_given_rates():
    fig = plot_run_probability({"paper": 3 / 2560, "ours": 0.005}, k=2000)
    _white_and_labelled(fig)
    marked = [line for line in fig.axes[0].lines if line.get_marker() == "o"]
    assert [float(m.get_ydata()[0]) for m in marked] == pytest.approx([(1 - 3 / 2560) ** 2000, 0.995 ** 2000])


def test_adding_sequence_shows_values_and_the_target():
    b = adding.generate(AddingConfig(T=20), 1, seed=0)
    target = float(b.targets[0, -1, 0])
    fig = plot_adding_sequence(b.inputs[0, :, 0], b.inputs[0, :, 1], target)
    _white_and_labelled(fig)
    assert len(fig.axes[0].patches) == b.lengths[0]  # one bar per step
    assert f"{target:.3f}" in fig.axes[0].get_title()
    red = [p for p in fig.axes[0].patches if p.get_facecolor()[:3] == matplotlib.colors.to_rgb("tab:red")]
    assert len(red) == 2  # the two marked pairs


def test_automaton_draws_every_transition_and_highlights_a_path():
    fig = plot_reber_automaton(reber.TRANSITIONS, highlight="BTXSE")
    _white_and_labelled(fig)
    n_arcs = sum(len(m) for m in reber.TRANSITIONS.values())
    labels = [t.get_text() for t in fig.axes[0].texts if t.get_text() in set(reber.SYMBOLS)]
    assert len(labels) == n_arcs == 12
    red = [t for t in fig.axes[0].texts if t.get_text() in set(reber.SYMBOLS)
           and t.get_color() == "tab:red"]
    assert sorted(t.get_text() for t in red) == sorted("BTXSE")
    with pytest.raises(ValueError, match="not a path"):
        plot_reber_automaton(reber.TRANSITIONS, highlight="BX")


def test_predictions_heatmap_boxes_the_allowed_symbols_and_flags_wrong_steps():
    batch = reber.encode_strings(["BTBTXSETE"])
    allowed = batch.info["allowed_next"][0]
    good = allowed * 0.8 + 0.1
    fig = plot_reber_predictions(good, allowed, "BTBTXSETE")
    _white_and_labelled(fig)
    boxes = [p for p in fig.axes[0].patches if not p.get_fill()]
    assert len(boxes) == allowed.sum()
    assert not [t for t in fig.axes[0].texts if t.get_text() == "✗"]
    bad = good.copy()
    bad[3] = 1 - bad[3]  # step 3 wrong
    fig2 = plot_reber_predictions(bad, allowed, "BTBTXSETE", step=2)
    assert len([t for t in fig2.axes[0].texts if t.get_text() == "✗"]) == 1
    with pytest.raises(ValueError):
        plot_reber_predictions(good, allowed, "BTBTXSE")


def test_branch_states_one_line_per_string():
    fig = plot_branch_states([np.ones(5), np.ones(7)], [-np.ones(6)], cell=2, threshold=0.0)
    _white_and_labelled(fig)
    assert len(fig.axes[0].lines) == 4  # 3 strings + threshold
    with pytest.raises(ValueError):
        plot_branch_states([], [np.ones(3)], cell=0)


def test_panels_build_and_the_train_button_runs(monkeypatch):
    panel = adding_panel(T=20, max_sequences=200, max_seconds=5.0)
    assert isinstance(panel, widgets.VBox)
    button = next(w for w in panel.children[0].children if isinstance(w, widgets.Button))
    status = panel.children[1]
    monkeypatch.setattr(plt, "show", lambda *a, **k: None)
    button.click()
    assert "200 sequences" in status.value
    with pytest.raises(ValueError):
        live_run_panel("adding-T100", "adding", 0.5, 10, slider=("T", 20, 50, 10, 30))
    fig = adding_inside_figure(paper_network("adding", seed=0), T=20)
    assert len(fig.axes) == 4
    rp = reber_panel(paper_network("reber-3x2", seed=0), ["BTBTXSETE", "BPBPVVEPE"])
    assert isinstance(rp, widgets.VBox)
    with pytest.raises(ValueError):
        reber_panel(paper_network("reber-3x2", seed=0), [])

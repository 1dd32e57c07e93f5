"""Smoke and data tests of the figures and panels of chapters 2 and 3.

Figures: the right number of curves, carrying the data they were given, labelled axes, a
white background. Panels: they build, their callbacks run once at build and again on a change,
and what they draw is what the compute functions return.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from lstm_core.dashboards.rnn import hidden_state_explorer  # noqa: E402
from lstm_core.dashboards.gradients import factor_power_explorer, recall_trainer
from lstm_core.analysis.gradients import product_chain
from lstm_core.plots.rnn import plot_hidden_states, plot_influence, plot_state_paths  # noqa: E402
from lstm_core.plots.gradients import (
    gradient_regime, plot_factor_power, plot_gradient_norms, plot_learning_curves, plot_powers,
)
from lstm_core.training.loop import History

ALPHABET = "CATDOG"
W_XH = np.array([[0.5, 0.3, -0.4, -0.5, 0.1, -0.2], [-0.3, 0.4, 0.2, -0.3, -0.5, 0.5]])


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture
def shown(monkeypatch):
    """Collect the figures the panels pass to plt.show()."""
    figures = []
    monkeypatch.setattr(plt, "show", lambda *a, **k: figures.append(plt.gcf()))
    return figures


def curves(ax):
    """Labelled lines of an axes (reference lines carry no legend label)."""
    return [line for line in ax.get_lines() if not line.get_label().startswith("_")]


def check_frame(fig):
    assert fig.patch.get_facecolor()[:3] == (1.0, 1.0, 1.0) and fig.patch.get_alpha() == 1.0
    for ax in fig.axes:
        assert ax.get_xlabel() and ax.get_ylabel()


def rnn_states(word, scale):
    """Oracle: h_t = tanh(W_xh x_t + scale * h_{t-1}), no bias, in numpy."""
    h, out = np.zeros(2), []
    for c in word:
        h = np.tanh(W_XH[:, ALPHABET.index(c)] + scale * h)
        out.append(h)
    return np.array(out)


# -- chapter 2 figures ---------------------------------------------------------------------
def test_plot_hidden_states_draws_one_line_per_unit():
    states = rnn_states("CAT", 0.5)
    fig = plot_hidden_states(states, list("CAT"))
    check_frame(fig)
    ax = fig.axes[0]
    lines = curves(ax)
    assert [line.get_label() for line in lines] == ["$h_t[1]$", "$h_t[2]$"]
    for i, line in enumerate(lines):
        assert np.allclose(line.get_xdata(), [1, 2, 3]) and np.allclose(line.get_ydata(), states[:, i])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1\nC", "2\nA", "3\nT"]
    with pytest.raises(ValueError, match="label"):
        plot_hidden_states(states, list("CA"))
    with pytest.raises(ValueError, match="shape"):
        plot_hidden_states(np.zeros(3), list("CAT"))


def test_plot_state_paths_starts_at_zero_and_follows_the_states():
    paths = {"CAT": rnn_states("CAT", 0.5), "DOG": rnn_states("DOG", 0.5)}
    fig = plot_state_paths(paths)
    check_frame(fig)
    ax = fig.axes[0]
    lines = curves(ax)
    assert [line.get_label() for line in lines] == ["CAT", "DOG"]
    for line, states in zip(lines, paths.values()):
        xy = np.column_stack([line.get_xdata(), line.get_ydata()])
        assert np.allclose(xy, np.vstack([[0.0, 0.0], states]))
    letters = [t.get_text() for t in ax.texts]
    assert letters == list("CAT") + list("DOG") + ["$h_0$"]
    with pytest.raises(ValueError, match="shape"):
        plot_state_paths({"CAT": np.zeros((2, 2))})
    with pytest.raises(ValueError, match="no paths"):
        plot_state_paths({})


def test_plot_influence_log_scale_and_gaps_for_zeros():
    fig = plot_influence({"a": np.array([1.0, 0.1, 0.0]), "b": np.array([1.0, 1.0, 1.0])})
    check_frame(fig)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and len(curves(ax)) == 2
    assert np.isnan(curves(ax)[0].get_ydata()[2])  # an exact zero is a gap, not a point at 0
    with pytest.raises(ValueError, match="distances"):
        plot_influence({"a": np.array([-1.0])})


# -- chapter 3 figures ---------------------------------------------------------------------
@pytest.mark.parametrize("factor, regime", [(0.8, "vanishing"), (0.999, "vanishing"), (1.0, "stable"),
                                            (1.0 + 1e-12, "stable"), (1.1, "exploding"), (-0.5, "vanishing"),
                                            (-1.5, "exploding"), (0.0, "vanishing")])
def test_gradient_regime(factor, regime):
    assert gradient_regime(factor) == regime


def test_gradient_regime_rejects_bad_input():
    with pytest.raises(ValueError, match="finite"):
        gradient_regime(float("nan"))
    with pytest.raises(ValueError, match="tolerance"):
        gradient_regime(0.5, tolerance=-1)


def test_plot_powers_one_curve_per_factor_and_marks():
    chain = product_chain(0.9, 0.3, 99)
    fig = plot_powers({"0.27": chain, "1.1": product_chain(1.1, 1.0, 99)}, marks=[(10, chain[10], "x")])
    check_frame(fig)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    assert [line.get_label() for line in curves(ax)] == ["0.27", "1.1"]
    assert np.allclose(curves(ax)[0].get_ydata(), chain)
    assert [t.get_text() for t in ax.texts] == ["x"]


def test_plot_factor_power_titles_value_and_regime():
    values = product_chain(0.8, 1.0, 10)
    fig = plot_factor_power(0.8, values)
    check_frame(fig)
    title = fig.axes[0].get_title()
    assert "0.1074" in title and "vanishing" in title
    assert "exploding" in plot_factor_power(1.2, product_chain(1.2, 1.0, 5)).axes[0].get_title()
    with pytest.raises(ValueError, match="at least 2"):
        plot_factor_power(0.8, np.array([1.0]))


def test_plot_gradient_norms_counts_steps_back_from_the_end():
    norms = np.array([1e-6, 1e-3, 1.0])  # t = 0, 1, 2
    fig = plot_gradient_norms({"rnn": norms, "flat": np.ones(3)})
    check_frame(fig)
    line = curves(fig.axes[0])[0]
    assert np.allclose(line.get_xdata(), [2, 1, 0]) and np.allclose(line.get_ydata(), norms)
    assert len(curves(fig.axes[0])) == 2


def test_plot_learning_curves_with_chance_line():
    fig = plot_learning_curves({"lag 5": ([320, 640], [0.5, 1.0]), "lag 100": ([320, 640], [0.5, 0.5])},
                               chance=0.5)
    check_frame(fig)
    labels = [line.get_label() for line in curves(fig.axes[0])]
    assert labels == ["lag 5", "lag 100", "chance"]
    with pytest.raises(ValueError, match="same length"):
        plot_learning_curves({"x": ([1, 2], [0.5])})


# -- panels --------------------------------------------------------------------------------
def test_hidden_state_explorer_draws_the_rnn_and_reacts(shown, capsys):
    panel = hidden_state_explorer(W_XH, ALPHABET, word="CAT", scale=0.5)
    assert len(shown) == 1  # drawn once at build
    states_line = curves(shown[0].axes[0])
    assert np.allclose(np.column_stack([line.get_ydata() for line in states_line]), rnn_states("CAT", 0.5))
    text, slider = panel.children[0].children
    slider.value = 2.0
    path = curves(shown[-1].axes[1])[0]
    assert np.allclose(path.get_xydata()[1:], rnn_states("CAT", 2.0))
    text.value = "dogcat"  # lower case is read as upper case
    assert curves(shown[-1].axes[1])[0].get_label() == "DOGCAT"
    n = len(shown)
    text.value = "CXT"  # a letter outside the alphabet: a message, no figure
    assert len(shown) == n and "not X" in capsys.readouterr().out
    with pytest.raises(ValueError, match="weight_ih"):
        hidden_state_explorer(W_XH[:, :3], ALPHABET)
    with pytest.raises(ValueError, match="word"):
        hidden_state_explorer(W_XH, ALPHABET, word="CXT")


def test_factor_power_explorer_recomputes(shown):
    panel = factor_power_explorer(weight=0.8, steps=10)
    assert "vanishing" in shown[-1].axes[0].get_title()
    weight, steps = panel.children[0].children
    weight.value, steps.value = 1.2, 20
    curve = shown[-1].axes[0].get_lines()[0]  # the powers; the second line is the reference at 1
    assert np.allclose(curve.get_ydata(), product_chain(1.2, 1.0, 20))
    assert "exploding" in shown[-1].axes[0].get_title()
    with pytest.raises(ValueError, match="weight"):
        factor_power_explorer(weight=2.0)


def test_recall_trainer_shows_cached_runs_and_trains_new_ones(shown, capsys):
    cached = History(sequences=[320, 640], loss=[0.1, 0.1], error=[0.5, 0.5], accuracy=[0.5, 0.75],
                     message="given", seconds=0.0)
    panel = recall_trainer(lag=5, max_sequences=64, hidden_size=4, histories={5: cached})
    (line,) = [ln for ln in curves(shown[-1].axes[0]) if ln.get_label() == "lag 5"]
    assert np.allclose(line.get_ydata(), [0.5, 0.75])  # the cached run, not a new one
    (slider,) = panel.children[:1]
    assert slider.continuous_update is False
    slider.value = 2  # trains a fresh network for 64 sequences
    (line,) = [ln for ln in curves(shown[-1].axes[0]) if ln.get_label() == "lag 2"]
    assert line.get_xdata()[-1] == 64
    assert "of 512 fresh test sequences" in capsys.readouterr().out
    with pytest.raises(ValueError, match="lag"):
        recall_trainer(lag=0)

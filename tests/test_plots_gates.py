"""Figures and panels of the carousel and gates chapters: they draw the data they are given."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.colors as mcolors  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Circle, FancyBboxPatch  # noqa: E402

from lstm_core.analysis.carousel import carousel_signal
from lstm_core.analysis.gates import cell_values
from lstm_core.model.cells import step_from_preactivations
from lstm_core.dashboards.carousel import carousel_explorer  # noqa: E402
from lstm_core.dashboards.gates import cell_step_through  # noqa: E402
from lstm_core.plots.carousel import plot_carousel, plot_error_on_carousel, plot_gradient_highway  # noqa: E402
from lstm_core.plots.gates import STAGE_ELEMENTS, draw_cell_diagram, plot_gate_trace, plot_state_drift

RED = mcolors.to_rgba("tab:red")



def _is_white(fig: Figure) -> bool:
    return mcolors.to_rgba(fig.get_facecolor()) == (1.0, 1.0, 1.0, 1.0)


def _labelled(ax) -> bool:
    return bool(ax.get_xlabel()) and bool(ax.get_ylabel())


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


# ---------------------------------------------------------------------------------------
# plots.carousel
# ---------------------------------------------------------------------------------------
def test_plot_carousel_draws_both_curves():
    sig = carousel_signal(0.9, 50)
    fig = plot_carousel(sig.steps, sig.rnn, sig.lstm, sig.weight)
    ax = fig.axes[0]
    assert _is_white(fig) and _labelled(ax) and ax.get_yscale() == "log"
    rnn_line, lstm_line = ax.get_lines()[:2]
    np.testing.assert_allclose(rnn_line.get_ydata(), 0.9 ** np.arange(51))
    np.testing.assert_array_equal(lstm_line.get_ydata(), np.ones(51))
    assert "W = 0.9" in rnn_line.get_label() and "CEC" in lstm_line.get_label()


def test_plot_carousel_clips_at_the_floor_and_names_decay():
    sig = carousel_signal(0.0, 10, decay=0.5)
    fig = plot_carousel(sig.steps, sig.rnn, sig.lstm, sig.weight, sig.decay, floor=1e-6)
    rnn_line, lstm_line = fig.axes[0].get_lines()[:2]
    assert rnn_line.get_ydata()[1:].min() == 1e-6  # W = 0: zero after one step, drawn at the floor
    assert any("below" in t for t in _texts(fig))
    assert "state decay" in lstm_line.get_label()
    with pytest.raises(ValueError, match="one length"):
        plot_carousel([0, 1], [1.0], [1.0, 1.0], 0.5)
    with pytest.raises(ValueError, match="floor"):
        plot_carousel([0], [1.0], [1.0], 0.5, floor=0.0)


def test_plot_gradient_highway_divides_by_the_last_step_and_reverses_time():
    norms = {"flat": np.full(5, 2.0), "falling": np.array([1e-4, 1e-3, 1e-2, 1e-1, 1.0])}
    fig = plot_gradient_highway(norms)
    ax = fig.axes[0]
    assert _is_white(fig) and _labelled(ax) and ax.get_yscale() == "log"
    flat, falling = ax.get_lines()[:2]
    np.testing.assert_array_equal(flat.get_ydata(), np.ones(5))
    np.testing.assert_array_equal(falling.get_xdata(), [4, 3, 2, 1, 0])  # steps back
    np.testing.assert_allclose(falling.get_ydata(), [1e-4, 1e-3, 1e-2, 1e-1, 1.0])
    assert [line.get_label() for line in (flat, falling)] == ["flat", "falling"]
    with pytest.raises(ValueError, match="no curves"):
        plot_gradient_highway({})
    with pytest.raises(ValueError, match="positive"):
        plot_gradient_highway({"dead": np.array([1.0, 0.0])})


def test_plot_error_on_carousel():
    T, C = 6, 2
    dL_ds = np.full((T, C), 0.01)
    y_in = np.linspace(0, 1, T * C).reshape(T, C)
    fig = plot_error_on_carousel(dL_ds, dL_ds * y_in, y_in, cell=1)
    top, bottom = fig.axes[:2]
    assert _is_white(fig) and top.get_ylabel() and _labelled(bottom)
    np.testing.assert_allclose(top.get_lines()[0].get_ydata(), 0.01)
    np.testing.assert_allclose(bottom.get_lines()[0].get_ydata(), y_in[:, 1])
    with pytest.raises(ValueError, match="cell"):
        plot_error_on_carousel(dL_ds, dL_ds, y_in, cell=2)
    with pytest.raises(ValueError, match="one shape"):
        plot_error_on_carousel(dL_ds, dL_ds[:-1], y_in)


# ---------------------------------------------------------------------------------------
# plots.cell_diagram
# ---------------------------------------------------------------------------------------
ARTICLE = cell_values(step_from_preactivations(net_in=-2.1, net_c=1.5, net_out=0.5, s_prev=1.5))


def test_cell_diagram_shows_every_number_of_the_update():
    fig = draw_cell_diagram(ARTICLE, caption="the CEC")
    text = " ".join(_texts(fig))
    assert _is_white(fig)
    for number in ("0.109", "1.270", "1.639", "1.500", "0.622", "0.675", "0.420", "-2.100", "0.500"):
        assert number in text, number
    assert "?" not in text and "the CEC" in text
    assert "1.0" in text and "constant error carousel" in text  # the self-loop is labelled


def test_cell_diagram_stage_hides_later_results_and_highlights_its_elements():
    fig = draw_cell_diagram(ARTICLE, stage=2)
    text = " ".join(_texts(fig))
    assert "1.270" in text and "0.109" in text  # stages 1 and 2 are done
    assert "1.639" not in text and "0.420" not in text and "= ?" in text  # stages 3..5 are not
    ax = fig.axes[0]
    red_patches = [p for p in ax.patches if isinstance(p, (Circle, FancyBboxPatch))
                   and mcolors.to_rgba(p.get_edgecolor()) == RED]
    assert len(red_patches) == 1  # the g box
    fig3 = draw_cell_diagram(ARTICLE, stage=3)
    red3 = [p for p in fig3.axes[0].patches if isinstance(p, Circle) and mcolors.to_rgba(p.get_edgecolor()) == RED]
    assert len(red3) == 2  # the x node and the + node of the CEC


def test_cell_diagram_validates():
    assert set(STAGE_ELEMENTS) == {1, 2, 3, 4, 5}
    draw_cell_diagram()  # the bare diagram
    with pytest.raises(ValueError, match="stage"):
        draw_cell_diagram(ARTICLE, stage=6)
    with pytest.raises(ValueError, match="lack"):
        draw_cell_diagram({"net_in": 0.0}, stage=1)


def test_plot_gate_trace_and_state_drift():
    T = 8
    t = np.arange(T, dtype=float)
    flags = (t == 2).astype(float)
    fig = plot_gate_trace(np.sin(t), flags, (t == 6).astype(float), flags, (t == 6).astype(float),
                          np.cumsum(flags), np.zeros(T))
    assert _is_white(fig) and len(fig.axes) == 3 and all(ax.get_ylabel() for ax in fig.axes)
    assert fig.axes[2].get_xlabel()
    np.testing.assert_array_equal(fig.axes[2].get_lines()[0].get_ydata(), np.cumsum(flags))
    with pytest.raises(ValueError, match="one length"):
        plot_gate_trace(t, t, t, t, t, t, t[:-1])
    drift = np.cumsum(np.ones((T, 2)), axis=0)
    fig2 = plot_state_drift(drift, np.zeros((T, 3)), bound=0.5)
    left, right = fig2.axes[:2]
    assert _is_white(fig2) and _labelled(left) and _labelled(right)
    np.testing.assert_array_equal(left.get_lines()[1].get_ydata(), drift[:, 1])
    assert any(line.get_label() == "bound" for line in right.get_lines())
    with pytest.raises(ValueError, match="states"):
        plot_state_drift(np.zeros(3), np.zeros((3, 1)))


# ---------------------------------------------------------------------------------------
# dashboards
# ---------------------------------------------------------------------------------------
def _sliders(widget) -> dict:
    found, stack = {}, [widget]
    while stack:
        w = stack.pop()
        if hasattr(w, "children"):
            stack.extend(w.children)
        elif hasattr(w, "description") and hasattr(w, "value"):
            found[w.description] = w
    return found


def test_carousel_explorer_redraws_for_new_values(monkeypatch):
    shown = []
    monkeypatch.setattr(plt, "show", lambda *a, **k: shown.append(plt.gcf()))
    panel = carousel_explorer(weight=0.5, steps=20)
    sliders = _sliders(panel)
    assert {"RNN weight W", "steps", "CEC factor"} <= set(sliders)
    sliders["RNN weight W"].value = 0.8
    sliders["steps"].value = 30
    rnn_line = shown[-1].axes[0].get_lines()[0]
    np.testing.assert_allclose(rnn_line.get_ydata(), 0.8 ** np.arange(31))
    with pytest.raises(ValueError):
        carousel_explorer(steps=-1)


def test_cell_step_through_walks_the_stages(monkeypatch, capsys):
    shown = []
    monkeypatch.setattr(plt, "show", lambda *a, **k: shown.append(plt.gcf()))
    panel = cell_step_through()
    sliders = _sliders(panel)
    assert {"step", "net_in", "net_c", "net_out", "s_c(t-1)"} <= set(sliders)
    assert "= ?" in " ".join(_texts(shown[-1]))  # step 1: later results hidden
    sliders["step"].value = 5
    text = " ".join(_texts(shown[-1]))
    assert "0.420" in text and "= ?" not in text
    assert "5. squash the state and read it out" in capsys.readouterr().out
    sliders["s_c(t-1)"].value = -1.5  # recomputes: s = -1.5 + 0.109 x 1.270
    assert "-1.361" in " ".join(_texts(shown[-1]))
    with pytest.raises(ValueError, match="stage"):
        cell_step_through(stage=0)

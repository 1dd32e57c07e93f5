"""Panels refuse a start value outside their controls' range (instead of clamping it silently) and
show a training error in their status line (instead of freezing at "training ...")."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lstm_core import paper_network  # noqa: E402
from lstm_core.dashboards import carousel, compare, controls, gates, gradients, inside, rnn, samples, sweeps  # noqa: E402
from lstm_core.tasks import adding, paper_config  # noqa: E402


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


def _status(panel) -> str:
    texts = [w.value for w in _walk(panel) if isinstance(w, (widgets.HTML, widgets.Label))]
    return " | ".join(texts)


def _button(panel, description: str = "train") -> widgets.Button:
    return next(w for w in _walk(panel) if isinstance(w, widgets.Button) and w.description == description)


@pytest.mark.parametrize("make, match", [
    (lambda: carousel.carousel_explorer(steps=600), r"steps must be an integer \(in \[1, 500\]\); got 600"),
    (lambda: carousel.carousel_explorer(weight=2.0), r"weight must be a finite number \(>= 0 and <= 1.5\); got 2.0"),
    (lambda: carousel.carousel_explorer(decay=0.1), r"decay .*covers 0.5..1"),
    (lambda: gates.cell_step_through(stage=6), r"stage must be an integer \(in \[1, 5\]\)"),
    (lambda: gates.cell_step_through(net_c=9.0), r"net_c must be a finite number \(>= -5 and <= 5\)"),
    (lambda: gradients.factor_power_explorer(weight=1.6), r"weight must be .*<= 1.5"),
    (lambda: gradients.factor_power_explorer(steps=0), r"steps must be an integer \(in \[1, 100\]\); got 0"),
    (lambda: gradients.recall_trainer(lag=101), r"lag must be an integer \(in \[1, 100\]\); got 101"),
    (lambda: carousel.squasher_explorer(steps=41), r"steps must be an integer \(in \[1, 40\]\)"),
    (lambda: compare.residual_explorer(depth=1), r"depth must be an integer \(in \[2, 100\]\)"),
    (lambda: compare.residual_explorer(init_scale=3.0), r"init_scale must be .*<= 2"),
    (lambda: rnn.hidden_state_explorer(np.eye(2, 3), "ACT", scale=2.5), r"scale must be .*<= 2"),
    (lambda: samples.task_sample_panel(seed=101), r"seed must be an integer \(in \[0, 100\]\); got 101"),
    (lambda: inside.adding_panel(T=15), r"T \(min length\) must be an integer \(in \[20, 100\]\); got 15"),
    (lambda: inside.live_run_panel("adding-T100", "adding", 0.5, 100, seed=10_001),
     r"seed must be an integer \(in \[0, 10000\]\); got 10001.*box for seed takes 0..10000"),
    (lambda: inside.live_run_panel("adding-T100", "adding", 0.5, 100, seed=-1), r"seed must be an integer"),
])
def test_a_panel_built_with_an_out_of_range_value_says_so(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_in_range_values_are_kept_exactly():
    panel = carousel.carousel_explorer(weight=1.5, steps=500, decay=0.5)
    sliders = {w.description: w.value for w in _walk(panel) if isinstance(w, (widgets.IntSlider, widgets.FloatSlider))}
    assert sliders == {"RNN weight W": 1.5, "steps": 500, "CEC factor": 0.5}


def test_live_run_panel_shows_a_training_error_in_its_status_line(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("weights exploded (|w| > 1e6); lower the learning rate")

    monkeypatch.setattr(inside, "live_paper_run", broken)
    panel = inside.live_run_panel("adding-T100", "adding", 0.5, 100)
    button = _button(panel)
    button.click()
    status = _status(panel)
    assert "training stopped with an error: RuntimeError: weights exploded" in status
    assert "training ..." not in status and not button.disabled  # the panel can be used again at once


def test_live_run_panel_runs_and_reports_when_training_works(monkeypatch):
    panel = inside.live_run_panel(adding.AddingConfig(T=20), "adding", 0.5, 200, max_seconds=30)
    _button(panel).click()
    assert "sequences in" in _status(panel) and "stopped by" in _status(panel)


def test_comparison_explorer_shows_a_training_error_in_its_status_line(monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("budget too small for one log point")

    monkeypatch.setattr(compare, "compare_models", broken)
    panel = compare.comparison_explorer()
    button = _button(panel)
    button.click()
    assert "training stopped with an error: ValueError: budget too small" in _status(panel) and not button.disabled


def test_training_sliders_print_the_error_instead_of_a_traceback(monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise RuntimeError("diverged")

    monkeypatch.setattr(gradients, "fit", broken)
    gradients.recall_trainer(lag=3)
    assert "training stopped with an error: RuntimeError: diverged" in capsys.readouterr().out
    monkeypatch.setattr(sweeps, "bias_sweep", broken)
    sweeps.bias_explorer(adding.AddingConfig(T=15), sweeps.QuickTrainConfig(updates=2))
    assert "training stopped with an error: RuntimeError: diverged" in capsys.readouterr().out


def test_report_errors_keeps_plain_labels_plain_and_reenables_the_button():
    status, button = widgets.Label(), widgets.Button()
    assert controls.report_errors(status, lambda: 1 / 0, button=button) is None
    assert status.value == "training stopped with an error: ZeroDivisionError: division by zero"
    assert not button.disabled
    assert controls.report_errors(status, lambda: 42) == 42


def test_panels_of_trained_networks_still_build():
    net = paper_network("6a", seed=0)
    inside.temporal_order_panel({"untrained": net}, paper_config("6a"), seed=3)
    with pytest.raises(ValueError, match=r"seed must be an integer \(in \[0, 50\]\)"):
        inside.temporal_order_panel({"untrained": net}, paper_config("6a"), seed=51)

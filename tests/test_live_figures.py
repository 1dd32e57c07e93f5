"""The live figures of the static site (``_static/live/live-figures.js``) against ``lstm_core``.

Chapters 3, 4 and 5 each carry a figure that answers the reader's sliders on the published page,
computed in the browser without a kernel. They must show what the Python panels show:

- vanishing: ``dashboards.vanishing.factor_power_explorer`` (``product_chain``, ``gradient_regime``)
- carousel: ``dashboards.carousel.carousel_explorer`` (``carousel.carousel_signal``)
- cell: ``dashboards.gates.cell_step_through`` (``step_from_preactivations``, ``cell_update_stages``)

The test opens a small page holding the script, the style sheet and the figures in a headless
Chromium and checks (a) the script's compute functions against ``lstm_core`` at several settings,
edge values included; (b) that moving a slider (by script and by keyboard) redraws each figure with
the numbers and texts the Python panel prints or draws for that setting (the panels themselves are
the oracle, run headless); (c) no console errors, no page errors, no network requests; and that the
figures stay legible in the light and the dark theme. A last test, without a browser, checks that
the chapters' live figures start where their Python panels start.

Without Debian's ``chromium`` the browser tests are skipped, unless LSTM_COURSE_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import ast
import contextlib
import inspect
import io
import json
import math
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Callable, Iterator

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lstm_core.analysis.carousel import carousel_signal
from lstm_core.analysis.gates import cell_update_stages, cell_values
from lstm_core.model.cells import step_from_preactivations
from lstm_core.dashboards.carousel import carousel_explorer  # noqa: E402
from lstm_core.dashboards.gates import cell_step_through  # noqa: E402
from lstm_core.dashboards.gradients import factor_power_explorer
from lstm_core.analysis.gradients import product_chain
from lstm_core.plots.gradients import gradient_regime

ROOT = Path(__file__).resolve().parent.parent
LIVE = ROOT / "_static" / "live"
RTOL = 1e-9  # both sides compute in float64; only exp/pow may differ in the last bits

# the chapters' panel calls, as the harness and the chapters start the live figures
HARNESS = """<!doctype html>
<html lang="en" data-theme="light"><head><meta charset="utf-8"><title>live figures</title>
<link rel="stylesheet" href="live-figures.css"><script src="live-figures.js"></script></head>
<body style="max-width: 860px">
<div class="lstm-live" id="vanishing" data-figure="vanishing" data-weight="0.8" data-steps="10">
  <p>This figure needs JavaScript.</p></div>
<div class="lstm-live" id="carousel" data-figure="carousel" data-weight="0.9" data-steps="100" data-decay="1.0"></div>
<div class="lstm-live" id="cell" data-figure="cell" data-net-in="-2.1" data-net-c="1.5" data-net-out="0.5"
  data-s-prev="1.5" data-stage="1"></div>
<div class="lstm-live" id="odd" data-figure="vanishing" data-weight="7" data-steps="many"></div>
</body></html>
"""


# ---------------------------------------------------------------------------------------------
# The browser
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("live")
    for name in ("live-figures.js", "live-figures.css"):
        shutil.copy(LIVE / name, folder / name)
    page = folder / "harness.html"
    page.write_text(HARNESS, encoding="utf-8")
    return page


class Page:
    """A harness page with everything it logged or requested."""

    def __init__(self, browser: Any, harness: Path) -> None:
        self.page = browser.new_page(viewport={"width": 900, "height": 900})
        self.problems: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.problems.append(f"console.{m.type}: {m.text}")
                     if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(harness.as_uri())
        self.page.wait_for_function("window.LSTMLive && window.LSTMLive.ready === true", timeout=5000)

    def js(self, expression: str, arg: Any = None) -> Any:
        return self.page.evaluate(expression, arg)

    def set_slider(self, figure: str, control: str, value: float) -> None:
        """Set a slider as a reader's drag does: a new value, then an 'input' event."""
        self.js("""([fig, control, value]) => {
            const input = document.querySelector(`#${fig} input[data-control="${control}"]`);
            input.value = String(value);
            input.dispatchEvent(new Event("input", {bubbles: true}));
        }""", [figure, control, value])

    def slider(self, figure: str, control: str) -> dict:
        return self.js("""([fig, control]) => {
            const input = document.querySelector(`#${fig} input[data-control="${control}"]`);
            const label = document.querySelector(`label[for="${input.id}"]`);
            return {min: Number(input.min), max: Number(input.max), step: Number(input.step),
                    value: Number(input.value), label: label.textContent};
        }""", [figure, control])

    def readouts(self, figure: str) -> dict[str, dict]:
        """data-role -> {text, value} for every readout of a figure."""
        return self.js("""(fig) => {
            const out = {};
            for (const node of document.querySelectorAll(`#${fig} [data-role]`)) {
                out[node.dataset.role] = {text: node.textContent, value: node.dataset.value,
                                          hidden: node.hidden};
            }
            return out;
        }""", figure)

    def svg_texts(self, figure: str) -> list[str]:
        return self.js("(fig) => Array.from(document.querySelectorAll(`#${fig} svg text`), t => t.textContent)",
                       figure)

    def svg_markup(self, figure: str) -> str:
        return self.js("(fig) => document.querySelector(`#${fig} svg`).outerHTML", figure)

    def assert_clean(self) -> None:
        assert self.problems == [], self.problems
        offsite = [u for u in self.requests if not u.startswith("file://")]
        assert offsite == [], f"the page made network requests: {offsite}"
        text = self.js("document.body.innerText")
        assert not re.search(r"NaN|Infinity|undefined|null", text), "a readout shows NaN/Infinity/undefined"


@pytest.fixture(scope="module")
def shared(browser: Any, harness: Path) -> Iterator[Page]:
    """One page for the tests that only compute and read (fast)."""
    p = Page(browser, harness)
    yield p
    p.page.close()


@pytest.fixture()
def page(browser: Any, harness: Path) -> Iterator[Page]:
    """A fresh page for a test that moves sliders."""
    p = Page(browser, harness)
    yield p
    p.page.close()


# ---------------------------------------------------------------------------------------------
# The Python panels, run headless: what they print and draw is the oracle
# ---------------------------------------------------------------------------------------------
_ESCAPES = re.compile(r"\x1b\[[0-9;]*[A-Za-z]|\r")


def _run_panel(build: Callable[[], Any]) -> tuple[list[str], Any]:
    """Build a panel at a setting; returns the lines it printed and the figure it drew."""
    plt.close("all")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):  # no kernel: the Output widget lets prints through
        build()
    lines = [ln for ln in _ESCAPES.sub("", out.getvalue()).splitlines() if ln.strip()]
    return lines, plt.gcf()


def _plain(text: str) -> str:
    """Matplotlib mathtext and the browser's sub/superscripts both reduced to plain characters."""
    return re.sub(r"[$_^{}]", "", text).replace("\u2212", "-")


def _near(js_value: Any, py_value: float, atol: float = 0.0) -> bool:
    js_value = float(js_value)
    if math.isinf(py_value) or py_value == 0.0:
        return js_value == py_value or abs(js_value - py_value) <= atol
    return math.isclose(js_value, py_value, rel_tol=RTOL, abs_tol=atol)


MAX_REL_DIFF: dict[str, float] = {}


def _record(name: str, js: np.ndarray, py: np.ndarray) -> None:
    finite = np.isfinite(py) & (py != 0)
    rel = np.abs(js[finite] - py[finite]) / np.abs(py[finite]) if finite.any() else np.zeros(1)
    MAX_REL_DIFF[name] = max(MAX_REL_DIFF.get(name, 0.0), float(rel.max()))


# ---------------------------------------------------------------------------------------------
# (a) the compute functions against lstm_core
# ---------------------------------------------------------------------------------------------
VANISHING_SETTINGS = [(0.5, 1), (0.5, 100), (0.8, 10), (0.8, 0), (0.99, 100), (1.0, 100), (1.01, 100),
                      (1.5, 1), (1.5, 100), (0.0, 5), (0.5, 1100), (1.5, 2000)]  # last two: underflow, overflow
REGIME_FACTORS = [0.5, 0.999, 1 - 2e-9, 1 - 5e-10, 1.0, 1 + 5e-10, 1 + 2e-9, 1.001, 1.5, 0.0, 3.0]


def test_vanishing_compute_matches_product_chain_and_regime(shared: Page) -> None:
    for weight, steps in VANISHING_SETTINGS:
        js = shared.js("([w, t]) => window.LSTMLive.vanishing.compute(w, t)", [weight, steps])
        py = product_chain(weight, 1.0, steps)
        got = np.array(js["values"], dtype=float)
        assert got.shape == py.shape, (weight, steps)
        np.testing.assert_allclose(got, py, rtol=RTOL, atol=0, err_msg=f"weight={weight}, steps={steps}")
        _record("vanishing", got, py)
        assert _near(js["final"], py[-1]) and _near(js["lost"], 1 - py[-1], atol=1e-15)
        assert js["regime"] == gradient_regime(weight)
        assert js["underflow"] == bool(weight > 0 and (py == 0).any())
        assert js["overflow"] == bool(np.isinf(py).any())
    assert shared.js("(w) => w.map(x => window.LSTMLive.vanishing.regime(x))", REGIME_FACTORS) == \
        [gradient_regime(x) for x in REGIME_FACTORS]
    # bad input is refused on both sides
    for weight, steps in [(-0.1, 3), (0.8, -1), (0.8, 2.5), (float("nan"), 3)]:
        with pytest.raises(ValueError):
            product_chain(weight, 1.0, steps)
        message = shared.js("""([w, t]) => { try { window.LSTMLive.vanishing.compute(w, t); return null; }
                                          catch (e) { return e.name + ": " + e.message; } }""", [weight, steps])
        assert message is not None and message.startswith("RangeError"), (weight, steps, message)
    shared.assert_clean()


CAROUSEL_SETTINGS = [(0.9, 100, 1.0), (0.0, 1, 1.0), (0.0, 500, 0.5), (1.5, 500, 1.0), (1.0, 500, 0.5),
                     (0.01, 500, 1.0), (1.1, 100, 0.95), (0.5, 3, 1.0), (0.9, 0, 1.0), (1.5, 2000, 1.0)]


def test_carousel_compute_matches_carousel_signal(shared: Page) -> None:
    for weight, steps, decay in CAROUSEL_SETTINGS:
        js = shared.js("([w, k, d]) => window.LSTMLive.carousel.compute(w, k, d)", [weight, steps, decay])
        py = carousel_signal(weight, steps, decay)
        np.testing.assert_array_equal(js["steps"], py.steps)
        for name in ("rnn", "lstm"):
            got = np.array(js[name], dtype=float)
            # same loop, same operations: the floats agree exactly, not only to RTOL
            np.testing.assert_array_equal(got, getattr(py, name), err_msg=f"{name} at {weight, steps, decay}")
            _record("carousel", got, getattr(py, name))
        assert (js["weight"], js["decay"]) == (py.weight, py.decay)
        assert js["underflow"]["rnn"] == bool(weight != 0 and (py.rnn == 0).any())
        assert js["overflow"]["rnn"] == bool(np.isinf(py.rnn).any())
    assert shared.js("window.LSTMLive.carousel.compute(0.5, 3).lstm") == [1.0, 1.0, 1.0, 1.0]  # decay = 1 default
    shared.assert_clean()


CELL_SETTINGS = ([(-2.1, 1.5, 0.5, 1.5), (0.0, 0.0, 0.0, 0.0), (8.0, 5.0, 8.0, 4.0), (-8.0, -5.0, -8.0, -4.0),
                  (8.0, -5.0, -8.0, 4.0), (-8.0, 5.0, 8.0, -4.0), (0.3, -0.1, 7.9, -3.9), (50.0, -50.0, -50.0, 0.0)]
                 + [(a, b, c, d) for a in (-8.0, 8.0) for b in (-5.0, 5.0) for c in (-8.0, 8.0) for d in (-4.0, 4.0)])


def test_cell_compute_matches_the_1997_cell_update(shared: Page) -> None:
    js_all = shared.js("(settings) => settings.map(s => window.LSTMLive.cell.compute(...s))", CELL_SETTINGS)
    for setting, js in zip(CELL_SETTINGS, js_all):
        step = step_from_preactivations(*setting)  # (net_in, net_c, net_out, s_prev)
        py = cell_values(step)
        for name, value in py.items():
            assert _near(js[name], value, atol=1e-12), (setting, name, js[name], value)
        _record("cell", np.array([js[n] for n in py]), np.array(list(py.values())))
        stages = cell_update_stages(step)
        assert [(s["number"], s["title"], s["formula"], s["name"]) for s in js["stages"]] == \
            [(s.number, s.title, s.formula, s.name) for s in stages], setting
        assert all(_near(s["value"], st.value, atol=1e-12) for s, st in zip(js["stages"], stages))
    shared.assert_clean()


FORMAT_NUMBERS = [0.125, 0.375, 2.5, 0.5, 1.5, 0.03125, 9.9995, 0.00012345, 1e-5, 2.66e-5, 850.6, 123456.7,
                  1.5e17, 4.05e87, 1e21, 0.1074, 0.0, -0.0, -0.0004, -2.1, 1.0, 100.0, 7.888609052210118e-31,
                  5e-324, float("inf"), float("-inf"), float("nan")]


def test_number_formatting_is_pythons(shared: Page) -> None:
    """Readouts print as the panels do: format(x, '.Nf') and format(x, '.Ng'), ties to even."""
    cases = [(x, p) for x in FORMAT_NUMBERS for p in (0, 1, 2, 3, 4, 6)]
    js = shared.js("""(cases) => cases.map(([x, p]) => [window.LSTMLive.format.fixed(x, p),
                                                       window.LSTMLive.format.general(x, p)])""", cases)
    expected = [[format(x, f".{p}f"), format(x, f".{p}g")] for x, p in cases]
    wrong = [(c, j, e) for c, j, e in zip(cases, js, expected) if j != e]
    assert wrong == []
    shared.assert_clean()


# ---------------------------------------------------------------------------------------------
# (b) the figures, driven by their sliders, against the Python panels
# ---------------------------------------------------------------------------------------------
def _vanishing_panel(weight: float, steps: int) -> tuple[str, str, int]:
    """The panel's printed line, its figure title and the number of points it draws."""
    lines, fig = _run_panel(lambda: factor_power_explorer(weight, steps))
    ax = fig.axes[0]
    return lines[-1], _plain(ax.get_title()), len(ax.get_lines()[0].get_ydata())


def _check_vanishing(page: Page, weight: float, steps: int) -> None:
    line, title, points = _vanishing_panel(weight, steps)
    r = page.readouts("vanishing")
    assert r["summary"]["text"] == line
    py = product_chain(weight, 1.0, steps)
    assert _near(r["final-value"]["value"], py[-1]) and r["final-value"]["text"] == f"{py[-1]:.4g}"
    assert r["regime"]["text"] == gradient_regime(weight)
    assert _near(r["lost"]["value"], 1 - py[-1], atol=1e-15)
    texts = [_plain(t) for t in page.svg_texts("vanishing")]
    assert title in texts and "timesteps t" in texts and "factort (log scale)" in texts
    assert page.js("document.querySelectorAll('#vanishing svg .lstm-chart-markers circle').length") == points


def test_vanishing_figure_follows_its_sliders(page: Page) -> None:
    py_panel = factor_power_explorer()
    for control, widget in zip(("weight", "steps"), py_panel.children[0].children):  # the same sliders
        s = page.slider("vanishing", control)
        assert (s["min"], s["max"], s["step"], s["label"]) == (widget.min, widget.max, widget.step,
                                                              widget.description)
    _check_vanishing(page, 0.8, 10)  # the chapter's starting point
    before = page.svg_markup("vanishing")
    page.set_slider("vanishing", "weight", 1.2)
    page.set_slider("vanishing", "steps", 37)
    assert page.svg_markup("vanishing") != before
    _check_vanishing(page, 1.2, 37)
    assert page.js("document.querySelector('#vanishing svg title').textContent").startswith("Line chart, log scale")
    page.set_slider("vanishing", "weight", 1.0)  # the edges of both sliders
    page.set_slider("vanishing", "steps", 100)
    _check_vanishing(page, 1.0, 100)
    page.set_slider("vanishing", "weight", 0.5)
    _check_vanishing(page, 0.5, 100)
    # the keyboard: a reader tabs to the slider and uses the arrow keys
    weight_slider = page.page.locator('#vanishing input[data-control="weight"]')
    weight_slider.focus()
    page.page.keyboard.press("ArrowRight")
    page.page.keyboard.press("ArrowRight")
    _check_vanishing(page, 0.52, 100)
    page.page.keyboard.press("End")
    page.page.locator('#vanishing input[data-control="steps"]').focus()
    page.page.keyboard.press("Home")
    _check_vanishing(page, 1.5, 1)
    page.set_slider("vanishing", "weight", 9)  # out of range: the browser clamps, so does the figure
    _check_vanishing(page, 1.5, 1)
    page.assert_clean()


def _carousel_panel(weight: float, steps: int, decay: float) -> tuple[list[str], list[str], list[str]]:
    """Legend labels, other texts and labels/title of the panel's figure at a setting."""
    _, fig = _run_panel(lambda: carousel_explorer(weight, steps, decay))
    ax = fig.axes[0]
    legend = [ln.get_label() for ln in ax.get_lines()[:2]]
    return legend, [t.get_text() for t in ax.texts], [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]


def _check_carousel(page: Page, weight: float, steps: int, decay: float, underflow: bool = False) -> None:
    legend, notes, labels = _carousel_panel(weight, steps, decay)
    r = page.readouts("carousel")
    shown = [r["rnn-label"]["text"], r["lstm-label"]["text"]]
    if underflow:  # the panel prints the 0 that float64 leaves; the live figure also says why
        assert ", underflow" in shown[0] and "underflow" in r["rnn-final"]["text"]
        shown[0] = shown[0].replace(", underflow", "")
    assert shown == legend
    py = carousel_signal(weight, steps, decay)
    assert float(r["rnn-final"]["value"]) == py.rnn[-1] and float(r["lstm-final"]["value"]) == py.lstm[-1]
    assert (r["floor-note"]["text"] if not r["floor-note"]["hidden"] else "") == (notes[0] if notes else "")
    texts = page.svg_texts("carousel")
    assert all(label in texts for label in labels)
    assert page.js("document.querySelector('#carousel svg path[data-series=rnn]').dataset.points") == str(steps + 1)


def test_carousel_figure_follows_its_sliders(page: Page) -> None:
    py_panel = carousel_explorer()
    widgets = [*py_panel.children[0].children, py_panel.children[1]]
    for control, widget in zip(("weight", "steps", "decay"), widgets):
        s = page.slider("carousel", control)
        assert (s["min"], s["max"], s["step"], s["label"]) == (widget.min, widget.max, widget.step,
                                                              widget.description)
    _check_carousel(page, 0.9, 100, 1.0)
    before = page.svg_markup("carousel")
    page.set_slider("carousel", "decay", 0.95)
    page.set_slider("carousel", "weight", 1.1)
    assert page.svg_markup("carousel") != before
    _check_carousel(page, 1.1, 100, 0.95)
    page.set_slider("carousel", "weight", 0.0)  # W = 0: the RNN signal is exactly 0 after one step
    page.set_slider("carousel", "steps", 1)
    _check_carousel(page, 0.0, 1, 0.95)
    page.set_slider("carousel", "weight", 0.01)  # 0.01^500 underflows float64
    page.set_slider("carousel", "steps", 500)
    page.set_slider("carousel", "decay", 0.5)
    _check_carousel(page, 0.01, 500, 0.5, underflow=True)
    page.set_slider("carousel", "weight", 1.5)
    page.set_slider("carousel", "decay", 1.0)
    _check_carousel(page, 1.5, 500, 1.0)
    page.assert_clean()


def _cell_panel(stage: int, net_in: float, net_c: float, net_out: float, s_prev: float) -> tuple[list[str], list[str]]:
    """The stage lines the panel prints and every text of its diagram (title included)."""
    lines, fig = _run_panel(lambda: cell_step_through(net_in, net_c, net_out, s_prev, stage))
    ax = fig.axes[0]
    assert len(lines) == stage
    return lines, [ax.get_title()] + [t.get_text() for t in ax.texts]


def _check_cell(page: Page, stage: int, net_in: float, net_c: float, net_out: float, s_prev: float) -> None:
    lines, texts = _cell_panel(stage, net_in, net_c, net_out, s_prev)
    shown = page.js("""() => Array.from(document.querySelectorAll('#cell [data-role=stage-list] li'),
        li => [li.dataset.stage, li.querySelector('[data-role=stage-title]').textContent,
               li.querySelector('[data-role=formula]').textContent])""")
    printed = [re.match(r"(\d)\. (.{36}) (.*)$", line).groups() for line in lines]
    assert [(n, t, f) for n, t, f in shown] == [(n, t.rstrip(), f) for n, t, f in printed]
    assert sorted(_plain(t) for t in page.svg_texts("cell")) == sorted(_plain(t) for t in texts)
    values = cell_values(step_from_preactivations(net_in, net_c, net_out, s_prev))
    r = page.readouts("cell")
    produced_at = {"y_in": 1, "g_c": 2, "s_c": 3, "y_out": 4, "h_s": 5, "y_c": 5}
    for role, name in (("y_in", "y_in"), ("g_c", "g_c"), ("s_c", "s"), ("y_out", "y_out"), ("h_s", "h_s"),
                       ("y_c", "y_c")):
        assert _near(r[role]["value"], values[name], atol=1e-12), role
        if produced_at[role] <= stage:
            assert r[role]["text"] == f"{values[name]:.4f}", role
        else:
            assert r[role]["text"].startswith("?"), role


def test_cell_figure_steps_through_one_update(page: Page) -> None:
    py_panel = cell_step_through()
    controls = py_panel.children[0].children
    widgets = [controls[0], *controls[1].children, *controls[2].children]
    for control, widget in zip(("stage", "net_in", "net_c", "net_out", "s_prev"), widgets):
        s = page.slider("cell", control)
        assert (s["min"], s["max"], s["step"]) == (widget.min, widget.max, widget.step), control
        assert _plain(s["label"]) == _plain(widget.description), control
    _check_cell(page, 1, -2.1, 1.5, 0.5, 1.5)  # the chapter's starting point: the article's example
    for stage in (2, 3, 4, 5):
        before = page.svg_markup("cell")
        page.set_slider("cell", "stage", stage)
        assert page.svg_markup("cell") != before
        _check_cell(page, stage, -2.1, 1.5, 0.5, 1.5)
    page.set_slider("cell", "net_in", -8)  # close the input gate: stage 3 writes (almost) nothing
    page.set_slider("cell", "net_out", -8)  # and the output gate
    _check_cell(page, 5, -8.0, 1.5, -8.0, 1.5)
    page.set_slider("cell", "net_c", 5)
    page.set_slider("cell", "s_prev", -4)
    page.page.locator('#cell input[data-control="stage"]').focus()
    page.page.keyboard.press("ArrowLeft")
    _check_cell(page, 4, -8.0, 5.0, -8.0, -4.0)
    page.assert_clean()


def test_out_of_range_settings_are_clamped_and_said(shared: Page) -> None:
    r = shared.readouts("odd")  # data-weight="7" data-steps="many": clamped to 1.5, default 10 steps
    assert r["weight-value"]["text"] == "1.50" and r["steps-value"]["text"] == "10"
    assert "data-weight=7" in r["notes"]["text"] and 'data-steps="many"' in r["notes"]["text"]
    assert r["summary"]["text"] == _vanishing_panel(1.5, 10)[0]
    assert shared.js("document.querySelector('#vanishing').textContent").find("needs JavaScript") < 0
    shared.assert_clean()


# ---------------------------------------------------------------------------------------------
# (c) legible in both themes
# ---------------------------------------------------------------------------------------------
def _luminance(css: str) -> tuple[float, float]:
    """Relative luminance (WCAG) and alpha of a computed CSS colour rgb()/rgba()."""
    parts = [float(x) for x in re.findall(r"[\d.]+", css)]
    r, g, b = parts[:3]
    alpha = parts[3] if len(parts) > 3 else 1.0

    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b), alpha


def _contrast(a: str, b: str) -> float:
    (la, _), (lb, _) = _luminance(a), _luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def test_figures_are_legible_in_light_and_dark_theme(shared: Page) -> None:
    for theme in ("light", "dark"):
        shared.js("(t) => { document.documentElement.dataset.theme = t; }", theme)
        colours = shared.js("""() => {
            const css = (sel, prop) => getComputedStyle(document.querySelector(sel))[prop];
            return {card: css('#vanishing', 'backgroundColor'), bg: css('#vanishing .lstm-chart-bg', 'fill'),
                    text: css('#vanishing svg .lstm-chart-label', 'fill'),
                    curve: css('#vanishing svg path.lstm-chart-line', 'stroke'),
                    rnn: css('#carousel svg path[data-series=rnn]', 'stroke'),
                    cec: css('#carousel svg path[data-series=lstm]', 'stroke'),
                    caption: css('#cell svg [data-role=caption]', 'fill'),
                    cellbg: css('#cell .lstm-chart-bg', 'fill'), readout: css('#vanishing [data-role=final-value]', 'color')};
        }""")
        for opaque in ("card", "bg", "cellbg"):
            assert _luminance(colours[opaque])[1] == 1.0, (theme, opaque, colours[opaque])
        assert (_luminance(colours["bg"])[0] > 0.8) == (theme == "light"), (theme, colours["bg"])
        assert _contrast(colours["text"], colours["bg"]) >= 7, (theme, colours)
        assert _contrast(colours["readout"], colours["card"]) >= 7, (theme, colours)
        for line in ("curve", "rnn", "cec", "caption"):
            assert _contrast(colours[line], colours["bg"]) >= 4.5, (theme, line, colours)
        assert colours["rnn"] != colours["cec"]
    shared.js("() => { document.documentElement.dataset.theme = 'light'; }")
    labelled = shared.js("""() => Array.from(document.querySelectorAll('.lstm-live svg'), s =>
        s.getAttribute('role') === 'img' && s.querySelector('title').textContent.length > 20
        && s.querySelector('desc').textContent.length > 40)""")
    assert labelled == [True] * 4
    unlabelled = shared.js("""() => Array.from(document.querySelectorAll('.lstm-live input'))
        .filter(i => !document.querySelector(`label[for="${i.id}"]`)).length""")
    assert unlabelled == 0
    shared.assert_clean()


# ---------------------------------------------------------------------------------------------
# The chapters start their live figures where their Python panels start (no browser needed)
# ---------------------------------------------------------------------------------------------
class _LiveDivs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "div" and "lstm-live" in a.get("class", "").split():
            self.found.append(a)


CHAPTER_PANELS = {  # chapter -> (figure, panel, data- attribute -> panel argument)
    "03_vanishing_gradient.ipynb": ("vanishing", factor_power_explorer, {"weight": "weight", "steps": "steps"}),
    "04_constant_error_carousel.ipynb": ("carousel", carousel_explorer,
                                         {"weight": "weight", "steps": "steps", "decay": "decay"}),
    "05_gates.ipynb": ("cell", cell_step_through, {"net-in": "net_in", "net-c": "net_c", "net-out": "net_out",
                                                   "s-prev": "s_prev", "stage": "stage"}),
}


@pytest.mark.parametrize("chapter", sorted(CHAPTER_PANELS))
def test_chapter_live_figure_starts_like_its_panel(chapter: str) -> None:
    figure, panel, attributes = CHAPTER_PANELS[chapter]
    cells = json.loads((ROOT / "chapters" / chapter).read_text(encoding="utf-8"))["cells"]
    parser = _LiveDivs()
    call = None
    for cell in cells:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            parser.feed(source)
        elif re.search(rf"^{panel.__name__}\(", source, re.M):
            call = next(node for node in ast.walk(ast.parse(source))
                        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == panel.__name__)
    assert call is not None, f"{chapter}: no cell calls {panel.__name__}"
    assert len(parser.found) == 1, f"{chapter}: expected one live figure (<div class=\"lstm-live\">), " \
                                   f"found {len(parser.found)}"
    div = parser.found[0]
    assert div.get("data-figure") == figure
    started = inspect.signature(panel).bind(*[ast.literal_eval(a) for a in call.args],
                                            **{k.arg: ast.literal_eval(k.value) for k in call.keywords})
    started.apply_defaults()
    for attribute, argument in attributes.items():
        assert f"data-{attribute}" in div, f"{chapter}: the live figure lacks data-{attribute}"
        assert float(div[f"data-{attribute}"]) == float(started.arguments[argument]), (chapter, attribute)


def teardown_module() -> None:
    if MAX_REL_DIFF:
        print("\nlargest relative difference JS vs lstm_core:",
              {k: f"{v:.3g}" for k, v in MAX_REL_DIFF.items()})

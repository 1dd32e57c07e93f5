"""The live figures on a phone: drawn in a narrow layout that fits its box, nothing cut off.

At a 390 px wide window each figure of ``_static/live/live-figures.js`` must take its narrow
layout (``svg.is-narrow``), be no wider than the box it sits in (no sideways scrolling inside the
figure), keep every text inside its drawing, and show the same numbers as in the wide layout.
Widening the window switches the layout back. Needs Debian's ``chromium`` (skipped without it,
like ``test_live_figures.py``, whose harness page this test uses).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest

ROOT = Path(__file__).resolve().parent.parent
LIVE = ROOT / "_static" / "live"
FIGURES = ("vanishing", "carousel", "cell")

HARNESS = """<!doctype html>
<html lang="en" data-theme="light"><head><meta charset="utf-8"><title>live figures, narrow</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="live-figures.css"><script src="live-figures.js"></script></head>
<body style="margin: 0; padding: 0 16px">
<div class="lstm-live" id="vanishing" data-figure="vanishing" data-weight="0.8" data-steps="10"></div>
<div class="lstm-live" id="carousel" data-figure="carousel" data-weight="0.9" data-steps="100" data-decay="1.0"></div>
<div class="lstm-live" id="cell" data-figure="cell" data-net-in="-2.1" data-net-c="1.5" data-net-out="0.5"
  data-s-prev="1.5" data-stage="5"></div>
</body></html>
"""


@pytest.fixture()
def phone(browser: Any, tmp_path: Path) -> Iterator[Any]:
    for name in ("live-figures.js", "live-figures.css"):
        shutil.copy(LIVE / name, tmp_path / name)
    (tmp_path / "harness.html").write_text(HARNESS, encoding="utf-8")
    page = browser.new_page(viewport={"width": 390, "height": 900})
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto((tmp_path / "harness.html").as_uri())
    page.wait_for_function("window.LSTMLive && window.LSTMLive.ready === true", timeout=5000)
    yield page
    assert problems == [], problems
    page.close()


def _layout(page: Any, figure: str) -> dict:
    return page.evaluate("""(fig) => {
        const host = document.getElementById(fig), chart = host.querySelector('.lstm-live-chart');
        const svg = chart.querySelector('svg'), box = svg.viewBox.baseVal, r = svg.getBoundingClientRect();
        const outside = Array.from(svg.querySelectorAll('text')).filter(t => {
            const b = t.getBoundingClientRect();  // on the screen, rotations included
            return b.width > 0 && (b.left < r.left - 0.5 || b.top < r.top - 0.5 || b.right > r.right + 0.5 ||
                                   b.bottom > r.bottom + 0.5);
        }).map(t => t.textContent);
        return {narrow: svg.classList.contains('is-narrow'), viewBox: [box.width, box.height],
                svgWidth: svg.getBoundingClientRect().width, chartWidth: chart.clientWidth,
                chartScroll: chart.scrollWidth, hostRight: host.getBoundingClientRect().right,
                pageScroll: document.documentElement.scrollWidth, outside: outside,
                values: Array.from(host.querySelectorAll('[data-value-of], [data-role]'),
                                   n => n.getAttribute('data-value-of') + '|' + n.dataset.role + '|' + n.textContent)};
    }""", figure)


@pytest.mark.parametrize("figure", FIGURES)
def test_a_live_figure_fits_a_phone_and_keeps_its_numbers(phone: Any, figure: str) -> None:
    narrow = _layout(phone, figure)
    assert narrow["narrow"], f"{figure}: the narrow layout was not taken at 390 px"
    assert narrow["chartScroll"] <= narrow["chartWidth"], f"{figure}: the figure scrolls sideways in its box"
    assert narrow["svgWidth"] <= narrow["chartWidth"] + 0.5 and narrow["hostRight"] <= 390
    assert narrow["pageScroll"] <= 390, f"{figure}: the page scrolls sideways"
    assert narrow["outside"] == [], f"{figure}: text drawn outside the figure: {narrow['outside']}"
    # drawn at about the size it is shown: its text is not shrunk below ~0.8 of its size
    assert narrow["svgWidth"] / narrow["viewBox"][0] > 0.8

    phone.set_viewport_size({"width": 1280, "height": 900})
    phone.wait_for_timeout(200)
    wide = _layout(phone, figure)
    assert not wide["narrow"] and wide["viewBox"][0] > narrow["viewBox"][0]
    assert wide["outside"] == []
    # the same numbers in both layouts (the caption is split in lines on the phone: compare words)
    assert sorted(v.split() for v in wide["values"]) == sorted(v.split() for v in narrow["values"])

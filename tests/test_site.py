"""The built site as a reader meets it, in a real browser (Playwright driving Debian's Chromium).

Needs the book built first (``jupyter-book build .``, as the README's set-up command does) and
Chromium. Without them the tests skip and say why, unless LSTM_COURSE_REQUIRE_SITE=1 (CI sets it),
which turns a missing site or browser into a failure.

For every page: it loads over HTTP from a local server with no console errors, no page errors, no
failed requests and no request leaving this machine (MathJax and the widget manager are served by
the site); every image loads and has real alt text; math is typeset; saved widgets are drawn; each
live figure responds to its sliders; the launch buttons point at the page's own notebook in the
repository named in _config.yml; the notebook can be downloaded; figures stay opaque in the dark
theme. At a desktop width (1280 px) and a phone's (390 px): no page scrolls sideways and no live
figure is cropped. Frozen widget panels have every control switched off; no exercise has two
solution boxes; every prose reference to an exercise ("exercise 2", "the drift exercise") is a link.
Internal links and anchors are checked without the browser. Screenshots (light and dark, and at
390 px) go to _build/screenshots/ and a per-page report to _build/site-report.json.
"""
from __future__ import annotations

import functools
import http.server
import json
import os
import re
import threading
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from tools import launch

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
REPORT = ROOT / "_build" / "site-report.json"
REQUIRE = os.environ.get("LSTM_COURSE_REQUIRE_SITE") == "1"
DESKTOP, PHONE = 1280, 390  # viewport widths, px: a laptop, and a phone (iPhone 12-15)


def _unavailable(why: str):
    if REQUIRE:
        pytest.fail(why)
    pytest.skip(why)


def site_pages() -> list[str]:
    """Every HTML page of the built site, relative to its root (the generated index pages too)."""
    if not (SITE / "index.html").exists():
        return []
    skip = ("_static", "_sources", "_images", "vendor")
    pages = [p for p in SITE.rglob("*.html") if not str(p.relative_to(SITE)).startswith(skip)]
    # the root index.html is only a redirect to the landing page (checked by the link test)
    return sorted(str(p.relative_to(SITE)) for p in pages if 'http-equiv="Refresh"' not in p.read_text()[:300])


def chapter_pages() -> list[str]:
    return [f"chapters/{p.stem}.html" for p in launch.chapter_notebooks()]


# ---------------------------------------------------------------- links, without a browser
class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])
        if tag in ("img", "script") and attrs.get("src"):
            self.hrefs.append(attrs["src"])
        if tag == "link" and attrs.get("href") and attrs.get("rel") in ("stylesheet", "preload"):
            self.hrefs.append(attrs["href"])


@functools.lru_cache(maxsize=None)
def _parsed(page: str) -> _Links:
    parser = _Links()
    parser.feed((SITE / page).read_text(encoding="utf-8"))
    return parser


def test_no_broken_internal_links_or_anchors():
    pages = site_pages()
    redirect = re.search(r'url=([^"]+)"', (SITE / "index.html").read_text()) if pages else None
    assert not pages or (redirect and (SITE / redirect.group(1)).exists()), "the root page must lead to the landing page"
    if not pages:
        _unavailable("the site is not built: run `jupyter-book build .` first")
    broken = []
    for page in pages:
        for href in _parsed(page).hrefs:
            url = urlparse(href)
            if url.scheme or href.startswith(("mailto:", "javascript:", "//")):
                continue  # external: not reachable from here, listed by the build's own checks
            target = (SITE / page).parent / unquote(url.path) if url.path else SITE / page
            target = target.resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page}: {href} (no such file)")
            elif url.fragment and target.suffix == ".html" and \
                    url.fragment not in _parsed(str(target.relative_to(SITE.resolve()))).ids:
                broken.append(f"{page}: {href} (no such anchor)")
    assert not broken, "broken links:\n" + "\n".join(broken)


# ---------------------------------------------------------------- the browser
class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest's output clean
        pass


@pytest.fixture(scope="module")
def server():
    if not site_pages():
        _unavailable("the site is not built: run `jupyter-book build .` first")
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


@pytest.fixture(scope="module")
def visits(server, browser):
    """Open every page once; collect what a reader's browser saw. Returns {page: record}."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    records = {}
    for page in site_pages():
        try:
            records[page] = _visit(browser, server, page)
        except Exception as err:  # noqa: BLE001 - one page's failure is that page's test failure
            records[page] = {"visit_error": f"{type(err).__name__}: {err}"}
    REPORT.write_text(json.dumps(records, indent=1))
    return records


def _visit(browser, base: str, page: str) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    console, failed, outside = [], [], []
    tab.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: console.append(f"page error: {e}"))
    tab.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
    tab.on("response", lambda r: failed.append(f"{r.url} (HTTP {r.status})") if r.status >= 400 else None)

    def guard(route):  # nothing may leave the machine: a CDN request is a failure, not a wait
        if urlparse(route.request.url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()
    tab.route("**/*", guard)

    start = time.perf_counter()
    tab.goto(base + page, wait_until="load")
    load_s = time.perf_counter() - start
    _wait(tab, "() => !window.LSTMLive || window.LSTMLive.ready === true", 10000)
    has_math = tab.evaluate("() => !!document.querySelector('.math, span.math, div.math')")
    if has_math:  # MathJax typesets after load; give it a moment (a timeout is recorded, then asserted)
        _wait(tab, "() => document.querySelectorAll('mjx-container').length > 0")
    n_widget_views = tab.evaluate(
        "() => document.querySelectorAll('script[type=\"application/vnd.jupyter.widget-view+json\"]').length")
    if n_widget_views:
        _wait(tab, "() => document.querySelectorAll('.jupyter-widgets').length > 0")
    record = {
        "load_s": round(load_s, 2),
        "console_errors": console, "failed_requests": failed, "outside_requests": outside,
        "images": tab.evaluate("""() => Array.from(document.images).map(i => ({src: i.getAttribute('src'),
            alt: i.getAttribute('alt') || '', loaded: i.complete && i.naturalWidth > 0}))"""),
        "math": has_math,
        "raw_math_left": tab.evaluate(
            "() => /\\\\\\(|\\\\\\[/.test(document.querySelector('main') ? document.querySelector('main').innerText : '')"),
        "widget_views": n_widget_views,
        "widgets_drawn": tab.evaluate("() => document.querySelectorAll('.jupyter-widgets').length"),
        "widget_errors": tab.evaluate("() => document.body.innerText.includes('Error displaying widget')"),
        "frozen_notes": tab.evaluate("""() => Array.from(document.querySelectorAll('.frozen-widget-note'))
            .map(n => ({text: n.innerText, links: Array.from(n.querySelectorAll('a')).map(a => a.href)}))"""),
        "widget_outputs": tab.evaluate("""() => new Set(Array.from(document.querySelectorAll(
            'script[type="application/vnd.jupyter.widget-view+json"]')).map(s => s.closest('.cell_output'))).size"""),
        "launch_links": tab.evaluate("""() => Array.from(document.querySelectorAll('a'))
            .map(a => a.href).filter(h => h.includes('mybinder') || h.includes('colab.research'))"""),
        "download_links": tab.evaluate("""() => Array.from(document.querySelectorAll('a'))
            .map(a => a.getAttribute('href') || '').filter(h => h.includes('_sources/'))"""),
        "frozen_controls": tab.evaluate(_FROZEN_CONTROLS_JS),
        "solutions": tab.evaluate(_SOLUTIONS_JS),
        "exercise_refs": tab.evaluate(_EXERCISE_REFS_JS, EXERCISE_REFERENCE.pattern),
        "layout": {DESKTOP: tab.evaluate(_LAYOUT_JS)},  # before the sliders below move anything
        "live": _exercise_live_figures(tab),
    }
    shot = SHOTS / page.replace("/", "__").replace(".html", "")
    tab.screenshot(path=f"{shot}.png", full_page=True)
    tab.evaluate("() => { document.documentElement.dataset.theme = 'dark'; }")
    tab.wait_for_timeout(200)
    record["dark_image_backgrounds"] = tab.evaluate("""() => Array.from(document.querySelectorAll('.cell_output img'))
        .map(i => getComputedStyle(i).backgroundColor)""")
    tab.screenshot(path=f"{shot}-dark.png", full_page=False)
    # a phone: the same page at 390 px (the theme's mobile layout, the sidebars off screen)
    tab.set_viewport_size({"width": PHONE, "height": 844})
    tab.evaluate("() => { document.documentElement.dataset.theme = 'light'; }")
    tab.wait_for_timeout(300)  # the theme re-lays the page out; the live figures scale with it
    record["layout"][PHONE] = tab.evaluate(_LAYOUT_JS)
    tab.screenshot(path=f"{shot}-{PHONE}.png", full_page=False)
    context.close()
    return record


# What the browser measures on each page (each a JavaScript function, run with tab.evaluate).
_LAYOUT_JS = """() => {
  const W = window.innerWidth;
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    Array.from(el.classList).slice(0, 3).map(c => '.' + c).join('') +
    (el.innerText ? ' "' + el.innerText.trim().replace(/\\s+/g, ' ').slice(0, 60) + '"' : '');
  const clips = el => { // an ancestor that scrolls or clips sideways holds the overflow in its own box
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (/(auto|scroll|hidden|clip)/.test(getComputedStyle(p).overflowX)) return true;
    }
    return false;
  };
  const offscreen = el => { // the theme's drawers (sidebars) sit outside the page until opened
    const s = getComputedStyle(el);
    return s.visibility === 'hidden' || s.display === 'none' || el.closest('.bd-sidebar-primary, .bd-sidebar-secondary, dialog');
  };
  // the outermost elements that stick out to the right (their children would only repeat them)
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= W + 1 || offscreen(el) || clips(el)) continue;
    if (wide.some(w => w.contains(el))) continue;
    wide.push(el);
  }
  const live = Array.from(document.querySelectorAll('.lstm-live')).map(host => {
    const box = host.getBoundingClientRect();
    const svg = host.querySelector('svg');
    const s = svg ? svg.getBoundingClientRect() : box;
    const chart = host.querySelector('.lstm-live-chart');
    const view = svg && svg.viewBox.baseVal;  // text drawn past the chart's own edges is cut off too
    const cut = !view ? [] : Array.from(svg.querySelectorAll('text')).filter(t => !t.closest('[transform]'))
      .filter(t => { const b = t.getBBox(); return b.width > 0 && (b.x < view.x - 1 || b.x + b.width > view.x + view.width + 1); })
      .map(t => t.textContent.slice(0, 60));
    return {figure: host.getAttribute('data-figure'), left: Math.round(Math.min(box.left, s.left)),
            right: Math.round(Math.max(box.right, s.right)),
            scrolls: chart ? chart.scrollWidth > chart.clientWidth + 1 : false, text_cut: cut};
  });
  const tracks = Array.from(document.querySelectorAll('.cell_output .jupyter-widgets .noUi-target')).map(t => {
    const slider = t.closest('.widget-slider');
    const label = slider && slider.querySelector('.widget-label');
    return {label: label ? label.innerText.trim() : '?', width: Math.round(t.getBoundingClientRect().width)};
  });
  return {viewport: W, scroll_width: document.scrollingElement.scrollWidth, sticking_out: wide.slice(0, 8).map(name),
          live: live, slider_tracks: tracks};
}"""

# every control a reader could use in a saved (frozen) widget panel, and whether it is switched off
_FROZEN_CONTROLS_JS = """() => {
  const outputs = new Set(Array.from(document.querySelectorAll(
    'script[type="application/vnd.jupyter.widget-view+json"]')).map(s => s.closest('.cell_output') || s.parentElement));
  const controls = [];
  outputs.forEach(out => out.querySelectorAll(
      "input, select, textarea, button, .noUi-target, [contenteditable='true']").forEach(el => {
    const widget = el.closest('.widget-inline-hbox, .widget-button, .widget-toggle-buttons, .jupyter-widgets');
    const label = widget && widget.querySelector('.widget-label');
    const on = el.matches('.noUi-target') ? !el.hasAttribute('disabled')
      : el.matches("[contenteditable='true']") ? true : !el.disabled;
    controls.push({control: el.matches('.noUi-target') ? 'slider' : el.matches('[contenteditable]') ? 'slider readout'
                     : el.tagName.toLowerCase() + (el.type ? '[' + el.type + ']' : ''),
                   label: ((label && label.innerText) || el.innerText || el.value || '').trim().slice(0, 40),
                   enabled: on});
  }));
  return controls;
}"""

# solution boxes, grouped by the exercise they answer (the link in their title)
_SOLUTIONS_JS = """() => {
  const byExercise = {};
  document.querySelectorAll('div.solution').forEach(box => {
    const link = box.querySelector('.admonition-title a[href]');
    const key = link ? link.getAttribute('href') : '(no exercise link) ' + box.id;
    (byExercise[key] = byExercise[key] || []).push(
      (box.querySelector('.admonition-title') || box).innerText.trim().replace(/\\s+/g, ' ').slice(0, 80));
  });
  return byExercise;
}"""

# prose that names an exercise; the phrase must be a link, or be followed at once by one ("the
# exercise <link>"). Titles, headings, code cells and their outputs are not prose.
_EXERCISE_REFS_JS = """pattern => {
  const re = new RegExp(pattern, 'gi');
  const notProse = '.admonition-title, h1, h2, h3, h4, h5, h6, .cell_input, .cell_output, nav, ' +
                   '.toctree-wrapper, .bd-sidebar-primary, .bd-sidebar-secondary, footer';
  const notText = 'script, style, mjx-container';
  const blocks = Array.from(document.querySelectorAll(
    'article p, article dd, article dt, article figcaption, article li, article td, article th'))
    .filter(b => !b.closest(notProse) && !b.querySelector('p'));
  const found = new Set();
  blocks.forEach(block => {
    let text = '';
    const linked = [];
    const walk = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      if (n.parentElement.closest(notText)) continue;
      const inLink = !!n.parentElement.closest('a[href]');
      text += n.data;
      for (let i = 0; i < n.data.length; i++) linked.push(inLink);
    }
    for (const m of text.matchAll(re)) {
      const end = m.index + m[0].length;
      let next = end;
      while (next < text.length && /[\\s(]/.test(text[next])) next++;
      if (!linked.slice(m.index, end).some(Boolean) && !linked[next]) {
        found.add(text.slice(Math.max(0, m.index - 50), end + 30).replace(/\\s+/g, ' ').trim());
      }
    }
  });
  return Array.from(found);
}"""

# A reference to one exercise: "exercise 2", "Exercise 1", "the exercise above", "the next exercise",
# "the drift exercise", "this exercise below". Not: "the exercises", "each coding exercise".
EXERCISE_REFERENCE = re.compile(
    r"\bexercises?\s+\d+\b"
    r"|\b(?:the|this|that)\s+exercise\s+(?:above|below|before|after|that follows|at the end)\b"
    r"|\b(?:previous|next|last|first|second|third|fourth|following|preceding|same)\s+exercise\b"
    r"|\bthe\s+(?!coding\b|thinking\b|exercises?\b)[\w-]+\s+exercise\b", re.IGNORECASE)  # the browser: "gi"


def _wait(tab, condition: str, timeout_ms: int = 15000) -> bool:
    try:
        tab.wait_for_function(condition, timeout=timeout_ms)
        return True
    except Exception:  # noqa: BLE001 - playwright's TimeoutError; the test then says what is missing
        return False


def _exercise_live_figures(tab) -> list[dict]:
    """Move every slider of every live figure; record whether what is shown changed each time."""
    results = []
    figures = tab.query_selector_all(".lstm-live")
    for k, fig in enumerate(figures):
        sliders = fig.query_selector_all("input[type=range]")
        moved = []
        for s, slider in enumerate(sliders):
            before = fig.inner_text() + (fig.query_selector("svg").inner_html() if fig.query_selector("svg") else "")
            slider.evaluate("""el => {
                const lo = parseFloat(el.min), hi = parseFloat(el.max), v = parseFloat(el.value);
                el.value = String(v + (hi - v > v - lo ? 1 : -1) * (hi - lo) / 3);
                el.dispatchEvent(new Event('input', {bubbles: true}));
                el.dispatchEvent(new Event('change', {bubbles: true}));
            }""")
            after = fig.inner_text() + (fig.query_selector("svg").inner_html() if fig.query_selector("svg") else "")
            moved.append(before != after)
        results.append({"figure": fig.get_attribute("data-figure"), "sliders": len(sliders), "responded": moved})
    return results


def pytest_generate_tests(metafunc):
    if "page" in metafunc.fixturenames:
        metafunc.parametrize("page", site_pages() or ["(site not built)"])
    if "chapter" in metafunc.fixturenames:
        metafunc.parametrize("chapter", chapter_pages())


def _record(visits, page):
    if page not in visits:
        _unavailable(f"{page} is not in the built site")
    assert "visit_error" not in visits[page], f"{page}: {visits[page].get('visit_error')}"
    return visits[page]


def test_page_loads_clean(visits, page):
    r = _record(visits, page)
    assert r["console_errors"] == [], f"{page}: console errors {r['console_errors']}"
    assert r["failed_requests"] == [], f"{page}: failed requests {r['failed_requests']}"
    assert r["outside_requests"] == [], f"{page}: requests leaving the machine {r['outside_requests']}"


def test_images_load_with_alt_text(visits, page):
    r = _record(visits, page)
    for img in r["images"]:
        assert img["loaded"], f"{page}: image {img['src']} did not load"
        if "_images/" in (img["src"] or ""):  # a figure of the course (not a theme icon)
            alt = img["alt"].strip()
            assert len(alt) >= 20 and not re.search(r"\.(png|svg|jpe?g)$", alt), \
                f"{page}: figure {img['src']} has no real alt text ({alt!r})"


def test_math_is_typeset_by_the_sites_own_mathjax(visits, page):
    r = _record(visits, page)
    assert not r["raw_math_left"], f"{page}: raw \\( ... \\) left in the text"


def test_saved_widgets_are_drawn_and_say_they_are_frozen(visits, page):
    r = _record(visits, page)
    if r["widget_views"]:
        assert r["widgets_drawn"] > 0 and not r["widget_errors"], f"{page}: saved widgets not drawn"
    # each frozen panel says it needs a kernel, with the chapter's Binder and Colab links beside it
    assert len(r["frozen_notes"]) == r["widget_outputs"], f"{page}: {r['frozen_notes']}"
    for note in r["frozen_notes"]:
        assert "Frozen panel" in note["text"] and len(note["links"]) == 2, f"{page}: {note}"
        assert set(note["links"]) <= set(r["launch_links"]), f"{page}: {note}"


def test_figures_are_opaque_in_dark_mode(visits, page):
    """Dark theme: each figure sits on an opaque card and is itself opaque, so no axis or label
    drawn in black disappears into the dark page."""
    from PIL import Image
    r = _record(visits, page)
    for color in r["dark_image_backgrounds"]:
        assert color.startswith("rgb("), f"{page}: a figure's background is {color} (not opaque) in dark mode"
    for img in r["images"]:
        if "_images/" in (img["src"] or "") and img["src"].endswith(".png"):
            with Image.open((SITE / page).parent / img["src"]) as im:
                alpha = im.getchannel("A").getextrema()[0] if "A" in im.getbands() else 255
            assert alpha == 255, f"{page}: figure {img['src']} has transparent pixels"


def test_live_figures_respond(visits):
    live = {page: r["live"] for page, r in visits.items() if r.get("live")}
    kinds = {f["figure"] for figs in live.values() for f in figs}
    assert {"vanishing", "carousel", "cell"} <= kinds, f"live figures found: {live}"
    for page, figs in live.items():
        for fig in figs:
            assert fig["sliders"] >= 2 and all(fig["responded"]), f"{page}: {fig}"


def test_launch_buttons_point_at_this_chapters_notebook(visits, chapter):
    r = _record(visits, chapter)
    url, branch = launch.repository()
    owner_name = url.removeprefix("https://github.com/")
    notebook = chapter.replace(".html", ".ipynb")
    binder = [h for h in r["launch_links"] if "mybinder" in h]
    colab = [h for h in r["launch_links"] if "colab.research" in h]
    assert binder and all(f"/v2/gh/{owner_name}/{branch}" in h and notebook in unquote(h) for h in binder), binder
    assert colab and all(h.endswith(f"/github/{owner_name}/blob/{branch}/{notebook}") for h in colab), colab


def test_notebook_can_be_downloaded(visits, chapter):
    r = _record(visits, chapter)
    notebook = chapter.replace(".html", ".ipynb").split("/")[-1]
    links = [h for h in r["download_links"] if h.endswith(notebook)]
    assert links, f"{chapter}: no download link to {notebook}: {r['download_links']}"
    target = (SITE / chapter).parent / links[0]
    assert target.resolve().exists()
    assert json.loads(target.read_text())["cells"], "the downloaded notebook is empty"


# ---------------------------------------------------------------- a reader's layout and panels
@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_no_page_scrolls_sideways(visits, page, width):
    """Long code wraps, wide tables and charts scroll or scale inside their own box."""
    layout = _record(visits, page)["layout"][width]
    assert layout["scroll_width"] <= layout["viewport"] + 1, (
        f"{page} at {width} px scrolls sideways ({layout['scroll_width']} px wide); sticking out: "
        + "; ".join(layout["sticking_out"]))


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_live_figures_are_not_cropped(visits, page, width):
    layout = _record(visits, page)["layout"][width]
    cropped = [f for f in layout["live"]
               if f["left"] < 0 or f["right"] > layout["viewport"] + 1 or f["scrolls"] or f["text_cut"]]
    assert not cropped, (f"{page} at {width} px: live figures cut off at the viewport, scrolled in their box, "
                         f"or with text past the chart's edge: {cropped}")


def test_frozen_panels_are_switched_off(visits, page):
    """A saved widget panel's controls do nothing without a kernel: each is disabled, and at a
    phone's width each slider still shows its track."""
    r = _record(visits, page)
    live = [f"{c['control']} '{c['label']}'" for c in r["frozen_controls"] if c["enabled"]]
    narrow = [f"'{t['label']}' ({t['width']} px)" for t in r["layout"][PHONE]["slider_tracks"] if t["width"] < 40]
    assert not live and not narrow, (
        f"{page}: frozen panels' controls that still accept input: {live or 'none'}; "
        f"sliders whose track is squeezed below 40 px at {PHONE} px: {narrow or 'none'}")


def test_each_exercise_has_one_solution_box(visits, page):
    solutions = _record(visits, page)["solutions"]
    doubled = {exercise: titles for exercise, titles in solutions.items() if len(titles) > 1}
    assert not doubled, f"{page}: exercises with more than one solution box: " + "; ".join(
        f"{exercise} ({len(titles)} x '{titles[0]}')" for exercise, titles in doubled.items())


def test_exercise_references_are_links(visits, page):
    unlinked = _record(visits, page)["exercise_refs"]
    assert not unlinked, f"{page}: references to an exercise that are not links: " + " | ".join(
        f"...{text}..." for text in unlinked)


def test_the_exercise_reference_pattern():
    """What the link check above counts as a reference to one exercise (no browser needed)."""
    refs = ["as exercise 2 computes", "(Exercise 1 asks", "exercises 2 and 3", "the exercise above",
            "the next exercise", "the drift exercise of chapter 4", "the state-decay exercise", "the same exercise"]
    not_refs = ["25 more for the exercises", "each coding exercise is followed", "Thinking exercises have",
                "the exercises alone", "the coding exercise's check", "an exercise", "Exercises"]
    assert all(EXERCISE_REFERENCE.search(t) for t in refs), [t for t in refs if not EXERCISE_REFERENCE.search(t)]
    assert not any(EXERCISE_REFERENCE.search(t) for t in not_refs), [t for t in not_refs if EXERCISE_REFERENCE.search(t)]


def _course_site_extension():
    import importlib.util
    spec = importlib.util.spec_from_file_location("course_site", ROOT / "_ext" / "course_site.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_site_extension_switches_off_saved_controls():
    """_ext/course_site.py sets `disabled` on every saved control (and on nothing else); in the
    built site no saved widget state has a control left on."""
    ext = _course_site_extension()
    state = {"state": {
        "s": {"model_name": "FloatSliderModel", "state": {"disabled": False, "value": 0.8, "description": "</script>"}},
        "b": {"model_name": "ButtonModel", "state": {"disabled": False}},
        "l": {"model_name": "LayoutModel", "state": {"width": "360px"}},
        "o": {"model_name": "OutputModel", "state": {"outputs": []}}}}
    assert ext.freeze_widget_state(state) == 2
    assert state["state"]["s"]["state"]["disabled"] and state["state"]["b"]["state"]["disabled"]
    assert "disabled" not in state["state"]["l"]["state"] and state["state"]["s"]["state"]["value"] == 0.8
    pages = site_pages()
    if not pages:
        _unavailable("the site is not built: run `jupyter-book build .` first")
    left_on = []
    for page in pages:
        for body in re.findall(r'<script type="application/vnd\.jupyter\.widget-state\+json">(.*?)</script>',
                               (SITE / page).read_text(encoding="utf-8"), re.S):
            saved = json.loads(body.replace(r"<\/script>", "</script>"))["state"]
            left_on += [f"{page}: {m['model_name']}" for m in saved.values() if m["state"].get("disabled") is False]
    assert not left_on, f"saved controls not switched off: {left_on}"

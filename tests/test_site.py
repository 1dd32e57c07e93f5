"""The built site as a reader meets it, in a real browser (Playwright driving Debian's Chromium).

Needs the book built first (``jupyter-book build .``, as the README's set-up command does) and
Chromium. Without them the tests skip and say why, unless LSTM_COURSE_REQUIRE_SITE=1 (CI sets it),
which turns a missing site or browser into a failure.

For every page: it loads over HTTP from a local server with no console errors, no page errors, no
failed requests and no request leaving this machine (MathJax and the widget manager are served by
the site); every image loads and has real alt text; math is typeset; saved widgets are drawn; each
live figure responds to its sliders; the launch buttons point at the page's own notebook in the
repository named in _config.yml; the notebook can be downloaded; figures stay opaque in the dark
theme. Internal links and anchors are checked without the browser. Screenshots (light and dark)
go to _build/screenshots/ and a per-page report to _build/site-report.json.
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
        "live": _exercise_live_figures(tab),
    }
    tab.screenshot(path=str(SHOTS / (page.replace("/", "__").replace(".html", ".png"))), full_page=True)
    tab.evaluate("() => { document.documentElement.dataset.theme = 'dark'; }")
    tab.wait_for_timeout(200)
    record["dark_image_backgrounds"] = tab.evaluate("""() => Array.from(document.querySelectorAll('.cell_output img'))
        .map(i => getComputedStyle(i).backgroundColor)""")
    tab.screenshot(path=str(SHOTS / (page.replace("/", "__").replace(".html", "-dark.png"))), full_page=False)
    context.close()
    return record


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

"""Fixtures shared by the tests: closing the figures a plot test made, the browser (the built site, the live figures)."""
from __future__ import annotations

import os
import shutil
from typing import Any, Iterator

import pytest

REQUIRE_BROWSER = "LSTM_COURSE_REQUIRE_BROWSER"  # "1" (CI): a missing browser fails instead of skipping
# Debian's Chromium, headless, with no background traffic (the machine has no network to spare).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def skip_or_fail(reason: str) -> None:
    if os.environ.get(REQUIRE_BROWSER) == "1":
        pytest.fail(f"{reason}. {REQUIRE_BROWSER}=1 requires the browser tests: install Debian's chromium "
                    "(apt-get install chromium) and the python package playwright")
    pytest.skip(f"{reason}; the browser tests need it (set {REQUIRE_BROWSER}=1 to fail instead)")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Playwright driving Debian's Chromium (Playwright's own browser download is not used)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        skip_or_fail("Debian's chromium is not installed (no `chromium` on PATH)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("the python package playwright is not installed")
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    """Every test leaves no open matplotlib figure behind (plot tests make many)."""
    yield
    import sys

    if "matplotlib.pyplot" in sys.modules:  # only where a test drew something; never import pyplot for it
        sys.modules["matplotlib.pyplot"].close("all")

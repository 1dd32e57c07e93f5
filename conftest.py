"""Test-suite settings shared by the unit tests, the doctests and the chapters (nbval)."""
import os

import pytest

from lstm_core.check.engine import STRICT_ENV


def pytest_configure(config):
    # The tests train tiny networks: one torch thread, as the chapters and the command line set it
    # explicitly (importing lstm_core changes no thread setting).
    import lstm_core

    lstm_core.use_one_thread()
    # The chapters run under nbval in kernels that inherit this: there, a check after an exercise
    # whose solved answer is not right raises, so a wrong solution fails the suite.
    os.environ[STRICT_ENV] = "1"


@pytest.fixture(autouse=True)
def _checks_report_instead_of_raising(monkeypatch):
    """Unit tests and doctests look at the checks' reports (wrong answers included): no raising there."""
    monkeypatch.delenv(STRICT_ENV, raising=False)

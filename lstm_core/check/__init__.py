"""Checks that teach: every exercise's check, importable as ``lstm_core.check.<name>``.

A chapter calls ``check.cec_update(my_cec_update)`` after an exercise; the check runs the answer
against ``lstm_core``'s reference and returns a report (see :mod:`lstm_core.check.engine`, which
also stops answers that loop and says "not answered yet" for stubs).
"""
from lstm_core.check.engine import (  # noqa: F401
    CASE_SECONDS, NOT_WRITTEN, STRICT_ENV, Case, CheckReport, Mistake, check_function, check_value, close, is_stub,
)

# The exercises' checks, one function per exercise.
from lstm_core.check.concepts import *  # noqa: E402,F401,F403  (chapters 1-6)
from lstm_core.check.gauntlet import *  # noqa: E402,F401,F403  (chapters 7-11)

"""The check engine: what it reports for right, wrong, unanswered and broken answers."""
import threading
import time

import numpy as np
import pytest
import torch

from lstm_core import check
from lstm_core.check.engine import Case, Mistake, check_function, check_value, close

CASES = [Case("x = 1", (1.0,)), Case("x = -2", (-2.0,)), Case("x = 0", (0.0,))]


def double(x):
    return 2 * x


def test_right_answer_is_ok_and_scores_one():
    report = check_function(lambda x: x + x, double, CASES, exercise="double")
    assert report.ok and report.score == 1.0 and "correct on all 3 cases" in str(report)
    report.raise_if_failed()


def test_wrong_answer_names_cases_and_the_matching_mistake():
    mistakes = [Mistake("squared", lambda x: x * x, "You squared."), Mistake("tripled", lambda x: 3 * x, "Three?")]
    report = check_function(lambda x: 3 * x, double, CASES, exercise="double", mistakes=mistakes, hint="general")
    assert not report.ok and report.mistake == "tripled" and report.hint == "Three?"
    assert report.score == pytest.approx(1 / 3)  # x = 0 is right by accident
    assert "got 3, expected 2" in str(report) and "1 of 3 cases right" in str(report)
    with pytest.raises(AssertionError, match="double"):
        report.raise_if_failed()
    other = check_function(lambda x: x - 1, double, CASES, exercise="double", mistakes=mistakes, hint="general")
    assert other.mistake is None and other.hint == "general"


def test_stub_and_broken_answers_are_reported_not_raised():
    def stub(x):
        raise NotImplementedError
    report = check_function(stub, double, CASES, exercise="double")
    assert not report.answered and not report.ok and report.score == 0 and "not answered yet" in str(report)
    assert not check_function(..., double, CASES, exercise="double").answered
    broken = check_function(lambda x: x / 0, double, CASES, exercise="double")
    assert broken.answered and "ZeroDivisionError" in str(broken)
    assert "expected a function" in str(check_function(3.0, double, CASES, exercise="double"))


def test_a_mistake_that_raises_is_skipped():
    bad = Mistake("raises", lambda x: 1 / 0, "never shown")
    report = check_function(lambda x: 3 * x, double, CASES, exercise="double", mistakes=[bad])
    assert report.mistake is None


def test_close_handles_strings_sets_bools_tensors_and_large_arrays():
    assert close("BTS", "BTS")[0] and not close("BTS", "BTX")[0]
    assert close({"S", "X"}, {"X", "S"})[0] and not close({"S"}, {"X", "S"})[0]
    assert close(torch.tensor([1.0, 2.0]), np.array([1.0, 2.0]))[0]
    same, why = close(np.array([True, False]), np.array([True, True]))
    assert not same and "True" in why
    big, want = np.zeros((22, 2)), np.zeros((22, 2))
    big[5, 1] = 1.0
    same, why = close(big, want)
    assert not same and "1 of 44 entries differ" in why and "(5, 1)" in why
    assert "shape" in close(np.zeros(3), np.zeros(4))[1]
    assert not close(float("nan"), 1.0)[0]
    assert close((1.0, np.array([1.0, 2.0])), (1.0, np.array([1.0, 2.0])))[0]
    assert "result 1" in close((1.0, np.array([1.0, 0.0])), (1.0, np.array([1.0, 2.0])))[1]


def test_check_value_says_which_way_without_giving_the_answer_away():
    report = check_value(0.5, 0.25, exercise="a quarter")
    assert not report.ok and "too high" in str(report) and "0.25" not in str(report)
    assert "too low" in str(check_value(0.1, 0.25, exercise="q"))
    assert check_value(0.25, 0.25, exercise="q").ok
    assert check_value(" Vanishing ", "vanishing", exercise="regime").ok
    assert not check_value(..., 0.25, exercise="q").answered
    hit = check_value(0.5, 0.25, exercise="q", mistakes=[Mistake("root", 0.5, "root!"), Mistake("word", "x", "?")])
    assert hit.mistake == "root"


def test_strict_mode_raises_for_the_test_suite(monkeypatch):
    monkeypatch.setenv(check.STRICT_ENV, "1")
    with pytest.raises(AssertionError):
        check_value(0.5, 0.25, exercise="q")
    assert check_value(0.25, 0.25, exercise="q").ok


def test_a_do_nothing_body_is_not_answered_yet_but_a_missing_return_is_wrong():
    def stub(x):
        ...
    report = check_function(stub, double, CASES, exercise="double")
    assert not report.answered and "not answered yet" in str(report)
    def no_return(x):
        x * 2  # computes, forgets to return: marked wrong, so the learner sees the None
    forgot = check_function(no_return, double, CASES, exercise="double")
    assert forgot.answered and not forgot.ok and "None" in str(forgot)


# -- bad input: answers that loop, stubs of every kind, values of every kind --------------
def test_an_answer_that_loops_is_stopped_with_a_message(monkeypatch):
    monkeypatch.setattr(check.engine, "CASE_SECONDS", 0.3)

    def loops(x):
        while True:
            try:
                x = x + 1
            except Exception:  # a learner's own except cannot swallow the stop
                pass

    start = time.monotonic()
    report = check_function(loops, double, CASES, exercise="double")
    assert time.monotonic() - start < 5  # one case stopped, the others skipped
    assert report.answered and not report.ok
    assert "stopped after 0.3 s" in str(report) and "loop that never ends" in str(report)
    assert len(report.failed) == 1  # the other cases were not run
    # a loop inside the check's own wrapper code is stopped the same way, and the timer is off afterwards
    assert check_function(double, double, CASES, exercise="double").ok
    time.sleep(0.4)  # no stray timer fires after the check returned


def test_the_time_limit_also_works_off_the_main_thread():
    out = {}

    def spin(x):
        while True:
            x = x + 1

    def run():
        out["report"] = check_function(spin, double, CASES[:1], exercise="double", seconds=0.3)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(timeout=20)
    assert not worker.is_alive() and "stopped after 0.3 s" in str(out["report"])


def _stubs():
    def body_ellipsis(*args, **kwargs):
        ...

    def body_pass(*args, **kwargs):
        pass

    def body_docstring(*args, **kwargs):
        """My answer goes here."""

    def returns_none(*args, **kwargs):
        return None

    def returns_ellipsis(*args, **kwargs):
        return ...

    def not_implemented(*args, **kwargs):
        raise NotImplementedError("write me")

    def placeholder_in_expression(*args, **kwargs):
        return args[0] + ...  # the learner filled in half of it

    def placeholder_in_tuple(*args, **kwargs):
        return args[0], ...

    return [body_ellipsis, body_pass, body_docstring, returns_none, returns_ellipsis, not_implemented,
            placeholder_in_expression, placeholder_in_tuple, ..., None]


@pytest.mark.parametrize("stub", _stubs(), ids=lambda s: getattr(s, "__name__", repr(s)))
def test_every_kind_of_stub_is_not_answered_yet_in_the_engine(stub):
    report = check_function(stub, double, CASES, exercise="double")
    assert not report.answered and not report.ok and report.score == 0
    assert "not answered yet" in str(report), str(report)


def test_every_chapter_check_reports_every_stub_as_not_answered_yet():
    names = check.CHECKS
    value_checks = {"keep_half"}  # these take a value, not a function
    assert value_checks <= set(names) and len(names) >= 20
    for name in names:
        run = getattr(check, name)  # every public check is importable as lstm_core.check.<name>
        stubs = [..., None] if name in value_checks else _stubs()
        for stub in stubs:
            report = run(stub)
            label = getattr(stub, "__name__", repr(stub))
            assert not report.answered and "not answered yet" in str(report), (name, label, str(report))


@pytest.mark.parametrize("value, expected", [
    (np.array([1.0, 2.0]), True), (np.array([True, True]), True), (np.zeros(3), "vanishing"),
    (np.zeros(3), 0.5), (np.zeros((2, 2)), np.zeros(3)), ([1, [2, 3]], np.zeros(2)), ("half", 0.5),
    (torch.ones(2, requires_grad=True), np.zeros(2)), (np.array([np.nan, 1.0]), np.ones(2)),
    ({"a": 1}, 0.5), (np.array([1 + 2j]), 1.0), (np.array(["a", "b"]), "a"), (torch.tensor(True), True),
    (np.array(0.5), 0.25), (1, True), (True, 1.0),
])
def test_check_value_never_raises_on_arrays_or_odd_values(value, expected):
    mistakes = [Mistake("word", "vanishing", "w"), Mistake("flag", True, "f"), Mistake("number", 0.5, "n"),
                Mistake("array", np.zeros(3), "a")]
    report = check_value(value, expected, exercise="q", mistakes=mistakes)
    assert isinstance(str(report), str) and report.answered
    assert not report.ok or expected is True and bool(np.all(np.asarray(value)))


def test_check_value_is_strict_about_bools_and_still_hints_array_mistakes():
    assert not check_value(1, True, exercise="q").ok  # 1 is not the answer True
    assert check_value(np.bool_(True), True, exercise="q").ok
    assert check_value(np.zeros(3), np.ones(3), exercise="q",
                       mistakes=[Mistake("zeros", np.zeros(3), "all zero?")]).mistake == "zeros"
    assert not check_value(np.zeros(3), "x", exercise="q", mistakes=[Mistake("x", "x", "?")]).ok

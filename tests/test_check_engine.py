"""The check engine: what it reports for right, wrong, unanswered and broken answers."""
import numpy as np
import pytest
import torch

from lstm_core import check
from lstm_core.check import Case, Mistake, check_function, check_value, close

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

"""Tests of the exercise checks of the tasks, the criteria, the forget gate and the model bench
(lstm_core.check.tasks, .criteria, .carousel, .compare).

For every check: a right answer is ok; each listed wrong answer is rejected and gets its own hint
(report.mistake == its name); a stub (``raise NotImplementedError``, or the value ``...``) is
reported as not answered and does not raise; a function that raises another error is reported,
not raised. The right answers here are written from the paper's rules, independently of the
checks' references (which are lstm_core's generators, criteria and cells), so a reference that
drifts from the paper fails too. The references themselves are checked against hand-made cases.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from lstm_core import check
from lstm_core.check.engine import STRICT_ENV
from lstm_core.check import carousel, criteria, tasks
from lstm_core.tasks import reber, temporal_order


@pytest.fixture(autouse=True)
def _not_strict(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wrong answers must come back as reports here, even if the suite runs the chapters strictly."""
    monkeypatch.delenv(STRICT_ENV, raising=False)


# -- right answers, written from the paper's rules ---------------------------------------
def adding_inputs(values, first, second):  # noqa: ANN001, ANN201
    v = np.array(values, dtype=float)
    m = np.zeros_like(v)
    m[0] = m[-1] = -1.0
    m[[first, second]] = 1.0
    if first == 0 or second == 0:
        v[0] = 0.0
    return np.column_stack([v, m])


def adding_target(inputs):  # noqa: ANN001, ANN201
    x = np.asarray(inputs, dtype=float)
    return 0.5 + sum(value for value, marker in x if marker == 1.0) / 4


def is_embedded(s: str) -> bool:
    def plain(inner: str) -> bool:  # a complete walk of the automaton
        state = 0
        for c in inner:
            nxt = dict(reber.TRANSITIONS[state]).get(c, "illegal") if state is not None else "illegal"
            if nxt == "illegal":
                return False
            state = nxt
        return state is None
    return len(s) >= 4 and s[0] == "B" and s[-1] == "E" and s[1] in "TP" and s[-2] == s[1] and plain(s[2:-2])


def allowed_next(s: str) -> list[str]:  # strings of symbols are accepted as sets
    out, state = ["TP", "B"], 0
    for c in s[2:-3]:
        state = dict(reber.TRANSITIONS[state])[c]
        out.append("".join(sym for sym, _ in reber.TRANSITIONS[state]))
    return out + [s[1], "E"]


def order_class(seq: str) -> int:
    return int("".join("1" if c == "Y" else "0" for c in seq if c in "XY"), 2)


def lag_range(config):  # noqa: ANN001, ANN201
    (lo, hi), (t_lo, t_hi) = config.length_range, config.position_ranges[-1]
    return lo - t_hi, hi - t_lo


def stop_3c(outputs, targets, clean):  # noqa: ANN001, ANN201
    e = np.abs(np.asarray(outputs) - np.asarray(clean))
    return bool(e.max() <= 0.1 and e.mean() < 0.015)


def sequences_before_run(correct, k):  # noqa: ANN001, ANN201
    text = "".join("1" if c else "0" for c in correct)
    return text.index("1" * k)  # the first run of k correct ones starts here


def error_kept(forget_bias: float, k: int) -> float:
    return math.exp(-k * math.log1p(math.exp(-forget_bias)))  # f(b)^k, f the logistic function


def run_stepwise(model, x):  # noqa: ANN001, ANN201
    state, outs = None, []
    for t in range(x.shape[1]):
        out, state = model(x[:, t:t + 1], hx=state)
        outs.append(out)
    return torch.cat(outs, dim=1)


RIGHT = {
    "adding_inputs": adding_inputs,
    "adding_target": adding_target,
    "reber_embedded": is_embedded,
    "reber_allowed_next": allowed_next,
    "temporal_order_class": order_class,
    "temporal_order_lags": lag_range,
    "stop_3c": stop_3c,
    "sequences_before_run": sequences_before_run,
    "forget_error_kept": error_kept,
    "forget_gate_update": lambda s_prev, y_in, g, y_f: y_f * s_prev + y_in * g,
    "stepwise_outputs": run_stepwise,
}
MISTAKES = {name: check.MISTAKES[name] for name in RIGHT}
MISTAKE_CASES = [(name, m) for name, mistakes in MISTAKES.items() for m in mistakes]


def test_every_exported_check_is_tested() -> None:
    assert set(RIGHT) <= set(check.CHECKS) and set(RIGHT) == set(MISTAKES)
    # the other 10 are tested in test_check_cells, the capstone lab's in test_check_capstone
    assert len(check.CHECKS) == len(RIGHT) + 10 + len(check.capstone.__all__)


@pytest.mark.parametrize("name", list(RIGHT))
def test_right_answer_is_ok(name: str) -> None:
    report = getattr(check, name)(RIGHT[name])
    assert report.ok and report.score == 1.0 and report.mistake is None, str(report)
    assert len(report.passed) >= 4, f"{name}: a check needs several cases, got {len(report.passed)}"
    assert "correct on all" in str(report)


@pytest.mark.parametrize("name, mistake", MISTAKE_CASES, ids=[f"{n}: {m.name}" for n, m in MISTAKE_CASES])
def test_each_known_mistake_is_rejected_with_its_own_hint(name: str, mistake: check.Mistake) -> None:
    report = getattr(check, name)(mistake.answer)
    assert report.answered and not report.ok and report.score < 1.0, str(report)
    assert report.mistake == mistake.name and report.hint == mistake.hint, str(report)
    assert f"Hint: {mistake.hint}" in str(report)


@pytest.mark.parametrize("name", list(RIGHT))
def test_mistakes_have_distinct_names_and_hints(name: str) -> None:
    mistakes = MISTAKES[name]
    assert len(mistakes) >= 3
    assert len({m.name for m in mistakes}) == len({m.hint for m in mistakes}) == len(mistakes)


@pytest.mark.parametrize("name", list(RIGHT))
def test_stubs_are_not_answered_and_do_not_raise(name: str) -> None:
    def stub(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise NotImplementedError("Exercise: write your code here, then run the check below.")

    for answer in (stub, ...):
        report = getattr(check, name)(answer)
        assert not report.answered and not report.ok and report.score == 0.0
        assert "not answered yet" in str(report)


@pytest.mark.parametrize("name", list(RIGHT))
def test_an_answer_that_raises_is_reported_not_raised(name: str) -> None:
    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise KeyError("a bug in the learner's code")

    report = getattr(check, name)(broken)
    assert report.answered and not report.ok and not report.passed and report.mistake is None
    assert all("your function raised KeyError" in line for line in report.failed)


@pytest.mark.parametrize("name", list(RIGHT))
def test_an_answer_returning_nothing_is_wrong(name: str) -> None:
    def forgot_return(*args, **kwargs):  # computes something, then forgets to return it
        _ = len(args) + len(kwargs)

    report = getattr(check, name)(forgot_return)
    assert report.answered and not report.ok and report.mistake is None and report.hint, str(report)
    assert "returned None" in str(report)
    # a body that only returns None is a stub: not answered yet (as every stub, see test_check_engine)
    assert not getattr(check, name)(lambda *args, **kwargs: None).answered


def test_strict_mode_raises_on_a_wrong_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(STRICT_ENV, "1")
    assert check.adding_target(adding_target).ok
    with pytest.raises(AssertionError, match="no 0.5 offset|not yet right"):
        check.adding_target(MISTAKES["adding_target"][0].answer)


# -- the checks against hand-written wrong answers and odd formats ---------------------------
def test_an_answer_that_edits_its_input_in_place_is_judged_on_the_real_cases() -> None:
    def in_place(values, first, second):  # noqa: ANN001, ANN202
        if 0 in (first, second):
            values[0] = 0.0          # edits the caller's array ...
        m = np.zeros(len(values))
        m[[0, -1]] = -1.0
        m[[first, second]] = 1.0
        return np.column_stack([values, m])

    def keeps_value(values, first, second):  # noqa: ANN001, ANN202
        m = np.zeros(len(values))
        m[[0, -1]] = -1.0
        m[[first, second]] = 1.0
        return np.column_stack([values, m])

    assert check.adding_inputs(in_place).ok                     # ... which the check's copies absorb
    assert check.adding_inputs(keeps_value).mistake == "marked first pair keeps its value"


def test_hand_written_wrong_answers_get_their_hints() -> None:
    no_offset = lambda x: np.asarray(x)[np.asarray(x)[:, 1] == 1, 0].sum() / 4  # noqa: E731
    assert check.adding_target(no_offset).mistake == "no 0.5 offset"
    backwards = lambda s: order_class(s[::-1])  # noqa: E731
    assert check.temporal_order_class(backwards).mistake == "read backwards"
    forgets_branch = lambda s: allowed_next(s)[:-2] + ["TP", "E"]  # noqa: E731
    assert check.reber_allowed_next(forgets_branch).mistake == "branch forgotten"
    assert check.forget_gate_update(lambda s, i, g, f: s + i * g).mistake == "the 1997 cell"
    assert check.sequences_before_run(lambda c, k: sequences_before_run(c, k) + k).mistake == "counted the run too"


def test_a_class_name_instead_of_an_index_is_wrong_with_the_general_hint() -> None:
    names = lambda s: temporal_order.class_of("".join(c for c in s if c in "XY"))  # noqa: E731
    report = check.temporal_order_class(names)
    assert not report.ok and report.mistake is None and "index" in report.hint and "got a str" in report.failed[0]


def test_allowed_sets_may_be_sets_or_strings_but_not_unknown_symbols() -> None:
    as_sets = lambda s: [set(a) for a in allowed_next(s)]  # noqa: E731
    assert check.reber_allowed_next(as_sets).ok
    report = check.reber_allowed_next(lambda s: [a + "Z" for a in allowed_next(s)])
    assert not report.ok and "unknown symbols" in report.failed[0]
    assert not check.reber_allowed_next(lambda s: 3).ok


# -- the references against hand-made cases ------------------------------------------------
def test_lag_reference_finds_the_extremes_of_each_configuration() -> None:
    cfg = temporal_order.PAPER_CONFIGS
    assert tasks._sampled_lags(cfg["6a"]) == (100 - 60, 110 - 50)    # Table 10's minimal lag 40
    assert tasks._sampled_lags(cfg["6b"]) == (100 - 76, 110 - 66)    # ... and 24
    assert tasks._sampled_lags(tasks._SHORT_6A) == (12 - 8, 14 - 6)
    assert tasks._sampled_lags(tasks._SHORT_6B) == (10, 10)


def test_forget_reference_is_the_product_of_the_gate_values() -> None:
    f = lambda b: 1 / (1 + math.exp(-b))  # noqa: E731
    assert carousel._kept_by_the_cell(1.0, 19) == pytest.approx(f(1.0) ** 19, rel=1e-12)
    assert carousel._kept_by_the_cell(-2.0, 3) == pytest.approx(f(-2.0) ** 3, rel=1e-12)
    assert carousel._kept_by_the_cell(5.0, 0) == 1.0


def test_stop_3c_cases_cover_both_verdicts_and_the_hand_made_ones() -> None:
    cases = {label: (y, clean, verdict) for label, y, _, clean, verdict in criteria._stop_3c_cases()}
    assert cases["outputs exactly the noise-free targets"][2] is True
    assert cases["every output 0.05 off"][2] is False                       # mean error 0.05 > 0.015
    assert cases["one output 0.15 off, the others within 0.005"][2] is False  # one misclassified
    assert cases["outputs equal to the noisy targets (the network fit the noise)"][2] is False
    assert sum(v for _, _, v in cases.values()) == 3 and len(cases) == 7


def test_adding_cases_include_every_edge() -> None:
    labels = " ".join(label for label, *_ in tasks._adding_sequences())
    for edge in ("X1 at the first pair", "X2 at the first pair", "X2 before X1", "T = 100"):
        assert edge in labels
    for _, inputs, first, second, target in tasks._adding_sequences():
        assert inputs[[0, -1], 1].tolist() == [1.0 if 0 in (first, second) else -1.0, -1.0]
        assert target == pytest.approx(0.5 + (inputs[first, 0] + inputs[second, 0]) / 4, rel=1e-6)

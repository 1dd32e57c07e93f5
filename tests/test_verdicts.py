"""lstm_core.reproduction.verdicts: one verdict per LSTM row, computed from the results."""

from __future__ import annotations

import pytest

from lstm_core.reproduction import verdicts as V
from lstm_core.reproduction.results import load_results
from lstm_core.reproduction.rows import ROWS, get_row


def _result(solved, trials, mean):
    return {"summary": {"solved": solved, "trials": trials, "sequences_mean": mean}}


def _ablations(key, **readings):
    return {"rows": {key: {name: _result(*r) for name, r in readings.items()}}}


# Reber 3x2 lr 0.5: paper 100 %, 8,440 sequences, 30 trials.  6a: unstated rate (100 %), 31,390, 20 trials.
@pytest.mark.parametrize("key, result, verdict, detail", [
    ("T1-reber-3x2-lr0.5", _result(30, 30, 8440 * 1.5), V.REPRODUCED, ""),          # at exactly 1.5x
    ("T1-reber-3x2-lr0.5", _result(30, 30, 8440 * 1.5 + 1), V.SLOWER, ""),          # just above
    ("T1-reber-3x2-lr0.5", _result(29, 30, 5000), V.NOT_REPRODUCED, ""),            # 96.7 % < 100 %
    ("T1-reber-4x1-lr0.5", _result(29, 30, 9500), V.NOT_REPRODUCED, ""),            # 96.7 % < the paper's 97 %
    ("T1-reber-4x1-lr0.5", _result(30, 30, 9500), V.REPRODUCED, ""),
    ("T9-6a", _result(20, 20, 31_390), V.REPRODUCED, ""),
    ("T9-6a", _result(19, 20, 20_000), V.NOT_REPRODUCED, ""),                       # unstated rate: 100 %
    ("T9-6a", _result(0, 20, None), V.NOT_REPRODUCED, ""),
    ("T9-6a", _result(5, 5, 20_000), V.NOT_REPRODUCED, "reduced run: 5 of 20 trials"),
    ("T9-6a", None, V.NOT_REPRODUCED, "no results yet"),
])
def test_rule_on_hand_computed_cases(key, result, verdict, detail):
    v = V.verdict_for(get_row(key), result, None)
    assert (v.verdict, v.detail) == (verdict, detail)


def test_unstated_rate_is_a_parameter():
    v = V.verdict_for(get_row("T9-6a"), _result(19, 20, 20_000), None, unstated_success=90.0)
    assert v.verdict == V.REPRODUCED and v.paper_rate == 90.0


def test_best_reading_is_named_once_ablations_exist():
    abl = _ablations("T3-2c-q100-p100", literal=(0, 20, None), step=(3, 20, 50_000), **{"igb-neg": (3, 20, 40_000)},
                     **{"lr-x0.5": (1, 20, 10_000)})
    v = V.verdict_for(get_row("T3-2c-q100-p100"), _result(0, 20, None), abl)
    # igb-neg departs from the paper (2c has no biases): it is no candidate for the best reading
    assert v.text == "not reproduced (best reading: step, 3/20, mean 50,000)"
    more = _ablations("T3-2c-q100-p100", literal=(0, 20, None), step=(3, 20, 50_000), **{"igb-neg": (5, 20, 40_000)})
    assert V.verdict_for(get_row("T3-2c-q100-p100"), _result(0, 20, None), more).detail == \
        "best reading: step, 3/20, mean 50,000; a departure from the paper does better: igb-neg, 5/20"
    # a reproduced row names none; a reduced run keeps both notes
    assert V.verdict_for(get_row("T9-6a"), _result(20, 20, 30_000), _ablations("T9-6a", step=(1, 20, 1))).detail == ""
    v = V.verdict_for(get_row("T3-2c-q100-p100"), _result(0, 3, None), abl)
    assert v.detail.startswith("reduced run: 3 of 20 trials; best reading: step")
    none = _ablations("T3-2c-q100-p100", literal=(0, 20, None), step=(0, 20, None), **{"igb-neg": (0, 20, None)})
    assert V.verdict_for(get_row("T3-2c-q100-p100"), _result(0, 20, None), none).detail == \
        "no reading tried solves a trial: igb-neg, literal, step"
    # only the literal reading measured: nothing to name
    assert V.verdict_for(get_row("T3-2c-q100-p100"), _result(0, 20, None),
                         _ablations("T3-2c-q100-p100", literal=(0, 20, None))).detail == ""


def test_the_shipped_reading_competes_with_the_ablations():
    """A row that ships under an adopted reading: its shipped result is one of the candidates."""
    row = get_row("T1-reber-3x2-lr0.5")
    assert row.reading != "literal"
    abl = _ablations(row.key, literal=(1, 30, 79_000), step=(7, 30, 46_714))
    v = V.verdict_for(row, _result(10, 30, 43_130), abl)
    assert v.text == f"not reproduced (best reading: {row.reading}, 10/30, mean 43,130)"
    # were an ablation better than the shipped reading, it would be named instead
    better = _ablations(row.key, literal=(1, 30, 79_000), **{"check-100": (16, 30, 20_000)})
    assert V.verdict_for(row, _result(10, 30, 43_130), better).detail == "best reading: check-100, 16/30, mean 20,000"
    # a tie goes to the literal reading
    tie = _ablations("T3-2c-q100-p100", literal=(2, 20, 50_000), step=(2, 20, 50_000))
    assert V.best_reading("T3-2c-q100-p100", tie)[0] == "literal"


def test_baselines_get_no_paper_numbers():
    results = {"rows": {"RNN-6a": _result(0, 10, None), "T9-6a": _result(20, 20, 30_000)}}
    vs = V.verdicts(results, {}, tables=["9"], baselines=True)
    base = [v for v in vs if v.key == "RNN-6a"][0]
    assert base.verdict == V.BASELINE and base.paper_rate is None and base.paper_mean is None
    line = [l for l in V.verdict_markdown(vs).splitlines() if l.startswith("| RNN 6a")][0]
    assert line == "| RNN 6a | – | 0/10 | baseline |"
    assert V.verdict_summary(vs) == "1 of 2 LSTM rows reproduced, 0 slower than the paper, 1 not reproduced (1 not run yet)."


def test_shipped_verdicts_follow_the_rule():
    """On the shipped results: every verdict recomputed by hand from the stored summaries."""
    results = load_results()
    vs = V.verdicts(results, {})
    lstm = [r for r in ROWS if r.model == "lstm1997"]
    assert [v.key for v in vs] == [r.key for r in lstm] and len(vs) == 31
    expect = []
    for row in lstm:
        s = results["rows"][row.key]["summary"]
        rate = row.paper.success_rate if isinstance(row.paper.success_rate, (int, float)) else 100
        ok = s["trials"] >= (row.paper.trials or row.trials) and 100 * s["solved"] / s["trials"] >= rate and s["sequences_mean"]
        if ok and s["sequences_mean"] <= 1.5 * row.paper.sequences_to_success:
            expect.append(V.REPRODUCED)
        else:
            expect.append(V.SLOWER if ok else V.NOT_REPRODUCED)
    assert [v.verdict for v in vs] == expect
    n = expect.count(V.REPRODUCED)
    assert V.verdict_summary(vs).startswith(f"{n} of 31 LSTM rows reproduced, {expect.count(V.SLOWER)} slower")
    reproduced = {v.key for v in vs if v.verdict == V.REPRODUCED}
    # the 1000-step sentence counts the same verdicts
    long = [k for k in V.long_lag_keys() if k in reproduced]
    sentence = V.long_lag_summary(vs)
    if long:
        assert f"{len(long)} {'is' if len(long) == 1 else 'are'} reproduced" in sentence
    else:
        assert " reproduced (" not in sentence and " are reproduced" not in sentence
    # the reduced rows are the ones with fewer trials than the paper's, and say so
    reduced = {v.key for v in vs if v.detail.startswith("reduced run")}
    assert reduced == {r.key for r in lstm if results["rows"][r.key]["summary"]["trials"] < (r.paper.trials or r.trials)}


def test_markdown_is_compact():
    md = V.verdict_markdown(V.verdicts(load_results(), {}))
    lines = md.splitlines()
    assert lines[0] == "| row | paper | ours | verdict |" and len(lines) == 2 + 31
    assert "| 2c q100 p100 | 100% · 31,000 | 0/20 | not reproduced |" in lines


def test_tables_filter_and_bad_input():
    vs = V.verdicts(load_results(), {}, tables=["7"])
    assert [v.key for v in vs] == ["T7-adding-T100", "T7-adding-T500", "T7-adding-T1000"]
    with pytest.raises(ValueError, match="unknown paper tables"):
        V.verdicts(load_results(), {}, tables=["12"])
    with pytest.raises(ValueError, match="no LSTM rows"):
        V.verdict_summary([])


def test_verdicts_do_not_load_the_training_engines():
    """A chapter that states verdicts imports no engine (numba) code."""
    import subprocess
    import sys

    code = ("import sys; from lstm_core.reproduction.verdicts import verdicts; verdicts(); "
            "print(any(m.startswith(('lstm_core.training', 'numba')) for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_long_lag_summary_counts_the_1000_step_rows():
    keys = V.long_lag_keys()
    assert keys == ["T3-2c-q1000-p1000", "T3-2c-q1000-p500", "T3-2c-q1000-p200", "T3-2c-q1000-p100",
                    "T3-2c-q1000-p50", "T4-3a-T1000-N3", "T5-3b-T1000-N1", "T7-adding-T1000"]
    results = {"rows": {k: _result(0, 20 if k.startswith("T3") else 10, None) for k in keys}}
    assert V.long_lag_summary(V.verdicts(results, {})) == \
        "Of the paper's 8 rows with time lags of about 1000 steps, 8 are not reproduced by our runs."
    results["rows"]["T4-3a-T1000-N3"] = _result(10, 10, 400_000)
    results["rows"]["T7-adding-T1000"] = _result(10, 10, 2_000_000)
    assert V.long_lag_summary(V.verdicts(results, {})) == (
        "Of the paper's 8 rows with time lags of about 1000 steps, 1 is reproduced (3a T1000 N3), "
        "1 is slower than the paper (adding T1000) and 6 are not reproduced by our runs.")
    with pytest.raises(ValueError, match="1000-step rows"):
        V.long_lag_summary([V.verdict_for(get_row("T9-6a"), _result(20, 20, 30_000))])

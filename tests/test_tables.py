"""lstm_core.reproduction.tables: the paper beside ours, the shortfalls, the choices we made."""

from __future__ import annotations

import pytest

from lstm_core.reproduction.results import load_results
from lstm_core.reproduction.rows import PROTOCOL_CHOICES
from lstm_core.reproduction.tables import (
    SHORTFALLS, choices_markdown, comparison_or_pending, short_rows, shortfall_markdown,
)
from lstm_core.tasks import CHOICES, Choice


# ---------------------------------------------------------------------------------------
# The table of choices
# ---------------------------------------------------------------------------------------
def _unescaped_pipes(line: str) -> int:
    return sum(1 for i, ch in enumerate(line) if ch == "|" and (i == 0 or line[i - 1] != "\\"))


def test_choices_table_has_every_choice_once_with_five_columns():
    from lstm_core.reproduction.tables import adopted_choices

    lines = choices_markdown().splitlines()
    adopted = adopted_choices()
    assert adopted, "the rows that adopted a reading are in the one choices table"
    assert len(lines) == 2 + len(CHOICES) + len(PROTOCOL_CHOICES) + len(adopted)
    assert all(_unescaped_pipes(line) == 6 for line in lines)  # 5 columns in every row
    topics = [line.split(" | ")[1] for line in lines[2:]]
    assert topics == [c.topic.replace("|", "\\|") for c in list(CHOICES) + list(PROTOCOL_CHOICES) + adopted]


def test_choices_table_escapes_pipes_and_joins_lines():
    md = choices_markdown([Choice("2c", "b, x|y", "two\nlines", "c", "w")])
    assert md.splitlines()[2] == "| 2c | b, x\\|y | two lines | c | w |"


@pytest.mark.parametrize("bad", [[], ["not a choice"]])
def test_choices_table_rejects_bad_input(bad):
    with pytest.raises(ValueError):
        choices_markdown(bad)


# ---------------------------------------------------------------------------------------
# Paper-vs-ours tables with rows still missing
# ---------------------------------------------------------------------------------------
def _fake_result(solved: int, trials: int) -> dict:
    summary = {"trials": trials, "solved": solved, "success_rate": 100.0 * solved / trials, "diverged": 0,
               "sequences_mean": 1000.0 if solved else None, "sequences_min": 900 if solved else None,
               "sequences_max": 1100 if solved else None, "st1_mean": None, "test_wrong_mean": 0.0 if solved else None,
               "test_fraction_wrong": 0.0 if solved else None, "test_mse_mean": None, "budget": 5000}
    return {"summary": summary, "seconds": 1.0, "trials": []}


def test_comparison_or_pending_lists_missing_rows():
    only_first = {"rows": {"T8-multiplication-nseq140": _fake_result(1, 2)}}
    md = comparison_or_pending(only_first, ["8"])
    table, note = md.split("\n\n")
    assert table.count("\n| 8 |") == 1 and "1 / 2" in table  # the row that is there
    assert note == "*Not in these results yet: T8-multiplication-nseq13.*"
    both = {"rows": {"T8-multiplication-nseq140": _fake_result(1, 2), "T8-multiplication-nseq13": _fake_result(0, 2)}}
    assert "Not in these results" not in comparison_or_pending(both, ["8"])
    assert comparison_or_pending({"rows": {}}, ["2b"]) == "*Not in these results yet: T2b-2b-p100.*"
    with pytest.raises(ValueError):
        comparison_or_pending(both, [])
    with pytest.raises(ValueError):
        comparison_or_pending(both, ["11"])


# ---------------------------------------------------------------------------------------
# Where the reproduction falls short
# ---------------------------------------------------------------------------------------
def test_every_short_row_of_the_shipped_results_is_explained():
    results = load_results()
    covered = {k for group in SHORTFALLS for k in group.keys(results)}
    assert set(short_rows(results)) <= covered, "a row that falls short has no entry in tables.SHORTFALLS"
    table = shortfall_markdown(results)
    assert table.count("\n- **") + 1 == sum(bool(group.keys(results)) for group in SHORTFALLS)


def test_shortfall_counts_come_from_the_results():
    def row(solved, trials, wrong):
        trial = {"test_wrong": wrong, "test_size": 2560}
        return {"summary": {"solved": solved, "trials": trials}, "trials": [trial] * trials}

    fake = {"rows": {"T7-adding-T100": row(1, 4, 256), "T7-adding-T500": row(0, 2, 2560),
                     "T9-6a": row(5, 5, 0)}}
    text = shortfall_markdown(fake)
    assert text.count("- **") == 1  # the adding group only
    assert text.startswith("- **Adding problem (Table 7)**, 2 rows: 1 of 6 trials met the criterion; "
                           "final test sets 10.0 % to 100.0 % wrong")


def test_readings_measured_sums_trials_over_rows_and_flags_departures():
    from lstm_core.reproduction.tables import readings_measured

    res = lambda solved, trials: {"summary": {"solved": solved, "trials": trials}}  # noqa: E731
    abl = {"rows": {"T3-2c-q50-p50": {"literal": res(0, 20), "igb-neg": res(3, 20)},
                    "T3-2c-q100-p100": {"literal": res(1, 20)}}}
    assert readings_measured(["T3-2c-q50-p50", "T3-2c-q100-p100"], abl) == [
        "igb-neg 3 of 20 (1 row, a departure from the paper)", "literal 1 of 40 (2 rows)"]
    assert readings_measured(["T9-6b"], abl) == []
    text = shortfall_markdown({"rows": {"T3-2c-q50-p50": {"summary": {"solved": 0, "trials": 20}, "trials": []}}}, abl)
    assert "*Readings measured* (trials that met the criterion, of those run): igb-neg 3 of 20" in text


def test_the_multiplication_shortfall_says_what_the_shipped_trials_show():
    """The n_seq = 13 text: solved trials faster than the paper's mean; all unsolved but one under 4 % wrong."""
    from lstm_core.reproduction.rows import get_row
    from lstm_core.reproduction.tables import SHORTFALLS

    key = "T8-multiplication-nseq13"
    text = next(s for s in SHORTFALLS if key in s.prefixes).suspect
    assert "lr-x2" in text and "fewer sequences than the paper's mean" in text and "all but one" in text
    res = load_results()["rows"][key]
    assert get_row(key).reading == "lr-x2"
    solved = [t for t in res["trials"] if t["solved"]]
    assert solved and all(t["sequences"] < get_row(key).paper.sequences_to_success for t in solved)
    unsolved = [t["test_wrong"] / t["test_size"] for t in res["trials"] if not t["solved"]]
    assert sum(f >= 0.04 for f in unsolved) == 1 and len(unsolved) > 1

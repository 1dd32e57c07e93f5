"""Tests of lstm_core.reproduction.paper and .literature: the paper's tables (and Gers 2000's, the timeline) as data.

Three kinds of check:
1. fidelity: every number of every table equals the project's reference transcription
   (skipped where the shared reference folder is not beside the project);
2. internal consistency: weight counts follow connectivity "F", lags are T/2, rates and
   biases agree between Table 10 and the experiment tables, percentages add up;
3. the API: renderers, errors, immutability, the timeline.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from pathlib import Path

import pytest

from lstm_core.reproduction.literature import GERS_2000, TIMELINE, events_between
from lstm_core.reproduction.paper import (
    TABLE_1, TABLE_2, TABLE_2B, TABLE_3, TABLE_4, TABLE_5, TABLE_6, TABLE_7, TABLE_8, TABLE_9, TABLE_10, TABLES,
    BiasSpec, PaperRow, Reported, as_markdown, format_value, get_table,
)

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT.parent / "shared" / "reference" / "paper-1997-experiments.md"

# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

_NUMBER = re.compile(r"[−-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")


def numbers_in(text: str) -> list[float]:
    """All numbers in a table line, as printed: '1,043,000' -> 1043000.0, '−3' -> -3.0."""
    return [float(m.replace(",", "").replace("−", "-")) for m in _NUMBER.findall(text)]


def body_lines(markdown: str) -> list[str]:
    """The row lines of the first pipe table in ``markdown`` (no header, no separator)."""
    lines = []
    for line in markdown.splitlines():
        if not line.startswith("|"):
            if lines:
                break
            continue
        lines.append(line)
    return lines[2:]


def weights_connectivity_f(n_in: int, n_out: int, blocks: int, cells_per_block: int, n_biases: int) -> int:
    """Weight count of a 1997 net with connectivity "F" (reference, Sec. 0), derived by hand.

    Hidden units H = cells + 2 gates per block; every hidden unit sees all inputs and all hidden
    units; the outputs see the cells only; plus the listed bias weights.
    """
    cells = blocks * cells_per_block
    hidden = cells + 2 * blocks
    return hidden * (n_in + hidden) + n_out * cells + n_biases


def hidden_units(row: PaperRow) -> int:
    return row.setting["blocks"] * (row.setting["cells_per_block"] + 2)


# ---------------------------------------------------------------------------
# 1. fidelity against the reference transcription
# ---------------------------------------------------------------------------


def reference_tables() -> dict[str, list[str]]:
    """The reference file's result tables, keyed like TABLES, as lists of row lines."""
    if not REFERENCE.exists():
        pytest.skip("the shared reference folder is not beside the project")
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in REFERENCE.read_text(encoding="utf-8").splitlines():
        if line.startswith("|"):
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    by_header = {
        "| method | hidden units": "1",
        "| Method | p | lr": "2",
        "| q (lag−1)": "3",
        "| T | min lag": "7",
        "| T | lag | #w | n_seq": "8",
        "| task | #w": "9",
        "| Task | ogb": "10",
        "| Algorithm": "gers2000",
    }
    found: dict[str, list[str]] = {}
    for block in blocks:
        header, rows = block[0], block[2:]
        if header.startswith("| Table | T | N"):  # Tables 4-6 share one block; split by the first cell
            for row in rows:
                table = row.split("|")[1].strip().split()[0]
                # drop the first cell ("4 (3a)"): it names the table, it is no number of the row
                found.setdefault(table, []).append("|" + row.split("|", 2)[2])
            continue
        for prefix, key in by_header.items():
            if header.startswith(prefix):
                found[key] = rows
    return found


@pytest.mark.parametrize("name", ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "gers2000"])
def test_every_number_matches_the_reference(name: str) -> None:
    reference = reference_tables()[name]
    ours = body_lines(as_markdown(name))
    assert len(ours) == len(reference), f"table {name}: {len(ours)} rows, reference has {len(reference)}"
    for mine, theirs in zip(ours, reference):
        assert Counter(numbers_in(mine)) == Counter(numbers_in(theirs)), f"table {name}:\n{mine}\n{theirs}"


def test_2b_matches_the_reference_text() -> None:
    if not REFERENCE.exists():
        pytest.skip("the shared reference folder is not beside the project")
    text = REFERENCE.read_text(encoding="utf-8")
    line = next(l for l in text.splitlines() if "mean 5,680 sequences" in l)
    (row,) = TABLE_2B
    assert {row.success_rate, row.sequences_to_success, row.setting["p"], row.trials} <= set(numbers_in(line))


def test_the_number_extractor_itself() -> None:
    assert numbers_in("| 1 | −1,−2,−3(,−4) | r | 0.1/0.2/0.5 | 1,043,000 | ≈119–198 |") == [
        1, -1, -2, -3, -4, 0.1, 0.2, 0.5, 1043000, 119, 198]


# ---------------------------------------------------------------------------
# 2. internal consistency
# ---------------------------------------------------------------------------


def test_table3_weights_are_6p_plus_64_and_q_over_p() -> None:
    for row in TABLE_3:
        p, q = row.setting["p"], row.setting["q"]
        assert row.n_weights == 6 * p + 64
        assert row.setting["q/p"] * p == q


@pytest.mark.parametrize(
    "rows, n_in, n_out, biases",
    [
        # Exp 1: 7 in / 7 out, only the gates are biased
        (TABLE_1[4:], lambda r: 7, lambda r: 7, lambda r, h, o: 2 * r.setting["blocks"]),
        # Exp 2c: p + 4 inputs, 2 outputs, no biases
        (TABLE_3, lambda r: r.setting["p"] + 4, lambda r: 2, lambda r, h, o: 0),
        # Exp 3: 1 in / 1 out, all hidden units biased
        (TABLE_4 + TABLE_5 + TABLE_6, lambda r: 1, lambda r: 1, lambda r, h, o: h),
        # Exp 4 and 5: 2 in / 1 out, all non-input units biased
        (TABLE_7 + TABLE_8, lambda r: 2, lambda r: 1, lambda r, h, o: h + o),
        # Exp 6a / 6b: 8 inputs, one output per class (4 / 8), all non-input units biased
        (TABLE_9, lambda r: 8, lambda r: {"6a": 4, "6b": 8}[r.experiment], lambda r, h, o: h + o),
    ],
    ids=["exp1", "exp2c", "exp3", "exp4-5", "exp6"],
)
def test_lstm_weight_counts_follow_connectivity_f(rows, n_in, n_out, biases) -> None:
    for row in rows:
        h, o = hidden_units(row), n_out(row)
        expected = weights_connectivity_f(n_in(row), o, row.setting["blocks"], row.setting["cells_per_block"],
                                          biases(row, h, o))
        assert row.n_weights == expected, row


def test_weight_formula_on_a_hand_count() -> None:
    # 1 block of 1 cell, 1 input, 1 output, no biases: 3 hidden units x (1 + 3) inputs + 1 output weight
    assert weights_connectivity_f(1, 1, 1, 1, 0) == 13


def test_table2_fully_recurrent_baselines_have_p_plus_2_squared_weights() -> None:
    # an observed regularity of the printed counts: (p + 2)^2 for every RTRL and BPTT row
    for row in TABLE_2:
        if row.method in ("RTRL", "BPTT"):
            assert row.n_weights == (row.setting["p"] + 2) ** 2


def test_adding_and_multiplication_lags_are_half_of_t() -> None:
    for row in TABLE_7 + TABLE_8:
        assert row.setting["min_lag"] * 2 == row.setting["T"]


def test_table1_has_two_failures_in_150_lstm_trials() -> None:
    lstm = [r for r in TABLE_1 if r.method == "LSTM"]
    assert sum(r.trials for r in lstm) == 150
    failures = sum(round(r.trials * (100 - r.success_rate) / 100) for r in lstm)
    assert failures == 2


def test_means_lie_inside_their_reported_ranges() -> None:
    ranged = [r for t in TABLES.values() for r in t.rows if getattr(r, "sequences_range", None)]
    assert {(r.table, r.sequences_range) for r in ranged} == {("1", (3_800, 24_100)), ("7", (370_000, 2_020_000))}
    for row in ranged:
        low, high = row.sequences_range
        assert low <= row.sequences_to_success <= high


def test_st1_comes_before_st2() -> None:
    for row in TABLE_4 + TABLE_5:
        assert row.results["st1_sequences"] < row.sequences_to_success


def test_table4_fractions_are_whole_numbers_of_wrong_sequences() -> None:
    # 10 trials x 2560 test sequences; the printed fraction has 3 significant digits
    for row in TABLE_4:
        wrong = row.results["fraction_wrong"] * row.trials * 2560
        assert abs(wrong - round(wrong)) < 0.013, wrong


def test_test_errors_stay_within_the_texts_bounds() -> None:
    assert all(r.test_wrong_of_2560 <= 3 for r in TABLE_7)  # "at most 3 wrong"
    assert [r.test_wrong_of_2560 <= m for r, m in zip(TABLE_8, (170, 15))] == [True, True]


def test_table10_learning_rates_match_the_experiment_tables() -> None:
    by_task = {row.task: row.learning_rates for row in TABLE_10}
    assert set(by_task["1"]) == {r.learning_rate for r in TABLE_1 if r.method == "LSTM"}
    assert by_task["2a/2b"] == tuple(r.learning_rate for r in TABLE_2 if r.method == "LSTM")
    assert by_task["2c"] == tuple({r.learning_rate for r in TABLE_3})
    assert by_task["3a/3b/3c"] == tuple(t[0].learning_rate for t in (TABLE_4, TABLE_5, TABLE_6))
    assert by_task["4"] == tuple({r.learning_rate for r in TABLE_7})
    assert by_task["5"] == tuple({r.learning_rate for r in TABLE_8})
    assert (by_task["6a"], by_task["6b"]) == ((TABLE_9[0].learning_rate,), (TABLE_9[1].learning_rate,))


def test_table10_has_one_fixed_bias_per_block() -> None:
    by_task = {row.task: row for row in TABLE_10}
    blocks_exp1 = {r.setting["blocks"] for r in TABLE_1 if r.method == "LSTM"}
    ogb1 = by_task["1"].output_gate_bias
    assert blocks_exp1 == {len(ogb1.values), len(ogb1.values) + len(ogb1.optional)}
    for task, rows in (("3a/3b/3c", TABLE_4 + TABLE_5 + TABLE_6), ("4", TABLE_7), ("6a", TABLE_9[:1]),
                       ("6b", TABLE_9[1:])):
        row = by_task[task]
        for spec in (row.output_gate_bias, row.input_gate_bias):
            if spec.kind == "fixed":
                assert {len(spec.values)} == {r.setting["blocks"] for r in rows}, task


def test_gers_percentages_add_up_to_100() -> None:
    for row in GERS_2000:
        assert row.perfect_percent + row.good_percent + row.rest_percent == 100
        assert (row.training_streams is None) == (row.perfect_percent == 0)


def test_every_row_knows_its_table() -> None:
    for name, table in TABLES.items():
        assert len(table) > 0
        for row in table:
            if isinstance(row, PaperRow):
                assert row.table == name


# ---------------------------------------------------------------------------
# 3. API: renderers, errors, immutability, timeline
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(TABLES))
def test_markdown_has_one_line_per_row_and_aligned_columns(name: str) -> None:
    text = as_markdown(name)
    header = text.splitlines()[0]
    rows = body_lines(text)
    assert len(rows) == len(TABLES[name].rows)
    n_columns = header.count("|")
    assert all(line.count("|") == n_columns for line in rows)
    assert TABLES[name].source in text


def test_markdown_of_table9_by_hand() -> None:
    assert body_lines(as_markdown("9")) == ["| 6a | 156 | 1 | 31,390 | 20 |", "| 6b | 308 | 2 | 571,100 | 10 |"]


@pytest.mark.parametrize("bad", ["11", "Table 1", "", "gers"])
def test_unknown_table_names_raise(bad: str) -> None:
    with pytest.raises(ValueError, match="unknown table"):
        as_markdown(bad)
    with pytest.raises(ValueError, match="expected one of"):
        get_table(bad)


def test_format_value_prints_like_the_paper() -> None:
    assert format_value(1_043_000) == "1,043,000"
    assert format_value(0.000078) == "0.000078"
    assert format_value(1.0) == "1.0"
    assert format_value(None) == "–"
    assert str(Reported(5_000_000, more_than=True)) == ">5,000,000"
    assert str(Reported(119, 198, approx=True)) == "≈119–198"


def test_bad_values_raise() -> None:
    with pytest.raises(ValueError, match="reversed"):
        Reported(9, 7)
    with pytest.raises(ValueError, match="lower bound"):
        Reported(1, 2, more_than=True)
    with pytest.raises(ValueError, match="kind"):
        BiasSpec("sometimes")
    with pytest.raises(ValueError, match="values"):
        BiasSpec("random", (-1.0,))


def test_rows_are_frozen() -> None:
    row = TABLE_3[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        row.n_weights = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        row.setting["p"] = 1  # type: ignore[index]
    assert hash(row) == hash(TABLE_3[0])


def test_timeline_is_in_order_and_every_event_is_cited() -> None:
    years = [e.year for e in TIMELINE]
    assert years == sorted(years) and len(set(years)) == len(years)
    assert years[0] == 1991 and 1997 in years
    bib = (ROOT / "chapters" / "references.bib").read_text(encoding="utf-8")
    keys = set(re.findall(r"@\w+\{([^,]+),", bib))
    assert {e.cite_key for e in TIMELINE} <= keys


def test_events_between() -> None:
    assert [e.year for e in events_between(1997, 2005)] == [1997, 1999, 2005]
    assert events_between(1800, 1900) == ()
    with pytest.raises(ValueError, match="first_year"):
        events_between(2000, 1990)


def test_docstring_examples_run() -> None:
    import doctest

    import lstm_core.reproduction.literature as literature
    import lstm_core.reproduction.paper as paper

    result = doctest.testmod(paper, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 5 and result.failed == 0
    result = doctest.testmod(literature, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 2 and result.failed == 0

"""The side-by-side tables of lstm_core.reproduction.tables: what each column holds for each kind of row."""
import pytest

from lstm_core.reproduction.rows import ROWS, get_row
from lstm_core.reproduction.tables import SPEED_COLUMNS, TEST_COLUMNS, comparison_markdown, comparison_rows


def _result(solved: int, trials: int, budget: int = 5000) -> dict:
    summary = {"trials": trials, "solved": solved, "success_rate": solved / trials, "diverged": 0,
               "sequences_mean": 1000.0 if solved else None, "sequences_min": 900 if solved else None,
               "sequences_max": 1100 if solved else None, "st1_mean": None,
               "test_wrong_mean": 0.0 if solved else None, "test_fraction_wrong": 0.0 if solved else None,
               "test_mse_mean": None, "budget": budget}
    return {"summary": summary, "seconds": 1.0, "trials": []}


def test_baseline_rows_show_no_paper_numbers_and_lstm_rows_do():
    rnn_keys = [row.key for row in ROWS if row.model == "rnn"]
    assert rnn_keys, "the reproduction has vanilla-RNN baseline rows"
    lstm_key = "T9-6a"
    results = {"rows": {k: _result(0, 10) for k in [lstm_key, *rnn_keys]}}
    rows = {r["row"]: r for r in comparison_rows(results)}
    paper_columns = ("paper: success", "paper: sequences", "paper: test")
    baselines = [r for label, r in rows.items() if label.startswith("vanilla RNN baseline")]
    assert len(baselines) == len(rnn_keys)
    for r in baselines:  # the paper ran no vanilla RNN on these tasks
        assert all(r[c] == "–" for c in paper_columns), r
    lstm = next(r for label, r in rows.items() if not label.startswith("vanilla"))
    paper = get_row(lstm_key).paper
    assert lstm["paper: sequences"] == f"{paper.sequences_to_success:,}"  # 31,390
    assert lstm["paper: test"] == f"{paper.test_wrong_of_2560} / 2560"


def test_columns_pick_and_order_the_table_and_bad_names_are_refused():
    results = {"rows": {"T9-6a": _result(1, 2), "RNN-6a": _result(0, 2)}}
    whole = comparison_markdown(results, ["9"])
    for columns in (SPEED_COLUMNS, TEST_COLUMNS):
        md = comparison_markdown(results, ["9"], columns=columns)
        assert md.splitlines()[0] == "| " + " | ".join(columns) + " |"
        assert len(md.splitlines()) == 2 + 2  # header, rule, two rows
    ours = {c for c in comparison_rows(results)[0] if c.startswith("ours:")}
    assert ours <= set(SPEED_COLUMNS) | set(TEST_COLUMNS)  # every column of ours is in one half
    assert len(SPEED_COLUMNS) <= 5 and len(TEST_COLUMNS) <= 5  # narrow enough for a phone
    assert whole.splitlines()[0].count("|") == 11  # the whole table keeps its ten columns
    md = comparison_markdown(results, ["9"], columns=["row", "ours: solved"])
    assert md.splitlines()[2].startswith("| 6a, α = 0.5 | 1 / 2")
    with pytest.raises(ValueError, match="columns must be some of"):
        comparison_markdown(results, ["9"], columns=["ours: speed"])
    with pytest.raises(ValueError, match="columns must be some of"):
        comparison_markdown(results, ["9"], columns=[])


def test_halves_stack_the_two_tables_and_name_missing_rows():
    from lstm_core.reproduction.tables import comparison_halves
    results = {"rows": {"T9-6a": _result(1, 2), "RNN-6a": _result(0, 2)}}
    md = comparison_halves(results, ["9"])
    speed, test, missing = md.split("\n\n**")[0], md.split("\n\n**")[1], md.rsplit("\n\n", 1)[-1]
    assert speed.startswith("**Trials that met") and "| row | paper: sequences (success) |" in speed  # no "table" column
    assert "| 31,390 |" in speed  # the paper gives no success rate for Table 9: the sequences alone
    assert test.startswith("Test errors") and "| row | paper: test |" in test
    assert missing == "*Not in these results yet: T9-6b.*"
    several = comparison_halves({"rows": {**results["rows"], "T7-adding-T100": _result(0, 10)}}, ["7", "9"])
    assert "| table |" not in several and "| Table 9: 6a, α = 0.5 |" in several  # the table is in the row's name

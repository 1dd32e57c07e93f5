"""The readings rows ship with (rows.ADOPTED), checked against the shipped data.

A row adopts a reading only when it measured better than the literal one; these tests fail when
the data and the rows' definitions part ways: an adopted reading that is not (or no longer) the
best measured, a row whose literal run is lost, a shipped result that is not the run of the
row's definition.
"""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest

from lstm_core.reproduction import tables as T
from lstm_core.reproduction.readings import LITERAL
from lstm_core.reproduction.results import load_ablations, load_results
from lstm_core.reproduction.rows import ADOPTED, LITERAL_ROWS, ROWS, get_row, literal_row
from lstm_core.reproduction.verdicts import best_reading

RESULTS = load_results()
ABLATIONS = load_ablations()


def _definition(row):
    return json.loads(json.dumps(asdict(row)))


@pytest.mark.parametrize("key", sorted(ADOPTED))
def test_an_adopted_reading_is_the_best_measured_and_beats_the_literal_one(key):
    row = get_row(key)
    shipped = RESULTS["rows"][key]
    literal = ABLATIONS["rows"][key][LITERAL]  # the literal run stays, beside the adopted one
    assert best_reading(key, ABLATIONS, shipped)[0] == row.reading == ADOPTED[key]
    ours, lit = shipped["summary"], literal["summary"]
    assert (ours["solved"], -(ours["sequences_mean"] or 1e18)) > (lit["solved"], -(lit["sequences_mean"] or 1e18))
    assert literal["row"] == {k: v for k, v in _definition(literal_row(key)).items() if k in literal["row"]}


@pytest.mark.parametrize("key", sorted({k for k in ABLATIONS["rows"]} - set(ADOPTED)))
def test_a_row_that_adopted_nothing_has_no_better_reading(key):
    """Where the ablations hold a reading better than the literal one, the row must adopt it."""
    assert get_row(key) == literal_row(key)
    assert best_reading(key, ABLATIONS, RESULTS["rows"][key])[0] == LITERAL


@pytest.mark.parametrize("key", sorted(ADOPTED))
def test_the_shipped_result_of_an_adopted_row_is_the_ablation_run_of_that_reading(key):
    shipped, ablation = RESULTS["rows"][key], ABLATIONS["rows"][key][ADOPTED[key]]
    assert shipped["trials"] == ablation["trials"] and shipped["budget"] == ablation["budget"]
    assert shipped["example_weights"] is not None and shipped["trials"][shipped["example_trial"]]["solved"]


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.key)
def test_every_shipped_result_is_a_run_of_the_row_as_defined(row):
    """Fields a result predates (added to Row later) must hold their default in the row."""
    stored = RESULTS["rows"][row.key]["row"]
    defaults = _definition(type(row)(key="", table="", paper_index=0, task_config="", network="", learning_rate=1.0,
                                     trials=1, budget=1))
    assert {k: stored.get(k, defaults[k]) for k in defaults} == _definition(row)


def test_the_readings_table_sets_literal_beside_shipped():
    md = T.readings_markdown(RESULTS, ABLATIONS).splitlines()
    assert md[0].startswith("| row | paper") and len(md) == 2 + len(T.reading_rows(RESULTS, ABLATIONS))
    line = next(l for l in md if l.startswith("| T1-reber-3x2-lr0.5 |"))
    lit, ours = ABLATIONS["rows"]["T1-reber-3x2-lr0.5"][LITERAL]["summary"], RESULTS["rows"]["T1-reber-3x2-lr0.5"]["summary"]
    reading = get_row("T1-reber-3x2-lr0.5").reading
    assert f"| {lit['solved']}/{lit['trials']}" in line and f"| {reading} | {ours['solved']}/{ours['trials']}" in line


def test_the_choices_table_counts_the_adopted_readings_from_the_data():
    choices = T.adopted_choices(RESULTS, ABLATIONS)
    assert {c.topic for c in choices} == {"reading adopted by " + ", ".join(
        k.split("-", 1)[1].replace("-", " ") for k in ADOPTED if ADOPTED[k] == r) for r in set(ADOPTED.values())}
    for reading in set(ADOPTED.values()):
        choice = next(c for c in choices if f"(reading '{reading}')" in c.we_chose)
        keys = [k for k, r in ADOPTED.items() if r == reading]
        solved = sum(RESULTS["rows"][k]["summary"]["solved"] for k in keys)
        trials = sum(get_row(k).trials for k in keys)
        lit = sum(ABLATIONS["rows"][k][LITERAL]["summary"]["solved"] for k in keys)
        assert f"measured: {solved} of {trials} trials met the paper's criterion under it, {lit} of {trials}" in choice.why
    assert all(c.topic in T.choices_markdown() for c in choices)


def test_literal_rows_are_the_text_as_read():
    assert len(LITERAL_ROWS) == len(ROWS) and all(r.reading == LITERAL for r in LITERAL_ROWS)
    with pytest.raises(ValueError, match="unknown row"):
        literal_row("T99-nothing")

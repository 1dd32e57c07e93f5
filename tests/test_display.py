"""The chapters' small result tables: numbers written as numbers, bad rows refused."""

import numpy as np
import pytest

from lstm_core.display import cell_text, mapping_table, markdown_table


# ---------------------------------------------------------------------------------------
# the chapters' small result tables
# ---------------------------------------------------------------------------------------
def test_markdown_table_writes_numbers_not_reprs():
    table = markdown_table(["name", "value", "n"], [("a|b", np.float64(0.123456), np.int64(3)), ("$y^c$", 2.0, True)])
    assert table._repr_markdown_() == str(table)
    assert str(table).splitlines() == ["| name | value | n |", "|---|---|---|", "| a\\|b | 0.1235 | 3 |",
                                       "| $y^c$ | 2 | yes |"]
    assert "np.float64" not in table
    with pytest.raises(ValueError, match="row 0 has 2 cells, the header 3"):
        markdown_table(["a", "b", "c"], [(1, 2)])
    with pytest.raises(ValueError, match="digits"):
        markdown_table(["a"], [(1,)], digits=0)
    with pytest.raises(ValueError, match="at least one column"):
        markdown_table([], [])

def test_cells_are_plain_numbers_not_numpy_reprs():
    assert cell_text(np.float64(0.0024726)) == "0.002473"
    assert cell_text(np.int64(31390)) == "31,390"
    assert cell_text(np.bool_(True)) == "yes"
    assert cell_text(np.array([0.5, 0.25])) == "0.5, 0.25"
    assert cell_text(np.float64(0.5), "{:.1%}") == "50.0%"
    assert cell_text(None, "{:,.0f}") == "–"  # a missing value under a format
    assert cell_text("a | b") == "a \\| b"  # a pipe cannot split the cell
    assert "np." not in markdown_table(["x"], [[np.float32(1.5)]])


def test_markdown_table_shape_formats_and_errors():
    md = markdown_table(["phase", "accuracy"], [["at 1st X/Y", np.float64(0.5012)], ["last step", 1.0]],
                        formats={"accuracy": "{:.1%}"})
    assert md.splitlines() == ["| phase | accuracy |", "|---|---|", "| at 1st X/Y | 50.1% |", "| last step | 100.0% |"]
    with pytest.raises(ValueError, match="row 0 has 1 cells"):
        markdown_table(["a", "b"], [[1]])
    with pytest.raises(ValueError, match="not in the header"):
        markdown_table(["a"], [[1]], formats={"b": "{}"})
    with pytest.raises(ValueError, match="at least one column"):
        markdown_table([], [])


def test_mapping_table_spreads_tuples_over_columns():
    md = mapping_table({"on": (1.5, 120), "off": (2.0, 180)}, header=("scissors", "ms", "nodes"))
    assert md.splitlines()[2:] == ["| on | 1.5 | 120 |", "| off | 2 | 180 |"]

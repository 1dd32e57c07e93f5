"""The chapters' small result tables: numbers written as numbers, bad rows refused."""

import numpy as np
import pytest

from lstm_core.tables import markdown_table


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
    with pytest.raises(ValueError, match="digits must be a positive integer"):
        markdown_table(["a"], [(1,)], digits=0)
    with pytest.raises(ValueError, match="at least one column"):
        markdown_table([], [])

"""Small tables for the chapters: a Markdown table that a notebook displays as a table.

``markdown_table(header, rows)`` returns a ``MarkdownTable``, a ``str`` holding a pipe table
that Jupyter (and the book) render as a table, so a cell ends with a table instead of a dict of
``np.float64(...)``:

>>> print(markdown_table(["bias", "s_c after 1000 steps"], [(-6, 2.4726), (-3, 47.426)], digits=3))
| bias | s_c after 1000 steps |
|---|---|
| -6 | 2.47 |
| -3 | 47.4 |

Numbers are written with ``digits`` significant digits (integers as they are); text is kept as
given, so a cell may hold Markdown or math (``"$y^{in}$"``).
"""
from __future__ import annotations

import numbers
from typing import Any, Iterable, Sequence

__all__ = ["MarkdownTable", "markdown_table"]


class MarkdownTable(str):
    """A Markdown pipe table; notebooks display it as a table (``_repr_markdown_``)."""

    def _repr_markdown_(self) -> str:
        return str(self)


def _cell(value: Any, digits: int) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return f"{float(value):.{digits}g}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[Any]], *, digits: int = 4) -> MarkdownTable:
    """A pipe table with ``header`` as its first row and one line per row of ``rows``.

    Raises:
        ValueError: a row has another number of cells than ``header``, or ``header`` is empty,
            or ``digits`` is not a positive integer.
    """
    header = [str(h) for h in header]
    if not header:
        raise ValueError("markdown_table: header must name at least one column")
    if isinstance(digits, bool) or not isinstance(digits, int) or digits < 1:
        raise ValueError(f"markdown_table: digits must be a positive integer, got {digits!r}")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for i, row in enumerate(rows):
        row = list(row)
        if len(row) != len(header):
            raise ValueError(f"markdown_table: row {i} has {len(row)} cells, the header {len(header)} "
                             f"({header}); give every row one value per column")
        lines.append("| " + " | ".join(_cell(v, digits) for v in row) + " |")
    return MarkdownTable("\n".join(lines))

"""Small result tables for the chapters: rows of numbers as a Markdown table a notebook shows as a table.

A chapter that prints a result shows it as a short table, not as a dict of ``np.float64(...)``.
``markdown_table`` returns a :class:`MarkdownTable`, a ``str`` that Jupyter (and the book) render
as a table when it ends a cell, and that ``IPython.display.Markdown`` also takes:

>>> print(markdown_table(["bias", "s_c after 1000 steps"], [(-6, 2.4726), (-3, 47.426)], digits=3))
| bias | s_c after 1000 steps |
|---|---|
| -6 | 2.47 |
| -3 | 47.4 |

>>> print(markdown_table(["bias", "gate f(b)"], [[0.0, 0.5], [-6.0, np.float64(0.0024726)]],
...                      formats={"gate f(b)": "{:.4f}"}))
| bias | gate f(b) |
|---|---|
| 0 | 0.5000 |
| -6 | 0.0025 |

>>> print(mapping_table({"6a": 156, "6b": 308}, header=("network", "weights")))
| network | weights |
|---|---|
| 6a | 156 |
| 6b | 308 |

Cells are written by :func:`cell_text` unless a column has its own format string; text is kept as
given, so a cell may hold Markdown or math (``"$y^{in}$"``).
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional, Sequence

import numpy as np

from lstm_core.validation import positive_int

__all__ = ["MarkdownTable", "cell_text", "markdown_table", "mapping_table"]


class MarkdownTable(str):
    """A Markdown pipe table; notebooks display it as a table (``_repr_markdown_``)."""

    def _repr_markdown_(self) -> str:
        return str(self)


def cell_text(value: Any, fmt: Optional[str] = None, digits: int = 4) -> str:
    """One table cell: a dash for ``None``; else ``fmt.format(value)`` if given, else a plain rendering.

    Plain rendering: strings as they are; booleans as yes/no; integers as they are, with thousands
    separators from 10,000 on (so years stay years); other reals with ``digits`` significant
    digits; numpy scalars as the Python number they hold; lists, tuples and arrays as their cells
    joined by commas. A ``|`` is escaped and a line break becomes a space, so neither can split the row.

    >>> cell_text(np.float64(0.123456)), cell_text(31390), cell_text(1997), cell_text(None), cell_text(True)
    ('0.1235', '31,390', '1997', '–', 'yes')
    >>> cell_text([1, 2.5])
    '1, 2.5'
    """
    if isinstance(value, np.generic):
        value = value.item()
    if value is None:
        text = "–"  # also under a format: a missing value is a dash, not an error
    elif fmt is not None:
        text = fmt.format(value)
    elif isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, int):
        text = f"{value:,}" if abs(value) >= 10_000 else str(value)
    elif isinstance(value, float):
        text = f"{value:.{digits}g}"
    elif isinstance(value, (list, tuple, np.ndarray)):
        items = np.asarray(value, dtype=object).ravel() if isinstance(value, np.ndarray) else value
        text = ", ".join(cell_text(v, digits=digits) for v in items)
    else:
        text = str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[Any]], *, digits: int = 4,
                   formats: Optional[Mapping[str, str]] = None) -> MarkdownTable:
    """A pipe table: ``header`` (column names), then one line per row of ``rows``.

    ``digits`` is the number of significant digits of reals; ``formats`` maps a column name to a
    format string for that column's cells (e.g. ``"{:.1%}"``).

    Raises:
        ValueError: ``header`` is empty, a row has another number of cells than ``header``,
            ``formats`` names a column the header does not have, or ``digits`` is not a positive integer.
    """
    header = [str(h) for h in header]
    if not header:
        raise ValueError("markdown_table: header must name at least one column")
    digits = positive_int("digits", digits)
    formats = dict(formats or {})
    unknown = sorted(set(formats) - set(header))
    if unknown:
        raise ValueError(f"markdown_table: formats names columns {unknown} that are not in the header {header}")
    column_formats = [formats.get(h) for h in header]
    lines = ["| " + " | ".join(cell_text(h) for h in header) + " |", "|" + "---|" * len(header)]
    for i, row in enumerate(rows):
        row = list(row)
        if len(row) != len(header):
            raise ValueError(f"markdown_table: row {i} has {len(row)} cells, the header {len(header)} "
                             f"({header}); give every row one value per column")
        lines.append("| " + " | ".join(cell_text(v, f, digits) for v, f in zip(row, column_formats)) + " |")
    return MarkdownTable("\n".join(lines))


def mapping_table(mapping: Mapping[Any, Any], header: Sequence[str] = ("", "value"), *, digits: int = 4,
                  formats: Optional[Mapping[str, str]] = None) -> MarkdownTable:
    """A table of a mapping: one row per key, the key in the first column.

    A value that is a list or tuple fills as many columns as it has items (the header names them);
    any other value fills one.
    """
    rows = []
    for key, value in mapping.items():
        cells = list(value) if isinstance(value, (list, tuple)) else [value]
        rows.append([key, *cells])
    return markdown_table(header, rows, digits=digits, formats=formats)

"""Small result tables for the chapters: rows of numbers as Markdown, ready for ``IPython.display.Markdown``.

A chapter that prints a result shows it as a short table, not as a dict of ``np.float64(...)``:

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

Cells are formatted by :func:`cell_text` unless a column has its own format string.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

import numpy as np

__all__ = ["cell_text", "markdown_table", "mapping_table"]


def cell_text(value: Any, fmt: Optional[str] = None) -> str:
    """One table cell: a dash for ``None``; else ``fmt.format(value)`` if given, else a plain rendering.

    Plain rendering: strings as they are; booleans as yes/no; integers with
    thousands separators; floats with 4 significant digits; numpy scalars as the Python number
    they hold; lists, tuples and arrays as their cells joined by commas. A ``|`` is escaped so it
    cannot split the cell.

    >>> cell_text(np.float64(0.123456)), cell_text(31390), cell_text(None), cell_text(True), cell_text([1, 2.5])
    ('0.1235', '31,390', '–', 'yes', '1, 2.5')
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
        text = f"{value:,}"
    elif isinstance(value, float):
        text = f"{value:.4g}"
    elif isinstance(value, (list, tuple, np.ndarray)):
        text = ", ".join(cell_text(v) for v in np.asarray(value, dtype=object).ravel()) \
            if isinstance(value, np.ndarray) else ", ".join(cell_text(v) for v in value)
    else:
        text = str(value)
    return text.replace("|", "\\|")


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[Any]], *,
                   formats: Optional[Mapping[str, str]] = None) -> str:
    """A Markdown pipe table: ``header`` (column names), then one line per row of ``rows``.

    ``formats`` maps a column name to a format string for that column's cells (e.g. ``"{:.1%}"``).
    Raises ValueError if a row has a different number of cells than the header, or if ``formats``
    names a column the header does not have.
    """
    header = [str(h) for h in header]
    if not header:
        raise ValueError("markdown_table needs at least one column name in header")
    formats = dict(formats or {})
    unknown = sorted(set(formats) - set(header))
    if unknown:
        raise ValueError(f"formats names columns {unknown} that are not in the header {header}")
    column_formats = [formats.get(h) for h in header]
    lines = ["| " + " | ".join(cell_text(h) for h in header) + " |", "|" + "---|" * len(header)]
    for i, row in enumerate(rows):
        row = list(row)
        if len(row) != len(header):
            raise ValueError(f"row {i} has {len(row)} cells but the header has {len(header)} columns: {row!r}")
        lines.append("| " + " | ".join(cell_text(v, f) for v, f in zip(row, column_formats)) + " |")
    return "\n".join(lines)


def mapping_table(mapping: Mapping[Any, Any], header: Sequence[str] = ("", "value"), *,
                  formats: Optional[Mapping[str, str]] = None) -> str:
    """A two-or-more-column table of a mapping: one row per key, the key in the first column.

    A value that is a list or tuple fills as many columns as it has items (the header names them);
    any other value fills one.
    """
    rows = []
    for key, value in mapping.items():
        cells = list(value) if isinstance(value, (list, tuple)) else [value]
        rows.append([key, *cells])
    return markdown_table(header, rows, formats=formats)

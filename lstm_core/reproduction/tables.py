"""The reproduction's tables: the paper beside ours, where we fall short, and what we chose.

======================================  ==============================================================
name                                    what
======================================  ==============================================================
:func:`comparison_rows`                 one dict of printable cells per reproduced row, paper beside ours
:func:`comparison_markdown`             those rows as a Markdown table (the book renders it)
:func:`comparison_or_pending`           the same for some tables, naming their rows not in the results
:data:`SHORTFALLS`, :func:`short_rows`  the rows that do not reach the paper's result, what we tried
:func:`readings_measured`               the readings measured on some rows, their trials solved summed
:func:`shortfall_markdown`              :data:`SHORTFALLS` as a list, its counts read from the results
:func:`choices_markdown`                every place the paper is ambiguous and what we chose, one table
:func:`reading_rows`                    per row: the paper, the literal reading, the reading it ships with
:func:`readings_markdown`               those rows as a Markdown table
:func:`adopted_choices`                 the adopted readings as choices, their counts read from the data
======================================  ==============================================================

Every number in these tables is read from the results (:mod:`lstm_core.reproduction.results`)
or from the paper's tables (:mod:`lstm_core.reproduction.paper`); none is written here.

>>> md = choices_markdown()
>>> md.splitlines()[0]
'| experiment | topic | the paper says | we chose | why |'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Sequence

import numpy as np

from lstm_core.analysis.criteria import trial_error_rates
from lstm_core.reproduction.paper import format_value
from lstm_core.reproduction.readings import LITERAL, READINGS, is_faithful, reading_names
from lstm_core.reproduction.results import load_ablations, load_results
from lstm_core.reproduction.rows import ADOPTED, PROTOCOL_CHOICES, ROWS, get_row
from lstm_core.tasks import CHOICES, Choice

__all__ = ["comparison_rows", "comparison_markdown", "comparison_or_pending", "Shortfall", "SHORTFALLS",
           "short_rows", "shortfall_markdown", "readings_measured", "choices_markdown", "reading_rows", "readings_markdown",
           "adopted_choices"]


def _fmt(x: Any, digits: int = 0) -> str:
    if x is None:
        return "–"
    if isinstance(x, float) and digits:
        return f"{x:.{digits}f}"
    return format_value(round(x) if isinstance(x, float) else x)


def _paper_test(paper: Any) -> str:
    """The paper's test-set figure of a row, as printed."""
    results = dict(paper.results or {})
    if paper.test_wrong_of_2560 is not None:
        return f"{paper.test_wrong_of_2560} / 2560"
    if results.get("fraction_wrong") is not None:
        return f"{results['fraction_wrong']:g} wrong"
    return "–"


def _our_test(summary: dict[str, Any], table: str) -> str:
    if table in ("4", "5", "6") and summary.get("test_fraction_wrong") is not None:
        return f"{summary['test_fraction_wrong']:.5f} wrong"
    if summary.get("test_wrong_mean") is not None and table in ("7", "8", "9"):
        return f"{summary['test_wrong_mean']:.1f} / 2560"
    return "–"


def _median_wrong(res: dict[str, Any]) -> Optional[float]:
    """Median share of wrong final-test sequences over the trials that have a final test (None: none has)."""
    rates = trial_error_rates(res)
    return float(np.median(rates)) if rates.size else None


def _all_trials_test(res: dict[str, Any]) -> str:
    """Median share of wrong test sequences over every trial that did not diverge (from the trials)."""
    median = _median_wrong(res)
    return "–" if median is None else f"{100 * median:.1f} % of {res['trials'][0]['test_size']}"


def comparison_rows(results: dict[str, Any], tables: Optional[list[str]] = None) -> list[dict[str, str]]:
    """One dict of printable cells per reproduced row, paper beside ours (only ``tables`` if given)."""
    out = []
    for key, res in results["rows"].items():
        row = get_row(key)
        if tables is not None and row.table not in tables:
            continue
        paper = row.paper
        s = res["summary"]
        seq = "–"
        if s["sequences_mean"] is not None:
            seq = f"{_fmt(s['sequences_mean'])} ({_fmt(s['sequences_min'])} – {_fmt(s['sequences_max'])})"
        paper_rate = "–" if paper.success_rate is None else f"{format_value(paper.success_rate)} %"
        paper_cells = (paper_rate, format_value(paper.sequences_to_success), _paper_test(paper))
        if row.model == "rnn":  # the paper ran no vanilla RNN: its figures on this row are the LSTM's
            paper_cells = ("–", "–", "–")
        out.append({
            "table": row.table,
            "row": ("vanilla RNN baseline: " if row.model == "rnn" else "") + row.task_config + (f", {row.network}" if row.table == "1" else "") + f", α = {row.learning_rate:g}",
            "paper: success": paper_cells[0],
            "paper: sequences": paper_cells[1],
            "paper: test": paper_cells[2],
            "paper: sequences (success)": paper_cells[1] + ("" if paper_cells[0] == "–" else f" ({paper_cells[0]})"),
            "ours: solved": f"{s['solved']} / {s['trials']}" + (f" ({s['diverged']} diverged)" if s["diverged"] else "")
            + (f" (reduced run: the paper's protocol has {row.trials} trials)" if s["trials"] < row.trials else ""),
            "ours: sequences, mean (range)": seq if s["solved"] else f"not reached in {format_value(s['budget'])}",
            "ours: test": _our_test(s, row.table),
            "ours: test wrong, all trials (median)": _all_trials_test(res),
            "wall time": f"{res['seconds']:.0f} s",
        })
    return out


# The whole side-by-side table, and its two halves, each narrow enough for a phone (comparison_halves).
FULL_COLUMNS = ("table", "row", "paper: success", "paper: sequences", "paper: test", "ours: solved",
                "ours: sequences, mean (range)", "ours: test", "ours: test wrong, all trials (median)", "wall time")
SPEED_COLUMNS = ("table", "row", "paper: sequences (success)", "ours: solved", "ours: sequences, mean (range)")
TEST_COLUMNS = ("table", "row", "paper: test", "ours: test", "ours: test wrong, all trials (median)")


def comparison_markdown(results: Optional[dict[str, Any]] = None, tables: Optional[list[str]] = None,
                        columns: Optional[Sequence[str]] = None) -> str:
    """The side-by-side table as Markdown (the book renders it); ``tables`` picks some paper tables,
    ``columns`` some columns of :func:`comparison_rows` (e.g. :data:`SPEED_COLUMNS`), in that order."""
    results = load_results() if results is None else results
    rows = comparison_rows(results, tables)
    if not rows:
        raise ValueError(f"the results hold no rows of tables {tables}" if tables else "the results hold no rows")
    cols = list(FULL_COLUMNS) if columns is None else list(columns)
    unknown = [c for c in cols if c not in rows[0]]
    if unknown or not cols:
        raise ValueError(f"columns must be some of {list(rows[0])}; got {list(columns or [])}")
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(r[c] for c in cols) + " |" for r in rows]
    return "\n".join(lines)


def comparison_halves(results: Optional[dict[str, Any]] = None, tables: Optional[list[str]] = None) -> str:
    """The side-by-side table in its two halves, one under the other, each with a bold title:
    :data:`SPEED_COLUMNS`, then :data:`TEST_COLUMNS`, without the "table" column (when the rows come
    from several paper tables, each row's name says which; wall times are left to the whole table).
    Rows of those tables that ``results`` does not hold are named below."""
    results = load_results() if results is None else results
    rows = comparison_rows(results, tables)
    if not rows:
        raise ValueError(f"the results hold no rows of tables {tables}" if tables else "the results hold no rows")
    if len({r["table"] for r in rows}) > 1:  # the paper's table goes into the row's name: one column fewer
        rows = [{**r, "row": f"Table {r['table']}: {r['row']}"} for r in rows]
    parts = []
    for title, columns in (("Trials that met the paper's criterion, and the sequences they needed", SPEED_COLUMNS),
                           ("Test errors after training", TEST_COLUMNS)):
        cols = [c for c in columns if c != "table"]
        lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
        lines += ["| " + " | ".join(r[c] for c in cols) + " |" for r in rows]
        parts.append(f"**{title}**\n\n" + "\n".join(lines))
    missing = [row.key for row in ROWS if (tables is None or row.table in tables) and row.key not in results["rows"]]
    if missing:
        parts.append(f"*Not in these results yet: {', '.join(missing)}.*")
    return "\n\n".join(parts)


# ======================================================================================
# Where the reproduction falls short, and what was tried
# ======================================================================================


@dataclass(frozen=True)
class Shortfall:
    """A group of rows that do not reach the paper's result, with what we tried and suspect.

    The counts are never written here: :func:`shortfall_markdown` reads them from the results.
    """

    name: str
    prefixes: tuple[str, ...]  # the row keys of the group start with one of these
    tried: tuple[str, ...]
    suspect: str
    where: str  # the chapter that measures it

    def keys(self, results: dict[str, Any]) -> list[str]:
        return [k for k in results["rows"] if k.startswith(self.prefixes)]


SHORTFALLS: tuple[Shortfall, ...] = (
    Shortfall(
        "Embedded Reber grammar (Table 1)", ("T1-reber-",),
        ("every row with the paper's 30 trials (3 string sets x 10 initial weights)",
         "the plain, non-embedded grammar as a control: the same network learns it quickly"),
        "the gradient matters most: the full gradient solves more trials than the paper's truncated one in "
        "every row, where the paper saw no significant difference; no reading reaches the paper's success rate",
        "chapter 8"),
    Shortfall(
        "Tasks 2a and 2b (Tables 2, 2b)", ("T2-2a-", "T2b-2b-"),
        ("the paper's 'B' network, its weight count checked",
         "the cell there from the start, or joining after 1,000 sequences (the paper adds it once the error has "
         "stopped decreasing, with no rule)"),
        "the output units have no bias and at each step all but one target is 0, so a cell there from the start "
        "becomes a shared negative bias of every output instead of a memory; a cell that joins after the output "
        "units have learned the local regularities keeps the first symbol apart in some 2a trials, far slower "
        "than the paper's, and in no 2b trial",
        "chapter 10"),
    Shortfall(
        "Task 2c (Table 3)", ("T3-2c-",),
        ("every row by the paper's protocol, with a budget of twice the paper's mean plus 10,000 sequences",
         "Sec. 4's negative input-gate biases, the step 2 alpha e_k and twice the budget, alone, in two pairs and "
         "all three together"),
        "at q = 50 the networks learn, slowly; at q >= 100 they never leave guessing: the cell states of the "
        "bias-free network drift into the flat part of h, more as training goes on, until almost no error reaches "
        "the input gates at the signal; Sec. 4's negative input-gate biases remove the drift, and with the step "
        "2 alpha e_k and twice the budget they make q = 100 learnable, a departure from the paper's bias-free "
        "network whose trials still need about three times the paper's sequences",
        "chapter 10, the long lags diagnosed"),
    Shortfall(
        "Adding problem (Table 7)", ("T7-adding-",),
        ("the paper's protocol at T = 100, 500 and 1000, with the paper's 10 trials each",
         "at T = 500, seven readings and Sec. 4's remedies for 20,000 sequences each (chapter 10)"),
        "at T = 100 the networks learn the task, but their few remaining errors sit at targets near 0 or 1, "
        "where the output falls just short of the target, and ST3's 2000 correct in a row turns that error floor into "
        "a long wait; at T = 500 and 1000 the trials had not learned the task within the budget: at T = 500 the "
        "cells do not drift, but almost no error reaches the input gates at the marked steps, and no reading or "
        "remedy of Sec. 4 tried moved the error off that of the constant answer",
        "chapters 7 and 10 (the long lags diagnosed)"),
    Shortfall(
        "Task 3b, T = 1000 (Table 5)", ("T5-3b-T1000-",),
        ("the paper's protocol",),
        "the networks had not learned the task within the budget (3a at the same length did): their cells hold the "
        "class, but drift into the flat part of h under every reading and remedy tried, so almost no error "
        "reaches them and the output never learns to read them",
        "chapter 10, the long lags diagnosed"),
    Shortfall(
        "Multiplication, n_seq = 13 (Table 8)", ("T8-multiplication-nseq13",),
        ("the paper's protocol with its 10 trials, budget twice the paper's mean",),
        "the paper's slowest row: with the step read as 2 alpha e_k (reading lr-x2) our trials that met the "
        "criterion needed fewer sequences than the paper's mean, and of the others all but one had learned most of "
        "the task (under 4 % of the test sequences wrong), with more errors than the criterion allows, when the "
        "budget ran out",
        "chapter 10"),
)


def readings_measured(keys: Sequence[str], ablations: Optional[dict[str, Any]] = None) -> list[str]:
    """For rows ``keys``: one phrase per reading measured on any of them, trials solved summed over
    those rows ("full-gradient 77 of 150 (5 rows)"); departures from the paper say so."""
    ablations = load_ablations() if ablations is None else ablations
    totals: dict[str, list[int]] = {}
    for key in keys:
        for name, res in ablations.get("rows", {}).get(key, {}).items():
            t = totals.setdefault(name, [0, 0, 0])
            t[0] += res["summary"]["solved"]
            t[1] += res["summary"]["trials"]
            t[2] += 1
    out = []
    for name, (solved, trials, n) in sorted(totals.items()):
        tag = "" if is_faithful(name) else ", a departure from the paper"
        out.append(f"{name} {solved} of {trials} ({n} row{'s' if n > 1 else ''}{tag})")
    return out


def short_rows(results: dict[str, Any]) -> list[str]:
    """LSTM rows of the results where at most half of the trials met the paper's criterion."""
    return [k for k, res in results["rows"].items()
            if get_row(k).model == "lstm1997" and res["summary"]["solved"] <= res["summary"]["trials"] / 2]


def shortfall_markdown(results: Optional[dict[str, Any]] = None, ablations: Optional[dict[str, Any]] = None) -> str:
    """:data:`SHORTFALLS` as a Markdown list; trials solved and final test errors are read from the results,
    the readings measured from the ablations (:func:`readings_measured`)."""
    results = load_results() if results is None else results
    ablations = load_ablations() if ablations is None else ablations
    items = []
    for group in SHORTFALLS:
        keys = group.keys(results)
        if not keys:
            continue
        solved = sum(results["rows"][k]["summary"]["solved"] for k in keys)
        trials = sum(results["rows"][k]["summary"]["trials"] for k in keys)
        medians = [m for m in (_median_wrong(results["rows"][k]) for k in keys) if m is not None]
        low, high = (min(medians), max(medians)) if medians else (None, None)
        test = "–" if low is None else (f"{100 * low:.1f} %" if low == high else f"{100 * low:.1f} % to {100 * high:.1f} %")
        rows = f"{len(keys)} row{'s' if len(keys) > 1 else ''}"
        measured = readings_measured(keys, ablations)
        items.append(f"- **{group.name}**, {rows}: {solved} of {trials} trials met the criterion; final test "
                     f"sets {test} wrong (median of each row's trials).\n"
                     f"  - *Run:* {'; '.join(group.tried)}.\n"
                     + (f"  - *Readings measured* (trials that met the criterion, of those run): "
                        f"{'; '.join(measured)}.\n" if measured else "  - *No other reading measured yet.*\n")
                     + f"  - *Measured and suspected:* {group.suspect} ({group.where}).")
    return "\n".join(items)


def comparison_or_pending(results: dict[str, Any], tables: Sequence[str],
                          columns: Optional[Sequence[str]] = None) -> str:
    """``comparison_markdown(results, tables, columns)`` for the rows ``results`` holds, plus a line naming
    the reproduced rows of those tables that it does not hold (yet); never raises for missing rows.

    >>> print(comparison_or_pending({"rows": {}}, ["8"]))
    *Not in these results yet: T8-multiplication-nseq140, T8-multiplication-nseq13.*
    """
    tables = [str(t) for t in tables]
    if not tables:
        raise ValueError("tables must name at least one paper table, e.g. ['4', '5']")
    wanted = [row.key for row in ROWS if row.table in tables]
    if not wanted:
        raise ValueError(f"no reproduced row belongs to tables {tables}")
    missing = [key for key in wanted if key not in results["rows"]]
    parts = []
    if len(missing) < len(wanted):
        parts.append(comparison_markdown(results, tables, columns))
    if missing:
        parts.append(f"*Not in these results yet: {', '.join(missing)}.*")
    return "\n\n".join(parts)


# ======================================================================================
# The table of choices
# ======================================================================================
def _cell(text: str) -> str:
    """One Markdown table cell: no line breaks, pipes escaped (the choices write 'x|y')."""
    return " ".join(str(text).split()).replace("|", "\\|")


def choices_markdown(choices: Optional[Sequence[Choice]] = None) -> str:
    """Every :class:`~lstm_core.tasks.Choice` as one Markdown table (render with ``IPython.display.Markdown``).

    Default: the tasks' choices (``lstm_core.tasks.CHOICES``), the training protocol's
    (``lstm_core.reproduction.rows.PROTOCOL_CHOICES``), then the readings some rows adopted
    (:func:`adopted_choices`, counted from the shipped data).

    >>> c = Choice("2c", "a|b", "says", "chose", "why")
    >>> choices_markdown([c]).splitlines()[2]
    '| 2c | a\\\\|b | says | chose | why |'
    """
    rows = list(CHOICES) + list(PROTOCOL_CHOICES) + adopted_choices() if choices is None else list(choices)
    if not rows:
        raise ValueError("choices must hold at least one Choice; got none")
    for c in rows:
        if not isinstance(c, Choice):
            raise ValueError(f"choices must be lstm_core.tasks.Choice objects; got {type(c).__name__}")
    lines = ["| experiment | topic | the paper says | we chose | why |", "|---|---|---|---|---|"]
    lines += [f"| {_cell(c.experiment)} | {_cell(c.topic)} | {_cell(c.paper_says)} | {_cell(c.we_chose)} "
              f"| {_cell(c.why)} |" for c in rows]
    return "\n".join(lines)


# ======================================================================================
# Readings: the literal one beside the one each row ships with
# ======================================================================================
def _solved_cell(res: Optional[dict[str, Any]]) -> str:
    if res is None:
        return "–"
    s = res["summary"]
    mean = "" if s["sequences_mean"] is None else f" · {s['sequences_mean']:,.0f}"
    return f"{s['solved']}/{s['trials']}{mean}"


def reading_rows(results: Optional[dict[str, Any]] = None,
                 ablations: Optional[dict[str, Any]] = None) -> list[dict[str, Any]]:
    """Per LSTM row with more than one reading measured: the paper, the literal reading, the shipped one.

    Each dict: ``key``, ``paper`` (success and mean, as printed), ``literal`` and ``shipped``
    (result dicts; ``literal`` None if it was not measured), ``reading`` (what the row ships
    with), ``best`` (the best measured reading, :func:`~lstm_core.reproduction.verdicts.best_reading`)
    and ``tried`` (every reading measured, sorted).
    """
    from lstm_core.reproduction.verdicts import best_reading

    results = load_results() if results is None else results
    ablations = load_ablations() if ablations is None else ablations
    out = []
    for row in ROWS:
        measured = dict(ablations.get("rows", {}).get(row.key, {}))
        shipped = results["rows"].get(row.key)
        if row.model != "lstm1997" or shipped is None or not (set(measured) - {row.reading}):
            continue
        literal = shipped if row.reading == LITERAL else measured.get(LITERAL)
        best = best_reading(row.key, ablations, shipped)
        paper = row.paper
        out.append({"key": row.key, "paper": f"{format_value(paper.success_rate)} · {format_value(paper.sequences_to_success)}",
                    "literal": literal, "shipped": shipped, "reading": row.reading,
                    "best": None if best is None else best[0], "tried": sorted(set(measured) | {row.reading})})
    return out


def readings_markdown(results: Optional[dict[str, Any]] = None, ablations: Optional[dict[str, Any]] = None) -> str:
    """:func:`reading_rows` as a Markdown table: row | paper | literal reading | ships with | its result | tried."""
    lines = ["| row | paper (% · mean) | literal reading | ships with | its result | readings measured |",
             "|---|---|---|---|---|---|"]
    for r in reading_rows(results, ablations):
        lines.append(f"| {r['key']} | {r['paper']} | {_solved_cell(r['literal'])} | {r['reading']} "
                     f"| {_solved_cell(r['shipped'])} | {', '.join(r['tried'])} |")
    return "\n".join(lines)


def adopted_choices(results: Optional[dict[str, Any]] = None,
                    ablations: Optional[dict[str, Any]] = None) -> list[Choice]:
    """One :class:`~lstm_core.tasks.Choice` per reading some rows adopted (``rows.ADOPTED``), its counts
    (trials solved under it and under the literal reading) read from the shipped data."""
    results = load_results() if results is None else results
    ablations = load_ablations() if ablations is None else ablations
    groups: dict[str, list[str]] = {}
    for key, reading in ADOPTED.items():
        groups.setdefault(reading, []).append(key)
    out = []
    for reading, keys in groups.items():
        rows = [get_row(k) for k in keys]
        ours = [results["rows"].get(k) for k in keys]
        lit = [ablations.get("rows", {}).get(k, {}).get(LITERAL) for k in keys]
        if any(r is None for r in ours + lit):
            continue
        n = lambda res, f: sum(r["summary"][f] for r in res)  # noqa: E731
        experiments = sorted({r.table for r in rows})
        names = ", ".join(k.split("-", 1)[1].replace("-", " ") for k in keys)
        out.append(Choice(
            ", ".join(f"Table {t}" for t in experiments), f"reading adopted by {names}",
            "ambiguous or open (see the rows above)",
            "; ".join(READINGS[p].what for p in reading_names(reading)) + f" (reading '{reading}')",
            f"measured: {n(ours, 'solved')} of {n(ours, 'trials')} trials met the paper's criterion under it, "
            f"{n(lit, 'solved')} of {n(lit, 'trials')} under the literal reading (same seeds); "
            "the other readings measured are in the reproduction's table of readings"))
    return out

"""Verdicts: for every LSTM row, whether our shipped results reproduce the paper's, by one stated rule.

The rule (:func:`verdict_for`), for a row of the paper's network:

- **reproduced**: the paper's number of trials was run, the share of trials that met the
  paper's criterion is at least the paper's, and their mean sequences to success is at most
  ``FACTOR`` (1.5) times the paper's mean;
- **slower than the paper**: the trials and success as above, the mean above 1.5 times the paper's;
- **not reproduced**: otherwise. A run with fewer trials than the paper's says
  "(reduced run: k of n trials)"; once ablations (:mod:`lstm_core.reproduction.ablation`) exist
  for the row, the line names the best reading measured (the shipped one included; a row ships
  with the reading that measured best, ``rows.ADOPTED``): "(best reading: NAME, solved/trials)",
  or "(no reading tried solves a trial: NAMES)".

Where the paper prints no success rate (Tables 2c-9 report means over all their trials and no
failures), its rate is taken as 100 % (``unstated_success``). Baseline rows (the vanilla RNN)
get no verdict against the paper's LSTM numbers: with ``baselines=True`` they are listed as
"baseline", with dashes in the paper's columns.

Everything is computed from the results passed in (default: the shipped file):

>>> v = verdicts()                                              # doctest: +SKIP
>>> verdict_summary(v)                                          # doctest: +SKIP
'4 of 31 LSTM rows reproduced, ...'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Sequence

from lstm_core.reproduction.paper import Reported
from lstm_core.reproduction.readings import LITERAL, is_faithful, reading_names
from lstm_core.reproduction.results import load_ablations, load_results
from lstm_core.reproduction.rows import ROWS, Row, get_row

__all__ = ["FACTOR", "REPRODUCED", "SLOWER", "NOT_REPRODUCED", "BASELINE", "Verdict", "verdict_for", "verdicts",
           "verdict_markdown", "verdict_summary", "best_reading", "short_name"]

FACTOR = 1.5  # mean sequences up to this times the paper's still count as reproduced
REPRODUCED, SLOWER, NOT_REPRODUCED, BASELINE = "reproduced", "slower than the paper", "not reproduced", "baseline"


@dataclass(frozen=True)
class Verdict:
    """The verdict on one row, and the numbers it was computed from."""

    key: str
    verdict: str  # REPRODUCED, SLOWER, NOT_REPRODUCED or BASELINE
    detail: str  # "reduced run: 3 of 10 trials", "best reading: ...", or ""
    solved: Optional[int]  # our trials that met the criterion (None: no results)
    trials: Optional[int]  # our trials run
    mean: Optional[float]  # our mean sequences to success over the solved trials
    paper_rate: Optional[float]  # the paper's % success (unstated: taken as unstated_success); None for baselines
    paper_mean: Optional[float]  # the paper's mean sequences to success; None for baselines
    paper_trials: Optional[int]  # the paper's number of trials

    @property
    def text(self) -> str:
        """The verdict as one phrase: 'not reproduced (best reading: step, 6/30)'."""
        return f"{self.verdict} ({self.detail})" if self.detail else self.verdict

    @property
    def rate(self) -> Optional[float]:
        """Our % success."""
        return None if not self.trials else 100.0 * self.solved / self.trials


def _number(value: Any) -> Optional[float]:
    if value is None:
        return None
    if isinstance(value, Reported):
        return None if value.more_than else float(value.low if value.high is None else (value.low + value.high) / 2)
    return float(value)


def best_reading(key: str, ablations: Optional[dict[str, Any]], shipped: Optional[dict[str, Any]] = None,
                 faithful: Optional[bool] = True) -> Optional[tuple[str, dict[str, Any]]]:
    """The measured reading of row ``key`` with the most trials solved, then the fewest mean sequences
    (a tie goes to the literal reading, then to the one that joins fewest readings).

    Candidates: every reading in ``ablations`` and, given its result ``shipped``, the reading the
    row ships with (``rows.get_row(key).reading``); with ``faithful`` True only readings of points
    the paper leaves open (``readings.is_faithful``), False only departures, None all.
    None when nothing was measured.
    """
    measured = dict((ablations or {}).get("rows", {}).get(key, {}))
    if shipped is not None:
        measured[get_row(key).reading] = shipped
    if faithful is not None:
        measured = {name: res for name, res in measured.items() if is_faithful(name) == faithful}
    if not measured:
        return None

    def score(item: tuple[str, dict[str, Any]]) -> tuple[float, float, bool, int]:
        s = item[1]["summary"]
        return (-s["solved"] / max(1, s["trials"]), s["sequences_mean"] if s["sequences_mean"] is not None else 1e18,
                item[0] != LITERAL, len(reading_names(item[0])))  # a tie goes to the literal, then the simplest reading

    return min(measured.items(), key=score)


def verdict_for(row: Row, result: Optional[dict[str, Any]], ablations: Optional[dict[str, Any]] = None, *,
                unstated_success: float = 100.0) -> Verdict:
    """The verdict on ``row`` from its result dict (``None``: no results yet), by the module's rule."""
    if row.model != "lstm1997":
        s = (result or {}).get("summary", {})
        return Verdict(row.key, BASELINE, "", s.get("solved"), s.get("trials"), s.get("sequences_mean"),
                       None, None, None)
    paper = row.paper
    paper_rate = _number(paper.success_rate)
    paper_rate = unstated_success if paper_rate is None else paper_rate
    paper_mean = _number(paper.sequences_to_success)
    paper_trials = paper.trials or row.trials
    if result is None:
        return Verdict(row.key, NOT_REPRODUCED, "no results yet", None, None, None, paper_rate, paper_mean,
                       paper_trials)
    s = result["summary"]
    solved, trials, mean = int(s["solved"]), int(s["trials"]), s["sequences_mean"]
    rate = 100.0 * solved / max(1, trials)
    detail = ""
    if trials < paper_trials:
        verdict, detail = NOT_REPRODUCED, f"reduced run: {trials} of {paper_trials} trials"
    elif rate >= paper_rate - 1e-9 and mean is not None:
        verdict = REPRODUCED if paper_mean is None or mean <= FACTOR * paper_mean else SLOWER
    else:
        verdict = NOT_REPRODUCED
    tried = set((ablations or {}).get("rows", {}).get(row.key, {})) | {row.reading}
    if verdict == NOT_REPRODUCED and len(tried) > 1:  # another reading than the shipped one was measured
        best = best_reading(row.key, ablations, result)
        if best is not None:
            bs = best[1]["summary"]
            reading = f"best reading: {best[0]}, {bs['solved']}/{bs['trials']}"
            if bs["sequences_mean"] is not None:
                reading += f", mean {bs['sequences_mean']:,.0f}"
            if bs["solved"] == 0:
                reading = f"no reading tried solves a trial: {', '.join(sorted(tried))}"
            detail = f"{detail}; {reading}" if detail else reading
        departure = best_reading(row.key, ablations, None, faithful=False)
        if departure is not None and departure[1]["summary"]["solved"] > (0 if best is None else bs["solved"]):
            ds = departure[1]["summary"]
            text = f"a departure from the paper does better: {departure[0]}, {ds['solved']}/{ds['trials']}"
            detail = f"{detail}; {text}" if detail else text
    return Verdict(row.key, verdict, detail, solved, trials, mean, paper_rate, paper_mean, paper_trials)


def verdicts(results: Optional[dict[str, Any]] = None, ablations: Optional[dict[str, Any]] = None, *,
             tables: Optional[Sequence[str]] = None, baselines: bool = False,
             unstated_success: float = 100.0) -> list[Verdict]:
    """One verdict per LSTM row (in the paper's order), from ``results`` (default: the shipped file).

    ``ablations`` (default: the shipped ablations, if any) name each failing row's best reading;
    ``tables`` keeps the rows of those paper tables only ("1", "3", "7", ...); ``baselines`` adds
    the RNN rows, as "baseline".
    """
    results = load_results() if results is None else results
    ablations = load_ablations() if ablations is None else ablations
    if tables is not None:
        known = {r.table for r in ROWS}
        unknown = sorted(set(tables) - known)
        if unknown:
            raise ValueError(f"unknown paper tables {unknown}; expected some of {sorted(known, key=lambda t: (len(t), t))}")
    out = []
    for row in ROWS:
        if (row.model != "lstm1997" and not baselines) or (tables is not None and row.table not in tables):
            continue
        out.append(verdict_for(row, results["rows"].get(row.key), ablations, unstated_success=unstated_success))
    return out


def short_name(key: str) -> str:
    """A row's name without its table prefix: 'T3-2c-q100-p100' -> '2c q100 p100'."""
    head, _, rest = key.partition("-")
    name = rest if head.startswith("T") and rest else key
    return name.replace("-", " ")


def _cells(solved: Optional[int], trials: Optional[int], mean: Optional[float]) -> str:
    if trials is None:
        return "–"
    return f"{solved}/{trials} · {mean:,.0f}" if mean is not None else f"{solved}/{trials}"


def verdict_markdown(items: Optional[Sequence[Verdict]] = None) -> str:
    """A compact Markdown table: row | paper (success, mean) | ours (solved/trials, mean) | verdict."""
    items = verdicts() if items is None else items
    lines = ["| row | paper | ours | verdict |", "|---|---|---|---|"]
    for v in items:
        if v.verdict == BASELINE:
            paper = "–"
        else:
            paper = f"{v.paper_rate:.0f}%" + (f" · {v.paper_mean:,.0f}" if v.paper_mean is not None else "")
        lines.append(f"| {short_name(v.key)} | {paper} | {_cells(v.solved, v.trials, v.mean)} | {v.text} |")
    return "\n".join(lines)


def verdict_summary(items: Optional[Sequence[Verdict]] = None) -> str:
    """One sentence: 'N of M LSTM rows reproduced, K slower than the paper, L not reproduced (R reduced runs).'"""
    items = verdicts() if items is None else items
    lstm = [v for v in items if v.verdict != BASELINE]
    if not lstm:
        raise ValueError("no LSTM rows among the verdicts; pass rows of the paper's network")
    n = {k: sum(v.verdict == k for v in lstm) for k in (REPRODUCED, SLOWER, NOT_REPRODUCED)}
    reduced = sum(v.detail.startswith("reduced run") for v in lstm)
    missing = sum(v.detail == "no results yet" for v in lstm)
    rows = "LSTM row" if len(lstm) == 1 else "LSTM rows"
    text = (f"{n[REPRODUCED]} of {len(lstm)} {rows} reproduced, {n[SLOWER]} slower than the paper, "
            f"{n[NOT_REPRODUCED]} not reproduced")
    notes = []
    if reduced:
        notes.append(f"{reduced} of them run with fewer trials than the paper's")
    if missing:
        notes.append(f"{missing} not run yet")
    return text + (f" ({'; '.join(notes)})" if notes else "") + "."


def verdict_lines(items: Optional[Sequence[Verdict]] = None) -> list[str]:
    """One plain line per row: '2c q100 p100: not reproduced (best reading: ...)'."""
    items = verdicts() if items is None else items
    return [f"{short_name(v.key)}: {v.text}" for v in items]


def get_verdict(key: str, results: Optional[dict[str, Any]] = None,
                ablations: Optional[dict[str, Any]] = None) -> Verdict:
    """The verdict on one row."""
    row = get_row(key)
    results = load_results() if results is None else results
    return verdict_for(row, results["rows"].get(key), ablations)


def long_lag_keys() -> list[str]:
    """The LSTM rows with the paper's longest lags, about 1000 steps: 2c at q = 1000, 3a, 3b and adding at T = 1000."""
    return [r.key for r in ROWS if r.model == "lstm1997" and ("T1000" in r.key or "-q1000-" in r.key)]


def long_lag_summary(items: Optional[Sequence[Verdict]] = None) -> str:
    """One sentence on the 1000-step rows: 'Of the paper's 8 rows with lags of about 1000 steps, ...'."""
    items = verdicts() if items is None else items
    keys = long_lag_keys()
    chosen = [v for v in items if v.key in keys]
    if not chosen:
        raise ValueError(f"none of the 1000-step rows {keys} is among the verdicts")
    groups = {k: [short_name(v.key) for v in chosen if v.verdict == k] for k in (REPRODUCED, SLOWER, NOT_REPRODUCED)}
    parts = []
    for verdict, names in groups.items():
        if names:
            shown = f" ({', '.join(names)})" if len(names) <= 3 else ""
            parts.append(f"{len(names)} {'is' if len(names) == 1 else 'are'} {verdict}{shown}")
    text = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
    return f"Of the paper's {len(chosen)} rows with time lags of about 1000 steps, {text} by our runs."


__all__ += ["verdict_lines", "get_verdict", "long_lag_keys", "long_lag_summary"]


if __name__ == "__main__":  # python -m lstm_core.reproduction.verdicts: the summary and the table
    _all = verdicts(baselines=True)
    print(verdict_summary(_all))
    print()
    print(verdict_markdown(_all))

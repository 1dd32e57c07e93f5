"""Reproduce the paper's result tables by its own protocol: ``python -m lstm_core.reproduction EXPERIMENT``.

EXPERIMENT is ``all``, a paper table (``7``), an experiment (``adding``, ``reber``, ``2c``, ``3a``,
``6b``, ...) or one row key (``T7-adding-T100``; ``--list`` prints them all).

    python -m lstm_core.reproduction adding                 # Table 7, 10 trials a row, the paper's protocol
    python -m lstm_core.reproduction all --seed 0           # every row: many hours (the book lists each row's time)
    python -m lstm_core.reproduction 9 --trials 3 --quick   # fewer trials, small budgets: a smoke run

Results are merged into a JSON file (default: the package's shipped ``reproduction/data/paper_protocol.json``;
``--quick`` runs default to ``reproduction/data/quick.json`` so they never replace the shipped ones) and the
side-by-side Markdown table is printed (``--markdown FILE`` writes it).
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path
from typing import Optional

from lstm_core import use_one_thread
from lstm_core.reproduction.results import load_results, merge_results, results_path
from lstm_core.reproduction.rows import ROWS, Row
from lstm_core.reproduction.run import run_row
from lstm_core.reproduction.tables import comparison_markdown

QUICK_BUDGET = 2000  # sequences per trial in --quick mode
QUICK_TRIALS = 2


def select_rows(experiment: str) -> list[Row]:
    """The rows an EXPERIMENT argument names (see the module docstring)."""
    if experiment == "all":
        return list(ROWS)
    chosen = [r for r in ROWS if experiment in (r.key, r.table) or r.task_config.split("-")[0] == experiment]
    if not chosen:
        tables = sorted({r.table for r in ROWS}, key=lambda t: (len(t), t))
        tasks = sorted({r.task_config.split("-")[0] for r in ROWS})
        raise ValueError(f"nothing to run for {experiment!r}; expected 'all', a table {tables}, "
                         f"an experiment {tasks}, or a row key (see --list)")
    return chosen


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lstm_core.reproduction", description=__doc__.split("\n")[0])
    parser.add_argument("experiment", nargs="?", default="all", help="all, a table, an experiment or a row key")
    parser.add_argument("--trials", type=int, default=None, help="trials per row (default: the paper's)")
    parser.add_argument("--seed", type=int, default=0, help="run seed (initial weights and data; default 0)")
    parser.add_argument("--budget", type=int, default=None, help="training sequences per trial (default: the row's)")
    parser.add_argument("--quick", action="store_true",
                        help=f"smoke run: {QUICK_TRIALS} trials, {QUICK_BUDGET} sequences each, unless given")
    parser.add_argument("--out", type=Path, default=None, help="results JSON to merge into")
    parser.add_argument("--markdown", type=Path, default=None, help="also write the side-by-side table here")
    parser.add_argument("--list", action="store_true", help="list the row keys and exit")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    use_one_thread()  # tiny networks run fastest on one torch thread; importing lstm_core sets none
    if args.list:
        for row in ROWS:
            print(f"{row.key:32s} table {row.table:3s} {row.trials:3d} trials, budget {row.budget:,}")
        return 0
    try:
        rows = select_rows(args.experiment)
    except ValueError as e:
        parser.error(str(e))
    for name in ("trials", "budget"):
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error(f"--{name} must be a positive integer, got {value}")
    trials = args.trials if args.trials is not None else (QUICK_TRIALS if args.quick else None)
    budget = args.budget if args.budget is not None else (QUICK_BUDGET if args.quick else None)
    out = args.out or results_path("quick.json" if args.quick else "paper_protocol.json")
    start = time.perf_counter()
    for row in rows:
        result = run_row(row, trials=trials, seed=args.seed, budget=budget, progress=not args.no_progress,
                         log=lambda msg: print(msg, flush=True))
        merge_results(out, {row.key: result.to_dict()},
                      {"command": "python -m lstm_core.reproduction " + " ".join(argv if argv is not None else sys.argv[1:]),
                       "machine": f"{platform.processor() or platform.machine()}, python {platform.python_version()}"})
    print(f"total wall time {time.perf_counter() - start:.0f} s; results in {out}")
    table = comparison_markdown(load_results(out))
    if args.markdown:
        args.markdown.write_text(table + "\n")
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

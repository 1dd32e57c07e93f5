"""Reproduce the paper's result tables by its own protocol: ``python -m lstm_core.reproduction EXPERIMENT``.

EXPERIMENT is ``all``, a paper table (``7``), an experiment (``adding``, ``reber``, ``2c``, ``3a``,
``6b``, ...) or one row key (``T7-adding-T100``; ``--list`` prints them all).

    python -m lstm_core.reproduction adding                 # Table 7, 10 trials a row, the paper's protocol
    python -m lstm_core.reproduction all --seed 0           # every row: many hours (the book lists each row's time)
    python -m lstm_core.reproduction 9 --trials 3 --quick   # fewer trials, small budgets: a smoke run

Where results go. A run of the rows' protocol (their trials and budgets) is merged into the
shipped ``reproduction/data/paper_protocol.json``. A reduced run (``--quick``, fewer ``--trials``
or a smaller ``--budget`` than a row's) goes to ``reproduction/data/quick.json`` unless ``--out``
names a file; it goes into the shipped file only with ``--allow-reduced``, and its rows then say
"reduced run". The side-by-side Markdown table is printed (``--markdown FILE`` writes it).

An interrupted row loses no finished trial: each one is appended to
``checkpoints/<row>-seed<seed>.jsonl`` beside the results file as it finishes, the same command
run again resumes from there, and the checkpoint is removed once the row is in the results.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path
from typing import Any, Callable, Optional

from lstm_core import use_one_thread
from lstm_core.reproduction.results import (
    REDUCED, SHIPPED, Checkpoint, CheckpointError, ReducedRun, checkpoint_path, is_shipped, load_results, merge_results,
    reduced_reason, results_path,
)
from lstm_core.reproduction.rows import ROWS, Row
from lstm_core.reproduction.run import RowResult, run_checkpointed
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


def destination(rows: list[Row], trials: Optional[int], budget: Optional[int], quick: bool = False,
                out: Optional[Path] = None, allow_reduced: bool = False) -> Path:
    """The results file of a command: ``out``, else the shipped file, or ``quick.json`` for a reduced run.

    Raises :class:`ReducedRun` (saying what to pass) before anything runs when a reduced run
    would go into the shipped file without ``allow_reduced``.
    """
    reduced = [f"{row.key} ({why})" for row in rows
               if (why := reduced_reason(row, row.trials if trials is None else trials,
                                         row.budget if budget is None else budget, quick))]
    if out is None:
        return results_path(REDUCED if reduced and not allow_reduced else SHIPPED)
    if reduced and is_shipped(out) and not allow_reduced:
        shown = ", ".join(reduced[:3]) + (f" and {len(reduced) - 3} more" if len(reduced) > 3 else "")
        raise ReducedRun(f"a reduced run of {shown} would go into the shipped results {out}, which hold only runs "
                         f"of the rows' protocol; pass --allow-reduced to write it there (its rows then say "
                         f"'reduced run'), or leave out --out (reduced runs go to {REDUCED}), or name another file")
    return Path(out)


def run_and_store(row: Row, out: Path, *, trials: Optional[int] = None, seed: int = 0,
                  budget: Optional[int] = None, quick: bool = False, allow_reduced: bool = False,
                  progress: bool = True, log: Optional[Callable[[str], None]] = None,
                  meta: Optional[dict[str, Any]] = None) -> RowResult:
    """Run ``row`` with a per-trial checkpoint beside ``out``, merge it into ``out``, drop the checkpoint.

    Trials found in the checkpoint (an earlier run of the same row, seed and budget that was
    interrupted) are not run again; the result is the one an uninterrupted run gives.
    """
    ckpt = Checkpoint(checkpoint_path(out, row.key, seed), row, seed, row.budget if budget is None else budget)
    result = run_checkpointed(row, ckpt, trials=trials, seed=seed, budget=budget, progress=progress, log=log)
    result.quick = result.quick or quick
    merge_results(out, {row.key: result.to_dict()}, meta, allow_reduced=allow_reduced)
    ckpt.remove()
    return result


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lstm_core.reproduction", description=__doc__.split("\n")[0])
    parser.add_argument("experiment", nargs="?", default="all", help="all, a table, an experiment or a row key")
    parser.add_argument("--trials", type=int, default=None, help="trials per row (default: the paper's)")
    parser.add_argument("--seed", type=int, default=0, help="run seed (initial weights and data; default 0)")
    parser.add_argument("--budget", type=int, default=None, help="training sequences per trial (default: the row's)")
    parser.add_argument("--quick", action="store_true",
                        help=f"smoke run: {QUICK_TRIALS} trials, {QUICK_BUDGET} sequences each, unless given")
    parser.add_argument("--out", type=Path, default=None,
                        help=f"results JSON to merge into (default: the shipped {SHIPPED}; reduced runs: {REDUCED})")
    parser.add_argument("--allow-reduced", action="store_true",
                        help="let a reduced run (fewer trials, a smaller budget, --quick) into the shipped results, "
                             "marked as a reduced run")
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
    try:
        out = destination(rows, trials, budget, args.quick, args.out, args.allow_reduced)
    except ReducedRun as e:
        parser.error(str(e))
    meta = {"command": "python -m lstm_core.reproduction " + " ".join(argv if argv is not None else sys.argv[1:]),
            "machine": f"{platform.processor() or platform.machine()}, python {platform.python_version()}"}
    start = time.perf_counter()
    for row in rows:
        try:
            run_and_store(row, out, trials=trials, seed=args.seed, budget=budget, quick=args.quick,
                          allow_reduced=args.allow_reduced, progress=not args.no_progress,
                          log=lambda msg: print(msg, flush=True), meta=meta)
        except (CheckpointError, ReducedRun) as e:  # a checkpoint of another run, a refused write: say what to do
            print(f"error: {e}", file=sys.stderr)
            return 2
    print(f"total wall time {time.perf_counter() - start:.0f} s; results in {out}")
    table = comparison_markdown(load_results(out))
    if args.markdown:
        args.markdown.write_text(table + "\n")
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

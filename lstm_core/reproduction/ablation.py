"""Ablations: a row run under a named reading, stored beside the shipped results.

    python -m lstm_core.reproduction.ablation T3-2c-q100-p100 --reading igb-neg
    python -m lstm_core.reproduction.ablation T1-reber-3x2-lr0.5 --reading step --trials 10
    python -m lstm_core.reproduction.ablation --list            # the readings

A run of row ROW under reading NAME (:mod:`lstm_core.reproduction.readings`; several joined
by ``+``) trains the row's trials exactly as ``python -m lstm_core.reproduction ROW`` does, with
only what the reading names changed from the *literal* row (``rows.literal_row``: the text as we
read it, before the reading a row may have adopted, ``rows.ADOPTED``), and is merged into ``reproduction/data/ablations.json``:
``{"meta": {...}, "rows": {row key: {reading name: result}}}``, a result being
``RowResult.to_dict()`` without the trained weights, plus ``"reading"``, ``"what"`` and
``"reduced"`` (why it is not the row's full protocol, or None). Writes take the results
store's lock and replace the file atomically (:func:`lstm_core.reproduction.results.write_atomic`);
each finished trial is checkpointed beside it, so an interrupted run resumes.

>>> ablation_key("T3-2c-q100-p100", "igb-neg+lr-x0.5")
'T3-2c-q100-p100/igb-neg+lr-x0.5'
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from pathlib import Path
from typing import Any, Callable, Optional

from lstm_core.reproduction.readings import LITERAL, READINGS, apply_reading, is_faithful, reading_names
from lstm_core.reproduction.results import (
    ABLATIONS, Checkpoint, CheckpointError, load_ablations, locked, reduced_reason, results_path, write_atomic,
)
from lstm_core.reproduction.rows import ROWS, get_row, literal_row
from lstm_core.reproduction.run import run_checkpointed

__all__ = ["ablation_markdown", "ABLATIONS", "ablations_path", "load_ablations", "merge_ablation", "run_ablation", "ablation_key",
           "row_ablations", "main"]

def ablations_path(name: str = ABLATIONS) -> Path:
    """Where the ablation results live (``reproduction/data/ablations.json``)."""
    return results_path(name)


def ablation_key(key: str, reading: str) -> str:
    """A short name of one ablation: ``row/reading``."""
    return f"{key}/{reading}"


def row_ablations(key: str, ablations: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    """The readings measured for row ``key``: {reading: result}."""
    ablations = load_ablations() if ablations is None else ablations
    return dict(ablations.get("rows", {}).get(key, {}))


def merge_ablation(path: str | Path, key: str, reading: str, result: dict[str, Any],
                   meta: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    """Add or replace the result of row ``key`` under ``reading`` in the file at ``path``, under the lock."""
    get_row(key)
    reading_names(reading)
    path = Path(path)
    with locked(path):
        data = load_ablations(path)
        data.setdefault("rows", {}).setdefault(key, {})[reading] = result
        data.setdefault("meta", {}).update(meta or {})
        order = {row.key: i for i, row in enumerate(ROWS)}
        data["rows"] = {k: dict(sorted(v.items())) for k, v in
                        sorted(data["rows"].items(), key=lambda kv: order.get(kv[0], len(order)))}
        write_atomic(path, json.dumps(data, indent=1) + "\n")
    return data


def run_ablation(key: str, reading: str, *, trials: Optional[int] = None, seed: int = 0,
                 budget: Optional[int] = None, out: Optional[str | Path] = None, progress: bool = False,
                 log: Optional[Callable[[str], None]] = None, meta: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    """Run row ``key`` under ``reading``, checkpointing each trial, and merge it into ``out``; return the result."""
    base = literal_row(key)  # readings are read against the literal row, whatever the row ships with
    row = apply_reading(base, reading)
    out = ablations_path() if out is None else Path(out)
    n_trials = row.trials if trials is None else trials
    n_budget = row.budget if budget is None else budget
    safe = reading.replace("+", "_")
    ckpt = Checkpoint(out.parent / "checkpoints" / f"ablation-{key}-{safe}-seed{int(seed)}.jsonl", row, seed, n_budget)
    res = run_checkpointed(row, ckpt, trials=n_trials, seed=seed, budget=n_budget, progress=progress,
                           label=ablation_key(key, reading))
    result = res.to_dict()
    result["example_weights"] = None  # the ablations keep outcomes, not trained networks
    result["reading"] = reading
    result["what"] = "; ".join(READINGS[p].what for p in reading_names(reading))
    result["reduced"] = reduced_reason(base, n_trials, n_budget)
    merge_ablation(out, key, reading, result, meta)
    ckpt.remove()
    if log is not None:
        s = result["summary"]
        log(f"{ablation_key(key, reading)}: {s['solved']}/{s['trials']} solved, mean {s['sequences_mean']} "
            f"sequences (paper {base.paper.sequences_to_success}), {res.seconds:.0f} s")
    return result


def ablation_markdown(ablations: Optional[dict[str, Any]] = None, keys: Optional[list[str]] = None) -> str:
    """The ablations as a Markdown table: row | reading | solved | mean sequences | trials whose final test
    has at most 10 % wrong (learned, if not to the criterion); the paper's mean first for each row.
    A reading that departs from what the paper states (``readings.is_faithful``) says "(departure)"."""
    ablations = load_ablations() if ablations is None else ablations
    lines = ["| row | reading | solved | mean seq. | test ≤ 10 % wrong |", "|---|---|---|---|---|"]
    for key, readings in ablations.get("rows", {}).items():
        if keys is not None and key not in keys:
            continue
        paper = get_row(key).paper.sequences_to_success
        lines.append(f"| {key} | paper | – | {paper:,} | – |")
        for name, res in readings.items():
            s = res["summary"]
            mean = "–" if s["sequences_mean"] is None else f"{s['sequences_mean']:,.0f}"
            flag = (" (reduced)" if res.get("reduced") else "") + ("" if is_faithful(name) else " (departure)")
            tested = [t for t in res.get("trials", []) if t.get("test_wrong") is not None and t.get("test_size")]
            near = f"{sum(t['test_wrong'] <= 0.1 * t['test_size'] for t in tested)}/{len(tested)}" if tested else "–"
            lines.append(f"| {key} | {name}{flag} | {s['solved']}/{s['trials']} | {mean} | {near} |")
    return "\n".join(lines)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lstm_core.reproduction.ablation",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("row", nargs="?", help="a row key (python -m lstm_core.reproduction --list)")
    parser.add_argument("--reading", default=LITERAL, help="a reading name, or several joined by '+' (see --list)")
    parser.add_argument("--trials", type=int, default=None, help="trials (default: the row's)")
    parser.add_argument("--seed", type=int, default=0, help="run seed (default 0, the shipped rows' seed)")
    parser.add_argument("--budget", type=int, default=None, help="training sequences per trial (default: the row's, "
                                                                 "or the reading's)")
    parser.add_argument("--out", type=Path, default=None, help=f"ablation results to merge into (default {ABLATIONS})")
    parser.add_argument("--list", action="store_true", help="list the readings and exit")
    parser.add_argument("--table", action="store_true", help="print the stored ablations as a Markdown table and exit")
    parser.add_argument("--progress", action="store_true", help="show a progress bar")
    args = parser.parse_args(argv)
    if args.list:
        for name, r in READINGS.items():
            print(f"{name:14s} {r.what}")
        return 0
    if args.table:
        print(ablation_markdown(load_ablations(args.out)))
        return 0
    if args.row is None:
        parser.error("name a row (python -m lstm_core.reproduction --list), or pass --list for the readings")
    for name in ("trials", "budget"):
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error(f"--{name} must be a positive integer, got {value}")
    try:
        apply_reading(literal_row(args.row), args.reading)
    except ValueError as e:
        parser.error(str(e))
    from lstm_core import use_one_thread

    use_one_thread()
    meta = {"machine": f"{platform.processor() or platform.machine()}, python {platform.python_version()}"}
    try:
        run_ablation(args.row, args.reading, trials=args.trials, seed=args.seed, budget=args.budget, out=args.out,
                     progress=args.progress, log=lambda m: print(m, flush=True), meta=meta)
    except (CheckpointError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

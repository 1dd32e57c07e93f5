"""The results store: the shipped results file, and writing it so that no run loses data.

Results of ``python -m lstm_core.reproduction`` ship inside the package
(``lstm_core/reproduction/data/paper_protocol.json``), so a chapter shows them without
retraining, on Binder, Colab or a static page alike. The file is
``{"meta": {...}, "rows": {row key: RowResult.to_dict()}}``, rows in the order of ``ROWS``.

How a write keeps what is there (:func:`merge_results`):

- **one writer at a time**: the file is read, merged and written under an exclusive lock on a
  lock file beside it (``.paper_protocol.json.lock``), so two runs that finish at once keep
  both their rows;
- **never half a file**: the new text goes to a temporary file in the same directory, is
  flushed to disk, and replaces the old file in one step (``os.replace``); a crash mid-write
  leaves the old file whole;
- **the shipped file holds the rows' protocol**: a reduced run (fewer trials or a smaller
  budget than its row, or ``--quick``) is refused there unless ``allow_reduced=True``; it is
  then marked ``"quick": true`` and the tables say "reduced run".

How a long row keeps its finished trials (:class:`Checkpoint`): each finished trial is
appended as one JSON line to ``checkpoints/<row>-seed<seed>.jsonl`` beside the results file
and flushed; a rerun of the same row, seed and budget skips the trials found there, and the
checkpoint is removed once the row is merged into the results.

>>> results = load_results()
>>> results["rows"]["T9-6a"]["summary"]["trials"]
20
"""

from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager
from dataclasses import asdict
from importlib import resources
from pathlib import Path
from typing import Any, Iterator, Optional

from lstm_core.reproduction.rows import ROWS, Row, get_row, row_network

__all__ = [
    "SHIPPED", "REDUCED", "ABLATIONS", "load_ablations", "results_path", "is_shipped", "load_results", "trained_model", "ReducedRun",
    "CheckpointError",
    "reduced_reason", "merge_results", "write_atomic", "locked", "Checkpoint", "checkpoint_path",
]

SHIPPED = "paper_protocol.json"  # the reproduction the book shows
ABLATIONS = "ablations.json"  # rows run under named readings (lstm_core.reproduction.ablation)
REDUCED = "quick.json"  # where reduced runs go when no file is named


def results_path(name: str = SHIPPED) -> Path:
    """Where results named ``name`` live inside the installed package (``reproduction/data/``)."""
    return Path(str(resources.files("lstm_core.reproduction") / "data" / name))


def load_ablations(path: Optional[str | Path] = None) -> dict[str, Any]:
    """The ablation results ({"meta": ..., "rows": {row: {reading: result}}}); empty rows if there are none yet."""
    p = Path(path) if path is not None else results_path(ABLATIONS)
    if not p.exists():
        return {"meta": {}, "rows": {}}
    return json.loads(p.read_text(encoding="utf-8"))


def is_shipped(path: str | Path) -> bool:
    """Whether ``path`` is the shipped results file."""
    return Path(path).resolve() == results_path(SHIPPED).resolve()


def load_results(path: Optional[str | Path] = None) -> dict[str, Any]:
    """Shipped results (or those at ``path``): {"meta": ..., "rows": {row key: result dict}}."""
    p = Path(path) if path is not None else results_path()
    if not p.exists():
        raise ValueError(f"no results at {p}; run `python -m lstm_core.reproduction all` to produce them")
    return json.loads(p.read_text(encoding="utf-8"))


def trained_model(key: str, results: Optional[dict[str, Any]] = None):
    """The network a reproduction trained for row ``key`` (its first solved trial), ready to run.

    >>> net = trained_model("T9-6a")   # doctest: +SKIP
    """
    results = load_results() if results is None else results
    if key not in results["rows"]:
        raise ValueError(f"row {key!r} is not in the results; rows there: {sorted(results['rows'])}")
    res = results["rows"][key]
    if not res.get("example_weights"):
        raise ValueError(f"the results of row {key!r} kept no weights; rerun it with python -m lstm_core.reproduction")
    return row_network(get_row(key), res["example_weights"])


# ======================================================================================
# Writing: reduced runs, the lock, the atomic replace
# ======================================================================================
class ReducedRun(ValueError):
    """A reduced run was about to be written into the shipped results."""


class CheckpointError(ValueError):
    """A checkpoint that cannot be resumed (another run's, or damaged)."""


def reduced_reason(row: Row, trials: int, budget: int, quick: bool = False) -> Optional[str]:
    """Why a run of ``row`` with ``trials`` and ``budget`` is not the row's protocol (None: it is).

    >>> reduced_reason(get_row("T9-6a"), trials=2, budget=125_560)
    "2 of the row's 20 trials"
    >>> reduced_reason(get_row("T9-6a"), trials=20, budget=125_560) is None
    True
    """
    why = []
    if quick:
        why.append("a --quick run")
    if trials < row.trials:
        why.append(f"{trials} of the row's {row.trials} trials")
    if budget < row.budget:
        why.append(f"a budget of {budget:,} of the row's {row.budget:,} sequences")
    return "; ".join(why) or None


def _result_reduced(key: str, res: dict[str, Any]) -> Optional[str]:
    """Why the result dict ``res`` of row ``key`` is a reduced run (None: a full one)."""
    why = reduced_reason(get_row(key), len(res["trials"]), int(res["budget"]))
    if why is None and res.get("quick"):
        why = "it is marked as a reduced run (quick: true)"
    return why


def write_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` all at once: a temporary file beside it, flushed, then ``os.replace``.

    Readers see the old file or the new one, never a part; if the writer dies, the old file stays.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, (path.stat().st_mode & 0o777) if path.exists() else 0o644)  # mkstemp makes it 0600
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    try:  # make the rename itself durable (POSIX; a no-op elsewhere)
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


@contextmanager
def locked(path: str | Path) -> Iterator[None]:
    """Hold an exclusive lock for ``path`` (on the file ``.<name>.lock`` beside it) while inside.

    Every writer of the results takes it, so read-merge-write never interleaves.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(f".{path.name}.lock"), "a+b") as f:
        _lock(f)
        try:
            yield
        finally:
            _unlock(f)


try:
    import fcntl

    def _lock(f) -> None:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)

    def _unlock(f) -> None:
        fcntl.flock(f.fileno(), fcntl.LOCK_UN)

except ImportError:  # Windows
    import msvcrt
    import time

    def _lock(f) -> None:
        f.seek(0)
        while True:
            try:
                msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)
                return
            except OSError:
                time.sleep(0.05)

    def _unlock(f) -> None:
        f.seek(0)
        msvcrt.locking(f.fileno(), msvcrt.LK_UNLCK, 1)


def merge_results(path: str | Path, new: dict[str, Any], meta: Optional[dict[str, Any]] = None, *,
                  allow_reduced: bool = False) -> dict[str, Any]:
    """Add or replace rows ``new`` (row key: result dict) in the results file at ``path`` and write it.

    Under the lock, the file as it is now is read, ``new`` and ``meta`` are merged in, and the
    whole is written atomically (created if missing). Into the shipped file a reduced run is
    refused with :class:`ReducedRun` unless ``allow_reduced``. Returns the merged results.
    """
    path = Path(path)
    for key, res in new.items():
        get_row(key)  # an unknown key is refused before anything is written
        why = _result_reduced(key, res)
        if why and is_shipped(path) and not allow_reduced:
            raise ReducedRun(f"row {key}: {why}; the shipped results ({path.name}) hold only runs of the rows' "
                             "protocol. Write it elsewhere (--out FILE), or pass --allow-reduced (allow_reduced="
                             "True) to keep it in the shipped file, marked as a reduced run")
        if why:
            res["quick"] = True
    with locked(path):
        data = load_results(path) if path.exists() else {"meta": {}, "rows": {}}
        data["rows"].update(new)
        data["meta"].update(meta or {})
        order = {row.key: i for i, row in enumerate(ROWS)}
        data["rows"] = dict(sorted(data["rows"].items(), key=lambda kv: order.get(kv[0], len(order))))
        write_atomic(path, json.dumps(data, indent=1, sort_keys=False) + "\n")
    return data


# ======================================================================================
# Checkpoints: one JSON line per finished trial
# ======================================================================================
def checkpoint_path(results_file: str | Path, key: str, seed: int) -> Path:
    """The checkpoint of row ``key`` run with ``seed`` for the results at ``results_file``.

    >>> checkpoint_path("data/paper_protocol.json", "T9-6a", 0).as_posix()
    'data/checkpoints/T9-6a-seed0.jsonl'
    """
    return Path(results_file).parent / "checkpoints" / f"{key}-seed{int(seed)}.jsonl"


class Checkpoint:
    """The finished trials of one run of a row, kept on disk as they finish.

    The first line says which run it belongs to (row, seed, budget, the row's definition);
    each further line is one finished trial: ``{"k": index, "trial": TrialResult fields,
    "weights": its trained parameters, "seconds": wall time of the run so far}``. Lines are
    appended and flushed one at a time, so a kill loses at most the trial being written;
    a torn last line is dropped when the file is read again.
    """

    def __init__(self, path: str | Path, row: Row, seed: int, budget: int) -> None:
        self.path = Path(path)
        header = {"row": row.key, "seed": int(seed), "budget": int(budget), "definition": asdict(row)}
        self.header = json.loads(json.dumps(header))  # as read back from the file (tuples become lists)

    def load(self) -> dict[int, dict[str, Any]]:
        """The trials finished so far ({k: line}); empty if there is no checkpoint."""
        if not self.path.exists():
            return {}
        lines = self.path.read_text(encoding="utf-8").split("\n")
        records = []
        for i, line in enumerate(lines):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                if i >= len(lines) - 2:  # the last line, torn by a kill mid-write
                    break
                raise CheckpointError(f"checkpoint {self.path} is damaged at line {i + 1}; delete it to start the "
                                 "row afresh") from None
        if not records:
            return {}
        if records[0] != self.header:
            theirs, ours = _describe(records[0]), _describe(self.header)
            if theirs == ours:  # same row, seed and budget: the row itself was changed since
                theirs += ", an earlier definition of the row"
            raise CheckpointError(f"checkpoint {self.path} belongs to another run ({theirs}; this run: {ours}); "
                                  "rerun with that seed and budget to resume it, or delete it to start the row afresh")
        return {int(r["k"]): r for r in records[1:]}

    def append(self, k: int, trial: dict[str, Any], weights: dict[str, Any], seconds: float) -> None:
        """Add finished trial ``k`` (its result fields and trained weights) and flush it to disk."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists() or self.path.stat().st_size == 0:
            self._write_line(self.header, fresh=True)
        else:
            self._drop_torn_tail()
        self._write_line({"k": int(k), "trial": trial, "weights": weights, "seconds": float(seconds)})

    def remove(self) -> None:
        """Delete the checkpoint (its trials are in the results now), and its folder once empty."""
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass
        try:
            self.path.parent.rmdir()
        except OSError:  # other rows' checkpoints are there, or it is gone already
            pass

    def _write_line(self, record: dict[str, Any], fresh: bool = False) -> None:
        with open(self.path, "w" if fresh else "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")
            f.flush()
            os.fsync(f.fileno())

    def _drop_torn_tail(self) -> None:
        """Cut a last line without its newline (a kill mid-write), so the next line starts clean."""
        with open(self.path, "rb+") as f:
            data = f.read()
            if data and not data.endswith(b"\n"):
                f.truncate(data.rfind(b"\n") + 1)


def _describe(header: dict[str, Any]) -> str:
    return f"row {header.get('row')}, seed {header.get('seed')}, budget {header.get('budget')}"

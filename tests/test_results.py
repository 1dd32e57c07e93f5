"""lstm_core.reproduction.results: the store keeps what it holds (atomic writes, a lock, reduced runs kept out
of the shipped file, checkpoints that survive a kill)."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lstm_core.reproduction import results as store
from lstm_core.reproduction.results import (
    Checkpoint, ReducedRun, checkpoint_path, is_shipped, load_results, merge_results, reduced_reason, results_path,
    write_atomic,
)
from lstm_core.reproduction.rows import get_row

ROOT = Path(__file__).resolve().parents[1]


def _fake(key: str, trials: int | None = None, budget: int | None = None, quick: bool = False) -> dict:
    """A result dict of row ``key`` in the stored format (the numbers do not matter here)."""
    row = get_row(key)
    n = row.trials if trials is None else trials
    trial = {"seed": 0, "solved": False, "sequences": None, "sequences_trained": 1, "diverged": False, "st1": None,
             "test_wrong": 1, "test_size": 2560, "test_mean_abs_error": 0.5, "test_mse": 0.25}
    return {"row": {"key": key}, "seed": 0, "seconds": 1.0, "budget": row.budget if budget is None else budget,
            "quick": quick, "example_trial": 0, "example_weights": None, "summary": {"trials": n, "solved": 0},
            "trials": [dict(trial, seed=k) for k in range(n)]}


def test_the_shipped_file_round_trips_byte_for_byte():
    """The store writes the format it reads: re-serialising the shipped file changes no byte."""
    path = results_path()
    text = path.read_text(encoding="utf-8")
    assert json.dumps(load_results(), indent=1, sort_keys=False) + "\n" == text
    assert is_shipped(path) and not is_shipped(path.with_name("quick.json"))


# ---------------------------------------------------------------------------------------
# Atomic writes
# ---------------------------------------------------------------------------------------
def test_merge_keeps_rows_and_orders_them_like_ROWS(tmp_path):
    out = tmp_path / "r.json"
    merge_results(out, {"T9-6b": _fake("T9-6b")}, {"command": "a"})
    data = merge_results(out, {"T7-adding-T100": _fake("T7-adding-T100")}, {"machine": "m"})
    assert list(data["rows"]) == ["T7-adding-T100", "T9-6b"] and data["meta"] == {"command": "a", "machine": "m"}
    assert load_results(out) == data
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []  # no temporary file left


def test_a_failed_write_leaves_the_old_file_whole(tmp_path, monkeypatch):
    out = tmp_path / "r.json"
    merge_results(out, {"T9-6a": _fake("T9-6a")})
    before = out.read_bytes()

    def crash(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(store.os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        merge_results(out, {"T9-6b": _fake("T9-6b")})
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".r.json.lock", "r.json"]  # the temporary file is gone


def test_a_process_killed_mid_write_leaves_the_old_file_whole(tmp_path):
    """A real crash: the writer is killed (SIGKILL) after writing half of the new text."""
    out = tmp_path / "r.json"
    merge_results(out, {"T9-6a": _fake("T9-6a")})
    before = out.read_bytes()
    script = textwrap.dedent(f"""
        import io, os, signal
        from lstm_core.reproduction import results as store
        real_fdopen = os.fdopen
        class Dying(io.TextIOWrapper):
            def write(self, text):
                super().write(text[: len(text) // 2])
                self.flush()
                os.kill(os.getpid(), signal.SIGKILL)
        def fdopen(fd, mode="r", encoding=None):
            return Dying(real_fdopen(fd, "wb"), encoding=encoding)
        store.os.fdopen = fdopen
        store.merge_results({str(out)!r}, {{"T9-6b": {_fake("T9-6b")!r}}})
    """)
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert out.read_bytes() == before  # the old results, whole
    torn = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert len(torn) == 1 and torn[0].stat().st_size > 0  # the half-written new text, beside it
    assert list(load_results(out)["rows"]) == ["T9-6a"]


def test_write_atomic_keeps_the_files_mode(tmp_path):
    out = tmp_path / "r.json"
    out.write_text("{}")
    os.chmod(out, 0o640)
    write_atomic(out, "[]\n")
    assert out.read_text() == "[]\n" and (out.stat().st_mode & 0o777) == 0o640


# ---------------------------------------------------------------------------------------
# The lock: two writers at once keep both
# ---------------------------------------------------------------------------------------
def _slow_writer(out: str, key: str, go, delay: float) -> None:
    """Merge one row while the lock is held, slowly (the read and the write are far apart)."""
    import time

    real = store.write_atomic

    def slow(path, text):
        time.sleep(delay)  # the file has been read: a writer without a lock would now lose the other's row
        real(path, text)

    store.write_atomic = slow
    go.wait()
    merge_results(out, {key: _fake(key)})


def test_two_processes_writing_at_once_keep_both_rows(tmp_path):
    out = tmp_path / "r.json"
    merge_results(out, {"T9-6a": _fake("T9-6a")})
    ctx = multiprocessing.get_context("spawn")
    go = ctx.Event()
    procs = [ctx.Process(target=_slow_writer, args=(str(out), key, go, 0.5))
             for key in ("T7-adding-T100", "T8-multiplication-nseq13")]
    for p in procs:
        p.start()
    go.set()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    assert list(load_results(out)["rows"]) == ["T7-adding-T100", "T8-multiplication-nseq13", "T9-6a"]


def test_without_the_lock_the_same_race_loses_a_row(tmp_path, monkeypatch):
    """The control for the test above: the race it guards against is real."""
    import contextlib

    out = tmp_path / "r.json"
    merge_results(out, {"T9-6a": _fake("T9-6a")})
    first = load_results(out)  # writer 1 reads ...
    monkeypatch.setattr(store, "locked", lambda path: contextlib.nullcontext())
    merge_results(out, {"T9-6b": _fake("T9-6b")})  # ... writer 2 reads, merges and writes ...
    first["rows"]["T7-adding-T100"] = _fake("T7-adding-T100")
    write_atomic(out, json.dumps(first, indent=1) + "\n")  # ... writer 1 writes what it read: T9-6b is gone
    assert "T9-6b" not in load_results(out)["rows"]


# ---------------------------------------------------------------------------------------
# Reduced runs and the shipped file
# ---------------------------------------------------------------------------------------
def test_reduced_reason_names_what_is_reduced():
    row = get_row("T9-6a")
    assert reduced_reason(row, row.trials, row.budget) is None
    assert reduced_reason(row, row.trials, 2 * row.budget) is None  # a larger budget is not reduced
    assert reduced_reason(row, 3, row.budget) == "3 of the row's 20 trials"
    assert reduced_reason(row, 3, 300, quick=True) == ("a --quick run; 3 of the row's 20 trials; "
                                                       "a budget of 300 of the row's 125,560 sequences")


def test_the_shipped_file_refuses_a_reduced_run_unless_allowed(tmp_path, monkeypatch):
    shipped = tmp_path / "data" / "paper_protocol.json"
    shipped.parent.mkdir()
    shipped.write_text(results_path().read_text())
    before = shipped.read_bytes()
    monkeypatch.setattr(store, "results_path", lambda name=store.SHIPPED: tmp_path / "data" / name)
    assert is_shipped(shipped)
    for reduced in (_fake("T9-6a", trials=2), _fake("T9-6a", budget=300), _fake("T9-6a", quick=True)):
        with pytest.raises(ReducedRun, match="pass --allow-reduced"):
            merge_results(shipped, {"T9-6a": reduced})
    assert shipped.read_bytes() == before  # nothing written
    data = merge_results(shipped, {"T9-6a": _fake("T9-6a", trials=2)}, allow_reduced=True)
    assert data["rows"]["T9-6a"]["quick"] is True  # kept, and marked as a reduced run
    merge_results(shipped, {"T9-6a": _fake("T9-6a")})  # a full run needs no permission
    elsewhere = merge_results(tmp_path / "other.json", {"T9-6a": _fake("T9-6a", trials=2)})
    assert elsewhere["rows"]["T9-6a"]["quick"] is True  # elsewhere: written, and marked too


# ---------------------------------------------------------------------------------------
# Checkpoints
# ---------------------------------------------------------------------------------------
def test_checkpoint_appends_reads_back_and_drops_a_torn_line(tmp_path):
    row = get_row("T9-6a")
    path = checkpoint_path(tmp_path / "r.json", row.key, 3)
    assert path == tmp_path / "checkpoints" / "T9-6a-seed3.jsonl"
    ckpt = Checkpoint(path, row, seed=3, budget=500)
    assert ckpt.load() == {}
    ckpt.append(1, {"seed": 30022}, {"w": [1.0, 2.0]}, seconds=2.5)
    ckpt.append(0, {"seed": 30021}, {"w": [0.0]}, seconds=4.0)
    with open(path, "a") as f:  # a kill in the middle of the next line
        f.write('{"k": 2, "trial": {"se')
    done = ckpt.load()
    assert sorted(done) == [0, 1] and done[1]["weights"] == {"w": [1.0, 2.0]} and done[0]["seconds"] == 4.0
    ckpt.append(2, {"seed": 30023}, {}, seconds=5.0)  # the torn line is cut before the next one
    assert sorted(ckpt.load()) == [0, 1, 2]
    with pytest.raises(ValueError, match="belongs to another run"):
        Checkpoint(path, row, seed=3, budget=600).load()
    ckpt.remove()
    assert not path.exists() and not path.parent.exists() and ckpt.load() == {}

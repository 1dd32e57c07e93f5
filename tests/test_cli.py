"""python -m lstm_core.reproduction: choosing rows, running them, the table it prints."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lstm_core.reproduction.cli import main, select_rows
from lstm_core.reproduction.results import load_results, trained_model
from lstm_core.reproduction.rows import ROWS
from lstm_core.reproduction.tables import comparison_markdown, comparison_rows
from lstm_core.tasks import temporal_order
from lstm_core.training.loop import predict


def test_report_and_cli(tmp_path, capsys):
    out = tmp_path / "r.json"
    assert main(["T9-6a", "--trials", "1", "--budget", "300", "--out", str(out), "--no-progress",
                 "--markdown", str(tmp_path / "t.md")]) == 0
    data = json.loads(out.read_text())
    assert list(data["rows"]) == ["T9-6a"] and data["rows"]["T9-6a"]["budget"] == 300
    md = comparison_markdown(data)
    assert "31,390" in md and "not reached in 300" in md  # the paper's number beside ours
    assert "0 / 1 (reduced run: the paper's protocol has 20 trials)" in md  # fewer trials than the paper: said
    assert (tmp_path / "t.md").read_text().strip() == md
    assert len(comparison_rows(data)) == 1
    assert "T9-6a" in capsys.readouterr().out


def test_select_rows_and_bad_arguments():
    assert {r.key for r in select_rows("7")} == {"T7-adding-T100", "T7-adding-T500", "T7-adding-T1000",
                                                 "RNN-adding-T100"}
    assert [r.key for r in select_rows("T9-6b")] == ["T9-6b"]
    assert len(select_rows("all")) == len(ROWS)
    with pytest.raises(ValueError, match="nothing to run for 'addition'"):
        select_rows("addition")
    with pytest.raises(SystemExit):
        main(["7", "--trials", "0"])


def test_shipped_example_weights_rebuild_the_trained_network(tmp_path):
    out = tmp_path / "r.json"
    main(["RNN-6a", "--trials", "1", "--budget", "200", "--out", str(out), "--no-progress"])
    main(["T9-6a", "--trials", "1", "--budget", "200", "--out", str(out), "--no-progress"])
    data = load_results(out)
    for key in ("RNN-6a", "T9-6a"):
        net = trained_model(key, data)
        test = temporal_order.generate(temporal_order.PAPER_CONFIGS["6a"], 2560, np.random.default_rng([0, 0, 2]))
        wrong = int((~temporal_order.sequence_correct(predict(net, test), test)).sum())
        assert wrong == data["rows"][key]["trials"][0]["test_wrong"]  # float32 rebuild, same verdicts
    with pytest.raises(ValueError, match="not in the results"):
        trained_model("T7-adding-T100", data)


# ---------------------------------------------------------------------------------------
# Where a command writes: reduced runs stay out of the shipped file
# ---------------------------------------------------------------------------------------
@pytest.fixture
def shipped(tmp_path, monkeypatch):
    """A copy of the shipped results that the command and the store take for the shipped file."""
    from lstm_core.reproduction import cli, results

    data = tmp_path / "data"
    data.mkdir()
    (data / "paper_protocol.json").write_text(results.results_path().read_text())
    monkeypatch.setattr(results, "results_path", lambda name=results.SHIPPED: data / name)
    monkeypatch.setattr(cli, "results_path", lambda name=results.SHIPPED: data / name)
    return data / "paper_protocol.json"


def test_destination_of_full_and_reduced_runs(shipped):
    from lstm_core.reproduction.cli import destination
    from lstm_core.reproduction.results import ReducedRun

    rows = select_rows("9")  # T9-6a (20 trials), T9-6b (10), RNN-6a (10)
    assert destination(rows, None, None) == shipped  # the rows' protocol: the shipped file
    assert destination(rows, 10, None) == shipped.with_name("quick.json")  # 10 of T9-6a's 20 trials
    assert destination(rows, None, None, quick=True) == shipped.with_name("quick.json")
    assert destination(rows, 10, None, allow_reduced=True) == shipped
    assert destination(rows, 2, 300, out=shipped.with_name("mine.json")) == shipped.with_name("mine.json")
    with pytest.raises(ReducedRun, match=r"T9-6a \(10 of the row's 20 trials\).*pass --allow-reduced"):
        destination(rows, 10, None, out=shipped)


def test_a_reduced_run_into_the_shipped_file_is_refused_before_it_runs(shipped, capsys):
    before = shipped.read_bytes()
    with pytest.raises(SystemExit) as stop:
        main(["T9-6a", "--trials", "1", "--budget", "300", "--out", str(shipped), "--no-progress"])
    assert stop.value.code == 2 and "--allow-reduced" in capsys.readouterr().err
    assert shipped.read_bytes() == before
    assert main(["T9-6a", "--trials", "1", "--budget", "300", "--no-progress"]) == 0  # no --out: quick.json
    assert shipped.read_bytes() == before
    assert load_results(shipped.with_name("quick.json"))["rows"]["T9-6a"]["quick"] is True
    assert main(["T9-6a", "--trials", "1", "--budget", "300", "--no-progress", "--allow-reduced"]) == 0
    data = load_results(shipped)
    assert data["rows"]["T9-6a"]["quick"] is True and len(data["rows"]["T9-6a"]["trials"]) == 1
    assert "reduced run: the paper's protocol has 20 trials" in comparison_markdown(data, ["9"])
    assert data["rows"]["T9-6b"] == load_results()["rows"]["T9-6b"]  # the other rows untouched
    assert not (shipped.parent / "checkpoints" / "T9-6a-seed0.jsonl").exists()  # merged: checkpoint removed


# ---------------------------------------------------------------------------------------
# An interrupted row loses no finished trial
# ---------------------------------------------------------------------------------------
_KILLED_RUN = """
import os, signal, sys
from lstm_core.reproduction import results
from lstm_core.reproduction.cli import run_and_store
from lstm_core.reproduction.rows import get_row

out, kill_after = sys.argv[1], int(sys.argv[2])
real, count = results.Checkpoint.append, [0]

def append(self, *args, **kwargs):
    real(self, *args, **kwargs)  # the line is on disk ...
    count[0] += 1
    if count[0] == kill_after:
        os.kill(os.getpid(), signal.SIGKILL)  # ... and the process dies right after it

results.Checkpoint.append = append
run_and_store(get_row("T9-6a"), out, trials=3, budget=300, progress=False)
"""


@pytest.mark.parametrize("kill_after", [1, 3])
def test_a_killed_row_resumes_from_its_checkpoint_exactly(tmp_path, monkeypatch, kill_after):
    """Killed after the first (or the last) finished trial's checkpoint line, then rerun: the row equals an
    uninterrupted run's, and the trials in the checkpoint are not trained again."""
    import signal
    import subprocess
    import sys
    from pathlib import Path

    from lstm_core.reproduction import results
    from lstm_core.reproduction.cli import run_and_store
    from lstm_core.reproduction.rows import get_row

    row = get_row("T9-6a")
    whole = tmp_path / "whole" / "r.json"
    run_and_store(row, whole, trials=3, budget=300, progress=False)
    killed = tmp_path / "killed" / "r.json"
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.run([sys.executable, "-c", _KILLED_RUN, str(killed), str(kill_after)], cwd=root,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    ckpt = results.checkpoint_path(killed, row.key, 0)
    assert len(results.Checkpoint(ckpt, row, 0, 300).load()) == kill_after and not killed.exists()
    trained = []
    real = results.Checkpoint.append
    monkeypatch.setattr(results.Checkpoint, "append",
                        lambda self, k, *a, **kw: (trained.append(k), real(self, k, *a, **kw))[1])
    run_and_store(row, killed, trials=3, budget=300, progress=False)
    assert len(trained) == 3 - kill_after  # only the trials the checkpoint did not hold were trained
    a, b = load_results(whole)["rows"]["T9-6a"], load_results(killed)["rows"]["T9-6a"]
    a.pop("seconds"), b.pop("seconds")
    assert a == b  # every trial, the summary and the kept weights: exactly the uninterrupted run's
    assert not ckpt.exists() and not ckpt.parent.exists()  # merged: the checkpoint (and its empty folder) is gone


def test_a_checkpoint_of_another_run_is_refused_with_what_to_do(tmp_path, capsys):
    from lstm_core.reproduction.results import Checkpoint, checkpoint_path
    from lstm_core.reproduction.rows import get_row

    out = tmp_path / "r.json"
    row = get_row("T9-6a")
    Checkpoint(checkpoint_path(out, row.key, 0), row, 0, budget=500).append(0, {}, {}, seconds=1.0)
    assert main(["T9-6a", "--trials", "1", "--budget", "300", "--out", str(out), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "belongs to another run" in err and "budget 500" in err and "delete it" in err
    assert not out.exists()

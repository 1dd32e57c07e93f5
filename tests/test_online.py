"""The online driver (lstm_core.training.online): live runs, rows, seeds, resuming, divergence."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_core import paper_network
from lstm_core.reproduction.results import load_results
from lstm_core.reproduction.rows import get_row
from lstm_core.reproduction.run import run_row
from lstm_core.tasks import adding, reber
from lstm_core.tasks.adding import AddingConfig
from lstm_core.tasks.recall import RecallConfig
from lstm_core.training.engines import lstm1997 as fast
from lstm_core.training.online import OnlineSetup, live_paper_run, resolve_config, run_trials


# ---------------------------------------------------------------------------------------
# live_paper_run
# ---------------------------------------------------------------------------------------
def test_live_run_equals_training_by_hand():
    """The run's curve and weights are those of fast.train_online on the documented data stream."""
    cfg = AddingConfig(T=20)
    run = live_paper_run(cfg, "adding", 0.5, max_sequences=300, seed=4, chunk=120)
    assert run.stopped_by == "budget" and run.n_trained == 300 and not run.solved

    params = fast.FastParams.from_model(paper_network("adding", seed=4))
    rng = np.random.default_rng([0, 4, 1])  # trial 4 of run seed 0
    errs, oks = [], []
    for n in (120, 120, 60):  # the stream is drawn chunk by chunk; the last chunk is cut to the budget
        batch = adding.generate(cfg, 120, rng).select(np.arange(n))
        out = fast.train_online(params, batch, 0.5)
        errs.append(adding.sequence_error(out, batch))
        oks.append(adding.sequence_correct(out, batch))
    np.testing.assert_array_equal(run.errors, np.concatenate(errs))
    np.testing.assert_array_equal(run.correct, np.concatenate(oks))
    np.testing.assert_array_equal(run.params.W, params.W)
    # the torch model carries the trained weights
    np.testing.assert_allclose(run.model.cell.weight_in.detach().double().numpy(),
                               params.named()["cell.weight_in"], rtol=1e-6, atol=1e-7)


def test_stops_at_the_criterion_with_the_weights_of_that_moment():
    """An online rule met mid-chunk rewinds: the result does not depend on the chunk size."""
    cfg = RecallConfig(lag=4)
    a = live_paper_run(cfg, "adding", 0.5, max_sequences=20_000, seed=1, chunk=997)
    b = live_paper_run(cfg, "adding", 0.5, max_sequences=20_000, seed=1, chunk=10_000)
    assert a.solved and a.stopped_by == "criterion"
    assert a.sequences == b.sequences == a.n_trained
    np.testing.assert_array_equal(a.params.W, b.params.W)
    # the rule: at most 25 of the last 500 wrong, met exactly at the last sequence
    assert (~a.correct[-500:]).sum() <= 25 < (~a.correct[-501:-1]).sum() + 1
    # training on further sequences would have changed the weights: the rewind mattered
    c = live_paper_run(cfg, "adding", 0.5, max_sequences=a.n_trained + 50, seed=1, chunk=997,
                       stop_at_criterion=False)
    assert c.n_trained == a.n_trained + 50 and not np.array_equal(c.params.W, a.params.W)
    assert c.solved and c.sequences == a.sequences


def test_reber_checks_both_sets_and_records_them():
    train, test = reber.make_reber_sets(0)
    run = live_paper_run("reber", "reber-3x2", 0.5, max_sequences=1000, seed=0, check_every=250)
    assert run.check_size == train.n + test.n == 512
    np.testing.assert_array_equal(run.checks[:, 0], [250, 500, 750, 1000])
    # the last check, recomputed by hand from the trained weights
    out_tr = fast.minibatch_gradients(run.params, train)[0]
    out_te = fast.minibatch_gradients(run.params, test)[0]
    wrong = int((~reber.sequence_correct(out_tr, train)).sum() + (~reber.sequence_correct(out_te, test)).sum())
    assert run.checks[-1, 1] == wrong
    # a Reber training sequence is always one of the 256 training strings
    assert run.errors.shape == (1000,)


def test_time_limit_stops_early():
    run = live_paper_run(AddingConfig(T=100), "adding", 0.5, max_sequences=10_000_000, seed=0,
                         max_seconds=0.05, chunk=50)
    assert run.stopped_by == "time" and 0 < run.n_trained < 10_000_000


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="inputs"):
        live_paper_run("adding-T100", "reber-3x2", 0.5, 10)
    with pytest.raises(ValueError, match="learning_rate"):
        live_paper_run("adding-T100", "adding", -1.0, 10)
    with pytest.raises(ValueError, match="max_sequences"):
        live_paper_run("adding-T100", "adding", 0.5, 0)
    with pytest.raises(ValueError, match="task_config"):
        resolve_config(42)


# ---------------------------------------------------------------------------------------
# One driver: a chapter's live run with seed k is trial k of the row
# ---------------------------------------------------------------------------------------
def test_live_run_with_seed_k_is_trial_k_of_the_row():
    """Trial 2 of T9-6a for 3000 sequences, through run_row and through a chapter's live run: the same."""
    kept = {}
    res = run_row(get_row("T9-6a"), trials=3, budget=3000, progress=False, on_trial=lambda k, t: kept.update({k: t}))
    live = live_paper_run("6a", "6a", 0.5, max_sequences=3000, seed=2, max_seconds=600)
    row_trial = kept[2]
    assert live.n_trained == row_trial.sequences_trained == res.trials[2].sequences_trained == 3000
    assert live.seed == row_trial.seed == res.trials[2].seed == 2
    for name, w in row_trial.weights.items():
        np.testing.assert_array_equal(live.weights[name], w, err_msg=name)
    np.testing.assert_array_equal(live.params.W, row_trial.params.W)


def test_live_run_reproduces_a_shipped_trial_to_the_criterion():
    """Live run seed 3 of 6a meets ST3 exactly where trial 3 of the shipped row did."""
    shipped = load_results()["rows"]["T9-6a"]["trials"][3]
    live = live_paper_run("6a", "6a", 0.5, max_sequences=get_row("T9-6a").budget, seed=3, max_seconds=600)
    assert shipped["solved"] and live.solved and live.stopped_by == "criterion"
    assert live.sequences == live.n_trained == shipped["sequences"] == shipped["sequences_trained"]


def test_resuming_with_the_finished_trials_changes_nothing():
    """A run interrupted after some trials, resumed with them as ``done``, equals the uninterrupted run."""
    row = get_row("T7-adding-T100")
    finished = {}
    full = run_row(row, trials=3, budget=700, progress=False, on_trial=lambda k, t: finished.update({k: t}))
    assert sorted(finished) == [0, 1, 2]
    checkpoint = {k: {"trial": finished[k].record(), "weights": finished[k].weight_lists()} for k in (0, 2)}
    rerun = []
    resumed = run_row(row, trials=3, budget=700, progress=False, done=checkpoint,
                      on_trial=lambda k, t: rerun.append(k))
    assert rerun == [1]  # only the unfinished trial trains again
    assert [t.__dict__ for t in resumed.trials] == [t.__dict__ for t in full.trials]
    assert resumed.example_weights == full.example_weights
    # the driver itself: skipped trials are None, the others train as in the full run
    runs = run_trials(OnlineSetup("adding-T100", "adding", 0.5), 3, budget=700, skip={0, 2})
    assert runs[0] is None and runs[2] is None
    for name, w in runs[1].weights.items():
        np.testing.assert_array_equal(w, finished[1].weights[name])


def test_a_diverging_trial_is_reported_with_what_to_change():
    calls = []
    runs = run_trials(OnlineSetup(AddingConfig(T=20), "adding", 1e8), 2, budget=3000,
                      on_trial=lambda k, t: calls.append(k))
    assert sorted(calls) == [0, 1]
    for run in runs:
        assert run.diverged and run.stopped_by == "diverged" and not run.solved
        assert "a weight had grown beyond |w| = 1e+06" in run.message
        assert "Lower the learning rate (now 1e+08; try 1e+07)" in run.message
        assert run.test_wrong is None and run.sequences_trained < 3000  # no final test of a diverged net
        assert max(np.abs(w).max() for w in run.weights.values()) < np.inf


def test_setup_refuses_bad_values():
    for bad in (0.0, float("inf"), True):
        with pytest.raises(ValueError, match="learning_rate"):
            OnlineSetup("adding-T100", "adding", bad)
    with pytest.raises(ValueError, match="updates"):
        OnlineSetup("adding-T100", "adding", 0.5, updates="chunk")
    with pytest.raises(ValueError, match="hidden"):
        OnlineSetup("adding-T100", "adding", 0.5, model="rnn")
    with pytest.raises(ValueError, match="cell_from is for the 2a/2b network"):
        run_trials(OnlineSetup("adding-T100", "adding", 0.5, cell_from=5), 1, budget=10)
    with pytest.raises(ValueError, match="budget"):
        run_trials(OnlineSetup("adding-T100", "adding", 0.5), 1, budget=0)


def test_live_run_without_a_time_limit_and_bad_limits_refused():
    """``max_seconds=None`` or ``math.inf`` means no time limit; zero, negatives, nan and bools are refused."""
    import math

    free = live_paper_run("6a", "6a", 0.5, max_sequences=200, seed=1, max_seconds=math.inf)
    none = live_paper_run("6a", "6a", 0.5, max_sequences=200, seed=1, max_seconds=None)
    assert free.sequences_trained == none.sequences_trained == 200
    for bad in (0, -1.0, float("nan"), True):
        with pytest.raises((TypeError, ValueError), match="max_seconds"):
            live_paper_run("6a", "6a", 0.5, max_sequences=200, seed=1, max_seconds=bad)

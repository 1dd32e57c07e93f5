"""lstm_core.analysis.inside and .criteria: the tools that look inside a network, and k in a row (live runs: test_online.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from lstm_core import paper_network
from lstm_core.analysis.samples import adding_marked_steps, reber_branches, reber_step_kinds
from lstm_core.analysis.inside import (
    end_state_drift, gate_activity, mean_where, running_mean, state_jumps, threshold_accuracy,
)
from lstm_core.analysis.criteria import error_rate_for_run, expected_wait_for_run, prob_run, trial_error_rates
from lstm_core.tasks import adding, long_lag, paper_config, reber
from lstm_core.tasks.adding import AddingConfig


# ---------------------------------------------------------------------------------------
# Looking inside
# ---------------------------------------------------------------------------------------
def test_gate_activity_matches_the_model_and_the_cec():
    net = paper_network("adding", seed=3)
    batch = adding.generate(AddingConfig(T=20), 5, seed=0)
    act = gate_activity(net, batch)
    n, T = batch.n, batch.T_max
    assert act.y_in.shape == (n, T, 2) and act.s.shape == (n, T, 4) and act.outputs.shape == (n, T, 1)
    with torch.no_grad():
        out, _ = net(torch.as_tensor(batch.inputs))
    np.testing.assert_allclose(act.outputs, out.double().numpy(), rtol=1e-5, atol=1e-6)
    # the 1997 CEC: what a step adds to s_c is exactly y^in g(net_c)
    np.testing.assert_allclose(state_jumps(act.s), act.per_cell(act.y_in) * act.g_c, atol=1e-5)
    np.testing.assert_array_equal(act.block_of_cell, [0, 0, 1, 1])
    np.testing.assert_array_equal(act.valid, np.arange(T)[None] < batch.lengths[:, None])
    # the same from a plain array
    np.testing.assert_allclose(gate_activity(net, batch.inputs).s, act.s)
    with pytest.raises(ValueError):
        gate_activity(torch.nn.Linear(2, 1), batch)


def test_mean_where_and_state_jumps_by_hand():
    v = np.arange(12.0).reshape(2, 3, 2)
    where = np.array([[True, False, True], [False, True, False]])
    valid = np.array([[True, True, False], [True, True, True]])
    # selected and valid: (0,0) -> [0, 1], (1,1) -> [8, 9]
    np.testing.assert_allclose(mean_where(v, where, valid), [4.0, 5.0])
    with pytest.raises(ValueError):
        mean_where(v, np.zeros((2, 3), bool))
    s = np.cumsum(np.random.default_rng(0).normal(size=(3, 7, 2)), axis=1)
    np.testing.assert_allclose(np.cumsum(state_jumps(s), axis=1), s)


def test_threshold_accuracy_equals_brute_force():
    rng = np.random.default_rng(0)
    for _ in range(20):
        v = np.round(rng.normal(size=15), 1)  # ties included
        y = rng.random(15) < 0.5
        if y.all() or not y.any():
            continue
        acc, thr = threshold_accuracy(v, y)
        cands = np.concatenate([[v.min() - 1], (np.sort(np.unique(v))[1:] + np.sort(np.unique(v))[:-1]) / 2,
                                [v.max() + 1]])
        brute = max(max(np.mean((v > c) == y), np.mean((v <= c) == y)) for c in cands)
        assert math.isclose(acc, brute)
        assert math.isclose(max(np.mean((v > thr) == y), np.mean((v <= thr) == y)), acc)
    with pytest.raises(ValueError):
        threshold_accuracy([1.0, 2.0], [True, True])


def test_marked_steps_and_branches():
    batch = adding.generate(AddingConfig(T=30), 50, seed=1)
    marked = adding_marked_steps(batch)
    np.testing.assert_array_equal(marked, batch.inputs[..., 1] == 1.0)  # the markers say the same
    assert (marked.sum(axis=1) == 2).all()
    rb = reber.generate(reber.ReberConfig(), 20, seed=0)
    br = reber_branches(rb)
    assert set(br) <= {"T", "P"}
    assert all(s[-2] == b for s, b in zip(rb.info["strings"], br))
    with pytest.raises(ValueError):
        reber_branches(batch)
    with pytest.raises(ValueError):
        adding_marked_steps(rb)


def test_running_mean_equals_a_loop():
    x = np.random.default_rng(2).random(50)
    for w in (1, 3, 10, 80):
        loop = [x[max(0, i - w + 1): i + 1].mean() for i in range(50)]
        np.testing.assert_allclose(running_mean(x, w), loop)
        full = running_mean(x, w, full_only=True)
        assert np.isnan(full[: w - 1]).all()
        np.testing.assert_allclose(full[w - 1:], loop[w - 1:])


# ---------------------------------------------------------------------------------------
# k in a row
# ---------------------------------------------------------------------------------------
def test_waiting_time_equals_the_recursion_and_a_simulation():
    # E_k = (E_{k-1} + 1) / p: reach k-1 in a row, then one more success or start over
    for e in (0.0, 0.1, 0.37):
        E = 0.0
        for k in range(1, 12):
            E = (E + 1.0) / (1.0 - e)
            assert math.isclose(expected_wait_for_run(e, k), E, rel_tol=1e-12)
    rng = np.random.default_rng(0)
    waits = []
    for _ in range(4000):
        streak, n = 0, 0
        while streak < 3:
            n += 1
            streak = streak + 1 if rng.random() > 0.3 else 0
        waits.append(n)
    assert abs(np.mean(waits) - expected_wait_for_run(0.3, 3)) < 0.05 * expected_wait_for_run(0.3, 3)


def test_run_probability_and_its_inverse():
    assert math.isclose(prob_run(0.1, 2), 0.81)
    for p in (0.01, 0.5, 0.9):
        assert math.isclose(prob_run(error_rate_for_run(p, 2000), 2000), p, rel_tol=1e-9)
    with pytest.raises(ValueError):
        prob_run(1.0, 5)
    with pytest.raises(ValueError):
        error_rate_for_run(0.0, 5)
    with pytest.raises(ValueError):
        expected_wait_for_run(0.1, 0)


def test_trial_error_rates_read_the_results_format():
    row = {"trials": [{"test_wrong": 13, "test_size": 2560}, {"test_wrong": 0, "test_size": 512},
                      {"test_wrong": None, "test_size": None}]}
    np.testing.assert_allclose(trial_error_rates(row), [13 / 2560, 0.0])
    with pytest.raises(ValueError):
        trial_error_rates({"summary": {}})


def test_reber_step_kinds_pick_the_right_steps():
    batch = reber.encode_strings(["BTBTXSETE", "BPBPVVEPE", "BTBTSSXSETE"])
    inside, long_step, inner = reber_step_kinds(batch)
    for i, s in enumerate(batch.info["strings"]):
        L = len(s) - 1
        assert inside[i].sum() == L
        (t,) = np.flatnonzero(long_step[i])
        assert s[t] == "E" and s[t + 1] == s[1]                   # reads the inner E, must predict the branch
        np.testing.assert_array_equal(np.flatnonzero(inner[i]), np.arange(2, L - 2))
        # the three kinds and steps 0, 1 and the last partition the string
        assert inner[i].sum() + 1 + 3 == L
    with pytest.raises(ValueError):
        reber_step_kinds(reber.encode_strings(["BTXSE"], reber.ReberConfig(embedded=False)))


# ---------------------------------------------------------------- internal state drift


def test_end_state_drift_matches_a_forward_pass_by_hand():
    net_seeds, n = [0, 3], 9  # odd n: the median of h'(s) is h' of the median |s| (h' is even, falls with |s|)
    d = end_state_drift("2c", "2c-q50-p50", seeds=net_seeds, n=n, p=50, data_seed=4)
    batch = long_lag.generate(paper_config("2c-q50-p50"), n, 4)
    for i, seed in enumerate(net_seeds):
        net = paper_network("2c", seed=seed, p=50)
        with torch.no_grad():
            trace = net.run(torch.as_tensor(batch.inputs, dtype=torch.float32))
        s = trace.stack("s").numpy()  # (n, T, cells)
        s_end = s[np.arange(n), batch.lengths - 1]
        np.testing.assert_allclose(d.abs_state[i], np.median(np.abs(s_end), axis=0), rtol=1e-5)
        expected_slope = 2 * torch.sigmoid(torch.tensor(d.abs_state[i])) * (1 - torch.sigmoid(torch.tensor(d.abs_state[i])))
        np.testing.assert_allclose(d.h_slope[i], expected_slope.numpy(), rtol=1e-5)
    assert d.worst_cell_state.shape == d.best_cell_slope.shape == (2,)


def test_end_state_drift_grows_with_the_lag_of_2c():
    short = end_state_drift("2c", "2c-q50-p50", seeds=range(6), n=16, p=50)
    long = end_state_drift("2c", "2c-q200-p200", seeds=range(6), n=16, p=200)
    assert np.median(long.worst_cell_state) > 2 * np.median(short.worst_cell_state)


@pytest.mark.parametrize("seeds", [[], [-1], [0.5], [True]])
def test_end_state_drift_rejects_bad_seeds(seeds):
    with pytest.raises(ValueError, match=r"seeds(\[0\])? must be"):
        end_state_drift("2c", "2c-q50-p50", seeds=seeds, p=50)

"""Tests of the capstone lab's checks (lstm_core.check.capstone).

For every check: a right answer is ok; each listed wrong answer is rejected and gets its own hint
(report.mistake == its name); a stub is reported as not answered; an answer of the wrong form gets
a message that says what to change. The right answers here are written independently of the
checks' references (which are the library's network, autograd and training loop): the forward
pass unit by unit, the gradient by the paper's own forward-mode traces (App. A.1, eqs. 25 and
27: truncated RTRL), not the backward sum the lab teaches.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

from lstm_core import check
from lstm_core.check.engine import STRICT_ENV
from lstm_core.check import capstone
from lstm_core.model.networks import paper_network
from lstm_core.tasks import adding
from lstm_core.training.loop import TrainConfig, fit


@pytest.fixture(autouse=True)
def _not_strict(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(STRICT_ENV, raising=False)


def sig(x):  # noqa: ANN001, ANN201
    return 1.0 / (1.0 + np.exp(-x))


def sizes(p):  # noqa: ANN001, ANN201
    B, C = p["W_in"].shape[0], p["W_c"].shape[0]
    return B, C // B, C


# -- right answers, written unit by unit ---------------------------------------------------
def forward(p, x):  # noqa: ANN001, ANN201
    B, S, C = sizes(p)
    block = [c // S for c in range(C)]  # the block of each cell
    y, s = np.zeros(C + 2 * B), np.zeros(C)
    rows = {k: [] for k in capstone.TRACE_KEYS}
    for x_t in x:
        z = np.concatenate([x_t, y])
        y_in = np.array([sig(p["W_in"][j] @ z + p["b_in"][j]) for j in range(B)])
        y_out = np.array([sig(p["W_out"][j] @ z + p["b_out"][j]) for j in range(B)])
        g_c = np.array([4 * sig(p["W_c"][c] @ z + p["b_c"][c]) - 2 for c in range(C)])
        s = np.array([s[c] + y_in[block[c]] * g_c[c] for c in range(C)])
        h_s = 2 * sig(s) - 1
        y_c = np.array([y_out[block[c]] * h_s[c] for c in range(C)])
        y_k = sig(p["W_k"] @ y_c + p["b_k"])
        y = np.concatenate([y_c, y_in, y_out])
        for key, value in zip(capstone.TRACE_KEYS, (z, y_in, y_out, g_c, s, h_s, y_c, y_k)):
            rows[key].append(value)
    return {k: np.array(v) for k, v in rows.items()}


def gradient_by_traces(p, x, target):  # noqa: ANN001, ANN201
    """Truncated RTRL: carry d s_c / d w forward for the cell and input-gate weights (App. A.1)."""
    B, S, C = sizes(p)
    tr = forward(p, x)
    fan = tr["z"].shape[1]
    ds_dWc, ds_dbc = np.zeros((C, fan)), np.zeros(C)        # d s_c / d w_{c,u}: only cell c's own weights
    ds_dWin, ds_dbin = np.zeros((C, fan)), np.zeros(C)      # d s_c / d w_{in_j,u} for the block j of cell c
    for t in range(len(x)):
        z, y_in, g_c = tr["z"][t], tr["y_in"][t], tr["g_c"][t]
        for c in range(C):
            j = c // S
            g_slope = (2 + g_c[c]) * (2 - g_c[c]) / 4
            ds_dWc[c] += g_slope * y_in[j] * z                     # eq. 27
            ds_dbc[c] += g_slope * y_in[j]
            ds_dWin[c] += g_c[c] * y_in[j] * (1 - y_in[j]) * z     # eq. 25
            ds_dbin[c] += g_c[c] * y_in[j] * (1 - y_in[j])
    y_k, y_c, h_s, y_out = tr["y_k"][-1], tr["y_c"][-1], tr["h_s"][-1], tr["y_out"][-1]
    delta_k = (y_k - target) * y_k * (1 - y_k)
    e_c = p["W_k"].T @ delta_k
    grads = {"W_k": np.outer(delta_k, y_c), "b_k": delta_k,
             "W_out": np.zeros_like(p["W_out"]), "b_out": np.zeros_like(p["b_out"]),
             "W_c": np.zeros_like(p["W_c"]), "b_c": np.zeros_like(p["b_c"]),
             "W_in": np.zeros_like(p["W_in"]), "b_in": np.zeros_like(p["b_in"])}
    for c in range(C):
        j = c // S
        grads["W_out"][j] += e_c[c] * h_s[c] * y_out[j] * (1 - y_out[j]) * tr["z"][-1]
        grads["b_out"][j] += e_c[c] * h_s[c] * y_out[j] * (1 - y_out[j])
        e_s = e_c[c] * y_out[j] * (1 - h_s[c] ** 2) / 2
        grads["W_c"][c] += e_s * ds_dWc[c]
        grads["b_c"][c] += e_s * ds_dbc[c]
        grads["W_in"][j] += e_s * ds_dWin[c]
        grads["b_in"][j] += e_s * ds_dbin[c]
    return grads


def sgd_train(params, sequences, learning_rate, gradient):  # noqa: ANN001, ANN201
    params = {k: v.copy() for k, v in params.items()}
    for x, target in sequences:
        grads = gradient(params, x, target)
        params = {k: v - learning_rate * grads[k] for k, v in params.items()}
    return params


# -- the checks accept right answers and name wrong ones ---------------------------------
def test_right_answers_pass():
    assert check.capstone_forward(forward).ok
    assert check.capstone_gradient(gradient_by_traces).ok
    assert check.capstone_sgd(sgd_train).ok


@pytest.mark.parametrize("name, check_fn", [("capstone_forward", check.capstone_forward),
                                            ("capstone_gradient", check.capstone_gradient),
                                            ("capstone_sgd", check.capstone_sgd)])
def test_every_known_mistake_is_rejected_with_its_own_hint(name, check_fn):
    for mistake in capstone.MISTAKES[name]:
        report = check_fn(mistake.answer)
        assert not report.ok and report.mistake == mistake.name, (mistake.name, str(report))
        assert report.hint == mistake.hint


def test_stubs_are_not_answered_and_wrong_forms_say_what_to_change():
    def stub(*args):  # noqa: ANN002, ANN202
        raise NotImplementedError("Exercise: write your code here")

    for check_fn in (check.capstone_forward, check.capstone_gradient, check.capstone_sgd):
        report = check_fn(stub)
        assert not report.answered and "not answered yet" in str(report)
        assert not check_fn(...).answered
    report = check.capstone_forward(lambda p, x: forward(p, x)["y_k"])
    assert not report.ok and "must return a dict" in str(report)
    report = check.capstone_forward(lambda p, x: {k: v for k, v in forward(p, x).items() if k != "h_s"})
    assert not report.ok and "lacks ['h_s']" in str(report)
    report = check.capstone_gradient(lambda p, x, t: {k: v for k, v in gradient_by_traces(p, x, t).items()
                                                       if k != "b_c"})
    assert "lacks ['b_c']" in str(report)


def test_a_hard_coded_block_size_fails_on_the_one_cell_blocks():
    def two_cells_per_block(p, x):  # noqa: ANN001, ANN202
        q = dict(p)
        if p["W_c"].shape[0] != 2 * p["W_in"].shape[0]:
            raise ValueError("assumed 2 cells per block")
        return forward(q, x)

    report = check.capstone_forward(two_cells_per_block)
    assert not report.ok and len(report.passed) == 3 and "block size S = 1" in report.failed[0]


# -- the references are the library, and the library agrees with the paper's rules ----------
def test_library_answers_agree_with_the_independent_ones():
    for _, params, x, target in capstone._cases():
        got, want = capstone.library_forward(params, x), forward(params, x)
        for key in capstone.TRACE_KEYS:
            np.testing.assert_allclose(got[key], want[key], rtol=1e-10, atol=1e-14)
        got_g, want_g = capstone.library_gradient(params, x, target), gradient_by_traces(params, x, target)
        for key in capstone.KEYS:
            np.testing.assert_allclose(got_g[key], want_g[key], rtol=1e-9, atol=1e-15)


def test_library_sgd_is_fits_paper_protocol_and_leaves_its_input_alone():
    net = paper_network("adding", seed=0).double()
    start = capstone.weights_of(net)
    before = {k: v.copy() for k, v in start.items()}
    config = adding.AddingConfig(T=20)
    sequences = list(capstone._stream(3, 30, 20))
    fast_result = capstone.library_sgd(start, sequences, 0.5)
    fit(net, adding, TrainConfig(learning_rate=0.5, max_sequences=30, seed=3, progress=False), task_config=config,
        stopping_rule=False)
    by_fit = capstone.weights_of(net)
    for key in capstone.KEYS:
        np.testing.assert_allclose(fast_result[key], by_fit[key], rtol=1e-9, atol=1e-12)
        np.testing.assert_array_equal(start[key], before[key])
    assert any(not np.allclose(fast_result[k], start[k]) for k in capstone.KEYS)  # it did train
    same = capstone.library_sgd(start, [], 0.5)
    assert all(np.array_equal(same[k], start[k]) for k in capstone.KEYS)


def test_weights_round_trip_and_bad_weights_get_clear_errors():
    net = paper_network("6a", seed=1)
    params = capstone.weights_of(net)
    assert sum(v.size for v in params.values()) == 156  # Table 9
    back = capstone.network_of(params)
    for (name, p), (_, q) in zip(net.named_parameters(), back.named_parameters()):
        assert torch.equal(p.detach().double(), q.detach()), name
    with pytest.raises(ValueError, match="must be a dict with the keys"):
        capstone.network_of({"W_in": params["W_in"]})
    with pytest.raises(ValueError, match="bias_units='all'"):
        capstone.weights_of(paper_network("3", seed=0))  # no bias on its output units
    bad = dict(params, b_c=np.zeros(3))
    with pytest.raises(ValueError, match="params\\['b_c'\\] has shape"):
        capstone.network_of(bad)


def test_sequences_and_accuracy():
    batch = adding.generate(adding.AddingConfig(T=20), 6, seed=0)
    pairs = capstone.sequences_of(batch)
    assert [len(x) for x, _ in pairs] == batch.lengths.tolist()
    assert all(t.shape == (1,) and t[0] == batch.targets[i, batch.lengths[i] - 1, 0] for i, (_, t) in enumerate(pairs))
    params = capstone.weights_of(paper_network("adding", seed=0))
    assert capstone.accuracy(params, batch) == capstone.accuracy(params, batch, forward=forward)
    with pytest.raises(ValueError, match="SequenceBatch"):
        capstone.sequences_of(pairs)

"""Per-step truncated RTRL against a plain-numpy transcription of App. A.1 and the per-sequence engine."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_core.training.engines import lstm1997 as fast, rtrl as fast_rtrl
from lstm_core import paper_network
from lstm_core.tasks import adding, reber
from lstm_core.tasks.base import pad_sequences
from oracles import autograd_step


def numpy_rtrl_per_step(net, batch, lr):
    """App. A.1 written out in numpy: traces, and an update of every weight at every masked step."""
    cell = net.cell
    P = {k: v.detach().double().numpy().copy() for k, v in net.named_parameters()}
    zeros = lambda n: np.zeros(n)  # noqa: E731
    W_in = np.c_[P["cell.weight_in"], P.get("cell.bias_in", zeros(cell.n_blocks))]
    W_out = np.c_[P["cell.weight_out"], P.get("cell.bias_out", zeros(cell.n_blocks))]
    W_c = np.c_[P["cell.weight_c"], P.get("cell.bias_c", zeros(cell.n_cells))]
    W_k = np.c_[P["output_units.weight"], P.get("output_units.bias", zeros(net.n_outputs))]
    has = {"in": "cell.bias_in" in P, "c": "cell.bias_c" in P, "k": "output_units.bias" in P}
    B, S, C, H = cell.n_blocks, cell.block_size, cell.n_cells, cell.hidden_size
    blk = np.repeat(np.arange(B), S)
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    fp = lambda v: sig(v) * (1 - sig(v))  # noqa: E731
    outs = []
    for i in range(batch.n):
        x, tgt, m = batch.sequence(i)
        y_prev, s = np.zeros(H), np.zeros(C)
        tr_in, tr_c = np.zeros((C, W_in.shape[1])), np.zeros((C, W_c.shape[1]))
        out = np.zeros(tgt.shape)
        for t in range(len(x)):
            z = np.r_[x[t], y_prev, 1.0]
            net_in, net_out, net_c = W_in @ z, W_out @ z, W_c @ z
            y_in, y_out = sig(net_in), sig(net_out)
            g, gp = 4 * sig(net_c) - 2, 4 * fp(net_c)
            s = s + y_in[blk] * g
            tr_in += (g * fp(net_in)[blk])[:, None] * z
            tr_c += (gp * y_in[blk])[:, None] * z
            hs, hp = 2 * sig(s) - 1, 2 * fp(s)
            y_c = y_out[blk] * hs
            net_k = W_k @ np.r_[y_c, 1.0]
            y_k = sig(net_k)
            out[t] = y_k
            if m[t]:
                d_k = (y_k - tgt[t]) * fp(net_k)
                e_c = W_k[:, :C].T @ d_k
                e_out = np.bincount(blk, e_c * hs, minlength=B) * fp(net_out)
                e_s = e_c * y_out[blk] * hp
                g_in = np.stack([(e_s[blk == j, None] * tr_in[blk == j]).sum(0) for j in range(B)])
                g_c = e_s[:, None] * tr_c
                g_out = np.outer(e_out, z)
                g_k = np.outer(d_k, np.r_[y_c, 1.0])
                for G, present in ((g_in, has["in"]), (g_out, has["in"]), (g_c, has["c"]), (g_k, has["k"])):
                    if not present:
                        G[:, -1] = 0.0
                W_in -= lr * g_in
                W_out -= lr * g_out
                W_c -= lr * g_c
                W_k -= lr * g_k
            y_prev = np.r_[y_c, y_in, y_out]
        outs.append(out)
    return W_in, W_out, W_c, W_k, outs


def test_per_step_updates_equal_the_numpy_transcription_on_reber():
    net = paper_network("reber-3x2", seed=3).double()
    train, _ = reber.make_reber_sets(0)
    batch = train.select(np.arange(6))
    params = fast.FastParams.from_model(net)
    out = fast_rtrl.train_online(params, batch, 0.5)
    W_in, W_out, W_c, W_k, outs = numpy_rtrl_per_step(net, batch, 0.5)
    C, B = net.cell.n_cells, net.cell.n_blocks
    np.testing.assert_allclose(params.W[:C], W_c, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(params.W[C:C + B], W_in, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(params.W[C + B:], W_out, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(params.Wk, W_k, rtol=1e-10, atol=1e-12)
    for i, o in enumerate(outs):
        np.testing.assert_allclose(out[i, :len(o)], o, atol=1e-12)


def test_with_error_only_at_the_end_it_equals_one_update_per_sequence():
    net = paper_network("adding", seed=0)
    batch = adding.generate(adding.AddingConfig(T=30), 5, 0)
    a, b = fast.FastParams.from_model(net), fast.FastParams.from_model(net)
    out_a = fast.train_online(a, batch, 0.5)
    out_b = fast_rtrl.train_online(b, batch, 0.5)
    np.testing.assert_allclose(a.W, b.W, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(a.Wk, b.Wk, rtol=1e-10, atol=1e-13)
    idx = np.arange(batch.n), batch.lengths - 1
    np.testing.assert_allclose(out_a[idx], out_b[idx], atol=1e-12)


def test_absent_biases_stay_zero_and_bad_rate_raises():
    net = paper_network("reber-4x1", seed=1)  # only gates biased
    train, _ = reber.make_reber_sets(1)
    params = fast.FastParams.from_model(net)
    fast_rtrl.train_online(params, train.select(np.arange(4)), 0.5)
    C = net.cell.n_cells
    assert np.all(params.W[:C, -1] == 0) and np.all(params.Wk[:, -1] == 0)
    for lr in (0.0, -0.5, float("inf"), float("nan"), True):
        with pytest.raises(ValueError, match="learning_rate must be a finite positive number"):
            fast_rtrl.train_online(params, train.select([0]), lr)


def test_one_target_one_update_equals_autograd():
    """With a single target at step t*, the traces are exact: the update is lr times autograd's gradient."""
    net = paper_network("reber-3x2", seed=5).double()
    train, _ = reber.make_reber_sets(0)
    x, y, _ = (a.astype(np.float64) if a.dtype != bool else a for a in train.sequence(2))
    mask = np.zeros(len(x), bool)
    mask[4] = True  # one target, in the middle: steps after it change nothing
    batch = pad_sequences([x], [y], [mask])
    params = fast.FastParams.from_model(net)
    before = params.named()
    fast_rtrl.train_online(params, batch, 0.5)
    _, _, grads = autograd_step(net, x, y, mask)
    for name, g in grads.items():
        np.testing.assert_allclose((before[name] - params.named()[name]) / 0.5, g, rtol=0, atol=1e-12, err_msg=name)
    assert max(np.abs(g).max() for g in grads.values()) > 1e-4  # not a vacuous comparison


def test_divergence_stops_the_trial_with_a_message():
    net = paper_network("reber-3x2", seed=0)
    train, _ = reber.make_reber_sets(0)
    params = fast.FastParams.from_model(net)
    params.W *= 3e6  # beyond engines.base.MAX_ABS_WEIGHT
    with pytest.raises(ValueError, match="diverged by sequence 2 .*: a weight had grown beyond"):
        fast_rtrl.train_online(params, train.select(np.arange(2)), 0.5)

"""The fast training path against its oracle: torch autograd on the readable ``LSTM1997``."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

from lstm_core import LSTM1997, LSTM1997Config, paper_network
from lstm_core.training.engines import lstm1997 as fast
from lstm_core.tasks import adding, long_lag
from lstm_core.tasks.base import SequenceBatch, pad_sequences
from oracles import assert_matches_autograd, autograd_step


def make_net(seed: int = 1, **kw) -> LSTM1997:
    """A small float64 network with weights large enough that every gradient term matters."""
    cfg = dict(n_inputs=3, n_outputs=2, n_blocks=2, block_size=2, bias_units="all", init_range=0.8)
    cfg.update(kw)
    return LSTM1997(LSTM1997Config(**cfg), seed=seed).double()


def random_sequence(T: int, n_in: int, n_out: int, seed: int):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(T, n_in)), rng.uniform(size=(T, n_out)), rng


# ---------------------------------------------------------------------------------------
# Gradients of one sequence
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("bias_units", ["none", "gates", "hidden", "all"])
@pytest.mark.parametrize("output_gate", [True, False])
@pytest.mark.parametrize("block_size", [1, 2])
@pytest.mark.parametrize("g_h", [("g", "h"), ("sigmoid", "identity")])
def test_sequence_gradients_equal_autograd(bias_units, output_gate, block_size, g_h):
    model = make_net(bias_units=bias_units, output_gate=output_gate, block_size=block_size, g=g_h[0], h=g_h[1])
    x, y, rng = random_sequence(11, 3, 2, seed=block_size)
    masks = {"end only": np.arange(11) == 10, "every step": np.ones(11, bool),
             "some steps": rng.uniform(size=11) < 0.4}
    for label, mask in masks.items():
        out, loss, grads = fast.sequence_gradients(model, x, y, mask)
        assert_matches_autograd((out, loss, grads), autograd_step(model, x, y, mask), label)
        assert max(np.abs(g).max() for g in grads.values()) > 1e-3  # not a vacuous comparison


@pytest.mark.parametrize("g_h", [("g", "h"), ("tanh", "tanh")])
def test_identity_output_units_and_params_input(g_h):
    model = make_net(output_activation="identity", bias_units="hidden", g=g_h[0], h=g_h[1])
    x, y, _ = random_sequence(7, 3, 2, seed=5)
    mask = np.array([0, 1, 0, 0, 1, 0, 1], bool)
    _, loss_ref, grads_ref = autograd_step(model, x, y, mask)
    _, loss, grads = fast.sequence_gradients(fast.FastParams.from_model(model), x, y, mask)
    assert loss == pytest.approx(loss_ref, abs=1e-12)
    for name, g in grads_ref.items():
        np.testing.assert_allclose(grads[name], g, rtol=0, atol=1e-12)


def test_comparison_can_fail_full_bptt_differs():
    # With the scissors off the true gradient has extra paths through y(t-1); the fast path
    # must not match it, or the comparisons above would prove nothing.
    model = make_net()
    x, y, _ = random_sequence(9, 3, 2, seed=2)
    mask = np.ones(9, bool)
    _, _, truncated = fast.sequence_gradients(model, x, y, mask)
    model.scissors = False
    _, _, full = autograd_step(model, x, y, mask)
    assert np.abs(truncated["cell.weight_in"] - full["cell.weight_in"]).max() > 1e-4


def test_params_round_trip_and_absent_biases_stay_zero():
    model = make_net(bias_units="gates")
    params = fast.FastParams.from_model(model)
    other = make_net(seed=9, bias_units="gates")
    params.to_model(other)
    for (n, a), (_, b) in zip(model.named_parameters(), other.named_parameters()):
        assert torch.equal(a, b), n
    batch = pad_sequences([np.random.default_rng(0).normal(size=(6, 3))], [np.full((6, 2), 0.3)],
                          [np.ones(6, bool)])
    fast.train_online(params, batch, 0.5)
    C = params.layout.n_cells
    assert np.all(params.W[:C, -1] == 0.0) and np.all(params.Wk[:, -1] == 0.0)  # cells, outputs: no bias
    assert not np.allclose(params.W[C:, -1], fast.FastParams.from_model(model).W[C:, -1])  # gate biases learn


# ---------------------------------------------------------------------------------------
# Online training = the paper's protocol, step by step with autograd
# ---------------------------------------------------------------------------------------
def small_batch(n: int = 5, seed: int = 0, n_in: int = 3, n_out: int = 2, end_only: bool = True) -> SequenceBatch:
    rng = np.random.default_rng(seed)
    lengths = rng.integers(4, 10, size=n)
    xs = [rng.normal(size=(L, n_in)) for L in lengths]
    ys = [rng.uniform(size=(L, n_out)) for L in lengths]
    ms = [(np.arange(L) == L - 1) if end_only else rng.uniform(size=L) < 0.6 for L in lengths]
    return pad_sequences(xs, ys, ms)


@pytest.mark.parametrize("end_only", [True, False])
def test_train_online_equals_autograd_sgd(end_only):
    lr = 0.7
    model = make_net(seed=4)
    batch = small_batch(end_only=end_only)
    params = fast.FastParams.from_model(model)
    outputs = fast.train_online(params, batch, lr)
    assert outputs.shape == (batch.n, batch.T_max, 2)
    for i in range(batch.n):  # the oracle: reset, forward, backward, SGD, one sequence at a time
        x, y, m = (a.astype(np.float64) if a.dtype != bool else a for a in batch.sequence(i))
        out_ref, _, grads = autograd_step(model, x, y, m)
        np.testing.assert_allclose(outputs[i, :len(x)], out_ref, rtol=0, atol=1e-10)
        assert np.all(outputs[i, len(x):] == 0.0)
        with torch.no_grad():
            for name, p in model.named_parameters():
                p -= lr * torch.from_numpy(grads[name])
    for name, p in model.named_parameters():
        np.testing.assert_allclose(params.named()[name], p.detach().numpy(), rtol=0, atol=1e-10, err_msg=name)
    assert not np.allclose(params.W, fast.FastParams.from_model(make_net(seed=4)).W)  # it did train


def test_train_minibatch_equals_autograd_mean_gradient():
    lr, model = 0.3, make_net(seed=6)
    batch = small_batch(n=3, seed=1)
    params = fast.FastParams.from_model(model)
    fast.train_minibatch(params, batch, lr, batch_size=3)
    total = None
    for i in range(3):
        x, y, m = batch.sequence(i)
        _, _, g = autograd_step(model, x.astype(np.float64), y.astype(np.float64), m)
        total = g if total is None else {k: total[k] + g[k] for k in g}
    _, _, summed = fast.minibatch_gradients(make_net(seed=6), batch)
    for name, p in model.named_parameters():
        np.testing.assert_allclose(summed[name], total[name], rtol=0, atol=1e-12)
        expected = p.detach().numpy() - lr * total[name] / 3
        np.testing.assert_allclose(params.named()[name], expected, rtol=0, atol=1e-12)


def test_trials_equal_one_by_one():
    models = [paper_network("adding", seed=s).double() for s in range(3)]
    batches = [adding.generate(adding.AddingConfig(T=20), 6, seed=10 + s) for s in range(3)]
    stacked = fast.StackedParams.from_models(models)
    outputs = fast.train_online_trials(stacked, batches, 0.5)
    assert outputs.shape == (3, 6, max(b.T_max for b in batches), 1)
    for k, (model, batch) in enumerate(zip(models, batches)):
        single = fast.FastParams.from_model(model)
        out_k = fast.train_online(single, batch, 0.5)
        np.testing.assert_array_equal(stacked.W[k], single.W)
        np.testing.assert_array_equal(stacked.Wk[k], single.Wk)
        np.testing.assert_array_equal(outputs[k, :, :batch.T_max], out_k)
    assert stacked.n_seen.tolist() == [6, 6, 6] and stacked.diverged_at.tolist() == [-1, -1, -1]
    # None leaves a trial untouched
    before = stacked.W[1].copy()
    out = fast.train_online_trials(stacked, [batches[0], None, batches[2]], 0.5)
    np.testing.assert_array_equal(stacked.W[1], before)
    assert np.isnan(out[1]).all() and stacked.n_seen.tolist() == [12, 6, 12]


def test_sparse_path_equals_dense_and_symbols():
    batch = long_lag.generate(long_lag.Task2cConfig(q=6, p=30), 8, seed=0)  # one-hot, 34 inputs
    model = paper_network("2c", seed=0, p=30)
    dense, sparse = fast.FastParams.from_model(model), fast.FastParams.from_model(model)
    out_d = fast.train_online(dense, batch, 0.5, sparse=False)
    out_s = fast.train_online(sparse, batch, 0.5, sparse=True)
    np.testing.assert_array_equal(out_d, out_s)
    np.testing.assert_array_equal(dense.W, sparse.W)
    from_symbols = fast.SparseSteps.from_symbols(batch.info["symbols"], batch.lengths, batch.n_inputs)
    by_values = fast.sparse_steps(batch.inputs, batch.lengths)
    for field in ("ptr", "idx", "val", "step0"):
        np.testing.assert_array_equal(getattr(from_symbols, field), getattr(by_values, field))
    assert by_values.idx.size == batch.lengths.sum()  # one entry a step: only the nonzeros
    # given the steps, the inputs are never read: a zero placeholder trains the same
    placeholder = SequenceBatch(np.broadcast_to(np.zeros((1, 1, 34), np.float32), batch.inputs.shape),
                                batch.targets, batch.target_mask, batch.lengths)
    from_steps = fast.FastParams.from_model(model)
    out_p = fast.train_online(from_steps, placeholder, 0.5, steps=from_symbols)
    np.testing.assert_array_equal(out_p, out_s)
    np.testing.assert_array_equal(from_steps.W, sparse.W)
    assert fast.sparse_steps(batch.inputs, batch.lengths, keep_zeros=True).idx.size == batch.lengths.sum() * 34


# ---------------------------------------------------------------------------------------
# Divergence and bad input
# ---------------------------------------------------------------------------------------
def test_divergence_is_reported_not_hidden():
    model = make_net(output_activation="identity", g="identity", h="identity", bias_units="all")
    batch = small_batch(n=40, seed=3)
    params = fast.FastParams.from_model(model)
    with pytest.raises(ValueError, match="diverged at sequence") as info:
        fast.train_online(params, batch, 1e3)
    at = int(re.search(r"diverged at sequence (\d+)", str(info.value)).group(1))
    assert np.isfinite(params.W).all() and np.isfinite(params.Wk).all()  # stopped before writing
    # trials: the diverging trial stops and is flagged; the other (all-zero weights and data,
    # so zero error) trains on untouched
    stacked = fast.StackedParams.from_models([model, model])
    stacked.W[1], stacked.Wk[1] = 0.0, 0.0
    calm = SequenceBatch(np.zeros_like(batch.inputs), np.zeros_like(batch.targets), batch.target_mask,
                         batch.lengths)
    out = fast.train_online_trials(stacked, [batch, calm], 1e3)
    k = stacked.diverged_at[0]
    assert k == at and stacked.n_seen[0] == k - 1  # as the single run: k - 1 good updates
    assert np.isnan(out[0, k:]).all() and np.isfinite(out[0, :k]).all()
    assert stacked.diverged_at[1] == -1 and stacked.n_seen[1] == 40 and np.isfinite(out[1]).all()
    before = stacked.W[0].copy()
    fast.train_online_trials(stacked, [batch, calm], 1e3)  # a diverged trial stays stopped
    np.testing.assert_array_equal(stacked.W[0], before)


def test_bad_input_raises():
    with pytest.raises(ValueError, match="scissors"):
        fast.FastParams.from_model(make_net(scissors=False))
    with pytest.raises(ValueError, match="forget gate"):
        fast.FastParams.from_model(make_net(forget_gate=True))
    assert fast.supports(torch.nn.LSTM(2, 3))[0] is False
    params = fast.FastParams.from_model(make_net())
    wrong = small_batch(n_in=4)
    with pytest.raises(ValueError, match="inputs"):
        fast.train_online(params, wrong, 0.1)
    for lr in (0.0, -1.0, float("nan")):
        with pytest.raises(ValueError, match="learning_rate"):
            fast.train_online(params, small_batch(), lr)
    stacked = fast.StackedParams.from_params([params, params.copy()])
    with pytest.raises(ValueError, match="same number"):
        fast.train_online_trials(stacked, [small_batch(n=3), small_batch(n=4)], 0.1)
    with pytest.raises(ValueError, match="one batch"):
        fast.train_online_trials(stacked, [small_batch()], 0.1)
    with pytest.raises(ValueError, match="mask"):
        fast.sequence_gradients(params, np.zeros((3, 3)), np.zeros((3, 2)), np.ones(3))
    batch = small_batch()
    short = fast.sparse_steps(batch.inputs[:, :3], np.minimum(batch.lengths, 3))
    with pytest.raises(ValueError, match="steps"):
        fast.train_online(params, batch, 0.1, steps=short)


def test_fast_path_leaves_torch_threads_alone():
    # numba's "omp" threading layer shares OpenMP with torch and reset torch's thread count
    # (torch then ran ~10x slower); the kernels' wrappers select the "workqueue" layer through
    # training.threads.use_threads before any parallel kernel runs (never at import).
    before = torch.get_num_threads()
    params = fast.FastParams.from_model(make_net())
    fast.train_online(params, small_batch(), 0.1)
    fast.minibatch_gradients(params, small_batch(n=4))
    assert torch.get_num_threads() == before


def test_engine_interface_trains_like_the_functions():
    models = [paper_network("adding", seed=s) for s in range(2)]
    batches = [adding.generate(adding.AddingConfig(T=20), 5, seed=s) for s in range(2)]
    engine = fast.LSTM1997Engine.from_models(models)
    snap = engine.snapshot()
    trained = engine.train(batches, 0.5)
    stacked = fast.StackedParams.from_models(models)
    np.testing.assert_array_equal(trained.outputs, fast.train_online_trials(stacked, batches, 0.5))
    np.testing.assert_array_equal(engine.params.W, stacked.W)
    correct, error = engine.judge(trained, 1, batches[1], adding)
    np.testing.assert_array_equal(error, adding.sequence_error(trained.outputs[1], batches[1]))
    engine.restore(snap, 1)  # rewind trial 1 and replay its first 3 sequences
    engine.replay(1, batches[1].select(np.arange(3)), 0.5)
    again = fast.FastParams.from_model(models[1])
    fast.train_online(again, batches[1].select(np.arange(3)), 0.5)
    np.testing.assert_array_equal(engine.params.W[1], again.W)
    assert engine.params.n_seen.tolist() == [5, 3]
    with pytest.raises(ValueError, match="cannot train models\\[0\\].*scissors"):
        fast.LSTM1997Engine.from_models([make_net(scissors=False)])
    with pytest.raises(ValueError, match="learning_rate"):
        engine.train(batches, float("inf"))

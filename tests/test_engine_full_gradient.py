"""The full-gradient engine (scissors off) against its oracle: torch autograd on ``LSTM1997(scissors=False)``."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

from lstm_core import LSTM1997, LSTM1997Config, paper_network
from lstm_core.tasks import adding, long_lag, reber
from lstm_core.tasks.base import SequenceBatch, pad_sequences, step_mask
from lstm_core.training.engines import ENGINES, engine_for
from lstm_core.training.engines import lstm1997 as truncated
from lstm_core.training.engines import lstm1997_full as full
from lstm_core.training.engines.lstm1997_full import FullGradientEngine
from lstm_core.training.engines.lstm1997_params import FastParams, StackedParams
from oracles import assert_matches_autograd, autograd_step

#: The paper networks tested (name, paper_network kwargs); weights are scaled up so every path matters.
PAPER_NETS = [("reber-3x2", {}), ("adding", {}), ("2c", {"p": 5}), ("6a", {})]


def paper_net(name: str, seed: int = 0, scale: float = 4.0, scissors: bool = False, **kw) -> LSTM1997:
    """A float64 paper network with its initial weights (not biases) times ``scale``: recurrent error then matters."""
    model = paper_network(name, seed=seed, scissors=scissors, **kw).double()
    with torch.no_grad():
        for pname, p in model.named_parameters():
            if "bias" not in pname:
                p.mul_(scale)
    return model


def make_net(seed: int = 1, **kw) -> LSTM1997:
    cfg = dict(n_inputs=3, n_outputs=2, n_blocks=2, block_size=2, bias_units="all", init_range=0.8, scissors=False)
    cfg.update(kw)
    return LSTM1997(LSTM1997Config(**cfg), seed=seed).double()


def sequences(model: LSTM1997, seed: int):
    """(label, x, y, mask) of several lengths, with an end-only, an every-step and a sparse mask."""
    rng = np.random.default_rng(seed)
    for T in (1, 6, 23):
        x = rng.normal(size=(T, model.n_inputs))
        y = rng.uniform(size=(T, model.n_outputs))
        yield f"T={T} end only", x, y, np.arange(T) == T - 1
        yield f"T={T} every step", x, y, np.ones(T, bool)
        yield f"T={T} some steps", x, y, rng.uniform(size=T) < 0.4


def recurrent_share(model: LSTM1997, x, y, mask) -> float:
    """How far the full gradient is from the truncated one (0 would make the oracle test vacuous)."""
    _, _, g_full = autograd_step(model, x, y, mask)
    model.scissors = True
    _, _, g_cut = autograd_step(model, x, y, mask)
    model.scissors = False
    return max(float(np.abs(g_full[n] - g_cut[n]).max()) for n in g_full)


# ---------------------------------------------------------------------------------------
# (a) the gradient of one sequence equals autograd with the scissors off
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("name, kw", PAPER_NETS, ids=[n for n, _ in PAPER_NETS])
def test_paper_networks_gradients_equal_autograd(name, kw):
    model = paper_net(name, **kw)
    differs = 0.0
    for label, x, y, mask in sequences(model, seed=len(name)):
        result = full.sequence_gradients(model, x, y, mask)
        assert_matches_autograd(result, autograd_step(model, x, y, mask), f"{name}, {label}")
        if len(x) > 1:
            differs = max(differs, recurrent_share(model, x, y, mask))
    assert differs > 1e-4  # the recurrent paths carry real error: the comparison is not vacuous


def test_reber_strings_with_a_target_at_every_step_equal_autograd():
    model = paper_net("reber-3x2", seed=2, scale=3.0)
    batch = reber.generate(reber.ReberConfig(), 6, seed=5)
    assert batch.target_mask[np.arange(batch.n), batch.lengths - 1].all() and len(set(batch.lengths.tolist())) > 1
    for i in range(batch.n):
        x, y, m = (a.astype(np.float64) if a.dtype != bool else a for a in batch.sequence(i))
        assert m.all()  # Reber: a target at every step
        assert_matches_autograd(full.sequence_gradients(model, x, y, m), autograd_step(model, x, y, m), f"string {i}")
    out, losses, summed = full.batch_gradients(model, batch)  # the batch path sums the same gradients
    ref = [autograd_step(model, *(a.astype(np.float64) if a.dtype != bool else a for a in batch.sequence(i)))
           for i in range(batch.n)]
    assert losses == pytest.approx([r[1] for r in ref], abs=1e-12)
    for name in summed:
        np.testing.assert_allclose(summed[name], sum(r[2][name] for r in ref), rtol=0, atol=1e-11, err_msg=name)


@pytest.mark.parametrize("bias_units", ["none", "gates", "hidden", "all"])
@pytest.mark.parametrize("output_gate", [True, False])
@pytest.mark.parametrize("block_size", [1, 2])
@pytest.mark.parametrize("squashers", [("g", "h", "sigmoid"), ("sigmoid", "identity", "sigmoid"),
                                       ("tanh", "tanh", "identity")])
def test_every_layout_equals_autograd(bias_units, output_gate, block_size, squashers):
    g, h, out_act = squashers
    model = make_net(bias_units=bias_units, output_gate=output_gate, block_size=block_size, g=g, h=h,
                     output_activation=out_act)
    for label, x, y, mask in sequences(model, seed=block_size):
        if len(x) < 6:
            continue
        assert_matches_autograd(full.sequence_gradients(model, x, y, mask), autograd_step(model, x, y, mask), label)


# ---------------------------------------------------------------------------------------
# (b) online training equals torch SGD on the same sequences
# ---------------------------------------------------------------------------------------
def torch_sgd(model: LSTM1997, batch: SequenceBatch, lr: float) -> np.ndarray:
    """The oracle of the protocol: per sequence reset, forward, full backward, w -= lr dL/dw; returns outputs."""
    outs = np.zeros((batch.n, batch.T_max, model.n_outputs))
    for i in range(batch.n):
        x, y, m = (a.astype(np.float64) if a.dtype != bool else a for a in batch.sequence(i))
        out, _, grads = autograd_step(model, x, y, m)
        outs[i, :len(x)] = out
        with torch.no_grad():
            for name, p in model.named_parameters():
                p -= lr * torch.from_numpy(grads[name])
    return outs


@pytest.mark.parametrize("name, task, n, lr", [
    ("reber-3x2", "reber", 300, 0.5),
    ("adding", "adding", 150, 0.5),
])
def test_online_training_equals_torch_sgd(name, task, n, lr):
    if task == "reber":
        batch = reber.generate(reber.ReberConfig(), n, seed=1)
    else:
        batch = adding.generate(adding.AddingConfig(T=12), n, seed=1)
    models = [paper_network(name, seed=s, scissors=False).double() for s in (0, 1)]
    engine = FullGradientEngine.from_models(models)
    start = engine.named(0)
    trained = engine.train([batch, batch], lr)
    outs = torch_sgd(models[0], batch, lr)
    np.testing.assert_allclose(trained.outputs[0], outs, rtol=0, atol=1e-9)
    moved = 0.0
    for pname, p in models[0].named_parameters():
        np.testing.assert_allclose(engine.named(0)[pname], p.detach().numpy(), rtol=0, atol=1e-9, err_msg=pname)
        moved = max(moved, float(np.abs(engine.named(0)[pname] - start[pname]).max()))
    assert moved > 1e-2  # it did train
    assert not np.allclose(engine.params.W[0], engine.params.W[1])  # trials are independent
    assert engine.params.n_seen.tolist() == [n, n] and trained.diverged == []


def test_sparse_symbols_and_dense_inputs_train_alike():
    cfg = long_lag.Task2cConfig(q=6, p=5)
    dense = long_lag.generate(cfg, 40, seed=0)
    placeholder = long_lag.generate(cfg, 40, seed=0, dense=False)  # inputs read from info["symbols"]
    assert placeholder.inputs.strides[0] == 0
    model = paper_net("2c", p=5, scale=2.0)
    a = FullGradientEngine.from_models([model])
    b = FullGradientEngine.from_models([model])
    out_a = a.train([dense], 0.5).outputs
    out_b = b.train([placeholder], 0.5).outputs
    np.testing.assert_array_equal(out_a, out_b)
    np.testing.assert_array_equal(a.params.W, b.params.W)
    torch_sgd(model, dense, 0.5)
    for pname, p in model.named_parameters():
        np.testing.assert_allclose(a.named(0)[pname], p.detach().numpy(), rtol=0, atol=1e-9, err_msg=pname)


def test_engine_snapshot_restore_replay_and_copy_back():
    models = [paper_network("adding", seed=s, scissors=False) for s in range(2)]
    batches = [adding.generate(adding.AddingConfig(T=15), 6, seed=s) for s in range(2)]
    engine = FullGradientEngine.from_models(models)
    snap = engine.snapshot()
    trained = engine.train(batches, 0.5)
    stacked = StackedParams.from_models(models, scissors=False)
    np.testing.assert_array_equal(trained.outputs, full.train_online_trials(stacked, batches, 0.5))
    np.testing.assert_array_equal(engine.params.W, stacked.W)
    correct, error = engine.judge(trained, 1, batches[1], adding)
    np.testing.assert_array_equal(error, adding.sequence_error(trained.outputs[1], batches[1]))
    engine.restore(snap, 1)
    engine.replay(1, batches[1].select(np.arange(3)), 0.5)
    again = FastParams.from_model(models[1], scissors=False)
    full.train_online(again, batches[1].select(np.arange(3)), 0.5)
    np.testing.assert_array_equal(engine.params.W[1], again.W)
    assert engine.params.n_seen.tolist() == [6, 3]
    back = engine.to_model(0, paper_network("adding", seed=9, scissors=False))  # a scissors-off model takes them
    for pname, p in back.named_parameters():
        np.testing.assert_array_equal(p.detach().double().numpy(), engine.named(0)[pname].astype(np.float32))
    ours = engine.forward(0, batches[0])
    theirs = back.double()(torch.as_tensor(batches[0].inputs, dtype=torch.float64))[0].detach().numpy()
    inside = step_mask(batches[0].lengths, batches[0].T_max)
    np.testing.assert_allclose(ours[inside], theirs[inside], rtol=0, atol=1e-6)  # float32 copies of the weights


# ---------------------------------------------------------------------------------------
# (c) it is not the truncated gradient
# ---------------------------------------------------------------------------------------
def test_full_and_truncated_gradients_differ():
    model = paper_net("reber-3x2", seed=3, scale=3.0)
    batch = reber.generate(reber.ReberConfig(), 1, seed=2)
    x, y, m = (a.astype(np.float64) if a.dtype != bool else a for a in batch.sequence(0))
    out_f, loss_f, g_full = full.sequence_gradients(model, x, y, m)
    cut = paper_net("reber-3x2", seed=3, scale=3.0, scissors=True)
    out_t, loss_t, g_cut = truncated.sequence_gradients(cut, x, y, m)
    np.testing.assert_array_equal(out_f, out_t)  # the same forward pass ...
    assert loss_f == loss_t
    for group in ("cell.weight_in", "cell.weight_out", "cell.weight_c"):  # ... but another gradient
        assert np.abs(g_full[group] - g_cut[group]).max() > 1e-4, group
    np.testing.assert_array_equal(g_full["output_units.weight"], g_cut["output_units.weight"])  # no recurrence there
    # and training with one engine is not training with the other
    f = FullGradientEngine.from_models([paper_network("reber-3x2", seed=0, scissors=False)])
    t = truncated.LSTM1997Engine.from_models([paper_network("reber-3x2", seed=0)])
    np.testing.assert_array_equal(f.params.W, t.params.W)
    strings = reber.generate(reber.ReberConfig(), 50, seed=3)
    f.train([strings], 0.5)
    t.train([strings], 0.5)
    assert np.abs(f.params.W - t.params.W).max() > 1e-3


# ---------------------------------------------------------------------------------------
# (d) registration, refusals, divergence
# ---------------------------------------------------------------------------------------
def test_engine_for_picks_it_for_scissors_off_only():
    assert ENGINES["lstm1997-full"] is FullGradientEngine
    assert engine_for(paper_network("reber-3x2", scissors=False)) is FullGradientEngine
    assert engine_for(paper_network("reber-3x2")) is truncated.LSTM1997Engine
    with pytest.raises(ValueError, match=r"rtrl: the scissors are off: per-step updates with the full gradient "
                                         r"\(full RTRL\) have no engine"):
        engine_for(paper_network("reber-3x2", scissors=False), "step")
    with pytest.raises(ValueError, match="forget gate"):
        engine_for(paper_network("reber-3x2", scissors=False, forget_gate=True))


def test_bad_input_is_refused_with_a_reason():
    with pytest.raises(ValueError, match=r"cannot train models\[0\]: the scissors are on .*LSTM1997Engine"):
        FullGradientEngine.from_models([paper_network("adding")])
    with pytest.raises(ValueError, match="scissors are on"):
        full.sequence_gradients(paper_network("adding").double(), np.zeros((3, 2)), np.zeros((3, 1)), np.ones(3, bool))
    with pytest.raises(ValueError, match="scissors are off"):  # and the truncated engine refuses the other way
        truncated.LSTM1997Engine.from_models([paper_network("adding", scissors=False)])
    assert full.supports(torch.nn.LSTM(2, 3))[0] is False
    assert "forget gate" in full.supports(make_net(forget_gate=True))[1]
    engine = FullGradientEngine.from_models([paper_network("adding", seed=0, scissors=False)])
    batch = adding.generate(adding.AddingConfig(T=12), 3, seed=0)
    for lr in (float("nan"), float("inf"), 0.0, -0.5, True):
        with pytest.raises(ValueError, match="learning_rate"):
            engine.train([batch], lr)
    with pytest.raises(ValueError, match="inputs"):
        engine.train([reber.generate(reber.ReberConfig(), 2, seed=0)], 0.5)
    with pytest.raises(ValueError, match="no options"):
        FullGradientEngine.from_models([paper_network("adding", scissors=False)], cell_from=3)
    with pytest.raises(ValueError, match="mask"):
        full.sequence_gradients(make_net(), np.zeros((3, 3)), np.zeros((3, 2)), np.ones(3))


def test_divergence_is_reported_like_the_other_engines():
    model = make_net(output_activation="identity", g="identity", h="identity")
    rng = np.random.default_rng(3)
    lengths = rng.integers(4, 10, size=40)
    batch = pad_sequences([rng.normal(size=(L, 3)) for L in lengths], [rng.uniform(size=(L, 2)) for L in lengths],
                          [np.arange(L) == L - 1 for L in lengths])
    params = FastParams.from_model(model, scissors=False)
    with pytest.raises(ValueError, match="diverged at sequence") as info:
        full.train_online(params, batch, 1e3)
    at = int(re.search(r"diverged at sequence (\d+)", str(info.value)).group(1))
    assert np.isfinite(params.W).all() and np.isfinite(params.Wk).all()  # stopped before writing
    # trials: the diverging one stops and is flagged; a calm one (zero weights and data) trains on
    engine = FullGradientEngine.from_models([model, model])
    engine.params.W[1], engine.params.Wk[1] = 0.0, 0.0
    calm = SequenceBatch(np.zeros_like(batch.inputs), np.zeros_like(batch.targets), batch.target_mask, batch.lengths)
    trained = engine.train([batch, calm], 1e3)
    assert trained.diverged == [0] and engine.diverged(0) and not engine.diverged(1)
    assert engine.params.diverged_at[0] == at and engine.params.n_seen[0] == at - 1
    assert np.isnan(trained.outputs[0, at:]).all() and np.isfinite(trained.outputs[0, :at]).all()
    assert engine.params.n_seen[1] == 40 and "Lower the learning rate" in engine.divergence_message(0, 1e3)
    before = engine.params.W[0].copy()
    assert engine.train([batch, calm], 1e3).diverged == []  # a diverged trial stays stopped
    np.testing.assert_array_equal(engine.params.W[0], before)

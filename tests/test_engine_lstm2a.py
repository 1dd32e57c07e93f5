"""The paper's 2a/2b network (``LSTM2a``, connectivity "B") and its fast trainer against their oracles."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lstm_core import count_parameters, paper_network, paper_spec
from lstm_core.training.engines import lstm2a as fast_2a
from lstm_core.model.networks import LSTM2a, LSTM2aConfig
from lstm_core.reproduction.paper import get_table
from lstm_core.reproduction.rows import get_row, literal_row, row_network
from lstm_core.reproduction.run import run_row
from lstm_core.tasks import long_lag
from lstm_core.tasks.base import SequenceBatch, pad_sequences
from lstm_core.tasks.stopping import StoppingRule
from oracles import assert_matches_autograd
from oracles import autograd_step as oracle_step


def small_net(p: int = 6, seed: int = 0, init_range: float = 1.0, **kw) -> LSTM2a:
    """A float64 2a network with weights large enough that every gradient term matters."""
    return LSTM2a(LSTM2aConfig(n_inputs=p + 1, n_outputs=p + 1, init_range=init_range, **kw), seed=seed).double()


def one_hot(symbols: np.ndarray, n: int) -> np.ndarray:
    return np.eye(n)[symbols]


def autograd_step(model: LSTM2a, symbols: np.ndarray, targets: np.ndarray, mask: np.ndarray):
    """The autograd oracle on the one-hot code of ``symbols``."""
    return oracle_step(model, one_hot(symbols, model.n_inputs), targets, mask)


# ---------------------------------------------------------------------------------------
# The network: wiring and weight count
# ---------------------------------------------------------------------------------------
def test_weight_count_is_the_papers():
    lstm_row = next(r for r in get_table("2").rows if r.method == "LSTM")
    net = paper_network("2a-B", p=100)
    assert count_parameters(net) == lstm_row.n_weights == 10_504
    assert paper_spec("2a-B", p=100).table10_weights == 10_504
    # the wiring, group by group: gate and cell read the 101 inputs; outputs read inputs and cell
    shapes = {n: tuple(p.shape) for n, p in net.named_parameters()}
    assert shapes == {"weight_in": (1, 101), "weight_c": (1, 101), "output_units.weight": (101, 102)}
    # the RTRL net of Table 2 has (p + 2)^2 weights; ours swaps its self-weight for the CEC and adds a gate
    rtrl = [r for r in get_table("2").rows if r.method == "RTRL"]
    for r in rtrl:
        p = r.setting["p"]
        assert r.n_weights == (p + 2) ** 2
        assert count_parameters(paper_network("2b-B", p=p)) == (p + 2) ** 2 - 1 + (p + 1)
    assert paper_network("2a-B").config.g == "sigmoid" and paper_network("2a-B").config.h == "identity"


def test_forward_equals_the_papers_equations():
    p, T = 5, 9
    net = small_net(p, seed=3)
    rng = np.random.default_rng(0)
    sym = rng.integers(0, p + 1, size=T)
    trace = net.run(torch.as_tensor(one_hot(sym, p + 1))[None])
    w_in = net.weight_in.detach().numpy()[0]
    w_c = net.weight_c.detach().numpy()[0]
    V = net.output_units.weight.detach().numpy()
    sigma = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
    s = 0.0
    for t, i in enumerate(sym):
        s = s + sigma(w_in[i]) * sigma(w_c[i])  # s_c(t) = s_c(t-1) + y^in g(net_c), g = sigmoid
        y = sigma(V[:, i] + V[:, p + 1] * s)  # h = identity, no output gate, inputs feed the outputs
        np.testing.assert_allclose(trace.outputs[0, t].detach().numpy(), y, rtol=0, atol=1e-14)
        assert trace.states[t].item() == pytest.approx(s, abs=1e-14)
    assert (trace.stack("y_out") == 1).all() and trace.steps[0].net_out is None
    with pytest.raises(ValueError, match="expected input of shape"):
        net(torch.zeros(1, 3, p + 2, dtype=torch.float64))


def test_seeded_init_in_range_and_global_rng_untouched():
    torch.manual_seed(0)
    before = torch.rand(1)
    torch.manual_seed(0)
    a, b = paper_network("2a-B", seed=4, p=10), paper_network("2a-B", seed=4, p=10)
    assert torch.rand(1) == before  # building with a seed draws nothing from the global RNG
    for (name, x), (_, y) in zip(a.named_parameters(), b.named_parameters()):
        assert torch.equal(x, y), name
        assert x.abs().max() <= 0.2 and x.abs().max() > 0.1  # the paper's [-0.2, 0.2]
    with pytest.raises(ValueError, match="unknown config fields"):
        paper_network("2a-B", n_blocks=2)
    with pytest.raises(ValueError, match=r"g \(the cell-input squasher\) must be one of"):
        LSTM2aConfig(n_inputs=3, n_outputs=3, g="relu")


# ---------------------------------------------------------------------------------------
# The fast trainer against autograd
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("g_h", [("sigmoid", "identity"), ("g", "h")])
def test_sequence_gradients_equal_autograd(seed, g_h):
    p, T = 7, 12
    model = small_net(p, seed=seed, g=g_h[0], h=g_h[1])
    rng = np.random.default_rng(seed)
    sym = rng.integers(0, p + 1, size=T)
    targets = rng.uniform(size=(T, p + 1))
    masks = {"every step": np.ones(T, bool), "end only": np.arange(T) == T - 1,
             "some steps": rng.uniform(size=T) < 0.5}
    for label, mask in masks.items():
        out, loss, grads = fast_2a.sequence_gradients(model, sym, targets, mask)
        assert_matches_autograd((out, loss, grads), autograd_step(model, sym, targets, mask), label, out_atol=1e-13)
        assert np.abs(grads["weight_in"]).max() > 1e-3, label  # the CEC path is exercised
    # one-hot inputs give the same as symbols
    _, _, by_codes = fast_2a.sequence_gradients(model, one_hot(sym, p + 1), targets, np.ones(T, bool))
    _, _, by_symbols = fast_2a.sequence_gradients(model, sym, targets, np.ones(T, bool))
    for name in by_codes:
        np.testing.assert_array_equal(by_codes[name], by_symbols[name])


@pytest.mark.parametrize("experiment", ["2a", "2b"])
def test_train_online_equals_autograd_sgd_and_judges_like_the_task(experiment):
    lr, p = 1.0, 6  # the paper's learning rate
    config = long_lag.Task2aConfig(p=p) if experiment == "2a" else long_lag.Task2bConfig(p=p)
    batch = long_lag.generate(config, 6, seed=5, dense=False)  # inputs only as info["symbols"]
    model = small_net(p, seed=2, init_range=0.5)
    weights = fast_2a.Weights2a.from_models([model])
    errors = fast_2a.train_online(weights, batch, lr)
    dense = long_lag.generate(config, 6, seed=5)
    expected_errors = []
    for i in range(batch.n):  # the oracle: reset, forward, backward, SGD, one sequence at a time
        sym = batch.info["symbols"][i]
        out, _, grads = autograd_step(model, sym, dense.targets[i].astype(np.float64), dense.target_mask[i])
        expected_errors.append(long_lag.sequence_error(out[None], dense.select([i]))[0])
        with torch.no_grad():
            for name, prm in model.named_parameters():
                prm -= lr * torch.from_numpy(grads[name])
    np.testing.assert_allclose(errors, expected_errors, rtol=0, atol=1e-6)  # targets are float32 in a batch
    for name, prm in model.named_parameters():
        np.testing.assert_allclose(weights.named()[name], prm.detach().numpy(), rtol=0, atol=1e-6, err_msg=name)
    assert not np.allclose(weights.Wh, fast_2a.Weights2a.from_models([small_net(p, 2, 0.5)]).Wh)  # it trained
    assert weights.n_seen.tolist() == [6]


def test_forward_and_trials_equal_one_by_one():
    p = 5
    models = [small_net(p, seed=s, init_range=0.3) for s in range(3)]
    batches = [long_lag.generate(long_lag.Task2bConfig(p=p), 4, seed=10 + s, dense=False) for s in range(3)]
    stacked = fast_2a.Weights2a.from_models(models)
    errors = fast_2a.train_online_trials(stacked, [batches[0], None, batches[2]], 0.5)
    assert np.isnan(errors[1]).all() and stacked.n_seen.tolist() == [4, 0, 4]
    for k in (0, 2):
        single = fast_2a.Weights2a.from_models([models[k]])
        np.testing.assert_array_equal(fast_2a.train_online(single, batches[k], 0.5), errors[k])
        np.testing.assert_array_equal(single.Wh[0], stacked.Wh[k])
        np.testing.assert_array_equal(single.V[0], stacked.V[k])
    np.testing.assert_array_equal(stacked.Wh[1], fast_2a.Weights2a.from_models([models[1]]).Wh[0])
    # forward = the readable model with the trained weights
    net = stacked.to_model(small_net(p, seed=9), k=2)
    test = long_lag.generate(long_lag.Task2bConfig(p=p), 3, seed=1)
    ref = net(torch.as_tensor(test.inputs, dtype=torch.float64))[0].detach().numpy()
    np.testing.assert_allclose(fast_2a.forward(stacked, test, k=2), ref, rtol=0, atol=1e-12)


def test_cell_added_later_is_the_net_without_it_until_then():
    p = 5
    model = small_net(p, seed=1, init_range=0.5)
    batch = long_lag.generate(long_lag.Task2aConfig(p=p), 5, seed=3, dense=False)
    late = fast_2a.Weights2a.from_models([model], cell_from=3)
    start = late.copy()
    assert not late.cell_present()
    np.testing.assert_array_equal(late.named()["output_units.weight"][:, -1], 0.0)  # the net has no cell yet
    errors = fast_2a.train_online(late.trial(0), batch.select([0, 1]), 1.0)
    np.testing.assert_array_equal(late.Wh, start.Wh)  # nothing reaches the cell before it joins
    np.testing.assert_array_equal(late.V[..., -1], start.V[..., -1])
    # oracle: the net without a cell is one layer of sigmoid units on the inputs, SGD with autograd
    V = start.V[0, :, :-1].copy()
    for i in range(2):
        Vt = torch.tensor(V, requires_grad=True)
        sym = batch.info["symbols"][i]
        out = torch.sigmoid(torch.as_tensor(one_hot(sym, p + 1)) @ Vt.T)
        loss = 0.5 * ((out - torch.as_tensor(batch.targets[i], dtype=torch.float64)) ** 2).sum()
        assert errors[i] == pytest.approx((out - torch.as_tensor(batch.targets[i])).abs().max().item(), abs=1e-12)
        V -= 1.0 * torch.autograd.grad(loss, Vt)[0].numpy()
    np.testing.assert_allclose(late.V[0, :, :-1], V, rtol=0, atol=1e-12)
    # the cell joins at sequence 4 even in the middle of a batch: = one sequence without, then with
    split = late.copy()
    joined = fast_2a.train_online(late, batch.select([2, 3, 4]), 1.0)
    first = fast_2a.train_online(split, batch.select([2]), 1.0)
    split.cell_from = 0
    rest = fast_2a.train_online(split, batch.select([3, 4]), 1.0)
    np.testing.assert_array_equal(joined, np.concatenate([first, rest]))
    np.testing.assert_array_equal(late.Wh, split.Wh)
    assert late.cell_present() and not np.array_equal(late.Wh, start.Wh)


def test_symbols_and_judged_steps():
    batch = long_lag.generate(long_lag.Task2bConfig(p=4), 3, seed=0)
    from_info = fast_2a.symbols_of(batch, 5)
    plain = SequenceBatch(batch.inputs, batch.targets, batch.target_mask, batch.lengths, task="2b")
    np.testing.assert_array_equal(fast_2a.symbols_of(plain, 5), from_info)
    np.testing.assert_array_equal(fast_2a.judged_steps(plain), np.arange(4)[None].repeat(3, 0) == 3)
    assert fast_2a.judged_steps(long_lag.generate(long_lag.Task2aConfig(p=4), 2, seed=0)).all()
    two_hot = SequenceBatch(batch.inputs + np.eye(5, dtype=np.float32)[0], batch.targets, batch.target_mask,
                            batch.lengths)
    with pytest.raises(ValueError, match="one-hot"):
        fast_2a.symbols_of(two_hot, 5)


def test_divergence_and_bad_input():
    net = small_net(3, seed=0, g="identity")
    weights = fast_2a.Weights2a.from_models([net])
    weights.Wh[0] = 1e308  # s_c overflows to inf within two steps
    before = weights.copy()
    batch = pad_sequences([np.eye(4)[[0, 1, 2]]] * 2, [np.zeros((3, 4))] * 2, [np.ones(3, bool)] * 2)
    with pytest.raises(ValueError, match="diverged at sequence 1"):
        fast_2a.train_online(weights, batch, 0.1)
    np.testing.assert_array_equal(weights.Wh, before.Wh)  # nothing of the failing sequence was applied
    assert weights.diverged_at.tolist() == [1] and weights.n_seen.tolist() == [0]
    ok = fast_2a.Weights2a.from_models([small_net(3)])
    for lr in (0.0, -1.0, float("nan")):
        with pytest.raises(ValueError, match="learning_rate"):
            fast_2a.train_online(ok, batch, lr)
    with pytest.raises(ValueError, match="inputs and 4 outputs"):
        fast_2a.train_online(fast_2a.Weights2a.from_models([small_net(4)]), batch, 0.1)
    with pytest.raises(ValueError, match="cell_from"):
        fast_2a.Weights2a.from_models([small_net(3)], cell_from=-1)
    with pytest.raises(ValueError, match="LSTM2a"):
        fast_2a.Weights2a.from_models([paper_network("adding")])
    with pytest.raises(ValueError, match="symbols must lie"):
        fast_2a.sequence_gradients(ok, np.array([0, 4]), np.zeros((2, 4)), np.ones(2, bool))


# ---------------------------------------------------------------------------------------
# The protocol rows
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("key", ["T2-2a-p100", "T2b-2b-p100"])
def test_run_row_small(key):
    row = get_row(key)
    assert row.network == "2a-B" and count_parameters(paper_network(row.network, p=row.p)) == 10_504
    res = run_row(row, trials=2, budget=300, seed=1, progress=False)
    assert len(res.trials) == 2 and res.quick
    for t in res.trials:
        assert t.sequences_trained == 300 and not t.diverged and not t.solved
        assert t.test_size == 256 and 0 <= t.test_wrong <= 256
    again = run_row(row, trials=2, budget=300, seed=1, progress=False)
    assert res.example_weights == again.example_weights  # seeded
    net = row_network(row, res.example_weights)
    assert isinstance(net, LSTM2a) and count_parameters(net) == 10_504


def test_solved_trial_stops_with_the_weights_it_had_at_the_criterion(monkeypatch):
    """A rule met mid-chunk: trial replayed to that sequence; counts and weights exact."""

    class AfterSeven(StoppingRule):
        def _step(self, correct, error):
            return self.n_seen >= 7

    monkeypatch.setattr(long_lag, "stopping_rule", lambda config=None: AfterSeven())
    row = literal_row("T2-2a-p100")  # the cell there from the start (2a ships with it joining later)
    res = run_row(row, trials=1, budget=500, seed=0, progress=False)
    assert res.trials[0].solved and res.trials[0].sequences == 7 and res.trials[0].sequences_trained == 7
    weights = fast_2a.Weights2a.from_models([paper_network("2a-B", seed=0, p=100)])
    batch = long_lag.generate(long_lag.PAPER_CONFIGS["2a-p100"], 7, np.random.default_rng([0, 0, 1]), dense=False)
    fast_2a.train_online(weights, batch, 1.0)
    for name, value in weights.named().items():
        np.testing.assert_array_equal(np.asarray(res.example_weights[name]), value, err_msg=name)

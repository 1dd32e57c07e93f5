"""lstm_core.analysis.scissors and .sweeps: graph and path counts, truncated vs full gradients, lockstep training, bias sweeps."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from lstm_core.model import activations
from lstm_core import paper_network
from lstm_core.analysis.sweeps import (
    QuickTrainConfig, baseline_loss, bias_sweep, compare_variants, drift_at_init, train_together,
)
from lstm_core.analysis.carousel import accumulate
from lstm_core.analysis.scissors import (
    backward_graph_size, count_paths, cut_edges_per_step, gradient_difference, hidden_gradient_norms,
    seconds_per_sequence, state_path_counts, unrolled_graph,
)
from lstm_core.analysis.inside import gate_trace, storage_profile
from lstm_core.analysis.samples import relevant_steps
from lstm_core.tasks import adding, temporal_order
from lstm_core.training.loop import TrainConfig, fit, sequence_loss

SHORT = adding.AddingConfig(T=12)
TINY = QuickTrainConfig(updates=4, batch_size=8, log_every=2, test_size=16)


# -- the unrolled graph and its paths ---------------------------------------------------
def _dfs_paths(graph, source, target, scissors):
    """Independent oracle: enumerate every path by depth-first search."""
    out = {}
    for e in graph.kept_edges(scissors):
        out.setdefault(e.source, []).append(e.target)

    def walk(node):
        return 1 if node == target else sum(walk(n) for n in out.get(node, ()))

    return walk(source)


def test_graph_has_the_papers_cut_edges_and_one_cec_edge_per_cell_and_step():
    g = unrolled_graph(2, 2, steps=3)
    kinds = [e.kind for e in g.edges]
    # every net input (2 input gates, 2 output gates, 4 cells) reads y(t-1), at steps 2 and 3
    assert kinds.count("recurrent") == 2 * 8
    assert kinds.count("cec") == 2 * 4
    assert {e.target.split("[")[0] for e in g.edges if e.kind == "recurrent"} == {"net_in", "net_out", "net_c"}
    assert len(g.kept_edges(True)) == len(g.edges) - 16 and len(g.kept_edges(False)) == len(g.edges)
    assert len(set(g.nodes)) == len(g.nodes)


def test_graph_nodes_are_in_topological_order():
    g = unrolled_graph(2, 1, steps=3)
    where = {n: i for i, n in enumerate(g.nodes)}
    assert all(where[e.source] < where[e.target] for e in g.edges)


def test_path_counts_match_the_hand_count_for_one_cell():
    g = unrolled_graph(1, 1, steps=3)
    # s(1) -> s(2): the CEC, and s(1) -> y_c(1) -> y(1) -> net_in(2) -> y_in(2) -> s(2), and via net_c(2) -> g(2)
    assert count_paths(g, "s[0]@1", "s[0]@2", scissors=False) == 3
    # two steps: paths reach s(2) 3 ways and y(2) 6 ways (via y_c 4, y_in 1, y_out 1); then 3 + 2 * 6 = 15
    assert count_paths(g, "s[0]@1", "s[0]@3", scissors=False) == 15
    assert count_paths(g, "s[0]@1", "s[0]@3", scissors=True) == 1
    # to the error: s(1) -> s(2) (3 ways) -> y_c(2), plus y_out(2) (1 way): 4 paths without, 1 with scissors
    g2 = unrolled_graph(1, 1, steps=2)
    assert count_paths(g2, "s[0]@1", "E", scissors=False) == 4
    assert count_paths(g2, "s[0]@1", "E", scissors=True) == 1
    assert count_paths(g2, "s[0]@2", "s[0]@1", scissors=False) == 0  # no path back in time


@pytest.mark.parametrize("scissors", [True, False])
def test_path_counts_equal_brute_force_enumeration(scissors):
    g = unrolled_graph(2, 1, steps=3)
    for source, target in (("s[0]@1", "s[1]@3"), ("y@1", "E"), ("net_c[1]@1", "y_c[0]@3"), ("s[1]@1", "E")):
        assert count_paths(g, source, target, scissors) == _dfs_paths(g, source, target, scissors)


def test_scissors_leave_one_path_per_lag_and_full_paths_grow_exponentially():
    assert state_path_counts(2, 2, 5, scissors=True) == (1,) * 5
    full = state_path_counts(2, 2, 5, scissors=False)
    assert all(b > 2 * a for a, b in zip(full, full[1:]))


def test_bad_graph_arguments_raise():
    with pytest.raises(ValueError, match="steps"):
        unrolled_graph(1, 1, steps=0)
    with pytest.raises(ValueError, match="no node"):
        count_paths(unrolled_graph(), "s[5]@1", "E", True)
    with pytest.raises(ValueError, match="max_lag"):
        state_path_counts(1, 1, 0, True)


def test_cut_edges_per_step_equals_the_recurrent_weight_count():
    net = paper_network("adding", seed=0)
    cell = net.cell
    recurrent_weights = sum(w[:, cell.n_inputs:].numel() for w in (cell.weight_in, cell.weight_out, cell.weight_c))
    assert cut_edges_per_step(net) == {"recurrent_cut": recurrent_weights, "cec_kept": 4}
    assert recurrent_weights == 64
    with pytest.raises(ValueError, match="LSTM1997"):
        cut_edges_per_step(torch.nn.Linear(2, 2))


# -- gradients with and without the scissors -----------------------------------------
def _x(n=3, T=12, seed=0):
    return torch.as_tensor(adding.generate(SHORT, n, seed).inputs[:, :T])


def test_with_scissors_no_error_reaches_the_fed_back_activations():
    on = paper_network("adding", seed=0, scissors=True)
    y_norms, s_norms = hidden_gradient_norms(on, _x())
    assert np.all(y_norms == 0.0) and np.all(s_norms > 0)
    off = paper_network("adding", seed=0, scissors=False)
    y_off, s_off = hidden_gradient_norms(off, _x())
    assert np.all(y_off[:-1] > 0)  # y(T-1) feeds nothing, the rest feed the next step
    assert y_off[-1] == 0.0


def test_truncated_gradient_equals_the_full_one_when_recurrent_weights_are_zero():
    net = paper_network("adding", seed=1).double()
    batch = adding.generate(SHORT, 4, 3)
    with torch.no_grad():
        for w in (net.cell.weight_in, net.cell.weight_out, net.cell.weight_c):
            w[:, net.cell.n_inputs:] = 0.0
    same = gradient_difference(net, batch)
    assert same["relative_difference"] < 1e-12 and math.isclose(same["cosine"], 1.0, abs_tol=1e-12)
    with torch.no_grad():
        net.cell.weight_c[:, net.cell.n_inputs:] = 0.5
    differs = gradient_difference(net, batch)
    assert differs["relative_difference"] > 1e-4 and differs["cosine"] < 1.0
    assert net.scissors is True  # restored


def test_gradient_difference_matches_a_direct_autograd_computation():
    batch = adding.generate(SHORT, 3, 5)
    net = paper_network("adding", seed=2, scissors=False).double()
    x, y, m = (torch.as_tensor(a, dtype=torch.float64) for a in (batch.inputs, batch.targets, batch.target_mask))
    full = torch.cat([g.reshape(-1) for g in torch.autograd.grad(sequence_loss(net(x)[0], y, m).mean(),
                                                                   list(net.parameters()))])
    result = gradient_difference(net, batch)
    assert math.isclose(result["full_norm"], full.norm().item(), rel_tol=1e-12)
    assert net.scissors is False


def test_backward_pass_is_smaller_with_scissors_and_timing_is_positive():
    x = _x(n=1)
    assert backward_graph_size(paper_network("adding", seed=0), x) < \
        backward_graph_size(paper_network("adding", seed=0, scissors=False), x)
    batch = adding.generate(SHORT, 2, 0)
    assert seconds_per_sequence(paper_network("adding", seed=0), batch, repeats=1) > 0
    with pytest.raises(ValueError, match="repeats"):
        seconds_per_sequence(paper_network("adding", seed=0), batch, repeats=0)


# -- lockstep training ---------------------------------------------------------------
def test_train_together_equals_separate_fit_runs():
    nets = [paper_network("adding", seed=s) for s in (3, 4)]
    runs = train_together(nets, SHORT, TINY, data_seeds=[5, 6])
    assert runs.train_loss.shape == (2, 2) and runs.updates.tolist() == [2, 4]
    for k, (init_seed, data_seed) in enumerate(((3, 5), (4, 6))):
        ref = paper_network("adding", seed=init_seed)
        history = fit(ref, adding, TrainConfig(0.01, max_sequences=32, batch_size=8, optimizer="adam",
                                               log_every=16, seed=data_seed, progress=False),
                      task_config=SHORT, stopping_rule=False)
        np.testing.assert_allclose(runs.train_loss[k], history.loss, rtol=1e-5)
        for (name, p), q in zip(ref.named_parameters(), runs.networks[k].parameters()):
            torch.testing.assert_close(q, p, rtol=0, atol=1e-6, msg=name)
    assert "not the paper's online protocol" in runs.protocol
    assert runs.test_loss.shape == (2,) and np.all((runs.test_accuracy >= 0) & (runs.test_accuracy <= 1))


def test_train_together_with_sgd_is_plain_gradient_descent():
    net = paper_network("adding", seed=0).double()
    ref = paper_network("adding", seed=0).double()
    config = QuickTrainConfig(updates=1, batch_size=4, learning_rate=0.5, optimizer="sgd", test_size=4)
    train_together([net], SHORT, config, data_seeds=[7])
    history_free = fit(ref, adding, TrainConfig(0.5, max_sequences=4, batch_size=4, seed=7, progress=False),
                       task_config=SHORT, stopping_rule=False)
    assert not history_free.diverged
    for p, q in zip(ref.parameters(), net.parameters()):
        torch.testing.assert_close(q, p, rtol=0, atol=1e-12)


def test_train_together_rejects_mixed_architectures_and_bad_arguments():
    with pytest.raises(ValueError, match="one architecture"):
        train_together([paper_network("adding", seed=0), paper_network("adding", seed=0, scissors=False)],
                       SHORT, TINY)
    with pytest.raises(ValueError, match="data seeds"):
        train_together([paper_network("adding", seed=0)], SHORT, TINY, data_seeds=[1, 2])
    with pytest.raises(ValueError, match="inputs"):
        train_together([paper_network("adding", seed=0)], temporal_order.PAPER_CONFIGS["6a"], TINY)
    with pytest.raises(ValueError, match="at least one"):
        train_together([], SHORT, TINY)
    with pytest.raises(ValueError, match="task config"):
        train_together([paper_network("adding", seed=0)], 15, TINY)
    assert baseline_loss("adding-T100", n=64) > 0  # a paper row name works too
    with pytest.raises(ValueError, match="optimizer"):
        QuickTrainConfig(optimizer="rmsprop")
    with pytest.raises(ValueError, match="updates"):
        QuickTrainConfig(updates=0)


def test_compare_variants_starts_every_variant_from_the_same_weights():
    results = compare_variants({"on": {}, "off": {"scissors": False}}, [0, 1], SHORT,
                               QuickTrainConfig(updates=1, batch_size=4, test_size=4))
    assert list(results) == ["on", "off"] and results["off"].labels == ["off, seed 0", "off, seed 1"]
    assert results["off"].networks[0].scissors is False
    # one update from identical weights: both variants moved, and their first losses are identical
    np.testing.assert_allclose(results["on"].train_loss[:, 0], results["off"].train_loss[:, 0], rtol=1e-6)
    with pytest.raises(ValueError, match="variant"):
        compare_variants({}, [0], SHORT)


def test_bias_sweep_builds_one_network_per_bias_and_seed():
    sweep = bias_sweep([0.0, (-3.0, -6.0)], [0, 1], SHORT, QuickTrainConfig(updates=1, batch_size=4, test_size=8))
    assert sweep.biases == [(0.0, 0.0), (-3.0, -6.0)]
    assert sweep.test_loss.shape == sweep.write_irrelevant.shape == (2, 2)
    assert sweep.curves(1).shape == (2, 1)
    # after one Adam step of size 0.01 each bias has moved by at most 0.01
    np.testing.assert_allclose(sweep.network(1, 0).cell.bias_in.detach().numpy(), [-3.0, -6.0], atol=0.0101)
    one = sweep.select(1, 1)
    assert one.biases == [(-3.0, -6.0)] and one.seeds == [1] and one.test_loss.shape == (1, 1)
    assert one.test_loss[0, 0] == sweep.test_loss[1, 1] and one.network(0, 0) is sweep.network(1, 1)
    np.testing.assert_array_equal(one.curves(0), sweep.curves(1)[1:2])
    both = sweep.select(1)
    assert both.seeds == [0, 1] and both.runs.labels == sweep.runs.labels[2:]
    np.testing.assert_array_equal(both.runs.test_loss, sweep.test_loss[1])
    with pytest.raises(ValueError, match="outside"):
        sweep.select(2, 0)
    with pytest.raises(ValueError, match="one value per block"):
        bias_sweep([(1.0, 2.0, 3.0)], [0], SHORT, TINY)


# -- the bias before and after training ----------------------------------------------
def test_drift_at_init_shrinks_with_the_bias_and_vanishes_for_a_shut_gate():
    d = drift_at_init([0.0, -3.0, -50.0], [0, 1], adding.AddingConfig(T=40), n_sequences=8)
    np.testing.assert_allclose(d.gate, 1 / (1 + np.exp(-d.biases)))
    np.testing.assert_allclose(d.gate_slope, d.gate * (1 - d.gate))
    means = d.final_abs_state.mean(axis=1)
    assert means[0] > means[1] > means[2] and means[2] < 1e-12
    assert np.allclose(d.final_h_slope[2], 0.5)  # h'(0) = 1/2: a shut gate keeps s_c = 0


def test_relevant_steps_mark_the_marked_pairs_and_the_xy_symbols():
    batch = adding.generate(SHORT, 5, 0)
    mask = relevant_steps(batch)
    assert mask.sum(axis=1).tolist() == [2] * 5
    assert np.all(batch.inputs[mask][:, 1] == 1.0)  # the marker input is 1 exactly there
    order = temporal_order.generate(temporal_order.PAPER_CONFIGS["6a"], 3, 0)
    assert np.array_equal(np.flatnonzero(relevant_steps(order)[0]), order.info["positions"][0])
    with pytest.raises(ValueError, match="task"):
        relevant_steps(batch.__class__(batch.inputs, batch.targets, batch.target_mask, batch.lengths, {}, "3a"))


def test_storage_profile_averages_what_the_cells_write():
    net = paper_network("adding", seed=0, input_gate_bias=(0.0, 0.0))
    batch = adding.generate(SHORT, 4, 1)
    relevant, irrelevant = storage_profile(net, batch)
    with torch.no_grad():  # independent formula: |y_in g(net_c)| per cell, from the step records
        trace = net.run(torch.as_tensor(batch.inputs))
        writes = (trace.stack("y_in").repeat_interleave(2, dim=2) * trace.stack("g_c")).abs().mean(dim=2).numpy()
    mask = relevant_steps(batch) & (np.arange(batch.T_max)[None] < batch.lengths[:, None])
    assert math.isclose(relevant, writes[mask].mean(), rel_tol=1e-5)
    assert math.isclose(irrelevant, writes[~mask & (np.arange(batch.T_max)[None] < batch.lengths[:, None])].mean(),
                        rel_tol=1e-5)
    shut = paper_network("adding", seed=0, input_gate_bias=(-60.0, -60.0))
    assert max(storage_profile(shut, batch)) < 1e-12


def test_gate_trace_shapes():
    batch = adding.generate(SHORT, 2, 0)
    y_in, states, relevant = gate_trace(paper_network("adding", seed=0), batch, index=1)
    n = int(batch.lengths[1])
    assert y_in.shape == (n, 2) and states.shape == (n, 4) and relevant.shape == (n,) and relevant.sum() == 2
    assert np.allclose(y_in[0], 1 / (1 + np.exp(-np.array([-3.0, -6.0]))), atol=0.1)
    with pytest.raises(ValueError, match="index"):
        gate_trace(paper_network("adding", seed=0), batch, index=2)


def test_baseline_loss_is_half_the_target_variance():
    # X1 ~ U[-1, 1] but 0 when the first pair is marked (1 in 10): E[X1^2] = 0.9 / 3.
    # X2 ~ U[-1, 1] but 0 when it lands on the first pair (c = 0 with X1 elsewhere): 0.9 / 49 at T = 100.
    expected = 0.5 * (0.9 / 3 + (1 - 0.9 / 49) / 3) / 16
    assert math.isclose(baseline_loss(adding.AddingConfig(T=100), n=6000), expected, rel_tol=0.06)


def test_accumulate_is_t_times_the_write():
    s, out = accumulate(net_in=1.0, net_c=0.7, steps=5, g="tanh", h="h")
    write = 1 / (1 + math.exp(-1.0)) * math.tanh(0.7)
    np.testing.assert_allclose(s, write * np.arange(6), atol=1e-12)
    np.testing.assert_allclose(out, np.tanh(s / 2), atol=1e-12)  # h(s) = tanh(s / 2)
    with pytest.raises(ValueError, match="steps"):
        accumulate(0.0, 0.0, steps=0)
    with pytest.raises(ValueError, match="activation"):
        accumulate(0.0, 0.0, steps=1, g="relu")


def test_tanh_network_uses_tanh_in_the_cell():
    net = paper_network("adding", seed=0, g="tanh", h="tanh")
    step = net.cell.step(torch.zeros(1, 2))
    torch.testing.assert_close(step.g_c, torch.tanh(step.net_c))
    assert activations.get("tanh") is torch.tanh

"""The model comparison of the legacy chapter: sizes, equal footing, gradient flow, cost vs length."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lstm_core import LSTM1997, TinyTransformer, count_parameters
from lstm_core.analysis.compare import (
    MODELS, RECURRENT_MODELS, CompareConfig, build_model, chance_accuracy, compare_models, gradient_flow,
    guessing_baselines, loglog_slope, matched_model, saved_activation_bytes, shortened_config, size_for_params,
    time_vs_length,
)
from lstm_core.analysis.gradients import state_gradient_norms
from lstm_core.tasks import adding, paper_config, temporal_order
from lstm_core.training.loop import predict

SHORT = adding.AddingConfig(T=11)
TINY = CompareConfig(budget=64, n_params=60, batch_size=32, log_every=32, test_size=40)


def expected_parameters(name: str, n_in: int, n_out: int, k: int) -> int:
    """Parameter counts written out by hand, one formula per architecture."""
    readout = n_out * k + n_out  # output units read k features (+ bias)
    if name == "rnn":  # W_ih, W_hh, b_ih, b_hh
        return k * n_in + k * k + 2 * k + readout
    if name in ("lstm1997", "lstm1997_forget"):  # k blocks of 2 cells; every hidden unit sees x, y(t-1), bias
        gates = 3 if name == "lstm1997_forget" else 2
        hidden = 2 * k + gates * k
        return hidden * (n_in + hidden + 1) + n_out * 2 * k + n_out
    if name in ("lstm", "gru"):  # 4 (3) gates, each with W_ih, W_hh and two biases
        gates = 4 if name == "lstm" else 3
        return gates * k * (n_in + k + 2) + readout
    d = k  # one-layer, one-head Transformer of width d, feed-forward width 4d
    embed = n_in * d + d
    attention = 3 * d * d + 3 * d + d * d + d
    feed_forward = d * 4 * d + 4 * d + 4 * d * d + d
    norms = 2 * 2 * d
    return embed + attention + feed_forward + norms + readout


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("n_in, n_out, k", [(2, 1, 3), (8, 4, 5)])
def test_parameter_counts_match_hand_formulas(name, n_in, n_out, k):
    assert count_parameters(build_model(name, n_in, n_out, k, seed=0)) == expected_parameters(name, n_in, n_out, k)


@pytest.mark.parametrize("name", MODELS)
def test_size_for_params_is_the_closest_size(name):
    target = 300
    counts = {k: expected_parameters(name, 8, 4, k) for k in range(1, 40)}
    best = min(counts, key=lambda k: (abs(counts[k] - target), k))
    assert size_for_params(name, 8, 4, target) == best
    assert count_parameters(matched_model(name, 8, 4, target, seed=0)) == counts[best]


def test_the_1997_networks_get_staggered_input_gate_biases_and_the_forget_bias():
    net = build_model("lstm1997", 2, 1, 3, seed=0)
    assert isinstance(net, LSTM1997) and not net.cell.forget_gate and net.scissors
    assert net.cell.bias_in.tolist() == [-1.0, -2.0, -3.0]
    forget = build_model("lstm1997_forget", 2, 1, 2, seed=0, forget_bias=5.0)
    assert forget.cell.forget_gate and forget.cell.bias_forget.tolist() == [5.0, 5.0]
    assert isinstance(build_model("transformer", 2, 1, 6), TinyTransformer)


def test_build_model_rejects_bad_names_and_sizes():
    with pytest.raises(ValueError, match="unknown model 'lstm2'"):
        build_model("lstm2", 2, 1, 3)
    with pytest.raises(ValueError, match="size must be a positive integer"):
        build_model("rnn", 2, 1, 0)
    with pytest.raises(ValueError, match="n_params must be a positive integer"):
        size_for_params("rnn", 2, 1, -5)


def test_same_seed_same_weights_and_global_rng_untouched():
    torch.manual_seed(123)
    before = torch.rand(3)
    torch.manual_seed(123)
    a = build_model("gru", 2, 1, 4, seed=7)
    after = torch.rand(3)
    b = build_model("gru", 2, 1, 4, seed=7)
    assert torch.equal(before, after)
    for pa, pb in zip(a.parameters(), b.parameters()):
        assert torch.equal(pa, pb)


def test_shortened_config_at_length_100_is_the_papers_row():
    assert shortened_config("6a", 100) == temporal_order.PAPER_CONFIGS["6a"]
    assert shortened_config("adding", 100) == paper_config("adding-T100")
    short = shortened_config("6a", 10)
    assert short.length_range == (10, 11) and short.position_ranges == ((2, 2), (5, 6))
    with pytest.raises(ValueError, match="length >= 11"):
        shortened_config("adding", 10)
    with pytest.raises(ValueError, match="knows the tasks"):
        shortened_config("reber", 20)


def test_chance_accuracy_matches_the_analytic_values():
    # 4 classes: the mean target is 1/4 on every unit, 0.75 from the true class's 1: never within 0.3
    assert chance_accuracy("6a", shortened_config("6a", 10)) == 0.0
    # adding: |X1 + X2| / 4 < 0.04 with X1, X2 ~ U[-1, 1] (triangular sum): 0.16 - 0.16^2 / 4 = 0.1536;
    # one time in 10 the first pair is marked and X1 = 0: P(|X2| < 0.16) = 0.16
    assert abs(chance_accuracy("adding", SHORT) - (0.9 * 0.1536 + 0.1 * 0.16)) < 0.02


def test_guessing_baselines_match_the_analytic_values():
    b = guessing_baselines("6a", shortened_config("6a", 10))
    # mean target (about 1/4 each): E/2 = (0.75^2 + 3 * 0.25^2) / 2 = 0.375 on every sequence
    assert b["mean target"]["accuracy"] == 0.0 and b["mean target"]["loss"] == pytest.approx(0.375, abs=1e-3)
    # committing to a class: right 1 time in 4 (loss 0), else two units off by 1 (E/2 = 1)
    for name in ("one class", "a random class"):
        assert abs(b[name]["accuracy"] - 0.25) < 0.03
        assert b[name]["loss"] == pytest.approx(1 - b[name]["accuracy"])
    adding_b = guessing_baselines("adding", SHORT)
    assert set(adding_b) == {"mean target"}
    assert adding_b["mean target"]["accuracy"] == chance_accuracy("adding", SHORT)


def test_the_modern_lstm_starts_with_the_forget_bias():
    H = 4
    rnn = build_model("lstm", 2, 1, H, seed=0).rnn
    total = rnn.bias_ih_l0 + rnn.bias_hh_l0  # gate order i, f, g, o
    assert torch.all(total[H:2 * H] == 1.0)  # the default: +1, not PyTorch's ~0
    assert torch.equal(total[:H], build_model("lstm", 2, 1, H, seed=0).rnn.bias_ih_l0[:H]
                       + build_model("lstm", 2, 1, H, seed=0).rnn.bias_hh_l0[:H])
    rnn3 = build_model("lstm", 2, 1, H, seed=0, forget_bias=3.0).rnn
    assert torch.all((rnn3.bias_ih_l0 + rnn3.bias_hh_l0)[H:2 * H] == 3.0)


def test_compare_config_rejects_bad_values():
    with pytest.raises(ValueError, match="budget must be a positive integer"):
        CompareConfig(budget=0)
    with pytest.raises(ValueError, match="learning_rate"):
        CompareConfig(learning_rate=-1.0)


def test_compare_models_runs_every_model_and_seed_on_equal_footing():
    result = compare_models("adding", SHORT, ["rnn", "lstm"], seeds=(0, 1), config=TINY, keep_models=True)
    assert [(r.model, r.seed) for r in result.runs] == [("rnn", 0), ("lstm", 0), ("rnn", 1), ("lstm", 1)]
    assert result.models == ["rnn", "lstm"] and result.seeds == [0, 1]
    test = adding.generate(SHORT, TINY.test_size, np.random.default_rng(TINY.test_seed))
    for run in result.runs:
        assert run.n_params == count_parameters(run.trained)
        assert list(run.sequences) == [32, 64]
        # the stored test accuracy is the task's criterion on the shared test set
        correct = adding.sequence_correct(predict(run.trained, test), test)
        assert run.test_accuracy == pytest.approx(correct.mean())
    sequences, accuracy = result.curves("rnn")
    assert accuracy.shape == (2, 2) and list(sequences) == [32, 64]
    rows = result.table()
    assert [row["model"] for row in rows] == ["rnn", "lstm"]
    assert rows[0]["accuracy_min"] <= rows[0]["accuracy_mean"] <= rows[0]["accuracy_max"]
    assert "| vanilla RNN |" in result.as_markdown()


def test_a_models_result_does_not_depend_on_the_other_models_in_the_comparison():
    alone = compare_models("adding", SHORT, ["lstm"], seeds=(3,), config=TINY)
    together = compare_models("adding", SHORT, ["rnn", "transformer", "lstm"], seeds=(3,), config=TINY)
    a, b = alone.runs_of("lstm")[0], together.runs_of("lstm")[0]
    assert a.test_accuracy == b.test_accuracy and np.array_equal(a.loss, b.loss)


def test_compare_models_rejects_unknown_models_and_empty_lists():
    with pytest.raises(ValueError, match="unknown models"):
        compare_models("adding", SHORT, ["rnn", "cnn"], config=TINY)
    with pytest.raises(ValueError, match="models is empty"):
        compare_models("adding", SHORT, [], config=TINY)
    with pytest.raises(ValueError, match="no runs of model"):
        compare_models("adding", SHORT, ["rnn"], seeds=(0,), config=TINY).runs_of("gru")


def test_gradient_flow_is_flat_through_the_cec_and_matches_state_gradient_norms():
    x = adding.generate(SHORT, 4, 0).inputs[:, :11].astype(np.float64)
    models = {name: build_model(name, 2, 1, 3, seed=0).double() for name in RECURRENT_MODELS}
    curves = gradient_flow(models, x)
    np.testing.assert_allclose(curves["lstm1997"], 1.0, rtol=1e-12)  # ds(t)/ds(t-1) = 1: the CEC
    direct = state_gradient_norms(models["rnn"], torch.as_tensor(x))
    np.testing.assert_allclose(curves["rnn"], direct / direct[-1])
    assert curves["rnn"][0] < 0.1 and curves["rnn"][-1] == 1.0
    with pytest.raises(ValueError, match="carries no state"):
        gradient_flow({"transformer": build_model("transformer", 2, 1, 4)}, x)


def test_loglog_slope_recovers_power_laws():
    n = np.array([16, 32, 64, 128])
    assert loglog_slope(n, 3.0 * n) == pytest.approx(1.0)
    assert loglog_slope(n, 0.5 * n ** 2) == pytest.approx(2.0)
    with pytest.raises(ValueError, match="positive"):
        loglog_slope([1, 2], [0, 1])


def test_saved_activation_bytes_grow_by_equal_steps_for_a_recurrent_net():
    net = build_model("rnn", 2, 1, 4, seed=0)
    sizes = [saved_activation_bytes(net, torch.zeros(1, n, 2)) for n in (10, 20, 30)]
    assert sizes[0] > 0 and sizes[2] - sizes[1] == sizes[1] - sizes[0]  # the same tensors every step
    for p in net.parameters():
        p.requires_grad_(False)
    assert saved_activation_bytes(net, torch.zeros(1, 10, 2)) == 0  # nothing to differentiate, nothing kept


def test_time_vs_length_shapes_and_checks():
    models = {"lstm": build_model("lstm", 2, 1, 4, seed=0), "transformer": build_model("transformer", 2, 1, 4)}
    result = time_vs_length(models, [8, 16, 32], repeats=1)
    assert list(result.lengths) == [8, 16, 32]
    for name in models:
        assert result.seconds[name].shape == (3,) and np.all(result.seconds[name] > 0)
        assert np.all(np.diff(result.memory[name]) > 0)
    with pytest.raises(ValueError, match="increasing"):
        time_vs_length(models, [16, 8])


def test_timing_runs_on_one_thread_and_restores_the_setting():
    seen = []

    class Probe(torch.nn.Module):  # records torch's thread count while it is being timed
        n_inputs = 2

        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.ones(1))

        def forward(self, x):
            seen.append(torch.get_num_threads())
            return x.sum(dim=-1, keepdim=True) * self.w, None

    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        time_vs_length({"probe": Probe()}, [4, 8], repeats=1)
        assert set(seen) == {1} and torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)

"""The paper-protocol runner, the RNN baseline engine, the report and the reproduce command."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from lstm_core import VanillaRNN, count_parameters, paper_network
from lstm_core.training.engines import rnn as fast_rnn
from lstm_core.reproduction.protocol import ROWS, get_row, run_row
from lstm_core.reproduction.report import comparison_markdown, comparison_rows
from lstm_core.reproduction.cli import main, select_rows
from lstm_core.tasks import adding, temporal_order
from lstm_core.tasks.base import StoppingRule
from lstm_core.training.loop import as_tensors, sequence_loss


def test_every_row_matches_a_paper_row_and_its_network_count():
    for row in ROWS:
        paper = row.paper
        if row.model == "lstm1997" and paper.n_weights is not None:
            assert count_parameters(paper_network(row.network, p=row.p)) == paper.n_weights, row.key
        assert row.budget >= (paper.sequences_to_success or 0), row.key
    keys = [r.key for r in ROWS]
    assert len(keys) == len(set(keys))
    tables = {r.table for r in ROWS if r.model == "lstm1997"}
    assert tables == {"1", "2", "2b", "3", "4", "5", "6", "7", "8", "9"}


def test_rnn_baselines_have_about_the_lstm_weight_count():
    for row in (r for r in ROWS if r.model == "rnn"):
        spec = paper_network(row.network)
        rnn = VanillaRNN(spec.n_inputs, row.hidden, spec.n_outputs)
        assert 0.8 < count_parameters(rnn) / count_parameters(spec) < 1.2, row.key


def test_rnn_engine_gradient_equals_autograd_bptt():
    model = VanillaRNN(2, 5, 1, seed=0).double()
    batch = adding.generate(adding.AddingConfig(T=20), 3, 0)
    grads = fast_rnn.sequence_gradients(model, batch, i=1)
    x, y, m = as_tensors(batch.select([1]), torch.float64)
    loss = sequence_loss(model(x)[0], y, m).sum()
    names = [n for n, _ in model.named_parameters()]
    auto = dict(zip(names, torch.autograd.grad(loss, list(model.parameters()))))
    np.testing.assert_allclose(grads["cell.weight_ih"], auto["cell.weight_ih"].numpy(), rtol=1e-9, atol=1e-13)
    np.testing.assert_allclose(grads["cell.weight_hh"], auto["cell.weight_hh"].numpy(), rtol=1e-9, atol=1e-13)
    np.testing.assert_allclose(grads["cell.bias"], auto["cell.bias_ih"].numpy(), rtol=1e-9, atol=1e-13)
    np.testing.assert_allclose(grads["cell.bias"], auto["cell.bias_hh"].numpy(), rtol=1e-9, atol=1e-13)
    np.testing.assert_allclose(grads["output_units.weight"], auto["output_units.weight"].numpy(), rtol=1e-9, atol=1e-13)


def test_rnn_engine_forward_equals_the_module():
    model = VanillaRNN(8, 6, 4, seed=2).double()
    batch = temporal_order.generate(temporal_order.PAPER_CONFIGS["6a"], 4, 1)
    p = fast_rnn.RNNParams.from_models([model])
    out, failed = fast_rnn.train_online_trials(p, [batch], 0.0)
    ref = model(torch.as_tensor(batch.inputs, dtype=torch.float64))[0].detach().numpy()
    inside = batch.target_mask | (np.arange(batch.T_max)[None] < batch.lengths[:, None])
    np.testing.assert_allclose(out[0][inside], ref[inside], atol=1e-12)
    assert failed[0] == -1


@pytest.mark.parametrize("key", ["T7-adding-T100", "T1-reber-3x2-lr0.5", "T4-3a-T100-N3", "RNN-6a"])
def test_run_row_small(key):
    res = run_row(get_row(key), trials=2, budget=600, seed=1, progress=False)
    assert len(res.trials) == 2 and res.quick and res.budget == 600
    for t in res.trials:
        assert t.sequences_trained <= 600 and not t.diverged
        assert t.test_wrong is not None and 0 <= t.test_wrong <= t.test_size
    again = run_row(get_row(key), trials=2, budget=600, seed=1, progress=False)
    assert [t.test_wrong for t in again.trials] == [t.test_wrong for t in res.trials]  # seeded


def test_solved_trial_stops_with_the_weights_it_had_at_the_criterion(monkeypatch):
    """A rule met mid-chunk: the weights are replayed to that sequence, and counts are exact."""

    class AfterSeven(StoppingRule):
        def _step(self, correct, error):
            return self.n_seen >= 7

    monkeypatch.setattr(adding, "stopping_rule", lambda config=None: AfterSeven())
    res = run_row(get_row("T7-adding-T100"), trials=1, budget=500, seed=0, progress=False)
    assert res.trials[0].solved and res.trials[0].sequences == 7 and res.trials[0].sequences_trained == 7
    # the same 7 updates with the readable loop give the same final-test count
    from lstm_core.training.engines.lstm1997 import FastParams, train_online

    net = paper_network("adding", seed=0)
    params = FastParams.from_model(net)
    batch = adding.generate(adding.PAPER_CONFIGS["adding-T100"], 7, np.random.default_rng([0, 0, 1]))
    train_online(params, batch, 0.5)
    test = adding.generate(adding.PAPER_CONFIGS["adding-T100"], 256, np.random.default_rng([0, 0, 2]))
    from lstm_core.training.engines.lstm1997 import minibatch_gradients

    out = minibatch_gradients(params, test)[0]
    first_256_wrong = int((~adding.sequence_correct(out, test)).sum())
    assert res.trials[0].test_wrong >= first_256_wrong  # the 2560 test starts with these 256


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
    with pytest.raises(ValueError, match="unknown row"):
        get_row("T99")


def test_shipped_example_weights_rebuild_the_trained_network(tmp_path):
    from lstm_core.reproduction.report import load_results, trained_model

    out = tmp_path / "r.json"
    main(["RNN-6a", "--trials", "1", "--budget", "200", "--out", str(out), "--no-progress"])
    main(["T9-6a", "--trials", "1", "--budget", "200", "--out", str(out), "--no-progress"])
    data = load_results(out)
    for key in ("RNN-6a", "T9-6a"):
        net = trained_model(key, data)
        test = temporal_order.generate(temporal_order.PAPER_CONFIGS["6a"], 2560, np.random.default_rng([0, 0, 2]))
        from lstm_core.training.loop import predict

        wrong = int((~temporal_order.sequence_correct(predict(net, test), test)).sum())
        assert wrong == data["rows"][key]["trials"][0]["test_wrong"]  # float32 rebuild, same verdicts
    with pytest.raises(ValueError, match="not in the results"):
        trained_model("T7-adding-T100", data)


def test_every_short_row_of_the_shipped_results_is_explained():
    from lstm_core.reproduction.report import SHORTFALLS, load_results, short_rows, shortfall_markdown

    results = load_results()
    covered = {k for group in SHORTFALLS for k in group.keys(results)}
    assert set(short_rows(results)) <= covered, "a row that falls short has no entry in report.SHORTFALLS"
    table = shortfall_markdown(results)
    assert table.count("\n- **") + 1 == sum(bool(group.keys(results)) for group in SHORTFALLS)


def test_shortfall_counts_come_from_the_results():
    from lstm_core.reproduction.report import shortfall_markdown

    def row(solved, trials, wrong):
        trial = {"test_wrong": wrong, "test_size": 2560}
        return {"summary": {"solved": solved, "trials": trials}, "trials": [trial] * trials}

    fake = {"rows": {"T7-adding-T100": row(1, 4, 256), "T7-adding-T500": row(0, 2, 2560),
                     "T9-6a": row(5, 5, 0)}}
    text = shortfall_markdown(fake)
    assert text.count("- **") == 1  # the adding group only
    assert text.startswith("- **Adding problem (Table 7)**, 2 rows: 1 of 6 trials met the criterion; "
                           "final test sets 10.0 % to 100.0 % wrong")

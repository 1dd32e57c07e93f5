"""The long-lag diagnosis: its error at the input gates is the paper's truncated delta_in (derived by
hand), its drift agrees with end_state_drift, and the shipped measurements are what the code measures."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from lstm_core.analysis import long_lag  # noqa: E402
from lstm_core.analysis.inside import end_state_drift  # noqa: E402
from lstm_core.model import activations  # noqa: E402
from lstm_core.model.networks import paper_network  # noqa: E402
from lstm_core.plots.long_lag import plot_signal_error, plot_state_drift  # noqa: E402
from lstm_core.training.online import resolve_config  # noqa: E402


def _batch(config: str, n: int = 6, seed: int = 3):
    task, cfg = resolve_config(config)
    return task.generate(cfg, n, seed)


def _by_hand(net, batch) -> np.ndarray:
    """delta_in(t) under the scissors, error only at each sequence's last step T:
    dE/dnet_in_j(t) = f'(net_in_j(t)) sum_{c in j} g(net_c(t)) e_c, with
    e_c = sum_k (y^k(T) - t^k) f'(net_k(T)) w_kc y^out_j(T) h'(s_c(T)) for t <= T, 0 after."""
    with torch.no_grad():
        trace = net.run(torch.as_tensor(batch.inputs))
    y_in = trace.stack("y_in").double().numpy()
    g_c = trace.stack("g_c").double().numpy()
    s = trace.stack("s").double().numpy()
    y_out = trace.stack("y_out").double().numpy()
    y = trace.outputs.double().numpy()
    w = net.output_units.weight.detach().double().numpy()  # (K, C)
    n, T, B = y_in.shape
    C = s.shape[-1]
    block = np.arange(C) // (C // B)
    out = np.zeros((n, T, B))
    for i in range(n):
        last = int(batch.lengths[i]) - 1
        err = (y[i, last] - batch.targets[i, last]) * y[i, last] * (1 - y[i, last])  # (K,), logistic outputs
        h_slope = activations.h_prime(torch.from_numpy(s[i, last])).numpy()
        e_c = (err @ w) * y_out[i, last][block] * h_slope  # (C,)
        for t in range(last + 1):
            out[i, t] = y_in[i, t] * (1 - y_in[i, t]) * np.bincount(block, g_c[i, t] * e_c, minlength=B)
    return out


@pytest.mark.parametrize("config, network", [("2c-q50-p50", "2c"), ("3b-T100-N1", "3b"), ("adding-T100", "adding")])
def test_signal_deltas_are_the_truncated_delta_in_derived_by_hand(config, network):
    p = 50 if network == "2c" else None
    net = paper_network(network, seed=4, p=p)
    batch = _batch(config)
    assert net.scissors
    np.testing.assert_allclose(long_lag.signal_deltas(net, batch), _by_hand(net, batch), rtol=1e-4, atol=1e-12)


def test_without_scissors_the_deltas_are_the_full_gradient_s_and_differ():
    net = paper_network("2c", seed=4, p=50)
    batch = _batch("2c-q50-p50")
    cut = long_lag.signal_deltas(net, batch)
    net.scissors = False
    full = long_lag.signal_deltas(net, batch)
    assert np.abs(full - cut).max() > 1e-3 * np.abs(cut).max()


def test_signal_steps_per_task():
    b2c = _batch("2c-q50-p50")
    m = long_lag.signal_steps(b2c)
    assert m[:, 1].all() and m.sum() == b2c.n
    assert (b2c.info["symbols"][:, 1] == 50 + 2 + b2c.info["label"]).all()  # step 2 reads x (unit p + 2) or y
    b3 = _batch("3b-T100-N3")
    assert long_lag.signal_steps(b3, N=3)[:, :3].all() and long_lag.signal_steps(b3, N=3).sum() == 3 * b3.n
    badd = _batch("adding-T100")
    m = long_lag.signal_steps(badd)
    assert (m.sum(axis=1) == 2).all() and m[np.arange(badd.n), badd.info["marked"][:, 0]].all()
    with pytest.raises(ValueError, match="signal_steps knows"):
        long_lag.signal_steps(_batch("reber"))


def test_drift_agrees_with_end_state_drift_at_the_initial_weights():
    batch_seed = 7
    d = long_lag.diagnose("T3-2c-q100-p100", trials=[0, 1], n=32, data_seed=batch_seed)
    ref = end_state_drift("2c", "2c-q100-p100", seeds=[0, 1], n=32, p=100, data_seed=batch_seed)
    np.testing.assert_allclose(d.end_state, ref.worst_cell_state, rtol=1e-6)
    assert d.lag == 101 and d.sequences == 0


def test_negative_input_gate_biases_remove_2c_s_drift_at_the_start():
    lit = long_lag.diagnose("T3-2c-q100-p100", trials=[0, 1, 2], n=32)
    neg = long_lag.diagnose("T3-2c-q100-p100", "igb-neg", trials=[0, 1, 2], n=32)
    assert lit.median("end_state") > 2.5 * neg.median("end_state")
    assert lit.flat_share.max() > 0.01 and neg.flat_share.max() == 0.0


def test_bad_input_says_what_to_change():
    with pytest.raises(ValueError, match="1997 memory-cell network"):
        long_lag.trained_model("T2-2a-p100")
    with pytest.raises(ValueError, match="unknown reading"):
        long_lag.trained_model("T3-2c-q50-p50", "igb-negative")
    with pytest.raises(ValueError, match="trials must name"):
        long_lag.diagnose("T3-2c-q50-p50", trials=[])


def test_the_shipped_diagnosis_is_what_the_code_measures():
    data = long_lag.load_diagnosis()
    entries = data["entries"]
    missing = [long_lag.entry_key(k, r, s) for k, r, s, _ in long_lag.PLAN
               if long_lag.entry_key(k, r, s) not in entries]
    assert not missing, f"run python -m lstm_core.analysis.long_lag to measure {missing}"
    for key, reading, sequences, trials in long_lag.PLAN:
        rec = entries[long_lag.entry_key(key, reading, sequences)]
        assert rec["trials"] == list(trials) and all(len(rec[m]) == len(trials) for m in long_lag.MEASURES)
        assert all(np.isfinite(rec[m]).all() for m in long_lag.MEASURES)
    # measure one trained entry again: the same numbers
    again = long_lag.to_record(long_lag.diagnose("T3-2c-q100-p100", "literal", 5_000, trials=(0, 1, 2)))
    shipped = entries["T3-2c-q100-p100/literal/5000"]
    for m in long_lag.MEASURES:
        np.testing.assert_allclose(again[m], shipped[m], rtol=1e-6, err_msg=m)


def test_plots_draw_what_they_are_given():
    s = np.cumsum(np.full((50, 2), 0.2), axis=0)
    fig = plot_state_drift({"literal": s, "igb-neg": s / 4}, flat_at=2.9, signal_step=1)
    assert isinstance(fig, Figure) and len(fig.axes) == 2 and fig.axes[0].get_ylabel()
    fig = plot_signal_error({"2c": ([0, 5000], [1e-5, 2e-5])})
    assert fig.axes[0].get_yscale() == "log" and fig.axes[0].get_xlabel() == "training sequences"
    with pytest.raises(ValueError, match="not positive and finite"):
        plot_signal_error({"2c": ([0, 5000], [np.nan, 2e-5])})
    with pytest.raises(ValueError, match="flat_at"):
        plot_state_drift({"a": s}, flat_at=float("nan"))
    with pytest.raises(ValueError, match=r"\(T, cells\)"):
        plot_state_drift({"a": np.zeros(5)}, flat_at=1.0)


def test_the_plan_names_each_measurement_once():
    names = [long_lag.entry_key(k, r, s) for k, r, s, _ in long_lag.PLAN]
    assert len(names) == len(set(names))


def test_the_panel_draws_its_first_result_and_reports_errors_in_its_status_line(monkeypatch):
    import ipywidgets as widgets

    from lstm_core.dashboards import long_lag as panel_mod

    drawn = []
    real = panel_mod.plot_state_drift
    monkeypatch.setattr(panel_mod, "plot_state_drift", lambda states, *a, **k: drawn.append(states) or real(states, *a, **k))
    panel = panel_mod.long_lag_panel("T3-2c-q50-p50", "literal", 0, n=8)
    status = next(w for w in panel.children if isinstance(w, widgets.HTML))
    assert "median |s_c| at the end" in status.value and "error at the signal" in status.value
    (states,) = drawn  # one figure, of one sequence: (T, 2 cells)
    assert list(states.values())[0].shape[1] == 2

    def broken(*args, **kwargs):
        raise ValueError("row X: this reading changes nothing")

    given = long_lag.trained_model("T3-2c-q50-p50")
    monkeypatch.setattr(panel_mod.lag, "trained_model", broken)
    ready = panel_mod.long_lag_panel("T3-2c-q50-p50", "literal", 0, n=8, model=given)  # drawn, not trained
    assert "median |s_c|" in next(w for w in ready.children if isinstance(w, widgets.HTML)).value and len(drawn) == 2
    button = next(w for w in panel.children[1].children if isinstance(w, widgets.Button))
    button.click()
    assert "this reading changes nothing" in status.value and not button.disabled
    with pytest.raises(ValueError, match="reading must be one of"):
        panel_mod.long_lag_panel("T3-2c-q50-p50", "igb-negative")
    with pytest.raises(ValueError, match="key must be one of"):
        panel_mod.long_lag_panel("T9-6a")


def test_flat_state_is_where_h_prime_meets_the_threshold():
    at = long_lag.flat_state()
    assert float(activations.h_prime(torch.tensor(at))) == pytest.approx(long_lag.FLAT_SLOPE, abs=1e-6)
    assert float(activations.h_prime(torch.tensor(at + 0.1))) < long_lag.FLAT_SLOPE


def test_shipped_reads_the_medians_and_names_a_missing_entry():
    entry = long_lag.load_diagnosis()["entries"]["T7-adding-T500/literal/0"]
    got = long_lag.shipped("T7-adding-T500", "literal", 0)
    assert got["end_state"] == pytest.approx(float(np.median(entry["end_state"])))
    with pytest.raises(ValueError, match="no entry"):
        long_lag.shipped("T7-adding-T500", "literal", 1)

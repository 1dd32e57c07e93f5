"""lstm_core.reproduction.run: running rows by the paper's protocol (the RNN engine: test_engine_rnn.py)."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_core import paper_network
from lstm_core.reproduction.rows import get_row
from lstm_core.reproduction.run import run_row
from lstm_core.tasks import adding
from lstm_core.tasks.stopping import StoppingRule


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
    from lstm_core.training.engines.lstm1997_params import FastParams
    from lstm_core.training.engines.lstm1997 import train_online

    net = paper_network("adding", seed=0)
    params = FastParams.from_model(net)
    batch = adding.generate(adding.PAPER_CONFIGS["adding-T100"], 7, np.random.default_rng([0, 0, 1]))
    train_online(params, batch, 0.5)
    test = adding.generate(adding.PAPER_CONFIGS["adding-T100"], 256, np.random.default_rng([0, 0, 2]))
    from lstm_core.training.engines.lstm1997 import minibatch_gradients

    out = minibatch_gradients(params, test)[0]
    first_256_wrong = int((~adding.sequence_correct(out, test)).sum())
    assert res.trials[0].test_wrong >= first_256_wrong  # the 2560 test starts with these 256

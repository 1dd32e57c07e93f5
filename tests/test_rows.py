"""lstm_core.reproduction.rows: every reproduced row belongs to a paper row and runs the paper's network."""

from __future__ import annotations

import pytest

from lstm_core import VanillaRNN, count_parameters, paper_network
from lstm_core.reproduction.rows import ROWS, get_row


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


def test_get_row_names_the_known_rows():
    assert get_row("T9-6a").table == "9"
    with pytest.raises(ValueError, match="unknown row"):
        get_row("T99")

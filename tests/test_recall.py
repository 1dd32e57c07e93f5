"""Tests of lstm_core.tasks.recall: the delayed-recall probe of chapter 3.

Oracles: the answer is re-derived from the inputs alone (find the marker, read its sign), the
error measures are checked on hand-made outputs, and the stopping rule against a naive count.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_core import VanillaRNN
from lstm_core.tasks import adding, recall
from lstm_core.tasks.recall import RecallConfig, generate, sequence_correct, sequence_error, stopping_rule
from lstm_core.training.loop import TrainConfig, fit, predict

FAST = settings(max_examples=25, deadline=None, database=None)


def answer_from_inputs(batch):
    """Naive oracle: for each sequence, the sign at the marked step, the marked step, the last step."""
    out = []
    for i in range(batch.n):
        x, _, _ = batch.sequence(i)
        marked = np.flatnonzero(x[:, 1] == 1.0)
        assert marked.size == 1, "exactly one cue per sequence"
        out.append((x[marked[0], 0], int(marked[0]), len(x) - 1))
    return out


# -- config -----------------------------------------------------------------------------
@pytest.mark.parametrize("lag", [0, -3, 2.0, True, "5", None])
def test_bad_lag_is_rejected(lag):
    with pytest.raises(ValueError, match="lag"):
        RecallConfig(lag=lag)


@pytest.mark.parametrize("max_before", [-1, 1.5, False])
def test_bad_max_before_is_rejected(max_before):
    with pytest.raises(ValueError, match="max_before"):
        RecallConfig(lag=3, max_before=max_before)


def test_config_properties():
    config = RecallConfig(lag=7, max_before=4)
    assert (config.n_inputs, config.n_outputs, config.max_length, config.experiment) == (2, 1, 12, "recall")
    with pytest.raises(Exception):
        config.lag = 3  # frozen


# -- generator --------------------------------------------------------------------------
@FAST
@given(lag=st.integers(1, 40), max_before=st.integers(0, 12), n=st.integers(1, 9), seed=st.integers(0, 2**31))
def test_generated_batches_match_the_oracle(lag, max_before, n, seed):
    batch = generate(RecallConfig(lag, max_before), n, seed)
    assert batch.task == "recall" and batch.inputs.shape == (n, batch.T_max, 2) and batch.targets.shape[2] == 1
    for i, (cue, cue_step, last) in enumerate(answer_from_inputs(batch)):
        assert last - cue_step == lag  # the cue is exactly `lag` steps before the end
        assert 0 <= cue_step <= max_before
        assert cue in (-1.0, 1.0)
        assert batch.targets[i, last, 0] == (1.0 if cue > 0 else 0.0)
        assert batch.target_mask[i].tolist() == [t == last for t in range(batch.T_max)]
        assert batch.info["cue_step"][i] == cue_step and batch.info["cue"][i] == cue
        values = batch.inputs[i, : last + 1, 0]
        assert set(np.unique(values)) <= {-1.0, 1.0}  # every step inside the sequence is a sign
    assert batch.lengths.max() <= RecallConfig(lag, max_before).max_length


def test_same_seed_same_batch_and_generator_seeds_work():
    config = RecallConfig(lag=6, max_before=3)
    assert generate(config, 20, 5).equals(generate(config, 20, 5))
    assert not generate(config, 20, 5).equals(generate(config, 20, 6))
    rng = np.random.default_rng(5)
    assert generate(config, 20, rng).equals(generate(config, 20, 5))


def test_cue_signs_are_balanced_and_leading_distractors_cover_their_range():
    batch = generate(RecallConfig(lag=2, max_before=5), 4000, 0)
    assert abs(batch.info["cue"].mean()) < 0.05  # +1 and -1 with probability 0.5 each
    assert sorted(np.unique(batch.info["cue_step"])) == [0, 1, 2, 3, 4, 5]
    # distractors are independent of the cue: their mean sign is the same for both cue signs
    after = batch.inputs[:, :, 0] * (np.arange(batch.T_max) > batch.info["cue_step"][:, None])
    pos, neg = batch.info["cue"] > 0, batch.info["cue"] < 0
    assert abs(after[pos].sum() / 2 / pos.sum() - after[neg].sum() / 2 / neg.sum()) < 0.1


def test_generate_rejects_bad_arguments():
    with pytest.raises(ValueError, match="RecallConfig"):
        generate(adding.AddingConfig(), 2, 0)
    with pytest.raises(ValueError, match="n"):
        generate(RecallConfig(lag=2), 0, 0)
    with pytest.raises(ValueError, match="seed"):
        generate(RecallConfig(lag=2), 2, -1)


# -- criteria ---------------------------------------------------------------------------
def test_correct_and_error_on_hand_made_outputs():
    batch = generate(RecallConfig(lag=3), 4, 0)
    target = batch.targets[:, -1, 0]
    outputs = np.zeros((4, batch.T_max, 1))
    outputs[:, -1, 0] = np.where(target == 1.0, [0.9, 0.4, 0.5, 0.51], [0.1, 0.6, 0.5, 0.49])
    expected_error = np.array([0.1, 0.6, 0.5, 0.49])  # |target - output| whichever the target
    assert np.allclose(sequence_error(outputs, batch), expected_error)
    assert np.allclose(sequence_error(outputs, batch, "squared"), expected_error ** 2)
    assert sequence_correct(outputs, batch).tolist() == [True, False, False, True]  # 0.5 is no answer
    assert sequence_correct(torch.as_tensor(batch.targets), batch).all()  # torch outputs work too
    assert not sequence_correct(1.0 - batch.targets, batch).any()


def test_criteria_reject_other_tasks_and_bad_shapes():
    other = adding.generate(adding.AddingConfig(T=20), 2, 0)
    with pytest.raises(ValueError, match="recall"):
        sequence_correct(other.targets, other)
    batch = generate(RecallConfig(lag=3), 2, 0)
    with pytest.raises(ValueError, match="shape"):
        sequence_correct(np.zeros((3, batch.T_max, 1)), batch)


def test_stopping_rule_allows_5_percent_wrong_of_the_last_500():
    rule = stopping_rule(RecallConfig(lag=5))
    assert not rule.update([False] * 25 + [True] * 474)  # 499 seen: the window is not full yet
    assert rule.update(True) and rule.met_at == 500  # 25 wrong of 500: met
    rule = stopping_rule(RecallConfig(lag=5))
    assert not rule.update([False] * 26 + [True] * 474)  # 26 wrong of 500: not met
    assert rule.update(True)  # the first wrong one leaves the window: 25 wrong, met
    with pytest.raises(ValueError, match="RecallConfig"):
        stopping_rule(adding.AddingConfig())


# -- with the training loop ---------------------------------------------------------------
def test_fit_accepts_the_module_and_a_short_lag_is_learned():
    config = RecallConfig(lag=2)
    model = VanillaRNN(recall.N_INPUTS, 8, recall.N_OUTPUTS, seed=0)
    train = TrainConfig(learning_rate=0.02, max_sequences=1280, batch_size=32, optimizer="adam",
                        log_every=320, seed=0, progress=False)
    history = fit(model, recall, train, task_config=config, stopping_rule=False)
    assert history.n_sequences == 1280 and len(history.accuracy) == 4
    test = generate(config, 500, 1)
    assert sequence_correct(predict(model, test), test).mean() > 0.9


def test_fit_stops_with_the_task_rule_once_learned():
    model = VanillaRNN(recall.N_INPUTS, 8, recall.N_OUTPUTS, seed=0)
    train = TrainConfig(learning_rate=0.02, max_sequences=6400, batch_size=32, optimizer="adam",
                        log_every=320, seed=0, progress=False)
    history = fit(model, recall, train, task_config=RecallConfig(lag=1))
    assert history.solved_at is not None and history.solved_at < 6400

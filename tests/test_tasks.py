"""Tests of lstm_core.tasks: generator invariants, the paper's criteria and stopping rules.

Oracles are written independently of the code under test: hand-derived Reber facts, the
paper's class tables typed out, naive re-implementations of the stopping rules, and the
expected Reber string length solved from the automaton as a linear system.
"""

from __future__ import annotations

from collections import deque

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_core.tasks import (
    CHOICES,
    DEFAULT_CONFIGS,
    TASKS,
    Choice,
    adding,
    get_task,
    long_lag,
    multiplication,
    noise_signal,
    paper_config,
    paper_config_names,
    reber,
    temporal_order,
)
from lstm_core.tasks.base import (
    SequenceBatch,
    check_outputs,
    last_step_outputs,
    make_rng,
    one_hot,
    pad_sequences,
    reduce_error,
)
from lstm_core.tasks.stopping import RecentWindow, SuccessiveCorrect, TestSetRule, st3

FAST = settings(max_examples=25, deadline=None, database=None)

# Every config name the brief and the paper's tables call for.
EXPECTED_CONFIG_NAMES = {
    "reber",
    "2a-p4", "2a-p10", "2a-p100", "2b-p100",
    "2c-q50-p50", "2c-q100-p100", "2c-q200-p200", "2c-q500-p500", "2c-q1000-p1000",
    "2c-q1000-p500", "2c-q1000-p200", "2c-q1000-p100", "2c-q1000-p50",
    "3a-T100-N3", "3a-T100-N1", "3a-T1000-N3", "3b-T100-N3", "3b-T100-N1", "3b-T1000-N1",
    "3c-T100-N3", "3c-T100-N1",
    "adding-T100", "adding-T500", "adding-T1000",
    "multiplication-T100-nseq140", "multiplication-T100-nseq13",
    "6a", "6b",
}


def _perfect_end_outputs(batch: SequenceBatch, offset: float) -> np.ndarray:
    """Outputs equal to the targets plus ``offset`` everywhere."""
    return batch.targets.astype(np.float64) + offset


# ======================================================================================
# base: the batch and helpers
# ======================================================================================


def test_pad_sequences_and_batch_accessors():
    batch = pad_sequences(
        [np.ones((2, 3)), 2 * np.ones((4, 3))],
        [np.zeros((2, 1)), np.ones((4, 1))],
        [np.array([False, True]), np.array([True, True, True, True])],
        info={"label": np.array([0, 1])},
        task="demo",
    )
    assert (batch.n, batch.T_max, batch.n_inputs, batch.n_outputs) == (2, 4, 3, 1)
    assert batch.inputs.dtype == np.float32 and batch.lengths.dtype == np.int64
    assert np.all(batch.inputs[0, 2:] == 0) and not batch.target_mask[0, 2:].any()
    x, y, m = batch.sequence(0)
    assert x.shape == (2, 3) and y.shape == (2, 1) and m.tolist() == [False, True]
    sub = batch.select([0])
    assert sub.T_max == 2 and sub.info["label"].tolist() == [0] and sub.task == "demo"
    assert batch.equals(batch.select([0, 1])) and not batch.equals(sub)


def test_batch_rejects_bad_arrays():
    ok = dict(inputs=np.zeros((1, 3, 2)), targets=np.zeros((1, 3, 1)),
              target_mask=np.array([[False, False, True]]), lengths=np.array([3]))
    SequenceBatch(**ok)
    with pytest.raises(ValueError, match="target_mask"):
        SequenceBatch(**{**ok, "target_mask": np.zeros((1, 2), dtype=bool)})
    with pytest.raises(ValueError, match="lengths"):
        SequenceBatch(**{**ok, "lengths": np.array([4])})
    with pytest.raises(ValueError, match="after a sequence's length"):
        SequenceBatch(**{**ok, "lengths": np.array([2])})
    padded_wrong = np.zeros((1, 3, 2))
    padded_wrong[0, 2, 0] = 1.0
    with pytest.raises(ValueError, match="zero"):
        SequenceBatch(**{**ok, "inputs": padded_wrong, "lengths": np.array([2]),
                         "target_mask": np.array([[False, True, False]])})
    with pytest.raises(ValueError, match="info"):
        SequenceBatch(**ok, info={"label": np.array([0, 1])})


def test_helpers_validate():
    assert one_hot(np.array([[1, -1]]), 3).tolist() == [[[0, 1, 0], [0, 0, 0]]]
    with pytest.raises(ValueError, match="symbol indices"):
        one_hot(np.array([3]), 3)
    for bad in (-1, 1.5, "0", True, None):
        with pytest.raises(ValueError, match="seed"):
            make_rng(bad)
    with pytest.raises(ValueError, match="error kind"):
        reduce_error(np.zeros(2), "mean")
    batch = adding.generate(adding.AddingConfig(T=20), 3, seed=0)
    with pytest.raises(ValueError, match="outputs must have shape"):
        check_outputs(np.zeros((3, batch.T_max, 2)), batch)
    with pytest.raises(ValueError, match="steps"):
        check_outputs(np.zeros((3, batch.T_max - 1, 1)), batch)
    longer = np.zeros((3, batch.T_max + 5, 1))
    assert check_outputs(longer, batch).shape == (3, batch.T_max, 1)


def test_last_step_outputs_reads_each_sequence_end():
    batch = adding.generate(adding.AddingConfig(T=30), 50, seed=1)
    outputs = np.arange(batch.T_max, dtype=float)[None, :, None] * np.ones((batch.n, 1, 1))
    assert last_step_outputs(outputs, batch)[:, 0].tolist() == (batch.lengths - 1).tolist()


def test_criteria_accept_torch_tensors():
    torch = pytest.importorskip("torch")
    batch = temporal_order.generate(temporal_order.PAPER_CONFIGS["6a"], 5, seed=0)
    outputs = torch.tensor(batch.targets, requires_grad=True) * 0.9 + 0.05
    assert temporal_order.sequence_correct(outputs, batch).all()
    assert temporal_order.sequence_error(outputs, batch).shape == (5,)


# ======================================================================================
# Stopping rules against naive oracles
# ======================================================================================


def _oracle_successive(results: list[bool], window: int) -> int | None:
    """First count n at which results[n-window:n] are all True."""
    for n in range(window, len(results) + 1):
        if all(results[n - window:n]):
            return n
    return None


def _oracle_recent(results: list[tuple[bool, float]], window: int, max_wrong: int,
                   bound: float | None) -> int | None:
    recent: deque = deque(maxlen=window)
    for n, item in enumerate(results, start=1):
        recent.append(item)
        if len(recent) < window:
            continue
        wrong = sum(not c for c, _ in recent)
        mean = sum(e for _, e in recent) / window
        if wrong <= max_wrong and (bound is None or mean < bound):
            return n
    return None


@FAST
@given(results=st.lists(st.booleans(), max_size=60), window=st.integers(1, 6))
def test_successive_correct_matches_oracle(results, window):
    rule = SuccessiveCorrect(window)
    met = rule.update(results) if results else False
    expected = _oracle_successive(results, window)
    assert met == (expected is not None)
    assert rule.met_at == expected
    if expected is not None:
        assert rule.success_after == expected - window


@FAST
@given(
    results=st.lists(st.tuples(st.booleans(), st.floats(0.0, 0.2)), max_size=60),
    window=st.integers(1, 8),
    max_wrong=st.integers(0, 3),
    bound=st.one_of(st.none(), st.floats(0.01, 0.2)),
    chunk=st.integers(1, 7),
)
def test_recent_window_matches_oracle(results, window, max_wrong, bound, chunk):
    max_wrong = min(max_wrong, window - 1)
    rule = RecentWindow(window, max_wrong, bound)
    for start in range(0, len(results), chunk):  # feed in chunks: arrays and scalars mixed
        part = results[start:start + chunk]
        rule.update([c for c, _ in part], [e for _, e in part])
    assert rule.met_at == _oracle_recent(results, window, max_wrong, bound)


def test_st3_paper_window():
    rule = st3(0.01)
    assert not rule.update(np.ones(1999, dtype=bool), np.full(1999, 0.005))
    assert rule.update(True, 0.005) and rule.met_at == 2000
    rule.reset()
    assert not rule.met and rule.n_seen == 0
    # one wrong sequence blocks the rule until it has left the 2000-sequence window
    rule.update(False, 0.005)
    assert not rule.update(np.ones(1999, dtype=bool), np.full(1999, 0.005))
    assert rule.update(True, 0.005) and rule.met_at == 2001
    # all correct but average error too high
    rule = st3(0.01)
    assert not rule.update(np.ones(3000, dtype=bool), np.full(3000, 0.02))
    with pytest.raises(ValueError, match="needs per-sequence errors"):
        rule.update(True)


def test_rules_are_sticky_until_reset_and_validate():
    rule = SuccessiveCorrect(2)
    rule.update([True, True])
    assert rule.update(False) and rule.met_at == 2
    with pytest.raises(ValueError, match="window"):
        SuccessiveCorrect(0)
    with pytest.raises(ValueError, match="max_wrong"):
        RecentWindow(10, max_wrong=10)
    with pytest.raises(ValueError, match="same length"):
        RecentWindow(3).update([True, True], [0.1])
    with pytest.raises(ValueError, match="1-d"):
        RecentWindow(3).update(np.ones((2, 2), dtype=bool))


def test_test_set_rule():
    rule = TestSetRule(max_wrong=1, mean_error_below=0.05, test_set_size=4)
    assert not rule.update([True, False, False, True], [0.0] * 4)  # two wrong
    assert not rule.update([True, False, True, True], [0.1] * 4)  # mean too high
    assert rule.update([True, False, True, True], [0.01] * 4) and rule.met_at == 3
    with pytest.raises(ValueError, match="test set of 4"):
        rule.check([True] * 3, [0.0] * 3)


# ======================================================================================
# Experiment 1: embedded Reber grammar
# ======================================================================================

# Hand-checked against the automaton table (published legal / illegal Reber strings).
LEGAL_REBER = ["BTSSXXTVVE", "BPVVE", "BTXXVPSE", "BPVPXVPXVPXVVE", "BTXSE", "BPTVPSE"]
ILLEGAL_REBER = ["BTSSPXSE", "BPTVVB", "BTXXVVSE", "BPVSPSE", "BTSSSE", "TXSE", "BTXSEE", ""]


def test_reber_grammar_checker_on_hand_made_strings():
    assert all(reber.is_grammatical(s) for s in LEGAL_REBER)
    assert not any(reber.is_grammatical(s) for s in ILLEGAL_REBER)
    assert reber.is_embedded_reber("BTBTXSETE") and reber.is_embedded_reber("BPBPVVEPE")
    for s in ["BTBTXSEPE", "BTXSE", "BTBTXSET", "BXBTXSEXE", "BTBTXXETE", "BTE"]:
        assert not reber.is_embedded_reber(s), s
    assert len(reber.SHORTEST_EMBEDDED) == 9 and reber.is_embedded_reber(reber.SHORTEST_EMBEDDED)


def test_reber_allowed_next_hand_derived():
    as_text = lambda sets: ["".join(sorted(a, key=reber.SYMBOLS.index)) for a in sets]  # noqa: E731
    assert as_text(reber.allowed_next_symbols("BTBTXSETE")) == ["TP", "B", "TP", "SX", "SX", "E", "T", "E"]
    assert as_text(reber.allowed_next_symbols("BPBPVVEPE")) == ["TP", "B", "TP", "TV", "PV", "E", "P", "E"]
    assert as_text(reber.allowed_next_symbols("BTXSE", embedded=False)) == ["TP", "SX", "SX", "E"]
    with pytest.raises(ValueError, match="not an embedded Reber string"):
        reber.allowed_next_symbols("BTBTXSEPE")


def _expected_reber_length() -> float:
    """Expected number of symbols of a plain Reber string, solved from TRANSITIONS (L = 1 + mean L(next))."""
    states = sorted(reber.TRANSITIONS)
    a = np.eye(len(states))
    b = np.ones(len(states))
    for s in states:
        for _, nxt in reber.TRANSITIONS[s]:
            if nxt is not None:
                a[s, nxt] -= 1.0 / len(reber.TRANSITIONS[s])
    return float(np.linalg.solve(a, b)[0])


def test_reber_strings_are_grammatical_and_embedded():
    batch = reber.generate(reber.ReberConfig(), 2000, seed=0)
    strings = list(batch.info["strings"])
    assert all(reber.is_embedded_reber(s) for s in strings)
    assert all(s[1] == s[-2] and s[0] == "B" and s[-1] == "E" for s in strings)
    lengths = np.array([len(s) for s in strings])
    # the shortest inner strings are BTXSE and BPVVE, so four embedded strings have 9 symbols
    shortest = {"BTBTXSETE", "BTBPVVETE", "BPBTXSEPE", "BPBPVVEPE"}
    assert lengths.min() == 9 and {s for s in strings if len(s) == 9} == shortest
    assert batch.lengths.tolist() == (lengths - 1).tolist()
    # mean length = 4 outer symbols + expected inner length, within 5 standard errors
    expected = 4 + _expected_reber_length()
    assert abs(lengths.mean() - expected) < 5 * lengths.std() / np.sqrt(len(lengths))
    # both branches occur about equally often
    assert 0.45 < np.mean([s[1] == "T" for s in strings]) < 0.55


def test_reber_coding_and_allowed_masks():
    batch = reber.generate(reber.ReberConfig(), 1000, seed=1)
    valid = batch.target_mask
    assert np.array_equal(valid, np.arange(batch.T_max)[None, :] < batch.lengths[:, None])
    # local codes: exactly one unit on at every valid step; target t is input t + 1
    assert np.all(batch.inputs[valid].sum(-1) == 1) and np.all(batch.targets[valid].sum(-1) == 1)
    shifted = batch.inputs[:, 1:] == batch.targets[:, :-1]
    assert np.all(shifted.all(-1) | ~valid[:, 1:])
    # the actual next symbol is always allowed; padding allows nothing
    allowed = batch.info["allowed_next"]
    assert np.all(allowed[valid][batch.targets[valid] == 1])
    assert not allowed[~valid].any()
    for i in range(20):
        s = batch.info["strings"][i]
        assert "".join(reber.SYMBOLS[k] for k in batch.info["symbols"][i, : batch.lengths[i]]) == s[:-1]


def test_plain_reber_config():
    strings = reber.sample_strings(reber.ReberConfig(embedded=False), 500, seed=2)
    assert all(reber.is_grammatical(s) for s in strings)
    with pytest.raises(ValueError, match="branch_probability"):
        reber.ReberConfig(branch_probability=1.0)
    with pytest.raises(ValueError, match="embedded"):
        reber.ReberConfig(embedded="yes")


def test_reber_correctness_on_hand_made_outputs():
    batch = reber.encode_strings(["BTBTXSETE", "BPBPVVEPE"])
    allowed = batch.info["allowed_next"].astype(float)
    good = 0.1 + 0.8 * allowed
    assert reber.sequence_correct(good, batch).tolist() == [True, True]
    # outputs equal to the one-hot targets fail where two symbols are possible
    assert reber.sequence_correct(batch.targets, batch).tolist() == [False, False]
    # the remembered branch: at the step before last, P above T in the T-string is wrong
    bad = good.copy()
    bad[0, 6, reber.SYMBOLS.index("P")] = 0.95
    assert reber.sequence_correct(bad, batch).tolist() == [False, True]
    # a tie between an allowed and a disallowed unit is wrong
    tie = good.copy()
    tie[1, 3, reber.SYMBOLS.index("S")] = 0.9
    assert reber.sequence_correct(tie, batch).tolist() == [True, False]
    # padding steps do not matter
    noisy_pad = good.copy()
    noisy_pad[~batch.target_mask] = 5.0
    assert reber.sequence_correct(noisy_pad, batch).all()
    assert np.allclose(reber.sequence_error(batch.targets, batch), 0.0)


def test_reber_sets_and_all_correct():
    train, test = reber.make_reber_sets(seed=3)
    assert (train.n, test.n) == (reber.TRAIN_SET_SIZE, reber.TEST_SET_SIZE) == (256, 256)
    assert not set(train.info["strings"]) & set(test.info["strings"])
    again_train, again_test = reber.make_reber_sets(seed=3)
    assert train.equals(again_train) and test.equals(again_test)
    good_train = 0.1 + 0.8 * train.info["allowed_next"]
    good_test = 0.1 + 0.8 * test.info["allowed_next"]
    assert reber.all_correct(good_train, train, good_test, test)
    good_test[5, 0] = 0.0  # first step of one test string: T and P no longer the most active
    assert not reber.all_correct(good_train, train, good_test, test)
    rule = reber.stopping_rule()
    assert not rule.update(np.concatenate([reber.sequence_correct(good_train, train),
                                           reber.sequence_correct(good_test, test)]))


# ======================================================================================
# Experiment 2: long-lag symbol sequences
# ======================================================================================


def test_2a_two_fixed_sequences():
    p = 10
    config = long_lag.Task2aConfig(p=p)
    batch = long_lag.generate(config, 1000, seed=0)
    symbols = np.concatenate([batch.info["symbols"], batch.targets[:, -1:].argmax(-1)], axis=1)
    x, y = p - 1, p
    for row, label in zip(symbols, batch.info["label"]):
        end = x if label == 0 else y
        assert row.tolist() == [end, *range(p - 1), end]
    assert batch.lengths.tolist() == [p] * 1000 and batch.target_mask.all()
    assert np.array_equal(batch.inputs[:, 1:], batch.targets[:, :-1])
    assert 0.45 < batch.info["label"].mean() < 0.55
    assert long_lag.symbol_names(config)[x:] == ["x", "y"]


def test_2b_random_middle():
    p = 20
    batch = long_lag.generate(long_lag.Task2bConfig(p=p), 1000, seed=1)
    first = batch.inputs[:, 0].argmax(-1)
    last_target = batch.targets[:, -1].argmax(-1)
    middle = batch.inputs[:, 1:].argmax(-1)
    assert np.array_equal(first, last_target) and set(first.tolist()) == {p - 1, p}
    assert middle.min() == 0 and middle.max() == p - 2  # over a_1..a_{p-1}, all of them used
    assert batch.target_mask.all()
    assert np.array_equal(first, np.where(batch.info["label"] == 0, p - 1, p))


@FAST
@given(q=st.integers(0, 30), p=st.integers(1, 12), seed=st.integers(0, 2**32 - 1))
def test_2c_structure(q, p, seed):
    config = long_lag.Task2cConfig(q=q, p=p)
    batch = long_lag.generate(config, 50, seed=seed)
    e, b, x, y = p, p + 1, p + 2, p + 3
    for i in range(batch.n):
        length = batch.lengths[i]
        sym = batch.info["symbols"][i]
        assert sym[0] == b and sym[1] == (x if batch.info["label"][i] == 0 else y)
        assert sym[length - 1] == e and batch.info["trigger_step"][i] == length - 1
        assert np.all((sym[2:length - 1] >= 0) & (sym[2:length - 1] < p))  # distractors only
        assert np.all(sym[length:] == -1)
        assert length == q + 3 + batch.info["n_extra"][i]
        assert batch.target_mask[i].tolist() == [t == length - 1 for t in range(batch.T_max)]
        assert batch.targets[i, length - 1].tolist() == ([1.0, 0.0] if batch.info["label"][i] == 0 else [0.0, 1.0])
    assert np.array_equal(batch.inputs.argmax(-1)[batch.inputs.sum(-1) > 0],
                          batch.info["symbols"][batch.info["symbols"] >= 0])
    assert batch.n_inputs == config.n_inputs == p + 4 and batch.n_outputs == 2


def test_2c_length_distribution_matches_paper_formula():
    q = 20
    batch = long_lag.generate(long_lag.Task2cConfig(q=q, p=5), 4000, seed=2)
    symbols = batch.lengths + 1  # one symbol more than steps: the final x|y
    # the paper: minimal length q + 4 symbols; expected length 4 + sum_k (1/10)(9/10)^k (q + k)
    paper_sum = 4 + sum(0.1 * 0.9**k * (q + k) for k in range(2000))
    assert symbols.min() == q + 4
    assert abs(symbols.mean() - paper_sum) < 5 * symbols.std() / np.sqrt(batch.n)
    # the paper prints "= q + 14" for that sum, but the sum is q + 13 (see CHOICES)
    assert np.isclose(paper_sum, q + 13)


def test_2c_paper_size_config():
    config = long_lag.PAPER_CONFIGS["2c-q1000-p1000"]
    batch = long_lag.generate(config, 2, seed=0)
    assert batch.n_inputs == 1004 and batch.lengths.min() >= 1003


def test_long_lag_criteria():
    batch = long_lag.generate(long_lag.Task2aConfig(p=5), 2, seed=0)
    assert long_lag.sequence_correct(batch.targets + 0.24, batch).all()
    bad = batch.targets + 0.0
    bad[1, 2, 0] += 0.26  # one middle step, one unit: 2a judges every step
    assert long_lag.sequence_correct(bad, batch).tolist() == [True, False]
    assert np.isclose(long_lag.sequence_error(bad, batch)[1], 0.26)

    batch = long_lag.generate(long_lag.Task2bConfig(p=5), 2, seed=0)
    middle_wrong = batch.targets + 0.0
    middle_wrong[:, :-1] = 0.5  # unpredictable middle: not judged in 2b
    assert long_lag.sequence_correct(middle_wrong, batch).all()
    middle_wrong[0, -1] = 1.0 - middle_wrong[0, -1]
    assert long_lag.sequence_correct(middle_wrong, batch).tolist() == [False, True]

    batch = long_lag.generate(long_lag.Task2cConfig(q=4, p=3), 2, seed=0)
    assert long_lag.sequence_correct(batch.targets + 0.19, batch).all()
    assert not long_lag.sequence_correct(batch.targets - 0.21, batch).any()
    rule = long_lag.stopping_rule(long_lag.Task2cConfig())
    assert isinstance(rule, SuccessiveCorrect) and rule.window == long_lag.SUCCESS_WINDOW == 10_000


def test_long_lag_configs_validate():
    for bad in (dict(p=1), dict(p=2.0), dict(p=True)):
        with pytest.raises(ValueError, match="p must"):
            long_lag.Task2aConfig(**bad)
    with pytest.raises(ValueError, match="q must"):
        long_lag.Task2cConfig(q=-1)
    with pytest.raises(ValueError, match="p_continue"):
        long_lag.Task2cConfig(p_continue=1.0)
    with pytest.raises(ValueError, match="config must be"):
        long_lag.generate(adding.AddingConfig(), 1, 0)


# ======================================================================================
# Experiment 3: noise and signal on one channel
# ======================================================================================


@pytest.mark.parametrize("variant", ["3a", "3b", "3c"])
def test_two_sequence_generator(variant):
    T, N = 50, 3
    config = noise_signal.TwoSequenceConfig(variant, T=T, N=N)
    batch = noise_signal.generate(config, 4000, seed=0)
    x = batch.inputs[:, :, 0].astype(np.float64)
    lengths, label = batch.lengths, batch.info["label"]
    assert set(lengths.tolist()) == set(range(T, T + T // 10 + 1))
    assert np.all(x[np.arange(batch.T_max)[None, :] >= lengths[:, None]] == 0)
    sign = np.where(label == 0, 1.0, -1.0)
    head = x[:, :N]
    if variant == "3b":  # noisy signal: mean +-1, variance 0.2
        residual = head - sign[:, None]
        assert abs(residual.mean()) < 0.02 and abs(residual.var() - 0.2) < 0.02
    else:
        assert np.array_equal(head, np.repeat(sign[:, None], N, axis=1))
    tail = x[:, N:T]  # always inside every sequence
    assert abs(tail.mean()) < 0.01 and abs(tail.var() - 0.2) < 0.01
    clean = batch.info["clean_target"]
    expected_clean = {"3a": (1.0, 0.0), "3b": (1.0, 0.0), "3c": (0.2, 0.8)}[variant]
    assert np.array_equal(clean, np.where(label == 0, *expected_clean))
    end = batch.targets[np.arange(batch.n), lengths - 1, 0].astype(np.float64)
    if variant == "3c":
        noise = end - clean
        assert abs(noise.mean()) < 0.03 and abs(noise.var() - 0.1) < 0.01
    else:
        assert np.allclose(end, clean)
    assert np.array_equal(batch.target_mask, np.arange(batch.T_max)[None, :] == lengths[:, None] - 1)
    assert 0.47 < label.mean() < 0.53


def test_two_sequence_criteria_and_rules():
    batch = noise_signal.generate(noise_signal.TwoSequenceConfig("3a", T=20, N=1), 2, seed=0)
    clean = batch.info["clean_target"]
    out = np.zeros((2, batch.T_max, 1))
    out[np.arange(2), batch.lengths - 1, 0] = clean + np.array([0.19, -0.21])
    assert noise_signal.sequence_correct(out, batch).tolist() == [True, False]
    assert np.allclose(noise_signal.sequence_error(out, batch), [0.19, 0.21])

    batch = noise_signal.generate(noise_signal.TwoSequenceConfig("3c", T=20, N=1), 2, seed=0)
    out = np.zeros((2, batch.T_max, 1))
    out[np.arange(2), batch.lengths - 1, 0] = batch.info["clean_target"] + np.array([0.09, 0.11])
    assert noise_signal.sequence_correct(out, batch).tolist() == [True, False]

    n = noise_signal.TEST_SET_SIZE
    small = np.full(n, 0.005)
    st1 = noise_signal.stopping_rule(noise_signal.PAPER_CONFIGS["3a-T100-N3"], "ST1")
    st2 = noise_signal.stopping_rule(noise_signal.PAPER_CONFIGS["3a-T100-N3"], "ST2")
    one_wrong = np.ones(n, dtype=bool)
    one_wrong[0] = False
    assert not st1.check(one_wrong, small) and st1.check(np.ones(n, bool), np.full(n, 0.05))
    assert not st2.check(np.ones(n, bool), np.full(n, 0.011)) and st2.check(np.ones(n, bool), small)
    st2b = noise_signal.stopping_rule(noise_signal.PAPER_CONFIGS["3b-T100-N1"], "ST2")
    five, six = np.ones(n, bool), np.ones(n, bool)
    five[:5], six[:6] = False, False
    assert st2b.check(five, np.full(n, 0.039)) and not st2b.check(six, np.full(n, 0.039))
    assert not st2b.check(five, np.full(n, 0.041))
    st3c = noise_signal.stopping_rule(noise_signal.PAPER_CONFIGS["3c-T100-N3"])
    assert st3c.check(np.ones(n, bool), np.full(n, 0.014)) and not st3c.check(np.ones(n, bool), np.full(n, 0.016))
    with pytest.raises(ValueError, match="criterion"):
        noise_signal.stopping_rule(noise_signal.PAPER_CONFIGS["3c-T100-N3"], "ST3")


def test_two_sequence_configs_validate():
    with pytest.raises(ValueError, match="variant"):
        noise_signal.TwoSequenceConfig("3d")
    with pytest.raises(ValueError, match="N"):
        noise_signal.TwoSequenceConfig("3a", T=3, N=3)
    with pytest.raises(ValueError, match="noise_variance"):
        noise_signal.TwoSequenceConfig("3a", noise_variance=-0.1)
    with pytest.raises(ValueError, match="T must"):
        noise_signal.TwoSequenceConfig("3a", T=0)


# ======================================================================================
# Experiments 4 and 5: adding and multiplication
# ======================================================================================


def _check_marked_pairs(batch: SequenceBatch, T: int, low: float, high: float, neutral: float) -> None:
    """The paper's marker rules, checked sequence by sequence."""
    marked = batch.info["marked"]
    for i in range(batch.n):
        length = batch.lengths[i]
        value, marker = batch.inputs[i, :length, 0], batch.inputs[i, :length, 1]
        first, second = marked[i]
        assert sorted(np.flatnonzero(marker == 1.0).tolist()) == sorted([first, second])
        assert first < 10  # X1: one of the first ten pairs
        unmarked_before_second = [j for j in range(second) if j != first]
        assert second != first and len(unmarked_before_second) < T // 2 - 1  # among the first T/2-1 unmarked
        expected = np.zeros(length)
        expected[0] = expected[-1] = -1.0
        expected[[first, second]] = 1.0  # a marked first pair keeps marker 1
        assert np.array_equal(marker, expected)
        if 0 in (first, second):
            assert value[0] == neutral
        assert np.all((value >= low) & (value <= high))
        assert max(first, second) < length - 1  # the final pair is never marked
        if T >= 20:  # X1's window (10 pairs) lies within the first T/2: minimal lag T/2
            assert length - 1 - max(first, second) >= T / 2
        assert np.all(batch.inputs[i, length:] == 0)
    assert np.array_equal(batch.target_mask,
                          np.arange(batch.T_max)[None, :] == batch.lengths[:, None] - 1)
    assert batch.lengths.min() >= T and batch.lengths.max() <= T + T // 10


@FAST
@given(T=st.integers(11, 120), seed=st.integers(0, 2**32 - 1))
def test_adding_marker_rules(T, seed):
    batch = adding.generate(adding.AddingConfig(T=T), 40, seed=seed)
    _check_marked_pairs(batch, T, -1.0, 1.0, neutral=0.0)
    rows = np.arange(batch.n)
    x = batch.inputs[rows[:, None], batch.info["marked"], 0].astype(np.float64)
    end = batch.targets[rows, batch.lengths - 1, 0]
    assert np.allclose(end, 0.5 + (x[:, 0] + x[:, 1]) / 4.0, atol=1e-6)
    assert np.all((end >= 0) & (end <= 1))


@FAST
@given(T=st.integers(11, 120), seed=st.integers(0, 2**32 - 1))
def test_multiplication_marker_rules(T, seed):
    batch = multiplication.generate(multiplication.MultiplicationConfig(T=T), 40, seed=seed)
    _check_marked_pairs(batch, T, 0.0, 1.0, neutral=1.0)
    rows = np.arange(batch.n)
    x = batch.inputs[rows[:, None], batch.info["marked"], 0].astype(np.float64)
    assert np.allclose(batch.targets[rows, batch.lengths - 1, 0], x[:, 0] * x[:, 1], atol=1e-6)


def test_adding_position_distribution():
    T = 14  # X2 among the first T//2 - 1 = 6 unmarked pairs
    batch = adding.generate(adding.AddingConfig(T=T), 6000, seed=5)
    first, second = batch.info["marked"].T
    assert set(first.tolist()) == set(range(10))
    for f in range(10):  # X2 covers exactly the first 6 positions other than X1
        candidates = [j for j in range(T) if j != f][: T // 2 - 1]
        assert set(second[first == f].tolist()) == set(candidates)
    assert np.any(second < first) and np.any(second > first)
    # the first pair is marked with probability 1/10 + 9/10 * 1/(T//2 - 1)
    p_first = 0.1 + 0.9 / (T // 2 - 1)
    freq = np.mean((first == 0) | (second == 0))
    assert abs(freq - p_first) < 5 * np.sqrt(p_first * (1 - p_first) / batch.n)
    assert set(batch.lengths.tolist()) == {14, 15}


def test_adding_and_multiplication_criteria_and_rules():
    batch = adding.generate(adding.PAPER_CONFIGS["adding-T100"], 3, seed=0)
    assert adding.sequence_correct(batch.targets + 0.039, batch).all()
    assert not adding.sequence_correct(batch.targets - 0.041, batch).any()
    assert np.allclose(adding.sequence_error(batch.targets + 0.02, batch), 0.02)
    assert np.allclose(adding.sequence_error(batch.targets + 0.02, batch, "squared"), 0.0004)
    rule = adding.stopping_rule(adding.PAPER_CONFIGS["adding-T100"])
    assert rule.window == 2000 and rule.mean_error_below == 0.01 and rule.max_wrong == 0

    batch = multiplication.generate(multiplication.PAPER_CONFIGS["multiplication-T100-nseq13"], 3, seed=0)
    assert multiplication.sequence_correct(batch.targets - 0.039, batch).all()
    assert not multiplication.sequence_correct(batch.targets + 0.041, batch).any()
    rule = multiplication.stopping_rule(multiplication.PAPER_CONFIGS["multiplication-T100-nseq13"])
    twelve_wrong = np.ones(2000, dtype=bool)
    twelve_wrong[:12] = False
    assert rule.update(twelve_wrong)  # 12 < 13 wrong
    rule = multiplication.stopping_rule(multiplication.PAPER_CONFIGS["multiplication-T100-nseq13"])
    thirteen_wrong = np.ones(2000, dtype=bool)
    thirteen_wrong[:13] = False
    assert not rule.update(thirteen_wrong)
    assert rule.update(True)  # the first wrong one leaves the window: 12 remain


def test_adding_configs_validate():
    for bad in (10, 0, 100.0, True):
        with pytest.raises(ValueError, match="T"):
            adding.AddingConfig(T=bad)
    with pytest.raises(ValueError, match="n_seq"):
        multiplication.MultiplicationConfig(n_seq=0)
    with pytest.raises(ValueError, match="n "):
        adding.generate(adding.AddingConfig(), 0, seed=0)
    with pytest.raises(ValueError, match="task 'adding'"):
        adding.sequence_correct(np.zeros((1, 1, 1)), long_lag.generate(long_lag.Task2cConfig(q=1, p=1), 1, 0))


# ======================================================================================
# Experiment 6: temporal order
# ======================================================================================

# The paper's class tables, typed out.
PAPER_CLASSES_6A = {"XX": "Q", "XY": "R", "YX": "S", "YY": "U"}
PAPER_CLASSES_6B = {"XXX": "Q", "XXY": "R", "XYX": "S", "XYY": "U",
                    "YXX": "V", "YXY": "A", "YYX": "B", "YYY": "C"}


@pytest.mark.parametrize("name, classes, ranges, min_lag", [
    ("6a", PAPER_CLASSES_6A, [(10, 20), (50, 60)], 40),
    ("6b", PAPER_CLASSES_6B, [(10, 20), (33, 43), (66, 76)], 24),  # min lags: the paper's Table 10
])
def test_temporal_order_generator(name, classes, ranges, min_lag):
    config = temporal_order.PAPER_CONFIGS[name]
    batch = temporal_order.generate(config, 2000, seed=0)
    names = config.class_names
    assert set(batch.lengths.tolist()) == set(range(100, 111))
    positions, labels = batch.info["positions"], batch.info["label"]
    for j, (lo, hi) in enumerate(ranges):  # the paper's t is 1-based
        assert set((positions[:, j] + 1).tolist()) == set(range(lo, hi + 1))
    for i in range(batch.n):
        length = batch.lengths[i]
        seq = "".join(temporal_order.SYMBOLS[k] for k in batch.info["symbols"][i, :length])
        assert seq[0] == "E" and seq[-1] == "B" and seq.count("E") == 1 and seq.count("B") == 1
        pattern = "".join(seq[t] for t in positions[i])
        assert set(pattern) <= {"X", "Y"} and seq.count("X") + seq.count("Y") == len(ranges)
        assert set(seq[1:-1]) - set(pattern) <= set("abcd")
        assert names[labels[i]] == classes[pattern]
        assert batch.targets[i, length - 1].tolist() == [float(k == labels[i]) for k in range(len(classes))]
        assert length - (positions[i, -1] + 1) >= min_lag
    assert (batch.lengths - (positions[:, -1] + 1)).min() == min_lag
    assert np.array_equal(batch.target_mask, np.arange(batch.T_max)[None, :] == batch.lengths[:, None] - 1)
    assert set(labels.tolist()) == set(range(len(classes)))
    assert batch.n_inputs == 8 and batch.n_outputs == len(classes)
    assert all(temporal_order.class_of(p) == c for p, c in classes.items())


def test_temporal_order_criteria():
    batch = temporal_order.generate(temporal_order.PAPER_CONFIGS["6b"], 4, seed=1)
    assert temporal_order.sequence_correct(_perfect_end_outputs(batch, 0.29), batch).all()
    out = _perfect_end_outputs(batch, 0.0)
    out[2, batch.lengths[2] - 1, 5] += 0.31  # one unit of one sequence off by 0.31
    assert temporal_order.sequence_correct(out, batch).tolist() == [True, True, False, True]
    assert np.isclose(temporal_order.sequence_error(out, batch)[2], 0.31 / 8)
    rule = temporal_order.stopping_rule(temporal_order.PAPER_CONFIGS["6b"])
    assert rule.window == 2000 and rule.mean_error_below == 0.1


def test_temporal_order_configs_validate():
    with pytest.raises(ValueError, match="increasing"):
        temporal_order.TemporalOrderConfig(position_ranges=((10, 50), (40, 60)))
    with pytest.raises(ValueError, match="before the final B"):
        temporal_order.TemporalOrderConfig(length_range=(50, 60))
    with pytest.raises(ValueError, match="6b has 3"):
        temporal_order.TemporalOrderConfig(name="6b")
    with pytest.raises(ValueError, match="pair of ints"):
        temporal_order.TemporalOrderConfig(length_range=(100,))
    with pytest.raises(ValueError, match="pattern"):
        temporal_order.class_of("XZ")


# ======================================================================================
# Registry, determinism, CHOICES
# ======================================================================================


def test_registry():
    paper_tasks = {"reber", "2a", "2b", "2c", "3a", "3b", "3c", "adding", "multiplication", "6a", "6b"}
    assert set(TASKS) == paper_tasks | {"recall"}  # recall: chapter 3's task, not the paper's
    assert get_task("4") is adding and get_task("2b") is long_lag
    with pytest.raises(ValueError, match="known|expected one of"):
        get_task("7")
    assert set(paper_config_names()) == EXPECTED_CONFIG_NAMES
    assert paper_config("adding") == paper_config(DEFAULT_CONFIGS["adding"])
    with pytest.raises(ValueError, match="adding-T100"):
        paper_config("adding-T200")
    for experiment in paper_tasks:
        assert all(paper_config(n).experiment == experiment for n in paper_config_names(experiment))


@pytest.mark.parametrize("name", sorted(EXPECTED_CONFIG_NAMES))
def test_every_paper_config_generates_deterministically(name):
    config = paper_config(name)
    task = get_task(config.experiment)
    n = 2 if config.experiment == "2c" else 16  # 2a has only two sequences; 2c inputs are large
    first = task.generate(config, n, seed=7)
    assert first.task == config.experiment
    assert first.n_inputs == config.n_inputs and first.n_outputs == config.n_outputs
    assert first.equals(task.generate(config, n, seed=7))
    assert first.equals(task.generate(config, n, seed=np.random.default_rng(7)))
    assert not first.equals(task.generate(config, n, seed=8))
    rng = np.random.default_rng(7)
    task.generate(config, n, seed=rng)
    assert not first.equals(task.generate(config, n, seed=rng))  # a Generator advances
    if name == "reber":
        perfect = 0.1 + 0.8 * first.info["allowed_next"]
    elif config.experiment == "3c":  # noisy targets: judged against the clean target
        perfect = np.zeros(first.targets.shape)
        perfect[np.arange(first.n), first.lengths - 1, 0] = first.info["clean_target"]
    else:
        perfect = first.targets.astype(float)
    assert task.sequence_correct(perfect, first).all()
    assert task.sequence_error(perfect, first).shape == (n,)


def test_choices_table():
    known = set(TASKS) | {"4", "5"}
    assert len(CHOICES) >= 10
    for choice in CHOICES:
        assert isinstance(choice, Choice)
        assert all(isinstance(v, str) and v.strip() for v in vars(choice).values())
        assert {part.strip() for part in choice.experiment.split(",")} <= known, choice.experiment
    topics = [(c.experiment, c.topic) for c in CHOICES]
    assert len(topics) == len(set(topics))


def test_2a_middle_is_fixed_and_2b_middle_is_random():
    a = long_lag.generate(long_lag.Task2aConfig(p=20), 50, 0).info["symbols"][:, 1:]
    b = long_lag.generate(long_lag.Task2bConfig(p=20), 50, 0).info["symbols"][:, 1:]
    assert (a == a[0]).all() and a[0].tolist() == list(range(19))  # a_1 .. a_19, always
    assert len({tuple(row) for row in b}) > 45  # random strings: (almost) all different


def test_configs_share_one_rule_per_value_and_report_it():
    """Every task config checks its fields with lstm_core.validation: numpy integers are sizes
    (stored as int), bools and floats are not, probabilities stay in range, switches are bools."""
    from lstm_core.tasks.adding import AddingConfig
    from lstm_core.tasks.long_lag import Task2aConfig, Task2cConfig
    from lstm_core.tasks.multiplication import MultiplicationConfig
    from lstm_core.tasks.noise_signal import TwoSequenceConfig
    from lstm_core.tasks.reber import ReberConfig
    from lstm_core.tasks.recall import RecallConfig

    for config, field in ((AddingConfig(T=np.int64(20)), "T"), (Task2aConfig(p=np.int32(5)), "p"),
                          (RecallConfig(lag=np.int64(3)), "lag"), (TwoSequenceConfig(T=np.int64(20)), "T"),
                          (MultiplicationConfig(T=20, n_seq=np.int64(13)), "n_seq")):
        assert type(getattr(config, field)) is int
    for make, match in ((lambda: AddingConfig(T=True), r"T \(minimal sequence length\) must be a positive integer"),
                        (lambda: AddingConfig(T=100.0), r"T \(minimal sequence length\)"),
                        (lambda: Task2aConfig(p=1), r"p must be a positive integer \(>= 2\); got 1"),
                        (lambda: Task2cConfig(p_continue=1.0), "p_continue must be a probability"),
                        (lambda: ReberConfig(embedded="yes"), "embedded is a switch"),
                        (lambda: ReberConfig(branch_probability=0.0), "branch_probability must be a probability"),
                        (lambda: MultiplicationConfig(n_seq=2001), r"n_seq must be a positive integer \(in \[1, 2000\]\)"),
                        (lambda: TwoSequenceConfig(noise_variance=float("nan")), "noise_variance")):
        with pytest.raises(ValueError, match=match):
            make()
    assert AddingConfig().experiment == "adding" and Task2cConfig(q=3, p=2).n_inputs == 6
    with pytest.raises(ValueError, match="config must be a Task2aConfig, Task2bConfig or Task2cConfig; got AddingConfig"):
        long_lag.generate(AddingConfig(), 1, 0)
    with pytest.raises(ValueError, match="expected a batch of task 'reber' \\(from generate or encode_strings\\)"):
        reber.sequence_correct(np.zeros((1, 110, 7)), adding.generate(AddingConfig(), 1, 0))


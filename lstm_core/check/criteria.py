"""The paper's success and stopping criteria: the checks of those exercises.

=========================  ============================  ===============================================
check                      exercise                      the learner writes
=========================  ============================  ===============================================
``stop_3c``                ex-10-stop-3c                 the paper's stop criterion for task 3c
``sequences_before_run``   ex-10-run                     the paper's "success after" of experiment 2
=========================  ============================  ===============================================

Every check returns a :class:`~lstm_core.check.engine.CheckReport`; the known wrong answers it
recognises are in ``MISTAKES`` (check name -> mistakes), written in the learner's own format, so
tests and graders can feed them to the check. All are importable as ``lstm_core.check.<name>``.
"""
from __future__ import annotations

import functools
from typing import Any, Optional, Sequence

import numpy as np

from lstm_core.check.cases import array_key, lookup
from lstm_core.check.engine import Case, CheckReport, Mistake, check_answer
from lstm_core.tasks import noise_signal
from lstm_core.tasks.stopping import SuccessiveCorrect

__all__ = ["stop_3c", "sequences_before_run"]


@functools.lru_cache(maxsize=1)
def _stop_3c_cases() -> tuple[tuple[str, np.ndarray, np.ndarray, np.ndarray, bool], ...]:
    """(label, outputs, noisy targets, clean targets, the course's verdict) for one 256-sequence 3c test
    set of ``noise_signal.generate``; the verdict is ``noise_signal.stopping_rule(config, "ST2")``."""
    config = noise_signal.PAPER_CONFIGS["3c-T100-N3"]
    batch = noise_signal.generate(config, n=noise_signal.TEST_SET_SIZE, seed=7)
    rows, last = np.arange(batch.n), batch.lengths - 1
    targets = batch.targets[rows, last, 0].astype(np.float64)
    clean = np.asarray(batch.info["clean_target"], dtype=np.float64)
    rng = np.random.default_rng(7)
    low, high = int(np.flatnonzero(clean < 0.5)[0]), int(np.flatnonzero(clean > 0.5)[0])

    def near(width: float) -> np.ndarray:
        return clean + rng.uniform(-width, width, size=batch.n)

    one_off, far_off = near(0.005), near(0.005)
    one_off[low] += 0.15                     # one sequence 0.15 above its target 0.2
    far_off[high] -= 0.3                     # one sequence 0.3 below its target 0.8
    outputs = [("outputs within 0.01 of the noise-free targets", near(0.01)),
               ("outputs equal to the noisy targets (the network fit the noise)", targets.copy()),
               ("every output 0.05 off", clean + np.where(rows % 2 == 0, 0.05, -0.05)),
               ("one output 0.15 off, the others within 0.005", one_off),
               ("one output 0.3 off, the others within 0.005", far_off),
               ("outputs within 0.025 of the noise-free targets", near(0.025)),
               ("outputs exactly the noise-free targets", clean.copy())]
    out = []
    for label, y in outputs:
        full = np.zeros((batch.n, batch.T_max, 1))
        full[rows, last, 0] = y
        rule = noise_signal.stopping_rule(config, "ST2")
        verdict = rule.check(noise_signal.sequence_correct(full, batch), noise_signal.sequence_error(full, batch))
        out.append((label, y, targets.copy(), clean.copy(), bool(verdict)))
    return tuple(out)


def _stop_with(outputs: Any, targets: Any, clean: Any, *, against: str = "clean", bound: Optional[float] = 0.1,
               mean_bound: Optional[float] = 0.015) -> bool:
    """A 3c stop rule with one thing changed (the known mistakes of ex-10-stop-3c)."""
    reference = np.asarray(clean if against == "clean" else targets, dtype=np.float64)
    error = np.abs(np.asarray(outputs, dtype=np.float64) - reference)
    ok = True if bound is None else bool((error <= bound).all())
    return ok and (True if mean_bound is None else bool(error.mean() < mean_bound))


_STOP_3C_MISTAKES = (
    Mistake("judged against the noisy targets", lambda y, t, c: _stop_with(y, t, c, against="noisy"),
            "You measured the errors against the noisy targets. The noise is drawn anew for every sequence: "
            "no network can predict it. What is the best output it can give, and what should it be judged "
            "against?"),
    Mistake("no mean-error bound", lambda y, t, c: _stop_with(y, t, c, mean_bound=None),
            "Every sequence within 0.1 is only half of the criterion: 3c also asks for precision on average."),
    Mistake("no per-sequence bound", lambda y, t, c: _stop_with(y, t, c, bound=None),
            "A small mean error can hide one badly wrong sequence. The criterion also requires that no test "
            "sequence is misclassified."),
    Mistake("3a's bound of 0.2", lambda y, t, c: _stop_with(y, t, c, bound=0.2),
            "0.2 is the bound of 3a and 3b. In 3c a sequence is misclassified when its output is more than "
            "0.1 from the noise-free target."),
)


def stop_3c(candidate: Any) -> CheckReport:
    """Chapter 10, exercise ex-10-stop-3c: ``stop_3c(outputs, targets, clean_targets) -> bool``.

    The paper's stop criterion for task 3c on one test set of 256 sequences, from the outputs at
    the last step, the noisy targets and the noise-free ones (all arrays of shape (256,)).
    Reference: the verdict of ``noise_signal.stopping_rule(config, "ST2")`` on the same outputs.
    """
    cases = _stop_3c_cases()
    table = {array_key(y): verdict for _, y, _, _, verdict in cases}
    return check_answer(candidate, lookup(table, lambda y, t, c: array_key(y)),
                  [Case(label, (y, t, c)) for label, y, t, c, _ in cases], exercise="stop_3c (ex-10-stop-3c)",
                  mistakes=_STOP_3C_MISTAKES,
                  hint="Two conditions, both on the differences between the outputs and the noise-free targets: "
                       "one for every sequence, one for their mean. Return a bool.")


def _run_start(correct: Sequence[bool], k: int) -> int:
    """Index where the first run of k correct ones starts (len(correct) if there is none)."""
    streak = 0
    for i, ok in enumerate(correct):
        streak = streak + 1 if ok else 0
        if streak >= k:
            return i + 1 - k
    return len(correct)


def _last_mistake_overall(correct: Sequence[bool], k: int) -> int:
    wrong = [i for i, ok in enumerate(correct) if not ok]
    return wrong[-1] + 1 if wrong else 0


_RUN_MISTAKES = (
    Mistake("counted the run too", lambda c, k: _run_start(c, k) + k,
            "Your count includes the run itself. The paper's 'success after' counts the sequences before "
            "the run of k correct ones began (Table 2: 5,040 for 2a, fewer than the 10,000 of the run)."),
    Mistake("index of the last mistake", lambda c, k: _run_start(c, k) - 1,
            "Off by one: you returned the position of the last wrong sequence before the run. How many "
            "sequences come before the run if it starts at position i (counting from 0)?"),
    Mistake("last mistake of the whole stream", _last_mistake_overall,
            "You looked at the last mistake of the whole stream, but the criterion is met by the first run "
            "of k; what comes after it does not count."),
    Mistake("counted the mistakes", lambda c, k: sum(1 for ok in c[:_run_start(c, k)] if not ok),
            "You counted the wrong sequences before the run. 'Success after' counts every sequence before "
            "the run, right or wrong."),
)


@functools.lru_cache(maxsize=1)
def _run_cases() -> tuple[tuple[str, tuple[bool, ...], int, int], ...]:
    """(label, stream, k, the course's answer): ``SuccessiveCorrect(k).success_after`` on each stream."""
    T, F = True, False
    rng = np.random.default_rng(3)
    noisy = [bool(v) for v in rng.random(4000) > 0.002]
    tail = [bool(v) for v in rng.random(1000) > 0.01]
    long_stream = noisy + [True] * 10_000 + [False] + tail
    streams = [("k = 3, [T, F, T, T, T]", [T, F, T, T, T], 3),
               ("k = 3, the run at the very start, [T, T, T, F, T]", [T, T, T, F, T], 3),
               ("k = 2, two runs: [F, F, T, F, T, T, F, T, T]", [F, F, T, F, T, T, F, T, T], 2),
               ("k = 1, [F, F, T, F]", [F, F, T, F], 1),
               ("k = 4, the run at the very end, [F, T, F, F, F, T, T, T, T]", [F, T, F, F, F, T, T, T, T], 4),
               (f"k = 10,000, a stream of {len(long_stream):,} sequences with mistakes after the run",
                long_stream, 10_000)]
    out = []
    for label, stream, k in streams:
        rule = SuccessiveCorrect(window=k)
        rule.update(np.asarray(stream, dtype=bool))
        assert rule.success_after is not None, "every case holds a run of k correct sequences"
        out.append((label, tuple(stream), k, rule.success_after))
    return tuple(out)


def sequences_before_run(candidate: Any) -> CheckReport:
    """Chapter 10, exercise ex-10-run: ``sequences_before_run(correct, k) -> int``.

    ``correct`` is a list of bools (one per training sequence, oldest first) that holds a run of ``k``
    correct ones; the answer is the number of sequences before the first such run began.
    Reference: ``tasks.stopping.SuccessiveCorrect`` (experiment 2's rule) and its ``success_after``.
    """
    cases = _run_cases()
    table = {(stream, k): answer for _, stream, k, answer in cases}
    return check_answer(candidate, lookup(table, lambda correct, k: (tuple(correct), k)),
                  [Case(label, (list(stream), k)) for label, stream, k, _ in cases],
                  exercise="sequences_before_run (ex-10-run)", mistakes=_RUN_MISTAKES,
                  hint="Walk through the stream keeping the length of the current run of correct sequences; "
                       "when it reaches k, work out where that run began.")


#: check name -> the wrong answers it recognises, in the learner's format (for tests and graders).
MISTAKES: dict[str, tuple[Mistake, ...]] = dict(stop_3c=_STOP_3C_MISTAKES,
    sequences_before_run=_RUN_MISTAKES)

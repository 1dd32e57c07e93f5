"""Experiment 3 (Sec. 5.3): noise and signal on the same input line (Bengio et al.'s 2-sequence problem).

One input unit, one output unit, two classes with probability 0.5 each. A sequence has a
random length between T and T + T/10 (inclusive). Its first N elements carry the class:
+1.0 for class 1, -1.0 for class 2. Every later element is Gaussian noise with mean 0 and
variance 0.2. The target comes only at the end.

========  ===================================  ==================  =============================
variant   inputs t <= N                        target (class 1/2)  correct if
========  ===================================  ==================  =============================
3a        +-1                                  1.0 / 0.0           |y - target| < 0.2
3b        +-1 plus N(0, 0.2) noise             1.0 / 0.0           |y - target| < 0.2
3c        +-1 (as 3a)                          0.2 / 0.8 plus      |y - clean target| <= 0.1
                                               N(0, 0.1) noise
========  ===================================  ==================  =============================

In 3c the net must learn the conditional expectation of a noisy target; ``targets`` hold the
noisy value it trains on, ``info["clean_target"]`` the noise-free one it is judged against.

Stopping (each check uses a 256-sequence test set, then a 2560-sequence test measures the
fraction misclassified):

* 3a: ST1 = no test sequence misclassified; ST2 = ST1 and mean absolute test error < 0.01.
* 3b: ST1 = fewer than 6 of 256 misclassified; ST2 = ST1 and mean absolute error < 0.04.
* 3c: stop when none of 256 is misclassified and the mean absolute difference between output
  and clean target is < 0.015.

Learning rate 1.0 (3a, 3b) and 0.1 (3c).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from lstm_core import validation as validate
from lstm_core.tasks.base import (
    SeedLike, SequenceBatch, TaskConfig, check_config, check_n, check_task, end_mask, last_step_outputs,
    make_rng, reduce_error, step_mask,
)
from lstm_core.tasks.stopping import TestSetRule

__all__ = ["VARIANTS", "N_INPUTS", "N_OUTPUTS", "LEARNING_RATES", "TEST_SET_SIZE", "FINAL_TEST_SIZE",
           "CLASS_NAMES", "TwoSequenceConfig", "PAPER_CONFIGS", "generate", "sequence_correct",
           "sequence_error", "stopping_rule"]

VARIANTS = ("3a", "3b", "3c")
N_INPUTS = 1  # one input line carries signal and noise
N_OUTPUTS = 1
LEARNING_RATES = {"3a": 1.0, "3b": 1.0, "3c": 0.1}
TEST_SET_SIZE = 256  # test set of the stopping criteria ST1 / ST2
FINAL_TEST_SIZE = 2560  # test set measured once training has stopped
CLASS_NAMES = ("class 1", "class 2")  # info["label"] 0 / 1; inputs +1 / -1

_CLEAN_TARGETS = {"3a": (1.0, 0.0), "3b": (1.0, 0.0), "3c": (0.2, 0.8)}  # target of class 1, class 2
_CORRECT_BOUND = {"3a": 0.2, "3b": 0.2, "3c": 0.1}  # largest absolute error of a correct sequence
# (wrong test sequences allowed, mean absolute error bound) for ST1 and ST2
_ST1_MAX_WRONG = {"3a": 0, "3b": 5, "3c": 0}
_ST2_MEAN_ERROR = {"3a": 0.01, "3b": 0.04, "3c": 0.015}


@dataclass(frozen=True)
class TwoSequenceConfig(TaskConfig):
    """One variant of the 2-sequence problem."""

    variant: str = "3a"  # "3a", "3b" or "3c" (see the module table)
    T: int = 100  # minimal sequence length; lengths are uniform in [T, T + T // 10]
    N: int = 3  # number of information-carrying elements at the start
    noise_variance: float = 0.2  # variance of the Gaussian noise on the input line
    target_noise_variance: float = 0.1  # 3c only: variance of the Gaussian noise on the targets

    def __post_init__(self) -> None:
        validate.choice("variant", self.variant, VARIANTS)
        self._store(T=validate.positive_int("T", self.T), N=validate.positive_int("N", self.N),
                    noise_variance=validate.nonneg_real("noise_variance", self.noise_variance),
                    target_noise_variance=validate.nonneg_real("target_noise_variance", self.target_noise_variance))
        if self.N >= self.T:
            raise ValueError(f"N (signal elements) must be smaller than T (minimal length); got N={self.N}, T={self.T}")

    n_inputs, n_outputs = N_INPUTS, N_OUTPUTS

    @property
    def experiment(self) -> str:
        return self.variant

    @property
    def max_length(self) -> int:
        """Longest possible sequence, T + T // 10."""
        return self.T + self.T // 10


PAPER_CONFIGS: dict[str, TwoSequenceConfig] = {
    f"{v}-T{T}-N{N}": TwoSequenceConfig(variant=v, T=T, N=N)
    for v, T, N in [("3a", 100, 3), ("3a", 100, 1), ("3a", 1000, 3),  # Table 4
                    ("3b", 100, 3), ("3b", 100, 1), ("3b", 1000, 1),  # Table 5
                    ("3c", 100, 3), ("3c", 100, 1)]  # Table 6
}


def generate(config: TwoSequenceConfig, n: int, seed: SeedLike) -> SequenceBatch:
    """``n`` random 2-sequence problems; the target sits at the last step only.

    ``info``: ``label`` (0 = class 1, 1 = class 2) and ``clean_target`` (n,) the noise-free target.

    >>> batch = generate(TwoSequenceConfig("3a", T=10, N=3), n=2, seed=2)
    >>> batch.inputs.shape, batch.lengths.tolist(), batch.info["label"].tolist()
    ((2, 10, 1), [10, 10], [1, 0])
    >>> batch.inputs[0, :4, 0].astype(float).round(2).tolist()     # class 2: -1, -1, -1, then noise
    [-1.0, -1.0, -1.0, 0.51]
    >>> batch.targets[:, 9, 0].tolist(), batch.target_mask.sum(axis=1).tolist()   # last step only
    ([0.0, 1.0], [1, 1])
    """
    check_config(config, TwoSequenceConfig)
    n = check_n(n)
    rng = make_rng(seed)
    label = rng.integers(0, 2, size=n)  # 0: class 1, 1: class 2
    lengths = rng.integers(config.T, config.max_length + 1, size=n).astype(np.int64)
    t_max = int(lengths.max())
    noise = rng.normal(0.0, np.sqrt(config.noise_variance), size=(n, t_max))
    signal = np.where(label == 0, 1.0, -1.0)[:, None]
    x = noise.copy()
    if config.variant == "3b":
        x[:, : config.N] = signal + noise[:, : config.N]  # noise on the signal elements too
    else:
        x[:, : config.N] = signal
    x = np.where(step_mask(lengths, t_max), x, 0.0)
    high, low = _CLEAN_TARGETS[config.variant]
    clean = np.where(label == 0, high, low)
    target = clean
    if config.variant == "3c":
        target = clean + rng.normal(0.0, np.sqrt(config.target_noise_variance), size=n)
    mask = end_mask(lengths, t_max)
    targets = np.zeros((n, t_max, 1), dtype=np.float32)
    targets[np.arange(n), lengths - 1, 0] = target
    return SequenceBatch(
        inputs=x[:, :, None].astype(np.float32),
        targets=targets,
        target_mask=mask,
        lengths=lengths,
        info={"label": label.astype(np.int64), "clean_target": clean.astype(np.float64)},
        task=config.variant,
    )


def sequence_error(outputs: Any, batch: SequenceBatch, kind: str = "absolute") -> np.ndarray:
    """(n,) absolute difference at the last step between output and the *noise-free* target.

    That is the error of 3a/3b (whose targets have no noise) and the "difference to the clean
    target" of 3c; ST2 bounds its mean. ``kind="squared"`` squares it instead.
    """
    check_task(batch, *VARIANTS, needs="clean_target")
    diff = batch.info["clean_target"][:, None] - last_step_outputs(outputs, batch)
    return reduce_error(diff, kind)


def sequence_correct(outputs: Any, batch: SequenceBatch) -> np.ndarray:
    """(n,) bool: |error| < 0.2 (3a, 3b); |output - clean target| <= 0.1 (3c).

    >>> batch = generate(TwoSequenceConfig("3c", T=10, N=1), n=2, seed=2)
    >>> batch.info["clean_target"].tolist()
    [0.8, 0.2]
    >>> outputs = np.zeros((2, batch.T_max, 1)); outputs[:, :, 0] = [[0.75], [0.35]]
    >>> sequence_correct(outputs, batch).tolist()     # errors 0.05 and 0.15
    [True, False]
    """
    task = check_task(batch, *VARIANTS, needs="clean_target")
    error = sequence_error(outputs, batch, "absolute")
    if task == "3c":
        return error <= _CORRECT_BOUND[task]  # the paper: wrong if the difference is > 0.1
    return error < _CORRECT_BOUND[task]


def stopping_rule(config: TwoSequenceConfig, criterion: str = "ST2") -> TestSetRule:
    """ST1 or ST2 for ``config.variant``, judged on one 256-sequence test set per check.

    Feed it ``update(sequence_correct(out, test), sequence_error(out, test))``. For 3c, "ST1"
    is the misclassification condition alone and "ST2" the paper's full stop rule.
    """
    check_config(config, TwoSequenceConfig)
    validate.choice("criterion", criterion, ("ST1", "ST2"))
    bound = _ST2_MEAN_ERROR[config.variant] if criterion == "ST2" else None
    return TestSetRule(max_wrong=_ST1_MAX_WRONG[config.variant], mean_error_below=bound,
                       test_set_size=TEST_SET_SIZE)

"""How much does the full gradient cost? The full-gradient engine against the truncated one on Exp. 1.

The embedded Reber grammar's network ``paper_network("reber-3x2")`` (3 blocks of 2 cells, 7
inputs and outputs, a target at every step), trained by the paper's protocol (lr 0.5, one
update per string) on strings drawn from the row's training set, as ``run_trials`` draws them:

  (a) truncated: ``LSTM1997Engine`` (scissors on, App. A.1's gradient);
  (b) full: ``FullGradientEngine`` (scissors off, exact backprop through time).

For each engine: training sequences per second, per trial and over all trials, one thread
per trial (numba's threads, capped at the machine's), median of a few rounds after a warm-up
that also compiles (or loads) the kernels. The numbers depend on the machine and on what else
runs on it; the load average is printed.

Run: ``python benchmarks/bench_full_gradient.py [--trials 2] [--sequences 4000] [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run from a checkout without installing the package
    sys.path.insert(0, str(ROOT))

from lstm_core import paper_network  # noqa: E402
from lstm_core.tasks import reber  # noqa: E402
from lstm_core.training.engines.lstm1997 import LSTM1997Engine  # noqa: E402
from lstm_core.training.engines.lstm1997_full import FullGradientEngine  # noqa: E402

LEARNING_RATE = 0.5  # the paper's best rate for Exp. 1 (Table 1)


def rate(engine_cls: type, scissors: bool, trials: int, sequences: int, rounds: int) -> float:
    """Median training sequences per second (all trials together) over ``rounds`` fresh runs."""
    train_set, _ = reber.make_reber_sets(0)
    rng = np.random.default_rng(0)
    batches = [train_set.select(rng.integers(0, train_set.n, size=sequences)) for _ in range(trials)]
    warm = [b.select(np.arange(20)) for b in batches]
    engine_cls.from_models([paper_network("reber-3x2", seed=0, scissors=scissors)] * trials).train(warm, LEARNING_RATE)
    speeds = []
    for r in range(rounds):
        engine = engine_cls.from_models([paper_network("reber-3x2", seed=r * 100 + k, scissors=scissors)
                                         for k in range(trials)])
        start = time.perf_counter()
        engine.train(batches, LEARNING_RATE)
        speeds.append(trials * sequences / (time.perf_counter() - start))
    return statistics.median(speeds)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--trials", type=int, default=2, help="trials trained together (one thread each)")
    ap.add_argument("--sequences", type=int, default=4000, help="training strings per trial per round")
    ap.add_argument("--rounds", type=int, default=3, help="rounds; the median is reported")
    args = ap.parse_args(argv)
    print(f"reber-3x2, lr {LEARNING_RATE}, {args.trials} trials x {args.sequences} strings, "
          f"median of {args.rounds}; load average {os.getloadavg()[0]:.2f}")
    cut = rate(LSTM1997Engine, True, args.trials, args.sequences, args.rounds)
    full = rate(FullGradientEngine, False, args.trials, args.sequences, args.rounds)
    print(f"  truncated (lstm1997):      {cut:10,.0f} seq/s  ({cut / args.trials:,.0f} per trial)")
    print(f"  full      (lstm1997-full): {full:10,.0f} seq/s  ({full / args.trials:,.0f} per trial)")
    print(f"  full / truncated: {full / cut:.2f}")


if __name__ == "__main__":
    main()

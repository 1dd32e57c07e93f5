"""How fast does the 1997 network train? The readable model, nn.LSTM and the fast path, side by side.

Part 1 (throughput): the adding problem's network (``paper_network("adding")``: 2 blocks of 2
cells, 2 inputs, 1 output, 93 weights) on adding sequences of T = 100..110 steps. For each
method we count training sequences per second (forward + backward + SGD update) at batch 1
(the paper's online protocol) and batch 32, for a fixed wall-clock budget after a warm-up,
and report the median over a few rounds:

  (a) readable: the ``LSTM1997`` module, torch float32, loss.backward(), SGD;
  (b) nn.LSTM: ``TorchLSTM`` with hidden size 4 (= the 4 cells) and a sigmoid output unit,
      torch float32, autograd (full BPTT, forget gate: the modern LSTM, not the paper's);
  (c) fast: ``lstm_core.training.engines.lstm1997`` (numba, float64, the paper's truncated gradient).

Part 2 (a whole experiment): the adding problem with T = 100, 10 trials, the paper's protocol
(lr 0.5, one update per sequence), ``train_online_trials`` with the task's stopping rule ST3(0.01)
until every trial meets it or has seen the budget of sequences. Reports wall time and the
sequences each trial needed (the rule's exact ``met_at``), plus the wrong count on a fresh test
set of 2560 sequences, as in the paper's Table 7.

Run: ``python benchmarks/bench_speed.py [--out benchmarks/results.json] [--budget 3] [--rounds 3]``.
The numbers depend on the machine and on what else runs on it; the load average is recorded.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

import numba
import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run from a checkout without installing the package
    sys.path.insert(0, str(ROOT))

from lstm_core import TorchLSTM, paper_network, use_one_thread  # noqa: E402
from lstm_core.training.engines import lstm1997 as fast  # noqa: E402
from lstm_core.training.threads import select_threading_layer  # noqa: E402
from lstm_core.tasks import adding  # noqa: E402
from lstm_core.tasks.base import SequenceBatch  # noqa: E402

LEARNING_RATE = adding.LEARNING_RATE  # 0.5, the paper's for the adding problem
TASK = adding.AddingConfig(T=100)


@dataclass
class Settings:
    """Benchmark knobs (command-line options)."""

    budget: float  # seconds of timed training per round
    rounds: int  # timed rounds per method; the median is reported
    warmup: float  # seconds of untimed training before the rounds
    trials: int  # part 2: independent trials
    max_sequences: int  # part 2: budget of sequences per trial
    chunk: int  # part 2: sequences generated per trial per call
    seed: int  # base seed of data and weights


# ======================================================================================
# Part 1: throughput
# ======================================================================================
def end_loss(outputs: torch.Tensor, batch: SequenceBatch) -> torch.Tensor:
    """Mean over the sequences of 1/2 sum_masked (y - target)^2 (the paper's E, factor 2 in alpha)."""
    mask = torch.from_numpy(batch.target_mask)
    diff = (outputs - torch.from_numpy(batch.targets))[mask]
    return 0.5 * (diff ** 2).sum() / batch.n


def torch_trainer(model: torch.nn.Module) -> Callable[[SequenceBatch], None]:
    """One SGD step on a batch with autograd (batch of 1: the sequence at its own length)."""
    opt = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)

    def step(batch: SequenceBatch) -> None:
        if batch.n == 1:  # the paper's protocol: no padding
            batch = batch.select([0])
        out, _ = model(torch.from_numpy(batch.inputs))
        loss = end_loss(out, batch)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return step


@dataclass
class Method:
    """One timed way of training: a call that trains on one batch, and the batches to cycle."""

    name: str  # shown in the table
    batch_size: int  # sequences per SGD update
    train: Callable[[SequenceBatch], None]  # trains on one batch
    batches: list[SequenceBatch]  # cycled through
    networks: int = 1  # networks trained per call (all of them counted)
    calls: int = 0  # calls so far (which batch comes next)

    def run_for(self, seconds: float) -> tuple[float, float]:
        """Train for ``seconds`` of wall time; (sequences per second, per CPU-second of this process)."""
        done, start, cpu = 0, time.perf_counter(), time.process_time()
        while True:
            self.train(self.batches[self.calls % len(self.batches)])
            self.calls += 1
            done += self.batches[0].n * self.networks
            elapsed = time.perf_counter() - start
            if elapsed >= seconds:
                return done / elapsed, done / max(time.process_time() - cpu, 1e-9)


def build_methods(settings: Settings) -> list[Method]:
    rng = np.random.default_rng(settings.seed)
    methods = []
    for batch_size in (1, 32):
        # the fast path gets several minibatches per call (it converts and trains a whole chunk)
        per_call = 50 if batch_size == 1 else 10 * batch_size
        fast_batches = [adding.generate(TASK, per_call, rng) for _ in range(4)]
        torch_batches = [adding.generate(TASK, batch_size, rng) for _ in range(64)]
        readable = paper_network("adding", seed=settings.seed)  # float32
        methods.append(Method("readable LSTM1997 (autograd, float32)", batch_size, torch_trainer(readable),
                              torch_batches))
        reference = TorchLSTM(adding.N_INPUTS, 4, adding.N_OUTPUTS, seed=settings.seed)
        methods.append(Method("nn.LSTM hidden 4 (autograd, float32)", batch_size, torch_trainer(reference),
                              torch_batches))
        params = fast.FastParams.from_model(paper_network("adding", seed=settings.seed))
        if batch_size == 1:
            methods.append(Method(f"fast (numba, float64), {per_call} seq per call", 1,
                                  lambda b, p=params: fast.train_online(p, b, LEARNING_RATE), fast_batches))
            methods.append(Method("fast (numba, float64), 1 seq per call", 1,
                                  lambda b, p=params: fast.train_online(p, b, LEARNING_RATE), torch_batches))
            n_par = numba.get_num_threads()
            stacked = fast.StackedParams.from_models(
                [paper_network("adding", seed=settings.seed + k) for k in range(n_par)])
            methods.append(Method(f"fast, {n_par} trials at once (all trials)", 1,
                                  lambda b, s=stacked, n=n_par: fast.train_online_trials(s, [b] * n, LEARNING_RATE),
                                  fast_batches, n_par))
        else:
            for threads in sorted({1, numba.get_num_threads()}):
                methods.append(Method(
                    f"fast (numba, float64), {per_call} seq per call, {threads} thr", batch_size,
                    lambda b, p=params, th=threads: fast.train_minibatch(p, b, LEARNING_RATE, batch_size, threads=th),
                    fast_batches))
    return methods


def throughput(settings: Settings) -> list[dict]:
    """Every method once for warm-up, then ``rounds`` rounds in which each method runs ``budget``
    seconds in turn (interleaved, so a change in machine load hits every method alike)."""
    methods = build_methods(settings)
    for m in methods:
        m.run_for(settings.warmup)
    rounds: dict[str, list[tuple[float, float]]] = {m.name + str(m.batch_size): [] for m in methods}
    for r in range(settings.rounds):
        for m in methods:
            rounds[m.name + str(m.batch_size)].append(m.run_for(settings.budget))
        print(f"  round {r + 1}/{settings.rounds} done (load average {os.getloadavg()[0]:.2f})", flush=True)
    rows = []
    for m in methods:
        got = rounds[m.name + str(m.batch_size)]
        rows.append({"method": m.name, "batch_size": m.batch_size,
                     "seq_per_s": statistics.median(g[0] for g in got), "rounds": [g[0] for g in got],
                     # sequences per CPU-second of this process (all its threads, spinning included)
                     "seq_per_cpu_s": statistics.median(g[1] for g in got)})
    return rows


def cold_compile_seconds() -> Optional[float]:
    """Compile time of the kernels with an empty numba cache (in a fresh process)."""
    code = "from lstm_core.training.engines import lstm1997 as fast; print(fast.compile_kernels())"
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache, PYTHONPATH=str(ROOT))
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    try:
        return float(done.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        print(done.stderr, file=sys.stderr)
        return None


# ======================================================================================
# Part 2: ten trials of the adding problem
# ======================================================================================
def adding_trials(settings: Settings) -> dict:
    K = settings.trials
    start, cpu_start = time.perf_counter(), time.process_time()
    stacked = fast.StackedParams.from_models([paper_network("adding", seed=settings.seed + k) for k in range(K)])
    rngs = [np.random.default_rng([settings.seed, k]) for k in range(K)]  # per-trial data streams
    rules = [adding.stopping_rule(TASK) for _ in range(K)]
    active = np.ones(K, bool)
    t_gen = t_train = t_rule = 0.0
    while active.any():
        t0 = time.perf_counter()
        batches = [adding.generate(TASK, settings.chunk, rngs[k]) if active[k] else None for k in range(K)]
        t1 = time.perf_counter()
        outputs = fast.train_online_trials(stacked, batches, LEARNING_RATE)
        t2 = time.perf_counter()
        for k in np.flatnonzero(active):
            b = batches[k]
            if stacked.diverged_at[k] >= 0:
                active[k] = False
                continue
            out = outputs[k, :, :b.T_max]
            # ST3 judges the training outputs (before each update): correct and absolute error per sequence
            rules[k].update(adding.sequence_correct(out, b), adding.sequence_error(out, b, "absolute"))
            if rules[k].met or stacked.n_seen[k] >= settings.max_sequences:
                active[k] = False
        t_rule += time.perf_counter() - t2
        t_gen += t1 - t0
        t_train += t2 - t1
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    # the paper's test: 2560 fresh sequences, wrong = absolute error >= 0.04 (weights as at the end of
    # the chunk in which the rule was met)
    test = adding.generate(TASK, adding.FINAL_TEST_SIZE, np.random.default_rng([settings.seed, 10_000]))
    wrong, test_err = [], []
    for k in range(K):
        out, _, _ = fast.minibatch_gradients(stacked.trial(k), test)
        wrong.append(int((~adding.sequence_correct(out, test)).sum()))
        test_err.append(float(adding.sequence_error(out, test).mean()))
    met = [r.met_at for r in rules]
    return {
        "task": "adding T=100", "trials": K, "learning_rate": LEARNING_RATE, "chunk": settings.chunk,
        "max_sequences_per_trial": settings.max_sequences, "wall_seconds": wall, "cpu_seconds": cpu,
        "seconds_generating_data": t_gen, "seconds_training": t_train, "seconds_stopping_rule": t_rule,
        "met_at": met, "succeeded": int(sum(m is not None for m in met)),
        "sequences_trained": stacked.n_seen.tolist(), "diverged_at": stacked.diverged_at.tolist(),
        "test_wrong_of_2560": wrong, "test_mean_abs_error": test_err,
    }


# ======================================================================================
def main(argv: Optional[list[str]] = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(Path("benchmarks") / "results.json"), help="JSON result file")
    parser.add_argument("--budget", type=float, default=3.0, help="seconds per timed round")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds per method (median reported)")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds of warm-up per method")
    parser.add_argument("--trials", type=int, default=10, help="part 2: number of trials")
    parser.add_argument("--max-sequences", type=int, default=300_000, help="part 2: budget per trial")
    parser.add_argument("--chunk", type=int, default=1000, help="part 2: sequences per trial per call")
    parser.add_argument("--seed", type=int, default=0, help="base seed")
    parser.add_argument("--skip-throughput", action="store_true", help="only part 2")
    parser.add_argument("--skip-trials", action="store_true", help="only part 1")
    parser.add_argument("--skip-cold-compile", action="store_true", help="do not time a cold JIT compile")
    args = parser.parse_args(argv)
    use_one_thread()  # the course's setting for tiny networks (importing lstm_core sets none)
    select_threading_layer()  # before numba.get_num_threads() below starts numba's threads
    settings = Settings(args.budget, args.rounds, args.warmup, args.trials, args.max_sequences, args.chunk, args.seed)

    result: dict = {"machine": {
        "cpus": os.cpu_count(), "torch_threads": torch.get_num_threads(), "numba_threads": numba.get_num_threads(),
        "numba_threading_layer": None, "python": platform.python_version(), "torch": torch.__version__,
        "numba": numba.__version__, "numpy": np.__version__, "load_average_start": list(os.getloadavg())}}
    print(f"load average {os.getloadavg()[0]:.2f}; torch threads {torch.get_num_threads()}, "
          f"numba threads {numba.get_num_threads()}")
    result["compile"] = {"first_call_seconds": fast.compile_kernels(),  # compile, or load from numba's cache
                         "cold_compile_seconds": None if args.skip_cold_compile else cold_compile_seconds()}
    result["machine"]["numba_threading_layer"] = numba.threading_layer()
    print(f"kernels: first call in this process {result['compile']['first_call_seconds']:.2f} s, "
          f"cold compile {result['compile']['cold_compile_seconds']} s")

    if not args.skip_throughput:
        print("Part 1: training sequences per second, adding problem (T = 100..110), 93-weight network")
        rows = throughput(settings)
        result["throughput"] = rows
        print(f"\n{'method':<52s} {'batch':>5s} {'seq/s':>10s} {'x readable':>11s} {'x nn.LSTM':>10s} "
              f"{'seq/CPU-s':>10s}")
        for r in rows:
            same = {x["method"]: x["seq_per_s"] for x in rows if x["batch_size"] == r["batch_size"]}
            base = same["readable LSTM1997 (autograd, float32)"]
            ref = same["nn.LSTM hidden 4 (autograd, float32)"]
            r["speedup_vs_readable"] = r["seq_per_s"] / base
            r["speedup_vs_nn_lstm"] = r["seq_per_s"] / ref
            print(f"{r['method']:<52s} {r['batch_size']:>5d} {r['seq_per_s']:>10.1f} "
                  f"{r['speedup_vs_readable']:>11.1f} {r['speedup_vs_nn_lstm']:>10.2f} {r['seq_per_cpu_s']:>10.1f}")
        # the best fast variant at each batch size against the targets
        best = {bs: max(r["seq_per_s"] for r in rows if r["batch_size"] == bs and r["method"].startswith("fast (numba"))
                for bs in (1, 32)}
        base = {bs: next(r["seq_per_s"] for r in rows if r["batch_size"] == bs and r["method"].startswith("readable"))
                for bs in (1, 32)}
        ref = {bs: next(r["seq_per_s"] for r in rows if r["batch_size"] == bs and r["method"].startswith("nn.LSTM"))
               for bs in (1, 32)}
        result["targets_met"] = {
            "fast >= 10x readable (both batch sizes)": all(best[bs] >= 10 * base[bs] for bs in (1, 32)),
            "fast >= nn.LSTM (both batch sizes)": all(best[bs] >= ref[bs] for bs in (1, 32))}
        print(result["targets_met"])

    if not args.skip_trials:
        print(f"\nPart 2: adding T=100, {settings.trials} trials, lr {LEARNING_RATE}, ST3(0.01), "
              f"budget {settings.max_sequences} sequences per trial")
        t = adding_trials(settings)
        result["trials"] = t
        print(f"wall time {t['wall_seconds']:.1f} s (training {t['seconds_training']:.1f} s, data "
              f"{t['seconds_generating_data']:.1f} s, stopping rule {t['seconds_stopping_rule']:.1f} s); "
              f"CPU time {t['cpu_seconds']:.1f} s for {sum(t['sequences_trained'])} sequences")
        print(f"succeeded {t['succeeded']} / {t['trials']}")
        for k, (m, w) in enumerate(zip(t["met_at"], t["test_wrong_of_2560"])):
            print(f"  trial {k}: {'not met' if m is None else f'met at {m:>7d} sequences'}; "
                  f"test wrong {w} / 2560, mean abs error {t['test_mean_abs_error'][k]:.4f}")
        done = [m for m in t["met_at"] if m is not None]
        if done:
            print(f"mean sequences to success {np.mean(done):.0f} (paper, Table 7: 74,000)")
    result["machine"]["load_average_end"] = list(os.getloadavg())
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"\nwrote {out}")
    return result


if __name__ == "__main__":
    main()

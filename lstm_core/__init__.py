"""lstm_core: the 1997 Long Short-Term Memory network, its experiments and the tools the course uses.

Hochreiter & Schmidhuber (1997), *Long Short-Term Memory*, Neural Computation 9(8):1735-1780.

The package, one folder per idea (each folder's docstring lists its modules):

    model/       the paper's squashers f, g, h; the 1997 memory-cell block (the scissors one switch);
                 LSTM1997 and the paper's networks by name; the baselines (tanh RNN, nn.LSTM, nn.GRU,
                 a small Transformer) behind one sequence interface
    tasks/       the paper's experiments: generators, criteria, stopping rules
    training/    the readable training loop, the one online driver of the paper's protocol, the
                 fast engines behind one interface, thread settings
    analysis/    what the chapters measure: gradients, carousel, gates, scissors, sweeps, inside,
                 samples, criteria, compare
    plots/       the figures of each analysis topic (same module names)
    dashboards/  the ipywidgets panels of each topic (same module names)
    reproduction/ the paper's tables as data, our rows, their runs, results and tables; the command line
    check/       the exercises' checks: an engine (time limits, stubs) and checks grouped by topic
    validation   one rule per kind of value (sizes, rates, switches, shapes), used everywhere

Importing the package changes no global setting. Every model in this course is tiny (tens to
thousands of weights), and torch's intra-op threads then cost far more than they save (on a
busy 2-core machine a batch-32 step ran 24x slower with 2 threads than with 1), so each chapter
and the command line start with one explicit call, :func:`use_one_thread`. Inside a block,
``lstm_core.training.threads.use_threads(numba=..., torch=...)`` sets threads and restores them.
"""

import os as _os

from lstm_core.model.cells import CellStep, LSTM1997Cell, VanillaRNNCell, step_from_preactivations
from lstm_core.model.networks import (
    PAPER_NETWORKS, LSTM1997, LSTM1997Config, SequenceModel, SequenceTrace, count_parameters, paper_network,
    paper_spec,
)
from lstm_core.model.baselines import TinyTransformer, TorchGRU, TorchLSTM, VanillaRNN

from lstm_core._version import __version__

#: Environment variable that overrides the thread count ``use_one_thread`` sets (e.g. "2").
THREADS_ENV = "LSTM_CORE_TORCH_THREADS"


def use_one_thread() -> int:
    """Run torch's operations on one CPU thread from now on (the setting for this course's tiny networks).

    Call it once, at the start of a notebook or script; it returns the number of threads set.
    Set the environment variable ``LSTM_CORE_TORCH_THREADS`` to choose another number
    (a bigger model on an idle many-core machine may gain from more). Importing ``lstm_core``
    does not call it: a program that imports the package keeps its own thread setting.

    >>> import torch
    >>> before = torch.get_num_threads()
    >>> use_one_thread()
    1
    >>> torch.set_num_threads(before)   # (a doctest leaves the setting as it found it)
    """
    import torch

    from lstm_core import validation

    raw = _os.environ.get(THREADS_ENV, "1")
    try:
        wanted = int(raw)
    except ValueError:
        raise ValueError(f"{THREADS_ENV} must be a positive whole number such as 1 or 2; got {raw!r}") from None
    n = validation.positive_int(THREADS_ENV, wanted)
    torch.set_num_threads(n)
    return n


__all__ = [
    "use_one_thread", "THREADS_ENV",
    "CellStep", "LSTM1997Cell", "VanillaRNNCell", "step_from_preactivations",
    "PAPER_NETWORKS", "LSTM1997", "LSTM1997Config", "SequenceModel", "SequenceTrace",
    "TinyTransformer", "TorchGRU", "TorchLSTM", "VanillaRNN", "count_parameters",
    "paper_network", "paper_spec",
]

"""lstm_core: the 1997 Long Short-Term Memory network, its experiments and the tools the course uses.

Hochreiter & Schmidhuber (1997), *Long Short-Term Memory*, Neural Computation 9(8):1735-1780.

Modules (one idea each):
    activations  the paper's squashers f, g, h (and the 2a/2b exceptions)
    cells        one step of the 1997 memory-cell layer (CEC, shared gates, the scissors), a tanh RNN cell
    networks     sequence models with one interface: LSTM1997 and the baselines; the paper's networks by name
    gradients    error flow through time and depth
    paper        the paper's tables as data
    tasks        the paper's experiments: generators, criteria, stopping rules
"""

import os as _os

import torch as _torch

# Every model in this course is tiny (tens to thousands of weights). torch's intra-op threads
# then cost far more than they save: on a busy 2-core machine a batch-32 step ran 24x slower
# with 2 threads than with 1. Set LSTM_CORE_TORCH_THREADS to choose another number.
_torch.set_num_threads(int(_os.environ.get("LSTM_CORE_TORCH_THREADS", "1")))

from .cells import CellStep, LSTM1997Cell, VanillaRNNCell, step_from_preactivations
from .networks import (
    PAPER_NETWORKS,
    LSTM1997,
    LSTM1997Config,
    SequenceModel,
    SequenceTrace,
    TinyTransformer,
    TorchGRU,
    TorchLSTM,
    VanillaRNN,
    count_parameters,
    paper_network,
    paper_spec,
)

from ._version import __version__  # the one place the version is written

__all__ = [
    "CellStep", "LSTM1997Cell", "VanillaRNNCell", "step_from_preactivations",
    "PAPER_NETWORKS", "LSTM1997", "LSTM1997Config", "SequenceModel", "SequenceTrace",
    "TinyTransformer", "TorchGRU", "TorchLSTM", "VanillaRNN", "count_parameters",
    "paper_network", "paper_spec",
]

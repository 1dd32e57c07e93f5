"""Threads, set explicitly: the one context manager the package uses for numba's and torch's threads.

Importing ``lstm_core`` changes no thread setting. Code that wants a setting says so:

>>> from lstm_core.training.threads import use_threads
>>> with use_threads(1):            # numba kernels inside run on one thread
...     pass
>>> with use_threads(torch=1):      # torch ops inside run on one thread (tiny models: faster)
...     pass

``use_threads(numba=None, torch=None)`` sets, for the duration of the block, at most ``numba``
numba threads (None: leave numba's setting) and exactly ``torch`` torch intra-op threads
(None: leave torch's setting), and restores both on the way out.

numba's threading layer: numba's "omp" layer shares the OpenMP runtime with torch. After one
parallel kernel of ours ran on it, torch's thread count had changed and its small ops ran
about 10x slower (measured on 2 cores). :func:`select_threading_layer` picks numba's
"workqueue" layer instead, which keeps numba's threads apart. It can only take effect before
numba starts its threads, which happens at the first parallel kernel *or the first call of
``numba.get_num_threads()``*; so the engines call it (through ``use_threads`` and ``capped``)
just before they ask numba anything, and a program that asks numba for its threads itself
before training (a benchmark printing its settings) calls it first. An explicit
``NUMBA_THREADING_LAYER`` environment setting always wins. This is the only global setting the
package makes, and only when numba's threads are about to start.
"""

from __future__ import annotations

import contextlib
import os
from typing import Iterator, Optional

import numba
import torch as _torch

from lstm_core import validation as validate

__all__ = ["use_threads", "select_threading_layer", "capped"]


def select_threading_layer() -> str:
    """Choose numba's "workqueue" threading layer unless one was chosen already; returns the layer in use.

    Without effect once a parallel kernel has run (numba fixes its layer then) or when the
    ``NUMBA_THREADING_LAYER`` environment variable names one.
    """
    if "NUMBA_THREADING_LAYER" not in os.environ and numba.config.THREADING_LAYER == "default":
        numba.config.THREADING_LAYER = "workqueue"
    return str(numba.config.THREADING_LAYER)


@contextlib.contextmanager
def use_threads(numba: Optional[int] = None, *, torch: Optional[int] = None) -> Iterator[None]:
    """Inside the block: at most ``numba`` numba threads and ``torch`` torch threads; restored after.

    Either may be None (leave that library's setting). ``numba`` above the number of threads
    numba started with is capped to it (numba cannot start more).
    """
    n_numba = validate.positive_int("numba", numba, allow_none=True)
    n_torch = validate.positive_int("torch", torch, allow_none=True)
    select_threading_layer()
    numba_before = _numba_module().get_num_threads()
    torch_before = _torch.get_num_threads()
    try:
        if n_numba is not None:
            _numba_module().set_num_threads(max(1, min(n_numba, _numba_module().config.NUMBA_NUM_THREADS)))
        if n_torch is not None:
            _torch.set_num_threads(n_torch)
        yield
    finally:
        _numba_module().set_num_threads(numba_before)
        if _torch.get_num_threads() != torch_before:
            _torch.set_num_threads(torch_before)


def capped(work_items: int, limit: Optional[int] = None) -> int:
    """Threads worth starting for ``work_items`` independent pieces of work, at most ``limit``.

    Idle threads of a parallel region only compete for the cores, so a kernel never uses more
    threads than it has work for (nor more than numba's current setting).
    """
    limit = validate.positive_int("threads", limit, allow_none=True)
    select_threading_layer()  # asking numba for its threads starts its threading layer: choose it first
    current = _numba_module().get_num_threads()
    return max(1, min(current, int(work_items), current if limit is None else limit))


def _numba_module():
    # the parameter ``numba`` of use_threads shadows the module inside it
    return numba

"""lstm_core.training.threads: thread settings are explicit and restored."""

from __future__ import annotations

import numba
import pytest
import torch

from lstm_core.training.threads import capped, select_threading_layer, use_threads


def test_use_threads_sets_and_restores_both_libraries():
    numba_before, torch_before = numba.get_num_threads(), torch.get_num_threads()
    with use_threads(1, torch=2):
        assert numba.get_num_threads() == 1 and torch.get_num_threads() == 2
    assert numba.get_num_threads() == numba_before and torch.get_num_threads() == torch_before
    with pytest.raises(RuntimeError):
        with use_threads(1):
            raise RuntimeError("restored on the way out too")
    assert numba.get_num_threads() == numba_before
    with use_threads(10_000):  # more than numba started: capped
        assert numba.get_num_threads() == numba.config.NUMBA_NUM_THREADS


def test_capped_and_bad_values():
    assert capped(1) == 1
    assert capped(1000) == numba.get_num_threads()
    assert capped(1000, 1) == 1
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="numba"):
            with use_threads(bad):
                pass
    with pytest.raises(ValueError, match="threads"):
        capped(4, 0)
    assert select_threading_layer() in ("workqueue", "omp", "tbb", "default", "threadsafe", "forksafe", "safe")

"""Importing lstm_core changes no global setting; thread settings are one explicit call."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Every module of the package, imported in a fresh interpreter whose torch runs 2 threads.
_PROBE = r"""
import json, pkgutil, importlib, sys
import numba, torch
torch.set_num_threads(2)
before = {"torch": torch.get_num_threads(), "layer": numba.config.THREADING_LAYER,
          "numba_threads": numba.get_num_threads()}
import lstm_core
names = sorted(m.name for m in pkgutil.walk_packages(lstm_core.__path__, "lstm_core.")
               if not m.name.endswith("__main__"))
for name in names:
    importlib.import_module(name)
after = {"torch": torch.get_num_threads(), "layer": numba.config.THREADING_LAYER,
         "numba_threads": numba.get_num_threads()}
lstm_core.use_one_thread()
print(json.dumps({"before": before, "after": after, "modules": len(names),
                  "explicit": torch.get_num_threads()}))
"""


def _probe(env_extra=None):
    env = {k: v for k, v in os.environ.items() if k not in ("LSTM_CORE_TORCH_THREADS", "NUMBA_THREADING_LAYER")}
    env.update(env_extra or {})
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_every_module_leaves_torch_threads_and_numba_layer_unchanged():
    seen = _probe()
    assert seen["modules"] > 30  # the whole package was imported, not just its root
    assert seen["after"] == seen["before"], seen
    assert seen["before"]["torch"] == 2
    assert seen["explicit"] == 1  # ... and the explicit call sets one thread


def test_use_one_thread_honours_the_environment_and_refuses_nonsense():
    assert _probe({"LSTM_CORE_TORCH_THREADS": "2"})["explicit"] == 2
    import lstm_core

    old = os.environ.get(lstm_core.THREADS_ENV)
    try:
        for bad in ("two", "0", "1.5"):
            os.environ[lstm_core.THREADS_ENV] = bad
            with pytest.raises(ValueError, match="LSTM_CORE_TORCH_THREADS must be a positive"):
                lstm_core.use_one_thread()
    finally:
        if old is None:
            os.environ.pop(lstm_core.THREADS_ENV, None)
        else:
            os.environ[lstm_core.THREADS_ENV] = old


def test_every_chapter_makes_the_explicit_call_in_its_setup_cell():
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
        setup = next(src for src in code if "lstm_core" in src and "pip install" not in src)
        assert "lstm_core.use_one_thread()" in setup, path.name

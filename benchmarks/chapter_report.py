"""Run every chapter top to bottom in a fresh kernel; print its wall time and the kernel's peak memory.

    python benchmarks/chapter_report.py                 # every notebook in _toc.yml order
    python benchmarks/chapter_report.py chapters/07_adding_problem.ipynb
    python benchmarks/chapter_report.py --out benchmarks/chapters.json

Targets (the course's): each chapter <= 90 s and <= 2 GB (what Binder gives). Each notebook runs
in its own child process, so the peak resident memory of its (finished) kernel can be read with
``resource.getrusage(RUSAGE_CHILDREN)`` there.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT_SECONDS, LIMIT_MB = 90, 2048

_CHILD = r"""
import resource, sys, time
import nbformat
from nbclient import NotebookClient
path = sys.argv[1]
nb = nbformat.read(path, as_version=4)
start = time.perf_counter()
NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": sys.argv[2]}}).execute()
seconds = time.perf_counter() - start
peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the kernel, which has exited
print(f"{seconds:.2f} {peak_kb / 1024:.1f}")
"""


def toc_notebooks() -> list[Path]:
    """The notebooks listed (not commented out) in _toc.yml, in order."""
    files = re.findall(r"^\s*-\s*file:\s*(\S+)", (ROOT / "_toc.yml").read_text(), flags=re.M)
    return [ROOT / f"{f}.ipynb" for f in files if (ROOT / f"{f}.ipynb").exists()]


def run(path: Path) -> dict:
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(path), str(path.parent)], capture_output=True, text=True)
    if proc.returncode != 0:
        return {"notebook": path.name, "error": proc.stderr.strip().splitlines()[-1] if proc.stderr else "failed"}
    seconds, peak_mb = map(float, proc.stdout.split()[-2:])
    return {"notebook": path.name, "seconds": seconds, "peak_mb": peak_mb,
            "ok": seconds <= LIMIT_SECONDS and peak_mb <= LIMIT_MB}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebook in _toc.yml")
    parser.add_argument("--out", type=Path, default=None, help="write the rows as JSON here")
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.notebooks] or toc_notebooks()
    rows, start = [], time.perf_counter()
    print(f"{'notebook':36s} {'seconds':>8s} {'peak MB':>8s}  within limits")
    for path in paths:
        row = run(path)
        rows.append(row)
        if "error" in row:
            print(f"{row['notebook']:36s} FAILED: {row['error']}")
        else:
            print(f"{row['notebook']:36s} {row['seconds']:8.1f} {row['peak_mb']:8.0f}  {'yes' if row['ok'] else 'NO'}",
                  flush=True)
    print(f"total {time.perf_counter() - start:.0f} s for {len(rows)} notebooks")
    if args.out:
        args.out.write_text(json.dumps(rows, indent=1) + "\n")
    return 0 if all(r.get("ok") for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())

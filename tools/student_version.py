"""The student edition: the same book and notebooks with every solution taken out.

    python -m tools.student_version                 # writes _student/ (book sources, notebooks)
    python -m tools.student_version --build         # ... and builds it: _student/_build/html
    python -m tools.student_version --out DIR       # somewhere else

What changes (the chapters mark their solutions as the instructors' guide, chapters/instructors.md, describes):
- a thinking exercise's ``{solution}`` cell is removed;
- a coding exercise's ``{solution-start}`` ... ``{solution-end}`` cells lose their markers; inside,
  each ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` block becomes a stub: inside a function,
  ``raise NotImplementedError(...)``; at top level, ``NAME = ...`` for each name the block assigns.
  The stubbed cell is tagged ``raises-exception`` (nbval and the book build expect it may raise);
  a cell in the gate without markers (pure solution code, or a Markdown cell with the written
  answer) is dropped;
- the book's ``hide_solutions`` is switched on and its title says "student edition".
The checks after each exercise (``lstm_core.check``) then report "not answered yet" instead of
failing, so the student edition runs top to bottom and builds.
"""
from __future__ import annotations

import argparse
import ast
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB_RAISE = 'raise NotImplementedError("Exercise: write your code here, then run the check below.")'
_SOLUTION = re.compile(r"^\s*(`{3,}|:{3,})\{solution\}")
_START = re.compile(r"^\s*(`{3,}|:{3,})\{solution-start\}")
_END = re.compile(r"^\s*(`{3,}|:{3,})\{solution-end\}")
COPY = ["_toc.yml", "_static", "_extra", "_ext", "chapters"]


def stub_source(source: str) -> str:
    """Replace each BEGIN/END SOLUTION block of a cell's code with a stub (see the module doc)."""
    lines = source.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.strip() != BEGIN:
            out.append(line)
            i += 1
            continue
        indent = line[: len(line) - len(line.lstrip())]
        j = i + 1
        while j < len(lines) and lines[j].strip() != END:
            j += 1
        if j == len(lines):
            raise ValueError(f"'{BEGIN}' without '{END}' in:\n{source}")
        block = textwrap.dedent("\n".join(lines[i + 1:j]))
        if indent:
            out.append(indent + STUB_RAISE)
        else:
            names = _assigned_names(block)
            if not names:
                raise ValueError("a top-level solution block must assign the names the check reads; "
                                 f"this one assigns none:\n{block}")
            out += [f"{name} = ...  # your code here" for name in names]
        i = j + 1
    return "\n".join(out)


def _assigned_names(code: str) -> list[str]:
    names: list[str] = []
    for node in ast.parse(code).body:
        targets = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, (ast.AnnAssign, ast.AugAssign)) else []
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            targets = [ast.Name(id=node.name)]
        for target in targets:
            for n in ast.walk(target):
                if isinstance(n, ast.Name) and n.id not in names:
                    names.append(n.id)
    return names


def student_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of the notebook without solutions, without outputs."""
    nb = nbformat.from_dict(nb)
    cells, in_gate = [], False
    for cell in nb.cells:
        text = cell.source
        if cell.cell_type == "markdown" and _START.match(text):
            if in_gate:
                raise ValueError("a {solution-start} inside another one")
            in_gate = True
            continue
        if cell.cell_type == "markdown" and _END.match(text):
            if not in_gate:
                raise ValueError("a {solution-end} without its {solution-start}")
            in_gate = False
            continue
        if cell.cell_type == "markdown" and _SOLUTION.match(text):
            continue
        if cell.cell_type == "markdown" and in_gate:
            continue  # the written answer inside a coding solution's gate
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            if BEGIN in text:
                cell.source = stub_source(text)
                tags = cell.metadata.setdefault("tags", [])
                for tag in ("raises-exception",):
                    if tag not in tags:
                        tags.append(tag)
                if "hide-input" in tags:
                    tags.remove("hide-input")  # the learner's cell is theirs to see
            elif in_gate:
                continue  # solution code with nothing for the learner to fill in
        cells.append(cell)
    if in_gate:
        raise ValueError("a {solution-start} without its {solution-end}")
    nb.cells = cells
    return nb


def make(out: Path, root: Path = ROOT) -> list[Path]:
    """Write the student edition's sources to ``out``; return the notebooks written."""
    out = out.resolve()
    if out == root.resolve() or out in [(root / name).resolve() for name in COPY]:
        raise ValueError(f"--out must be a folder of its own, not {out}")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for name in COPY:
        src = root / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, out / name)
    config = yaml.safe_load((root / "_config.yml").read_text())
    config["title"] = f"{config['title']} (student edition)"
    config.setdefault("sphinx", {}).setdefault("config", {})["hide_solutions"] = True
    (out / "_config.yml").write_text("# Generated by python -m tools.student_version: edit _config.yml instead.\n"
                                     + yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    written = []
    for path in sorted((out / "chapters").glob("*.ipynb")):
        nbformat.write(student_notebook(nbformat.read(path, as_version=4)), path)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write (and build) the student edition of the course.")
    parser.add_argument("--out", type=Path, default=ROOT / "_student", help="where to write it (default: _student)")
    parser.add_argument("--build", action="store_true", help="also run jupyter-book build on it")
    args = parser.parse_args(argv)
    notebooks = make(args.out)
    print(f"student edition: {len(notebooks)} notebooks without solutions in {args.out}")
    if args.build:
        jb = Path(sys.executable).with_name("jupyter-book")
        return subprocess.call([str(jb), "build", str(args.out), "-W", "-n", "--keep-going"])
    return 0


if __name__ == "__main__":
    sys.exit(main())

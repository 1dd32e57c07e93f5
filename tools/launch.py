"""Where the chapters are launched from: the repository named once in ``_config.yml``.

``_config.yml``'s ``repository: url`` and ``branch`` are the one place that says where the course
lives. The launch buttons (Binder, Colab) read them through Jupyter Book; the Colab install cell
that opens every chapter is *generated* from them here, and a test checks that every chapter's first
cell is exactly this generated cell.

    python -m tools.launch          # rewrite every chapter's first cell from _config.yml
    python -m tools.launch --check  # exit 1 if a chapter's first cell differs
    python -m tools.launch --check --published-from URL --published-branch BRANCH
                                    # ... or if _config.yml does not name the repository and branch
                                    # the site is built from (the Pages workflow passes its own)
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "lstm_core"          # the distribution name in pyproject.toml
CELL_TAGS = ["remove-cell"]    # the site does not show it; Colab, Binder and downloads do
MARK = "# Colab only:"         # how the cell starts: lets the tools find it again


def repository(config_path: Path = ROOT / "_config.yml") -> tuple[str, str]:
    """(repository URL, branch) from the book's configuration."""
    config = yaml.safe_load(config_path.read_text())
    repo = config.get("repository") or {}
    url, branch = str(repo.get("url", "")).rstrip("/"), str(repo.get("branch", "main"))
    if not url.startswith("https://github.com/"):
        raise ValueError(f"_config.yml: repository.url must be a https://github.com/OWNER/NAME URL, got {url!r}")
    return url, branch


def colab_cell_source(url: str, branch: str) -> str:
    """The first cell of every chapter: on Colab (only), install lstm_core from the repository.

    ``--no-deps`` keeps Colab's own torch (and numpy, matplotlib, ipywidgets, tqdm, numba, which
    Colab already has); elsewhere the cell does nothing, so nbval and Binder run it harmlessly."""
    return "\n".join([
        f"{MARK} install the course's package, {PACKAGE}, and keep Colab's own torch.",
        "# Everywhere else (Binder, your machine) this cell does nothing.",
        "import sys",
        "",
        'if "google.colab" in sys.modules:',
        f'    !pip install --quiet --no-deps "{PACKAGE} @ git+{url}@{branch}"',
        "    from google.colab import output",
        "    output.enable_custom_widget_manager()  # ipywidgets 8 panels on Colab",
    ])


def chapter_notebooks(root: Path = ROOT) -> list[Path]:
    """Every notebook the book lists (chapters/*.ipynb)."""
    return sorted((root / "chapters").glob("*.ipynb"))


def first_cell_ok(path: Path, source: str) -> bool:
    cells = nbformat.read(path, as_version=4).cells
    return bool(cells) and cells[0].cell_type == "code" and cells[0].source == source \
        and cells[0].metadata.get("tags") == CELL_TAGS


def sync(path: Path, source: str) -> bool:
    """Make the notebook's first cell the Colab cell (replacing an older one); True if it changed."""
    nb = nbformat.read(path, as_version=4)
    if first_cell_ok(path, source):
        return False
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": list(CELL_TAGS)})
    if nb.cells and nb.cells[0].cell_type == "code" and nb.cells[0].source.startswith(MARK):
        cell.id = nb.cells[0].get("id", cell.id)  # the same cell, rewritten: a one-line diff
        nb.cells[0] = cell
    else:
        nb.cells.insert(0, cell)
    nbformat.write(nb, path)
    return True


def published_mismatches(url: str, branch: str, site_url: str | None, site_branch: str | None) -> list[str]:
    """What to change in _config.yml when it does not name the repository/branch the site is built from.

    A fork that kept the original ``repository:`` would publish launch buttons, footer links and
    Colab cells pointing at someone else's repository; this says so before anything is built."""
    problems = []
    if site_url and url.lower() != site_url.rstrip("/").lower():
        problems.append(f"_config.yml: repository.url is {url}, but this site is built from {site_url.rstrip('/')}: "
                        f"set repository.url to {site_url.rstrip('/')}, run python -m tools.launch and commit")
    if site_branch and branch != site_branch:
        problems.append(f"_config.yml: repository.branch is {branch}, but this site is built from the branch "
                        f"{site_branch}: set repository.branch to {site_branch}, run python -m tools.launch and commit")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check; exit 1 on a difference")
    parser.add_argument("--published-from", metavar="URL",
                        help="with --check: the repository the site is built from; _config.yml must name it")
    parser.add_argument("--published-branch", metavar="BRANCH",
                        help="with --check: the branch the site is built from; _config.yml must name it")
    args = parser.parse_args(argv)
    if (args.published_from or args.published_branch) and not args.check:
        parser.error("--published-from and --published-branch go with --check")
    url, branch = repository()
    source = colab_cell_source(url, branch)
    bad = [p for p in chapter_notebooks() if not first_cell_ok(p, source)]
    if args.check:
        problems = published_mismatches(url, branch, args.published_from, args.published_branch)
        for problem in problems:
            print(problem)
        for p in bad:
            print(f"{p.name}: first cell is not the Colab cell from _config.yml (run python -m tools.launch)")
        return 1 if bad or problems else 0
    for p in bad:
        sync(p, source)
        print(f"updated {p.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

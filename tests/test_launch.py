"""Launch buttons and the Colab cell: one repository setting, one identical first cell everywhere."""
import re
import sys
import types
from pathlib import Path

import nbformat
import pytest
import yaml
from IPython.core.inputtransformer2 import TransformerManager

from tools import launch

ROOT = Path(__file__).resolve().parent.parent
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())


def test_every_chapter_opens_with_the_same_generated_colab_cell():
    source = launch.colab_cell_source(*launch.repository())
    notebooks = launch.chapter_notebooks()
    toc = (ROOT / "_toc.yml").read_text()
    listed = {m for m in re.findall(r"file:\s*(chapters/\S+)", toc)}
    assert {f"chapters/{p.stem}" for p in notebooks} <= listed  # every notebook is a page of the book
    assert len(notebooks) >= 12
    for path in notebooks:
        first = nbformat.read(path, as_version=4).cells[0]
        assert first.cell_type == "code", path.name
        assert first.source == source, f"{path.name}: run `python -m tools.launch`"
        assert first.metadata.get("tags") == ["remove-cell"], path.name
    assert launch.main(["--check"]) == 0


def _run_cell(source: str, on_colab: bool) -> list[str]:
    """Run the cell as IPython would, with a stand-in shell; return the shell commands it ran."""
    commands: list[str] = []
    shell = types.SimpleNamespace(system=commands.append)
    colab = types.ModuleType("google.colab")
    colab.output = types.SimpleNamespace(enable_custom_widget_manager=lambda: commands.append("widgets"))
    saved = {k: sys.modules.get(k) for k in ("google", "google.colab")}
    try:
        if on_colab:
            sys.modules["google"] = types.ModuleType("google")
            sys.modules["google.colab"] = colab
        else:
            sys.modules.pop("google.colab", None)
        code = TransformerManager().transform_cell(source)
        exec(compile(code, "<colab cell>", "exec"), {"get_ipython": lambda: shell})
    finally:
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v
    return commands


def test_colab_cell_installs_only_on_colab_and_keeps_colab_torch():
    url, branch = launch.repository()
    source = launch.colab_cell_source(url, branch)
    assert _run_cell(source, on_colab=False) == []          # nbval, Binder, a laptop: nothing happens
    commands = _run_cell(source, on_colab=True)
    assert len(commands) == 2 and commands[1] == "widgets"
    pip = commands[0]
    assert pip.startswith("pip install") and "--no-deps" in pip   # Colab's torch is not replaced
    assert f"lstm_core @ git+{url}@{branch}" in pip
    assert "torch" not in pip.replace("lstm_core", "")


def test_repository_is_set_in_one_place_and_validated(tmp_path):
    url, branch = launch.repository()
    assert url == CONFIG["repository"]["url"].rstrip("/") and branch == CONFIG["repository"]["branch"]
    bad = tmp_path / "_config.yml"
    bad.write_text("repository:\n  url: lstm-course/lstm\n")
    with pytest.raises(ValueError, match="https://github.com/OWNER/NAME"):
        launch.repository(bad)
    assert CONFIG["launch_buttons"]["binderhub_url"] and CONFIG["launch_buttons"]["colab_url"]


def test_sync_replaces_an_old_cell_instead_of_stacking(tmp_path):
    path = tmp_path / "x.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# X")])
    nbformat.write(nb, path)
    assert launch.sync(path, launch.colab_cell_source("https://github.com/a/b", "main"))
    assert launch.sync(path, launch.colab_cell_source("https://github.com/a/c", "dev"))
    cells = nbformat.read(path, as_version=4).cells
    assert len(cells) == 2 and "a/c@dev" in cells[0].source
    assert not launch.sync(path, launch.colab_cell_source("https://github.com/a/c", "dev"))


def test_binder_installs_cpu_torch_and_the_same_pins():
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[name] = version
    binder = [l for l in (ROOT / "binder" / "requirements.txt").read_text().splitlines()
              if l and not l.startswith("#")]
    assert binder[0] == "--extra-index-url https://download.pytorch.org/whl/cpu"
    binder_pins = dict(l.split("==") for l in binder[1:])
    assert binder_pins.pop("torch") == pins["torch"] + "+cpu"  # the CPU-only wheel, no CUDA packages
    not_for_binder = {"torch", "pytest", "pytest-xdist", "hypothesis", "nbval", "playwright", "jupyter-book",
                      "sphinx-exercise"}  # tests and the site's build; Binder only runs the chapters
    runtime = {k: v for k, v in pins.items() if k not in not_for_binder}
    assert binder_pins == runtime
    assert "pip install --no-deps -e ." in (ROOT / "binder" / "postBuild").read_text()
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"


def test_check_says_what_to_change_when_the_site_is_built_from_another_repository(capsys):
    url, branch = launch.repository()
    assert launch.published_mismatches(url, branch, url.upper() + "/", branch) == []  # GitHub ignores case
    problems = launch.published_mismatches(url, branch, "https://github.com/someone/fork", "term")
    assert len(problems) == 2
    assert "set repository.url to https://github.com/someone/fork" in problems[0]
    assert "set repository.branch to term" in problems[1] and "python -m tools.launch" in problems[1]
    assert launch.main(["--check", "--published-from", url, "--published-branch", branch]) == 0
    assert launch.main(["--check", "--published-branch", "term"]) == 1
    assert "set repository.branch to term" in capsys.readouterr().out
    with pytest.raises(SystemExit):  # the published-from options only make sense with --check
        launch.main(["--published-from", url])


def test_sync_keeps_the_cells_id_so_a_new_repository_is_a_one_line_change(tmp_path):
    path = tmp_path / "x.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# X")]), path)
    launch.sync(path, launch.colab_cell_source("https://github.com/a/b", "main"))
    before = nbformat.read(path, as_version=4).cells[0].id
    launch.sync(path, launch.colab_cell_source("https://github.com/someone/fork", "main"))
    after = nbformat.read(path, as_version=4).cells[0]
    assert after.id == before and "someone/fork" in after.source

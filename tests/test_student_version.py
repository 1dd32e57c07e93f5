"""The student edition: solutions out, stubs in, every exercise still there and runnable."""
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tools import student_version as sv

ROOT = Path(__file__).resolve().parent.parent
EXERCISE = re.compile(r"^\s*(`{3,}|:{3,})\{exercise\}", re.M)
LABEL = re.compile(r":label:\s*(\S+)")


def test_stub_inside_a_function_raises_and_top_level_assigns_ellipsis():
    code = ("def cec(s, y, g):\n    \"\"\"doc\"\"\"\n    ### BEGIN SOLUTION\n    out = s + y * g\n"
            "    return out\n    ### END SOLUTION\n")
    stub = sv.stub_source(code)
    assert "s + y * g" not in stub and f"    {sv.STUB_RAISE}" in stub and stub.startswith("def cec")
    ns = {}
    exec(stub, ns)
    with pytest.raises(NotImplementedError):
        ns["cec"](1, 2, 3)
    top = sv.stub_source("### BEGIN SOLUTION\nw = 0.5 ** 0.01\nlo, hi = 1, 2\n### END SOLUTION\nprint(1)")
    assert top == "w = ...  # your code here\nlo = ...  # your code here\nhi = ...  # your code here\nprint(1)"


def test_stub_rejects_unclosed_and_assignment_free_blocks():
    with pytest.raises(ValueError, match="without"):
        sv.stub_source("### BEGIN SOLUTION\nx = 1\n")
    with pytest.raises(ValueError, match="assigns none"):
        sv.stub_source("### BEGIN SOLUTION\nprint(3)\n### END SOLUTION")


def _nb(*cells):
    return nbformat.v4.new_notebook(cells=list(cells))


def test_student_notebook_removes_every_kind_of_solution():
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    solved = _nb(
        md("````{exercise} A\n:label: ex-a\n\ntask\n````"),
        md("````{solution-start} ex-a\n:class: dropdown\n````"),
        code("def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION", metadata={"tags": ["hide-input"]}),
        code("helper = 3  # only the solution uses it"),
        md("The answer, in words, beside the code that proves it."),
        md("````{solution-end}\n````"),
        code("check.f(f)", outputs=[nbformat.v4.new_output("stream", text="ok")]),
        md("````{exercise} B\n:label: ex-b\n\nwhy?\n````"),
        md("````{solution} ex-b\n:class: dropdown\n\nbecause\n````"),
    )
    student = sv.student_notebook(solved)
    sources = [c.source for c in student.cells]
    assert len(student.cells) == 4
    assert "return 2 * x" not in "\n".join(sources) and "because" not in "\n".join(sources)
    assert "The answer, in words" not in "\n".join(sources)
    stub = student.cells[1]
    assert stub.metadata["tags"] == ["raises-exception"] and sv.STUB_RAISE in stub.source
    assert student.cells[2].outputs == []
    assert solved.cells[2].source.count("return 2 * x") == 1  # the input notebook is untouched
    with pytest.raises(ValueError, match="without its"):
        sv.student_notebook(_nb(md("````{solution-start} ex-a\n````"), code("x = 1")))


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    return out, sv.make(out)


def test_every_chapter_has_2_to_4_exercises_and_the_edition_keeps_them(edition):
    out, notebooks = edition
    labels = []
    for path in sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb")):
        solved = nbformat.read(path, as_version=4)
        student = nbformat.read(out / "chapters" / path.name, as_version=4)
        n = [sum(bool(EXERCISE.search(c.source)) for c in nb.cells if c.cell_type == "markdown")
             for nb in (solved, student)]
        assert 2 <= n[0] <= 4 and n[0] == n[1], f"{path.name}: {n[0]} exercises in the solved version, {n[1]} left"
        labels += [LABEL.search(c.source).group(1) for c in solved.cells
                   if c.cell_type == "markdown" and EXERCISE.search(c.source)]
        text = "\n".join(c.source for c in student.cells)
        assert sv.BEGIN not in text and "{solution" not in text, path.name
    assert len(labels) == len(set(labels)), "exercise labels must be unique"
    assert len(notebooks) == len(list((ROOT / "chapters").glob("*.ipynb")))


def test_the_edition_config_hides_solutions(edition):
    import yaml
    out, _ = edition
    config = yaml.safe_load((out / "_config.yml").read_text())
    assert config["sphinx"]["config"]["hide_solutions"] is True and "student edition" in config["title"]
    assert (out / "_toc.yml").exists() and (out / "_extra" / "vendor").is_dir() and (out / "_ext").is_dir()


def test_a_student_chapter_runs_and_its_checks_say_not_answered(edition):
    out, _ = edition
    path = out / "chapters" / "04_constant_error_carousel.ipynb"
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    text = "\n".join(o.get("text", "") + str(o.get("data", {}).get("text/plain", ""))
                     for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "not answered yet" in text
    assert "correct on all" not in text

"""The student edition drops a gated solution's explanation, which sits in Markdown inside the gate.

sphinx-exercise keeps what lies between ``{solution-start}`` and ``{solution-end}`` but drops the
body of the ``{solution-start}`` directive itself, so a solution that explains and computes puts
its prose in a Markdown cell after the marker; the student edition must not show it.
"""
import nbformat

from tools import student_version as sv


def test_markdown_inside_a_gate_is_solution_and_is_dropped():
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    nb = nbformat.v4.new_notebook(cells=[
        md("````{exercise} A\n:label: ex-a\n\nwhy?\n````"),
        md("````{solution-start} ex-a\n:class: dropdown\n````"),
        md("Because the runs settle at different fixed points."),
        code("assert 1 + 1 == 2  # the check behind the explanation"),
        md("````{solution-end}\n````"),
        md("## Summary"),
    ])
    student = sv.student_notebook(nb)
    text = "\n".join(c.source for c in student.cells)
    assert "fixed points" not in text and "assert 1 + 1" not in text
    assert [c.source for c in student.cells] == ["````{exercise} A\n:label: ex-a\n\nwhy?\n````", "## Summary"]


def test_no_chapter_hides_prose_in_a_solution_start_directive():
    """Its body would silently vanish from the site; the prose belongs in a cell inside the gate."""
    for path in sorted(sv.ROOT.glob("chapters/*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "markdown" and sv._START.match(cell.source):
                body = [ln for ln in cell.source.strip().splitlines()[1:-1] if not ln.startswith(":")]
                assert not any(ln.strip() for ln in body), f"{path.name}: text in a solution-start: {body}"


def test_prose_after_the_solution_code_is_dropped_and_the_code_stubbed():
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    solved = nbformat.v4.new_notebook(cells=[
        md("````{exercise} Why?\n:label: ex-why\n\nthink\n````"),
        md("````{solution-start} ex-why\n:class: dropdown\n````"),
        code("### BEGIN SOLUTION\nanswer = 6 * 7\n### END SOLUTION\nprint(answer)"),
        md("The printout above: 42, because six sevens make it."),
        md("````{solution-end}\n````"),
        md("Next section."),
    ])
    student = sv.student_notebook(solved)
    sources = "\n".join(c.source for c in student.cells)
    assert "six sevens" not in sources and "answer = 6 * 7" not in sources
    assert "Next section." in sources and "answer = ...  # your code here" in sources
    assert [c.cell_type for c in student.cells] == ["markdown", "code", "markdown"]

"""The student edition drops a solution's written answer when it sits inside a gated solution.

A thinking exercise whose answer is computed has one gated solution: ``{solution-start}``, the code
that computes the answer, a Markdown cell that reads it, ``{solution-end}``. (A second ``{solution}``
box for the prose would show two "Solution to ..." boxes for one exercise.)
"""
import nbformat

from tools import student_version as sv


def test_markdown_inside_a_gate_is_removed_and_outside_kept():
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

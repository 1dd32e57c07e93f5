"""The instructors' guide is generated from the chapters and must be current."""
import nbformat

from tools import guide


def test_guide_is_up_to_date_with_the_chapters():
    assert guide.main(["--check"]) == 0, "run: python -m tools.guide"


def test_every_chapter_has_prerequisites_objectives_time_and_described_exercises():
    chapters = guide.chapters()
    assert [c.number for c in chapters] == sorted(guide.PREREQUISITES)
    for ch in chapters:
        assert ch.objectives and ch.time, ch.title
        assert 2 <= len(ch.exercises) <= 4, ch.title
        for e in ch.exercises:
            assert e.label.startswith(f"ex-{ch.number}-"), e
            assert e.kind in ("coding", "thinking") and e.minutes > 0, e
            assert (e.check is not None) == (e.kind == "coding"), f"{e.label}: a coding exercise needs a check"
    assert any(e.graded for ch in chapters for e in ch.exercises)


def test_read_chapter_parses_a_hand_made_notebook(tmp_path):
    head = ("# 9. A chapter\n\n```{admonition} In this chapter\n:class: tip\n\n**You will be able to**\n"
            "- do one thing;\n- do another thing that needs\n  two lines.\n\n**Time:** about 10 minutes,\n"
            "5 more for the exercises.\n```")
    cells = [nbformat.v4.new_markdown_cell(head),
             nbformat.v4.new_markdown_cell("````{exercise} Write it (coding, about 7 min)\n:label: ex-09-write\n\n"
                                           "Do it.\n````"),
             nbformat.v4.new_code_cell("check.write_it(f)"),
             nbformat.v4.new_markdown_cell("````{exercise} Why? (thinking, about 3 min)\n:label: ex-09-why\n\n?\n````")]
    path = tmp_path / "09_x.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    ch = guide.read_chapter(path)
    assert ch.title == "9. A chapter" and ch.objectives == ["do one thing;", "do another thing that needs two lines."]
    assert ch.time == "about 10 minutes, 5 more for the exercises."
    assert [(e.label, e.title, e.kind, e.minutes, e.graded, e.check) for e in ch.exercises] == [
        ("ex-09-write", "Write it", "coding", 7, True, "write_it"), ("ex-09-why", "Why?", "thinking", 3, False, None)]
    assert "about 10 minutes" in guide.render([ch]) and "| {ref}`Write it <ex-09-write>` | coding, 7 | `check.write_it` (suits grading) |" \
        in guide.render([ch])

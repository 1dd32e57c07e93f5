"""The per-chapter part of the instructors' guide, generated from the chapters themselves.

``chapters/instructors.md`` is written by hand except between its two GENERATED markers, where
this tool puts, for each chapter, what the chapter says of itself (objectives, reading time) and of
its exercises (label, title, kind, minutes, the check that marks it: a coding exercise with a check
suits grading, since the check marks it fully),
next to the prerequisites and lab times kept below. So the guide cannot drift from the chapters:

    python -m tools.guide          # rewrite the generated part
    python -m tools.guide --check  # exit 1 if it is out of date (a test runs this)
"""
from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "chapters" / "instructors.md"
BEGIN, END = "<!-- BEGIN GENERATED: python -m tools.guide -->", "<!-- END GENERATED -->"

# What a learner should have done before each chapter (by hand: the chapters do not say it).
PREREQUISITES = {
    "01": "none",
    "02": "Python and NumPy; matrix-vector products",
    "03": "chapter 2; the chain rule; what a gradient step does",
    "04": "chapter 3",
    "05": "chapter 4; the logistic sigmoid",
    "06": "chapter 5; backprop through time (chapter 3)",
    "07": "chapters 4-6",
    "08": "chapters 5-6; finite automata (briefly recalled in the chapter)",
    "09": "chapter 7",
    "10": "chapters 7-9",
    "11": "chapters 4-6; for its Transformer section, attention at the level of any introduction",
    "12": "chapters 4-7 (the carousel, the gates, the scissors, the adding problem); NumPy and the chain rule",
}

# A pacing plan: which chapters go together in one session (by hand; the minutes come from the chapters).
SESSIONS = (("01", "02"), ("03",), ("04", "05"), ("06",), ("07",), ("08",), ("09",), ("10",), ("11",), ("12",))

_EXERCISE = re.compile(r"^\s*(`{3,}|:{3,})\{exercise\}\s*(?P<title>.*)$", re.M)
_LABEL = re.compile(r":label:\s*(\S+)")
_KIND = re.compile(r"\((?P<kind>coding|thinking)(?:,\s*about\s*(?P<min>\d+)\s*min)?\)\s*$")
_CHECK = re.compile(r"\bcheck\.(\w+)\(")


@dataclass
class Exercise:
    label: str
    title: str
    kind: str
    minutes: int
    graded: bool  # a check marks it fully: a coding exercise with a check
    check: str | None


@dataclass
class Chapter:
    number: str
    title: str
    objectives: list[str]
    time: str
    exercises: list[Exercise]


def read_chapter(path: Path) -> Chapter:
    cells = nbformat.read(path, as_version=4).cells
    markdown = [c for c in cells if c.cell_type == "markdown"]
    head = next(c.source for c in markdown if c.source.lstrip().startswith("# "))
    title = head.lstrip().splitlines()[0][2:].strip()
    objectives: list[str] = []
    for line in head.split("**You will be able to**", 1)[-1].split("**Time:**")[0].splitlines():
        if line.startswith("- "):
            objectives.append(line[2:].strip())
        elif line.startswith("  ") and objectives:
            objectives[-1] += " " + line.strip()  # a wrapped bullet
    found = re.search(r"\*\*Time:\*\*(?P<text>.*?)(?:\n\n|\n```|$)", head, re.S)
    time = " ".join(found["text"].split()) if found else ""
    exercises = []
    for i, cell in enumerate(cells):
        match = cell.cell_type == "markdown" and _EXERCISE.search(cell.source)
        if not match:
            continue
        raw = match["title"].strip()
        kind = _KIND.search(raw)
        label = _LABEL.search(cell.source)
        check = None
        for later in cells[i + 1:]:
            if later.cell_type == "markdown" and _EXERCISE.search(later.source):
                break
            found = later.cell_type == "code" and _CHECK.search(later.source)
            if found:
                check = found.group(1)
                break
        exercises.append(Exercise(label.group(1) if label else "(no label)", _KIND.sub("", raw).strip(),
                                  kind["kind"] if kind else "?", int(kind["min"]) if kind and kind["min"] else 0,
                                  kind is not None and kind["kind"] == "coding" and check is not None, check))
    return Chapter(path.name[:2], title, objectives, time, exercises)


def chapters(root: Path = ROOT) -> list[Chapter]:
    return [read_chapter(p) for p in sorted((root / "chapters").glob("[0-9][0-9]_*.ipynb"))]


def reading_minutes(time: str) -> int | None:
    """The reading (and running) minutes a chapter states: "about 20 minutes to read, ..." -> 20."""
    found = re.search(r"about\s+(\d+)\s+minutes", time)
    return int(found.group(1)) if found else None


def pacing(chs: list[Chapter]) -> str:
    """The pacing plan: one row per session of ``SESSIONS``, with the minutes its chapters state."""
    by_number = {ch.number: ch for ch in chs}
    missing = sorted(set(by_number) - {n for session in SESSIONS for n in session})
    if missing:
        raise ValueError(f"chapters {missing} are in no session of SESSIONS; add them there")
    out = ["### Pacing plan", "",
           "One session per row; the minutes are those the chapters state (reading and running, then the "
           "exercises, which also make a lab on their own).", "",
           "| session | chapters | minutes: reading + exercises |", "|---:|---|---:|"]
    total_read = total_lab = 0
    for i, session in enumerate(SESSIONS, 1):
        chs_ = [by_number[n] for n in session if n in by_number]
        read = sum(reading_minutes(ch.time) or 0 for ch in chs_)
        lab = sum(e.minutes for ch in chs_ for e in ch.exercises)
        total_read, total_lab = total_read + read, total_lab + lab
        names = " and ".join(ch.number.lstrip("0") for ch in chs_)
        out.append(f"| {i} | {names} | {read} + {lab} = {read + lab} |")
    out += [f"| | **all** | **{total_read} + {total_lab} = {total_read + total_lab}** "
            f"({(total_read + total_lab) / 60:.1f} h) |", ""]
    return "\n".join(out)


def render(chs: list[Chapter]) -> str:
    out = [pacing(chs)]
    for ch in chs:
        total = sum(e.minutes for e in ch.exercises)
        out += [f"### {ch.title}", "",
                f"- **Prerequisites:** {PREREQUISITES.get(ch.number, '—')}",
                f"- **Reading and running:** {ch.time}" if ch.time else "- **Reading and running:** —",
                f"- **Lab (the exercises alone):** about {total} minutes",
                "- **Objectives:**"]
        out += [f"  - {o}" for o in ch.objectives]
        out += ["", "| exercise | kind, minutes | checked by |", "|---|---|---|"]
        for e in ch.exercises:
            checked = f"`check.{e.check}` (suits grading)" if e.graded else "discussion (worked answer)"
            title = e.title.replace("<", "&lt;").replace("`", "")
            out.append(f"| {{ref}}`{title} <{e.label}>` | {e.kind}, {e.minutes or '—'} | {checked} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def updated(text: str, generated: str) -> str:
    if BEGIN not in text or END not in text:
        raise ValueError(f"{GUIDE.name} must contain the markers {BEGIN!r} and {END!r}")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n\n{generated}\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate the per-chapter part of the instructors' guide.")
    parser.add_argument("--check", action="store_true", help="only check; exit 1 if out of date")
    args = parser.parse_args(argv)
    text = GUIDE.read_text()
    new = updated(text, render(chapters()))
    if args.check:
        if new != text:
            print(f"{GUIDE.name} is out of date: run python -m tools.guide")
            return 1
        return 0
    GUIDE.write_text(new)
    print(f"wrote {GUIDE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

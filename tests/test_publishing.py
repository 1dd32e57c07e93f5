"""Publishing the course, and its terms and credit.

- The Pages workflow runs the README's set-up and build commands (so the two cannot drift), checks
  the repository before building, assembles each edition where the README says and deploys it.
- A fork needs only ``repository:`` in _config.yml: no other file names the repository, and with a
  fork's URL the Colab cells (python -m tools.launch), the launch buttons, the repository button
  and the footer's links all follow it (a one-chapter book is built to see the buttons).
- The footer names the licences and the version; the version is written once; the licence,
  citation and changelog files agree with each other and with the package.
"""
from __future__ import annotations

import importlib.util
import os
import re
import runpy
import shutil
import subprocess
import sys
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
import yaml

import lstm_core
from tools import launch

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
README = (ROOT / "README.md").read_text()
VERSION_FILE = ROOT / "lstm_core" / "_version.py"
SITE = ROOT / "_build" / "html"


def _course_site():
    spec = importlib.util.spec_from_file_location("course_site", ROOT / "_ext" / "course_site.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


course_site = _course_site()


# ---------------------------------------------------------------- the README's commands
def _section(text: str, heading: str) -> str:
    start = text.index(f"\n## {heading}")
    end = text.find("\n## ", start + 1)
    return text[start:end if end > 0 else None]


def _bash_lines(text: str) -> list[str]:
    """Every command line of the ```bash blocks, without its trailing comment."""
    lines = []
    for block in re.findall(r"```bash\n(.*?)```", text, re.S):
        for line in block.splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            if line:
                lines.append(line)
    return lines


def readme_setup_commands() -> list[str]:
    """The README's set-up command, split at its ``&&``: create, install, build."""
    (line,) = _bash_lines(_section(README, "Set up and build the site"))
    return [part.strip() for part in line.split("&&")]


def readme_student_command() -> str:
    (line,) = [l for l in _bash_lines(README) if "tools.student_version" in l]
    return line


def ci_build_command() -> str:
    (line,) = [l.strip() for l in (ROOT / ".ci" / "run").read_text().splitlines()
               if l.strip().startswith(".venv/bin/jupyter-book build")]
    return line


# ---------------------------------------------------------------- the workflow
def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


def triggers(wf: dict) -> dict:
    return wf.get("on", wf.get(True))  # YAML 1.1 reads a bare `on` as True


def build_steps() -> list[dict]:
    return workflow()["jobs"]["build"]["steps"]


def runs() -> list[str]:
    return [s["run"].strip() for s in build_steps() if "run" in s]


def step(name_part: str) -> dict:
    (found,) = [s for s in build_steps() if name_part in s.get("name", "")]
    return found


def test_workflow_runs_the_readmes_set_up_and_build_commands():
    create, install, build = readme_setup_commands()
    assert create.startswith("python3.11 -m venv .venv") and "requirements.txt" in install
    commands = runs()
    # the README's build, strict as CI builds it: the same command, only flags added
    strict = ci_build_command()
    assert strict.startswith(build + " ") and all(a.startswith("-") for a in strict[len(build):].split())
    for command in (create, install, strict, readme_student_command()):
        assert command in commands, f"the workflow does not run the README's `{command}`"
    order = [commands.index(c) for c in (create, install, strict)]
    assert order == sorted(order)
    assert commands.index(install) < commands.index(readme_student_command())
    # the Python the README names, the one Binder runs
    (setup_python,) = [s for s in build_steps() if s.get("uses", "").startswith("actions/setup-python")]
    runtime = (ROOT / "binder" / "runtime.txt").read_text().strip()
    assert str(setup_python["with"]["python-version"]) == "3.11" == create.split()[0].removeprefix("python")
    assert runtime == "python-3.11"


def test_workflow_installs_cpu_torch_from_the_index_binder_uses():
    install_step = [s for s in build_steps() if s.get("run", "").strip() == readme_setup_commands()[1]][0]
    binder = (ROOT / "binder" / "requirements.txt").read_text().splitlines()
    (extra,) = [l.split()[1] for l in binder if l.startswith("--extra-index-url")]
    assert install_step["env"]["PIP_EXTRA_INDEX_URL"] == extra


def test_workflow_checks_the_repository_and_the_colab_cells_before_building():
    check = step("_config.yml names this repository")["run"]
    assert check.startswith(".venv/bin/python -m tools.launch --check")
    assert '--published-from "$GITHUB_SERVER_URL/$GITHUB_REPOSITORY"' in check
    assert '--published-branch "$GITHUB_REF_NAME"' in check
    commands = runs()
    assert commands.index(check.strip()) < commands.index(ci_build_command())
    # what it reports for the upstream repository and for a fork that kept upstream's _config.yml
    url, branch = launch.repository()
    assert launch.main(["--check", "--published-from", url, "--published-branch", branch]) == 0
    assert launch.main(["--check", "--published-from", "https://github.com/someone/fork"]) == 1


def _script(name_part: str) -> str:
    return step(name_part)["run"]


def _run_bash(script: str, cwd: Path, edition: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, EDITION=edition, GITHUB_STEP_SUMMARY=str(cwd / "summary.md"))
    return subprocess.run(["bash", "-eo", "pipefail", "-c", script], cwd=cwd, env=env,
                          capture_output=True, text=True)


@pytest.mark.parametrize("edition", ["solved", "student", "both"])
def test_each_edition_is_built_and_published_where_the_readme_says(tmp_path, edition):
    for folder, text in (("_build/html", "solved"), ("_student/_build/html", "student")):
        (tmp_path / folder / "chapters").mkdir(parents=True)
        (tmp_path / folder / "index.html").write_text(text)
        (tmp_path / folder / "chapters" / "intro.html").write_text(text)
    assert _run_bash(_script("Which edition"), tmp_path, edition).returncode == 0
    # which builds run: each build step's `if` is `env.EDITION != '<the other edition>'`
    built = []
    for name, what in (("Build the course", "solved"), ("Build the student edition", "student")):
        condition = re.fullmatch(r"env\.EDITION != '(\w+)'", step(name)["if"])
        assert condition, step(name)["if"]
        if edition != condition.group(1):
            built.append(what)
    assert built == {"solved": ["solved"], "student": ["student"], "both": ["solved", "student"]}[edition]
    done = _run_bash(_script("Put the edition(s) together"), tmp_path, edition)
    assert done.returncode == 0, done.stderr
    site = tmp_path / "site"
    expected = {"solved": {"index.html": "solved"}, "student": {"index.html": "student"},
                "both": {"index.html": "solved", "student/index.html": "student",
                         "student/chapters/intro.html": "student"}}[edition]
    for path, text in expected.items():
        assert (site / path).read_text() == text
    assert (site / "student").exists() == (edition == "both")
    assert edition in (tmp_path / "summary.md").read_text()
    assert build_steps()[-1]["uses"].startswith("actions/upload-pages-artifact") and build_steps()[-1]["with"]["path"] == "site"


def test_an_unknown_edition_is_refused_with_what_to_set(tmp_path):
    done = _run_bash(_script("Which edition"), tmp_path, "teachers")
    assert done.returncode == 1 and "solved, student or both" in done.stdout and "COURSE_EDITION" in done.stdout


def test_the_edition_is_chosen_per_run_or_by_a_repository_variable():
    wf = workflow()
    options = triggers(wf)["workflow_dispatch"]["inputs"]["edition"]
    assert options["options"] == ["solved", "student", "both"] and options["default"] == "solved"
    assert wf["env"]["EDITION"] == "${{ inputs.edition || vars.COURSE_EDITION || 'solved' }}"
    publish = _section(README, "Publish your copy")
    assert "COURSE_EDITION" in publish and "`student`" in publish and "`both`" in publish and "student/" in publish


def test_workflow_deploys_the_default_branch_to_pages():
    wf = workflow()
    assert "push" in triggers(wf) and "workflow_dispatch" in triggers(wf)
    build = wf["jobs"]["build"]
    assert "github.event.repository.default_branch" in build["if"] and "workflow_dispatch" in build["if"]
    assert wf["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    deploy = wf["jobs"]["deploy"]
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]
    assert any(s.get("uses", "").startswith("actions/configure-pages") for s in build["steps"])


def test_readme_says_how_to_publish_a_copy():
    publish = _section(README, "Publish your copy")
    for needed in ("Fork", "`repository:` in `_config.yml`", "python -m tools.launch", "Enable Pages",
                   "GitHub Actions", "_build/html", "static host", ".github/workflows/pages.yml"):
        assert needed in publish, needed


# ---------------------------------------------------------------- a fork needs only _config.yml
def _owner_name(url: str) -> str:
    return url.removeprefix("https://github.com/").rstrip("/")


SKIP_DIRS = {".git", ".venv", "venv", "_build", "_student", ".hypothesis", ".pytest_cache", "__pycache__",
             "build", "dist", ".ipynb_checkpoints"}


def _text_files(root: Path):
    for path in root.rglob("*"):
        parts = set(path.relative_to(root).parts)
        if path.is_file() and not parts & SKIP_DIRS and not any(p.endswith(".egg-info") for p in parts):
            try:
                yield path, path.read_text()
            except UnicodeDecodeError:
                continue


def test_only_config_names_the_repository():
    """Apart from _config.yml, only the generated Colab cells (python -m tools.launch) name it."""
    url, branch = launch.repository()
    needle = _owner_name(url).lower()
    cell = launch.colab_cell_source(url, branch)
    found = {}
    for path, text in _text_files(ROOT):
        if needle in text.lower():
            found[str(path.relative_to(ROOT))] = text
    assert "_config.yml" in found and found.pop("_config.yml").lower().count(needle) == 1
    for name, text in found.items():
        assert name.startswith("chapters/") and name.endswith(".ipynb"), f"{name} names {url}: read it from _config.yml"
        cells = nbformat.reads(text, as_version=4).cells
        assert cells[0].source == cell and not any(needle in c.source.lower() for c in cells[1:]), name


FORK_URL, FORK_BRANCH = "https://github.com/someone-else/their-lstm-course", "term-2027"


def _fork_config(tmp_path: Path) -> Path:
    """_config.yml with only its repository: lines changed, as a fork would."""
    url, branch = launch.repository()
    text = (ROOT / "_config.yml").read_text()
    assert text.count(f"url: {url}") == 1 and text.count(f"branch: {branch}") == 1
    text = text.replace(f"url: {url}", f"url: {FORK_URL}").replace(f"branch: {branch}", f"branch: {FORK_BRANCH}")
    path = tmp_path / "_config.yml"
    path.write_text(text)
    return path


def test_a_forks_colab_cells_follow_its_config(tmp_path):
    config = _fork_config(tmp_path)
    assert launch.repository(config) == (FORK_URL, FORK_BRANCH)
    source = launch.colab_cell_source(FORK_URL, FORK_BRANCH)
    (tmp_path / "chapters").mkdir()
    for original in launch.chapter_notebooks():
        shutil.copy(original, tmp_path / "chapters" / original.name)
    notebooks = launch.chapter_notebooks(tmp_path)
    assert len(notebooks) == len(launch.chapter_notebooks())
    assert not any(launch.first_cell_ok(p, source) for p in notebooks)  # before: upstream's cells
    for path in notebooks:
        launch.sync(path, source)
        text = path.read_text()
        assert f"git+{FORK_URL}@{FORK_BRANCH}" in text and _owner_name(launch.repository()[0]) not in text
        assert launch.first_cell_ok(path, source)
    assert launch.published_mismatches(FORK_URL, FORK_BRANCH, FORK_URL, FORK_BRANCH) == []


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []
        self.footer: list[str] = []
        self._in_footer = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])
        if self._in_footer or "extra_footer" in (attrs.get("class") or ""):
            self._in_footer += 1

    def handle_endtag(self, tag):
        if self._in_footer:
            self._in_footer -= 1

    def handle_data(self, data):
        if self._in_footer:
            self.footer.append(data)


def test_a_fork_builds_with_its_own_launch_buttons_and_footer(tmp_path):
    """A one-chapter book with a fork's _config.yml (execution off): every link follows it."""
    book = tmp_path / "book"
    book.mkdir()
    config = yaml.safe_load(_fork_config(tmp_path).read_text())
    config["execute"]["execute_notebooks"] = "off"
    (book / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    (book / "_toc.yml").write_text("format: jb-book\nroot: chapters/intro\nchapters:\n  - file: chapters/02_the_loop\n")
    for folder in ("_ext", "_static", "_extra"):
        shutil.copytree(ROOT / folder, book / folder)
    (book / "chapters").mkdir()
    (book / "chapters" / "intro.md").write_text("# A fork of the course\n\nSee {doc}`02_the_loop`.\n")
    shutil.copy(ROOT / "chapters" / "references.bib", book / "chapters")
    chapter = book / "chapters" / "02_the_loop.ipynb"
    shutil.copy(ROOT / "chapters" / "02_the_loop.ipynb", chapter)
    launch.sync(chapter, launch.colab_cell_source(FORK_URL, FORK_BRANCH))  # python -m tools.launch, in the fork

    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    done = subprocess.run([str(jupyter_book), "build", str(book), "--builder", "html"], env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    html = book / "_build" / "html"
    page = _Page()
    page.feed((html / "chapters" / "02_the_loop.html").read_text())
    owner_name = _owner_name(FORK_URL)
    binder = [h for h in page.hrefs if "mybinder.org" in h]
    colab = [h for h in page.hrefs if "colab.research.google.com" in h]
    assert binder and all(f"/v2/gh/{owner_name}/{FORK_BRANCH}" in h for h in binder), binder
    assert colab == [f"https://colab.research.google.com/github/{owner_name}/blob/{FORK_BRANCH}/chapters/02_the_loop.ipynb"]
    assert FORK_URL in page.hrefs  # the repository button
    assert any(h.startswith(f"{FORK_URL}/issues") for h in page.hrefs)  # the issues button
    for name in ("LICENSE", "LICENSE-content.md", "CHANGELOG.md", "CITATION.cff"):
        assert f"{FORK_URL}/blob/{FORK_BRANCH}/{name}" in page.hrefs, name
    footer = " ".join(" ".join(page.footer).split())
    assert "CC BY 4.0" in footer and "MIT" in footer and f"Course version {lstm_core.__version__}" in footer, footer
    upstream = _owner_name(launch.repository()[0])
    for path in html.rglob("*.html"):
        assert upstream not in path.read_text(), f"{path.name} still names {upstream}"
    downloaded = (html / "_sources" / "chapters" / "02_the_loop.ipynb").read_text()
    assert f"git+{FORK_URL}@{FORK_BRANCH}" in downloaded


# ---------------------------------------------------------------- footer, version, terms, credit
def _filled_footer() -> str:
    url, branch = launch.repository()
    return course_site.fill_footer(CONFIG["html"]["extra_footer"], version=lstm_core.__version__,
                                   repository_url=url, repository_branch=branch)


def test_footer_names_the_licences_and_the_version_and_links_to_files_that_exist():
    footer = _filled_footer()
    assert "{" not in footer
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in footer and "CC BY 4.0" in footer
    assert f">{lstm_core.__version__}</a>" in footer and ">MIT</a>" in footer
    url, branch = launch.repository()
    linked = re.findall(re.escape(f"{url}/blob/{branch}/") + r'([^"]+)"', footer)
    assert sorted(linked) == ["CHANGELOG.md", "CITATION.cff", "LICENSE", "LICENSE-content.md"]
    assert all((ROOT / name).is_file() for name in linked)
    with pytest.raises(Exception, match=r"unknown placeholder.*verison"):
        course_site.fill_footer("v{verison}", version="1", repository_url="u", repository_branch="b")


def test_copyright_year_and_holder_agree_everywhere():
    year, author = str(CONFIG["copyright"]), CONFIG["author"]
    assert re.fullmatch(r"20\d\d", year)
    assert f"Copyright (c) {year} {author}" in (ROOT / "LICENSE").read_text()
    assert f"Copyright © {year} {author}." in (ROOT / "LICENSE-content.md").read_text()


def test_the_built_landing_page_shows_the_footer():
    """The site the README's command built (skips without it, as tests/test_site.py does)."""
    page = SITE / "chapters" / "intro.html"
    if not page.exists():
        if os.environ.get("LSTM_COURSE_REQUIRE_SITE") == "1":
            pytest.fail(f"no built site at {page}: run jupyter-book build .")
        pytest.skip("the site is not built (jupyter-book build .)")
    parsed = _Page()
    parsed.feed(page.read_text())
    footer = " ".join(" ".join(parsed.footer).split())
    assert f"Course version {lstm_core.__version__}" in footer and "CC BY 4.0" in footer, footer
    assert f"© Copyright {CONFIG['copyright']}" in page.read_text()


def test_the_built_landing_page_states_the_verdicts_of_the_shipped_data():
    """The landing page's verdict paragraph is filled in at build time from the shipped results."""
    from lstm_core.reproduction.verdicts import long_lag_summary, verdict_summary, verdicts

    source = (ROOT / "chapters" / "intro.md").read_text()
    assert "{{ verdict_summary }}" in source and "{{ long_lag_summary }}" in source  # no number typed in
    page = SITE / "chapters" / "intro.html"
    if not page.exists():
        if os.environ.get("LSTM_COURSE_REQUIRE_SITE") == "1":
            pytest.fail(f"no built site at {page}: run jupyter-book build .")
        pytest.skip("the site is not built (jupyter-book build .)")
    text = " ".join(re.sub(r"<[^>]+>", " ", page.read_text()).split()).replace("’", "'")
    items = verdicts()
    for sentence in (verdict_summary(items), long_lag_summary(items)):
        assert " ".join(sentence.split()) in text, sentence
    assert "{{" not in text


def test_the_version_is_written_once():
    version = runpy.run_path(str(VERSION_FILE))["__version__"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    assert lstm_core.__version__ == version == course_site.course_version()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "lstm_core._version.__version__"}
    from setuptools.config.expand import read_attr
    assert read_attr("lstm_core._version.__version__", root_dir=ROOT) == version  # what pip builds with
    assigned = [p for p, text in _text_files(ROOT / "lstm_core") if re.search(r"^__version__\s*=", text, re.M)]
    assert assigned == [VERSION_FILE]
    assert "version" not in yaml.safe_load((ROOT / "CITATION.cff").read_text())


def test_changelog_starts_with_this_version_and_citation_with_its_date():
    entries = re.findall(r"^## (\d+\.\d+\.\d+) — (\d{4}-\d\d-\d\d)$", (ROOT / "CHANGELOG.md").read_text(), re.M)
    assert entries and entries[0][0] == lstm_core.__version__
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert str(cff["date-released"]) == entries[0][1]


def _bib_entry(key: str) -> str:
    bib = (ROOT / "chapters" / "references.bib").read_text()
    start = bib.index(f"@article{{{key},")
    return bib[start:bib.index("\n}", start) + 2]


def test_citation_cff_cites_the_course_and_lists_the_paper():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0" and cff["message"] and cff["type"] == "software"
    assert cff["title"] == CONFIG["title"] and cff["authors"] == [{"name": CONFIG["author"]}]
    assert "preferred-citation" not in cff  # the course itself is what is cited
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] in cff["license"] and "CC-BY-4.0" in cff["license"]
    (paper,) = cff["references"]
    bib = _bib_entry("hochreiter1997lstm")
    doi = re.search(r"doi\s*=\s*\{([^}]+)\}", bib).group(1)
    assert paper["type"] == "article" and paper["doi"] == doi and paper["year"] == 1997
    assert paper["title"] == "Long Short-Term Memory" and paper["journal"] == "Neural Computation"
    assert [a["family-names"] for a in paper["authors"]] == ["Hochreiter", "Schmidhuber"]
    assert (paper["volume"], paper["issue"], paper["start"], paper["end"]) == (9, 8, 1735, 1780)
    assert f"pages   = {{{paper['start']}--{paper['end']}}}" in bib


def test_the_landing_page_shows_the_papers_citation():
    intro = (ROOT / "chapters" / "intro.md").read_text()
    section = _section(intro, "Citing the paper and the course")
    assert _bib_entry("hochreiter1997lstm").strip() in section  # the same entry as the bibliography's
    doi = re.search(r"doi\s*=\s*\{([^}]+)\}", _bib_entry("hochreiter1997lstm")).group(1)
    assert f"https://doi.org/{doi}" in section and "CITATION.cff" in section


def test_licences_of_the_code_the_content_and_the_vendored_files():
    licence = (ROOT / "LICENSE").read_text()
    assert licence.startswith("MIT License\n")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    content = (ROOT / "LICENSE-content.md").read_text()
    assert "CC BY 4.0" in content and "https://creativecommons.org/licenses/by/4.0/legalcode" in content
    vendor = ROOT / "_extra" / "vendor"
    listed = re.findall(r"\| `([\w./-]+(?:LICENSE|LICENSE\.txt))` \|", (vendor / "README.md").read_text())
    assert len(listed) >= 4 and all((vendor / name).is_file() for name in listed), listed
    for folder in (p for p in vendor.iterdir() if p.is_dir()):
        assert any(name.startswith(folder.name + "/") for name in listed), f"{folder.name}: no licence listed"
    # the icon fonts next to the widget manager are Font Awesome's, under the licence listed for them
    fonts = sorted((vendor / "jupyter-widgets").glob("*.woff*"))
    assert len(fonts) == 6 and "SIL OFL 1.1" in (vendor / "jupyter-widgets" / "fontawesome-free-LICENSE.txt").read_text()
    assert "_extra/vendor/README.md" in content


def test_contributing_and_readme_commands_name_things_that_exist():
    text = (ROOT / "CONTRIBUTING.md").read_text() + _section(README, "Publish your copy")
    for section in ("## Where things are", "## Checking a change", "## The notebook rules",
                    "## Regenerating the shipped results"):
        assert section in text
    modules = set(re.findall(r"python -m ([\w.]+)", text)) - {"pytest"}
    assert {"tools.launch", "tools.guide", "lstm_core.reproduction"} <= modules
    for module in modules:
        assert importlib.util.find_spec(module) is not None, module
    for path in set(re.findall(r"`((?:chapters|tests|tools|benchmarks|lstm_core|_ext|binder|\.ci|\.github)/[\w./-]+)`", text)):
        if "NN" not in path:
            assert (ROOT / path).exists(), path

"""Small fixes to the pages Jupyter Book 1.x writes (a local Sphinx extension, see _config.yml).

- Each page lists every script once. Some inline scripts (sphinx-thebe's ``const THEBE_JS_URL``,
  sphinx-togglebutton's settings) are registered twice by the extensions Jupyter Book loads; the
  second ``const`` is a JavaScript error in every reader's console.
- The footer (``html: extra_footer`` in _config.yml) names the course's version and links to the
  licence files in the repository without either being written there twice: its placeholders
  ``{version}`` (``lstm_core/_version.py``, the one place the version lives), ``{repository_url}``
  and ``{repository_branch}`` (``repository:`` in _config.yml) are filled in at build time.
- Saved widget panels are frozen: on the static site no Python runs behind them, so a slider that
  moved would change its readout and nothing else. Every control of the saved widget state is
  switched off (``disabled``) before the page is written, so the widget manager draws them greyed
  out; ``_static/frozen-widgets.js`` adds the note with the Binder and Colab links above each panel.
  The notebooks themselves are untouched: in Jupyter the controls are live.
- Exercise titles read "Exercise: Title (coding, about 10 min)" and their solutions "Solution:
  Title (...)". sphinx-exercise writes an unnumbered exercise as "Exercise (Title)", which nests
  the parentheses of the course's "(kind, time)" suffix.
- ``{ref}`ex-label``` to an unnumbered exercise shows the exercise's title (without the "(kind,
  time)" suffix); sphinx-exercise would write only the word "Exercise".
"""
from __future__ import annotations

import importlib.util
import json
import re
import runpy
from pathlib import Path

from docutils import nodes
from sphinx.errors import ExtensionError
from sphinx.transforms.post_transforms import SphinxPostTransform

PLACEHOLDERS = ("version", "repository_url", "repository_branch")
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
WIDGET_STATE_MIMETYPE = "application/vnd.jupyter.widget-state+json"


# ---------------------------------------------------------------- scripts
def _script_key(script) -> tuple:
    attributes = getattr(script, "attributes", {}) or {}
    return (getattr(script, "filename", str(script)) or "",  # an inline script: None or ""
            tuple(sorted((k, str(v)) for k, v in attributes.items())))


def freeze_widget_state(state: dict) -> int:
    """Set ``disabled`` on every saved widget model that has the trait; return how many were set.

    ``state`` is the JSON of a ``application/vnd.jupyter.widget-state+json`` script: ``{"state":
    {model_id: {"model_name": ..., "state": {...}}}, ...}``. Every ipywidgets control (sliders,
    dropdowns, buttons, text boxes, check boxes, toggle buttons) has a ``disabled`` trait; layouts,
    styles and outputs have none and are left as they are.
    """
    switched = 0
    for model in (state.get("state") or {}).values():
        traits = model.get("state") if isinstance(model, dict) else None
        if isinstance(traits, dict) and isinstance(traits.get("disabled"), bool):
            traits["disabled"] = True
            switched += 1
    return switched


def _frozen(script):
    """The widget-state script with every control disabled (any other script: unchanged)."""
    attributes = dict(getattr(script, "attributes", {}) or {})
    if attributes.get("type") != WIDGET_STATE_MIMETYPE or not attributes.get("body"):
        return script
    state = json.loads(attributes["body"].replace(r"<\/script>", "</script>"))
    freeze_widget_state(state)
    attributes["body"] = json.dumps(state).replace("</script>", r"<\/script>")  # as myst-nb escapes it
    return type(script)(script.filename, priority=script.priority, **attributes)


def fix_scripts(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        key = _script_key(script)
        if key not in seen:
            seen.add(key)
            unique.append(_frozen(script))
    context["script_files"] = unique


def course_version() -> str:
    """The version in ``lstm_core/_version.py``, read without importing the package (and torch)."""
    spec = importlib.util.find_spec("lstm_core")
    if spec is None or not spec.submodule_search_locations:
        raise ExtensionError("course_site: the package lstm_core is not importable, so the footer has no "
                             "version; install it (pip install -e .) or put the course's folder on PYTHONPATH")
    path = Path(list(spec.submodule_search_locations)[0]) / "_version.py"
    return str(runpy.run_path(str(path))["__version__"])


def fill_footer(footer: str, **values: str) -> str:
    """``footer`` with each ``{name}`` of PLACEHOLDERS replaced by ``values[name]``."""
    unknown = sorted({m for m in _PLACEHOLDER.findall(footer) if m not in PLACEHOLDERS})
    if unknown:
        raise ExtensionError(f"_config.yml html.extra_footer: unknown placeholder(s) {unknown}; "
                             f"the footer may use {['{' + p + '}' for p in PLACEHOLDERS]}")
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], footer)


def footer_from_config(app, config) -> None:
    """At config-inited: the version into Sphinx's ``version``/``release`` and the footer."""
    version = course_version()
    config.version = config.release = version
    options = config.html_theme_options
    footer = options.get("extra_footer")
    if footer:
        options["extra_footer"] = fill_footer(
            footer, version=version,
            repository_url=str(options.get("repository_url", "")).rstrip("/"),
            repository_branch=str(options.get("repository_branch", "main")))


# ---------------------------------------------------------------- exercise titles
_KIND_SUFFIX = re.compile(r"\s*\([^()]*\)\s*$")  # the course's "(coding, about 10 min)"


def _is_text(node, text: str) -> bool:
    return isinstance(node, nodes.Text) and node.astext() == text


def _unwrap_subtitle(children: list) -> list | None:
    """[..., Text(" ("), *subtitle, Text(")")] -> subtitle, or None if not in that shape."""
    opening = next((i for i, child in enumerate(children) if _is_text(child, " (")), None)
    if opening is None or not children or not _is_text(children[-1], ")"):
        return None
    return children[opening + 1:-1]


class FlatExerciseTitles(SphinxPostTransform):
    """After sphinx-exercise has written its titles (post-transforms 20-22), flatten them."""

    default_priority = 30

    def run(self, **kwargs) -> None:
        try:
            from sphinx_exercise.nodes import exercise_node, solution_node
        except ImportError:  # the extension is not loaded: nothing to do
            return
        for node in list(self.document.findall(exercise_node)):
            title = node.children[0] if node.children else None
            if not isinstance(title, nodes.title):
                continue
            subtitle = _unwrap_subtitle(list(title.children))
            if subtitle:
                title.children = []
                title += [nodes.Text("Exercise: "), *subtitle]
        registry = getattr(self.env, "sphinx_exercise_registry", {})
        for node in list(self.document.findall(solution_node)):
            target = registry.get(node.get("target_label"), {}).get("node")
            title = node.children[0] if node.children else None
            if not isinstance(target, exercise_node) or not isinstance(title, nodes.title):
                continue  # numbered exercises ("Exercise 3 (Title)") keep sphinx-exercise's title
            link = next((c for c in title.children if isinstance(c, nodes.reference)), None)
            subtitle = _unwrap_subtitle(list(link.children)) if link is not None else None
            if subtitle:
                link.children = []
                link += subtitle
                title.children = []
                title += [nodes.Text("Solution: "), link]
                node["title"] = "Solution: " + link.astext()


def exercise_reference_titles(app, doctree) -> None:
    """An implicit ``{ref}`` to an unnumbered exercise reads as the exercise's title."""
    try:
        from sphinx_exercise.nodes import exercise_node, exercise_subtitle
    except ImportError:
        return
    domain = app.env.get_domain("std")
    for node in doctree.findall(exercise_node):
        names = node.get("names") or []
        title = node.children[0] if node.children else None
        subtitle = next((c for c in title.children if isinstance(c, exercise_subtitle)), None) if title else None
        if not names or subtitle is None or names[0] not in domain.labels:
            continue
        docname, labelid, _ = domain.labels[names[0]]
        name = _KIND_SUFFIX.sub("", subtitle.astext()).strip() or subtitle.astext()
        domain.labels[names[0]] = docname, labelid, name


# ---------------------------------------------------------------- verdicts on the landing page
def verdicts_from_data(app, config) -> None:
    """At config-inited: the reproduction's verdicts, computed from the shipped results, as MyST
    substitutions (``{{ verdict_summary }}``, ``{{ long_lag_summary }}``) for pages written in Markdown."""
    from lstm_core.reproduction.verdicts import long_lag_summary, verdict_summary, verdicts

    items = verdicts()
    subs = dict(getattr(config, "myst_substitutions", None) or {})
    subs.update(verdict_summary=verdict_summary(items), long_lag_summary=long_lag_summary(items))
    config.myst_substitutions = subs


def setup(app):
    app.connect("config-inited", footer_from_config)
    app.connect("config-inited", verdicts_from_data)
    # after the other extensions have added their scripts to the page
    app.connect("html-page-context", fix_scripts, priority=900)
    # after sphinx-exercise's own doctree-read (default priority 500) has registered the labels
    app.connect("doctree-read", exercise_reference_titles, priority=600)
    app.add_post_transform(FlatExerciseTitles)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

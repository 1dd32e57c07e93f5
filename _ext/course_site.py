"""Small fixes to the pages Jupyter Book 1.x writes (a local Sphinx extension, see _config.yml).

- Each page lists every script once. Some inline scripts (sphinx-thebe's ``const THEBE_JS_URL``,
  sphinx-togglebutton's settings) are registered twice by the extensions Jupyter Book loads; the
  second ``const`` is a JavaScript error in every reader's console.
- The footer (``html: extra_footer`` in _config.yml) names the course's version and links to the
  licence files in the repository without either being written there twice: its placeholders
  ``{version}`` (``lstm_core/_version.py``, the one place the version lives), ``{repository_url}``
  and ``{repository_branch}`` (``repository:`` in _config.yml) are filled in at build time.
"""
from __future__ import annotations

import importlib.util
import re
import runpy
from pathlib import Path

from sphinx.errors import ExtensionError

PLACEHOLDERS = ("version", "repository_url", "repository_branch")
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def _script_key(script) -> tuple:
    attributes = getattr(script, "attributes", {}) or {}
    return (getattr(script, "filename", str(script)) or "",  # an inline script: None or ""
            tuple(sorted((k, str(v)) for k, v in attributes.items())))


def dedupe_scripts(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        key = _script_key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
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


def setup(app):
    app.connect("config-inited", footer_from_config)
    # after the other extensions have added their scripts to the page
    app.connect("html-page-context", dedupe_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

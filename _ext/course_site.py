"""Small fixes to the pages Jupyter Book 1.x writes (a local Sphinx extension, see _config.yml).

- Each page lists every script once. Some inline scripts (sphinx-thebe's ``const THEBE_JS_URL``,
  sphinx-togglebutton's settings) are registered twice by the extensions Jupyter Book loads; the
  second ``const`` is a JavaScript error in every reader's console.
"""
from __future__ import annotations


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


def setup(app):
    # after the other extensions have added their scripts to the page
    app.connect("html-page-context", dedupe_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

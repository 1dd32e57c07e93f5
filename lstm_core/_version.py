"""The course's version: the one place it is written.

pyproject.toml reads it (``[tool.setuptools.dynamic]``), ``lstm_core.__version__`` is it, and the
site's footer shows it (``_ext/course_site.py``). Each version has its entry in CHANGELOG.md.
"""

__version__ = "0.1.0"

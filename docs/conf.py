"""Sphinx configuration of the Flask-Preflight documentation site (``make docs``).

Pages are Markdown read by MyST, so their code blocks stay the plain fenced blocks the
tests execute. Built with warnings as errors.
"""

from __future__ import annotations

import flask_preflight

project = "Flask-Preflight"
author = "Flask-Preflight contributors"
copyright = "Flask-Preflight contributors"
release = flask_preflight.__version__
version = ".".join(release.split(".")[:2])

extensions = ["myst_parser", "sphinx.ext.autodoc"]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]
nitpicky = True

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

autodoc_typehints = "description"
autodoc_member_order = "bysource"

html_theme = "furo"
html_title = f"Flask-Preflight {release}"

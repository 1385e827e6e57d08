"""Sphinx configuration of the Flask-Preflight documentation site (``make docs``).

Pages are Markdown read by MyST, so their code blocks stay the plain fenced blocks the
tests execute. Built with warnings as errors.
"""

from __future__ import annotations

import re
from typing import ClassVar

from pygments.lexers.shell import BashSessionLexer
from sphinx.application import Sphinx

import flask_preflight
import flask_preflight.decorators
import flask_preflight.extension

try:  # Python 3.11+
    from typing import Unpack
except ImportError:  # a dependency of Sphinx's below 3.11
    from typing_extensions import Unpack

# The modules import Unpack (the type of the policy keywords, PolicyOptions) only for type
# checkers; autodoc evaluates the annotations, so it gets the name here.
flask_preflight.decorators.Unpack = Unpack  # type: ignore[attr-defined]
flask_preflight.extension.Unpack = Unpack  # type: ignore[attr-defined]

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

# colon_fence: directives (toctree, include) are written ::: so that the tests, which run
# every ``` block, never mistake one for code. html_image: <img> tags (the three demo
# screenshots side by side) become images Sphinx copies into the site.
myst_enable_extensions = ["colon_fence", "deflist", "html_image"]
myst_heading_anchors = 3

autodoc_typehints = "description"
# The API page names Flask's, Werkzeug's and the standard library's types without linking
# them (intersphinx would fetch their inventories over the network at every build).
nitpick_ignore_regex = [
    ("py:class", r"(flask|werkzeug|collections\.abc|re|datetime|typing_extensions)\..+"),
    ("py:class", r"Flask|flask_preflight\.decorators\.T"),
    # Cors's constructor takes the validated policy; users get a Cors from cors() only.
    ("py:class", r"Policy"),
]
autodoc_member_order = "bysource"

html_theme = "furo"
# _static/preflight.css: code blocks (CLI output above all) wrap their long lines.
html_static_path = ["_static"]
html_css_files = ["preflight.css"]
html_title = f"Flask-Preflight {release}"


class ConsoleLexer(BashSessionLexer):
    """``console`` blocks show one ``$ flask ...`` command and its exact output; only ``$``
    starts a command, so output lines beginning with ``#`` (``flask preflight migrate``
    prints Python comments) stay output instead of being read as a root prompt."""

    name = "Flask console"
    aliases: ClassVar[list[str]] = ["flask-console"]
    _ps1rgx = re.compile(r"^(\$ )(.*\n?)")


def setup(app: Sphinx) -> None:
    app.add_lexer("console", ConsoleLexer)

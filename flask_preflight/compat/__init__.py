"""flask-cors's API on the Flask-Preflight engine: switch by changing one import.

``from flask_preflight.compat import CORS, cross_origin`` takes flask-cors 6's options and
``CORS_*`` config keys, with its precedence (defaults < ``CORS_*`` config < ``CORS(...)`` <
``init_app(...)`` < the matching resource's options; a ``cross_origin`` view's options
replace the extension's) and its resource order. It is a front, not a second engine: each
set of options is translated once into a Flask-Preflight ``Policy`` level (with the
``flask-cors`` dialect for how answers are written), resources become path rules
(paths.py), and the engine decides and answers every request. Where flask-cors is insecure
or breaks the Fetch standard, compat follows Flask-Preflight (see the README section
"Migrating from Flask-CORS").

Its modules mirror flask-cors's: ``core`` (options, defaults, ``CORS_*`` config, origins
and regexes, resources), ``extension`` (``CORS``, and registering the engine on an app),
``decorator`` (``cross_origin``); beside them ``migrate``, the native declarations of a
compat app (``flask preflight migrate``). It uses only the engine's public interfaces.
"""

from .core import ALL_METHODS, CONFIG_KEYS, Source, parse_resources
from .decorator import cross_origin
from .extension import CORS, install_for_decorated_views

__all__ = [
    "ALL_METHODS",
    "CONFIG_KEYS",
    "CORS",
    "Source",
    "cross_origin",
    "install_for_decorated_views",
    "parse_resources",
]

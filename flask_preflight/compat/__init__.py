"""flask-cors's API on the Flask-Preflight engine (the modules of this package)."""

from .core import (
    ALL_METHODS,
    CONFIG_KEYS,
    CORS,
    Source,
    cross_origin,
    install_for_decorated_views,
    parse_resources,
)

__all__ = [
    "ALL_METHODS",
    "CONFIG_KEYS",
    "CORS",
    "Source",
    "cross_origin",
    "install_for_decorated_views",
    "parse_resources",
]

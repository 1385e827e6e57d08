"""Routing a preflight: which rule would serve its actual request, and who owns a URL that
no rule matches.

A preflight is an ``OPTIONS`` request, but the policy that answers it is the one of the view
serving the *requested* method, so it is routed again with that method, through the app's
own ``create_url_adapter``. Resolutions are kept in a ``cache.BoundedCache`` whose key holds
every environ value Werkzeug's ``bind_to_environ`` reads (the ``Connection``/``Upgrade``
pair included, which turns a request into a websocket one); values longer than a real host
name or path are routed but never cached, so the cache's memory has a small fixed bound.
The key holds the raw values: a resolution is a function of them, so a cached one is true
whatever Werkzeug makes of them (``urlpath`` says what that is, for the prefix tests).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Final

from flask import Flask
from flask.blueprints import BlueprintSetupState
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import MapAdapter, Rule

from .cache import (
    CACHE_SIZE,
    MAX_CACHED_HOST_LENGTH,
    MAX_CACHED_PATH_LENGTH,
    MAX_CACHED_WORD_LENGTH,
    BoundedCache,
    max_key_length,
)
from .decision import NO_RULE_FOR_METHOD, WEBSOCKET_UPGRADE, Resolution, Route
from .headers import MAX_REQUEST_METHOD_LENGTH
from .urlpath import request_path, routed_path, under_prefix

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

logger = logging.getLogger("flask_preflight")

ROUTE_CACHE_SIZE: Final = CACHE_SIZE

# The environ values Werkzeug's ``bind_to_environ`` (and Flask's ``create_url_adapter``)
# read, with the longest of each that is cached. REQUEST_METHOD is replaced by the
# requested method; QUERY_STRING only shapes redirects, which Flask answers itself.
ROUTING_ENVIRON_KEYS: Final = (
    ("HTTP_HOST", MAX_CACHED_HOST_LENGTH),
    ("SERVER_NAME", MAX_CACHED_HOST_LENGTH),
    ("SERVER_PORT", MAX_CACHED_WORD_LENGTH),
    ("SCRIPT_NAME", MAX_CACHED_PATH_LENGTH),
    ("PATH_INFO", MAX_CACHED_PATH_LENGTH),
    ("wsgi.url_scheme", MAX_CACHED_WORD_LENGTH),
    ("HTTP_CONNECTION", MAX_CACHED_WORD_LENGTH),
    ("HTTP_UPGRADE", MAX_CACHED_WORD_LENGTH),
)
# A cached resolution's key, with the limit of each value: the requested method, the Host
# header (or, without one, the server's name and port), the script name, the path, the
# scheme, and the Upgrade/Connection pair (None without Upgrade).
# (The host slot's first limit applies to HTTP_HOST and SERVER_NAME alike: they are equal.)
_LIMIT = dict(ROUTING_ENVIRON_KEYS)
ROUTE_KEY_LIMITS: Final = (
    MAX_REQUEST_METHOD_LENGTH,
    (_LIMIT["SERVER_NAME"], _LIMIT["SERVER_PORT"]),
    _LIMIT["SCRIPT_NAME"],
    _LIMIT["PATH_INFO"],
    _LIMIT["wsgi.url_scheme"],
    (_LIMIT["HTTP_UPGRADE"], _LIMIT["HTTP_CONNECTION"]),
)
# The most characters one cached resolution's key holds, method included.
MAX_CACHED_KEY_LENGTH: Final = max_key_length(ROUTE_KEY_LIMITS)
# The app.extensions key where cors() on a blueprint records the URL prefix of each
# registration (see ``decorators.py``): name -> (url_prefix, subdomain).
URL_PREFIXES_KEY: Final = "preflight.url_prefixes"


def blueprint_name(state: BlueprintSetupState) -> str:
    """The dotted name a registration gives its blueprint (``parent.child`` when nested):
    the name its endpoints start with."""
    return f"{state.name_prefix}.{state.name}".lstrip(".")


def remember_url_prefix(state: BlueprintSetupState) -> None:
    """A blueprint's deferred setup function (``cors()`` records it): note the URL prefix
    of each registration, nested blueprints under their dotted names."""
    name = blueprint_name(state)
    prefixes = state.app.extensions.setdefault(URL_PREFIXES_KEY, {})
    prefixes[name] = (state.url_prefix, state.subdomain)


def owner_key(blueprint: str | None) -> str | None:
    """The policy key of URLs no rule matches under ``blueprint``'s URL prefix."""
    return None if blueprint is None else blueprint + "."


class Router:
    """Routes preflights for one app; thread-safe, bounded."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._cache: BoundedCache[Resolution] = BoundedCache(ROUTE_KEY_LIMITS, ROUTE_CACHE_SIZE)
        self._prefixes: tuple[tuple[str, str | None, str], ...] = ()

    def freeze(self) -> None:
        """Read the blueprints' URL prefixes (all registrations are done by now)."""
        recorded: dict[str, tuple[str | None, str | None]] = self.app.extensions.get(
            URL_PREFIXES_KEY, {}
        )
        prefixes = []
        for name, (prefix, subdomain) in recorded.items():
            prefix = request_path(prefix or "").rstrip("/")
            if prefix:
                prefixes.append((prefix, subdomain, name))
        # The longest prefix wins, so the most nested blueprint owns its URLs.
        prefixes.sort(key=lambda item: len(item[0]), reverse=True)
        self._prefixes = tuple(prefixes)

    @property
    def url_prefixes(self) -> tuple[tuple[str, str | None, str], ...]:
        """``(prefix, subdomain, blueprint)`` of each blueprint owning the URLs under its
        prefix, longest prefix first (the order ``owner_of`` tries them in); set by
        ``freeze``."""
        return self._prefixes

    @property
    def owners(self) -> tuple[str, ...]:
        """The blueprints that own the URLs under their prefix."""
        return tuple(name for _, _, name in self._prefixes)

    def policy_key(self, rule: Rule | None, adapter: MapAdapter | None) -> str | None:
        """The policy key of a request, the one place it is worked out: the endpoint of
        the ``rule`` it matched, else the blueprint owning its path as Werkzeug routed it
        through ``adapter`` (``owner_of``), else ``None`` (the app level)."""
        return rule.endpoint if rule is not None else self.owner_of(adapter)

    def owner_of(self, adapter: MapAdapter | None) -> str | None:
        """The policy key of a URL no rule matches: the blueprint whose URL prefix holds
        its path as Werkzeug routed it (``urlpath.routed_path``: ``//admin/x`` is under
        ``/admin``), longest prefix first, else ``None`` (the app-level policy)."""
        if adapter is None or not self._prefixes:
            return None
        path = routed_path(adapter.path_info, adapter.map.merge_slashes)
        for prefix, subdomain, name in self._prefixes:
            if under_prefix(path, prefix) and (subdomain is None or subdomain == adapter.subdomain):
                return owner_key(name)
        return None

    def route(self, environ: WSGIEnvironment, method: str) -> Resolution:
        """Resolve a preflight to the rule serving ``method`` at its URL (a ``Route``),
        ``NO_RULE_FOR_METHOD``, ``WEBSOCKET_UPGRADE``, or ``None`` when Flask should answer."""
        get = environ.get
        # The values of ROUTING_ENVIRON_KEYS that routing reads: the server's name and port
        # only without a Host header (as Werkzeug's get_host), Connection only with Upgrade.
        host = get("HTTP_HOST")
        if host is None:
            host = (get("SERVER_NAME"), get("SERVER_PORT"))
        upgrade = get("HTTP_UPGRADE")
        if upgrade is not None:
            upgrade = (upgrade, get("HTTP_CONNECTION"))
        key = (method, host, get("SCRIPT_NAME"), get("PATH_INFO"), get("wsgi.url_scheme"), upgrade)
        try:
            return self._cache[key]
        except KeyError:
            pass
        except TypeError:  # an unhashable value in a hand-made environ: never cached
            return self._match(environ, method)
        outcome = self._match(environ, method)
        self._cache.store(key, outcome)  # only a key whose values fit ROUTE_KEY_LIMITS
        return outcome

    def _match(self, environ: WSGIEnvironment, method: str) -> Resolution:
        app = self.app
        adapter = None
        try:
            adapter = app.create_url_adapter(app.request_class(environ))
            if adapter is None:
                return None
            if adapter.websocket:
                return WEBSOCKET_UPGRADE
            rule, _ = adapter.match(method=method, return_rule=True)
        except MethodNotAllowed:
            return NO_RULE_FOR_METHOD
        except NotFound:
            return Route(self.policy_key(None, adapter), None, matched=False)
        except HTTPException:
            return None  # a redirect, an untrusted host: Flask answers as usual
        except Exception:
            logger.debug("could not route a preflight; Flask will answer it", exc_info=True)
            return None
        methods = frozenset(rule.methods) if rule.methods is not None else None
        return Route(self.policy_key(rule, adapter), methods)

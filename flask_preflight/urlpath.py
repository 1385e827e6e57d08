"""Request paths as Werkzeug reads them: the one normalisation every path test goes through.

Werkzeug decodes the WSGI ``PATH_INFO`` once (UTF-8 bytes carried as latin-1, errors
replaced), and both ``MapAdapter.match`` and Flask's ``request.path`` then read it with one
leading slash (``"/" + path.lstrip("/")``): ``//admin/x`` is matched as ``/admin/x``. When
no rule matches, ``Map.merge_slashes`` (on by default) makes Werkzeug try the path again
with each run of slashes merged into one, answering a redirect or a 405 from what it finds
there. Nothing else is normalised: ``/./`` stays (browsers remove dot segments before
sending; servers do not), and ``%2F`` is whatever the server left in ``PATH_INFO``.
(Checked against Werkzeug 2.3.0 and 3.1: ``MapAdapter.match`` builds
``f"/{path_info.lstrip('/')}"``, ``StateMachineMatcher.match`` retries merged slashes.
Werkzeug 2.3.0 merges them in pairs, so ``/a///b`` is a 404 there; ``routed_path`` merges
each run whole, as later versions do: for a path 2.3.0 does not match, that only picks a
more specific owner, whose prefix the merged path is under.)
"""

from __future__ import annotations

import re

_SLASHES = re.compile("/{2,}")


def request_path(path_info: str) -> str:
    """A decoded ``PATH_INFO`` as Werkzeug matches it and ``request.path`` reads it."""
    return "/" + path_info.lstrip("/")


def environ_path(path: str) -> str:
    """The WSGI ``PATH_INFO`` a server passes for a decoded path (UTF-8 bytes as latin-1):
    what ``wsgi_path`` reads back as ``path``."""
    return path.encode("utf-8", "surrogateescape").decode("latin-1")


def wsgi_path(raw: object) -> str | None:
    """A WSGI ``PATH_INFO`` (bytes as latin-1) as Flask's ``request.path`` reads it:
    decoded once as UTF-8, then ``request_path``. ``None`` when not a str."""
    if not isinstance(raw, str):
        return None
    try:
        path = raw.encode("latin-1").decode("utf-8", "replace")
    except UnicodeEncodeError:  # already decoded by a non-conforming server
        path = raw
    return request_path(path)


def routed_path(path_info: str, merge_slashes: bool) -> str:
    """The path whose rules Werkzeug considers for a decoded ``PATH_INFO`` no rule matched
    as sent: ``request_path``, with runs of slashes merged when the URL map merges them."""
    path = request_path(path_info)
    return _SLASHES.sub("/", path) if merge_slashes else path


_SINGLE_DOT = frozenset({".", "%2e"})
_DOUBLE_DOT = frozenset({"..", ".%2e", "%2e.", "%2e%2e"})


def browser_path(url: str) -> str:
    """The path and query a browser sends for ``url``, a path on the page's own origin:
    the URL Standard's path parsing for http(s) URLs reads ``\\`` as ``/`` and removes
    dot segments (``.``, ``..``, also written ``%2e``), and drops the fragment."""
    url = url.split("#", 1)[0]
    path, mark, query = url.partition("?")
    segments: list[str] = []
    parts = path.replace("\\", "/").split("/")[1:]
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        lowered = part.lower()
        if lowered in _DOUBLE_DOT:
            if segments:
                segments.pop()
            if last:
                segments.append("")
        elif lowered in _SINGLE_DOT:
            if last:
                segments.append("")
        else:
            segments.append(part)
    return "/" + "/".join(segments) + mark + query


def under_prefix(path: str, prefix: str) -> bool:
    """Whether a normalised ``path`` is ``prefix`` (no trailing slash) or lies below it."""
    return path == prefix or path.startswith(prefix + "/")

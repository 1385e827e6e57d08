"""The names flask-cors's tests import from ``flask_cors.core`` (header names and the
default methods), for the compat suite: ``from flask_cors.core import *`` is rewritten to
import this module. Header names come from the engine's one list of them."""

from __future__ import annotations

from flask_preflight.compat.core import ALL_METHODS
from flask_preflight.headers import (
    ALLOW_CREDENTIALS,
    ALLOW_HEADERS,
    ALLOW_METHODS,
    ALLOW_ORIGIN,
    ALLOW_PRIVATE_NETWORK,
    EXPOSE_HEADERS,
    MAX_AGE,
)

ACL_ORIGIN = ALLOW_ORIGIN
ACL_METHODS = ALLOW_METHODS
ACL_ALLOW_HEADERS = ALLOW_HEADERS
ACL_EXPOSE_HEADERS = EXPOSE_HEADERS
ACL_CREDENTIALS = ALLOW_CREDENTIALS
ACL_MAX_AGE = MAX_AGE
ACL_RESPONSE_PRIVATE_NETWORK = ALLOW_PRIVATE_NETWORK
ACL_REQUEST_METHOD = "Access-Control-Request-Method"
ACL_REQUEST_HEADERS = "Access-Control-Request-Headers"
ACL_REQUEST_HEADER_PRIVATE_NETWORK = "Access-Control-Request-Private-Network"

__all__ = [
    "ACL_ALLOW_HEADERS",
    "ACL_CREDENTIALS",
    "ACL_EXPOSE_HEADERS",
    "ACL_MAX_AGE",
    "ACL_METHODS",
    "ACL_ORIGIN",
    "ACL_REQUEST_HEADERS",
    "ACL_REQUEST_HEADER_PRIVATE_NETWORK",
    "ACL_RESPONSE_PRIVATE_NETWORK",
    "ALL_METHODS",
]

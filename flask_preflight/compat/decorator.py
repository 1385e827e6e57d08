"""flask-cors's ``cross_origin`` decorator (flask-cors's own ``decorator.py``): the view's
options, translated by ``core.py``, become the view's ``cors()`` level; the first request to
such a view registers the engine on its app (``extension.install``) when ``CORS(...)``
never did, and is answered by the engine as every later request is.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

from flask import Flask, Response, current_app, request
from werkzeug.test import run_wsgi_app

from ..extension import EXTENSION_NAME, get_state
from ..policy import POLICY_ATTRIBUTE
from ..wsgi import preflight_middleware
from .core import Source, sourced, translate_view
from .extension import COMPAT_VIEW_ATTRIBUTE, CompatView, install

F = TypeVar("F", bound=Callable[..., Any])


def _through_engine(app: Flask, value: Any) -> Response:
    """For the one request that reached a ``cross_origin`` view before the engine was
    registered on its app: pass the view's response through the engine, which answers a
    preflight or adds the CORS headers, exactly as for later requests."""
    response = app.make_response(value)
    wsgi = preflight_middleware(response, get_state(app))
    body, status, headers = run_wsgi_app(wsgi, request.environ)
    typed = "Content-Type" in headers  # before the class adds its default type to them
    answer = app.response_class(body, status=status, headers=headers)
    if not typed:  # a preflight's 204 has no type: none added
        del answer.headers["Content-Type"]
    return answer


def cross_origin(*args: Any, **kwargs: Any) -> Callable[[F], F]:
    """flask-cors's decorator, below ``@app.route``: the view's options replace the
    extension's (over flask-cors's defaults and ``CORS_*`` config). Works on async views,
    and on apps that never call ``CORS(...)``."""
    level = translate_view(
        sourced(kwargs, Source("decorator", "@cross_origin(...)")), "@cross_origin(...)"
    )
    automatic_options = bool(kwargs.get("automatic_options", True))

    def decorator(f: F) -> F:
        def respond(app: Flask, fresh: bool, value: Any) -> Any:
            return _through_engine(app, value) if fresh else value

        if inspect.iscoroutinefunction(f):

            @functools.wraps(f)
            async def view(*a: Any, **kw: Any) -> Any:
                app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
                fresh = EXTENSION_NAME not in app.extensions and install(app)[1]
                if automatic_options and request.method == "OPTIONS":
                    return respond(app, fresh, app.make_default_options_response())
                return respond(app, fresh, await f(*a, **kw))

        else:

            @functools.wraps(f)
            def view(*a: Any, **kw: Any) -> Any:
                app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
                fresh = EXTENSION_NAME not in app.extensions and install(app)[1]
                if automatic_options and request.method == "OPTIONS":
                    return respond(app, fresh, app.make_default_options_response())
                return respond(app, fresh, f(*a, **kw))

        if automatic_options:
            # As flask-cors: the view (not Flask) answers OPTIONS, so that an app whose first
            # request is a preflight registers the engine then.
            methods = set(getattr(f, "required_methods", ()))
            view.required_methods = methods | {"OPTIONS"}  # type: ignore[attr-defined]
            view.provide_automatic_options = False  # type: ignore[attr-defined]
        view.__name__ = f.__name__
        name = f"@cross_origin(...) on {f.__name__!r}"
        sources = dict.fromkeys(level.sources, name)
        setattr(view, POLICY_ATTRIBUTE, replace(level, source=name, sources=sources))
        always_send = kwargs.get("always_send")
        setattr(
            view,
            COMPAT_VIEW_ATTRIBUTE,
            CompatView(None if always_send is None else bool(always_send), automatic_options),
        )
        return view  # type: ignore[return-value]

    return decorator

"""A loud reminder when ``cors()`` policies sit on an app that has no ``Preflight(app)``.

``cors()`` only attaches a policy; without the extension nothing reads it, so preflights get
Flask's plain ``OPTIONS`` answer and no response carries CORS headers. The first request an
app serves then logs one WARNING on the ``flask_preflight`` logger.

Where it comes from, and why it costs nothing on apps that do register ``Preflight``:

- ``cors()`` on a blueprint records a callback that runs when the blueprint is registered on
  an app, and connects a receiver of Flask's ``request_started`` signal *for that app only*.
  The receiver checks the app on its first request and disconnects itself.
- ``cors()`` on a view or ``View`` class cannot know its app, so it connects one receiver
  for every app. That receiver checks each app on its first request, and disconnects itself
  as soon as it sees an app that has ``Preflight``: from then on, Flask's signal has no
  receiver of ours and its cost is Flask's own. (So in a process serving several apps, an
  app without ``Preflight`` whose only policies are on views is reminded only if it serves
  before an app that has it; blueprint policies are always checked.)
"""

from __future__ import annotations

import logging
import threading
import weakref
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Flask, request_started

from ._flask import blueprint_registered
from .extension import EXTENSION_NAME
from .policy import policy_of

if TYPE_CHECKING:
    from flask.blueprints import BlueprintSetupState

logger = logging.getLogger("flask_preflight")

_checked: weakref.WeakSet[Flask] = weakref.WeakSet()
_lock = threading.Lock()


def missing_preflight_message(app: Flask) -> str:
    """What to say about an app that has ``cors()`` policies but no ``Preflight``."""
    return (
        f"the Flask app {app.name!r} has cors() policies but no Preflight(app): nothing "
        "answers their preflights or adds CORS headers, so browsers refuse every "
        "cross-origin call. Call Preflight(app) (or preflight.init_app(app) in an app "
        "factory) after creating the app"
    )


def is_registered(app: Flask) -> bool:
    """Whether ``Preflight`` is registered on ``app``."""
    return EXTENSION_NAME in app.extensions


def has_policies(app: Flask) -> bool:
    """Whether any view, ``View`` class or blueprint of ``app`` carries a ``cors()`` policy."""
    if any(policy_of(blueprint) is not None for blueprint in app.blueprints.values()):
        return True
    return any(
        policy_of(view) is not None or policy_of(getattr(view, "view_class", None)) is not None
        for view in app.view_functions.values()
    )


def _check(app: Flask) -> bool:
    """Check ``app`` once (warning if it needs ``Preflight``); whether it has ``Preflight``."""
    with _lock:
        if app in _checked:
            return is_registered(app)
        _checked.add(app)
    if is_registered(app):
        return True
    if has_policies(app):
        logger.warning("%s", missing_preflight_message(app))
    return False


def _on_first_request_of_any_app(sender: Any, **extra: Any) -> None:
    if isinstance(sender, Flask) and _check(sender):
        request_started.disconnect(_on_first_request_of_any_app)


def _on_blueprint_registered(setup: BlueprintSetupState) -> None:
    app = setup.app
    if not isinstance(app, Flask) or app in _checked or is_registered(app):
        return

    # A receiver of its own, so that disconnecting it (from every sender) leaves Flask's
    # signal without receivers again: blinker skips all work for a signal without any.
    def on_first_request(sender: Any, **extra: Any) -> None:
        request_started.disconnect(on_first_request)
        if isinstance(sender, Flask):
            _check(sender)

    request_started.connect(on_first_request, app, weak=False)


def watch(target: object) -> None:
    """Arrange the reminder for ``target``, which ``cors()`` just gave a policy."""
    if isinstance(target, Blueprint) and not blueprint_registered(target):
        target.record_once(_on_blueprint_registered)
    else:
        request_started.connect(_on_first_request_of_any_app, weak=False)

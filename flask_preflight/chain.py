"""The WSGI chain between ``Preflight``'s wrapper and Flask, read to find Flask's own
``wsgi_app`` in it.

When WSGI middleware was installed before ``Preflight(app)`` (``app.wsgi_app =
ProxyFix(app.wsgi_app)`` in a factory, then ``init_app``), it sits between the extension's
wrapper and Flask. A preflight must be routed on the environ as Flask will see it, after
that middleware; the fastest place to answer it is therefore a thin layer put in the slot
where the middleware holds Flask's ``wsgi_app``. This module finds those slots by reading
only the attributes by which well-known middleware hold the next app:

- ``app``: Werkzeug's ``ProxyFix``, ``DispatcherMiddleware`` (its default app),
  ``SharedDataMiddleware``, ``LintMiddleware``, and plain class-based middleware;
- ``_app``: Werkzeug's ``ProfilerMiddleware``;
- ``mounts``: ``DispatcherMiddleware``'s mounted apps (a dict);
- ``__wrapped__``: a function decorated with ``functools.wraps(next_app)``; the slot is the
  closure cell holding that same object, since the function calls it from there.

The walk reads instance and function ``__dict__`` entries only (no properties run), and an
object it cannot read through (a closure without ``__wrapped__``, an object with none of
these attributes) is reported, not guessed at. Nothing here decides a request.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from flask import Flask

NEXT_APP_ATTRIBUTES: Final = ("app", "_app")
MOUNTS_ATTRIBUTE: Final = "mounts"
WRAPPED_ATTRIBUTE: Final = "__wrapped__"
MAX_DEPTH: Final = 64


def is_flask_wsgi_app(candidate: object, app: Flask) -> bool:
    """Whether ``candidate`` is ``app``'s own ``Flask.wsgi_app`` (bound to ``app``)."""
    return getattr(candidate, "__func__", None) is Flask.wsgi_app and (
        getattr(candidate, "__self__", None) is app
    )


@dataclass(frozen=True)
class Slot:
    """Where an object holds the next app: an attribute, a mapping item, or a closure
    cell."""

    holder: Any
    kind: str  # "attribute", "item" or "cell"
    key: Any = None

    def get(self) -> Any:
        if self.kind == "attribute":
            return vars(self.holder)[self.key]
        if self.kind == "item":
            return self.holder[self.key]
        return self.holder.cell_contents

    def set(self, value: Any) -> None:
        if self.kind == "attribute":
            setattr(self.holder, self.key, value)
        elif self.kind == "item":
            self.holder[self.key] = value
        else:
            self.holder.cell_contents = value


@dataclass
class Chain:
    """What the walk found: the slots holding Flask's ``wsgi_app`` (or the layer already
    put there), and the objects it could not read through."""

    slots: list[Slot] = field(default_factory=list)
    opaque: list[object] = field(default_factory=list)


def describe(obj: object) -> str:
    """A name for a WSGI app or middleware in a log line: module and qualified name."""
    target = obj if isinstance(obj, (types.FunctionType, type)) else type(obj)
    module = getattr(target, "__module__", None)
    name = getattr(target, "__qualname__", None) or repr(target)
    return f"{module}.{name}" if module else str(name)


def walk(top: object, app: Flask, is_layer: Callable[[object], bool]) -> Chain:
    """Read the chain below ``top`` for the slots holding ``app``'s own ``wsgi_app`` or a
    layer (``is_layer``) already put in front of it."""
    chain = Chain()
    seen: set[int] = set()

    def target(value: object) -> bool:
        return is_flask_wsgi_app(value, app) or is_layer(value)

    def follow(slot: Slot | None, holder: object, value: object, depth: int) -> None:
        if target(value):
            if slot is None:
                chain.opaque.append(holder)  # found, but not where it can be replaced
            else:
                chain.slots.append(slot)
        else:
            visit(value, depth + 1)

    def visit(obj: object, depth: int) -> None:
        if id(obj) in seen or depth > MAX_DEPTH or isinstance(obj, Flask):
            return  # another Flask app is not ours to enter
        seen.add(id(obj))
        attributes = getattr(obj, "__dict__", None)
        if not isinstance(attributes, dict):
            chain.opaque.append(obj)
            return
        read = False
        for name in NEXT_APP_ATTRIBUTES:
            if name in attributes:
                read = True
                follow(Slot(obj, "attribute", name), obj, attributes[name], depth)
        mounts = attributes.get(MOUNTS_ATTRIBUTE)
        if isinstance(mounts, dict):
            read = True
            for key, value in list(mounts.items()):
                follow(Slot(mounts, "item", key), obj, value, depth)
        wrapped = attributes.get(WRAPPED_ATTRIBUTE)
        if not read and wrapped is not None:
            read = True
            cells = getattr(obj, "__closure__", None) or ()
            cell = next((c for c in cells if _cell_holds(c, wrapped)), None)
            follow(None if cell is None else Slot(cell, "cell"), obj, wrapped, depth)
        if not read:
            chain.opaque.append(obj)

    visit(top, 0)
    return chain


def _cell_holds(cell: Any, value: object) -> bool:
    try:
        return cell.cell_contents is value
    except ValueError:  # an empty cell
        return False

"""Exporters of an app's compiled policies to the servers in front of it: each answers
the preflights it can decide exactly as the app would, and passes the rest to the app.

``model.py`` decides what is exportable, for every target; ``nginx.py`` renders it for
nginx. Another target (Caddy, HAProxy) would be one more module of ``nginx.py``'s shape.
"""

from .model import PASS, EdgeApp, EdgePolicy, RouteEntry, read_app

__all__ = ["PASS", "EdgeApp", "EdgePolicy", "RouteEntry", "read_app"]

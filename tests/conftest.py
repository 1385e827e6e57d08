"""Fixtures shared by the behaviour tests (none yet). Shared names (origins, request
builders, the app most tests drive) live in ``tests/helpers.py``: import them from there."""

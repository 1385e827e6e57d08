"""The one bounded cache type, for answers keyed on request values (routes, path rules).

Each cache holds at most ``CACHE_SIZE`` entries (FIFO), and stores a key only when every
request value in it is a string no longer than its limit (or ``None``): a longer value is
answered, never cached. The check is made on the very key that is stored, so a cache's
memory has a small fixed bound whatever clients send: at most ``size`` times
``max_key_length`` characters of request values.
"""

from __future__ import annotations

import threading
from typing import Any, Final, TypeVar, Union

# A host name is at most 253 characters (RFC 1035), plus ":65535"; paths get 1024; the
# rest (methods aside, see headers.py) are short words.
CACHE_SIZE: Final = 1024
MAX_CACHED_HOST_LENGTH: Final = 253 + 6
MAX_CACHED_PATH_LENGTH: Final = 1024
MAX_CACHED_WORD_LENGTH: Final = 64
# The limit of a key element that comes from the app, not from the request (an endpoint
# name): the app's finite configuration bounds it.
FROM_APP: Final = None

V = TypeVar("V")
Key = tuple[object, ...]


# The limit of one key element: the most characters of a string value, ``FROM_APP``, or
# a tuple of limits for a value that is either a tuple of that shape or a string (checked
# against the first limit): a host header, or a server's name and port in its place.
Limit = Union[int, None, tuple[int, ...]]


class BoundedCache(dict[Key, V]):
    """A thread-safe FIFO cache whose keys are tuples with one ``Limit`` per element: the
    most characters that element may hold to be cached (``FROM_APP``: not a request value).

    A dict, so a lookup (``cache[key]``, ``KeyError`` on a miss, ``TypeError`` for an
    unhashable key) costs what a dict lookup costs; every way of storing goes through
    ``store``, which checks the key it stores."""

    __slots__ = ("_lock", "limits", "size")

    def __init__(self, limits: tuple[Limit, ...], size: int = CACHE_SIZE) -> None:
        super().__init__()
        self.limits = limits
        self.size = size
        self._lock = threading.Lock()

    @property
    def max_key_length(self) -> int:
        """The most characters of request values one stored key holds."""
        return max_key_length(self.limits)

    def store(self, key: Key, value: V) -> None:
        """Keep ``value`` under ``key`` if the key fits the limits, evicting the oldest."""
        if not self.fits(key):
            return
        with self._lock:
            if len(self) >= self.size:
                super().__delitem__(next(iter(self)))
            super().__setitem__(key, value)

    __setitem__ = store

    def setdefault(self, key: Key, default: V) -> V:
        raise TypeError("BoundedCache: use store()")

    def update(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("BoundedCache: use store()")

    def fits(self, key: Key) -> bool:
        """Whether every value of ``key`` is ``None`` or a string, and each request value
        no longer than its limit."""
        if not isinstance(key, tuple) or len(key) != len(self.limits):
            return False
        for value, limit in zip(key, self.limits):
            if isinstance(limit, tuple):
                if isinstance(value, tuple):
                    if len(value) != len(limit) or not all(map(_fits, value, limit)):
                        return False
                elif not _fits(value, limit[0]):
                    return False
            elif not _fits(value, limit):
                return False
        return True

    def clear(self) -> None:
        with self._lock:
            super().clear()


def _fits(value: object, limit: int | None) -> bool:
    return value is None or (isinstance(value, str) and (limit is None or len(value) <= limit))


def max_key_length(limits: tuple[Limit, ...]) -> int:
    """The most characters of request values a key with these limits holds."""
    total = 0
    for limit in limits:
        if isinstance(limit, tuple):
            total += sum(limit)
        elif limit is not None:
            total += limit
    return total

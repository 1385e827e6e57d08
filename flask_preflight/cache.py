"""The one bounded cache type, for answers keyed on request values (routes, path rules).

Each cache holds at most ``CACHE_SIZE`` entries (FIFO), and stores a key only when every
request value in it is a string no longer than its limit (or ``None``): a longer value is
answered, never cached. The check is made on the very key that is stored, so a cache's
memory has a small fixed bound whatever clients send: at most ``size`` times
``max_key_length`` characters of request values.

Nothing here imports Flask.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Final, Generic, TypeVar

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


class BoundedCache(Generic[V]):
    """A thread-safe FIFO cache whose keys are tuples with one limit per element: the most
    characters that element may hold to be cached (``FROM_APP``: not a request value)."""

    __slots__ = ("_entries", "_lock", "limits", "size")

    def __init__(self, limits: tuple[int | None, ...], size: int = CACHE_SIZE) -> None:
        self.limits = limits
        self.size = size
        self._entries: dict[Key, V] = {}
        self._lock = threading.Lock()

    @property
    def max_key_length(self) -> int:
        """The most characters of request values one stored key holds."""
        return sum(limit for limit in self.limits if limit is not None)

    def __getitem__(self, key: Key) -> V:
        """The cached answer; ``KeyError`` when there is none (an unhashable key included)."""
        try:
            return self._entries[key]
        except TypeError:  # an unhashable value in a hand-made environ
            raise KeyError(key) from None

    def store(self, key: Key, value: V) -> None:
        """Keep ``value`` under ``key`` if the key fits the limits, evicting the oldest."""
        if not self.fits(key):
            return
        with self._lock:
            if len(self._entries) >= self.size:
                del self._entries[next(iter(self._entries))]
            self._entries[key] = value

    def fits(self, key: Key) -> bool:
        """Whether every value of ``key`` is ``None`` or a string, and each request value
        no longer than its limit."""
        if len(key) != len(self.limits):
            return False
        for value, limit in zip(key, self.limits):
            if value is None:
                continue
            if not isinstance(value, str) or (limit is not None and len(value) > limit):
                return False
        return True

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[Key]:
        return iter(list(self._entries))

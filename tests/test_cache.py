"""The one bounded cache type (cache.py): a fixed number of entries, and a key stored only
when every request value in it fits its limit, checked on the stored key itself; both caches
keyed on request values (routes, path rules) use it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from flask_preflight.cache import (
    FROM_APP,
    MAX_CACHED_PATH_LENGTH,
    BoundedCache,
    max_key_length,
)
from flask_preflight.compat import CORS
from flask_preflight.extension import get_state
from flask_preflight.paths import PATH_CACHE_SIZE, PATH_KEY_LIMITS
from flask_preflight.routing import MAX_CACHED_KEY_LENGTH, ROUTE_CACHE_SIZE, ROUTE_KEY_LIMITS

from .helpers import A, send_preflight


def test_a_key_is_stored_only_when_each_value_fits_its_limit() -> None:
    cache: BoundedCache[int] = BoundedCache((3, FROM_APP), size=4)
    cache.store(("abc", "x" * 10_000), 1)  # the app's value has no limit
    cache.store(("abcd", "y"), 2)  # a request value over its limit
    cache.store((None, None), 3)
    cache.store((b"abc", "z"), 4)  # not a string: never stored
    cache.store((["abc"], "z"), 5)  # unhashable: never stored
    cache.store(("abc",), 6)  # the wrong shape
    assert sorted(cache.values()) == [1, 3]
    with pytest.raises(KeyError):
        cache[("abcd", "y")]
    with pytest.raises(TypeError):  # as a dict: the callers answer without caching
        cache[(["abc"], "z")]
    cache[("xyz", "w")] = 7  # every way of storing checks the key
    cache[("long", "w")] = 8
    assert ("long", "w") not in cache and cache[("xyz", "w")] == 7
    with pytest.raises(TypeError):
        cache.update({("abcd", "y"): 9})
    with pytest.raises(TypeError):
        cache.setdefault(("abcd", "y"), 9)


def test_entries_are_bounded_first_in_first_out() -> None:
    cache: BoundedCache[int] = BoundedCache((8,), size=3)
    for i in range(5):
        cache.store((str(i),), i)
    assert len(cache) == 3
    assert list(cache) == [("2",), ("3",), ("4",)]
    cache.clear()
    assert len(cache) == 0


def test_max_key_length_counts_request_values_only() -> None:
    assert BoundedCache((3, FROM_APP, 5)).max_key_length == 8


def compat_app() -> Flask:
    app = Flask(__name__)

    @app.get("/api/items")
    def items() -> str:
        return "items"

    CORS(app, resources={r"/api/.*": {"origins": [A]}})
    return app


def stored_characters(cache: BoundedCache[Any]) -> int:
    return sum(len(value) for key in cache for value in key if isinstance(value, str))


def test_path_rule_cache_stores_no_long_raw_path() -> None:
    # The regression case (30,000 leading slashes) is in test_paths.py; here the size bound.
    app = compat_app()
    client = app.test_client()
    paths = get_state(app).paths
    assert paths is not None
    for i in range(PATH_CACHE_SIZE + 10):
        client.get(f"/api/{'n' * 1000}{i}", headers={"Origin": A})
    assert len(paths._cache) == PATH_CACHE_SIZE
    assert all(paths._cache.fits(key) for key in paths._cache)
    assert paths._cache.max_key_length == MAX_CACHED_PATH_LENGTH
    limit = PATH_CACHE_SIZE * (MAX_CACHED_PATH_LENGTH + len("items"))
    assert stored_characters(paths._cache) <= limit


def test_route_cache_is_bounded_on_the_key_it_stores() -> None:
    app = compat_app()
    client = app.test_client()
    router = get_state(app).router
    for i in range(200):
        send_preflight(client, "/", A, "GET", **{"host": "h" * 30_000 + str(i)})
        raw = {"PATH_INFO": "/" * 30_000 + f"api/items{i}", "HTTP_ORIGIN": A}
        client.options("/", environ_overrides=raw | {"HTTP_ACCESS_CONTROL_REQUEST_METHOD": "GET"})
    assert all(router._cache.fits(key) for key in router._cache)
    assert stored_characters(router._cache) <= len(router._cache) * 64


def test_both_caches_are_the_one_bounded_type_with_the_same_size() -> None:
    state = get_state(compat_app())
    assert state.paths is not None
    for cache, limits, size in [
        (state.router._cache, ROUTE_KEY_LIMITS, ROUTE_CACHE_SIZE),
        (state.paths._cache, PATH_KEY_LIMITS, PATH_CACHE_SIZE),
    ]:
        assert type(cache) is BoundedCache
        assert cache.limits == limits
        assert cache.size == size


def test_the_documentation_states_the_path_cache_bound() -> None:
    page = (Path(__file__).resolve().parent.parent / "docs" / "migrating.md").read_text()
    text = " ".join(page.split())
    assert (
        f"at most {PATH_CACHE_SIZE:,} answers; a `PATH_INFO` over "
        f"{MAX_CACHED_PATH_LENGTH:,} characters is answered but never cached"
    ) in text


def test_a_tuple_limit_takes_a_tuple_of_that_shape_or_a_string() -> None:
    # The route cache's host: the Host header, or the server's name and port without one.
    cache: BoundedCache[int] = BoundedCache(((5, 2),), size=8)
    key: tuple[object, ...]
    for key in [("host",), (("name", "80"),), ((None, None),), (None,)]:
        cache.store(key, 1)
        assert key in cache, key
    for key in [("hosts!",), (("names!", "80"),), (("name", "800"),), (("name",),), ((1, 2),)]:
        cache.store(key, 1)
        assert key not in cache, key
    assert cache.max_key_length == 7
    assert max_key_length(ROUTE_KEY_LIMITS) == MAX_CACHED_KEY_LENGTH


def test_the_route_key_limits_are_the_routing_environ_keys_limits() -> None:
    from flask_preflight.routing import ROUTING_ENVIRON_KEYS

    limits = dict(ROUTING_ENVIRON_KEYS)
    assert limits["HTTP_HOST"] == limits["SERVER_NAME"]  # one limit for the host slot
    bound = ROUTE_KEY_LIMITS[0] + sum(limits.values()) - limits["HTTP_HOST"]
    assert bound == MAX_CACHED_KEY_LENGTH

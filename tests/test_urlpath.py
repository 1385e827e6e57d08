"""Request paths as Werkzeug reads them: ``urlpath`` agrees with Werkzeug's own routing and
``request.path`` on every path, so a prefix test sees the path Werkzeug matched."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from werkzeug.exceptions import NotFound
from werkzeug.routing import Map, RequestRedirect, Rule
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from flask_preflight.urlpath import (
    browser_path,
    environ_path,
    request_path,
    routed_path,
    under_prefix,
    wsgi_path,
)

# PATH_INFO values built from the pieces that normalisation could mistreat.
paths_info = st.lists(
    st.sampled_from(["/", "a", "b", ".", "..", "%2F", "%2f", "\xc3\xa9", "\xff"]), max_size=8
).map("".join)


@given(paths_info)
def test_wsgi_path_is_flasks_request_path(path_info: str) -> None:
    environ = EnvironBuilder().get_environ()
    environ["PATH_INFO"] = path_info
    assert wsgi_path(path_info) == Request(environ).path


@pytest.mark.parametrize("merge_slashes", [True, False])
@given(path_info=paths_info)
@example(path_info="//a/b").via("leading slashes")
@example(path_info="/a//b").via("merged slashes")
@example(path_info="/a///b").via("a run of three")
@example(path_info="/a/b/").via("a trailing slash")
def test_routed_path_is_the_path_werkzeug_matches(merge_slashes: bool, path_info: str) -> None:
    # One rule: when Werkzeug reaches it (a match, or a redirect to it), the routed path is
    # the rule's path; and the other way round, but for one difference: Werkzeug 2.3.0
    # merged slashes in pairs ("///" became "//", then a 404), where routed_path merges
    # each run whole (later Werkzeug does), which makes the owner only more specific.
    adapter = Map([Rule("/a/b", endpoint="ab")], merge_slashes=merge_slashes).bind("h")
    decoded = path_info.encode("latin-1").decode("utf-8", "replace")
    try:
        adapter.match(decoded)
        reached = True
    except RequestRedirect:
        reached = merge_slashes
    except NotFound:
        reached = False
    routed = routed_path(decoded, merge_slashes)
    if reached:
        assert routed == "/a/b"
    elif routed == "/a/b":
        assert merge_slashes and "///" in decoded.lstrip("/")


@pytest.mark.parametrize(
    ("path_info", "merge", "expected"),
    [
        ("//admin/x", True, "/admin/x"),
        ("///admin//x//", True, "/admin/x/"),
        ("///admin//x//", False, "/admin//x//"),
        ("", True, "/"),
        ("/./admin", True, "/./admin"),  # dot segments stay: Werkzeug keeps them
        ("/%2Fadmin", True, "/%2Fadmin"),  # never percent-decoded here
    ],
)
def test_routed_path(path_info: str, merge: bool, expected: str) -> None:
    assert routed_path(path_info, merge) == expected


@pytest.mark.parametrize(
    ("path", "prefix", "under"),
    [
        ("/admin", "/admin", True),
        ("/admin/", "/admin", True),
        ("/admin/x", "/admin", True),
        ("/adminx", "/admin", False),
        ("/x/admin", "/admin", False),
    ],
)
def test_under_prefix(path: str, prefix: str, under: bool) -> None:
    assert under_prefix(path, prefix) is under


def test_request_path_strips_every_leading_slash() -> None:
    assert request_path("///a//b") == "/a//b"


@pytest.mark.parametrize(
    ("url", "sent"),
    [
        ("/a/b", "/a/b"),
        ("//a/b", "//a/b"),  # empty segments stay: a browser sends them
        ("/./a", "/a"),
        ("/a/.", "/a/"),
        ("/a/..", "/"),
        ("/..", "/"),
        ("/a/b/../c", "/a/c"),
        ("/a/%2e/b", "/a/b"),
        ("/a/%2E%2e/b", "/b"),
        ("/a/.%2e", "/"),
        ("/a\\b", "/a/b"),
        ("/a/./b?x=/./#frag", "/a/b?x=/./"),  # the query is not a path
        ("/a/..b/.c", "/a/..b/.c"),  # not dot segments
    ],
)
def test_browser_path_is_what_browsers_send(url: str, sent: str) -> None:
    assert browser_path(url) == sent


@given(st.text(max_size=20).map(lambda text: "/" + text))
def test_environ_path_is_read_back_by_wsgi_path(path: str) -> None:
    assert wsgi_path(environ_path(path)) == request_path(path)

"""What the edge exporter answers and what it passes to the app (flask_preflight/edge/),
and ``flask preflight export nginx``: files, determinism, the drift check."""

from __future__ import annotations

import difflib
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import BaseConverter

from flask_preflight import Preflight, cors
from flask_preflight.cli import preflight_cli
from flask_preflight.edge import PASS, read_app
from flask_preflight.edge.model import ROUTE_REFUSAL, portable_regex
from flask_preflight.edge.nginx import HTTP_CONF, SERVER_CONF, render

ORIGIN = "https://app.example.com"
ROOT = Path(__file__).resolve().parents[2]


def _app(**routes: dict[str, Any]) -> Flask:
    """An app with one view per rule (``path -> policy``), each accepting GET and PUT."""
    app = Flask(__name__)
    for index, (path, policy) in enumerate(routes.items()):

        def view(**_: Any) -> str:
            return "ok"

        view.__name__ = f"view{index}"
        app.add_url_rule(
            path, view_func=cors(**policy)(view) if policy else view, methods=["GET", "PUT"]
        )
    Preflight(app, origins=[ORIGIN])
    return app


def _targets(app: Flask) -> dict[str, set[str]]:
    """Each route-table path regex and the targets it leads to."""
    out: dict[str, set[str]] = {}
    for entry in read_app(app).routes:
        out.setdefault(entry.path, set()).add(entry.target)
    return out


# --- regexes PCRE and Python read the same way -------------------------------------------

SAMPLES = (
    "https://a.example.com",
    "https://ab.example.com",
    "https://A.example.com",
    "https://a.example.com\n",
    "https://.example.com",
    "https://a-b.example.com:8443",
    "https://é.example.com",
    "http://a.example.com",
    "https://a.example.comx",
    "",
)


@pytest.mark.parametrize(
    ("pattern", "portable"),
    [
        (r"https://[a-z]+\.example\.com", True),
        (r"^https://[a-z0-9-]+\.example\.com(:[0-9]{1,5})?$", True),  # outer anchors are no-ops
        (r"https://(?:a|ab)\.example\.com", True),
        (r"https://[^.]+\.example\.com", True),
        (r"https://\d+\.example\.com", True),  # \d is 0-9 within latin-1
        ("https://é.example.com", True),
        (r"(?i)https://a\.example\.com", False),  # case folding differs beyond ASCII
        (r"https://\w+\.example\.com", False),  # \w is Unicode in Python, ASCII in PCRE
        (r"https://\s*a\.example\.com", False),
        (r"https://a\b\.example\.com", False),
        (r"https://(?=a)a\.example\.com", False),
        (r"https://(a)\1\.example\.com", False),
        (r"https://a\.example\.com$|https://b", False),  # an anchor inside a branch
        ("https://\u0100.example.com", False),  # beyond latin-1
    ],
)
def test_portable_regex_accepts_only_the_common_subset(pattern: str, portable: bool) -> None:
    out = portable_regex(pattern)
    assert (out is not None) == portable
    if out is not None:
        # The output is read by Python as it is by PCRE; it matches what the original does.
        for sample in SAMPLES:
            assert bool(re.fullmatch(out, sample)) == bool(re.fullmatch(pattern, sample)), sample


def test_portable_regex_can_forbid_a_character() -> None:
    assert portable_regex("[^/]+", forbid="/") is not None
    assert portable_regex("[^/].*?", forbid="/") is None
    assert portable_regex("[a-z/]+", forbid="/") is None
    assert portable_regex("[^a]", forbid="/") is None


# --- what is passed to the app --------------------------------------------------------


def test_a_literal_segment_and_a_converter_are_tried_in_werkzeugs_order() -> None:
    # "/items/new" matches both rules; Werkzeug tries the literal first, whatever the
    # method, then the converter: the static rule's methods come first in the table.
    edge = read_app(_app(**{"/items/<name>": {"max_age": 1}, "/items/new": {"max_age": 2}}))
    table = [(e.path, e.methods, e.target) for e in edge.routes if e.path.startswith("/items")]
    static, dynamic = "/items/new", "/items/(?:(?:[^\\x2f]){1,})"
    assert [(path, target == ROUTE_REFUSAL) for path, _, target in table] == [
        (static, False),
        (dynamic, False),
        (static, True),
        (dynamic, True),
    ]
    assert PASS not in {target for _, _, target in table}


def test_rules_whose_paths_may_overlap_otherwise_are_passed() -> None:
    # Three rules can match "/items/7": their order is the matcher's business.
    overlapping = _targets(_app(**{"/items/<name>": {}, "/items/<int:n>": {}, "/items/7": {}}))
    assert overlapping["/items/7"] == {PASS}
    assert overlapping["/items/(?:(?:[^\\x2f]){1,})"] == {PASS}
    # An int converter never matches "new": both are answered at the edge, in any order.
    disjoint = _targets(_app(**{"/items/<int:item_id>": {}, "/items/new": {}}))
    assert PASS not in disjoint["/items/new"]
    assert ROUTE_REFUSAL in disjoint["/items/new"]
    assert PASS not in disjoint["/items/(?:(?:[0-9]){1,})"]


def test_the_path_without_a_trailing_slash_is_passed() -> None:
    # Werkzeug redirects "/docs" to "/docs/"; Flask answers that.
    targets = _targets(_app(**{"/docs/": {}}))
    assert targets["/docs"] == {PASS}
    assert PASS not in targets["/docs/"]


def test_a_custom_converter_passes_every_path_under_its_prefix() -> None:
    class Upper(BaseConverter):
        regex = "[A-Z]+"

    app = Flask(__name__)
    app.url_map.converters["upper"] = Upper
    app.add_url_rule("/codes/<upper:code>", "code", lambda code: code)
    app.add_url_rule("/other", "other", lambda: "")
    Preflight(app, origins=[ORIGIN])
    targets = _targets(app)
    assert targets["/codes/[^\\x0a]*"] == {PASS}
    assert PASS not in targets["/other"]


@pytest.mark.parametrize(
    ("policy", "why"),
    [
        ({"origins": [lambda origin: origin.endswith(".example.com")]}, "a callable decides"),
        ({"origins": [re.compile(r"https://\w+\.example\.com")]}, "not portable"),
        ({"allow_headers": [re.compile("x-.*")]}, "allow_headers has regexes"),
    ],
)
def test_policies_the_edge_cannot_decide_are_passed(policy: dict[str, Any], why: str) -> None:
    app = _app(**{"/hard": policy, "/easy": {}})
    targets = _targets(app)
    assert targets["/hard"] == {PASS, ROUTE_REFUSAL}
    assert PASS not in targets["/easy"]
    assert any(why in line for line in read_app(app).passed)


def passed_app() -> Flask:
    """WSGI middleware between Preflight and Flask may change what Flask sees."""
    app = Flask(__name__)
    app.wsgi_app = ProxyFix(app.wsgi_app)  # type: ignore[method-assign]
    app.add_url_rule("/x", "x", lambda: "")
    Preflight(app, origins=[ORIGIN])
    return app


def test_middleware_between_preflight_and_flask_passes_everything() -> None:
    edge = read_app(passed_app())
    assert edge.everything_passed is not None
    assert edge.routes == () and edge.policies == ()
    http_conf = render(edge, "http://127.0.0.1:8000", "test")[HTTP_CONF]
    # No request is ever a preflight nginx decides: the gate has nothing but its default.
    gate = http_conf[http_conf.index("$fp_options_gate {") :].split("}", 1)[0]
    assert [line.strip() for line in gate.strip().splitlines()[1:]] == ['default "";']


def test_middleware_around_preflight_passes_everything() -> None:
    # Installed after Preflight(app): a mounted app answers /legacy/... itself, without
    # CORS, where the edge would have answered from this app's policy for unknown URLs.
    app = Flask(__name__)
    app.add_url_rule("/x", "x", lambda: "")
    Preflight(app, origins=[ORIGIN])
    legacy = Flask("legacy")
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/legacy": legacy})  # type: ignore[method-assign]
    edge = read_app(app)
    assert edge.everything_passed is not None
    assert "after Preflight(app)" in edge.everything_passed
    assert edge.routes == () and edge.policies == ()


def _gate_values(edge: Any) -> list[str]:
    """The values of the map that says which OPTIONS requests nginx decides."""
    http_conf = render(edge, "http://127.0.0.1:8000", "test")[HTTP_CONF]
    gate = http_conf[http_conf.index("$fp_options_gate {") :].split("}", 1)[0]
    return [line.strip().rsplit(" ", 1)[-1] for line in gate.strip().splitlines()[1:]]


def test_host_dependent_routing_passes_everything() -> None:
    app = _app(**{"/x": {}})
    app.config["SERVER_NAME"] = "api.example.com"
    edge = read_app(app)
    assert edge.everything_passed is not None
    # Routing depends on Host: not even a websocket-upgrade preflight is decided at the edge.
    assert not edge.refuses_upgrades
    assert _gate_values(edge) == ['"";']


def test_path_rules_pass_everything_but_websocket_upgrade_preflights() -> None:
    """compat's path rules: every request goes to the app, but a preflight that is a
    websocket upgrade is refused at the edge, as the app refuses it whatever the path;
    passed on, it would lose its Upgrade header (hop-by-hop) and the app could grant it
    (found by the nginx differential on tests/compat/migration/)."""
    from flask_preflight.compat import CORS

    app = _app(**{"/api/x": {}, "/y": {}})
    CORS(app, resources={"/api/*": {"origins": [ORIGIN]}})
    edge = read_app(app)
    assert edge.everything_passed is not None and edge.routes == ()
    assert edge.refuses_upgrades
    assert _gate_values(edge) == ['"";', "ws;"]  # the default, then the websocket row
    websocket = {"Connection": "Upgrade", "Upgrade": "websocket"}
    answer = app.test_client().options(
        "/api/x", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "PUT", **websocket}
    )
    assert answer.status_code == 403  # what the edge answers for it ("403u")


# --- determinism and locality --------------------------------------------------------------


def _exported(policy: dict[str, Any]) -> str:
    routes: dict[str, dict[str, Any]] = {f"/r{i}": {} for i in range(20)}
    routes["/r7"] = policy
    return render(read_app(_app(**routes)), "http://127.0.0.1:8000", "test")[HTTP_CONF]


def test_export_is_deterministic() -> None:
    assert _exported({"max_age": 5}) == _exported({"max_age": 5})


def test_a_change_to_one_routes_policy_changes_only_its_lines() -> None:
    before = _exported({"max_age": 5})
    after = _exported({"max_age": 6})
    changed = [
        line[1:]
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), n=0, lineterm="")
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    ids = set(re.findall(r"\bp[0-9a-f]{10}\b", "\n".join(changed)))
    assert len(ids) == 2  # the old policy's lines go, the new one's come
    assert changed
    for line in changed:
        assert "/r7" in line or any(policy_id in line for policy_id in ids), line


# --- the command --------------------------------------------------------------------------


def test_cli_writes_the_files_and_checks_for_drift(tmp_path: Path) -> None:
    app = _app(**{"/x": {}})
    runner = app.test_cli_runner()
    args = ["export", "nginx", "--upstream", "http://127.0.0.1:8000", "--output-dir", str(tmp_path)]
    written = runner.invoke(preflight_cli, args)
    assert written.exit_code == 0, written.output
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([HTTP_CONF, SERVER_CONF])
    assert "proxy_pass http://127.0.0.1:8000;" in (tmp_path / SERVER_CONF).read_text()

    fresh = runner.invoke(preflight_cli, [*args, "--check"])
    assert fresh.exit_code == 0, fresh.output
    assert "up to date" in fresh.output

    conf = tmp_path / HTTP_CONF
    conf.write_text(conf.read_text().replace('"600"', '"86400"'))
    stale = runner.invoke(preflight_cli, [*args, "--check"])
    assert stale.exit_code == 1
    lines = stale.output.splitlines()
    removed = [line for line in lines if line.startswith("-") and not line.startswith("---")]
    added = [line for line in lines if line.startswith("+") and not line.startswith("+++")]
    assert len(removed) == len(added) == 1
    assert '"86400"' in removed[0] and '"600"' in added[0]
    assert conf.read_text().count('"86400"') == 1  # --check writes nothing


@pytest.mark.parametrize("upstream", ["http://127.0.0.1:8000/", "http://app/api", "127.0.0.1:8000"])
def test_cli_refuses_an_upstream_with_a_path(tmp_path: Path, upstream: str) -> None:
    app = _app(**{"/x": {}})
    result = app.test_cli_runner().invoke(
        preflight_cli, ["export", "nginx", "--upstream", upstream, "--output-dir", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "scheme, host and port only" in result.output


def test_a_rule_beyond_latin1_leaves_the_other_routes_at_the_edge() -> None:
    targets = _targets(_app(**{"/日本/<name>": {}, "/日本": {}, "/easy": {}}))
    assert PASS not in targets["/easy"]
    assert all("\\x" not in path or path.isascii() for path in targets)


def varied_app() -> Flask:
    """Overlapping rules, a trailing slash, strict_slashes=False, many policies."""
    app = _app(
        **{"/items/<name>": {}, "/items/<int:n>": {}, "/items/7": {}, "/docs/": {"max_age": 1}},
        **{f"/r{i}/<int:n>": {"origins": [f"https://{i}.example.com"]} for i in range(40)},
    )
    app.add_url_rule("/loose", "loose", lambda: "", strict_slashes=False)
    return app


def test_export_is_the_same_bytes_in_another_process(tmp_path: Path) -> None:
    # String hashing differs between processes: nothing may depend on a set's order.
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        command = [sys.executable, "-m", "flask", "--app", "tests.edge.test_export:varied_app"]
        command += ["preflight", "export", "nginx", "--upstream", "http://127.0.0.1:8000"]
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([*command, "--output-dir", str(out)], check=True, env=env, cwd=ROOT)
        outputs.append({p.name: p.read_bytes() for p in out.iterdir()})
    assert outputs[0] == outputs[1]

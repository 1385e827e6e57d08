"""The policy registry of one app: the declared levels of each policy key (app, blueprints,
view, ``cors(...).endpoint``), their compiled policies and actual-request plans, frozen at the
first request. ``wsgi.py`` answers requests from it; ``extension.py`` creates it."""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
from typing import TYPE_CHECKING, Final

from flask import Flask

from ._flask import end_setup
from .decision import ActualPlan, ByMethod, Resolution, Route, actual_plan, describe_key
from .errors import PreflightConfigError, Problem
from .paths import PathPolicies
from .policy import (
    CompiledPolicy,
    Policy,
    check_effective,
    compile_policy,
    endpoint_policies,
    policy_of,
    resolve,
)
from .routing import Router, owner_key

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

logger = logging.getLogger("flask_preflight")

APP_LEVEL: Final = None  # the policy of URLs no rule or blueprint prefix claims


class PolicyRegistry:
    """The policies of one app: the app-level policy, the compiled policy of each
    endpoint, and the cache of route resolutions. (``wsgi.PreflightState``, the per-app
    state in ``app.extensions["preflight"]``, adds how the app is wired.)"""

    def __init__(self, app: Flask, app_levels: tuple[Policy, ...]) -> None:
        self.app = app
        self.app_levels = app_levels
        self.frozen = False
        self.policies: dict[str | None, CompiledPolicy] = {}  # filled by freeze()
        # How each endpoint answers actual requests (decision.actual_plan), for every
        # endpoint with CORS enabled whose policy does not depend on the request path;
        # filled by freeze().
        self.plans: dict[str | None, ActualPlan] = {}
        # The same plans' answers already built (``ActualPlan.by_method``), by the same keys:
        # what the direct wrapper reads on every actual request (two lookups and a ``get``).
        self.answers: dict[str | None, ByMethod] = {}
        self._plans_by_policy: dict[int, tuple[CompiledPolicy, ActualPlan | None]] = {}
        self._by_levels: dict[
            tuple[int, ...], tuple[CompiledPolicy | None, list[Problem], list[Policy]]
        ] = {}
        self.router = Router(app)
        self._lock = threading.Lock()
        # Path rules (paths.py), set by a front such as flask_preflight.compat: when set,
        # an endpoint's policy also depends on the request path.
        self.paths: PathPolicies | None = None

    def levels_for(self, endpoint: str | None) -> list[Policy]:
        """The declared levels of an endpoint, lowest first: app, blueprints, view."""
        levels = list(self.app_levels)
        if endpoint is None:
            return levels
        blueprint_path = endpoint.rpartition(".")[0]
        if blueprint_path:
            names = blueprint_path.split(".")
            for depth in range(1, len(names) + 1):
                policy = policy_of(self.app.blueprints.get(".".join(names[:depth])))
                if policy is not None:
                    levels.append(policy)
        view = self.app.view_functions.get(endpoint)
        # A View class's policy overrides one given to its view function (by a decorator
        # applied to every view, such as flask-restx's ``Api(decorators=[cors(...)])``).
        for target in (view, getattr(view, "view_class", None)):
            policy = policy_of(target)
            if policy is not None and all(policy is not level for level in levels):
                levels.append(policy)
        by_name = endpoint_policies(self.app.extensions).get(
            endpoint
        )  # cors(...).endpoint(app, name)
        if by_name is not None:
            levels.append(by_name)
        return levels

    def _endpoint_problems(self) -> list[Problem]:
        """``cors(...).endpoint(app, name)`` naming no endpoint, or one whose view has its
        own ``cors()`` policy."""
        problems = []
        for name, policy in endpoint_policies(self.app.extensions).items():
            view = self.app.view_functions.get(name)
            if name not in self.app.view_functions:
                known = ", ".join(sorted(self.app.view_functions)[:20])
                problems.append(
                    Problem(
                        "endpoint", name, policy.source, f"the app has no such endpoint ({known})"
                    )
                )
            elif any(policy_of(t) for t in (view, getattr(view, "view_class", None))):
                problems.append(
                    Problem(
                        "endpoint",
                        name,
                        policy.source,
                        "its view already has a cors() policy: merge the two into one",
                    )
                )
        return problems

    def _compile(
        self, endpoint: str | None, path_level: Policy | None = None
    ) -> tuple[CompiledPolicy | None, list[Problem]]:
        """Compile one endpoint's policy. Endpoints with the same levels (every view of a
        blueprint without its own policy, say) share one compiled policy, so start-up
        time and memory grow with the number of distinct policies, not of routes."""
        levels = self.levels_for(endpoint)
        if path_level is not None:  # a path rule's level: above the app's, below the rest
            levels.insert(len(self.app_levels), path_level)
        key = tuple(map(id, levels))
        cached = self._by_levels.get(key)
        if cached is None:
            effective = resolve(levels)
            problems = check_effective(effective, "")
            cached = (None if problems else compile_policy(effective), problems, levels)
            self._by_levels[key] = cached  # keeps ``levels`` alive, so ids stay unique
        return cached[0], [replace(problem, where=describe_key(endpoint)) for problem in cached[1]]

    def compile_all(self) -> dict[str | None, CompiledPolicy]:
        """Compile every endpoint's policy; raise one error listing every problem."""
        compiled: dict[str | None, CompiledPolicy] = {}
        problems: list[Problem] = []
        owners = map(owner_key, self.router.owners)
        for endpoint in (APP_LEVEL, *self.app.view_functions, *owners):
            policy, found = self._compile(endpoint)
            problems.extend(found)
            if policy is not None:
                compiled[endpoint] = policy
        if problems:
            raise PreflightConfigError(problems)
        return compiled

    def freeze(self) -> None:
        """Compile all policies before the first request is served. Like any first request
        in Flask, it ends setup: adding routes afterwards raises, which keeps the route
        cache and the compiled policies true."""
        with self._lock:
            if self.frozen:
                return
            self.router.freeze()
            problems = self._endpoint_problems()
            if problems:
                raise PreflightConfigError(problems)
            self.policies = self.compile_all()
            self.on_freeze()
            if self.paths is None:
                fixed = self.policies
            else:  # path rules: only endpoints whose policy is the same on every path
                keys = (APP_LEVEL, *self.app.view_functions, *map(owner_key, self.router.owners))
                self.paths.check(keys, self._compile, self._templates_of)
                self.policies = {}
                fixed = {}
                for key in keys:
                    every_path, level = self.paths.level_for_every_path(key)
                    if every_path:
                        fixed[key] = self._compile_checked(key, level)
            for key, policy in fixed.items():
                plan = self.plan_of(policy)
                if plan is not None:
                    self._keep_plan(key, plan)
            end_setup(self.app)
            self.frozen = True

    def policy_for(
        self, endpoint: str | None, environ: WSGIEnvironment | None = None
    ) -> CompiledPolicy:
        if self.paths is not None:  # path rules: the policy of (endpoint, request path)
            path = environ.get("PATH_INFO") if environ is not None else None
            return self.paths.policy_for(endpoint, path, self._compile_checked)
        try:
            return self.policies[endpoint]
        except KeyError:
            pass
        policy, problems = self._compile(endpoint)
        if policy is None:
            raise PreflightConfigError(problems)
        self.policies[endpoint] = policy
        return policy

    def check_path_rules(self) -> None:
        """Check the path rules (``paths``) with the views declared so far and raise one
        error listing every conflict, as a front adds rules (the check at freeze covers
        every view and path)."""
        if self.paths is not None:
            self.paths.check(self.app.view_functions, self._compile)

    def _templates_of(self, endpoint: str | None) -> list[str] | None:
        """The rule templates of a view's endpoint; ``None`` (any path) for the app level
        and a blueprint's unrouted URLs."""
        if endpoint is None or endpoint not in self.app.view_functions:
            return None
        templates: list[str] = []
        for rule in self.app.url_map.iter_rules():
            if rule.endpoint == endpoint:
                templates.append(rule.rule)
                if rule.strict_slashes is False:  # also routed with or without a final slash
                    bare = rule.rule.rstrip("/")
                    templates.extend((bare or "/", bare + "/"))
        return templates

    def plan_of(self, policy: CompiledPolicy) -> ActualPlan | None:
        """How ``policy`` answers actual requests (``decision.actual_plan``); ``None`` when
        CORS is not enabled (the response is left alone). Built once per compiled policy."""
        known = self._plans_by_policy.get(id(policy))
        if known is not None:
            return known[1]
        plan = actual_plan(policy) if policy.enabled else None
        self._plans_by_policy[id(policy)] = (policy, plan)  # keeps the id's object alive
        return plan

    def plan_for(self, endpoint: str | None, environ: WSGIEnvironment) -> ActualPlan | None:
        """The plan of ``endpoint`` for the request ``environ`` describes: the one decided
        at the first request, else (no rule matched, a policy chosen by path too, or CORS
        not enabled) the plan of the policy ``policy_for`` chooses."""
        plan = self.plans.get(endpoint)
        if plan is None:
            plan = self.plan_of(self.policy_for(endpoint, environ))
            if plan is not None and self.paths is None:
                self._keep_plan(endpoint, plan)
        return plan

    def _keep_plan(self, key: str | None, plan: ActualPlan) -> None:
        """Remember ``key``'s plan for every later request, with its answers already built
        (``answers``, which the direct wrapper reads): the one place the two are kept in
        step."""
        self.plans[key] = plan
        self.answers[key] = plan.by_method

    def _compile_checked(self, endpoint: str | None, path_level: Policy | None) -> CompiledPolicy:
        """The policy of a combination the check at freeze compiled; should one it missed be
        invalid, the request is refused and the problem logged, never raised."""
        policy, problems = self._compile(endpoint, path_level)
        if policy is None:
            logger.error(
                "refusing CORS: a policy was not checked before the first request: %s",
                PreflightConfigError(problems),
            )
            return REFUSE_ALL
        return policy

    def route(self, environ: WSGIEnvironment, method: str) -> Resolution:
        """Where a preflight to ``environ``'s URL for ``method`` would go (``routing.py``).
        Outside a request (the testing helper, the CLI), this ends the app's setup first,
        as a request does: routes resolved before then would miss the blueprints' URL
        prefixes, and stay cached."""
        if not self.frozen:
            self.freeze()
        return self.router.route(environ, method)

    # --- actual requests ------------------------------------------------------------------

    def routed_endpoint(self, environ: WSGIEnvironment) -> str | None:
        """The policy key of the actual request ``environ`` describes, routed outside any
        request (for the testing helper and the CLI): its endpoint, else the blueprint
        owning its path, else the app level."""
        route = self.route(environ, str(environ.get("REQUEST_METHOD", "")).upper())
        if isinstance(route, Route):
            return route.endpoint
        try:
            app = self.app
            adapter = app.create_url_adapter(app.request_class(environ))
            return self.router.policy_key(None, adapter)
        except Exception:
            return APP_LEVEL

    def on_freeze(self) -> None:
        """What ``freeze`` does once the policies are compiled, before the plans: nothing
        here; the WSGI layer's state wires the app into Flask again (``wsgi.py``)."""


# What a request gets whose policy failed to compile after start-up (never expected).
REFUSE_ALL: Final = compile_policy(resolve(()))

"""Policies chosen by request path: an ordered list of path rules, each adding a level.

Flask-Preflight chooses a policy by endpoint (app, blueprints, view). Some configurations
also depend on the URL path a request was sent to, including paths no rule matches (404s):
``PathPolicies`` holds an ordered list of ``PathRule``; the first rule whose scope holds the
endpoint and whose matcher matches the path adds its level between the app levels and the
blueprint and view levels. The order is the rules' ``precedence`` (a nested blueprint's
rules before those of the blueprints holding it, those before the app's), then the order in
which they were added; ``PathPolicies`` keeps it, nobody sorts its rules. An ``override``
may instead name the level of one endpoint whatever its path (a front uses it for views
whose policy must ignore path rules).

The answer for an (endpoint, path) pair is computed once and kept in a bounded FIFO cache,
as the route cache does, so a request never scans the rules again once its path was seen.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Final, Union

from .cache import CACHE_SIZE, FROM_APP, MAX_CACHED_PATH_LENGTH, BoundedCache
from .errors import PreflightConfigError, Problem
from .policy import CompiledPolicy, Policy
from .regexes import literal_prefix, matches_everything
from .urlpath import wsgi_path

PATH_CACHE_SIZE: Final = CACHE_SIZE
# A cached answer's key: the endpoint (from the app), the raw WSGI PATH_INFO (a request's).
PATH_KEY_LIMITS: Final = (FROM_APP, MAX_CACHED_PATH_LENGTH)

PathPredicate = Callable[[str], bool]
PathMatcher = Union[str, "re.Pattern[str]", PathPredicate]


@dataclass(frozen=True)
class PathRule:
    """One rule: ``match`` is an exact path, a compiled regex (matched whole, like origin
    regexes) or a predicate; ``scope`` limits the rule to the endpoints of one blueprint
    (its dotted name) and its nested blueprints; ``source`` says where it was declared."""

    match: PathMatcher
    level: Policy
    scope: str | None = None
    source: str = ""

    def matches(self, path: str) -> bool:
        if isinstance(self.match, str):
            return path == self.match
        if isinstance(self.match, re.Pattern):
            return self.match.fullmatch(path) is not None
        try:
            return self.match(path) is True
        except Exception:  # a predicate that fails matches nothing, as origin predicates
            return False

    def may_match(self, template: str) -> bool:
        """Whether some path a Werkzeug rule ``template`` (``/users/<int:uid>``) routes can
        match this rule; ``False`` only when proven: a static template is matched as it
        is, a dynamic one by the text before its first converter against an exact path or
        the literal text every match of the regex starts with."""
        if "<" not in template:
            return self.matches(template)
        start = template[: template.index("<")]
        if isinstance(self.match, str):
            return self.match.startswith(start)
        if isinstance(self.match, re.Pattern):
            prefix = literal_prefix(self.match)
            return prefix.startswith(start) or start.startswith(prefix)
        return True

    @property
    def matches_every_path(self) -> bool:
        """Whether the rule matches every path, proven from its regex's parse tree."""
        return isinstance(self.match, re.Pattern) and matches_everything(self.match)

    @property
    def precedence(self) -> int:
        """The rule's ordering key, higher first: the depth of its scope (0 unscoped, 1 a
        blueprint, 2 a blueprint nested in one...). A rule scoped to a blueprint is tried
        before the rules of the blueprints holding it and the unscoped ones, as a
        blueprint's policy overrides the app's; rules of different blueprints of one depth
        never apply to the same endpoint."""
        return 0 if self.scope is None else self.scope.count(".") + 1

    def applies_to(self, endpoint: str | None) -> bool:
        if self.scope is None:
            return True
        return endpoint is not None and endpoint.startswith(self.scope + ".")


class PathPolicies:
    """The ordered path rules of one app, and the bounded cache of their answers. ``rules``
    is always in matching order: by ``PathRule.precedence``, higher first, and among rules
    of one precedence in the order they were added."""

    def __init__(
        self,
        rules: Iterable[PathRule] = (),
        override: Callable[[str | None], Policy | None] | None = None,
        on_freeze: Callable[[], None] | None = None,
    ) -> None:
        self.rules: tuple[PathRule, ...] = _in_order(tuple(rules))
        self.override = override
        self.on_freeze = on_freeze  # called once the app's setup is done, before the check
        self._cache: BoundedCache[CompiledPolicy] = BoundedCache(PATH_KEY_LIMITS, PATH_CACHE_SIZE)

    def add(self, rules: Iterable[PathRule], *, first: bool = False) -> None:
        """Add rules after the existing ones of the same precedence, or before them with
        ``first``. Only during setup: the cache is cleared."""
        new = tuple(rules)
        self.rules = _in_order(new + self.rules if first else self.rules + new)
        self._cache.clear()

    def rule_for(self, endpoint: str | None, path: str) -> PathRule | None:
        """The first rule that applies to ``endpoint`` and matches ``path``, if any."""
        for rule in self.rules:
            if rule.applies_to(endpoint) and rule.matches(path):
                return rule
        return None

    def level_for(self, endpoint: str | None, path: str | None) -> Policy | None:
        """The level to add for this endpoint and path: the override's, else the first
        matching rule's, else ``None``."""
        if self.override is not None:
            level = self.override(endpoint)
            if level is not None:
                return level
        if path is None:
            return None
        rule = self.rule_for(endpoint, path)
        return None if rule is None else rule.level

    def level_for_every_path(self, endpoint: str | None) -> tuple[bool, Policy | None]:
        """``(True, level)`` when ``endpoint``'s level is the same whatever the path (the
        override's; the first applicable rule's when it matches every path; ``None`` when
        no rule applies), so its policy can be decided once; else ``(False, None)``."""
        if self.override is not None:
            level = self.override(endpoint)
            if level is not None:
                return True, level
        for rule in self.rules:
            if rule.applies_to(endpoint):
                return (True, rule.level) if rule.matches_every_path else (False, None)
        return True, None

    def check(
        self,
        endpoints: Iterable[str | None],
        compile_with: Callable[
            [str | None, Policy | None], tuple[CompiledPolicy | None, list[Problem]]
        ],
        templates_of: Callable[[str | None], Iterable[str] | None] | None = None,
    ) -> None:
        """Compile every combination a request can be served with, before the first request,
        and raise one error listing every conflict: each endpoint's override, else each
        endpoint under every rule that applies to it and may match one of its paths
        (``templates_of(endpoint)``: its Werkzeug rule templates, ``None`` for any path),
        and under no rule. With ``templates_of`` this is the check at freeze: ``on_freeze``
        runs first."""
        if self.on_freeze is not None and templates_of is not None:
            self.on_freeze()
        problems: list[Problem] = []
        for rule in self.rules:
            found = compile_with(None, rule.level)[1]
            problems.extend(replace(problem, where=rule.source) for problem in found)
        for endpoint in endpoints:
            level = None if self.override is None else self.override(endpoint)
            if level is not None:
                problems.extend(compile_with(endpoint, level)[1])
                continue
            if templates_of is None:
                continue
            templates = templates_of(endpoint)
            for rule in self.rules:
                if not rule.applies_to(endpoint):
                    continue
                if templates is not None and not any(rule.may_match(t) for t in templates):
                    continue
                found = compile_with(endpoint, rule.level)[1]
                problems.extend(
                    replace(problem, where=f"{problem.where} at paths of {rule.source}")
                    for problem in found
                )
        if problems:
            unique = {str(problem): problem for problem in problems}
            raise PreflightConfigError(unique.values())

    def policy_for(
        self,
        endpoint: str | None,
        environ_path: object,
        compile_with: Callable[[str | None, Policy | None], CompiledPolicy],
    ) -> CompiledPolicy:
        """The compiled policy of ``endpoint`` at a request's WSGI ``PATH_INFO``:
        ``compile_with(endpoint, level)`` on the first request for the pair, the cached
        answer afterwards (keyed on the raw path: a hit decodes nothing; a raw path over
        ``MAX_CACHED_PATH_LENGTH`` is answered, never cached)."""
        key = (endpoint, environ_path)
        try:
            return self._cache[key]
        except (KeyError, TypeError):  # TypeError: an unhashable PATH_INFO, never cached
            pass
        policy = compile_with(endpoint, self.level_for(endpoint, wsgi_path(environ_path)))
        self._cache.store(key, policy)
        return policy


def _in_order(rules: tuple[PathRule, ...]) -> tuple[PathRule, ...]:
    """``rules`` in matching order: higher precedence first; a stable sort keeps the given
    order among rules of one precedence."""
    return tuple(sorted(rules, key=lambda rule: -rule.precedence))

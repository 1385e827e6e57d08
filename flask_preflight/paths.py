"""Policies chosen by request path: an ordered list of path rules, each adding a level.

Flask-Preflight chooses a policy by endpoint (app, blueprints, view). Some configurations
also depend on the URL path a request was sent to, including paths no rule matches (404s):
``PathPolicies`` holds an ordered list of ``PathRule``; the first rule whose scope holds the
endpoint and whose matcher matches the path adds its level between the app levels and the
blueprint and view levels. An ``override`` may instead name the level of one endpoint
whatever its path (a front uses it for views whose policy must ignore path rules).

The answer for an (endpoint, path) pair is computed once and kept in a bounded FIFO cache,
as the route cache does, so a request never scans the rules again once its path was seen.

Nothing here imports Flask.
"""

from __future__ import annotations

import importlib
import re
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final, Union

from .errors import PreflightConfigError, Problem
from .headers import CACHE_SIZE, MAX_CACHED_PATH_LENGTH
from .policy import CompiledPolicy, Policy

PATH_CACHE_SIZE: Final = CACHE_SIZE

# The regex parser (``re._parser``; ``sre_parse`` before Python 3.11), read to prove that a
# path regex matches every path; untyped, hence ``Any``.
_sre_parser: Any = importlib.import_module(
    "re._parser" if sys.version_info >= (3, 11) else "sre_parse"
)
_REPEATS = tuple(
    getattr(_sre_parser, name)
    for name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")
    if hasattr(_sre_parser, name)
)

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

    @property
    def matches_every_path(self) -> bool:
        """Whether the rule matches every path, proven from its regex's parse tree."""
        return isinstance(self.match, re.Pattern) and matches_everything(self.match)

    def applies_to(self, endpoint: str | None) -> bool:
        if self.scope is None:
            return True
        return endpoint is not None and endpoint.startswith(self.scope + ".")


def matches_everything(pattern: re.Pattern[str]) -> bool:
    """Whether ``pattern.fullmatch`` matches every string, read from its parse tree: a
    sequence of items that each match the empty string at any position (repeats of at
    least zero times, groups of such), one of which is ``.*`` with DOTALL (compat's
    ``"/*"`` becomes ``(?:/*)(?s:.*)``). Anything else is not proven, so ``False``."""
    try:
        parsed = _sre_parser.parse(pattern.pattern, pattern.flags)
    except Exception:
        return False
    dotall = bool(parsed.state.flags & re.DOTALL)
    return _sequence(list(parsed), dotall) == _EVERYTHING


_EMPTY, _EVERYTHING, _UNPROVEN = 1, 2, 0


def _sequence(items: list[tuple[Any, Any]], dotall: bool) -> int:
    """``_EVERYTHING`` when the items match every string, ``_EMPTY`` when they match the
    empty string at any position, else ``_UNPROVEN``."""
    result = _EMPTY
    for op, av in items:
        if op in _REPEATS and av[0] == 0:
            _, high, body = av
            body = list(body)
            everything = (
                high == _sre_parser.MAXREPEAT and dotall and body == [(_sre_parser.ANY, None)]
            )
            if everything:
                result = _EVERYTHING
        elif op is _sre_parser.SUBPATTERN:
            _, add_flags, del_flags, body = av
            inner_dotall = (dotall or bool(add_flags & re.DOTALL)) and not (del_flags & re.DOTALL)
            inner = _sequence(list(body), inner_dotall)
            if inner == _UNPROVEN:
                return _UNPROVEN
            result = max(result, inner)
        else:
            return _UNPROVEN
    return result


def wsgi_path(environ_path: object) -> str | None:
    """A request path as Flask's ``request.path`` reads it: the WSGI ``PATH_INFO`` (bytes
    as latin-1) decoded once as UTF-8, with one leading slash. ``None`` when not a str."""
    if not isinstance(environ_path, str):
        return None
    try:
        path = environ_path.encode("latin-1").decode("utf-8", "replace")
    except UnicodeEncodeError:  # already decoded by a non-conforming server
        path = environ_path
    return "/" + path.lstrip("/")


class PathPolicies:
    """The ordered path rules of one app, and the bounded cache of their answers."""

    def __init__(
        self,
        rules: Iterable[PathRule] = (),
        override: Callable[[str | None], Policy | None] | None = None,
    ) -> None:
        self.rules: list[PathRule] = list(rules)
        self.override = override
        self._cache: dict[tuple[str | None, object], CompiledPolicy] = {}
        self._lock = threading.Lock()

    def add(self, rules: Iterable[PathRule], *, first: bool = False) -> None:
        """Add rules after the existing ones, or before them with ``first``. Only during
        setup: the cache is cleared."""
        new = list(rules)
        self.rules = new + self.rules if first else self.rules + new
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
    ) -> None:
        """Compile every rule's level over the app's, and every override over its endpoint's
        levels, before the first request: raise one error listing every conflict."""
        problems: list[Problem] = []
        for rule in self.rules:
            problems.extend(compile_with(None, rule.level)[1])
        if self.override is not None:
            for endpoint in endpoints:
                level = self.override(endpoint)
                if level is not None:
                    problems.extend(compile_with(endpoint, level)[1])
        if problems:
            raise PreflightConfigError(problems)

    def policy_for(
        self,
        endpoint: str | None,
        environ_path: object,
        compile_with: Callable[[str | None, Policy | None], CompiledPolicy],
    ) -> CompiledPolicy:
        """The compiled policy of ``endpoint`` at a request's WSGI ``PATH_INFO``:
        ``compile_with(endpoint, level)`` on the first request for the pair, the cached
        answer afterwards (keyed on the raw path: a hit decodes nothing)."""
        try:
            return self._cache[(endpoint, environ_path)]
        except (KeyError, TypeError):
            pass
        path = wsgi_path(environ_path)
        policy = compile_with(endpoint, self.level_for(endpoint, path))
        if path is not None and len(path) <= MAX_CACHED_PATH_LENGTH:
            key = (endpoint, environ_path)
            with self._lock:
                if len(self._cache) >= PATH_CACHE_SIZE:
                    del self._cache[next(iter(self._cache))]
                self._cache[key] = policy
        return policy

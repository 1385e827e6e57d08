"""Which path rules (paths.py) can apply to the concrete paths a URL rule serves.

A URL rule such as ``/users/<int:uid>/profile`` serves many paths (``/users/5/profile``,
and, since Werkzeug's ``int`` converter is ``\\d+``, ``/users/٣/profile`` too), and a path
rule is chosen per concrete path, first match wins. To tell which path rules a rule's paths
can fall under, this module proves it on regular languages rather than trying examples:

- the URL rule becomes a finite automaton (``automaton.exact_nfa``): its static text, and
  each converter's ``regex`` (built-in or custom) parsed with the ``re`` module's own parser;
- each path rule's matcher becomes one too (an exact path, or a regex matched whole);
- one joint subset construction over all of them (``automaton.steps``) visits every
  reachable combination of states; wherever the URL rule's automaton accepts, the first
  path rule that accepts is the one a real request to that path would get, and the
  characters read so far spell a concrete path that proves it (the *witness*).

Regex features outside regular languages or this translation (lookarounds, backreferences,
anchors other than a leading ``^``, case-insensitive matching, atomic groups, possessive
repeats) and predicate matchers are not guessed: such a path rule "may match" anywhere, so
it and every rule after it count as possible. A construction larger than a fixed bound is
not guessed either: every applicable rule then counts as possible.

Nothing here imports Flask.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from .automaton import Nfa, Unsupported, exact_nfa, literal_nfa, steps
from .errors import PreflightConfigError
from .paths import PathRule
from .policy import EffectivePolicy, field_values, narrowest

if TYPE_CHECKING:
    from .registry import PolicyRegistry


MAX_STATES: Final = 20000  # joint states visited before giving up (every rule then possible)
# Preferred witness characters, so that a witness path reads well where it can.
_PREFERRED: Final = "a0x1-_.~Az/"
_PREFERRED_CODES: Final = tuple(map(ord, _PREFERRED))


_RULE_PART: Final = re.compile(r"<(?:[a-zA-Z_][a-zA-Z0-9_]*(?:\((?:[^)]*)\))?:)?([a-zA-Z_]\w*)>")


def url_rule_automaton(
    template: str, converters: dict[str, Any], strict_slashes: bool = True
) -> Nfa:
    """An automaton accepting every path the URL rule ``template`` can match (and perhaps
    more): its static text literally, each ``<converter:name>`` as the converter's
    ``regex``, and without ``strict_slashes`` an optional trailing slash."""
    if not strict_slashes:
        template = template.rstrip("/") if template != "/" else template
    pieces: list[str] = []
    position = 0
    for match in _RULE_PART.finditer(template):
        pieces.append(re.escape(template[position : match.start()]))
        converter = converters.get(match.group(1))
        regex = getattr(converter, "regex", None)
        if not isinstance(regex, str):
            raise Unsupported(f"converter of <{match.group(1)}> has no regex")
        pieces.append(f"(?:{regex})")
        position = match.end()
    pieces.append(re.escape(template[position:]))
    if not strict_slashes:
        pieces.append("/?")
    return exact_nfa("".join(pieces))


# --- the joint construction ------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A path rule (``None``: no rule) some path of the URL rule can fall under: ``witness``
    is such a path; ``proven`` is False when it is only possible (an untranslatable matcher
    before it may have caught the path)."""

    rule: PathRule | None
    witness: str
    proven: bool


def _pick(charset_lo: int, charset_hi: int) -> str:
    for code in _PREFERRED_CODES:
        if charset_lo <= code <= charset_hi:
            return chr(code)
    code = charset_lo
    while code <= charset_hi and (0xD800 <= code <= 0xDFFF or not chr(code).isprintable()):
        code += 1
        if code - charset_lo > 256:
            break
    return chr(code if code <= charset_hi else charset_lo)


def _matcher_automaton(rule: PathRule) -> Nfa | None:
    if isinstance(rule.match, str):
        return literal_nfa(rule.match)
    if isinstance(rule.match, re.Pattern):
        try:
            return exact_nfa(rule.match)
        except Unsupported:
            return None
    return None  # a predicate


def candidates(path_language: Nfa, rules: Sequence[PathRule]) -> list[Candidate]:
    """The path rules (in order, ``None`` last for "no rule") that the paths
    ``path_language`` accepts can fall under, each with a witness path."""
    machines = [_matcher_automaton(rule) for rule in rules]
    known = [(i, m) for i, m in enumerate(machines) if m is not None]
    automata = [path_language] + [m for _, m in known]
    start = tuple(a.closure([a.start]) for a in automata)
    found: dict[int, Candidate] = {}  # rule index (len(rules): no rule) -> candidate
    seen = {start}
    queue: deque[tuple[tuple[frozenset[int], ...], str]] = deque([(start, "")])
    while queue:
        if len(seen) > MAX_STATES:  # not proven: every rule counts as possible
            return [Candidate(rule, "", False) for rule in [*rules, None]]
        states, text = queue.popleft()
        if path_language.accept in states[0]:
            accepting = {
                i for (i, _), s, a in zip(known, states[1:], automata[1:]) if a.accept in s
            }
            proven = True
            for index in range(len(rules) + 1):
                if index < len(rules) and machines[index] is None:
                    if index not in found:
                        found[index] = Candidate(rules[index], text, False)
                    proven = False
                    continue
                if index == len(rules) or index in accepting:
                    if index not in found or (proven and not found[index].proven):
                        rule = rules[index] if index < len(rules) else None
                        found[index] = Candidate(rule, text, proven)
                    break
        for char, successor in _successors(automata, states):
            key = tuple(successor)
            if key not in seen:
                seen.add(key)
                queue.append((key, text + char))
    return [found[index] for index in sorted(found)]


def _successors(
    automata: Sequence[Nfa], states: tuple[frozenset[int], ...]
) -> list[tuple[str, list[frozenset[int]]]]:
    """The distinct successors of a joint state where the URL rule's automaton (the first)
    goes on, each with one character leading to it: readable characters first."""
    found = []
    for pieces, targets in steps(automata, states):
        if not targets[0]:
            continue  # no path of the URL rule continues with these characters
        key = min(_witness(lo, hi) for lo, hi in pieces)
        successor = [automaton.closure(t) for automaton, t in zip(automata, targets)]
        found.append((key, successor))
    found.sort(key=lambda item: item[0][:2])
    return [(char, successor) for (_, _, char), successor in found]


def _witness(lo: int, hi: int) -> tuple[bool, int, str]:
    """A character of ``lo``..``hi`` for a witness path, with its rank (readable first)."""
    char = _pick(lo, hi)
    return (char not in _PREFERRED, lo, char)


# --- an endpoint's policy when path rules apply ----------------------------------------


@dataclass(frozen=True)
class PathChoice:
    """The policy the paths of some URL rules of one endpoint get. ``effective`` is the one
    policy every such path gets, or, when ``varies``, the narrowest policy (policy.py's
    ``narrowest``) of the ``candidates``: each path rule some path can fall under, with a
    witness path and that pairing's policy."""

    effective: EffectivePolicy
    candidates: tuple[tuple[Candidate, EffectivePolicy], ...]
    varies: bool


def _languages(url_rules: Iterable[Any]) -> Iterator[Nfa | None]:
    for url_rule in url_rules:
        try:
            yield url_rule_automaton(
                url_rule.rule,
                getattr(url_rule, "_converters", {}),
                getattr(url_rule, "strict_slashes", True) is not False,
            )
        except Unsupported:
            yield None


def choose_policy(state: PolicyRegistry, endpoint: str, url_rules: Iterable[Any]) -> PathChoice:
    """What ``endpoint``'s paths under ``url_rules`` (Werkzeug rules) get: proven on every
    concrete path they serve, never read off the rules' template text."""
    return _choose(state, endpoint, _languages(url_rules))


def choose_unrouted_policy(state: PolicyRegistry) -> PathChoice:
    """What the paths no URL rule matches get at the app level: any path can be one."""
    return _choose(state, None, iter([exact_nfa(r"/.*", re.DOTALL)]))


def _choose(
    state: PolicyRegistry, endpoint: str | None, languages: Iterator[Nfa | None]
) -> PathChoice:
    paths = state.paths
    override = paths.override(endpoint) if paths is not None and paths.override else None
    if paths is None or override is not None:
        policy = state.policy_for(endpoint, {})
        return PathChoice(policy.effective, (), False)
    applicable = [rule for rule in paths.rules if rule.applies_to(endpoint)]
    found: dict[int, Candidate] = {}  # by id of the rule; 0 for no rule
    for language in languages:
        if language is None:
            listed = [Candidate(rule, "", False) for rule in [*applicable, None]]
        else:
            listed = candidates(language, applicable)
        for candidate in listed:
            key = id(candidate.rule) if candidate.rule is not None else 0
            if key not in found or (candidate.proven and not found[key].proven):
                found[key] = candidate
    pairs: list[tuple[Candidate, EffectivePolicy]] = []
    for candidate in found.values():
        level = candidate.rule.level if candidate.rule is not None else None
        compiled, problems = state._compile(endpoint, level)
        if compiled is None:
            raise PreflightConfigError(problems)
        pairs.append((candidate, compiled.effective))
    if not pairs:  # the endpoint has no URL rule: the no-rule policy
        policy = state.policy_for(endpoint, {})
        return PathChoice(policy.effective, (), False)
    if len({field_values(effective) for _, effective in pairs}) == 1:
        return PathChoice(pairs[0][1], tuple(pairs), False)
    # No path rule first: where nothing is admitted, its other fields are the plainest.
    pairs.sort(key=lambda pair: pair[0].rule is not None)
    met = narrowest([effective for _, effective in pairs], "narrowest of its paths' policies")
    return PathChoice(met, tuple(pairs), True)

"""Which path rules (paths.py) can apply to the concrete paths a URL rule serves.

A URL rule such as ``/users/<int:uid>/profile`` serves many paths (``/users/5/profile``,
and, since Werkzeug's ``int`` converter is ``\\d+``, ``/users/٣/profile`` too), and a path
rule is chosen per concrete path, first match wins. To tell which path rules a rule's paths
can fall under, this module proves it on regular languages rather than trying examples:

- the URL rule becomes a finite automaton: its static text, and each converter's ``regex``
  (built-in or custom) parsed with the ``re`` module's own parser;
- each path rule's matcher becomes one too (an exact path, or a regex matched whole);
- one joint subset construction over all of them visits every reachable combination of
  states; wherever the URL rule's automaton accepts, the first path rule that accepts is
  the one a real request to that path would get, and the characters read so far spell a
  concrete path that proves it (the *witness*).

Regex features outside regular languages or this translation (lookarounds, backreferences,
anchors other than a leading ``^``, case-insensitive matching, atomic groups, possessive
repeats) and predicate matchers are not guessed: such a path rule "may match" anywhere, so
it and every rule after it count as possible. A construction larger than a fixed bound is
not guessed either: every applicable rule then counts as possible.

Nothing here imports Flask.
"""

from __future__ import annotations

import functools
import importlib
import itertools
import re
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from .errors import PreflightConfigError
from .paths import PathRule
from .policy import EffectivePolicy, field_values, narrowest

if TYPE_CHECKING:
    from .registry import PolicyRegistry


def _re_internals(name: str, before_311: str) -> Any:
    """The ``re`` module's parser (``re._parser`` since 3.11, ``sre_parse`` before)."""
    try:
        return importlib.import_module(name)
    except ImportError:  # pragma: no cover - Python < 3.11
        return importlib.import_module(before_311)


sre_parse = _re_internals("re._parser", "sre_parse")
sre_constants = _re_internals("re._constants", "sre_constants")


MAX_CODE: Final = 0x10FFFF
MAX_STATES: Final = 20000  # joint states visited before giving up (every rule then possible)
MAX_UNROLL: Final = 64  # a bounded repeat larger than this is not unrolled (not proven)
# Preferred witness characters, so that a witness path reads well where it can.
_PREFERRED: Final = "a0x1-_.~Az/"
_PREFERRED_CODES: Final = tuple(map(ord, _PREFERRED))

Interval = tuple[int, int]
CharSet = tuple[Interval, ...]  # sorted, disjoint, inclusive ranges of code points


class Unproven(Exception):
    """A regex this module cannot translate into an automaton."""


# --- character sets --------------------------------------------------------------------


def _normalize(intervals: Iterable[Interval]) -> CharSet:
    merged: list[list[int]] = []
    for lo, hi in sorted(intervals):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return tuple((lo, hi) for lo, hi in merged)


def _negate(charset: CharSet) -> CharSet:
    result: list[Interval] = []
    start = 0
    for lo, hi in charset:
        if lo > start:
            result.append((start, lo - 1))
        start = hi + 1
    if start <= MAX_CODE:
        result.append((start, MAX_CODE))
    return tuple(result)


@functools.lru_cache(maxsize=1)
def _every_character() -> str:
    return "".join(map(chr, range(MAX_CODE + 1)))


@functools.cache
def _category(pattern: str) -> CharSet:
    """The code points ``pattern`` (one character class of ``re``) matches, as ranges."""
    text = _every_character()
    return tuple((m.start(), m.end() - 1) for m in re.finditer(pattern + "+", text))


_CATEGORIES: Final = {
    "CATEGORY_DIGIT": r"\d",
    "CATEGORY_NOT_DIGIT": r"\D",
    "CATEGORY_SPACE": r"\s",
    "CATEGORY_NOT_SPACE": r"\S",
    "CATEGORY_WORD": r"\w",
    "CATEGORY_NOT_WORD": r"\W",
}


def _category_set(name: str, ascii_only: bool) -> CharSet:
    pattern = _CATEGORIES.get(name)
    if pattern is None:
        raise Unproven(f"character category {name}")
    return _category(f"(?a:{pattern})" if ascii_only else pattern)


# --- automata --------------------------------------------------------------------------


class Automaton:
    """A nondeterministic automaton with epsilon moves: ``moves[s]`` lists (set, target)."""

    def __init__(self) -> None:
        self.moves: list[list[tuple[CharSet, int]]] = []
        self.epsilon: list[list[int]] = []
        self.start = self.state()
        self.accept = self.start

    def state(self) -> int:
        self.moves.append([])
        self.epsilon.append([])
        return len(self.moves) - 1

    def closure(self, states: Iterable[int]) -> frozenset[int]:
        seen = set(states)
        stack = list(seen)
        while stack:
            for target in self.epsilon[stack.pop()]:
                if target not in seen:
                    seen.add(target)
                    stack.append(target)
        return frozenset(seen)


def _literal_automaton(text: str) -> Automaton:
    automaton = Automaton()
    current = automaton.start
    for char in text:
        nxt = automaton.state()
        automaton.moves[current].append((((ord(char), ord(char)),), nxt))
        current = nxt
    automaton.accept = current
    return automaton


def _name(constant: object) -> str:
    """The name of one of the ``re`` parser's opcode constants."""
    return str(getattr(constant, "name", constant))


class _Builder:
    """Thompson's construction from the ``re`` parser's tree, on one ``Automaton``."""

    def __init__(self, automaton: Automaton, flags: int) -> None:
        self.a = automaton
        self.ascii = bool(flags & re.ASCII)
        if flags & (re.IGNORECASE | re.MULTILINE):
            raise Unproven("case-insensitive or multiline matching")
        self.flags = flags

    def sequence(self, items: Any, start: int, dotall: bool, first: bool) -> int:
        current = start
        for index, (op, arg) in enumerate(items):
            current = self.item(op, arg, current, dotall, first and index == 0)
        return current

    def _set(self, op: Any, arg: Any, dotall: bool) -> CharSet:
        name = _name(op)
        if name == "LITERAL":
            return ((arg, arg),)
        if name == "NOT_LITERAL":
            return _negate(((arg, arg),))
        if name == "ANY":
            return ((0, MAX_CODE),) if dotall else _negate(((10, 10),))
        if name == "IN":
            parts: list[Interval] = []
            negate = False
            for sub_op, sub_arg in arg:
                sub = _name(sub_op)
                if sub == "NEGATE":
                    negate = True
                elif sub == "LITERAL":
                    parts.append((sub_arg, sub_arg))
                elif sub == "RANGE":
                    parts.append((sub_arg[0], sub_arg[1]))
                elif sub == "CATEGORY":
                    parts.extend(_category_set(_name(sub_arg), self.ascii))
                else:
                    raise Unproven(f"character class item {sub}")
            charset = _normalize(parts)
            return _negate(charset) if negate else charset
        raise Unproven(f"regex construct {name}")

    def item(self, op: Any, arg: Any, start: int, dotall: bool, first: bool) -> int:
        name = _name(op)
        a = self.a
        if name in ("LITERAL", "NOT_LITERAL", "ANY", "IN"):
            end = a.state()
            a.moves[start].append((self._set(op, arg, dotall), end))
            return end
        if name == "AT":
            if first and _name(arg) in ("AT_BEGINNING", "AT_BEGINNING_STRING"):
                return start  # matching starts at the path's first character anyway
            raise Unproven(f"anchor {arg}")
        if name == "SUBPATTERN":
            _group, add, remove, pattern = arg
            if (add & ~(re.DOTALL | re.UNICODE)) or (remove & ~re.DOTALL):
                raise Unproven("inline flags")  # an automaton must match exactly
            inner_dotall = (dotall or bool(add & re.DOTALL)) and not remove & re.DOTALL
            return self.sequence(pattern, start, inner_dotall, first)
        if name == "BRANCH":
            end = a.state()
            for branch in arg[1]:
                branch_start = a.state()
                a.epsilon[start].append(branch_start)
                a.epsilon[self.sequence(branch, branch_start, dotall, first)].append(end)
            return end
        if name in ("MAX_REPEAT", "MIN_REPEAT"):
            low, high, pattern = arg
            unbounded = high == sre_constants.MAXREPEAT
            if low > MAX_UNROLL or (not unbounded and high > MAX_UNROLL):
                raise Unproven("a repeat too large to unroll")
            current = start
            for _ in range(low):
                current = self.sequence(pattern, current, dotall, False)
            if unbounded:
                loop = a.state()
                a.epsilon[current].append(loop)
                a.epsilon[self.sequence(pattern, loop, dotall, False)].append(loop)
                return loop
            end = a.state()
            a.epsilon[current].append(end)
            for _ in range(high - low):
                current = self.sequence(pattern, current, dotall, False)
                a.epsilon[current].append(end)
            return end
        raise Unproven(f"regex construct {name}")


def regex_automaton(pattern: str | re.Pattern[str], flags: int = 0) -> Automaton:
    """An automaton accepting exactly the strings ``pattern`` matches whole (fullmatch);
    raises ``Unproven`` for what it cannot translate."""
    if isinstance(pattern, re.Pattern):
        text, flags = pattern.pattern, pattern.flags
    else:
        text = pattern
        flags = re.compile(text, flags).flags
    if not isinstance(text, str):
        raise Unproven("a bytes pattern")
    try:
        tree = sre_parse.parse(text, flags)
    except Exception as error:  # pragma: no cover - compiled above
        raise Unproven(str(error)) from None
    automaton = Automaton()
    builder = _Builder(automaton, flags)
    automaton.accept = builder.sequence(tree, automaton.start, bool(flags & re.DOTALL), True)
    return automaton


_RULE_PART: Final = re.compile(r"<(?:[a-zA-Z_][a-zA-Z0-9_]*(?:\((?:[^)]*)\))?:)?([a-zA-Z_]\w*)>")


def url_rule_automaton(
    template: str, converters: dict[str, Any], strict_slashes: bool = True
) -> Automaton:
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
            raise Unproven(f"converter of <{match.group(1)}> has no regex")
        pieces.append(f"(?:{regex})")
        position = match.end()
    pieces.append(re.escape(template[position:]))
    if not strict_slashes:
        pieces.append("/?")
    return regex_automaton("".join(pieces))


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


def _matcher_automaton(rule: PathRule) -> Automaton | None:
    if isinstance(rule.match, str):
        return _literal_automaton(rule.match)
    if isinstance(rule.match, re.Pattern):
        try:
            return regex_automaton(rule.match)
        except Unproven:
            return None
    return None  # a predicate


def candidates(path_language: Automaton, rules: Sequence[PathRule]) -> list[Candidate]:
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
        for char, successor in _steps(automata, states):
            key = tuple(successor)
            if key not in seen:
                seen.add(key)
                queue.append((key, text + char))
    return [found[index] for index in sorted(found)]


def _steps(
    automata: Sequence[Automaton], states: tuple[frozenset[int], ...]
) -> list[tuple[str, list[frozenset[int]]]]:
    """The distinct successors of a joint state, each with one character leading to it:
    a sweep over where the moves' sets start and end cuts the alphabet into pieces; pieces
    taking the same moves lead to the same successor. Readable characters first."""
    moves: list[tuple[int, int]] = []  # (automaton index, target)
    events: list[tuple[int, int, int]] = []  # (code point, +1 starts / -1 ends, move)
    for index, (automaton, current) in enumerate(zip(automata, states)):
        for state in current:
            for charset, target in automaton.moves[state]:
                move = len(moves)
                moves.append((index, target))
                for lo, hi in charset:
                    events.append((lo, 1, move))
                    events.append((hi + 1, -1, move))
    events.sort()
    best: dict[frozenset[int], tuple[bool, int, str]] = {}
    active: set[int] = set()
    position = 0
    for at, group in itertools.groupby(events, key=lambda event: event[0]):
        if active and at > position:
            _note(best, frozenset(active), position, at - 1)
        for _, change, move in group:
            if change > 0:
                active.add(move)
            else:
                active.discard(move)
        position = at
    steps = []
    for taken, (_, _, char) in sorted(best.items(), key=lambda item: item[1][:2]):
        if not any(moves[move][0] == 0 for move in taken):
            continue  # no path of the URL rule continues with this character
        successor = []
        for index, automaton in enumerate(automata):
            targets = [moves[move][1] for move in taken if moves[move][0] == index]
            successor.append(automaton.closure(targets))
        steps.append((char, successor))
    return steps


def _note(
    best: dict[frozenset[int], tuple[bool, int, str]], taken: frozenset[int], lo: int, hi: int
) -> None:
    char = _pick(lo, hi)
    candidate = (char not in _PREFERRED, lo, char)
    if taken not in best or candidate[:2] < best[taken][:2]:
        best[taken] = candidate


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


def _languages(url_rules: Iterable[Any]) -> Iterator[Automaton | None]:
    for url_rule in url_rules:
        try:
            yield url_rule_automaton(
                url_rule.rule,
                getattr(url_rule, "_converters", {}),
                getattr(url_rule, "strict_slashes", True) is not False,
            )
        except Unproven:
            yield None


def choose_policy(state: PolicyRegistry, endpoint: str, url_rules: Iterable[Any]) -> PathChoice:
    """What ``endpoint``'s paths under ``url_rules`` (Werkzeug rules) get: proven on every
    concrete path they serve, never read off the rules' template text."""
    return _choose(state, endpoint, _languages(url_rules))


def choose_unrouted_policy(state: PolicyRegistry) -> PathChoice:
    """What the paths no URL rule matches get at the app level: any path can be one."""
    return _choose(state, None, iter([regex_automaton(r"/.*", re.DOTALL)]))


def _choose(
    state: PolicyRegistry, endpoint: str | None, languages: Iterator[Automaton | None]
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

"""What a regular expression matches, as a finite automaton over a small alphabet.

Used to prove properties of configured regexes instead of probing them with examples. The
automaton is built from the parse tree ``re`` itself produces (``re._parser``;
``sre_parse`` before Python 3.11), so it reads the pattern exactly as the matcher does, and
it accepts *at least* every string of the alphabet that the regex fully matches:
assertions, lookarounds and anchors are dropped (they only remove matches), repetitions
past ``_MAX_UNROLL`` are widened to unbounded ones, and a backreference is read as any
string. What a construct matches character by character (literals, classes, ``\\w``,
``re.IGNORECASE`` folding) is asked of ``re`` itself, one character at a time, so case
folding is the engine's. Anything the builder does not know raises ``Unsupported``, and
so does an automaton past its size bounds: the caller refuses what cannot be proven.

Strings with a character outside the alphabet are left out: the callers only care about
strings made of it (serialised origins).

Nothing here imports Flask.
"""

from __future__ import annotations

import functools
import importlib
import re
import sys
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# The regex parser; untyped, hence ``Any``.
_parser: Any = importlib.import_module("re._parser" if sys.version_info >= (3, 11) else "sre_parse")

_REPEATS = tuple(
    getattr(_parser, name)
    for name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")
    if hasattr(_parser, name)
)
_ATOMIC_GROUP = getattr(_parser, "ATOMIC_GROUP", None)
_CATEGORIES = {
    _parser.CATEGORY_DIGIT: r"\d",
    _parser.CATEGORY_NOT_DIGIT: r"\D",
    _parser.CATEGORY_SPACE: r"\s",
    _parser.CATEGORY_NOT_SPACE: r"\S",
    _parser.CATEGORY_WORD: r"\w",
    _parser.CATEGORY_NOT_WORD: r"\W",
}
# The flags that change which characters one construct matches.
_CHARACTER_FLAGS = re.IGNORECASE | re.ASCII | re.UNICODE

_MAX_UNROLL = 16  # longer bounded repetitions are widened to unbounded ones
_MAX_NFA_STATES = 20_000
_MAX_DFA_STATES = 6_000
_MAX_SEARCH_STATES = 300_000


class Unsupported(ValueError):
    """The regex uses a construct the builder cannot read, or is too large to analyse."""


@dataclass(frozen=True)
class Automaton:
    """A deterministic automaton, trimmed: a missing transition leads to a state from
    which nothing is accepted. State 0 is the start."""

    alphabet: str
    transitions: tuple[dict[str, int], ...]
    accepting: tuple[bool, ...]

    @property
    def is_empty(self) -> bool:
        return not self.transitions


class _Nfa:
    def __init__(self, alphabet: str) -> None:
        self.alphabet = alphabet
        self.epsilon: list[list[int]] = []
        self.edges: list[list[tuple[frozenset[str], int]]] = []

    def state(self) -> int:
        if len(self.epsilon) >= _MAX_NFA_STATES:
            raise Unsupported("too large to analyse")
        self.epsilon.append([])
        self.edges.append([])
        return len(self.epsilon) - 1

    def edge(self, start: int, chars: frozenset[str]) -> int:
        end = self.state()
        if chars:
            self.edges[start].append((chars, end))
        return end

    def any_string(self, start: int) -> int:
        loop = self.state()
        self.epsilon[start].append(loop)
        self.edges[loop].append((frozenset(self.alphabet), loop))
        return loop

    def sequence(self, items: Any, flags: int, start: int) -> int:
        """Add the items of a parsed (sub)pattern after ``start``; return the end state."""
        current = start
        for op, arg in items:
            current = self.item(op, arg, flags, current)
        return current

    def item(self, op: Any, arg: Any, flags: int, start: int) -> int:
        parser = _parser
        if op is parser.LITERAL:
            return self.edge(start, _chars(_escape(arg), flags, self.alphabet))
        if op is parser.NOT_LITERAL:
            return self.edge(start, _chars(f"[^{_escape(arg)}]", flags, self.alphabet))
        if op is parser.ANY:
            return self.edge(start, frozenset(self.alphabet))  # no newline in the alphabet
        if op is parser.IN:
            return self.edge(start, _chars(_class_source(arg), flags, self.alphabet))
        if op is parser.BRANCH:
            end = self.state()
            for branch in arg[1]:
                self.epsilon[self.sequence(branch, flags, start)].append(end)
            return end
        if op is parser.SUBPATTERN:
            _group, add_flags, del_flags, items = arg
            return self.sequence(items, (flags | add_flags) & ~del_flags, start)
        if op is _ATOMIC_GROUP:  # matches a subset of what the plain group matches
            return self.sequence(arg, flags, start)
        if op in _REPEATS:
            return self.repeat(arg, flags, start)
        if op is parser.AT or op is parser.ASSERT or op is parser.ASSERT_NOT:
            return start  # only ever removes matches
        if op is parser.GROUPREF:
            return self.any_string(start)
        if op is parser.GROUPREF_EXISTS:
            _group, yes, no = arg
            end = self.state()
            self.epsilon[self.sequence(yes, flags, start)].append(end)
            self.epsilon[self.sequence(no or [], flags, start)].append(end)
            return end
        raise Unsupported(f"uses {op}, which the analysis does not read")

    def repeat(self, arg: Any, flags: int, start: int) -> int:
        low, high, items = arg
        current = start
        for _ in range(min(low, _MAX_UNROLL)):
            current = self.sequence(items, flags, current)
        if high is _parser.MAXREPEAT or high > _MAX_UNROLL or low > _MAX_UNROLL:
            loop = self.state()
            self.epsilon[current].append(loop)
            self.epsilon[self.sequence(items, flags, loop)].append(loop)
            return loop
        end = self.state()
        for _ in range(high - low):
            self.epsilon[current].append(end)
            current = self.sequence(items, flags, current)
        self.epsilon[current].append(end)
        return end


def _escape(code: int) -> str:
    return f"\\U{code:08x}"


def _class_source(items: Any) -> str:
    parts = []
    for op, arg in items:
        if op is _parser.NEGATE:
            parts.append("^")
        elif op is _parser.LITERAL:
            parts.append(_escape(arg))
        elif op is _parser.RANGE:
            parts.append(f"{_escape(arg[0])}-{_escape(arg[1])}")
        elif op is _parser.CATEGORY and arg in _CATEGORIES:
            parts.append(_CATEGORIES[arg])
        else:
            raise Unsupported(f"uses {op} in a character class, which the analysis does not read")
    return "[" + "".join(parts) + "]"


@functools.lru_cache(maxsize=1024)
def _chars(source: str, flags: int, alphabet: str) -> frozenset[str]:
    """The characters of ``alphabet`` that one construct matches, asked of ``re``."""
    flags &= _CHARACTER_FLAGS
    if flags & re.ASCII:  # a scoped (?a:...) in a str pattern, whose flags include UNICODE
        flags &= ~re.UNICODE
    one = re.compile(source, flags)
    return frozenset(char for char in alphabet if one.fullmatch(char))


def automaton(regex: re.Pattern[str], alphabet: str) -> Automaton:
    """An automaton accepting at least every string of ``alphabet`` that ``regex``
    fully matches. Raises ``Unsupported``."""
    try:
        tree = _parser.parse(regex.pattern, regex.flags)
    except Exception as error:  # the pattern compiled, so this is a parser difference
        raise Unsupported(f"could not be parsed again ({error})") from None
    nfa = _Nfa(alphabet)
    start = nfa.state()
    end = nfa.sequence(tree, regex.flags, start)
    return _determinise(nfa, start, end)


def _determinise(nfa: _Nfa, start: int, end: int) -> Automaton:
    def closure(states: set[int]) -> frozenset[int]:
        stack = list(states)
        seen = set(states)
        while stack:
            for target in nfa.epsilon[stack.pop()]:
                if target not in seen:
                    seen.add(target)
                    stack.append(target)
        return frozenset(seen)

    first = closure({start})
    ids = {first: 0}
    order = [first]
    transitions: list[dict[str, int]] = []
    for subset in order:  # grows while iterating
        moves: dict[str, set[int]] = {}
        for state in subset:
            for chars, target in nfa.edges[state]:
                for char in chars:
                    moves.setdefault(char, set()).add(target)
        row: dict[str, int] = {}
        for char, targets in moves.items():
            following = closure(targets)
            if following not in ids:
                if len(order) >= _MAX_DFA_STATES:
                    raise Unsupported("too large to analyse")
                ids[following] = len(order)
                order.append(following)
            row[char] = ids[following]
        transitions.append(row)
    return _trim(nfa.alphabet, transitions, [end in subset for subset in order])


def _trim(alphabet: str, transitions: list[dict[str, int]], accepting: list[bool]) -> Automaton:
    """Drop the states from which nothing is accepted (their transitions go missing)."""
    incoming: list[list[int]] = [[] for _ in transitions]
    for source, row in enumerate(transitions):
        for target in row.values():
            incoming[target].append(source)
    live = {state for state, accepts in enumerate(accepting) if accepts}
    stack = list(live)
    while stack:
        for source in incoming[stack.pop()]:
            if source not in live:
                live.add(source)
                stack.append(source)
    if 0 not in live:
        return Automaton(alphabet, (), ())
    trimmed = tuple(
        {char: target for char, target in row.items() if target in live} if state in live else {}
        for state, row in enumerate(transitions)
    )
    return Automaton(alphabet, trimmed, tuple(accepting))


def shortest_string(accept: Sequence[Automaton], reject: Sequence[Automaton] = ()) -> str | None:
    """The shortest string (first in alphabet order) that every automaton of ``accept``
    accepts and none of ``reject`` does; ``None`` when there is none. Raises
    ``Unsupported`` when the search grows past its bound."""
    if not accept or any(a.is_empty for a in accept):
        return None
    alphabet = accept[0].alphabet
    start: tuple[int | None, ...] = tuple(0 for _ in accept) + tuple(
        None if a.is_empty else 0 for a in reject
    )
    count = len(accept)
    parents: dict[tuple[int | None, ...], tuple[tuple[int | None, ...], str] | None] = {start: None}
    queue = deque([start])
    automata = (*accept, *reject)
    while queue:
        state = queue.popleft()
        if all(
            s is not None and automata[i].accepting[s] for i, s in enumerate(state[:count])
        ) and not any(
            s is not None and automata[count + j].accepting[s] for j, s in enumerate(state[count:])
        ):
            out: list[str] = []
            step = parents[state]
            while step is not None:
                state, char = step
                out.append(char)
                step = parents[state]
            return "".join(reversed(out))
        for char in alphabet:
            following: list[int | None] = []
            for i, s in enumerate(state):
                target = None if s is None else automata[i].transitions[s].get(char)
                if target is None and i < count:
                    break
                following.append(target)
            else:
                key = tuple(following)
                if key not in parents:
                    if len(parents) >= _MAX_SEARCH_STATES:
                        raise Unsupported("too large to analyse")
                    parents[key] = (state, char)
                    queue.append(key)
    return None


def has_group_reference(regex: re.Pattern[str]) -> bool:
    """Whether ``regex`` refers to a group by number or name (``\\1``, ``(?(1)...)``)."""
    try:
        stack = [_parser.parse(regex.pattern, regex.flags)]
    except Exception:
        return True
    while stack:
        for op, arg in stack.pop():
            if op is _parser.GROUPREF or op is _parser.GROUPREF_EXISTS:
                return True
            if op is _parser.BRANCH:
                stack.extend(arg[1])
            elif op is _parser.SUBPATTERN:
                stack.append(arg[3])
            elif op in _REPEATS:
                stack.append(arg[2])
            elif op is _parser.ASSERT or op is _parser.ASSERT_NOT:
                stack.append(arg[1])
            elif op is _ATOMIC_GROUP:
                stack.append(arg)
    return False


def states_after(language: Automaton, prefixes: Automaton) -> frozenset[int]:
    """The states ``language`` is in after reading a string that ``prefixes`` accepts
    (only strings ``language`` can still extend to one it accepts)."""
    if language.is_empty or prefixes.is_empty:
        return frozenset()
    seen = {(0, 0)}
    stack = [(0, 0)]
    found = set()
    while stack:
        state, prefix = stack.pop()
        if prefixes.accepting[prefix]:
            found.add(state)
        for char, following in language.transitions[state].items():
            prefix_following = prefixes.transitions[prefix].get(char)
            if prefix_following is not None and (following, prefix_following) not in seen:
                if len(seen) >= _MAX_SEARCH_STATES:
                    raise Unsupported("too large to analyse")
                seen.add((following, prefix_following))
                stack.append((following, prefix_following))
    return frozenset(found)


def read(language: Automaton, state: int, text: str) -> int | None:
    """The state ``language`` is in after reading ``text`` from ``state``; ``None`` when
    nothing it accepts starts that way."""
    for char in text:
        following = language.transitions[state].get(char)
        if following is None:
            return None
        state = following
    return state

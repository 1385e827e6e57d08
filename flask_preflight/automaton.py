"""What a regular expression matches, as a finite automaton built from its parse tree.

The one place that reads ``re``'s parse tree into automata (``re._parser``; ``sre_parse``
before Python 3.11; ``regexes`` reads quick facts from the same tree), and the one place of
the algorithms run on them. Characters are sets of code-point ranges (``CharSet``), so one
automaton type serves a small alphabet and all of Unicode alike. A regex is read one of
two ways (``Reading``):

- ``superset_dfa``, for ``origins``: *at least* every string of a small alphabet (the
  characters of serialised origins) that the regex fully matches, as a deterministic
  automaton. Assertions, lookarounds and anchors are dropped (they only remove matches),
  repetitions past 16 are widened to unbounded ones, and a backreference is read as any
  string. What a construct matches character by character (literals, classes, ``\\w``,
  ``re.IGNORECASE`` folding) is asked of ``re`` itself, one character at a time, so case
  folding is the engine's. Strings with a character outside the alphabet are left out.
- ``exact_nfa``, for ``rule_paths``: *exactly* the strings, over all of Unicode, that the
  regex fully matches. What an automaton cannot match exactly (lookarounds,
  backreferences, anchors other than a leading ``^``, case-insensitive matching, scoped
  flags, atomic groups, possessive repeats, repetitions past 64) is refused.

Anything the builder does not know raises ``Unsupported``, and so does an automaton past
its size bounds: the callers refuse what cannot be proven.

The algorithms: the subset step (``steps``: where a set of states of several automata goes,
one sweep over the ranges of their moves), shared by ``determinise`` and by ``rule_paths``'s
joint construction; and, on deterministic automata, ``shortest_string``, ``states_after``
and ``read``.
"""

from __future__ import annotations

import functools
import importlib
import itertools
import re
import sys
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

# The regex parser (its module also holds the opcode constants); untyped, hence ``Any``.
parser: Any = importlib.import_module("re._parser" if sys.version_info >= (3, 11) else "sre_parse")
# The repetitions, and the atomic group (Python 3.11+), of the Python running.
REPEATS = tuple(
    getattr(parser, name)
    for name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")
    if hasattr(parser, name)
)
ATOMIC_GROUP = getattr(parser, "ATOMIC_GROUP", None)


def parse(pattern: re.Pattern[str]) -> Any:
    """The parse tree of ``pattern``, as ``re`` reads it."""
    return parser.parse(pattern.pattern, pattern.flags)


class Unsupported(ValueError):
    """The regex uses a construct the builder cannot read, or is too large to analyse."""


# --- character sets ---------------------------------------------------------------------

MAX_CODE = 0x10FFFF
Interval = tuple[int, int]
CharSet = tuple[Interval, ...]  # sorted, disjoint, inclusive ranges of code points


def normalize(intervals: Iterable[Interval]) -> CharSet:
    merged: list[list[int]] = []
    for lo, hi in sorted(intervals):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return tuple((lo, hi) for lo, hi in merged)


def negate(charset: CharSet) -> CharSet:
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


_CATEGORIES = {
    parser.CATEGORY_DIGIT: r"\d",
    parser.CATEGORY_NOT_DIGIT: r"\D",
    parser.CATEGORY_SPACE: r"\s",
    parser.CATEGORY_NOT_SPACE: r"\S",
    parser.CATEGORY_WORD: r"\w",
    parser.CATEGORY_NOT_WORD: r"\W",
}
# The flags that change which characters one construct matches.
_CHARACTER_FLAGS = re.IGNORECASE | re.ASCII | re.UNICODE


def _escape(code: int) -> str:
    return f"\\U{code:08x}"


def _class_source(items: Any) -> str:
    parts = []
    for op, arg in items:
        if op is parser.NEGATE:
            parts.append("^")
        elif op is parser.LITERAL:
            parts.append(_escape(arg))
        elif op is parser.RANGE:
            parts.append(f"{_escape(arg[0])}-{_escape(arg[1])}")
        elif op is parser.CATEGORY and arg in _CATEGORIES:
            parts.append(_CATEGORIES[arg])
        else:
            raise Unsupported(f"uses {op} in a character class, which the analysis does not read")
    return "[" + "".join(parts) + "]"


@functools.lru_cache(maxsize=1024)
def _asked(source: str, flags: int, alphabet: str) -> CharSet:
    """The characters of ``alphabet`` that one construct matches, asked of ``re``."""
    flags &= _CHARACTER_FLAGS
    if flags & re.ASCII:  # a scoped (?a:...) in a str pattern, whose flags include UNICODE
        flags &= ~re.UNICODE
    one = re.compile(source, flags)
    return normalize((ord(char), ord(char)) for char in alphabet if one.fullmatch(char))


# --- nondeterministic automata ----------------------------------------------------------


class Nfa:
    """A nondeterministic automaton with epsilon moves: ``moves[s]`` lists (set, target);
    ``start`` and ``accept`` are its start and accepting state."""

    def __init__(self, max_states: int | None = None) -> None:
        self.max_states = max_states
        self.moves: list[list[tuple[CharSet, int]]] = []
        self.epsilon: list[list[int]] = []
        self.start = self.state()
        self.accept = self.start

    def state(self) -> int:
        if self.max_states is not None and len(self.moves) >= self.max_states:
            raise Unsupported("too large to analyse")
        self.moves.append([])
        self.epsilon.append([])
        return len(self.moves) - 1

    def move(self, start: int, chars: CharSet) -> int:
        """A new state that ``start`` reaches on ``chars``."""
        end = self.state()
        if chars:
            self.moves[start].append((chars, end))
        return end

    def closure(self, states: Iterable[int]) -> frozenset[int]:
        seen = set(states)
        stack = list(seen)
        while stack:
            for target in self.epsilon[stack.pop()]:
                if target not in seen:
                    seen.add(target)
                    stack.append(target)
        return frozenset(seen)


def literal_nfa(text: str) -> Nfa:
    """The automaton accepting ``text`` only."""
    nfa = Nfa()
    current = nfa.start
    for char in text:
        current = nfa.move(current, ((ord(char), ord(char)),))
    nfa.accept = current
    return nfa


# --- reading a parse tree ----------------------------------------------------------------


class Reading:
    """How ``build`` reads a regex: which characters a construct matches, and what to do
    with what an automaton cannot match exactly (``widen``)."""

    max_unroll = 0  # longer bounded repetitions are not unrolled (``widen``)
    max_states: int | None = None

    def check(self, flags: int) -> None:
        """Refuse the regex's flags if they cannot be read."""

    def scoped(self, add: int, remove: int) -> None:
        """Refuse a group's scoped flags if they cannot be read."""

    def widen(self, what: str) -> None:
        """``what`` is read as matching more than it does: accept it, or refuse it."""
        raise NotImplementedError

    def chars(self, op: Any, arg: Any, flags: int) -> CharSet:
        """The characters one construct (a literal, ``.``, a class) matches."""
        raise NotImplementedError

    def every(self) -> CharSet:
        raise NotImplementedError


class _AtLeast(Reading):
    """At least what the regex matches, over the characters of ``alphabet``."""

    max_unroll = 16
    max_states = 20_000

    def __init__(self, alphabet: str) -> None:
        self.alphabet = alphabet
        self._every = normalize((ord(char), ord(char)) for char in alphabet)

    def widen(self, what: str) -> None:
        return None

    def chars(self, op: Any, arg: Any, flags: int) -> CharSet:
        if op is parser.LITERAL:
            return _asked(_escape(arg), flags, self.alphabet)
        if op is parser.NOT_LITERAL:
            return _asked(f"[^{_escape(arg)}]", flags, self.alphabet)
        if op is parser.ANY:
            return self.every()  # no newline in the alphabet
        return _asked(_class_source(arg), flags, self.alphabet)

    def every(self) -> CharSet:
        return self._every


class _Exactly(Reading):
    """Exactly what the regex matches, over all of Unicode."""

    max_unroll = 64

    def check(self, flags: int) -> None:
        if flags & (re.IGNORECASE | re.MULTILINE):
            raise Unsupported("case-insensitive or multiline matching")

    def scoped(self, add: int, remove: int) -> None:
        if (add & ~(re.DOTALL | re.UNICODE)) or (remove & ~re.DOTALL):
            raise Unsupported("inline flags")  # an automaton must match exactly

    def widen(self, what: str) -> None:
        raise Unsupported(what)

    def chars(self, op: Any, arg: Any, flags: int) -> CharSet:
        if op is parser.LITERAL:
            return ((arg, arg),)
        if op is parser.NOT_LITERAL:
            return negate(((arg, arg),))
        if op is parser.ANY:
            return self.every() if flags & re.DOTALL else negate(((10, 10),))
        parts: list[Interval] = []
        inverted = False
        for sub_op, sub_arg in arg:
            if sub_op is parser.NEGATE:
                inverted = True
            elif sub_op is parser.LITERAL:
                parts.append((sub_arg, sub_arg))
            elif sub_op is parser.RANGE:
                parts.append((sub_arg[0], sub_arg[1]))
            elif sub_op is parser.CATEGORY and sub_arg in _CATEGORIES:
                pattern = _CATEGORIES[sub_arg]
                parts.extend(_category(f"(?a:{pattern})" if flags & re.ASCII else pattern))
            else:
                raise Unsupported(f"character class item {sub_op}")
        charset = normalize(parts)
        return negate(charset) if inverted else charset

    def every(self) -> CharSet:
        return ((0, MAX_CODE),)


class _Builder:
    """Thompson's construction from ``re``'s parse tree, on one ``Nfa``."""

    def __init__(self, reading: Reading) -> None:
        self.reading = reading
        self.nfa = Nfa(reading.max_states)

    def sequence(self, items: Any, flags: int, start: int, first: bool) -> int:
        """Add the items of a parsed (sub)pattern after ``start``; return the end state.
        ``first``: the items stand at the start of the whole pattern."""
        current = start
        for index, (op, arg) in enumerate(items):
            current = self.item(op, arg, flags, current, first and index == 0)
        return current

    def item(self, op: Any, arg: Any, flags: int, start: int, first: bool) -> int:
        nfa, reading = self.nfa, self.reading
        if op is parser.LITERAL or op is parser.NOT_LITERAL or op is parser.ANY or op is parser.IN:
            return nfa.move(start, reading.chars(op, arg, flags))
        if op is parser.BRANCH:
            end = nfa.state()
            for branch in arg[1]:
                nfa.epsilon[self.sequence(branch, flags, start, first)].append(end)
            return end
        if op is parser.SUBPATTERN:
            _group, add_flags, del_flags, items = arg
            reading.scoped(add_flags, del_flags)
            return self.sequence(items, (flags | add_flags) & ~del_flags, start, first)
        if op is ATOMIC_GROUP:  # matches a subset of what the plain group matches
            reading.widen("an atomic group")
            return self.sequence(arg, flags, start, first)
        if op in REPEATS:
            if op is not parser.MAX_REPEAT and op is not parser.MIN_REPEAT:
                reading.widen("a possessive repeat")  # a subset of the plain repeat
            return self.repeat(arg, flags, start)
        if op is parser.AT:
            if not (first and arg in (parser.AT_BEGINNING, parser.AT_BEGINNING_STRING)):
                reading.widen(f"anchor {arg}")  # only ever removes matches
            return start
        if op is parser.ASSERT or op is parser.ASSERT_NOT:
            reading.widen("a lookaround")  # only ever removes matches
            return start
        if op is parser.GROUPREF:
            reading.widen("a backreference")
            loop = nfa.state()
            nfa.epsilon[start].append(loop)
            nfa.moves[loop].append((reading.every(), loop))
            return loop
        if op is parser.GROUPREF_EXISTS:
            reading.widen("a conditional group")
            _group, yes, no = arg
            end = nfa.state()
            nfa.epsilon[self.sequence(yes, flags, start, first)].append(end)
            nfa.epsilon[self.sequence(no or [], flags, start, first)].append(end)
            return end
        raise Unsupported(f"uses {op}, which the analysis does not read")

    def repeat(self, arg: Any, flags: int, start: int) -> int:
        low, high, items = arg
        limit = self.reading.max_unroll
        nfa = self.nfa
        current = start
        for _ in range(min(low, limit)):
            current = self.sequence(items, flags, current, False)
        if high == parser.MAXREPEAT or high > limit or low > limit:
            if high != parser.MAXREPEAT or low > limit:
                self.reading.widen("a repeat too large to unroll")
            loop = nfa.state()
            nfa.epsilon[current].append(loop)
            nfa.epsilon[self.sequence(items, flags, loop, False)].append(loop)
            return loop
        end = nfa.state()
        for _ in range(high - low):
            nfa.epsilon[current].append(end)
            current = self.sequence(items, flags, current, False)
        nfa.epsilon[current].append(end)
        return end


def build(tree: Any, flags: int, reading: Reading) -> Nfa:
    """The automaton of a parse tree, read as ``reading`` says."""
    reading.check(flags)
    builder = _Builder(reading)
    nfa = builder.nfa
    nfa.accept = builder.sequence(tree, flags, nfa.start, True)
    return nfa


def exact_nfa(pattern: str | re.Pattern[str], flags: int = 0) -> Nfa:
    """An automaton accepting exactly the strings ``pattern`` matches whole (fullmatch),
    over all of Unicode; raises ``Unsupported`` for what it cannot translate."""
    if isinstance(pattern, re.Pattern):
        text, flags = pattern.pattern, pattern.flags
    else:
        text = pattern
        flags = re.compile(text, flags).flags
    if not isinstance(text, str):
        raise Unsupported("a bytes pattern")
    try:
        tree = parser.parse(text, flags)
    except Exception as error:  # pragma: no cover - compiled above
        raise Unsupported(str(error)) from None
    return build(tree, flags, _Exactly())


# --- the subset construction -----------------------------------------------------------


def steps(
    automata: Sequence[Nfa], states: Sequence[Iterable[int]]
) -> list[tuple[list[Interval], list[list[int]]]]:
    """Where the automata go from ``states`` (a set of states of each): for each set of
    moves some characters take, those characters (code-point ranges, ascending) and the
    targets the moves reach in each automaton (before epsilon closure). One sweep over where
    the moves' sets start and end cuts the characters into ranges; ranges taking the same
    moves lead to the same successor."""
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
    ranges: dict[frozenset[int], list[Interval]] = {}
    active: set[int] = set()
    position = 0
    for at, group in itertools.groupby(events, key=lambda event: event[0]):
        if active and at > position:
            ranges.setdefault(frozenset(active), []).append((position, at - 1))
        for _, change, move in group:
            if change > 0:
                active.add(move)
            else:
                active.discard(move)
        position = at
    found = []
    for taken, pieces in ranges.items():
        targets: list[list[int]] = [[] for _ in automata]
        for move in taken:
            index, target = moves[move]
            targets[index].append(target)
        found.append((pieces, targets))
    return found


# --- deterministic automata --------------------------------------------------------------

_MAX_DFA_STATES = 6_000
_MAX_SEARCH_STATES = 300_000


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


def superset_dfa(regex: re.Pattern[str], alphabet: str) -> Automaton:
    """An automaton accepting at least every string of ``alphabet`` that ``regex``
    fully matches. Raises ``Unsupported``."""
    try:
        tree = parse(regex)
    except Exception as error:  # the pattern compiled, so this is a parser difference
        raise Unsupported(f"could not be parsed again ({error})") from None
    return determinise(build(tree, regex.flags, _AtLeast(alphabet)), alphabet)


def determinise(nfa: Nfa, alphabet: str) -> Automaton:
    """The subset construction of ``nfa``, whose moves are on characters of ``alphabet``."""
    first = nfa.closure([nfa.start])
    ids = {first: 0}
    order = [first]
    transitions: list[dict[str, int]] = []
    for subset in order:  # grows while iterating
        row: dict[str, int] = {}
        for pieces, targets in steps([nfa], [subset]):
            following = nfa.closure(targets[0])
            if following not in ids:
                if len(order) >= _MAX_DFA_STATES:
                    raise Unsupported("too large to analyse")
                ids[following] = len(order)
                order.append(following)
            for lo, hi in pieces:
                for code in range(lo, hi + 1):
                    row[chr(code)] = ids[following]
        transitions.append(row)
    return _trim(alphabet, transitions, [nfa.accept in subset for subset in order])


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

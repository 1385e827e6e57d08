"""Facts about a regular expression, proven from its parse tree (never by trying strings).

The one place that reads ``re``'s parse tree (``re._parser``; ``sre_parse`` before Python
3.11), so every fact is read from the pattern exactly as the matcher reads it.

Quick facts, each answered conservatively: when the tree holds something they do not
model, they answer the value that refuses nothing (``first_letters`` says "any letter",
``literal_prefix`` says ``""``). Used by compat for origin regexes that can match no
origin, and by the freeze-time check of which path rules can apply to a route.

What a regex matches, as a finite automaton over a small alphabet (``automaton``), used by
``origins`` to prove properties of configured origin regexes instead of probing them with
examples. The automaton accepts *at least* every string of the alphabet that the regex
fully matches: assertions, lookarounds and anchors are dropped (they only remove matches),
repetitions past ``_MAX_UNROLL`` are widened to unbounded ones, and a backreference is read
as any string. What a construct matches character by character (literals, classes, ``\\w``,
``re.IGNORECASE`` folding) is asked of ``re`` itself, one character at a time, so case
folding is the engine's. Anything the builder does not know raises ``Unsupported``, and
so does an automaton past its size bounds: the caller refuses what cannot be proven.
Strings with a character outside the alphabet are left out: the callers only care about
strings made of it (serialised origins).
"""

from __future__ import annotations

import functools
import importlib
import re
import string
import sys
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# The regex parser (its module also holds the opcode constants); untyped, hence ``Any``.
_parser: Any = importlib.import_module("re._parser" if sys.version_info >= (3, 11) else "sre_parse")
# The repetitions, and the atomic group (Python 3.11+), of the Python running.
_REPEATS = tuple(
    getattr(_parser, name)
    for name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")
    if hasattr(_parser, name)
)
_ATOMIC_GROUP = getattr(_parser, "ATOMIC_GROUP", None)


def _parse(pattern: re.Pattern[str]) -> Any:
    """The parse tree of ``pattern``, as ``re`` reads it."""
    return _parser.parse(pattern.pattern, pattern.flags)


# --- quick facts: first letters, literal prefix -------------------------------------------

_LOWER = frozenset(string.ascii_lowercase)
_ANY: tuple[frozenset[str], bool] = (_LOWER, True)


def _letters(piece: str, ignore_case: bool) -> frozenset[str]:
    """The lowercase ASCII letters the one-character regex ``piece`` matches: all 26
    tried, so under ``re.I`` Unicode case folds (``\u212a`` matches ``k``) are counted."""
    flags = re.IGNORECASE if ignore_case else 0
    return frozenset(c for c in _LOWER if re.fullmatch(piece, c, flags))


def _in_class(items: Any, ignore_case: bool) -> frozenset[str]:
    """The lowercase letters a character class ``[...]`` can match."""
    negate = False
    matched: set[str] = set()
    for op, av in items:
        if op is _parser.NEGATE:
            negate = True
        elif op is _parser.LITERAL:
            matched |= _letters(re.escape(chr(av)), ignore_case)
        elif op is _parser.RANGE:
            low, high = (re.escape(chr(code)) for code in av)
            matched |= _letters(f"[{low}-{high}]", ignore_case)
        elif op is _parser.CATEGORY and av in (
            _parser.CATEGORY_WORD,
            _parser.CATEGORY_NOT_DIGIT,
            _parser.CATEGORY_NOT_SPACE,
        ):
            matched |= _LOWER
        elif op is _parser.CATEGORY and av in (
            _parser.CATEGORY_DIGIT,
            _parser.CATEGORY_SPACE,
            _parser.CATEGORY_NOT_WORD,
        ):
            continue
        else:
            return _LOWER  # not modelled: any letter
    return _LOWER - matched if negate else frozenset(matched)


def _first(items: Any, ignore_case: bool) -> tuple[frozenset[str], bool]:
    """(the lowercase letters a match of the sequence ``items`` can start with, whether the
    sequence can match the empty string)."""
    letters: frozenset[str] = frozenset()
    for op, av in items:
        item_letters, nullable = _first_item(op, av, ignore_case)
        letters |= item_letters
        if not nullable:
            return letters, False
    return letters, True


def _first_item(op: Any, av: Any, ignore_case: bool) -> tuple[frozenset[str], bool]:
    if op is _parser.LITERAL:
        return _letters(re.escape(chr(av)), ignore_case), False
    if op is _parser.NOT_LITERAL:
        return _LOWER, False
    if op is _parser.ANY:
        return _LOWER, False
    if op is _parser.IN:
        return _in_class(av, ignore_case), False
    if op is _parser.AT:
        return frozenset(), True
    if op in (_parser.ASSERT, _parser.ASSERT_NOT):
        return frozenset(), True  # zero width: adds no first character
    if op is _parser.BRANCH:
        letters: frozenset[str] = frozenset()
        nullable = False
        for branch in av[1]:
            branch_letters, branch_nullable = _first(branch, ignore_case)
            letters |= branch_letters
            nullable = nullable or branch_nullable
        return letters, nullable
    if op is _parser.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        sub_ignore = (ignore_case or bool(add_flags & re.IGNORECASE)) and not (
            del_flags & re.IGNORECASE
        )
        return _first(sub, sub_ignore)
    if op in _REPEATS:
        low, high, sub = av
        if high == 0:
            return frozenset(), True
        letters, nullable = _first(sub, ignore_case)
        return letters, nullable or low == 0
    if op is _ATOMIC_GROUP:
        return _first(av, ignore_case)
    return _ANY  # a back reference, a conditional...: not modelled


def first_letters(pattern: re.Pattern[str]) -> tuple[frozenset[str], bool]:
    """The lowercase ASCII letters a non-empty match of ``pattern`` may start with (a
    superset), and whether ``pattern`` can match the empty string at the start (as
    ``pattern.match`` does on any string when it can)."""
    try:
        tree = _parse(pattern)
    except Exception:  # pragma: no cover - it compiled, so it parses
        return _ANY
    return _first(tree, bool(pattern.flags & re.IGNORECASE))


def can_match_no_origin(pattern: re.Pattern[str]) -> bool:
    """Whether ``pattern``, matched whole, provably matches no serialized origin. Every
    serialized origin starts with a lowercase ASCII letter (a scheme, or ``null``), so a
    pattern none of whose matches can start with one matches none."""
    return not first_letters(pattern)[0]


def literal_prefix(pattern: re.Pattern[str]) -> str:
    """Text every match of ``pattern`` starts with (``""`` when none is proven)."""
    if pattern.flags & re.IGNORECASE:
        return ""
    try:
        tree = _parse(pattern)
    except Exception:  # pragma: no cover - it compiled, so it parses
        return ""
    return _prefix(tree)[0]


def _prefix(items: Any) -> tuple[str, bool]:
    """(the literal text the sequence starts with, whether that is all of it)."""
    out: list[str] = []
    for op, av in items:
        if op is _parser.LITERAL:
            out.append(chr(av))
        elif op is _parser.AT and av in (_parser.AT_BEGINNING, _parser.AT_BEGINNING_STRING):
            continue
        elif op is _parser.SUBPATTERN and not av[1] and not av[2]:
            text, whole = _prefix(av[3])
            out.append(text)
            if not whole:
                return "".join(out), False
        else:
            return "".join(out), False
    return "".join(out), True


# --- the language as an automaton ---------------------------------------------------------

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
        tree = _parse(regex)
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
        stack = [_parse(regex)]
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


def matches_everything(pattern: re.Pattern[str]) -> bool:
    """Whether ``pattern.fullmatch`` matches every string, read from its parse tree: a
    sequence of items that each match the empty string at any position (repeats of at
    least zero times, groups of such), one of which is ``.*`` with DOTALL (compat's
    ``"/*"`` becomes ``(?:/*)(?s:.*)``). Anything else is not proven, so ``False``."""
    try:
        parsed = _parse(pattern)
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
            everything = high == _parser.MAXREPEAT and dotall and body == [(_parser.ANY, None)]
            if everything:
                result = _EVERYTHING
        elif op is _parser.SUBPATTERN:
            _, add_flags, del_flags, body = av
            inner_dotall = (dotall or bool(add_flags & re.DOTALL)) and not (del_flags & re.DOTALL)
            inner = _sequence(list(body), inner_dotall)
            if inner == _UNPROVEN:
                return _UNPROVEN
            result = max(result, inner)
        else:
            return _UNPROVEN
    return result

"""Quick facts about a regular expression, read from its parse tree (never by trying
strings), as ``re`` parses it (``automaton.parse``), so every fact is read from the pattern
exactly as the matcher reads it. What a regex matches as a whole, as an automaton, is
``automaton``'s.

Each fact is answered conservatively: when the tree holds something they do not model,
they answer the value that refuses nothing (``first_letters`` says "any letter",
``literal_prefix`` says ``""``). Used by compat for origin regexes that can match no
origin, by ``paths`` for path rules, and by ``origins`` to tell which regexes can be joined.
"""

from __future__ import annotations

import re
import string
from typing import Any

from .automaton import ATOMIC_GROUP, REPEATS, parse, parser

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
        if op is parser.NEGATE:
            negate = True
        elif op is parser.LITERAL:
            matched |= _letters(re.escape(chr(av)), ignore_case)
        elif op is parser.RANGE:
            low, high = (re.escape(chr(code)) for code in av)
            matched |= _letters(f"[{low}-{high}]", ignore_case)
        elif op is parser.CATEGORY and av in (
            parser.CATEGORY_WORD,
            parser.CATEGORY_NOT_DIGIT,
            parser.CATEGORY_NOT_SPACE,
        ):
            matched |= _LOWER
        elif op is parser.CATEGORY and av in (
            parser.CATEGORY_DIGIT,
            parser.CATEGORY_SPACE,
            parser.CATEGORY_NOT_WORD,
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
    if op is parser.LITERAL:
        return _letters(re.escape(chr(av)), ignore_case), False
    if op is parser.NOT_LITERAL:
        return _LOWER, False
    if op is parser.ANY:
        return _LOWER, False
    if op is parser.IN:
        return _in_class(av, ignore_case), False
    if op is parser.AT:
        return frozenset(), True
    if op in (parser.ASSERT, parser.ASSERT_NOT):
        return frozenset(), True  # zero width: adds no first character
    if op is parser.BRANCH:
        letters: frozenset[str] = frozenset()
        nullable = False
        for branch in av[1]:
            branch_letters, branch_nullable = _first(branch, ignore_case)
            letters |= branch_letters
            nullable = nullable or branch_nullable
        return letters, nullable
    if op is parser.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        sub_ignore = (ignore_case or bool(add_flags & re.IGNORECASE)) and not (
            del_flags & re.IGNORECASE
        )
        return _first(sub, sub_ignore)
    if op in REPEATS:
        low, high, sub = av
        if high == 0:
            return frozenset(), True
        letters, nullable = _first(sub, ignore_case)
        return letters, nullable or low == 0
    if op is ATOMIC_GROUP:
        return _first(av, ignore_case)
    return _ANY  # a back reference, a conditional...: not modelled


def first_letters(pattern: re.Pattern[str]) -> tuple[frozenset[str], bool]:
    """The lowercase ASCII letters a non-empty match of ``pattern`` may start with (a
    superset), and whether ``pattern`` can match the empty string at the start (as
    ``pattern.match`` does on any string when it can)."""
    try:
        tree = parse(pattern)
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
        tree = parse(pattern)
    except Exception:  # pragma: no cover - it compiled, so it parses
        return ""
    return _prefix(tree)[0]


def _prefix(items: Any) -> tuple[str, bool]:
    """(the literal text the sequence starts with, whether that is all of it)."""
    out: list[str] = []
    for op, av in items:
        if op is parser.LITERAL:
            out.append(chr(av))
        elif op is parser.AT and av in (parser.AT_BEGINNING, parser.AT_BEGINNING_STRING):
            continue
        elif op is parser.SUBPATTERN and not av[1] and not av[2]:
            text, whole = _prefix(av[3])
            out.append(text)
            if not whole:
                return "".join(out), False
        else:
            return "".join(out), False
    return "".join(out), True


def has_group_reference(regex: re.Pattern[str]) -> bool:
    """Whether ``regex`` refers to a group by number or name (``\\1``, ``(?(1)...)``)."""
    try:
        stack = [parse(regex)]
    except Exception:
        return True
    while stack:
        for op, arg in stack.pop():
            if op is parser.GROUPREF or op is parser.GROUPREF_EXISTS:
                return True
            if op is parser.BRANCH:
                stack.extend(arg[1])
            elif op is parser.SUBPATTERN:
                stack.append(arg[3])
            elif op in REPEATS:
                stack.append(arg[2])
            elif op is parser.ASSERT or op is parser.ASSERT_NOT:
                stack.append(arg[1])
            elif op is ATOMIC_GROUP:
                stack.append(arg)
    return False


def matches_everything(pattern: re.Pattern[str]) -> bool:
    """Whether ``pattern.fullmatch`` matches every string, read from its parse tree: a
    sequence of items that each match the empty string at any position (repeats of at
    least zero times, groups of such), one of which is ``.*`` with DOTALL (compat's
    ``"/*"`` becomes ``(?:/*)(?s:.*)``). Anything else is not proven, so ``False``."""
    try:
        parsed = parse(pattern)
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
        if op in REPEATS and av[0] == 0:
            _, high, body = av
            body = list(body)
            everything = high == parser.MAXREPEAT and dotall and body == [(parser.ANY, None)]
            if everything:
                result = _EVERYTHING
        elif op is parser.SUBPATTERN:
            _, add_flags, del_flags, body = av
            inner_dotall = (dotall or bool(add_flags & re.DOTALL)) and not (del_flags & re.DOTALL)
            inner = _sequence(list(body), inner_dotall)
            if inner == _UNPROVEN:
                return _UNPROVEN
            result = max(result, inner)
        else:
            return _UNPROVEN
    return result

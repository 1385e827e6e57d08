"""Facts about a regular expression, proven from its parse tree (never by trying strings).

Each function answers conservatively: when the tree holds something it does not model, it
answers the value that refuses nothing (``first_letters`` says "any letter", ``literal
prefix`` says ``""``). Used by compat for origin regexes that can match no origin, and by
the freeze-time check of which path rules can apply to a route.

Nothing here imports Flask.
"""

from __future__ import annotations

import importlib
import re
import string
from typing import Any

try:  # Python 3.11+: the parser is private to re (the old modules warn when imported)
    _sre: Any = importlib.import_module("re._constants")
    _sre_parse: Any = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover - Python < 3.11
    _sre = importlib.import_module("sre_constants")
    _sre_parse = importlib.import_module("sre_parse")

_LOWER = frozenset(string.ascii_lowercase)
_ANY: tuple[frozenset[str], bool] = (_LOWER, True)


def _parse(pattern: re.Pattern[str]) -> Any:
    return _sre_parse.parse(pattern.pattern, pattern.flags)


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
        if op is _sre.NEGATE:
            negate = True
        elif op is _sre.LITERAL:
            matched |= _letters(re.escape(chr(av)), ignore_case)
        elif op is _sre.RANGE:
            low, high = (re.escape(chr(code)) for code in av)
            matched |= _letters(f"[{low}-{high}]", ignore_case)
        elif op is _sre.CATEGORY and av in (
            _sre.CATEGORY_WORD,
            _sre.CATEGORY_NOT_DIGIT,
            _sre.CATEGORY_NOT_SPACE,
        ):
            matched |= _LOWER
        elif op is _sre.CATEGORY and av in (
            _sre.CATEGORY_DIGIT,
            _sre.CATEGORY_SPACE,
            _sre.CATEGORY_NOT_WORD,
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
    if op is _sre.LITERAL:
        return _letters(re.escape(chr(av)), ignore_case), False
    if op is _sre.NOT_LITERAL:
        return _LOWER, False
    if op is _sre.ANY:
        return _LOWER, False
    if op is _sre.IN:
        return _in_class(av, ignore_case), False
    if op is _sre.AT:
        return frozenset(), True
    if op in (_sre.ASSERT, _sre.ASSERT_NOT):
        return frozenset(), True  # zero width: adds no first character
    if op is _sre.BRANCH:
        letters: frozenset[str] = frozenset()
        nullable = False
        for branch in av[1]:
            branch_letters, branch_nullable = _first(branch, ignore_case)
            letters |= branch_letters
            nullable = nullable or branch_nullable
        return letters, nullable
    if op is _sre.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        sub_ignore = (ignore_case or bool(add_flags & re.IGNORECASE)) and not (
            del_flags & re.IGNORECASE
        )
        return _first(sub, sub_ignore)
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) or op is getattr(_sre, "POSSESSIVE_REPEAT", None):
        low, high, sub = av
        if high == 0:
            return frozenset(), True
        letters, nullable = _first(sub, ignore_case)
        return letters, nullable or low == 0
    if op is getattr(_sre, "ATOMIC_GROUP", None):
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
        if op is _sre.LITERAL:
            out.append(chr(av))
        elif op is _sre.AT and av in (_sre.AT_BEGINNING, _sre.AT_BEGINNING_STRING):
            continue
        elif op is _sre.SUBPATTERN and not av[1] and not av[2]:
            text, whole = _prefix(av[3])
            out.append(text)
            if not whole:
                return "".join(out), False
        else:
            return "".join(out), False
    return "".join(out), True

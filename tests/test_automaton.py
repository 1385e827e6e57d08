"""automaton.py against ``re`` itself, on generated regexes and strings: the exact reading
(path rules) accepts exactly what the regex fully matches, the widened reading (origin
regexes) at least that, and both readings share one construction."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from flask_preflight.automaton import (
    Automaton,
    Nfa,
    Unsupported,
    exact_nfa,
    literal_nfa,
    superset_dfa,
)

ALPHABET = ".abcdefghijklmnopqrstuvwxyz0123456789-_+:/[]"
ATOMS = ["a", "b", "k", ".", r"\d", r"\w", r"\W", r"\s", "[a-c]", "[^a]", r"\.", "-", "/"]
ATOMS += ["K", "[A-C]", "[^K]", "[0-9a-f]", "é", "٣", "(?:ab|c)", "(?:)", "(?s:.)", "(?:x?)"]
REPEATS = ["", "", "*", "+", "?", "{2}", "{1,3}", "{0,2}", "*?", "{3,}"]
TEXT = st.text(alphabet="abkc0-9./é٣K\u212a\n_x", max_size=7)


# The atoms that can match a character of ALPHABET (regardless of case).
ORIGIN_ATOMS = [atom for atom in ATOMS if atom not in ("é", "٣", r"\s")]


@st.composite
def regexes(draw: st.DrawFn, atoms: list[str] = ATOMS) -> str:
    piece = st.tuples(st.sampled_from(atoms), st.sampled_from(REPEATS))
    pieces = draw(st.lists(piece, min_size=1, max_size=4))
    body = "".join(atom + repeat for atom, repeat in pieces)
    if draw(st.booleans()):
        body = f"{body}|{draw(st.sampled_from(atoms))}"
    return body


def nfa_accepts(nfa: Nfa, text: str) -> bool:
    states = nfa.closure([nfa.start])
    for char in text:
        code = ord(char)
        targets = [
            target
            for state in states
            for charset, target in nfa.moves[state]
            if any(lo <= code <= hi for lo, hi in charset)
        ]
        states = nfa.closure(targets)
    return nfa.accept in states


def dfa_accepts(dfa: Automaton, text: str) -> bool:
    if dfa.is_empty:
        return False
    state: int | None = 0
    for char in text:
        assert state is not None
        state = dfa.transitions[state].get(char)
        if state is None:
            return False
    assert state is not None  # for mypy: the loop returned on None
    return dfa.accepting[state]


@settings(max_examples=200, deadline=None)
@given(regexes(), st.sampled_from([0, re.DOTALL, re.ASCII]), st.lists(TEXT, max_size=12))
def test_the_exact_reading_accepts_what_re_fully_matches(
    source: str, flags: int, texts: list[str]
) -> None:
    regex = re.compile(source, flags)
    nfa = exact_nfa(regex)
    for text in texts:
        assert nfa_accepts(nfa, text) == bool(regex.fullmatch(text)), (source, flags, text)


@settings(max_examples=200, deadline=None)
@given(
    regexes(ORIGIN_ATOMS),
    st.sampled_from([0, re.IGNORECASE, re.ASCII, re.IGNORECASE | re.ASCII]),
    st.sampled_from(["", "(?=[a-z])", "^", "(?<!b)"]),
    st.data(),
)
def test_the_widened_reading_accepts_at_least_what_re_fully_matches(
    source: str, flags: int, assertion: str, data: st.DataObject
) -> None:
    regex = re.compile(assertion + source, flags)
    dfa = superset_dfa(regex, ALPHABET)
    matching = data.draw(
        st.lists(st.from_regex(regex, fullmatch=True, alphabet=ALPHABET + ALPHABET.upper()))
    )
    texts = data.draw(st.lists(st.text(alphabet=ALPHABET, max_size=7), max_size=12))
    for text in matching + texts:
        if set(text) <= set(ALPHABET):
            if regex.fullmatch(text):
                assert dfa_accepts(dfa, text), (regex, text)
            elif not assertion:  # nothing widened: exact on the alphabet
                assert not dfa_accepts(dfa, text), (regex, text)


@given(TEXT, TEXT)
def test_a_literal_automaton_accepts_its_text_only(text: str, other: str) -> None:
    nfa = literal_nfa(text)
    assert nfa_accepts(nfa, text)
    assert nfa_accepts(nfa, other) == (other == text)


def test_the_exact_reading_refuses_what_the_widened_one_widens() -> None:
    """Each construct only one reading widens: refused exactly, read as matching more."""
    for source, matched, widened in [
        (r"(?=b)a", "a", ""),
        (r"a$", "a", ""),
        (r"(a)\1", "aa", "ab"),
        (r"a{65}", "a" * 65, "a" * 66),
    ]:
        regex = re.compile(source)
        try:
            exact_nfa(regex)
        except Unsupported:
            pass
        else:
            raise AssertionError(f"{source} was read exactly")
        dfa = superset_dfa(regex, ALPHABET)
        assert dfa_accepts(dfa, matched), source
        if widened:
            assert not regex.fullmatch(widened) and dfa_accepts(dfa, widened), source
    # a{20}: past the widened reading's bound of 16, within the exact reading's 64
    exact = exact_nfa(re.compile("a{20}"))
    assert nfa_accepts(exact, "a" * 20) and not nfa_accepts(exact, "a" * 21)
    assert dfa_accepts(superset_dfa(re.compile("a{20}"), ALPHABET), "a" * 21)


def test_both_readings_read_one_character_as_re_does_under_each_flag() -> None:
    for source in [r"\d", r"\w", r"\s", r"\W", r"[^\d]", r"[\w.]", "[^a]", "a", ".", "K", "[^K]"]:
        for flags in (0, re.ASCII, re.DOTALL, re.IGNORECASE, re.IGNORECASE | re.ASCII):
            regex = re.compile(source, flags)
            dfa = superset_dfa(regex, ALPHABET)
            for char in ALPHABET:
                assert dfa_accepts(dfa, char) == bool(regex.fullmatch(char)), (regex, char)
            if flags & re.IGNORECASE:
                continue  # the exact reading refuses it
            nfa = exact_nfa(regex)
            for char in "a5٣é\u00a0\u2028_. \nKk\u212a":
                assert nfa_accepts(nfa, char) == bool(regex.fullmatch(char)), (regex, char)

"""Figures in the documentation are the code's, never typed by hand (issue 20, point 9).

A count of tests or scenarios goes stale with the next test added, so the pages hold none;
the counts and limits they do state are checked here against the code they describe."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from flask_preflight.decision import escape
from flask_preflight.headers import (
    MAX_ORIGIN_LENGTH,
    MAX_REQUEST_HEADER_NAMES,
    MAX_REQUEST_HEADERS_LENGTH,
)
from flask_preflight.policy import FIELD_NAMES

ROOT = Path(__file__).resolve().parent.parent
PAGES = [
    ROOT / "README.md",
    ROOT / "README.pypi.md",
    ROOT / "CHANGELOG.md",
    ROOT / "tests" / "compat" / "suite" / "DIFFERENCES.md",
    *sorted((ROOT / "docs").glob("*.md")),
]
NUMBERS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
]


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_no_hand_typed_count_of_tests(page: Path) -> None:
    text = page.read_text()
    counts = re.findall(
        r"(?<![\d.])\b(?:\d+|" + "|".join(NUMBERS[2:]) + r")\s+(?:conformance\s+)?"
        r"(?:tests|scenarios|failures|test cases)\b|\(\d+ pass\)",
        text,
    )
    assert counts == [], f"{page.name}: generate these or drop them: {counts}"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_the_number_of_policy_fields_is_the_codes(page: Path) -> None:
    said = re.findall(r"\b(\w+) fields\b", page.read_text())
    for word in said:
        if word.lower() in NUMBERS:
            assert NUMBERS.index(word.lower()) == len(FIELD_NAMES), f"{page.name}: {word} fields"


def test_the_fields_listed_on_pypi_are_all_of_them() -> None:
    text = (ROOT / "README.pypi.md").read_text()
    line = text[text.index("**One policy, three levels.**") :].split("\n- ")[0]
    assert re.findall(r"`(\w+)`", line)[: len(FIELD_NAMES)] == list(FIELD_NAMES)


def test_the_input_limits_on_the_requests_page_are_the_codes() -> None:
    page = " ".join((ROOT / "docs" / "requests.md").read_text().split())
    assert f"control characters, over {MAX_ORIGIN_LENGTH} bytes" in page
    assert (
        f"(over {MAX_REQUEST_HEADERS_LENGTH} bytes, over {MAX_REQUEST_HEADER_NAMES} names" in page
    )
    limit = inspect.signature(escape).parameters["limit"].default
    assert f"cut to {limit} characters" in page

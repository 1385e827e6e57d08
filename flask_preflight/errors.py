"""The one configuration error, listing every problem found at once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One configuration problem: which field, what value, where it was set, what is wrong."""

    field: str
    value: object
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.field}={self.value!r}: {self.message}"


class PreflightConfigError(ValueError):
    """Flask-Preflight was configured insecurely or incorrectly.

    ``problems`` lists every problem found; the message names each field and value.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        count = len(self.problems)
        lines = [f"Flask-Preflight configuration has {count} problem{'s' * (count != 1)}:"]
        lines.extend(f"  - {problem}" for problem in self.problems)
        super().__init__("\n".join(lines))

"""Errors raised by the library.

Every error a user can cause carries a location, so the CLI can print
``file:line:col: message`` and exit 2 without a traceback::

    BackendArchitectError
    └── InputError            one located problem in a file the user gave us
        └── InputErrors       several at once (the loader reports all it finds)
"""

from __future__ import annotations

from dataclasses import dataclass, field


class BackendArchitectError(Exception):
    """Base class of every error this package raises on purpose."""


@dataclass(frozen=True, order=True)
class Location:
    """A position in an input file; ``line`` and ``col`` count from 1. The end (just past the object), when known, is for
    reports that mark a range (SARIF regions, GitHub annotations)."""

    file: str
    line: int = 1
    col: int = 1
    end_line: int | None = field(default=None, compare=False)
    end_col: int | None = field(default=None, compare=False)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


class InputError(BackendArchitectError):
    """One problem in an input file, with where it is.

    >>> str(InputError(Location("spec.yaml", 3, 7), "unknown key 'feilds'"))
    "spec.yaml:3:7: unknown key 'feilds'"
    """

    def __init__(self, location: Location, message: str) -> None:
        super().__init__(f"{location}: {message}")
        self.location = location
        self.message = message


class InputErrors(InputError):
    """Several located problems, reported together, sorted by position."""

    def __init__(self, errors: list[InputError]) -> None:
        if not errors:
            raise ValueError("InputErrors needs at least one error")
        ordered = sorted(errors, key=lambda e: (e.location, e.message))
        unique: list[InputError] = []
        for error in ordered:
            if not unique or str(unique[-1]) != str(error):
                unique.append(error)
        self.errors = unique
        first = unique[0]
        super().__init__(first.location, first.message)
        self.args = ("\n".join(str(e) for e in unique),)

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)

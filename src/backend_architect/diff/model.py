"""What a diff finds: changes, each with its impact on existing clients and where it is in both versions."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Literal

from backend_architect.errors import Location

Anchor = tuple[str, tuple[str | int, ...]]


class Impact(enum.IntEnum):
    """What a change does to a client written against the old version; ordered for ``--fail-on``."""

    SAFE = 1
    POSSIBLY_BREAKING = 2
    BREAKING = 3

    def __str__(self) -> str:
        return self.name.lower().replace("_", "-")


@dataclass(frozen=True, order=True)
class Change:
    """One difference between two versions of a contract."""

    where: str
    code: str
    message: str
    impact: Impact = field(compare=False)
    old: Anchor | None = field(compare=False, default=None)
    new: Anchor | None = field(compare=False, default=None)
    old_location: Location | None = field(compare=False, default=None)
    new_location: Location | None = field(compare=False, default=None)

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {"impact": str(self.impact), "code": self.code, "where": self.where, "message": self.message}
        for side, location in (("old", self.old_location), ("new", self.new_location)):
            if location is not None:
                found[side] = {"file": location.file, "line": location.line, "col": location.col}
        return found


@dataclass(frozen=True)
class DiffResult:
    """Every change between two versions, and what they mean for the version number."""

    old: str
    new: str
    changes: list[Change]
    subject: Literal["api", "schema"] = "api"

    def count(self, impact: Impact) -> int:
        return sum(1 for c in self.changes if c.impact is impact)

    @property
    def needs_major_version(self) -> bool:
        return self.count(Impact.BREAKING) > 0

    @property
    def title(self) -> str:
        """What was compared, for a report's heading: "API changes" or "Schema changes"."""
        return "Schema changes" if self.subject == "schema" else "API changes"

    @property
    def verdict(self) -> str:
        """The one-line conclusion a reader acts on."""
        if self.subject == "schema":
            if self.needs_major_version:
                return "breaking: code written for the old schema fails against the new one; ship it as expand, deploy, contract"
            return "compatible: code written for the old schema keeps working"
        return "needs a new major version" if self.needs_major_version else f"compatible: a {self.bump} version is enough"

    @property
    def bump(self) -> str:
        """The semantic-version bump the changes call for: major, minor (something added) or patch."""
        if self.needs_major_version:
            return "major"
        if any(c.code.endswith("-added") and c.impact is Impact.SAFE for c in self.changes):
            return "minor"
        return "patch"

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
class Accepted:
    """A change the team accepted (listed in its accepted-changes file), with the reason it gave."""

    change: Change
    reason: str
    expires: str

    def as_dict(self) -> dict[str, Any]:
        return {**self.change.as_dict(), "reason": self.reason, "expires": self.expires}


@dataclass(frozen=True)
class VersionCheck:
    """``info.version`` of both documents against the bump the changes call for (semantic versioning)."""

    old: str | None
    new: str | None
    #: The bump the changes need ("major", "minor", "patch"), None when nothing changed.
    required: str | None
    #: The bump made: "major", "minor", "patch", "none" (unchanged) or "decreased"; None when a version is not semantic.
    made: str | None

    @property
    def ok(self) -> bool | None:
        """Whether the bump made is enough; None when it cannot be judged (a version that is not semantic)."""
        if self.required is None:
            return True
        if self.made is None:
            return None
        return self.made != "decreased" and _RANKS.get(self.made, 0) >= _RANKS[self.required]

    @property
    def message(self) -> str:
        if self.required is None:
            return f"info.version {self.old} -> {self.new}: nothing changed"
        if self.made is None:
            return f"info.version {self.old} -> {self.new}: not semantic versions; the changes need a {self.required} bump"
        verdict = "enough" if self.ok else "too small"
        made = {"none": "unchanged", "decreased": "went down"}.get(self.made, f"a {self.made} bump")
        return f"info.version {self.old} -> {self.new} ({made}): the changes need a {self.required} bump, {verdict}"

    def as_dict(self) -> dict[str, Any]:
        return {"old": self.old, "new": self.new, "required": self.required, "made": self.made, "ok": self.ok}


_RANKS = {"none": 0, "patch": 1, "minor": 2, "major": 3}


@dataclass(frozen=True)
class DiffResult:
    """Every change between two versions, and what they mean for the version number."""

    old: str
    new: str
    changes: list[Change]
    subject: Literal["api", "schema"] = "api"
    #: Changes dropped by the accepted-changes file, each with its reason.
    accepted: list[Accepted] = field(default_factory=list)
    #: Entries of the accepted-changes file that no longer apply (expired, or matching nothing), as messages.
    stale: list[str] = field(default_factory=list)
    version: VersionCheck | None = None

    def count(self, impact: Impact) -> int:
        return sum(1 for c in self.changes if c.impact is impact)

    @property
    def needs_major_version(self) -> bool:
        return any(c.impact is Impact.BREAKING and not c.code.startswith(VERSION_CODE) for c in self.changes)

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
        return required_bump(self.changes) or "patch"

    def shown(self, view: str) -> list[Change]:
        """The changes a view lists: ``breaking`` keeps breaking and possibly breaking ones, ``changelog`` all."""
        return [c for c in self.changes if view != "breaking" or c.impact > Impact.SAFE]


def required_bump(changes: list[Change]) -> str | None:
    """The bump changes call for: major when one breaks clients, minor when something was added, patch otherwise; None without changes.

    >>> required_bump([]) is None
    True
    """
    counted = [c for c in changes if not c.code.startswith(VERSION_CODE)]
    if not counted:
        return None
    if any(c.impact is Impact.BREAKING for c in counted):
        return "major"
    if any(c.code.endswith("-added") and c.impact is Impact.SAFE for c in counted):
        return "minor"
    return "patch"


#: Codes of the version check's own change (``--check-version``), left out of the bump it judges.
VERSION_CODE = "info-version-"

"""What one schema change does to the set of values a schema accepts, and so to each side of the wire.

A schema comparison never asks "is this breaking?": it says how the accepted values moved
(``Shift``). Whether that breaks a client depends only on who produces the values. A
client *sends* request schemas, so a narrower request schema refuses data it used to
accept; a client *reads* response schemas, so a wider response schema hands it values it
was not written for. One table (``Delta.impact``) turns every shift into an impact, for
every keyword, so no check decides its own direction.

Some changes are not about the value set at all — a parameter that became required, a
property removed from a response — and carry their impact per direction explicitly.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from typing import Literal

from backend_architect.diff.model import Anchor, Impact

Direction = Literal["request", "response"]


class Shift(enum.Enum):
    """How the set of accepted values moved from the old schema to the new one."""

    NONE = "none"  # the same values: an annotation changed (a default, a discriminator)
    NARROWER = "narrower"  # some values accepted before are refused now
    WIDER = "wider"  # values refused before are accepted now
    CHANGED = "changed"  # both: some lost, some gained
    UNKNOWN = "unknown"  # cannot tell statically (a regular expression replaced by another)

    def inverted(self) -> Shift:
        """The shift seen through ``not``: what ``X`` loses, ``not X`` gains."""
        return {Shift.NARROWER: Shift.WIDER, Shift.WIDER: Shift.NARROWER}.get(self, self)


@dataclass(frozen=True)
class Delta:
    """One change inside a schema, relative to the schema compared (``path`` is "" for itself)."""

    path: str
    code: str
    message: str
    shift: Shift
    old: Anchor | None = None
    new: Anchor | None = None
    #: A tightening that is only possibly breaking (a bound set where none was documented, a response enum that grew).
    soft: bool = False
    #: Impacts for (sent by the client, read by the client), for changes that are not about the value set.
    impacts: tuple[Impact, Impact] | None = None

    def impact(self, direction: Direction) -> Impact:
        """What the change does to a client that sends (request) or reads (response) these values.

        >>> Delta("", "maximum-decreased", "", Shift.NARROWER).impact("request").name
        'BREAKING'
        >>> Delta("", "maximum-decreased", "", Shift.NARROWER).impact("response").name
        'SAFE'
        >>> Delta("", "enum-value-added", "", Shift.WIDER, soft=True).impact("response").name
        'POSSIBLY_BREAKING'
        """
        if self.impacts is not None:
            return self.impacts[0 if direction == "request" else 1]
        if self.shift is Shift.NONE:
            return Impact.SAFE
        if self.shift is Shift.UNKNOWN:
            return Impact.POSSIBLY_BREAKING
        tightens = self.shift is Shift.CHANGED or (self.shift is Shift.NARROWER) == (direction == "request")
        if not tightens:
            return Impact.SAFE
        return Impact.POSSIBLY_BREAKING if self.soft else Impact.BREAKING

    def under(self, prefix: str) -> Delta:
        """The same delta seen from a parent schema, ``prefix`` being the child's place in it."""
        return replace(self, path=join(prefix, self.path))

    def inverted(self) -> Delta:
        """The delta seen through ``not``."""
        impacts = (self.impacts[1], self.impacts[0]) if self.impacts is not None else None
        return replace(self, shift=self.shift.inverted(), impacts=impacts)

    def narrows(self) -> bool:
        """Whether some value accepted before is refused now."""
        return self.shift in (Shift.NARROWER, Shift.CHANGED, Shift.UNKNOWN) or (self.impacts is not None and self.impacts[0] > Impact.SAFE)

    def widens(self) -> bool:
        """Whether some value refused before is accepted now."""
        return self.shift in (Shift.WIDER, Shift.CHANGED, Shift.UNKNOWN) or (self.impacts is not None and self.impacts[1] > Impact.SAFE)


def join(prefix: str, path: str) -> str:
    """A schema path below ``prefix``: properties with dots, items and map values without.

    >>> join("pets", "[].name"), join("pets", ""), join("", "name"), join("meta", "{*}")
    ('pets[].name', 'pets', 'name', 'meta{*}')
    """
    if not path:
        return prefix
    if not prefix or path[0] in "[{":
        return prefix + path
    return f"{prefix}.{path}"


def fixed(sent: Impact, read: Impact) -> tuple[Impact, Impact]:
    """Explicit impacts for a change that is about presence, not values (see ``Delta.impacts``)."""
    return (sent, read)

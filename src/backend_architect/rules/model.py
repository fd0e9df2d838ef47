"""What a review rule is, and what it finds.

A rule is data (code, name, severity, title, fix, docs) plus one function over the
IR that yields ``Finding``s. The ``rule`` decorator only attaches the data.
"""

from __future__ import annotations

import enum
import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from backend_architect.errors import Location

if TYPE_CHECKING:
    from backend_architect.ir.model import Architecture


class Severity(enum.IntEnum):
    """How bad a finding is; ordered so ``--fail-on`` can compare."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, order=True)
class Finding:
    """One problem found by one rule, at one place. Sorts totally, for stable output."""

    where: str
    code: str
    message: str
    severity: Severity = field(compare=False)
    rule: str = field(compare=False)
    fix: str = field(compare=False, default="")
    location: Location | None = field(compare=False, default=None)
    #: For findings in a document: the file and the JSON pointer of the node, located in one batch after the review.
    anchor: tuple[str, tuple[str | int, ...]] | None = field(compare=False, default=None)
    #: For database findings: "static" (from the schema) or "runtime (statistics of N days)" (from a live database's statistics).
    evidence: str | None = field(compare=False, default=None)

    @property
    def pointer(self) -> str | None:
        """RFC 6901 pointer of the node the finding is about, when it is in a document."""
        if self.anchor is None:
            return None
        return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in self.anchor[1])

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "code": self.code,
            "rule": self.rule,
            "severity": str(self.severity),
            "where": self.where,
            "message": self.message,
            "fix": self.fix,
        }
        if self.location is not None:
            found["location"] = {"file": self.location.file, "line": self.location.line, "col": self.location.col}
            if self.location.end_line is not None:
                found["location"].update(end_line=self.location.end_line, end_col=self.location.end_col)
        if self.anchor is not None:
            found["pointer"] = self.pointer
        if self.evidence is not None:
            found["evidence"] = self.evidence
        return found


#: The record of a decision the spec author overrode with a reason: reported, never something to resolve.
OVERRIDE_RECORD = "DES007"


def blocks(finding: Finding) -> bool:
    """Whether a finding must be resolved before implementation: a warning or an error, other than an override's record."""
    return finding.severity >= Severity.WARNING and finding.code != OVERRIDE_RECORD


RuleFunction = Callable[["Architecture"], Iterator[Finding]]


#: Which rules run without being asked for: "recommended" ones by default, "all" ones when selected (or with ALL),
#: "preview" ones only with --preview (new rules whose behaviour may still change).
Tier = Literal["recommended", "all", "preview"]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    title: str
    fix: str
    function: RuleFunction
    tier: Tier = "recommended"

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.function.__doc__ or "")

    def check(self, arch: Architecture) -> list[Finding]:
        return sorted(self.function(arch))

    def finding(
        self,
        where: str,
        message: str,
        location: Location | None = None,
        anchor: tuple[str, tuple[str | int, ...]] | None = None,
        fix: str | None = None,
    ) -> Finding:
        """A finding of this rule; ``fix`` replaces the rule's generic fix with one for this case (DDL, say)."""
        return Finding(
            where=where, code=self.code, message=message, severity=self.severity, rule=self.name, fix=fix or self.fix, location=location, anchor=anchor
        )


def rule(
    *, code: str, name: str, severity: Severity, title: str, fix: str, tier: Tier = "recommended"
) -> Callable[[Callable[[Rule, Architecture], Iterator[Finding]]], Rule]:
    """Make a function a ``Rule``; the function receives the rule itself to build findings."""

    def wrap(function: Callable[[Rule, Architecture], Iterator[Finding]]) -> Rule:
        holder: list[Rule] = []

        def run(arch: Architecture) -> Iterator[Finding]:
            return function(holder[0], arch)

        run.__doc__ = function.__doc__
        made = Rule(code=code, name=name, severity=severity, title=title, fix=fix, function=run, tier=tier)
        holder.append(made)
        return made

    return wrap

"""Accepted changes: breaking changes a team decided to ship, each with its reason and an expiry date.

```yaml
# .backend-architect-accepted.yaml
accepted:
  - code: response-property-removed     # a change code (globs allowed)
    where: "GET /pets/*"                # the operation (glob; optional)
    message: "*nickname*"               # the change's message (glob; optional)
    reason: never populated since 2024; clients confirmed
    expires: 2026-09-30                 # after this date the entry stops applying
```

An accepted change leaves the report and the exit status, and is listed apart with its
reason. An entry past its expiry no longer applies — the change fails the build again until
someone decides anew — and an entry that matches nothing is reported, so the file does not
silently outlive the changes it was written for.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from backend_architect.diff.model import Accepted, Change
from backend_architect.errors import Location


class AcceptedChange(BaseModel):
    """One accepted change (or class of changes)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    code: str = Field(description="The change code, e.g. response-property-removed; globs allowed.")
    where: str | None = Field(default=None, description="The operation or place, e.g. 'GET /pets/{id}'; globs allowed.")
    message: str | None = Field(default=None, description="The change's message; globs allowed.")
    reason: str = Field(min_length=1, description="Why the change is acceptable.")
    expires: dt.date = Field(description="The last day the entry applies (YYYY-MM-DD).")

    def matches(self, change: Change) -> bool:
        return (
            fnmatch.fnmatchcase(change.code, self.code)
            and (self.where is None or fnmatch.fnmatchcase(change.where, self.where))
            and (self.message is None or fnmatch.fnmatchcase(change.message, self.message))
        )


class AcceptedFile(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    accepted: list[AcceptedChange] = Field(default_factory=list)


@dataclass(frozen=True)
class Entry:
    """An accepted change with where it is written."""

    rule: AcceptedChange
    location: Location


def apply_accepted(changes: list[Change], entries: list[Entry], today: dt.date | None = None) -> tuple[list[Change], list[Accepted], list[str]]:
    """The changes left, those accepted (with their reasons), and a message per entry that no longer applies."""
    today = today or dt.date.today()
    live = [e for e in entries if e.rule.expires >= today]
    stale = [f"{e.location}: accepted {e.rule.code} expired on {e.rule.expires.isoformat()}: it no longer applies" for e in entries if e.rule.expires < today]
    used: set[int] = set()
    kept: list[Change] = []
    accepted: list[Accepted] = []
    for change in changes:
        index = next((i for i, e in enumerate(live) if e.rule.matches(change)), None)
        if index is None:
            kept.append(change)
            continue
        used.add(index)
        rule = live[index].rule
        accepted.append(Accepted(change, rule.reason, rule.expires.isoformat()))
    stale += [f"{e.location}: accepted {e.rule.code} matches no change: remove it" for i, e in enumerate(live) if i not in used]
    return kept, accepted, stale

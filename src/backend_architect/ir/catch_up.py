"""What each real-time channel tells a client that reconnects, read back from the design as built.

The delivery decision (``design/catch_up.py``) writes a channel's ``offline`` as one part per use case (``for 'x': ...``
when use cases differ) and names the operation a reconnecting client calls as ``GET /v1/path (operationId)``. This module
reads that back, so the critic (DES025, DES026) and the consistency tests check the contract has what the channel names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from backend_architect.ir.model import Architecture, Operation

_NAMED = re.compile(r"(?P<method>GET) (?P<path>/\S*) \((?P<operation>[A-Za-z0-9_]+)\)")
_PART = re.compile(r"(?:^|; )for ((?:'[^']*'(?:, )?)+): ")
#: Words that promise a fetch on reconnect.
PROMISE = "fetch what they missed"
#: Words that say a reconnecting client has nothing to fetch.
GAP = "miss what is pushed meanwhile"


@dataclass(frozen=True)
class Reconnect:
    """One part of a channel's offline text: what its use cases' recipients do on reconnect, and the operation it names."""

    channel: str
    entity: str
    use_cases: tuple[str, ...]
    text: str
    operation: str | None
    path: str | None

    @property
    def promised(self) -> bool:
        return PROMISE in self.text

    @property
    def gap(self) -> bool:
        return GAP in self.text


def reconnects(arch: Architecture) -> list[Reconnect]:
    """Every channel's offline text, split per use case where they differ, each with the operation it names."""
    found: list[Reconnect] = []
    for channel in arch.channels:
        starts = list(_PART.finditer(channel.offline))
        parts = (
            [
                (tuple(re.findall(r"'([^']*)'", m.group(1))), channel.offline[m.end() : starts[i + 1].start() if i + 1 < len(starts) else None])
                for i, m in enumerate(starts)
            ]
            if starts
            else [(tuple(channel.use_cases), channel.offline)]
        )
        for use_cases, text in parts:
            named = _NAMED.search(text)
            found.append(
                Reconnect(channel.address, channel.entity, use_cases, text, named.group("operation") if named else None, named.group("path") if named else None)
            )
    return found


def operation_by_id(arch: Architecture, operation_id: str) -> tuple[str, Operation] | None:
    """The operation a client calls by that id, with its full path (the API's base path before it)."""
    for api in arch.apis:
        for op in api.operations:
            if op.operation_id == operation_id and not op.internal:
                return f"{api.base_path}{op.path}", op
    return None

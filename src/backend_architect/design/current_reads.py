"""The read a reconnecting client calls for a latest value it missed: one that returns the pushed row, added where none does.

A latest value (``latest: true``: a driver's position, a typing flag) is replaced by the next one, so a client that was not
connected owes no history: it reads the current value. That promise names a read, and the read must return *that* row to
*that* recipient: a get of the entity by its id (the id the pushed event carries), or a list selecting rows by a key. A
search around a point (``near``), a full-text search or a list narrowed by a constant (``status = available``) returns
other rows, and may leave out the one pushed: a customer re-reading "drivers available near me" never sees the driver on
their trip (run 22, uber C1). Where reads of the value exist but none returns the row, ``derived_current_read`` adds a get by id, as
``catch_up.with_catch_up_reads`` adds the lists a history channel needs; its rate is the recipients' reconnects.
"""

from __future__ import annotations

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.audience import CATCH_UP_NOTE, Audiences
from backend_architect.design.patterns._routes import Route
from backend_architect.spec.model import Spec, UseCaseSpec
from backend_architect.spec.naming import snake


def returns_pushed_row(read: UseCase) -> bool:
    """Whether ``read`` returns a given row by key: a get by id, or a list filtered only by references, neither searched nor near.

    Why: only such a read can hand a reconnecting recipient the row that was pushed to it; a radius search or a constant
    filter selects by where or what the rows are now, not by which row the recipient was following.
    """
    spec = read.spec
    if read.is_write or spec.near or spec.search or any(f.constant is not None for f in read.filters):
        return False
    return read.kind == "get" or (read.kind == "list" and bool(read.filters))


def current_reads(analysis: Analysis, use_case: UseCase) -> list[UseCase]:
    """The reads of a latest value that return the pushed row (``returns_pushed_row``), gets first."""
    reads = [u for u in analysis.of_entity(use_case.entity) if u.kind in {"get", "list"} and returns_pushed_row(u)]
    return sorted(reads, key=lambda u: u.kind != "get")


def unreturned(analysis: Analysis, use_case: UseCase) -> bool:
    """Whether a latest value is read back by the spec, but by no read returning the pushed row: a get must be added.

    Why: a value some read exposes (drivers near a point) is one a reconnecting recipient expects to read again, so the
    promise must name a read that returns its row; a value no read exposes (a typing flag) stays push-only, and the
    reconnecting client waits for the next push, as the channel says.
    """
    reads = [u for u in analysis.of_entity(use_case.entity) if not u.is_write and u.kind in {"get", "list"}]
    return bool(reads) and not current_reads(analysis, use_case)


def derived_current_read(
    spec: Spec, analysis: Analysis, audience: Audiences, use_case: UseCase, where: Route, auth: str, reconnect_every_s: float
) -> tuple[UseCaseSpec, str]:
    """A get of the pushed entity by id for a latest value no read returns, and the assumption stating its rate.

    Its callers are the channel's recipients (their actor, their clients online), each reconnecting once every
    ``reconnect_every_s``; it is public only where the channel is.
    """
    entity = use_case.entity
    recipients = audience.of_entity(where.scope) if where.people and where.scope else None
    deliver = use_case.spec.deliver
    target = deliver.to if deliver is not None and deliver.to and "." not in deliver.to else None
    whom = recipients or audience.of(target or use_case.spec.actor)
    clients = whom.connections if recipients is not None else whom.clients
    peak = max(clients, 1.0) / reconnect_every_s
    average = peak if spec.scale.rates == "peak" else peak / analysis.peak_factor
    taken = {u.name for u in spec.use_cases}
    base = f"get current {snake(entity).replace('_', ' ')}"
    name, n = base, 2
    while name in taken:
        name, n = f"{base} {n}", n + 1
    made = UseCaseSpec.model_validate(
        {
            "name": name,
            "kind": "get",
            "description": f"The current value a client not connected missed on channel {where.address}, by the id its events carry "
            f"({CATCH_UP_NOTE} '{use_case.name}').",
            "actor": whom.actor,
            "auth": auth,
            "reads": [entity],
            "rate": f"{average:.12g}/s",
        }
    )
    note = (
        f"'{name}': added as the catch-up read of '{use_case.name}' (channel {where.address}): no read of the spec returns the "
        f"{entity} row pushed to a recipient by its id; each of the {clients:,.0f} {whom.actor} clients reconnects once every "
        f"{reconnect_every_s:g} s and reads the current value: {peak:,.0f} requests/s at peak"
    )
    return made, note


__all__ = ["current_reads", "derived_current_read", "returns_pushed_row", "unreturned"]

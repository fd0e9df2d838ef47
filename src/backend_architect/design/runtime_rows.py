"""The rows each service's messaging and retry guarantees write: one outbox row per event published, one
processed-event row per event consumed, one stored answer per request carrying ``Idempotency-Key``.

Computed once, per use case, from the flows and the operations: the messaging-tables stage sizes
the tables from these rows a day, and the database load (``design/loads.py``) counts the same rows
at peak among the writes reaching each database, so no section sizes a table whose inserts another
section leaves out.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend_architect.design.publishers import event_publishers
from backend_architect.ir.consumers import recording_services
from backend_architect.ir.model import Architecture
from backend_architect.ir.query import OUTBOX_SOURCE, event_source, held_keys
from backend_architect.ir.runtime_tables import RuntimeRole


@dataclass(frozen=True)
class RuntimeRows:
    """One use case's rows in one service's runtime table: one a request (or event) of the use case."""

    role: RuntimeRole
    service: str
    use_case: str


def runtime_rows(arch: Architecture) -> list[RuntimeRows]:
    """Every (role, service, use case) whose requests or events write one row of the role's table in the service's database.

    One outbox row per event however many services consume it (a use case publishing through
    the outbox of each service its flow publishes from); one processed-event row per consuming
    service; one idempotency-key row per request of an operation that accepts the header.
    """
    services = {s.name for s in arch.services}
    found: dict[tuple[RuntimeRole, str, str], None] = {}
    for flow in arch.flows:
        # only the events this request publishes: a read fed by an event-fed local copy shows the owner's change events,
        # published (and counted) when the owner's rows change, not once per read
        reached = {s.target for s in flow.steps if s.kind == "request"}
        steps = [s for s in flow.steps if s.kind == "event" and s.via in {"outbox", "cdc"} and s.source in reached]
        # no outbox row where a store's CDC log publishes the event (no transaction spans that store and the outbox)
        for source in dict.fromkeys(s.source for s in steps if s.via == "outbox"):
            found[("outbox", source, flow.use_case)] = None
    # an event only a worker consumes (a search indexer, an analytics loader) has no step in its flow, yet commits to the outbox too
    for event in arch.events:
        if event_source(arch, event) == OUTBOX_SOURCE:  # neither a CDC log nor the write path itself publishes it
            for use_case in event_publishers(arch, event):
                found[("outbox", event.producer, use_case)] = None
    # a processed-event row per service consuming the event, whatever delivers it (the outbox relay, a CDC log), taken by the
    # service itself or by a worker whose writes commit in its database; a worker writing elsewhere idempotently by key (a
    # fan-out worker's Redis pushes, an indexer's documents) keeps none: no transaction would commit the row with its writes
    # (ir.consumers.recording_services; twitter's follows-db took 12,000 such rows/s for the fan-out worker, 240% of a primary)
    for event in arch.events:
        for service in (s for s in recording_services(arch, event) if s in services):
            # one processed-event row per event received, whichever write published it (design.publishers)
            for use_case in event_publishers(arch, event):
                found[("inbox", service, use_case)] = None
    # a keyed write a wide-column store holds keeps its key there (ir.query.held_keys): no PostgreSQL row
    held = {u for s in {api.service for api in arch.apis} for u in held_keys(arch, s)}
    for api in arch.apis:
        for op in api.operations:
            if op.idempotency_key:
                for use_case in op.use_cases:
                    if use_case not in held:
                        found[("idempotency", api.service, use_case)] = None
    return [RuntimeRows(role, service, use_case) for role, service, use_case in found]


def rows_a_day(arch: Architecture, rates_a_day: dict[str, float]) -> dict[RuntimeRole, dict[str, float]]:
    """Per role and service, the rows a day its table takes: the sum of its use cases' requests (or events) a day."""
    wanted: dict[RuntimeRole, dict[str, float]] = {"outbox": {}, "inbox": {}, "idempotency": {}}
    for rows in runtime_rows(arch):
        by_service = wanted[rows.role]
        by_service[rows.service] = by_service.get(rows.service, 0.0) + rates_a_day.get(rows.use_case, 0.0)
    return wanted


__all__ = ["RuntimeRows", "rows_a_day", "runtime_rows"]

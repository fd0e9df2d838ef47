"""Read-only helpers over the IR."""

from __future__ import annotations

from collections.abc import Iterator

from backend_architect.ir.model import Api, Architecture, Datastore, Event, Figure, Service, Table


def all_tables(arch: Architecture) -> Iterator[tuple[Datastore, Table]]:
    """Every table with the datastore holding it, in order."""
    for store in arch.datastores:
        for table in store.tables:
            yield store, table


def service_of_entity(arch: Architecture, entity: str) -> Service | None:
    return next((s for s in arch.services if entity in s.entities), None)


def datastore_of(arch: Architecture, service: Service) -> Datastore | None:
    return next((d for d in arch.datastores if d.name == service.datastore), None)


def api_of(arch: Architecture, service: str) -> Api | None:
    return next((a for a in arch.apis if a.service == service), None)


def table_of_entity(arch: Architecture, entity: str) -> Table | None:
    return next((t for _, t in all_tables(arch) if t.entity == entity), None)


def figure(arch: Architecture, key: str) -> Figure | None:
    return next((f for f in arch.figures if f.key == key), None)


def events_by_service(arch: Architecture) -> tuple[dict[str, list[Event]], dict[str, list[Event]]]:
    """Events each service publishes, and events each service (or other consumer) consumes."""
    published: dict[str, list[Event]] = {}
    consumed: dict[str, list[Event]] = {}
    for event in arch.events:
        published.setdefault(event.producer, []).append(event)
        for consumer in event.consumers:
            consumed.setdefault(consumer, []).append(event)
    return published, consumed

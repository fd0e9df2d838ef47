"""Read-only helpers over the IR."""

from __future__ import annotations

from collections.abc import Iterator

from backend_architect.ir.model import Architecture, Datastore, Event, Figure, Table


def all_tables(arch: Architecture) -> Iterator[tuple[Datastore, Table]]:
    """Every table with the datastore holding it, in order."""
    for store in arch.datastores:
        for table in store.tables:
            yield store, table


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

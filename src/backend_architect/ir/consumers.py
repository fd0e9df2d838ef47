"""Who consumes an event, as one account: each consumer with the service that runs it.

An event's ``consumers`` name what takes it from the broker: a service, or a part of the design (a fan-out worker, the
search indexer, a loader, media workers, the real-time gateway). A worker runs inside a service (its ``services``: the
one whose database it reads, the feed's runner), so that service subscribes, holds the consumer group and is deployed with
it: it is a consumer of the event too. The hand-off's services and integration, the AsyncAPI documents' receive
operations, design.md's events table and the topology all read this account, so none of them lists a worker consuming an
event while its service says it consumes nothing (twitter's follows ran the fan-out worker with ``consumes: []``).
"""

from __future__ import annotations

from backend_architect.ir.model import Architecture, Event


def runners(arch: Architecture, consumer: str) -> list[str]:
    """The services that run ``consumer``: itself when it is a service, a worker's services, none for a deployable of its own.

    A worker is the only part run inside a service (the real-time gateway, a search engine or a warehouse is deployed
    apart and has a document or a section of its own).

    >>> from backend_architect.ir.model import Service
    >>> from backend_architect.ir.runtime import Component
    >>> arch = Architecture(system="s", services=[Service(name="follows", entities=[])],
    ...     components=[Component(name="feed-fanout", kind="worker", technology="t", purpose="p", services=["follows"])])
    >>> runners(arch, "follows"), runners(arch, "feed-fanout"), runners(arch, "realtime-gateway")
    (['follows'], ['follows'], [])
    """
    if any(s.name == consumer for s in arch.services):
        return [consumer]
    worker = next((c for c in arch.components if c.name == consumer and c.kind == "worker"), None)
    return list(worker.services) if worker is not None else []


def consuming_services(arch: Architecture, event: Event) -> list[str]:
    """Every service that consumes ``event``, directly or through a worker it runs, sorted."""
    return sorted({s for c in event.consumers for s in runners(arch, c)})


def recording_services(arch: Architecture, event: Event) -> list[str]:
    """The services that keep a processed-event record of ``event``: each consuming it itself, or through a worker whose
    writes commit in its database; a worker whose writes land elsewhere and are idempotent there (``Component.redelivery``:
    a fan-out worker's list pushes, an indexer's documents by key) makes its service keep none, sorted.

    Why: a record is only a guarantee when it commits in the transaction of the change it guards. A PostgreSQL row written
    beside a Redis push or an index write skips nothing a crash between the two redelivers, yet costs a row per event
    (12,000/s on one primary for a fan-out worker), so the worker's own writes carry the idempotency instead.

    >>> from backend_architect.ir.model import Service
    >>> from backend_architect.ir.runtime import Component
    >>> arch = Architecture(system="s", services=[Service(name="a", entities=[]), Service(name="b", entities=[])],
    ...     components=[Component(name="fanout", kind="worker", technology="t", purpose="p", services=["b"], redelivery="r")])
    >>> recording_services(arch, Event(name="E", producer="a", entity="X", use_case="u", key="id", consumers=["fanout"]))
    []
    >>> recording_services(arch, Event(name="E", producer="b", entity="X", use_case="u", key="id", consumers=["fanout", "a"]))
    ['a']
    """
    idempotent = {c.name for c in arch.components if c.kind == "worker" and c.redelivery}
    return sorted({s for c in event.consumers if c not in idempotent for s in runners(arch, c)})


def consumed_how(arch: Architecture, event: Event, service: str) -> str:
    """How ``service`` makes a redelivery of ``event`` harmless: by event id against its processed events, and, for each worker
    it runs writing elsewhere, that worker's own way (``Component.redelivery``), as its AsyncAPI receive operation says it.

    >>> from backend_architect.ir.model import Service
    >>> from backend_architect.ir.runtime import Component
    >>> arch = Architecture(system="s", services=[Service(name="a", entities=[])],
    ...     components=[Component(name="indexer", kind="worker", technology="t", purpose="p", services=["a"], redelivery="by key")])
    >>> consumed_how(arch, Event(name="E", producer="a", entity="X", use_case="u", key="id", consumers=["indexer"]), "a")
    'indexer: by key'
    """
    said = ["by event_id, skipped once its processed events hold it"] if service in recording_services(arch, event) else []
    workers = {c.name: c.redelivery for c in arch.components if c.kind == "worker" and c.redelivery and service in c.services}
    said += [f"{c}: {workers[c]}" for c in event.consumers if c in workers]
    return "; ".join(said) or "by event_id"


def consumer_label(arch: Architecture, consumer: str) -> str:
    """``consumer`` as a reader meets it: a worker names the service running it (``feed-fanout (run by follows)``)."""
    run_by = [s for s in runners(arch, consumer) if s != consumer]
    return f"{consumer} (run by {', '.join(run_by)})" if run_by else consumer


def consumer_labels(arch: Architecture, event: Event) -> list[str]:
    """Every consumer of ``event`` with the service running it, in the event's order."""
    return [consumer_label(arch, c) for c in event.consumers]


def delivering(arch: Architecture, external: str) -> list[str]:
    """The workers that call ``external`` after a commit (``Component.calls``: a push sender, a webhook sender): the event's
    consumer is the worker, and the worker alone calls the external, so what an external is told is read through them.

    >>> from backend_architect.ir.runtime import Component
    >>> arch = Architecture(system="s", components=[Component(name="push-sender", kind="worker", technology="t", purpose="p",
    ...     calls=["apns", "fcm"])])
    >>> delivering(arch, "fcm"), delivering(arch, "stripe")
    (['push-sender'], [])
    """
    return [c.name for c in arch.components if external in (c.calls or [])]


def tells(arch: Architecture, event: Event, external: str) -> bool:
    """Whether ``event`` reaches ``external``: consumed by a worker calling it."""
    return bool(set(delivering(arch, external)) & set(event.consumers))


def events_consumed(arch: Architecture) -> dict[str, list[Event]]:
    """Events each consumer takes, and each service running a worker that takes them: an event once per taker, in order."""
    consumed: dict[str, list[Event]] = {}
    for event in arch.events:
        for taker in dict.fromkeys(t for c in event.consumers for t in [c, *runners(arch, c)]):
            consumed.setdefault(taker, []).append(event)
    return consumed

"""A use case's path as the mechanisms serving it have it: its flow, its events and the components it talks to.

The communication stage draws each path from the use cases alone (a remote read that may be
stale is an event-fed copy, a write others read publishes through the outbox). A pattern that
serves a path (``Mechanism``: a proximity index in Redis, a precomputed list, a latest value
kept in memory) changes that: merging its record rewrites the path here, once, so the
communication table, the sequence and architecture diagrams, the events, the broker's rate
and the failure table all describe what the mechanism does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from backend_architect.design.relay import local_copy_reason
from backend_architect.design.step_order import key_sources, ordered_for
from backend_architect.ir.model import Architecture, Event, Flow, FlowStep
from backend_architect.ir.runtime import Component, Mechanism, side_write

_COPY = " changes keep a local read model current"


def with_mechanisms(arch: Architecture, added: Sequence[Mechanism]) -> Architecture:
    """``arch`` with ``added`` recorded, and each path they serve rewritten to match (flows, events, the serving store's users)."""
    if not added:
        return arch
    recorded = {(m.use_case, m.pattern, m.serves): m for m in arch.mechanisms}
    recorded.update({(m.use_case, m.pattern, m.serves): m for m in added})
    flows = {f.use_case: f for f in arch.flows}
    events = list(arch.events)
    components = list(arch.components)
    services = {s.name for s in arch.services}
    for mechanism in added:
        flow = flows.get(mechanism.use_case)
        if flow is None or not flow.steps:
            continue
        home = flow.steps[0].target
        components = _used_by(components, mechanism.store, home if home in services else None)
        if mechanism.serves == "read":
            flows[flow.use_case] = served_read(flow, mechanism)
        elif mechanism.serves == "write" and mechanism.publish == "direct":
            flows[flow.use_case] = direct_write(flow, mechanism)
            events = _retired(events, flows, mechanism.use_case)
        elif mechanism.serves == "write" and mechanism.publish == "cdc":
            flows[flow.use_case] = cdc_write(flow, mechanism)
        elif side_write(mechanism):
            said = f"{flow.rationale}; also {mechanism.how} ({mechanism.pattern})" if flow.rationale else f"{mechanism.how} ({mechanism.pattern})"
            flows[flow.use_case] = flow.model_copy(update={"steps": [*flow.steps, _side_step(flow, mechanism)], "rationale": said})
    return arch.model_copy(update={"mechanisms": list(recorded.values()), "flows": list(flows.values()), "events": events, "components": components})


def publishes_directly(arch: Architecture, use_case: str) -> bool:
    """Whether the write path publishes its changes to pub/sub itself (no outbox: there is no database transaction)."""
    return any(m.use_case == use_case and m.serves == "write" and m.publish == "direct" for m in arch.mechanisms)


def _used_by(components: list[Component], store: str, service: str | None) -> list[Component]:
    """The serving store lists the service answering the path among its users (the architecture draws that edge).

    A worker already run by a service is reached through the events it consumes, not used by the path's service: listing that
    service would draw the worker in two services and read the first one's data from the second's database."""
    if service is None:
        return components
    return [
        c.model_copy(update={"services": sorted({*c.services, service})})
        if c.name == store and service not in c.services and not (c.kind == "worker" and c.services)
        else c
        for c in components
    ]


def step_entities(step: FlowStep) -> set[str]:
    """The entities a remote-read step carries: ``Driver, Cab changes keep ...`` or ``read Driver, Cab``.

    >>> sorted(step_entities(FlowStep(source="trips", target="drivers", kind="query", description="read Driver, Cab")))
    ['Cab', 'Driver']
    """
    text = step.description.split(_COPY)[0] if step.kind == "event" else step.description.removeprefix("read ")
    return {e.strip() for e in text.split(",")}


def _remote_read(step: FlowStep, home: str) -> bool:
    return (step.kind == "event" and step.target == home and step.description.endswith(_COPY)) or (
        step.kind == "query" and step.source == home and step.description.startswith("read ")
    )


def served_read(flow: Flow, mechanism: Mechanism) -> Flow:
    """A read the mechanism answers (in part) from its store: no event-fed copy or remote query of what it serves, one query of the store.

    What the store does not hold (``unserved``, or state a mechanism adds to rows read elsewhere, such as
    presence: its ``entities`` are empty) keeps its steps: the read reaches its database and services for it.

    >>> from backend_architect.ir.model import Flow, FlowStep
    >>> flow = Flow(use_case="find", style="event", rationale="", steps=[FlowStep(source="rider", target="cabs", kind="request", description="find"),
    ...     FlowStep(source="drivers", target="cabs", kind="event", description="Driver changes keep a local read model current")])
    >>> m = Mechanism(use_case="find", pattern="PAT021", serves="read", store="redis", entities=["Driver"], how="GEOSEARCH d:loc", database_share=0)
    >>> [(s.target, s.kind) for s in served_read(flow, m).steps], served_read(flow, m).style
    ([('cabs', 'request'), ('redis', 'query')], 'local')
    """
    home = flow.steps[0].target
    served = set(mechanism.entities)
    kept = [s for s in flow.steps if not (_remote_read(s, home) and step_entities(s) <= served)]
    sources = key_sources(mechanism)
    drawn = next((s for s in kept if s.target == mechanism.store and s.kind == "query"), None)
    if drawn is not None:
        # already drawn by another mechanism on the store: it still waits for the rows its keys come from (design/step_order.py)
        return flow.model_copy(update={"steps": ordered_for(flow.steps, home, drawn, sources)}) if sources else flow
    step = FlowStep(source=home, target=mechanism.store, kind="query", description=f"{mechanism.how} ({mechanism.pattern})")
    # the store's query runs once the steps giving its reads their keys have answered (a feed's merge after the graph's call)
    steps = ordered_for(kept, home, step, sources)
    copies = sorted({s.source for s in kept if _remote_read(s, home) and s.kind == "event"})
    queries = sorted({s.target for s in kept if _remote_read(s, home) and s.kind == "query"})
    style: Literal["local", "sync", "event", "saga"]
    by = f"{', '.join(mechanism.entities)} served by {mechanism.store}" if mechanism.entities else f"from {mechanism.store}"
    served_text = f"{by}: {mechanism.how} ({mechanism.pattern})"
    if flow.style == "saga":
        style, rest = flow.style, flow.rationale
    elif queries:
        style, rest = "sync", f"needs fresh data from {', '.join(queries)} within the request"
    elif copies:
        style, rest = "event", local_copy_reason(copies)
    else:
        style, rest = "local", f"everything else it reads lives in {home}"
    return flow.model_copy(update={"steps": steps, "style": style, "rationale": f"{served_text}; {rest}"})


def unserved(reads: Sequence[str], served: Sequence[str]) -> list[str]:
    """What a read needs beyond what a mechanism's store holds: those entities come from the database, in the same request.

    One rule for every mechanism: a store answers a read alone (``database_share`` 0) only when it
    holds every entity the read returns; otherwise the read still reaches its database for the
    rest, the flow draws both, and the database load counts the path.

    >>> unserved(["Video", "GeoBlock", "View"], ["View"]), unserved(["User"], ["User"])
    (['Video', 'GeoBlock'], [])
    """
    return [e for e in dict.fromkeys(reads) if e not in served]


def _side_step(flow: Flow, mechanism: Mechanism) -> FlowStep:
    return FlowStep(source=flow.steps[0].target, target=mechanism.store, kind="call", description=f"{mechanism.how} ({mechanism.pattern})")


def direct_write(flow: Flow, mechanism: Mechanism) -> Flow:
    """A write the mechanism keeps in its store: it reaches no database transaction, so nothing of it goes through the outbox."""
    home = flow.steps[0].target
    kept = [s for s in flow.steps if not (s.kind == "event" and s.source == home and s.via == "outbox")]
    step = FlowStep(source=home, target=mechanism.store, kind="call", description=f"{mechanism.how} ({mechanism.pattern})")
    steps = [kept[0], step, *kept[1:]]
    rationale = f"{mechanism.how} ({mechanism.pattern}): the database is not written per request, so nothing is published through the outbox"
    return flow.model_copy(update={"steps": steps, "style": "local" if flow.style == "event" else flow.style, "rationale": rationale})


#: What the communication stage says of a write publishing through its outbox, and what a CDC-published write says instead.
_THROUGH_OUTBOX = "published through the transactional outbox after commit"


def cdc_write(flow: Flow, mechanism: Mechanism) -> Flow:
    """A write a store other than PostgreSQL takes: its events leave from that store's CDC log, never through an outbox row.

    >>> from backend_architect.ir.model import Flow, FlowStep
    >>> flow = Flow(use_case="send", style="event", rationale="state change others react to: published through the transactional outbox after commit",
    ...     steps=[FlowStep(source="u", target="messages", kind="request", description="send"),
    ...     FlowStep(source="messages", target="gateway", kind="event", description="MessageSent via the outbox: deliver to connected recipients")])
    >>> m = Mechanism(use_case="send", pattern="PAT055", serves="write", store="wide-column-store", how="CQL on messages", database_share=0, publish="cdc")
    >>> [(s.via, s.description) for s in cdc_write(flow, m).steps[1:]]
    [('cdc', 'MessageSent via the CDC log: deliver to connected recipients')]
    >>> cdc_write(flow, m).rationale
    "state change others react to: published from wide-column-store's change-data-capture log after the write (no outbox row: no transaction spans the stores)"
    """
    home = flow.steps[0].target
    steps = [
        s.model_copy(update={"via": "cdc", "description": s.description.replace(" via the outbox", " via the CDC log", 1)})
        if s.kind == "event" and s.source == home and s.via == "outbox"
        else s
        for s in flow.steps
    ]
    said = f"published from {mechanism.store}'s change-data-capture log after the write (no outbox row: no transaction spans the stores)"
    return flow.model_copy(update={"steps": steps, "rationale": flow.rationale.replace(_THROUGH_OUTBOX, said)})


#: The ways an event reaches the relay (and the broker): an outbox row, or a store's CDC log; pub/sub published by the write path does not.
_RELAYED = {"outbox", "cdc"}


def outbox_publishers(flows: Sequence[Flow], event: Event) -> list[str]:
    """Use cases whose flows publish ``event`` through the producer's relay: its outbox, or a CDC log (several writes may share one event name)."""
    return [
        f.use_case
        for f in flows
        if any(s.kind == "event" and s.via in _RELAYED and s.source == event.producer and s.description.startswith(f"{event.name} via ") for s in f.steps)
    ]


def _retired(events: list[Event], flows: dict[str, Flow], use_case: str) -> list[Event]:
    """The events once ``use_case`` stops publishing through the outbox: its event passes to another write publishing it, or goes."""
    kept: list[Event] = []
    for event in events:
        if event.use_case != use_case:
            kept.append(event)
            continue
        others = [u for u in outbox_publishers(list(flows.values()), event) if u != use_case]
        if not others:
            continue
        consumers = sorted({s.target for u in others for s in flows[u].steps if s.kind == "event" and s.description.startswith(f"{event.name} via ")})
        kept.append(event.model_copy(update={"use_case": others[0], "consumers": consumers or event.consumers}))
    return kept


__all__ = ["direct_write", "outbox_publishers", "publishes_directly", "served_read", "step_entities", "unserved", "with_mechanisms"]

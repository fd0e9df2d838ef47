"""What is fed by events is fed by events that exist: a table kept from another table's changes derives the events published.

A table the design keeps from the rows of another through the outbox relay (a by-owner lookup on
its owner's shard, ``shard_families.with_owner_lookups``; an event-fed copy of another service's
membership pairs, ``member_copies``) is written by no request: every row added to or taken from
its source reaches it as an event. So each use case that inserts or deletes source rows (a
membership joined or left, a part created with its parent), or rewrites a column the kept table
holds, publishes an event consumed by the keeper, whose payload carries what the keeper writes:
the row's id with those columns, or, for a parent's write, the part rows created with it (an
array, ``Event.parts``). The events join ``arch.events`` like every other, so the outbox's event
list, the AsyncAPI documents, the design's events table, the hand-off and the figures counting
outbox rows (``runtime_rows``) all carry them, and the kept table's reason names them; none is
said in the text alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend_architect.design.analysis import UseCase
from backend_architect.design.event_fields import merged_event, written_row
from backend_architect.ir.model import Architecture, Event, EventPart, Flow, FlowStep, Table
from backend_architect.spec.naming import snake


@dataclass(frozen=True)
class Feed:
    """A table kept from ``source``'s rows: the ``columns`` it copies of each row, the service keeping it, and the part's
    rows per parent (how many rows a parent's event carries when the parts are written with it)."""

    source: Table
    columns: tuple[str, ...]
    keeper: str
    per_parent: float = 1.0
    kept: str = ""
    #: The writes that change the kept rows: a copy follows creates and deletes; rows reached by their parent's delete (a
    #: reference across servers, ``cross_server_keys``) follow its deletes only.
    kinds: frozenset[str] = frozenset({"create", "delete"})


def feeding_use_cases(feed: Feed, use_cases: list[UseCase]) -> list[UseCase]:
    """The writes that change which rows the kept table holds: a create or delete of the source's rows (as the use case's own
    entity, or as parts written with their parent), or an update of a column it copies."""
    entity = feed.source.entity
    found = []
    for use_case in use_cases:
        if entity is None or not use_case.is_write or use_case.is_job:
            continue
        if use_case.entity == entity:
            if use_case.kind in feed.kinds or set(feed.columns) & set(use_case.written_columns):
                found.append(use_case)
        # rows written with their parent, in its transaction (a chat created with its members); a parent's field written beside
        # another row (a thread's last_post_at by a reply) adds or takes no row
        elif use_case.kind in feed.kinds and entity in {*use_case.children, *(e for e, _ in use_case.part_rows)}:
            found.append(use_case)
    return found


def feeding_event(arch: Architecture, feed: Feed, use_case: UseCase, name: str) -> Event:
    """The event ``use_case`` publishes for the kept table: its row's id with the copied columns (a delete carries them too, so
    the keeper finds the row it removes), or, a parent's write, the part rows it created or deleted."""
    own = use_case.entity == feed.source.entity
    columns = {c.name: c for c in feed.source.columns}
    fields = [*(written_row(arch, use_case) if use_case.kind != "delete" else ["id"]), *(["id", *feed.columns] if own else [])]
    carried = [columns[c] for c in dict.fromkeys(["id", *feed.columns]) if c in columns]
    rows = dict(use_case.part_rows).get(feed.source.entity or "", feed.per_parent)
    parts = [] if own else [EventPart(table=feed.source.name, columns=carried, rows=rows)]
    return Event(
        name=name,
        producer=next((s.service for s in arch.datastores for t in s.tables if t.entity == use_case.entity), feed.keeper),
        consumers=[feed.keeper],
        entity=use_case.entity,
        key=f"{snake(use_case.entity)}_id",
        use_case=use_case.name,
        fields=list(dict.fromkeys(fields)),
        parts=parts,
    )


def with_feeds(arch: Architecture, feeds: list[Feed], use_cases: list[UseCase]) -> Architecture:
    """``arch`` with the events feeding each table kept in ``feeds`` published: an event the use case already publishes gains
    the keeper as a consumer and what the keeper writes; otherwise one is added, named as every event is."""
    from backend_architect.design.communication import event_name  # communication imports this module

    events = {e.name: e for e in arch.events}
    named = {e.use_case: e.name for e in arch.events}
    for feed in feeds:
        for use_case in feeding_use_cases(feed, use_cases):
            name = named.get(use_case.name) or event_name(use_case)
            events[name] = merged_event(events.get(name), feeding_event(arch, feed, use_case, name))
            named[use_case.name] = name
    # the steps are drawn whether or not the events were already listed (a second sizing pass starts from them)
    flows = _with_steps(arch, feeds, use_cases, named)
    listed = list(events.values())
    if listed == arch.events and flows == arch.flows:
        return arch
    return arch.model_copy(update={"events": listed, "flows": flows})


def _with_steps(arch: Architecture, feeds: list[Feed], use_cases: list[UseCase], named: dict[str, str]) -> list[Flow]:
    """The flows with each feeding event drawn as the step it is (through the outbox to the keeper); a flow that published
    nothing before now publishes, and says so."""
    steps: dict[str, list[FlowStep]] = {}
    for feed in feeds:
        for use_case in feeding_use_cases(feed, use_cases):
            producer = next((s.service for s in arch.datastores for t in s.tables if t.entity == use_case.entity), None) or feed.keeper
            what = f": keeps {feed.kept} current" if feed.kept else ""
            steps.setdefault(use_case.name, []).append(
                FlowStep(source=producer, target=feed.keeper, kind="event", description=f"{named[use_case.name]} via the outbox{what}")
            )
    flows = []
    for flow in arch.flows:
        drawn = {(s.source, s.target, s.description.split(" via ")[0]) for s in flow.steps if s.kind == "event"}
        added = [s for s in steps.get(flow.use_case, []) if (s.source, s.target, s.description.split(" via ")[0]) not in drawn]
        if not added:
            flows.append(flow)
            continue
        update: dict[str, object] = {"steps": [*flow.steps, *list({s.description: s for s in added}.values())]}
        if flow.style == "local":
            update |= {"style": "event", "rationale": "state change others react to: published through the transactional outbox after commit"}
        flows.append(flow.model_copy(update=update))
    return flows


def feeding_events(arch: Architecture, feed: Feed, use_cases: list[UseCase]) -> list[str]:
    """The names of the published events feeding ``feed``'s table, in use-case order: what its reason names."""
    named = {e.use_case: e.name for e in arch.events if feed.keeper in e.consumers}
    return list(dict.fromkeys(named[u.name] for u in feeding_use_cases(feed, use_cases) if u.name in named))


__all__ = ["Feed", "feeding_event", "feeding_events", "feeding_use_cases", "with_feeds"]

"""What an event carries: the row its write leaves, and every field a consumer added reads, under one name.

An event is consumed by the services keeping a local copy of its rows, the fan-out worker (which needs the
author to find the followers), the real-time gateway (which pushes the row a client renders), the search
indexer (the indexed fields) and the analytics loader (the columns it loads). Each reads the row the write
left, so the event carries that row (event-carried state transfer): no consumer reads it back from the owner's
database, and no second message of the same name carries other fields. ``ir.payloads`` turns the fields into
the payload schema and its bytes.
"""

from __future__ import annotations

from collections.abc import Iterable

from backend_architect.design.analysis import UseCase
from backend_architect.ir.model import Architecture, Event, EventPart, EventRecipients
from backend_architect.ir.payloads import event_table
from backend_architect.spec.naming import snake


def written_row(arch: Architecture, use_case: UseCase) -> list[str]:
    """The fields of the row ``use_case`` writes: the columns it names, else the whole row but its secrets; a delete carries the id."""
    table = event_table(arch, use_case.entity)
    secret = {c.name for c in table.columns if c.secret} if table else set()
    if use_case.written_columns or use_case.kind == "delete":
        return ["id", *(c for c in use_case.written_columns if c not in secret)]
    return [c.name for c in table.columns if c.name not in secret] if table else ["id"]


def kept_row(arch: Architecture, use_case: UseCase) -> list[str]:
    """The fields a consumer keeping a whole copy of the row (a search document, a column-store row) needs from ``use_case``'s
    event: the row as the write leaves it, every column but its secrets, even where the write names one column; a delete
    the id alone (the copy drops the row), but not an unlink (``untag ticket`` deletes a link row: the ticket stays, and an
    id alone would read as its delete).

    The copy is replaced whole under the row's id: a rename carrying only the title would leave a document with no status
    to filter by and no score to sort by.
    """
    table = event_table(arch, use_case.entity)
    if (use_case.kind == "delete" and use_case.relation is None) or table is None:
        return written_row(arch, use_case)
    return [c.name for c in table.columns if not c.secret]


def with_fields(event: Event, fields: Iterable[str]) -> Event:
    """``event`` carrying ``fields`` besides its own (a consumer added reads them), in first-named order."""
    merged = list(dict.fromkeys([*event.fields, *fields]))
    return event if merged == event.fields else event.model_copy(update={"fields": merged})


def with_recipients(event: Event, recipients: Iterable[EventRecipients]) -> Event:
    """``event`` naming ``recipients`` besides those it names (another channel pushes it), one entry per payload property."""
    merged = list({r.field: r for r in [*event.recipients, *recipients]}.values())
    return event if merged == event.recipients else event.model_copy(update={"recipients": merged})


def merged_event(known: Event | None, event: Event) -> Event:
    """One event named twice (two patterns each adding a consumer) is one event: consumers and fields joined."""
    if known is None:
        return event
    # channels scoped by different columns each key the event their way: one event has one order, by its row's own id
    own = (f"{known.entity.lower()}_id", f"{snake(known.entity)}_id")
    key = known.key if known.key == event.key else next((k for k in (known.key, event.key) if k in own), own[1])
    parts = list({p.table: p for p in [*event.parts, *known.parts]}.values())
    # two writes making one event (two creates of a Listing feeding its indexer) both publish it: an event only a worker
    # consumes has no step in either flow to read that off, so the writers are kept here (design.publishers reads them)
    writers = list(dict.fromkeys([*(known.published_by or [known.use_case]), *(event.published_by or [event.use_case])]))
    update = {"consumers": sorted({*known.consumers, *event.consumers}), "key": key, "parts": parts}
    joined = known.model_copy(update={**update, "published_by": writers if writers != [known.use_case] else known.published_by})
    return with_recipients(with_fields(joined, [*event.fields, *([] if key == known.key else ["id"])]), event.recipients)


def recorded_event(arch: Architecture, use_case: UseCase, event: Event) -> Event:
    """The event of a read that records rows beside it (a search logging its query): about the first row it records.

    A read writes no row of the entity it reads: a search of videos produces a search_queries row, not a Video. So its
    event is that row's: keyed by the recorded row's id and carrying the row whole but its secrets, which its consumer
    (the service owning the recorded rows, or the home service writing them after the answer) inserts from the message
    alone; a second recorded entity travels as a part (an array of its rows). Never the read entity's id, which the
    operation does not produce and which fills none of the recorded table's columns.
    """
    recorded = [(e, t) for e in use_case.writes if e != use_case.entity and (t := event_table(arch, e)) is not None]
    if not recorded:
        return event
    (entity, table), rest = recorded[0], recorded[1:]
    parts = [EventPart(table=t.name, columns=[c for c in t.columns if not c.secret], rows=1.0) for _, t in rest]
    fields = [c.name for c in table.columns if not c.secret]
    return event.model_copy(update={"entity": entity, "key": f"{snake(entity)}_id", "fields": fields, "parts": parts})

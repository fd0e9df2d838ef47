"""What a reaction's row holds: the columns its consumer fills from each event of the writes it follows.

A use case with ``after: [write, ...]`` is made by a consumer of those writes' events, once per
event (``design/communication.py`` draws it). The generated consumer needs more than the flow's
words: which column each event field fills. The rule, over the reaction's table (every required
column accounted for, as for the rows a create makes, ``design/server_rows.py``):

- a reference to the entity the event announces is the event's row (its ``id``);
- a column named as an event field is copied (``topic_id``, ``author_id``);
- a required time without a default is the time the event is handled; a required state starts at
  its first value;
- anything else required is ``unfilled``: the implementer decides it (the topic's author is read
  through the topic, which no event field says), and the scaffold does not guess.
"""

from __future__ import annotations

from backend_architect.design.analysis import Analysis
from backend_architect.design.server_rows import fill_by_rule, required_columns
from backend_architect.ir.model import Architecture, Event, ReactionRow, Table
from backend_architect.spec.model import Spec


def reaction_row(spec: Spec, use_case: str, entity: str, service: str, table: Table, events: list[Event]) -> ReactionRow:
    """The columns of ``entity``'s row a reaction makes from each of ``events`` (only the fields every one of them carries).

    >>> from backend_architect.ir.model import Column
    >>> spec = Spec.model_validate({"system": "s", "entities": {"Reply": {"fields": {"n": "string"}},
    ...     "Notice": {"fields": {"reply": "ref(Reply)", "topic_id": "uuid", "at": "datetime", "to": "string"}}}})
    >>> table = Table(name="notices", entity="Notice", primary_key=["id"], columns=[Column(name="id", type="uuid", default="uuid"),
    ...     Column(name="reply_id", type="uuid", source_field="reply"), Column(name="topic_id", type="uuid"),
    ...     Column(name="at", type="timestamptz"), Column(name="to", type="text")])
    >>> event = Event(name="ReplyPosted", producer="s", entity="Reply", key="reply_id", use_case="reply", fields=["id", "topic_id"])
    >>> row = reaction_row(spec, "notify", "Notice", "s", table, [event])
    >>> row.from_event, row.stamped, row.unfilled
    ({'reply_id': 'reply_id', 'topic_id': 'topic_id'}, ['at'], ['to'])
    """
    shared = set.intersection(*(set(e.fields) | {e.key} for e in events)) if events else set()
    announced = {e.entity for e in events}
    body = spec.entities.get(entity)
    from_event: dict[str, str] = {}
    values: dict[str, str] = {}
    stamped: list[str] = []
    unfilled: list[str] = []
    for column in required_columns(table, ""):
        field = body.fields.get(column.source_field or "") if body is not None else None
        target = field.type.target if field is not None and field.type.kind == "ref" else None
        if target is not None and target in announced and len(announced) == 1 and len(own := {_row_id(e) for e in events}) == 1:
            from_event[column.name] = own.pop()
        elif column.name in shared:
            from_event[column.name] = column.name
        else:
            fill_by_rule(column, stamped, values, unfilled)
    return ReactionRow(
        use_case=use_case,
        service=service,
        entity=entity,
        table=table.name,
        events=sorted(e.name for e in events),
        from_event=from_event,
        values=values,
        stamped=stamped,
        unfilled=unfilled,
    )


def _row_id(event: Event) -> str:
    """The payload field carrying the announced row's id: ``id`` when the event is keyed by another column of the row (a message
    by its conversation), else the key itself (``reply_id``), as the outbox writes it."""
    return "id" if event.key in event.fields and event.key != "id" else event.key


def derive_reaction_rows(spec: Spec, analysis: Analysis, arch: Architecture) -> Architecture:
    """Each reaction's row, from the events of the writes it follows (after the communication stage named them)."""
    owner = {entity: service.name for service in arch.services for entity in service.entities}
    tables = {t.entity: t for store in arch.datastores for t in store.tables if t.entity}
    rows = []
    for use_case in (u for u in analysis.use_cases if u.is_reaction):
        events = [e for e in arch.events if any(name == e.use_case or name in e.published_by for name in use_case.reacts_to)]
        table = tables.get(use_case.entity)
        if table is None or not events or use_case.entity not in owner:
            continue
        rows.append(reaction_row(spec, use_case.name, use_case.entity, owner[use_case.entity], table, events))
    return arch.model_copy(update={"reaction_rows": rows})


__all__ = ["derive_reaction_rows", "reaction_row"]

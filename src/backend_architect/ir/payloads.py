"""One event, one payload: the properties an event carries and the bytes they take, read by every document that states them.

The payload is the envelope (``event_id`` for idempotent consumers, ``occurred_at``), the ordering key, and the
event's fields (``Event.fields``: the union of what its consumers read, merged as each consumer is added). The
service's AsyncAPI document, the real-time gateway's document (which pushes the same message), the gateway's
bandwidth, the outbox's row size and the communication table all read it from here, so no two of them can
describe one message differently.
"""

from __future__ import annotations

from collections.abc import Sequence

from backend_architect.ir.model import Architecture, Column, Event, EventPart, EventRecipients, Table

#: Properties every event carries before its own: the id consumers de-duplicate by, and when it happened.
ENVELOPE = ("event_id", "occurred_at")

#: JSON text of one value by column type (quotes included): a UUID is 36 characters, a timestamp in ISO 8601 with
#: milliseconds and zone 24, a date 10, an integer about 10 digits, a decimal about 12.
_VALUE_BYTES = {"uuid": 38, "timestamptz": 26, "date": 12, "boolean": 5, "integer": 10, "smallint": 6, "bigint": 12, "numeric": 14}

#: Quotes, colon and comma around each property name in JSON text.
_PROPERTY_BYTES = 4


def event_table(arch: Architecture, entity: str) -> Table | None:
    """The table holding the event's entity (the first declared, as the patterns read it), or None."""
    return next((t for s in arch.datastores for t in s.tables if t.entity == entity), None)


def payload_columns(event: Event, table: Table | None) -> list[tuple[str, Column | None]]:
    """The event's properties after the envelope, each with the column it carries (None where no table says its type).

    The key comes first; a secret column (a password hash) never travels; a field no column holds is left out.
    """
    columns = _columns(table)
    keyed_by_id = event.key not in columns
    out: list[tuple[str, Column | None]] = [(event.key, columns.get("id") if keyed_by_id else columns[event.key])]
    seen = {event.key}
    for field in event.fields:
        name = event.key if field == "id" and keyed_by_id else field
        if name in seen or field not in columns or columns[field].secret:
            continue
        seen.add(name)
        out.append((name, columns[field]))
    # the ids a gateway routes by (routing_fields): the row's own column, an id reached through a row it refers to, or a list
    for routing in event.recipients:
        if routing.field not in seen:
            seen.add(routing.field)
            own = columns.get(routing.field)
            out.append((routing.field, own if own is not None and not routing.many else recipients_column(routing)))
    # the part rows a consumer keeps (a lookup, a copy of pairs): one array property per part table, sized by its rows
    for part in event.parts:
        if part.table not in seen:
            seen.add(part.table)
            out.append((part.table, part_column(part)))
    return out


def part_column(part: EventPart) -> Column:
    """The payload property of ``part``'s rows as a column: a JSON array of objects, the rows' bytes on average.

    ``avg_bytes`` is the array's JSON text less the 2 bytes ``_value_bytes`` adds to every non-fixed value, so the payload's
    bytes count the array exactly: 3 rows of ``{"id":"<36 characters>"}`` (46 bytes each), 2 commas and the brackets are 142.

    >>> c = Column(name="id", type="uuid", nullable=False)
    >>> column = part_column(EventPart(table="members", columns=[c], rows=3))
    >>> column.avg_bytes, _value_bytes(column)
    (140, 142)
    """
    row = 2 + sum(len(c.name) + _PROPERTY_BYTES + _value_bytes(c) for c in part.columns)
    text = 2 + part.rows * row + max(part.rows - 1, 0.0)
    return Column(name=part.table, type="jsonb", nullable=False, avg_bytes=round(text) - 2, comment=f"the {part.table} rows written with it")


def recipients_column(routing: EventRecipients) -> Column:
    """The payload property of ``routing``'s ids as a column: one id typed as its table types it, or a JSON array of them.

    >>> ids = EventRecipients(field="recipient_ids", parameter="user_id", column=Column(name="id", type="uuid"), many=True,
    ...     per_message=3, reached="r")
    >>> column = recipients_column(ids)
    >>> column.type, _value_bytes(column)
    ('jsonb', 118)
    """
    if not routing.many:
        return routing.column.model_copy(update={"name": routing.field})
    text = 2 + routing.per_message * _value_bytes(routing.column) + max(routing.per_message - 1, 0.0)
    return Column(name=routing.field, type="jsonb", nullable=False, avg_bytes=round(text) - 2, comment=f"the recipients' ids: {routing.reached}")


def pushed_event(event: Event, withheld: list[str]) -> Event:
    """``event`` as a channel withholding ``withheld`` pushes it: the same message less those fields (its key and routing ids stay)."""
    kept = {event.key, *(r.field for r in event.recipients)}
    return event.model_copy(update={"fields": [f for f in event.fields if f in kept or f not in withheld]})


def payload_fields(event: Event, table: Table | None) -> list[str]:
    """Every property name of the payload, envelope first."""
    return [*ENVELOPE, *(name for name, _ in payload_columns(event, table))]


def payload_bytes(event: Event, table: Table | None) -> int:
    """Bytes of the payload as JSON text: each property's name and value, plus the braces."""
    return _json_bytes(payload_columns(event, table))


def row_payload_columns(fields: list[str], withheld: list[str], table: Table | None) -> list[tuple[str, Column]]:
    """The properties after the envelope of a row pushed with no event carrying it (a value the write path publishes to
    pub/sub itself): each named field the table holds, in the order named, never a secret nor a field withheld from its
    recipients. The gateway's AsyncAPI schema lists these, and the gateway's egress sizes them: one list, so the bytes a
    message is counted at are the bytes of the message its contract shows.

    >>> t = Table(name="drivers", primary_key=["id"], columns=[Column(name="id", type="uuid"), Column(name="pw", type="text", secret=True),
    ...     Column(name="phone", type="text", avg_bytes=12), Column(name="status", type="text", avg_bytes=9)])
    >>> [n for n, _ in row_payload_columns(["id", "pw", "phone", "status", "gone"], ["phone"], t)]
    ['id', 'status']
    """
    columns = _columns(table)
    named = (f for f in dict.fromkeys(fields) if f in columns and f not in withheld)
    return [(f, columns[f]) for f in named if not columns[f].secret]


def row_payload_bytes(fields: list[str], withheld: list[str], table: Table | None) -> int:
    """Bytes of that row's message as JSON text, envelope included, counted as ``payload_bytes`` counts an event's.

    Not the row's bytes on disk: a UUID is 16 bytes in a column and 38 characters in JSON, and the envelope travels too.

    >>> t = Table(name="drivers", primary_key=["id"], columns=[Column(name="id", type="uuid")])
    >>> row_payload_bytes(["id"], [], t)  # {"event_id":"<36>","occurred_at":"<24>","id":"<36>"}
    137
    """
    return _json_bytes(row_payload_columns(fields, withheld, table))


def _json_bytes(properties: Sequence[tuple[str, Column | None]]) -> int:
    """A JSON object's text of the envelope and ``properties``: each name and value with its quotes and separators, and the braces."""
    sizes = [(name, _value_bytes(column)) for name, column in properties]
    envelope = [("event_id", _VALUE_BYTES["uuid"]), ("occurred_at", _VALUE_BYTES["timestamptz"])]
    return 2 + sum(len(name) + _PROPERTY_BYTES + size for name, size in [*envelope, *sizes])


def event_payload_bytes(arch: Architecture, event: Event) -> int:
    """``payload_bytes`` of ``event`` with the table of its entity in ``arch``."""
    return payload_bytes(event, event_table(arch, event.entity))


def _value_bytes(column: Column | None) -> int:
    if column is None:
        return _VALUE_BYTES["uuid"]
    if column.type in _VALUE_BYTES:
        return _VALUE_BYTES[column.type]
    return column.avg_bytes + 2


def _columns(table: Table | None) -> dict[str, Column]:
    return {c.name: c for c in table.columns} if table else {}

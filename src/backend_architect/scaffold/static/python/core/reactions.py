"""Reactions: rows the server makes after other writes (a use case with ``after:``), once per event of those writes.

The ``reactions`` worker consumes the outbox (``consumers.run``); for each event a reaction follows
it inserts the reaction's row, filling its columns from the event's payload as the design says.
The event's id is recorded for the reaction in the module's processed events, in the transaction
that inserts the row, so an event delivered twice (a crash after the insert, a replayed batch)
makes its row once.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Date, Table, insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from .resources import Resource


@dataclass(frozen=True)
class Reaction:
    """A reaction's row: the events it follows, its resource, the columns the event's fields fill, its constants and times."""

    use_case: str
    events: Sequence[str]
    resource: Resource
    from_event: Mapping[str, str]
    values: Mapping[str, Any]
    stamped: Sequence[str]
    #: The module's processed events: (consumer, event id) rows, one a reaction and event.
    processed: Table


def _payload(event: Mapping[str, Any]) -> dict[str, Any]:
    body = event["payload"]
    return dict(orjson.loads(body) if isinstance(body, str | bytes) else body)


async def handle(conn: AsyncConnection, reactions: Sequence[Reaction], event: Mapping[str, Any]) -> int:
    """Make the rows of every reaction following ``event`` not yet made for it, in ``conn``'s transaction; the rows made."""
    made = 0
    for reaction in (r for r in reactions if event["event_type"] in r.events):
        first = await conn.execute(
            pg_insert(reaction.processed)
            .values(consumer=f"reaction:{reaction.use_case}", event_id=event["id"], handled_at=datetime.datetime.now(datetime.UTC))
            .on_conflict_do_nothing()
            .returning(reaction.processed.c.event_id)
        )
        if first.first() is None:
            continue  # delivered before: its row exists
        await conn.execute(insert(reaction.resource.table).values(row_values(reaction, _payload(event))))
        made += 1
    return made


def row_values(reaction: Reaction, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The reaction's row for one event: the fields it copies, its constants, the time it is handled, its key."""
    resource = reaction.resource
    table = resource.table
    now = datetime.datetime.now(datetime.UTC)
    values: dict[str, Any] = {**reaction.values}
    for column, name in reaction.from_event.items():
        value = payload.get(name)
        # the payload carries JSON: a uuid or a time goes back to the column's Python type
        values[column] = table.c[column].type.python_type(value) if value is not None and _typed(table, column) else value
    values |= {name: now.date() if isinstance(table.c[name].type, Date) else now for name in reaction.stamped}
    if resource.new_key is not None:
        values[resource.key.name] = resource.make_key(values)
    return values


def _typed(table: Table, column: str) -> bool:
    try:
        kind = table.c[column].type.python_type
    except NotImplementedError:
        return False
    return kind.__name__ in {"UUID", "int", "Decimal"}

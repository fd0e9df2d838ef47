"""What a pushed event carries to be routed: the ids its channel is addressed by, and a key its write produces.

The real-time gateway takes each event from the broker and publishes it on the channel of each recipient, reading no
database: whatever addresses those channels has to travel in the payload, or the gateway cannot deliver (a receipt
promised to the message's sender, carrying only the reader's id). One rule, read off the delivery's route
(``Route.path``), names them:

- the channel is addressed by a column of the written row (a trip's driver, a message's chat): that column, which the
  payload carries with the row, and the event is keyed by it, so one channel's messages keep their order (by the row
  when the column may be null: a key every message holds);
- by an id on a row the written row refers to (a receipt's message's sender): the producer reads it as it writes, and
  the payload carries it as ``<reference>_<field>_id``, typed as the column holding it; the event is keyed by the row;
- by several ids no row holds (a room's members on their own channels, the couriers a proximity query picks): the
  producer names them in ``recipient_ids``; the event is keyed by the row.

The key is always a column of the written row (``ir.payloads`` types it from that row): never the id of a row the
write did not produce.
"""

from __future__ import annotations

from backend_architect.design.patterns._routes import Route
from backend_architect.ir.model import Architecture, Column, EventRecipients, Table
from backend_architect.ir.payloads import event_table
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import snake

#: The payload property listing the recipients a write picks (several ids no row of it holds).
RECIPIENT_IDS = "recipient_ids"


def address_parameter(address: str) -> str | None:
    """The id a channel address is scoped by, or None for an unkeyed stream.

    >>> address_parameter("users/{user_id}/receipts"), address_parameter("questions")
    ('user_id', None)
    """
    return next((p.strip("{}") for p in address.split("/") if p.startswith("{")), None)


def row_column(spec: Spec, table: Table | None, entity: str, relation: str) -> Column | None:
    """The column of ``entity``'s table holding the reference ``relation`` (a field, or its ``part_of`` parent), or None."""
    if table is None:
        return None
    by_field = next((c for c in table.columns if c.source_field == relation), None)
    by_fk = next((c for fk in table.foreign_keys if fk.relation == relation for c in table.columns if c.name == fk.columns[0]), None)
    by_name = next((c for c in table.columns if c.name == f"{relation}_id"), None)
    return by_field or by_fk or by_name


def referred_entity(spec: Spec, entity: str, relation: str) -> str | None:
    """The entity ``relation`` of ``entity`` refers to."""
    body = spec.entities[entity]
    if body.part_of and snake(body.part_of) == relation:
        return body.part_of
    field = body.fields.get(relation)
    return field.type.target if field is not None else None


def _chain_columns(spec: Spec, arch: Architecture, entity: str, path: tuple[str, ...]) -> list[Column] | None:
    """The column holding each reference of ``path``, row after row from ``entity``; None where a table or column is missing."""
    columns: list[Column] = []
    current: str | None = entity
    for relation in path:
        column = row_column(spec, event_table(arch, current), current, relation) if current in spec.entities else None
        if column is None or current is None:
            return None
        columns.append(column)
        current = referred_entity(spec, current, relation)
    return columns


def _chain_rows(spec: Spec, entity: str, path: tuple[str, ...]) -> list[str]:
    """The entities a chain of references passes through before its last hop (a receipt's message: ``Message``)."""
    rows: list[str] = []
    current: str | None = entity
    for relation in path[:-1]:
        current = referred_entity(spec, current, relation) if current in spec.entities else None
        if current is None:
            return rows
        rows.append(current)
    return rows


def route_fields(spec: Spec, arch: Architecture, entity: str, where: Route) -> tuple[str, EventRecipients | None]:
    """The key (a column of ``entity``'s row, ``id`` for the row's own) and the recipients an event pushed on ``where`` carries.

    None for an unkeyed stream: every subscriber receives every message.
    """
    parameter = address_parameter(where.address)
    if parameter is None:
        return "id", None
    table = event_table(arch, entity)
    if where.path == ():
        # a channel per row (the item watched) is addressed by the row's own id, the key the payload carries already
        own = next((c for c in table.columns if c.name == "id"), None) if table else None
        column = (own or Column(name="id", type="uuid")).model_copy(update={"name": parameter, "nullable": False, "comment": None})
        return "id", EventRecipients(field=parameter, parameter=parameter, column=column, reached=f"the {entity} itself")
    columns = _chain_columns(spec, arch, entity, where.path) if where.path else None
    if columns and where.path is not None and len(columns) == 1:
        own = columns[0]
        # a nullable column (a trip's driver before one accepts) cannot order every message: those are keyed by the row
        return own.name if not own.nullable else "id", EventRecipients(
            field=own.name, parameter=parameter, column=own, reached=f"the {entity}'s {where.path[0]}"
        )
    if columns and where.path is not None:
        name = f"{'_'.join(snake(r) for r in where.path)}_id"
        # a null anywhere on the way leaves no recipient: the id is as nullable as its chain
        column = columns[-1].model_copy(update={"name": name, "nullable": any(c.nullable for c in columns), "comment": None})
        reached = "'s ".join([f"the {entity}", *where.path])
        return "id", EventRecipients(
            field=name,
            parameter=parameter,
            column=column,
            reached=f"{reached}, read by the producer as it writes",
            path=list(where.path),
            rows=_chain_rows(spec, entity, where.path),
        )
    scope = event_table(arch, where.scope) if where.scope else None
    ids = next((c for c in scope.columns if c.name == "id"), None) if scope else None
    item = (ids or Column(name="id", type="uuid")).model_copy(update={"name": "id", "nullable": False, "comment": None})
    return "id", EventRecipients(
        field=RECIPIENT_IDS, parameter=parameter, column=item, many=True, per_message=where.recipients, reached=f"{where.basis}, named by the write"
    )


__all__ = ["RECIPIENT_IDS", "address_parameter", "referred_entity", "route_fields", "row_column"]

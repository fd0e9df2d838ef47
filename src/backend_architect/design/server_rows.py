"""Rows a create writes that its body does not list: what the server puts in each column, so generated code can write them.

The contract already says, in words, that a create of a scope whose only membership row is its
creator's writes that row (``design/member_rows.py``), and that a part every field of which the
server sets is made by the server (``schemas.server_made_parts``). Words are not enough for the
code that serves the contract: unless the row is written, a creator is refused by the scope's
members-only operations and the part the design sized never exists. This module turns the same
decisions into data, read from the part's own table so every required column is accounted for:

- the column naming the people who use the system is the caller (the token's subject), for the
  member of a creator's row and for a server-made part that names a person;
- a creator's role is the membership's admin role (``member_rows.made_with``);
- a required time without a default is the time of the request (a join, an issue);
- a required state without a default starts at the lifecycle's first value;
- any other required column without a default is ``unfilled``: the implementer computes it (an
  amount), and the service does not pretend to write the row without it.
"""

from __future__ import annotations

from backend_architect.design.member_rows import MadeWith
from backend_architect.ir.model import Column, MadeRow, Table
from backend_architect.spec.model import Spec

#: Column types the time of the request fills.
_TIMES = frozenset({"timestamptz", "date"})
#: Columns every table fills itself (the key, the row's own times, its optimistic-lock version).
_OWN = frozenset({"created_at", "updated_at", "version"})


def made_row(spec: Spec, child: str, table: Table, parent_column: str, people: str | None, creator: MadeWith | None = None) -> MadeRow:
    """What the server writes in each required column of the ``child`` row a create makes (``creator``: the caller's membership).

    >>> from backend_architect.ir.model import Column, Table
    >>> spec = Spec.model_validate({"system": "s", "entities": {"User": {"fields": {"n": "string"}}, "Order": {"fields": {"n": "string"}},
    ...     "Receipt": {"part_of": "Order", "fields": {"by": "ref(User)", "at": "datetime", "state": "enum[open,shut]", "sum": "decimal"}}}})
    >>> table = Table(name="receipts", entity="Receipt", primary_key=["id"], columns=[Column(name="id", type="uuid", default="uuid"),
    ...     Column(name="order_id", type="uuid"),
    ...     Column(name="by_id", type="uuid", source_field="by"), Column(name="at", type="timestamptz", source_field="at"),
    ...     Column(name="state", type="text", enum_values=["open", "shut"], source_field="state"), Column(name="sum", type="numeric", source_field="sum")])
    >>> row = made_row(spec, "Receipt", table, "order_id", "User")
    >>> row.caller, row.values, row.stamped, row.unfilled
    ('by_id', {'state': 'open'}, ['at'], ['sum'])
    """
    caller = None
    values: dict[str, str] = {}
    if creator is not None:
        caller = _column(table, creator.member_field)
        if creator.role is not None:
            values[_column(table, creator.role[0]) or creator.role[0]] = creator.role[1]
    stamped: list[str] = []
    unfilled: list[str] = []
    for column in required_columns(table, parent_column):
        if column.name == caller or column.name in values:
            continue
        if caller is None and _names_people(spec, child, column, people):
            caller = column.name
        else:
            fill_by_rule(column, stamped, values, unfilled)
    return MadeRow(
        entity=child,
        table=table.name,
        parent_column=parent_column,
        why="creator" if creator is not None else "part",
        caller=caller,
        values=values,
        stamped=stamped,
        unfilled=unfilled,
    )


def required_columns(table: Table, parent_column: str) -> list[Column]:
    """Columns an insert must fill: not null, no default, not the database's own (an identity, the row's times) nor the parent's."""
    skip = {*table.primary_key, *_OWN, parent_column, "tenant_id"}
    return [c for c in table.columns if not c.nullable and c.default is None and not c.identity and c.name not in skip]


def _names_people(spec: Spec, entity: str, column: Column, people: str | None) -> bool:
    """Whether ``column`` stores a reference to the people who use the system (the caller is one of them)."""
    field = spec.entities[entity].fields.get(column.source_field or "") if entity in spec.entities else None
    return bool(people and field is not None and field.type.kind == "ref" and field.type.target == people)


def _column(table: Table, field: str) -> str | None:
    """The column storing spec field ``field`` (``person`` is stored as ``person_id``)."""
    return next((c.name for c in table.columns if c.source_field == field), next((c.name for c in table.columns if c.name in {field, f"{field}_id"}), None))


def fill_by_rule(column: Column, stamped: list[str], values: dict[str, str], unfilled: list[str]) -> None:
    """Files a required column no caller, event or parent fills under the server's one rule: a date or time is the moment
    the row is made (``stamped``), a state starts at its first value (``values``), anything else is ``unfilled`` (the
    generated code says so rather than guess). Rows made with a create and rows a reaction makes follow the same rule."""
    if column.type in _TIMES:
        stamped.append(column.name)
    elif column.enum_values:
        values[column.name] = column.enum_values[0]
    else:
        unfilled.append(column.name)


__all__ = ["fill_by_rule", "made_row", "required_columns"]

"""Columns reached through joins: a filter, order or owner naming another table's field (``Tag.name`` on questions)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, exists, literal, select
from sqlalchemy.sql.elements import ColumnElement


@dataclass(frozen=True)
class Hop:
    """One join between tables: ``left = right``; a chain of hops leads from the table read to another."""

    left: Column[Any]
    right: Column[Any]


@dataclass(frozen=True)
class Ref:
    """A column of the row read, or of a table joined to it through ``via``."""

    column: Column[Any]
    via: tuple[Hop, ...] = ()


def _joined(via: Sequence[Hop], *columns: Any) -> Any:
    """``SELECT columns FROM`` the hops' tables, joined along them, correlated to the row read by the first hop."""
    first = via[0]
    query = select(*columns).select_from(first.right.table)
    for hop in via[1:]:
        query = query.join_from(hop.left.table, hop.right.table, hop.left == hop.right)
    return query.where(first.right == first.left)


def holds(ref: Ref, predicate: Callable[[Column[Any]], ColumnElement[bool]]) -> ColumnElement[bool]:
    """``predicate`` on the referenced column: directly, or ``EXISTS`` a joined row where it holds (one index probe a hop)."""
    if not ref.via:
        return predicate(ref.column)
    return exists(_joined(ref.via, literal(1)).where(predicate(ref.column)))


def joined_value(ref: Ref, *conditions: ColumnElement[bool]) -> ColumnElement[Any]:
    """The referenced column's value for the row read (the first joined row meeting ``conditions``), to order by."""
    if not ref.via:
        return ref.column
    return _joined(ref.via, ref.column).where(*conditions).limit(1).scalar_subquery()  # type: ignore[no-any-return]

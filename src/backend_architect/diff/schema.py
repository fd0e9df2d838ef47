"""Schema changes between two versions of one datastore.

Each change says what moved, whether it is safe to apply while the old code runs
(``expand``) or must wait until no code depends on the old shape (``contract``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from backend_architect.ir.model import CheckConstraint, Column, Datastore, ForeignKey, Index, Table, UniqueConstraint, enforced

ChangeKind = Literal[
    "add_table",
    "drop_table",
    "add_column",
    "drop_column",
    "alter_column_type",
    "set_not_null",
    "drop_not_null",
    "alter_default",
    "add_index",
    "drop_index",
    "add_foreign_key",
    "drop_foreign_key",
    "add_unique",
    "drop_unique",
    "add_check",
    "drop_check",
    "alter_length",
    "rebuild_table",
]


@dataclass(frozen=True)
class SchemaChange:
    """One change to a table; ``old``/``new`` hold the objects before and after."""

    kind: ChangeKind
    table: str
    name: str
    phase: Literal["expand", "contract"]
    breaking: bool = False
    old: object = field(default=None, compare=False)
    new: object = field(default=None, compare=False)
    note: str = ""


def _columns(table: Table) -> dict[str, Column]:
    return {c.name: c for c in table.columns}


def _type_of(column: Column) -> tuple[object, ...]:
    """What makes two column types the same; an imported column's declared type (numeric(12,2)) counts too."""
    return (column.type, column.length, column.precision, column.scale, column.dims, column.sql_type)


def diff_datastore(old: Datastore | None, new: Datastore, *, rebuild: bool = False) -> list[SchemaChange]:
    """Every change from ``old`` to ``new`` (``old`` None: everything is new), in a safe order.

    With ``rebuild`` (planning migrations), a table whose layout changes is one ``rebuild_table``
    change (with the contract steps it leaves) instead of its column and constraint changes.
    """
    before = {t.name: t for t in (old.tables if old else [])}
    after = {t.name: t for t in new.tables}
    changes: list[SchemaChange] = []
    for name, table in after.items():
        if name not in before:
            changes.append(SchemaChange("add_table", name, name, "expand", new=table))
    rebuilt = {name for name, table in after.items() if rebuild and name in before and _layout(before[name]) != _layout(table)}
    for name, table in after.items():
        if name in rebuilt:
            changes += _rebuild_changes(before[name], table)
        elif name in before:
            # a foreign key to a rebuilt table is dropped and added again by the rebuild itself
            changes += [c for c in _table_changes(before[name], table) if not _refers_to(c, rebuilt)]
    for name, table in before.items():
        if name not in after:
            changes.append(SchemaChange("drop_table", name, name, "contract", breaking=True, old=table, note="drops the table and its data"))
    return changes


def _layout(table: Table) -> tuple[object, ...]:
    """What PostgreSQL cannot change in place: the primary key's columns, and whether (and by what) the table is partitioned."""
    return (tuple(table.primary_key), table.partitioning.column if table.partitioning else None)


def _refers_to(change: SchemaChange, tables: set[str]) -> bool:
    return change.kind in {"add_foreign_key", "drop_foreign_key"} and any(isinstance(x, ForeignKey) and x.ref_table in tables for x in (change.old, change.new))


def _rebuild_changes(old: Table, new: Table) -> list[SchemaChange]:
    """A table whose layout changes is rebuilt in the expand step, in a shape the old code still works with.

    The rebuilt table keeps the columns the new version drops (nullable, dropped by the
    contract step) and takes new required columns without a default as nullable (set NOT
    NULL by the contract step, once the code writes them).
    """
    was, now = _columns(old), _columns(new)
    dropped = [c for c in old.columns if c.name not in now]
    required = [c for c in new.columns if c.name not in was and not c.nullable and c.default is None and not c.identity]
    loose = {c.name for c in required}
    columns = [c.model_copy(update={"nullable": True}) if c.name in loose else c for c in new.columns]
    staged = new.model_copy(update={"columns": [*columns, *(c.model_copy(update={"nullable": True}) for c in dropped)]})
    why = f"now {_layout_words(new)} (was {_layout_words(old)}): PostgreSQL changes neither in place"
    changes = [SchemaChange("rebuild_table", new.name, new.name, "expand", old=old, new=staged, note=why)]
    changes += [SchemaChange("drop_column", new.name, c.name, "contract", breaking=True, old=c, note="drops the column's data") for c in dropped]
    later = "after the code writes it and old rows are backfilled"
    changes += [SchemaChange("set_not_null", new.name, c.name, "contract", new=c, note=later) for c in required]
    return changes


def _layout_words(table: Table) -> str:
    partitioned = f"partitioned by {table.partitioning.column}" if table.partitioning else "not partitioned"
    return f"{partitioned}, keyed by ({', '.join(table.primary_key)})"


def _table_changes(old: Table, new: Table) -> list[SchemaChange]:
    changes: list[SchemaChange] = []
    was, now = _columns(old), _columns(new)
    added = [c for c in new.columns if c.name not in was]
    dropped = [c for c in old.columns if c.name not in now]
    for column in added:
        changes.append(SchemaChange("add_column", new.name, column.name, "expand", new=column))
        if not column.nullable and column.default is None:
            changes.append(
                SchemaChange("set_not_null", new.name, column.name, "contract", new=column, note="after the code writes it and old rows are backfilled")
            )
    for name, column in now.items():
        if name not in was:
            continue
        previous = was[name]
        if _type_of(previous) != _type_of(column) and _only_length(previous, column):
            widened = (column.length or 0) > (previous.length or 0)
            changes.append(
                SchemaChange(
                    "alter_length",
                    new.name,
                    name,
                    "expand" if widened else "contract",
                    breaking=not widened,
                    old=previous,
                    new=column,
                    note="" if widened else "rows longer than the new limit must be shortened first",
                )
            )
        elif _type_of(previous) != _type_of(column):
            changes.append(
                SchemaChange(
                    "alter_column_type",
                    new.name,
                    name,
                    "contract",
                    breaking=True,
                    old=previous,
                    new=column,
                    note="rewrites the table under an exclusive lock: prefer expand/contract with a new column",
                )
            )
        if previous.nullable and not column.nullable:
            changes.append(SchemaChange("set_not_null", new.name, name, "expand", old=previous, new=column))
        elif not previous.nullable and column.nullable:
            changes.append(SchemaChange("drop_not_null", new.name, name, "expand", old=previous, new=column))
        if previous.default != column.default:
            changes.append(SchemaChange("alter_default", new.name, name, "expand", old=previous, new=column))
    renamed = _possible_renames(dropped, added)
    for column in dropped:
        note = f"possibly renamed to {renamed[column.name]}: copy its values before this step" if column.name in renamed else "drops the column's data"
        changes.append(SchemaChange("drop_column", new.name, column.name, "contract", breaking=True, old=column, note=note))
    changes += _named_changes(old.indexes, new.indexes, new.name, "index")
    changes += _named_changes(enforced(old.foreign_keys), enforced(new.foreign_keys), new.name, "foreign_key")
    changes += _named_changes(old.uniques, new.uniques, new.name, "unique")
    changes += _named_changes(old.checks, new.checks, new.name, "check")
    # a name dropped and added again is a redefinition (a foreign key's ON DELETE, a unique key turned partial index):
    # the old one goes in the same expand step, just before the new one takes its name
    readded = {c.name for c in changes if c.kind.startswith("add_")}
    return [dataclasses.replace(c, phase="expand", breaking=False) if c.kind.startswith("drop_") and c.name in readded else c for c in changes]


def _only_length(old: Column, new: Column) -> bool:
    """A string column whose only change is its length limit (a CHECK on text in PostgreSQL)."""
    return old.type == new.type and old.type in {"varchar", "char"} and old.length != new.length and not old.enum_values and not new.enum_values


def _possible_renames(dropped: list[Column], added: list[Column]) -> dict[str, str]:
    """A dropped and an added column of the same type in one table may be a rename."""
    renames = {}
    for old in dropped:
        twins = [c for c in added if _type_of(c) == _type_of(old)]
        if len(twins) == 1:
            renames[old.name] = twins[0].name
    return renames


Named = Index | ForeignKey | UniqueConstraint | CheckConstraint


def _named_changes(old: Sequence[Named], new: Sequence[Named], table: str, what: str) -> list[SchemaChange]:
    """Added, dropped and redefined indexes or constraints (redefined = dropped and re-added)."""
    before = {o.name: o for o in old}
    after = {o.name: o for o in new}
    changes: list[SchemaChange] = []
    for name, item in before.items():
        if name not in after or _definition(after[name]) != _definition(item):
            kind = f"drop_{what}"
            changes.append(SchemaChange(kind, table, name, "expand" if what == "index" else "contract", old=item))  # type: ignore[arg-type]
    for name, item in after.items():
        if name not in before or _definition(before[name]) != _definition(item):
            changes.append(SchemaChange(f"add_{what}", table, name, "expand", new=item))  # type: ignore[arg-type]
    return changes


def _definition(item: Named) -> object:
    """What makes two versions of an index or constraint the same (reasons and comments aside)."""
    if isinstance(item, Index):
        return item.model_dump(exclude={"reasons"})
    return item.model_dump()

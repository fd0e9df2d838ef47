"""Two versions of a database schema → every change, classified by what it does to the code and data that use it.

The schema is the contract between a database and everything that reads or writes it:
application code, reports, other services' ETL. A change is breaking when code written
against the old schema fails against the new one (a dropped column, a new NOT NULL column
without a default, a narrowed type), possibly breaking when it fails only for some rows or
some code (a new foreign key refuses orphans, a column that may now be NULL), and safe when
old code keeps working (a new table, a new nullable column, a new index).

The comparison itself is ``diff/schema.py``'s, the one the design stage uses to write
expand/contract migrations; this module judges each change and locates it in both files.
"""

from __future__ import annotations

import re
from pathlib import Path

from backend_architect.diff.model import Change, Impact
from backend_architect.diff.schema import SchemaChange, diff_datastore
from backend_architect.errors import Location
from backend_architect.ir.model import Architecture, Column, Datastore, Index, SourceSpan, Table, enforced

_NUMERIC = re.compile(r"numeric\((?P<precision>\d+)(?:,\s*(?P<scale>\d+))?\)")
#: Widenings PostgreSQL carries out by rewriting every row (the others only change the catalog).
_REWRITES = {
    ("smallint", "integer"),
    ("smallint", "bigint"),
    ("integer", "bigint"),
    ("real", "double precision"),
    ("json", "jsonb"),
    ("timestamp", "timestamptz"),
}
#: Type changes that only widen the range of values; old readers may still overflow, so "possibly".
_WIDENINGS = {
    ("smallint", "integer"),
    ("smallint", "bigint"),
    ("integer", "bigint"),
    ("real", "double precision"),
    ("varchar", "text"),
    ("char", "varchar"),
    ("char", "text"),
    ("timestamp", "timestamptz"),
    ("json", "jsonb"),
}


def diff_schemas(old: Architecture, new: Architecture) -> list[Change]:
    """Every change from ``old``'s datastores to ``new``'s (matched by schema name), sorted by where it is."""
    before = {s.name: _qualified(s) for s in old.datastores}
    after = {s.name: _qualified(s) for s in new.datastores}
    removals = _removals(new)
    changes: list[Change] = []
    for name in sorted(set(before) | set(after)):
        was = before.get(name)
        now = after.get(name) or (was.model_copy(update={"tables": []}) if was else None)
        if now is None:
            continue
        judge = _Judge(name, was, now, removals)
        for found in diff_datastore(was, now):
            change = judge.change(found)
            if change is not None:
                changes.append(change)
        changes += judge.primary_keys()
    return sorted(_renames_folded(changes, _renames(old, new)))


def _renames(old: Architecture, new: Architecture) -> dict[tuple[str, str], tuple[str, SourceSpan]]:
    """Columns the new side's own migrations rename: (table, old name) -> (final name, the RENAME statement).

    Only migrations the old side does not have count (matched by file name), and a chain
    a -> b -> c is followed to its end.
    """
    seen = {Path(m.file).name for m in old.migrations}
    found: dict[tuple[str, str], tuple[str, SourceSpan]] = {}
    for migration in new.migrations:
        if Path(migration.file).name in seen:
            continue
        for step in migration.steps:
            if step.action != "rename_column" or step.source is None or step.table is None or " to " not in step.detail:
                continue
            before, after = step.detail.split(" to ", 1)
            origin = next((k for k, (name, _) in found.items() if k[0] == step.table and name == before), (step.table, before))
            found[origin] = (after, step.source)
    return found


def _renames_folded(changes: list[Change], renames: dict[tuple[str, str], tuple[str, SourceSpan]]) -> list[Change]:
    """A column removed and one added that a migration's RENAME COLUMN connects become one breaking rename."""
    by_where = {(c.where, c.code): c for c in changes}
    folded = list(changes)
    for (table, before), (after, span) in renames.items():
        removed = by_where.get((f"{table}.{before}", "column-removed"))
        added = by_where.get((f"{table}.{after}", "column-added")) or by_where.get((f"{table}.{after}", "required-column-added"))
        if removed is None or added is None:
            continue
        folded.remove(removed)
        folded.remove(added)
        message = f"column {before} renamed to {after}: code that uses the old name fails"
        folded.append(_located(Change(removed.where, "column-renamed", message, Impact.BREAKING), removed.old_location, _span(span)))
    return folded


def _removals(arch: Architecture) -> dict[tuple[str, ...], SourceSpan]:
    """Where each drop happened in a migration folder, the last one winning: (action, table, object) -> statement."""
    found: dict[tuple[str, ...], SourceSpan] = {}
    for migration in arch.migrations:
        for step in migration.steps:
            if step.source is None or not step.action.startswith("drop_"):
                continue
            key = ("drop_index", step.detail) if step.action == "drop_index" else (step.action, step.table or "", step.detail)
            found[key] = step.source
    return found


def _qualified(store: Datastore) -> Datastore:
    """Foreign keys name their target with its schema, as a catalog does (a file may leave it to the search path)."""
    tables = [
        table.model_copy(
            update={
                "foreign_keys": [
                    fk if "." in fk.ref_table else fk.model_copy(update={"ref_table": f"{store.name}.{fk.ref_table}"}) for fk in table.foreign_keys
                ]
            }
        )
        for table in store.tables
    ]
    return store.model_copy(update={"tables": tables})


class _Judge:
    """Turns the schema changes of one datastore into located, classified ``Change``s."""

    def __init__(self, schema: str, old: Datastore | None, new: Datastore, removals: dict[tuple[str, ...], SourceSpan]) -> None:
        self.schema = schema
        self.old = {t.name: t for t in (old.tables if old else [])}
        self.new = {t.name: t for t in new.tables}
        self.removals = removals

    def change(self, found: SchemaChange) -> Change | None:
        """The judged change, or None for the half of a pair another change already reports."""
        kind = found.kind
        if kind in {"add_table", "drop_table"}:
            return self._table(found)
        if kind.endswith(("_index", "_foreign_key", "_unique", "_check")):
            return self._named(found)
        return self._column(found)

    def _table(self, found: SchemaChange) -> Change:
        where = f"{self.schema}.{found.table}"
        if found.kind == "add_table":
            return self._made(where, "table-added", f"table {found.table} added", Impact.SAFE, found)
        return self._made(
            where, "table-removed", f"table {found.table} removed: code that reads or writes it fails, and its data is gone", Impact.BREAKING, found
        )

    def _column(self, found: SchemaChange) -> Change | None:
        where = f"{self.schema}.{found.table}.{found.name}"
        old, new = found.old, found.new
        if found.kind == "add_column":
            assert isinstance(new, Column)
            if not new.nullable and new.default is None:
                message = f"required column {found.name} added (NOT NULL, no default): INSERTs that do not name it fail"
                return self._made(where, "required-column-added", message, Impact.BREAKING, found)
            return self._made(where, "column-added", f"column {found.name} {_type(new)} added", Impact.SAFE, found)
        if found.kind == "set_not_null" and old is None:
            return None  # a new NOT NULL column: reported by its add_column
        if found.kind == "drop_column":
            return self._made(where, "column-removed", f"column {found.name} removed: {found.note}", Impact.BREAKING, found)
        assert isinstance(old, Column)
        assert isinstance(new, Column)
        if found.kind == "alter_length":
            if found.breaking:
                return self._made(where, "column-length-narrowed", f"{_type(old)} narrowed to {_type(new)}: {found.note}", Impact.BREAKING, found)
            return self._made(where, "column-length-widened", f"{_type(old)} widened to {_type(new)}", Impact.SAFE, found)
        if found.kind == "alter_column_type":
            if (old.type, new.type) in _WIDENINGS or _wider_numeric(old, new):
                rewrite = "; PostgreSQL rewrites the table under an exclusive lock" if (old.type, new.type) in _REWRITES else ""
                message = f"type widened from {_type(old)} to {_type(new)}: readers holding the old type may overflow{rewrite}"
                return self._made(where, "column-type-widened", message, Impact.POSSIBLY_BREAKING, found)
            return self._made(where, "column-type-changed", f"type changed from {_type(old)} to {_type(new)}", Impact.BREAKING, found)
        if found.kind == "set_not_null":
            message = "now NOT NULL: writes of NULL fail, and existing NULL rows must be backfilled first"
            return self._made(where, "column-made-required", message, Impact.BREAKING, found)
        if found.kind == "drop_not_null":
            return self._made(where, "column-made-nullable", "may now be NULL: readers that assume a value may fail", Impact.POSSIBLY_BREAKING, found)
        return self._default(where, old, new, found)

    def _default(self, where: str, old: Column, new: Column, found: SchemaChange) -> Change:
        if old.default is None:
            return self._made(where, "column-default-added", f"default {new.default} added", Impact.SAFE, found)
        if new.default is None:
            if not new.nullable:
                message = f"default {old.default} removed from a NOT NULL column: INSERTs that relied on it fail"
                return self._made(where, "column-default-removed", message, Impact.BREAKING, found)
            message = f"default {old.default} removed: INSERTs that omit the column now store NULL"
            return self._made(where, "column-default-removed", message, Impact.POSSIBLY_BREAKING, found)
        message = f"default changed from {old.default} to {new.default}: rows inserted without it get the new value"
        return self._made(where, "column-default-changed", message, Impact.POSSIBLY_BREAKING, found)

    def _named(self, found: SchemaChange) -> Change | None:
        """Indexes and constraints; one redefined under the same name is one change, judged by its new definition."""
        action, _, what = found.kind.partition("_")
        label = {"index": "index", "foreign_key": "foreign key", "unique": "unique constraint", "check": "check constraint"}[what]
        where = f"{self.schema}.{found.table}.{found.name}"
        redefined = self._has(self.new if action == "drop" else self.old, found.table, what, found.name)
        if action == "drop" and redefined:
            return None
        unique_index = isinstance(found.new if action == "add" else found.old, Index) and bool(
            getattr(found.new if action == "add" else found.old, "unique", False)
        )
        subject = "unique index" if unique_index else label
        code = f"{subject.replace(' ', '-')}-{'changed' if redefined else 'added' if action == 'add' else 'removed'}"
        if action == "add":
            verb = "redefined" if redefined else "added"
            impact, why = _added_impact(what, unique_index)
        else:
            verb = "removed"
            impact, why = _removed_impact(what, unique_index)
        return self._made(where, code, f"{subject} {found.name} {verb}{': ' + why if why else ''}", impact, found)

    def primary_keys(self) -> list[Change]:
        """Tables in both versions whose primary key columns differ (the schema diff does not follow keys)."""
        found = []
        for name, table in self.new.items():
            previous = self.old.get(name)
            if previous is not None and previous.primary_key != table.primary_key:
                message = f"primary key changed from ({', '.join(previous.primary_key) or 'none'}) to ({', '.join(table.primary_key) or 'none'})"
                change = Change(f"{self.schema}.{name}", "primary-key-changed", message, Impact.BREAKING)
                found.append(_located(change, _span(previous.source), _span(table.source)))
        return found

    def _has(self, tables: dict[str, Table], table: str, what: str, name: str) -> bool:
        found = tables.get(table)
        if found is None:
            return False
        names = {
            "index": [i.name for i in found.indexes],
            "foreign_key": [k.name for k in enforced(found.foreign_keys)],
            "unique": [u.name for u in found.uniques],
            "check": [c.name for c in found.checks],
        }
        return name in names[what]

    def _made(self, where: str, code: str, message: str, impact: Impact, found: SchemaChange) -> Change:
        """The change located in both files: at the object itself, or at its table when the object has no position of its own."""
        old_table, new_table = self.old.get(found.table), self.new.get(found.table)
        old_span = None
        if not found.kind.startswith("add_"):
            old_span = _span(getattr(found.old, "source", None)) or (_span(old_table.source) if old_table else None)
        new_span = _span(self._removed_by(found))
        if new_span is None and found.kind != "drop_table":
            new_span = _span(getattr(found.new, "source", None)) or (_span(new_table.source) if new_table else None)
        return _located(Change(where, code, message, impact), old_span, new_span)

    def _removed_by(self, found: SchemaChange) -> SourceSpan | None:
        """The migration statement that dropped what ``found`` removes, when the new side is a migration folder."""
        if not found.kind.startswith("drop_"):
            return None
        qualified = f"{self.schema}.{found.table}"
        if found.kind == "drop_index":
            return self.removals.get(("drop_index", found.name))
        if found.kind in {"drop_table", "drop_column"}:
            return self.removals.get((found.kind, qualified, "" if found.kind == "drop_table" else found.name))
        return self.removals.get(("drop_constraint", qualified, found.name))


def _added_impact(what: str, unique_index: bool) -> tuple[Impact, str]:
    if unique_index or what == "unique":
        return Impact.POSSIBLY_BREAKING, "duplicate rows are now refused (existing duplicates must be removed first)"
    if what == "foreign_key":
        return Impact.POSSIBLY_BREAKING, "rows that reference a missing row are now refused (existing orphans must be fixed first)"
    if what == "check":
        return Impact.POSSIBLY_BREAKING, "rows that fail it are now refused"
    return Impact.SAFE, ""


def _removed_impact(what: str, unique_index: bool) -> tuple[Impact, str]:
    if unique_index or what == "unique":
        return Impact.POSSIBLY_BREAKING, "duplicates are now accepted: readers that expect one row may get several"
    if what == "index":
        return Impact.SAFE, "queries that used it may slow down"
    if what == "foreign_key":
        return Impact.SAFE, "the database no longer guarantees the reference"
    return Impact.SAFE, "the database no longer enforces it"


def _wider_numeric(old: Column, new: Column) -> bool:
    """numeric(12,2) to numeric(14,2): more digits before the point, the same after it.

    >>> _wider_numeric(Column(name="t", type="numeric", sql_type="numeric(12,2)"), Column(name="t", type="numeric", sql_type="numeric(14,2)"))
    True
    """
    before, after = _NUMERIC.fullmatch(old.sql_type or ""), _NUMERIC.fullmatch(new.sql_type or "")
    if before is None or after is None:
        return False
    return int(after["precision"]) >= int(before["precision"]) and after["scale"] == before["scale"]


def _type(column: Column) -> str:
    """A column's type as DDL spells it: varchar(200), numeric(19,4)."""
    if column.sql_type:
        return column.sql_type
    if column.length:
        return f"{column.type}({column.length})"
    if column.precision is not None:
        return f"{column.type}({column.precision}{',' + str(column.scale) if column.scale is not None else ''})"
    return column.type


def _span(source: SourceSpan | None) -> Location | None:
    return Location(source.file, source.line, source.col, source.end_line, source.end_col) if source is not None else None


def _located(change: Change, old: Location | None, new: Location | None) -> Change:
    return Change(change.where, change.code, change.message, change.impact, old_location=old, new_location=new)

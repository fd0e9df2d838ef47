"""Schema changes -> PostgreSQL migrations, written the way squawk asks for.

Files use dbmate's format (``-- migrate:up`` / ``-- migrate:down`` in one file). The
initial migration creates everything in one transaction. A later migration runs outside
dbmate's transaction and groups its own statements: each step is a short transaction of
its own, so a lock taken by ``ADD CONSTRAINT ... NOT VALID`` is released before the long
``VALIDATE`` scan, and ``CREATE INDEX CONCURRENTLY`` runs alone as it must. New columns
are nullable or have a default, NOT NULL is set through a validated CHECK, and a lock
timeout makes a blocked statement give up instead of queueing every query behind it.
What removes or rewrites data (drops, type changes, narrowing) goes to a separate
*contract* migration, to run once no deployed code needs the old shape.
"""

from __future__ import annotations

from backend_architect.diff.schema import ChangeKind, SchemaChange
from backend_architect.ir.model import Column, Datastore, ForeignKey, Table
from backend_architect.render.ddl import (
    SchemaCompiler,
    comment,
    compile_store,
    create_statements,
    dims_check,
    dims_check_name,
    enum_check,
    length_check,
    length_check_name,
)
from backend_architect.render.ddl_keys import UUIDV7_FUNCTION
from backend_architect.spec.identifiers import bounded_name
from backend_architect.spec.naming import FALLBACK_UUIDV7

LOCK_TIMEOUT = "5s"
STATEMENT_TIMEOUT = "30min"
HEADER = [f"SET lock_timeout = '{LOCK_TIMEOUT}';", f"SET statement_timeout = '{STATEMENT_TIMEOUT}';", ""]

Step = list[str]

#: squawk rules this design breaks on purpose, with why: kept in the files, for reviewers.
SQUAWK_FILE_IGNORES = [
    "-- int fields are 32-bit because the spec says int (bigint when it says bigint); ids are bigint or uuid",
    "-- squawk-ignore-file prefer-bigint-over-int",
]


def render_initial_migration(store: Datastore, compiled: tuple[SchemaCompiler, list[str]] | None = None) -> str:
    """``0001_initial.sql``: every table and index, and a down section that removes them."""
    compiler, statements = compiled or compile_store(store, "postgresql")
    up = [*compiler.preamble(), *statements]
    down = compiler.drop_tables()
    if compiler.schema:
        down.append(f"DROP SCHEMA IF EXISTS {compiler.quote(compiler.schema)};")
    return _file(f"initial schema of {store.service}", up, down, transaction=True)


def render_migration(old: Datastore | None, new: Datastore, changes: list[SchemaChange], phase: str) -> str | None:
    """The ``phase`` ("expand" or "contract") migration for ``changes``, or None when it has nothing to do."""
    selected = [c for c in changes if c.phase == phase]
    if not selected:
        return None
    after = SchemaCompiler(new, "postgresql")
    before = SchemaCompiler(old, "postgresql") if old is not None else after
    up: list[Step] = []
    down: list[Step] = []
    new_tables = [c.new for c in selected if c.kind == "add_table" and isinstance(c.new, Table)]
    from backend_architect.render.migration_rebuild import rebuild_steps  # it builds on this module's steps

    # rebuilt tables first (new tables may reference them), their foreign keys to new tables once those exist
    deferred: tuple[Step, Step] = ([], [])
    for change in (c for c in selected if c.kind == "rebuild_table"):
        assert old is not None  # only a table both versions hold is rebuilt
        forward, backward, add, drop = rebuild_steps(change, old, new, frozenset(t.name for t in new_tables))
        up += forward
        down = backward + down
        deferred = (deferred[0] + add, deferred[1] + drop)
    if new_tables:
        up.append([*after.preamble(), *create_statements(after, new_tables)])
        down = [after.drop_tables(new_tables), *down]
    elif FALLBACK_UUIDV7 in {c.new.default for c in selected if c.kind in {"alter_default", "add_column"} and isinstance(c.new, Column)}:
        # a key default moved to uuid_generate_v7() (from a design made before the schema defined it): the function comes first
        up.append(list(UUIDV7_FUNCTION))
    if deferred[0]:
        up.append(deferred[0])
        down = [deferred[1], *down]
    for change in _ordered(selected):
        if change.kind in {"add_table", "rebuild_table"}:
            continue
        forward, backward = _steps(change, before, after)
        if change.note:
            forward[0] = [comment(f"{change.table}.{change.name}: {change.note}"), *forward[0]]
        up += forward
        down = backward + down
    title = f"{phase} changes to {new.service}: " + ", ".join(sorted({f"{c.kind} {c.table}.{c.name}" for c in selected}))[:300]
    if phase == "contract":
        title += ". Run only after every deployed version of the code works without the old shape."
    return _file(title, _render_steps(up), _render_steps(down), transaction=False)


_ORDER = [
    "add_column",
    "drop_not_null",
    "alter_default",
    "set_not_null",
    "alter_length",
    "alter_column_type",
    "drop_foreign_key",
    "drop_unique",
    "drop_check",
    "drop_index",
    "add_foreign_key",
    "add_unique",
    "add_check",
    "add_index",
    "drop_column",
    "drop_table",
]


def _ordered(changes: list[SchemaChange]) -> list[SchemaChange]:
    """Columns before the constraints and indexes on them; drops last."""
    return sorted(changes, key=lambda c: (_ORDER.index(c.kind) if c.kind in _ORDER else -1, c.table, c.name))


def _render_steps(steps: list[Step]) -> list[str]:
    """Each step in its own transaction; a CONCURRENTLY statement (which cannot run in one) alone."""
    out: list[str] = []
    for step in steps:
        statements = [line for line in step if line and not line.startswith("--")]
        if not statements or any("CONCURRENTLY" in line for line in statements):
            out += step
        else:
            out += ["BEGIN;", *step, "COMMIT;"]
    return out


def _file(title: str, up: list[str], down: list[str], *, transaction: bool) -> str:
    option = "" if transaction else " transaction:false"
    lines = [
        comment(title),
        "-- Generated by backend-architect (dbmate format).",
        *SQUAWK_FILE_IGNORES,
        "",
        f"-- migrate:up{option}",
        *HEADER,
        *up,
        "",
        f"-- migrate:down{option}",
        *HEADER,
        *down,
    ]
    return "\n".join(line.rstrip() for line in lines).rstrip() + "\n"


def _steps(change: SchemaChange, before: SchemaCompiler, after: SchemaCompiler) -> tuple[list[Step], list[Step]]:
    """The steps applying ``change`` and the steps undoing it."""
    table = after.qualified(change.table) if change.table in after.tables else before.qualified(change.table)
    quote = after.quote
    column = quote(change.name)
    kind = change.kind
    if kind == "add_column":
        return _add_column(change, after, table), [[f"ALTER TABLE {table} DROP COLUMN IF EXISTS {column};"]]
    if kind == "drop_column":
        restore = before.column_spec(change.table, change.name, nullable=True)
        return [[f"ALTER TABLE {table} DROP COLUMN IF EXISTS {column};"]], [
            [f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {restore};", comment(f"the dropped values of {change.name} cannot be restored")]
        ]
    if kind == "set_not_null":
        check = quote(bounded_name(f"ck_{change.table}_{change.name}_not_null"))
        return [
            [f"ALTER TABLE {table} ADD CONSTRAINT {check} CHECK ({column} IS NOT NULL) NOT VALID;"],
            [f"ALTER TABLE {table} VALIDATE CONSTRAINT {check};"],
            [
                f"ALTER TABLE {table} ALTER COLUMN {column} SET NOT NULL;",
                "-- the CHECK only served to set NOT NULL without a long exclusive lock",
                "-- squawk-ignore ban-drop-constraint",
                f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {check};",
            ],
        ], [[f"ALTER TABLE {table} ALTER COLUMN {column} DROP NOT NULL;"]]
    if kind == "drop_not_null":
        return [[f"ALTER TABLE {table} ALTER COLUMN {column} DROP NOT NULL;"]], [[f"ALTER TABLE {table} ALTER COLUMN {column} SET NOT NULL;"]]
    if kind == "alter_default":
        return [[_default(table, column, change.new)]], [[_default(table, column, change.old)]]
    if kind == "alter_length":
        return _length(table, change, after, change.new), _length(table, change, before, change.old)
    if kind == "alter_column_type":
        new_type = after.column_type(change.table, change.name)
        old_type = before.column_type(change.table, change.name)
        return [[f"ALTER TABLE {table} ALTER COLUMN {column} TYPE {new_type} USING {column}::{new_type};"]], [
            [f"ALTER TABLE {table} ALTER COLUMN {column} TYPE {old_type} USING {column}::{old_type};"]
        ]
    if kind in {"add_index", "drop_index"}:
        return _index_steps(change, before, after)
    if kind in {"add_foreign_key", "add_unique", "add_check"}:
        return _add_constraint(change, after, table), [[f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {quote(change.name)};"]]
    if kind in {"drop_foreign_key", "drop_unique", "drop_check"}:
        added: ChangeKind = "add_foreign_key" if kind == "drop_foreign_key" else "add_unique" if kind == "drop_unique" else "add_check"
        again = SchemaChange(added, change.table, change.name, "expand", new=change.old)
        drop = [f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {quote(change.name)};"]
        if change.phase == "expand":  # a redefinition: the new definition follows under the same name
            drop = ["-- redefined below under the same name", "-- squawk-ignore ban-drop-constraint", *drop]
        return [drop], _add_constraint(again, before, table)
    if kind == "drop_table":
        return [[f"DROP TABLE IF EXISTS {table};"]], [[comment(f"{change.table} and its data cannot be restored by this migration: use the backup")]]
    raise ValueError(f"no statement for {kind}")


def _add_column(change: SchemaChange, compiler: SchemaCompiler, table: str) -> list[Step]:
    """Add the column nullable (NOT NULL follows in the contract step) or with its default; then its length CHECK."""
    column = change.new
    later_not_null = isinstance(column, Column) and not column.nullable and column.default is None
    spec = compiler.column_spec(change.table, change.name, nullable=later_not_null)
    steps = [[f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {spec};"]]
    checks: list[tuple[str, str]] = []
    if isinstance(column, Column) and column.type in {"varchar", "char"} and column.length and not column.enum_values:
        checks.append((length_check_name(change.table, change.name), length_check(column, compiler.quote)))
    if isinstance(column, Column) and column.type == "vector":
        checks.append((dims_check_name(change.table, change.name), dims_check(column, compiler.quote)))
    for name, check in checks:
        steps[0].append(f"ALTER TABLE {table} ADD CONSTRAINT {compiler.quote(name)} CHECK ({check}) NOT VALID;")
        steps.append([f"ALTER TABLE {table} VALIDATE CONSTRAINT {compiler.quote(name)};"])
    return steps


def _length(table: str, change: SchemaChange, compiler: SchemaCompiler, column: object) -> list[Step]:
    """Replace the length CHECK of a text column: NOT VALID first, then VALIDATE without blocking writes."""
    name = compiler.quote(length_check_name(change.table, change.name))
    limit = column if isinstance(column, Column) else Column(name=change.name, type="varchar")
    return [
        [
            "-- the old limit is replaced by the new one below",
            "-- squawk-ignore ban-drop-constraint",
            f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name};",
            f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({length_check(limit, compiler.quote)}) NOT VALID;",
        ],
        [f"ALTER TABLE {table} VALIDATE CONSTRAINT {name};"],
    ]


def _default(table: str, column: str, owner: object) -> str:
    default = owner.default if isinstance(owner, Column) else None
    if default is None:
        return f"ALTER TABLE {table} ALTER COLUMN {column} DROP DEFAULT;"
    return f"ALTER TABLE {table} ALTER COLUMN {column} SET DEFAULT {default};"


def _index_steps(change: SchemaChange, before: SchemaCompiler, after: SchemaCompiler) -> tuple[list[Step], list[Step]]:
    if change.kind == "add_index":
        table = after.tables[change.table]
        index = next(i for i in table.indexes if i.name == change.name)
        return [after.create_index(table, index, concurrently=True)], [[f"DROP INDEX CONCURRENTLY IF EXISTS {_index_name(after, change.name)};"]]
    old_table = before.tables[change.table]
    old_index = next(i for i in old_table.indexes if i.name == change.name)
    return [[f"DROP INDEX CONCURRENTLY IF EXISTS {_index_name(before, change.name)};"]], [before.create_index(old_table, old_index, concurrently=True)]


def _index_name(compiler: SchemaCompiler, name: str) -> str:
    return f"{compiler.quote(compiler.schema)}.{compiler.quote(name)}" if compiler.schema else compiler.quote(name)


def foreign_key_steps(compiler: SchemaCompiler, table: str, fk: ForeignKey, *, partitioned: bool) -> list[Step]:
    """Add a foreign key NOT VALID, then VALIDATE it without blocking writes; at once on a partitioned table (no NOT VALID there)."""
    quote = compiler.quote
    columns = ", ".join(quote(c) for c in fk.columns)
    refs = ", ".join(quote(c) for c in fk.ref_columns)
    action = f" ON DELETE {fk.on_delete.upper()}" if fk.on_delete != "no action" else ""
    add = f"ALTER TABLE {table} ADD CONSTRAINT {quote(fk.name)} FOREIGN KEY ({columns}) REFERENCES {compiler.qualified(fk.ref_table)} ({refs}){action}"
    if partitioned:
        return [["-- PostgreSQL adds no NOT VALID foreign key to a partitioned table: this one checks every row now", f"{add};"]]
    return [[f"{add} NOT VALID;"], [f"ALTER TABLE {table} VALIDATE CONSTRAINT {quote(fk.name)};"]]


def _add_constraint(change: SchemaChange, compiler: SchemaCompiler, table: str) -> list[Step]:
    """Foreign keys and checks NOT VALID, then VALIDATE apart; unique keys through a concurrently built index."""
    quote = compiler.quote
    name = quote(change.name)
    item = change.new
    if isinstance(item, ForeignKey):
        owner = compiler.tables.get(change.table)
        return foreign_key_steps(compiler, table, item, partitioned=owner is not None and owner.partitioning is not None)
    if change.kind == "add_unique":
        columns = ", ".join(quote(c) for c in getattr(item, "columns", []))
        return [
            [f"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} ({columns});"],
            [f"ALTER TABLE {table} ADD CONSTRAINT {name} UNIQUE USING INDEX {name};"],
        ]
    check = enum_check(getattr(item, "column", ""), getattr(item, "values", []), quote)
    return [[f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({check}) NOT VALID;"], [f"ALTER TABLE {table} VALIDATE CONSTRAINT {name};"]]

"""A table whose layout changes (partitioned or not, its primary key's columns) is rebuilt: PostgreSQL changes neither in place.

In one transaction the table is renamed aside with its indexes, created anew with every
index, its rows copied, its identity sequences moved past the copied ids, the old table
dropped, and the foreign keys other tables hold to it recreated (NOT VALID, validated in the
next step). The lock is held for the copy: on a large table, copy in batches in a
maintenance window instead (the file says so). The down section rebuilds it back.
"""

from __future__ import annotations

from backend_architect.diff.schema import SchemaChange
from backend_architect.ir.model import Datastore, ForeignKey, Table, enforced
from backend_architect.render.ddl import SchemaCompiler, comment, literal
from backend_architect.render.ddl_keys import UUIDV7_FUNCTION
from backend_architect.render.migration import Step, foreign_key_steps
from backend_architect.spec.identifiers import bounded_name
from backend_architect.spec.naming import FALLBACK_UUIDV7


def rebuild_steps(change: SchemaChange, old: Datastore, new: Datastore, later: frozenset[str]) -> tuple[list[Step], list[Step], Step, Step]:
    """Steps rebuilding the table forward and back, and the foreign keys to ``later`` tables (created after it): add, drop."""
    assert isinstance(change.old, Table)
    assert isinstance(change.new, Table)
    staged = new.model_copy(update={"tables": [change.new if t.name == change.name else t for t in new.tables]})
    forward = _rebuild(change.old, change.new, old, staged, later, change.note)
    backward = _rebuild(change.new, change.old, staged, old, frozenset(), f"back to its earlier layout ({change.note})")
    target = SchemaCompiler(staged, "postgresql")
    deferred = [fk for fk in enforced(change.new.foreign_keys) if fk.ref_table in later]
    table = target.qualified(change.name)
    add = [line for fk in deferred for step in foreign_key_steps(target, table, fk, partitioned=change.new.partitioning is not None) for line in step]
    drop = [f"ALTER TABLE IF EXISTS {table} DROP CONSTRAINT IF EXISTS {target.quote(fk.name)};" for fk in deferred]
    return forward, backward, add, drop


def _rebuild(source: Table, target: Table, source_store: Datastore, target_store: Datastore, later: frozenset[str], why: str) -> list[Step]:
    before = SchemaCompiler(source_store, "postgresql")
    after = SchemaCompiler(target_store, "postgresql")
    quote = after.quote
    name = after.qualified(target.name)
    aside = bounded_name(f"{target.name}_before_rebuild")
    step: Step = [
        comment(f"{target.name} is rebuilt, {why}:"),
        "-- renamed aside, created anew, its rows copied and the old table dropped, holding its lock throughout;",
        "-- on a large table, copy in batches in a maintenance window instead.",
    ]
    if any(c.default == FALLBACK_UUIDV7 for c in target.columns):
        step += UUIDV7_FUNCTION
    step += [f"ALTER TABLE IF EXISTS {before.qualified(t.name)} DROP CONSTRAINT IF EXISTS {quote(fk.name)};" for t, fk in _referencing(source_store, source)]
    step.append(f"ALTER TABLE {name} RENAME TO {quote(aside)};")
    step += [f"ALTER INDEX IF EXISTS {_in_schema(after, n)} RENAME TO {quote(bounded_name(f'{n}_before_rebuild'))};" for n in _index_names(source)]
    if source.partitioning is not None:
        step += _partitions_aside(_in_schema(after, aside))
    step += [line for line in after.create_table(target, later) if line]
    for index in target.indexes:
        step += [line for line in after.create_index(target, index) if not line.startswith("--")]
    kept = [c for c in target.columns if c.name in {s.name for s in source.columns}]
    columns = ", ".join(quote(c.name) for c in kept)
    values = ", ".join(f"CAST({quote(c.name)} AS {after.column_type(target.name, c.name)})" for c in kept)
    step.append(f"INSERT INTO {name} ({columns}) SELECT {values} FROM {_in_schema(after, aside)};")
    step += [
        f"SELECT setval(pg_get_serial_sequence({literal(name)}, {literal(c.name)}), coalesce(max({quote(c.name)}), 0) + 1, false) FROM {name};"
        for c in target.columns
        if c.identity
    ]
    step.append(f"DROP TABLE {_in_schema(after, aside)};")
    referencing = [
        foreign_key_steps(after, after.qualified(t.name), fk, partitioned=t.partitioning is not None)
        for t, fk in _referencing(target_store, target)
        if t.name not in later  # a table made after the rebuild names it in its own CREATE TABLE
    ]
    # the foreign keys other tables hold to it: added with the table (NOT VALID where the table allows), validated after
    step += [line for steps in referencing for line in steps[0]]
    return [step, *(s for steps in referencing for s in steps[1:])]


def _partitions_aside(parent: str) -> list[str]:
    """The old table's partitions renamed aside with it (made at run time, so found in the catalog): the new table's take their names."""
    return [
        "DO $do$",
        "DECLARE",
        "    part record;",
        "BEGIN",
        "    FOR part IN SELECT c.oid::regclass AS rel, c.oid, c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid",
        f"        WHERE i.inhparent = {literal(parent)}::regclass LOOP",
        "        EXECUTE format('ALTER TABLE %s RENAME TO %I', part.rel, left(part.relname, 40) || '_old_' || part.oid);",
        "    END LOOP;",
        "END",
        "$do$;",
    ]


def _referencing(store: Datastore, table: Table) -> list[tuple[Table, ForeignKey]]:
    """The foreign keys other tables of ``store`` hold to ``table``."""
    return [(t, fk) for t in store.tables if t.name != table.name for fk in enforced(t.foreign_keys) if fk.ref_table == table.name]


def _index_names(table: Table) -> list[str]:
    """Every index the table's DDL builds: its key's, its unique keys', its indexes (a name is schema-wide)."""
    from backend_architect.spec.identifiers import primary_key_name

    return [primary_key_name(table.name), *(u.name for u in table.uniques), *(i.name for i in table.indexes)]


def _in_schema(compiler: SchemaCompiler, name: str) -> str:
    return f"{compiler.quote(compiler.schema)}.{compiler.quote(name)}" if compiler.schema else compiler.quote(name)

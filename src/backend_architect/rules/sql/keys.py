"""Keys: how rows are identified and referenced."""

from __future__ import annotations

from collections.abc import Iterator

from backend_architect.ir.model import Architecture
from backend_architect.rules.model import Finding, Rule, Severity, rule
from backend_architect.rules.sql import design_tables, find_table, ident, location, qualified, sql_type, stored_type, type_text, where
from backend_architect.rules.sql.missing_primary_key import unique_keys


@rule(
    code="SQL002",
    name="keyed-only-by-unique-index",
    severity=Severity.WARNING,
    title="Table is keyed only by a unique index",
    fix="Promote the unique key to a primary key: ALTER TABLE ... ADD PRIMARY KEY USING INDEX ...",
)
def keyed_only_by_unique_index(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds tables without a primary key that do have a unique constraint or unique index.

    ## Why is this bad?
    A unique key allows NULLs (and NULLs are distinct), so it does not identify every row;
    logical replication needs a replica identity and falls back to the whole row, and tools
    that expect a primary key (ORMs, CDC pipelines) refuse the table.

    ## Example
    CREATE TABLE settings (name text NOT NULL, value text);
    CREATE UNIQUE INDEX settings_name ON settings (name);

    Use instead:
    CREATE TABLE settings (name text PRIMARY KEY, value text);
    """
    for store, table in design_tables(arch):
        keys = unique_keys(table)
        if not table.primary_key and keys:
            index = next((i.name for i in table.indexes if i.unique and [c.name for c in i.columns] == keys[0]), None)
            fix = f"ALTER TABLE {qualified(store, table)} ADD PRIMARY KEY USING INDEX {ident(index)};" if index else self.fix
            yield self.finding(
                where(store, table), f"no primary key; rows are identified by unique ({', '.join(keys[0])}) only", location(table.source), fix=fix
            )


@rule(
    code="SQL005",
    name="foreign-key-type-mismatch",
    severity=Severity.WARNING,
    title="Foreign key column's type differs from the referenced key's",
    fix="Give the referencing column exactly the referenced column's type.",
)
def foreign_key_type_mismatch(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Compares the type of each foreign key column with the type of the column it references.

    ## Why is this bad?
    An `integer` column referencing a `bigint` key overflows once the parent passes 2^31
    ids; mismatched types also make every join cast, which can keep the planner off the index.

    ## Example
    CREATE TABLE authors (id bigint PRIMARY KEY);
    CREATE TABLE books (id bigint PRIMARY KEY, author_id integer REFERENCES authors (id));

    Use instead:
    CREATE TABLE authors (id bigint PRIMARY KEY);
    CREATE TABLE books (id bigint PRIMARY KEY, author_id bigint REFERENCES authors (id));
    """
    for store, table in design_tables(arch):
        columns = {c.name: c for c in table.columns}
        for fk in table.foreign_keys:
            target = find_table(arch, store, fk.ref_table)
            if target is None:
                continue
            referenced = {c.name: c for c in target[1].columns}
            for mine, theirs in zip(fk.columns, fk.ref_columns or target[1].primary_key, strict=False):
                if mine in columns and theirs in referenced and stored_type(store, columns[mine]) != stored_type(target[0], referenced[theirs]):
                    mine_type, their_type = sql_type(columns[mine]), sql_type(referenced[theirs])
                    change = f"ALTER TABLE {qualified(store, table)} ALTER COLUMN {ident(mine)} TYPE {type_text(their_type)}"
                    fix = f"{change};  -- rewrites the table: plan a maintenance window"
                    message = f"{mine} is {mine_type} but references {fk.ref_table}.{theirs} ({their_type})"
                    yield self.finding(where(store, table), message, location(fk.source or table.source), fix=fix)


@rule(
    code="SQL006",
    name="integer-key-on-growing-table",
    severity=Severity.WARNING,
    title="Sequence-fed column is a 16- or 32-bit integer",
    fix="Use bigint for sequence-fed columns: ALTER the column (and every referencing column) to bigint before the sequence nears its end.",
)
def int4_key_on_growing_table(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds `smallint` and `integer` columns fed by a sequence (serial, identity or a nextval
    default): each row takes the next number, whether the column is the primary key or not.

    ## Why is this bad?
    `integer` ends at 2,147,483,647 and `smallint` at 32,767. A table taking 100 rows a
    second passes the first in eight months, and then every insert fails; widening the
    column later rewrites the table and every table that references it.

    ## Example
    CREATE TABLE events (id serial PRIMARY KEY, payload jsonb);

    Use instead:
    CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload jsonb);

    ## References
    squawk's prefer-bigint-over-int and prefer-bigint-over-smallint.
    """
    for store, table in design_tables(arch):
        for column in table.columns:
            limit = _SEQUENCE_LIMITS.get(column.sql_type or "")
            if limit is None or not (column.identity or (column.default or "").startswith("nextval")):
                continue
            role = "primary key" if table.primary_key == [column.name] else "column"
            fix = f"ALTER TABLE {qualified(store, table)} ALTER COLUMN {ident(column.name)} TYPE bigint;  -- and every referencing column"
            message = f"{role} {column.name} is a sequence-fed {column.sql_type} (ends at {limit:,})"
            yield self.finding(where(store, table), message, location(column.source or table.source), fix=fix)


#: The last value a sequence can give a column of each narrow type.
_SEQUENCE_LIMITS = {"integer": 2_147_483_647, "smallint": 32_767}


#: The first PostgreSQL version with identity columns.
IDENTITY_COLUMNS = 10


@rule(
    code="SQL007",
    name="serial-instead-of-identity",
    severity=Severity.INFO,
    title="Column uses serial instead of an identity column",
    fix="Use GENERATED ALWAYS AS IDENTITY (SQL standard, owned by the column, permissions follow the table).",
)
def serial_instead_of_identity(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds columns whose default is `nextval(...)` (what `serial` expands to) rather than
    identity columns.

    ## Why is this bad?
    A serial's sequence is a separate object: it needs its own grants, is easy to leave
    behind when copying the table, and lets inserts bypass it with explicit ids, which
    collide later. Identity columns (PostgreSQL 10+) fix all three.

    ## Example
    CREATE TABLE tags (id serial PRIMARY KEY, name text);

    Use instead:
    CREATE TABLE tags (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text);

    ## References
    PostgreSQL wiki, "Don't Do This: Don't use serial".
    """
    if arch.postgres_version is not None and arch.postgres_version < IDENTITY_COLUMNS:
        return  # identity columns do not exist before PostgreSQL 10: serial is the only choice
    for store, table in design_tables(arch):
        for column in table.columns:
            if (column.default or "").startswith("nextval") and not column.identity:
                name = qualified(store, table)
                fix = (
                    f"ALTER TABLE {name} ALTER COLUMN {ident(column.name)} DROP DEFAULT; "
                    f"ALTER TABLE {name} ALTER COLUMN {ident(column.name)} ADD GENERATED BY DEFAULT AS IDENTITY;  -- then restart it past the largest id"
                )
                at = location(column.source or table.source)
                yield self.finding(where(store, table), f"{column.name} is fed by a sequence default (serial)", at, fix=fix)


@rule(
    code="SQL012",
    name="nullable-column-in-unique-key",
    severity=Severity.WARNING,
    title="Unique key includes a nullable column",
    fix="Make the columns NOT NULL, or declare the constraint NULLS NOT DISTINCT (PostgreSQL 15+).",
)
def nullable_column_in_unique_key(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds unique constraints and unique indexes with a column that allows NULL.

    ## Why is this bad?
    NULLs are distinct from each other, so the key lets any number of rows with a NULL in
    that column through: the "one per customer" rule silently holds only for customers that
    are set.

    ## Example
    CREATE TABLE accounts (id bigint PRIMARY KEY, email text, UNIQUE (email));

    Use instead:
    CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL, UNIQUE (email));
    """
    for store, table in design_tables(arch):
        nullable = {c.name for c in table.columns if c.nullable}
        keys = [(u.name, u.columns, u.source) for u in table.uniques]
        keys += [(i.name, [c.name for c in i.columns if not c.expression], i.source) for i in table.indexes if i.unique and i.where is None]
        for name, columns, source in keys:
            loose = [c for c in columns if c in nullable]
            if loose:
                yield self.finding(where(store, table), f"unique key {name} allows NULL in {', '.join(loose)}", location(source or table.source))

"""IR datastore -> DDL for PostgreSQL and SQLite, compiled by SQLAlchemy's dialects.

Tables come out in dependency order (parents first); every index is preceded by a
comment naming the use cases or rule that need it. Every name is quoted where its
dialect would read it as a keyword, every name this module makes up is bounded to 63
bytes, and text from the spec reaches the files only as an escaped literal or a
one-line comment (spec/identifiers.py holds the rules).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect as EngineDialect
from sqlalchemy.schema import AddConstraint, CreateColumn, CreateIndex, CreateSchema, CreateTable
from sqlalchemy.sql.ddl import sort_tables_and_constraints

from backend_architect.ir.model import COLD_TABLESPACE, Column, Datastore, Index, Table, enforced
from backend_architect.render.ddl_keys import UUID_GENERATORS, UUIDV7_FUNCTION, primary_key
from backend_architect.render.ddl_partitions import drop_statements, maintenance_summary, partition_statements
from backend_architect.spec.identifiers import bounded_name, primary_key_name, reserved_words
from backend_architect.spec.naming import BUILTIN_UUIDV7, FALLBACK_UUIDV7, TENANT_COLUMN

Dialect = Literal["postgresql", "sqlite"]
DIALECTS: tuple[Dialect, ...] = ("postgresql", "sqlite")
Quote = Callable[[str], str]


@lru_cache(maxsize=2)
def engine_dialect(dialect: Dialect) -> EngineDialect:
    """SQLAlchemy's dialect, whose identifier preparer quotes every word the dialect reserves.

    SQLAlchemy's own PostgreSQL list misses the column-name keywords (``row``, ``values``,
    ``time`` ...) that PostgreSQL accepts in a column definition but not in a CHECK.
    """
    engine: EngineDialect = postgresql.dialect() if dialect == "postgresql" else sqlite.dialect()  # type: ignore[no-untyped-call]
    engine.identifier_preparer.reserved_words = set(reserved_words(dialect))
    return engine


def _type(column: Column, dialect: Dialect) -> sa.types.TypeEngine[Any]:
    kind = column.type
    if kind == "uuid":
        return sa.Uuid(as_uuid=True)
    if kind == "bigint":
        return sa.Integer() if dialect == "sqlite" and column.identity else sa.BigInteger()
    if kind == "integer":
        return sa.Integer()
    if kind == "smallint":
        return sa.SmallInteger()
    if kind == "boolean":
        return sa.Boolean(create_constraint=dialect == "sqlite", name=f"ck_{column.name}_bool")
    if kind == "numeric":
        return sa.Numeric(column.precision, column.scale)
    if kind in {"varchar", "char"}:
        # PostgreSQL: text plus a length CHECK (changing a CHECK needs no table rewrite; squawk's prefer-text-field)
        if dialect == "postgresql":
            return sa.Text()
        return sa.String(column.length) if kind == "varchar" else sa.CHAR(column.length)
    if kind == "text":
        return sa.Text()
    if kind == "date":
        return sa.Date()
    if kind == "timestamptz":
        return sa.DateTime(timezone=True)
    if kind == "jsonb":
        return postgresql.JSONB() if dialect == "postgresql" else sa.JSON()
    if kind == "bytea":
        return sa.LargeBinary()
    if kind == "vector":
        return postgresql.ARRAY(sa.REAL()) if dialect == "postgresql" else sa.LargeBinary()
    if kind == "float":
        return sa.Float()
    raise ValueError(f"no SQL type for {kind}")


def key_sequence(table: Table) -> str | None:
    """The sequence numbering an identity key that shares the primary key with the partition column (PostgreSQL before 17 allows no
    identity column on a partitioned table), else None."""
    if len(table.primary_key) > 1 and any(c.identity and c.name in table.primary_key for c in table.columns):
        # not <table>_id_seq, the name PostgreSQL gives an identity column's own sequence: a table rebuilt from an
        # unpartitioned one (the old table renamed aside) still owns that sequence while the new one is made
        return bounded_name(f"{table.name}_key_seq")
    return None


def _column(column: Column, table: Table, dialect: Dialect, schema: str | None = None) -> sa.Column[Any]:
    default = column.default
    key = primary_key(table, dialect)
    is_pk = column.name in key
    if dialect == "sqlite" and column.type == "uuid" and default in UUID_GENERATORS:
        default = None  # SQLite has no UUID function: the application sets the id
    server_default = sa.text(default) if default is not None else None
    args: list[Any] = []
    if column.identity and dialect == "postgresql" and key_sequence(table) is None:
        args.append(sa.Identity(always=False))
    sequence = key_sequence(table) if column.identity and dialect == "postgresql" else None
    if sequence is not None:
        quote = engine_dialect(dialect).identifier_preparer.quote
        qualified = f"{quote(schema)}.{quote(sequence)}" if schema else quote(sequence)
        server_default = sa.text(f"nextval({literal(qualified)}::regclass)")
    return sa.Column(
        column.name,
        _type(column, dialect),
        *args,
        primary_key=is_pk,
        nullable=column.nullable or False,
        server_default=server_default,
        comment=column.comment if dialect == "postgresql" else None,
        autoincrement=column.identity and ((dialect == "postgresql" and key_sequence(table) is None) or len(key) == 1),
    )


def length_check_name(table: str, column: str) -> str:
    return bounded_name(f"ck_{table}_{column}_length")


def length_check(column: Column, quote: Quote) -> str:
    """The length limit a varchar(n) or char(n) would have enforced, as a CHECK on a text column."""
    operator = "=" if column.type == "char" else "<="
    return f"char_length({quote(column.name)}) {operator} {column.length}"


def dims_check_name(table: str, column: str) -> str:
    return bounded_name(f"ck_{table}_{column}_dims")


def dims_check(column: Column, quote: Quote) -> str:
    """The dimensions a vector column holds (a ``real[]`` until pgvector's type is installed), as a CHECK."""
    return f"array_length({quote(column.name)}, 1) = {column.dims}"


def enum_check(column: str, values: list[str], quote: Quote) -> str:
    """``"column" IN ('a', 'b')``: the column quoted, so ``user`` is the column and not the session role."""
    return f"{quote(column)} IN ({', '.join(literal(v) for v in values)})"


def _sa_table(table: Table, metadata: sa.MetaData, schema: str | None, dialect: Dialect) -> sa.Table:
    quote = engine_dialect(dialect).identifier_preparer.quote
    items: list[Any] = [_column(c, table, dialect, schema) for c in table.columns]
    if table.primary_key:
        items.append(sa.PrimaryKeyConstraint(*primary_key(table, dialect), name=primary_key_name(table.name)))
    for fk in enforced(table.foreign_keys):
        target = f"{schema}.{fk.ref_table}" if schema else fk.ref_table
        items.append(
            sa.ForeignKeyConstraint(
                fk.columns, [f"{target}.{c}" for c in fk.ref_columns], name=fk.name, ondelete=fk.on_delete.upper() if fk.on_delete != "no action" else None
            )
        )
    for unique in table.uniques:
        items.append(sa.UniqueConstraint(*unique.columns, name=unique.name))
    for check in table.checks:
        items.append(sa.CheckConstraint(enum_check(check.column, check.values, quote), name=check.name))
    if dialect == "postgresql":
        items += [
            sa.CheckConstraint(length_check(c, quote), name=length_check_name(table.name, c.name))
            for c in table.columns
            if c.type in {"varchar", "char"} and c.length and not c.enum_values
        ]
    for column in table.columns:
        if column.type == "vector" and dialect == "postgresql":
            items.append(sa.CheckConstraint(dims_check(column, quote), name=dims_check_name(table.name, column.name)))
    kwargs: dict[str, Any] = {}
    if table.partitioning and dialect == "postgresql":
        kwargs["postgresql_partition_by"] = f"RANGE ({quote(table.partitioning.column)})"
    return sa.Table(table.name, metadata, *items, schema=schema, comment=table.comment if dialect == "postgresql" else None, **kwargs)


def _index(index: Index, sa_table: sa.Table, dialect: Dialect) -> sa.Index | None:
    if index.method == "gin" and dialect == "sqlite":
        return None
    if index.method == "hnsw":
        return None
    kwargs: dict[str, object] = {}
    if index.where:
        kwargs[f"{dialect}_where"] = sa.text(index.where)
    if index.include and dialect == "postgresql":
        kwargs["postgresql_include"] = index.include
    if index.method == "gin":
        kwargs["postgresql_using"] = "gin"
        expression_index = sa.Index(index.name, *_tsvector(index, sa_table), **kwargs)  # type: ignore[arg-type]
        sa_table.append_constraint(expression_index)
        return expression_index
    columns = [sa_table.c[c.name].desc() if c.descending else sa_table.c[c.name] for c in index.columns]
    return sa.Index(index.name, *columns, unique=index.unique, **kwargs)  # type: ignore[arg-type]


def _tsvector(index: Index, sa_table: sa.Table) -> list[sa.ColumnElement[Any]]:
    """``tenant_id, to_tsvector('simple', coalesce(a, '') || ' ' || coalesce(b, ''))`` over the index columns."""
    scalar = [sa_table.c[c.name] for c in index.columns if c.name == TENANT_COLUMN]
    document: sa.ColumnElement[object] | None = None
    for column in (c for c in index.columns if c.name != TENANT_COLUMN):
        part = sa.func.coalesce(sa_table.c[column.name], sa.literal_column("''"))
        document = part if document is None else document.op("||")(sa.literal_column("' '")).op("||")(part)
    return [*scalar, sa.func.to_tsvector(sa.literal_column("'simple'"), document)]


class SchemaCompiler:
    """SQLAlchemy tables for one datastore in one dialect, and the statements that build them."""

    def __init__(self, store: Datastore, dialect: Dialect) -> None:
        self.store = store
        self.dialect = dialect
        self.engine_dialect = engine_dialect(dialect)
        self.schema = store.schema_name if dialect == "postgresql" else None
        self.metadata = sa.MetaData()
        self.tables = {t.name: t for t in store.tables}
        self.sa_tables = {t.name: _sa_table(t, self.metadata, self.schema, dialect) for t in store.tables}
        self.quote: Quote = self.engine_dialect.identifier_preparer.quote
        # tables that reference each other (a has_many beside a reference back) cannot all name the other inline:
        # parents first where the references allow, the foreign keys closing a cycle added once both tables exist.
        # SQLite checks foreign keys only when rows change, so there every one stays inline.
        order = sort_tables_and_constraints(sorted(self.metadata.tables.values(), key=lambda t: t.key))  # type: ignore[no-untyped-call]
        self._order = [table.name for table, _ in order if table is not None]
        self.cyclic = [fk for table, fks in order if table is None for fk in fks] if dialect == "postgresql" else []

    def compile(self, construct: Any) -> str:
        text = str(construct.compile(dialect=self.engine_dialect)).strip()
        return "\n".join(line.rstrip().replace("\t", "    ") for line in text.splitlines()) + ";"

    def qualified(self, table: str) -> str:
        return f"{self.quote(self.schema)}.{self.quote(table)}" if self.schema else self.quote(table)

    def ordered(self) -> list[Table]:
        """Tables parents first."""
        return [self.tables[name] for name in self._order]

    def drop_tables(self, tables: list[Table] | None = None) -> list[str]:
        """DROP TABLE for ``tables`` (default: all), children first; foreign keys closing a cycle go first."""
        wanted = {t.name for t in tables} if tables is not None else set(self.tables)
        out = [
            f"ALTER TABLE IF EXISTS {self.qualified(str(fk.table.name))} DROP CONSTRAINT IF EXISTS {self.quote(str(fk.name))};"
            for fk in self.cyclic
            if fk.table.name in wanted
        ]
        out += [f"DROP TABLE IF EXISTS {self.qualified(t.name)};" for t in reversed(self.ordered()) if t.name in wanted]
        if self.dialect == "postgresql":
            out += [line for t in self.ordered() if t.name in wanted and t.partitioning for line in drop_statements(t, self.schema, self.quote)]
        return out

    def create_table(self, table: Table, later: frozenset[str] = frozenset()) -> list[str]:
        """CREATE TABLE with its comments and partition notes (no indexes); foreign keys to the ``later`` tables left out."""
        sa_table = self.sa_tables[table.name]
        inline = [fk for fk in sa_table.foreign_key_constraints if fk not in self.cyclic and fk.referred_table.name not in later]
        sequence = key_sequence(table) if self.dialect == "postgresql" else None
        out = [f"CREATE SEQUENCE IF NOT EXISTS {self.qualified(sequence)};"] if sequence else []
        out.append(self.compile(CreateTable(sa_table, include_foreign_key_constraints=inline)))
        if sequence:
            key = next(c.name for c in table.columns if c.identity and c.name in table.primary_key)
            out.append(f"ALTER SEQUENCE {self.qualified(sequence)} OWNED BY {self.qualified(table.name)}.{self.quote(key)};")
        if self.dialect == "postgresql":
            out += _comments(table, self.schema, self.quote)
            out += self.row_level_security(table)
        return out + _partition_notes(table, self.schema, self.dialect, self.quote)

    def row_level_security(self, table: Table) -> list[str]:
        """Tenant isolation enforced by PostgreSQL itself: rows are visible only to their tenant's sessions.

        The application sets ``app.tenant_id`` from the token's tenant claim at the start of each
        transaction and connects as a role that does not own the tables (owners bypass policies).
        """
        if not table.tenant_scoped:
            return []
        column = next(c for c in table.columns if c.name == TENANT_COLUMN)
        cast = "uuid" if column.type == "uuid" else "bigint"
        name = self.qualified(table.name)
        match = f"{self.quote(TENANT_COLUMN)} = current_setting('app.tenant_id', true)::{cast}"
        return [
            f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY;",
            f"CREATE POLICY {self.quote(bounded_name(f'tenant_isolation_{table.name}'))} ON {name} USING ({match}) WITH CHECK ({match});",
        ]

    def create_index(self, table: Table, index: Index, *, concurrently: bool = False) -> list[str]:
        """The index with a comment naming why it exists (a note where the dialect cannot build it)."""
        built = _index(index, self.sa_tables[table.name], self.dialect)
        out = [comment(f"{index.name}: " + "; ".join(index.reasons))]
        if built is None:
            return [*out, comment(f"(not created on SQLite: {index.method} index; use an FTS5 table for full-text search)")]
        if concurrently and table.partitioning is None:
            built.dialect_options["postgresql"]["concurrently"] = True
            return [*out, self.compile(CreateIndex(built, if_not_exists=True))]
        if concurrently:
            out.append("-- partitioned table: CONCURRENTLY is not supported on the parent; for a large table build it per partition and ATTACH")
        return [*out, self.compile(CreateIndex(built))]

    def column_spec(self, table: str, column: str, *, nullable: bool = False) -> str:
        """``name TYPE [DEFAULT ...] [NOT NULL]`` as in CREATE TABLE; ``nullable`` leaves NOT NULL out."""
        spec = str(CreateColumn(self.sa_tables[table].c[column]).compile(dialect=self.engine_dialect)).strip()
        return spec.removesuffix(" NOT NULL") if nullable else spec

    def column_type(self, table: str, column: str) -> str:
        """The column's type as this dialect writes it."""
        return str(self.engine_dialect.type_compiler_instance.process(self.sa_tables[table].c[column].type))

    def key_defaults(self) -> set[str]:
        """The UUID generators the store's key defaults call."""
        return {c.default for t in self.store.tables for c in t.columns if c.default in UUID_GENERATORS}

    def needs_btree_gin(self) -> bool:
        return self.dialect == "postgresql" and any(
            i.method == "gin" and any(c.name == TENANT_COLUMN for c in i.columns) for t in self.store.tables for i in t.indexes
        )

    def preamble(self) -> list[str]:
        """Extensions and the schema the tables need."""
        out: list[str] = []
        if self.needs_btree_gin():
            out += [
                "-- btree_gin lets one GIN index hold tenant_id next to the search document (PostgreSQL contrib)",
                "CREATE EXTENSION IF NOT EXISTS btree_gin;",
                "",
            ]
        if self.dialect == "postgresql" and FALLBACK_UUIDV7 in self.key_defaults():
            out += [*UUIDV7_FUNCTION, ""]
        if self.schema:
            out += [self.compile(CreateSchema(self.schema, if_not_exists=True)), ""]
        return out


def render_ddl(store: Datastore, dialect: Dialect, compiled: tuple[SchemaCompiler, list[str]] | None = None) -> str:
    """The DDL creating every table and index of ``store`` in ``dialect`` (``compiled``: reuse a compilation)."""
    compiler, statements = compiled or compile_store(store, dialect)
    builtin = BUILTIN_UUIDV7 in compiler.key_defaults()
    out = [
        comment(f"{store.name}: tables of service '{store.service}' for {_engine(dialect, builtin)}."),
        "-- Generated by backend-architect; edit the spec, not this file.",
        "",
    ]
    if dialect == "sqlite":
        if any(c.type == "uuid" and c.name in t.primary_key for t in store.tables for c in t.columns):
            out += ["-- uuid keys have no default here (SQLite has no UUID function): the application sets them, as UUIDv7", ""]
        out += ["PRAGMA foreign_keys = ON;", ""]
    out += compiler.preamble()
    out += statements
    return "\n".join(out).rstrip() + "\n"


def _engine(dialect: Dialect, builtin_uuidv7: bool) -> str:
    """The engine versions a file is written for: PostgreSQL 18 where a key calls the built-in uuidv7()."""
    if dialect == "sqlite":
        return "SQLite 3.35+"
    return "PostgreSQL 18+" if builtin_uuidv7 else "PostgreSQL 15+"


def compile_store(store: Datastore, dialect: Dialect) -> tuple[SchemaCompiler, list[str]]:
    """Compile a datastore once, for both its DDL file and its initial migration."""
    compiler = SchemaCompiler(store, dialect)
    return compiler, create_statements(compiler)


def create_statements(compiler: SchemaCompiler, tables: list[Table] | None = None) -> list[str]:
    """CREATE TABLE and CREATE INDEX for ``tables`` (default: all), parents first."""
    wanted = {t.name for t in tables} if tables is not None else None
    out: list[str] = []
    for table in compiler.ordered():
        if wanted is not None and table.name not in wanted:
            continue
        out += [*compiler.create_table(table), ""]
        for index in table.indexes:
            out += compiler.create_index(table, index)
        if table.indexes:
            out.append("")
    closing = [fk for fk in compiler.cyclic if wanted is None or fk.table.name in wanted]
    if closing:
        out.append("-- foreign keys between tables that reference each other, added once both exist")
        out += [*(compiler.compile(AddConstraint(fk)) for fk in closing), ""]
    return out


def _comments(table: Table, schema: str | None, quote: Quote) -> list[str]:
    """Table and column comments as COMMENT ON statements, with identifiers quoted as needed."""
    name = f"{quote(schema)}.{quote(table.name)}" if schema else quote(table.name)
    lines = []
    if table.comment:
        lines.append(f"COMMENT ON TABLE {name} IS {pg_literal(table.comment)};")
    for column in table.columns:
        if column.comment:
            lines.append(f"COMMENT ON COLUMN {name}.{quote(column.name)} IS {pg_literal(column.comment)};")
    return lines


def _partition_notes(table: Table, schema: str | None, dialect: Dialect, quote: Quote) -> list[str]:
    """The range partitions of the current and next periods, the default one catching the rest, and the job keeping them (PostgreSQL)."""
    lines: list[str] = []
    if table.partitioning is not None:
        plan = table.partitioning
        lines.append(comment(f"partitioned by {plan.column} per {plan.interval}: {plan.reason}"))
        if dialect == "postgresql":
            lines.append(comment(maintenance_summary(table)))
            if plan.cold_after_days is not None:
                lines.append(comment(f"create the cold tier once, on the cheaper disks: CREATE TABLESPACE {COLD_TABLESPACE} LOCATION '<directory>'"))
                lines.append("-- (until it exists, old partitions stay where they are)")
            lines += partition_statements(table, schema, quote)
        else:
            lines.append(comment("(SQLite has no partitioning: one table)"))
        if plan.retention_job:
            lines.append(comment(f"retention: {plan.retention_job}"))
    if table.sharding is not None:
        lines.append(comment(f"shard by {table.sharding.key}: {table.sharding.reason}"))
        for write in table.sharding.co_writes:
            if write.mechanism:
                lines.append(comment(f"written with {', '.join(write.tables)} on other shards: {write.mechanism}"))
        for unique in table.sharding.uniques:
            lines.append(comment(f"unique ({', '.join(unique.columns)}) within one shard only; across the shards: {unique.how}"))
    return lines


def literal(text: str) -> str:
    r"""``text`` as a standard SQL string literal, read alike by both dialects; NUL (no text can hold it) is dropped.

    >>> print(literal("it's"), literal("nul\x00"))
    'it''s' 'nul'
    """
    return "'" + text.replace("\x00", "").replace("'", "''") + "'"


def pg_literal(text: str) -> str:
    r"""``text`` as a PostgreSQL literal meaning the same whatever ``standard_conforming_strings`` says.

    >>> print(pg_literal("plain"), pg_literal("a\\b"))
    'plain' E'a\\b'
    """
    plain = literal(text)
    return "E" + plain.replace("\\", "\\\\") if "\\" in plain else plain


def comment(text: str) -> str:
    r"""``-- text`` on one line: line breaks, control characters and block-comment marks in ``text`` cannot end it.

    >>> print(comment("use case 'list'\nDROP TABLE x; /* */"))
    -- use case 'list' DROP TABLE x; / * * /
    """
    if not text.isprintable():  # str.isprintable is false for every character below, and fast for the usual ASCII
        text = "".join(" " if unicodedata.category(c) in {"Cc", "Zl", "Zp"} and c != "\t" else c for c in text.replace("\x00", ""))
    return ("-- " + text.replace("/*", "/ *").replace("*/", "* /")).rstrip()

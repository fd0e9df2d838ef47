"""A whole schema assembled statement by statement, then frozen into IR datastores.

Real schemas spread a table over many statements and files — CREATE TABLE, then ALTER TABLE
... ADD CONSTRAINT for its keys, CREATE INDEX elsewhere, ATTACH PARTITION later — and a
migration folder changes them further. The builder applies each in order to mutable
records, so the rules judge the schema as it finally is, whichever way it was written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backend_architect.ir.model import Column, Datastore, ForeignKey, Index, SourceSpan, Table, UniqueConstraint

DEFAULT_SCHEMA = "public"


@dataclass
class TableDraft:
    """A table while the statements that shape it are applied."""

    schema: str
    name: str
    source: SourceSpan | None
    columns: dict[str, Column] = field(default_factory=dict)
    primary_key: list[str] = field(default_factory=list)
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    uniques: list[UniqueConstraint] = field(default_factory=list)
    indexes: list[Index] = field(default_factory=list)
    partition_of: str | None = None
    not_valid: list[str] = field(default_factory=list)
    long_identifiers: list[str] = field(default_factory=list)
    #: CHECK constraints of the form ``col IS NOT NULL``, by name: the column each proves.
    not_null_checks: dict[str, str] = field(default_factory=dict)
    #: Not created by the files reviewed, only changed by them: assumed to exist (a lone migration's tables).
    assumed: bool = False
    #: A materialized view: indexed like a table, but its shape is its query's.
    derived: bool = False

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass
class SchemaBuilder:
    """Every table of a schema by qualified name, in the order they were created."""

    tables: dict[tuple[str, str], TableDraft] = field(default_factory=dict)
    index_owner: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    search_path: list[str] = field(default_factory=lambda: [DEFAULT_SCHEMA])

    def table(self, schema: str | None, name: str) -> TableDraft | None:
        """The table a (possibly unqualified) name refers to: the named schema, else the search path's, else any schema holding it."""
        if schema is not None:
            return self.tables.get((schema, name))
        for searched in self.search_path:
            found = self.tables.get((searched, name))
            if found is not None:
                return found
        return next((t for (s, n), t in self.tables.items() if n == name), None)

    def create(self, schema: str | None, name: str, source: SourceSpan | None) -> TableDraft:
        draft = TableDraft(schema or (self.search_path[0] if self.search_path else DEFAULT_SCHEMA), name, source)
        self.tables[(draft.schema, name)] = draft
        return draft

    def assume(self, schema: str | None, name: str, source: SourceSpan | None) -> TableDraft:
        """A table the files change but never create: it exists already, with rows (the safe assumption for a migration)."""
        draft = self.create(schema, name, source)
        draft.assumed = True
        return draft

    def drop(self, schema: str | None, name: str) -> None:
        draft = self.table(schema, name)
        if draft is not None:
            del self.tables[(draft.schema, draft.name)]

    def add_index(self, draft: TableDraft, index: Index) -> None:
        draft.indexes = [i for i in draft.indexes if i.name != index.name]
        draft.indexes.append(index)
        self.index_owner[(draft.schema, index.name)] = (draft.schema, draft.name)

    def drop_index(self, schema: str | None, name: str) -> None:
        key = next((k for k in self.index_owner if k[1] == name and (schema is None or k[0] == schema)), None)
        if key is None:
            return
        owner = self.tables.get(self.index_owner.pop(key))
        if owner is not None:
            owner.indexes = [i for i in owner.indexes if i.name != name]

    def datastores(self, engine: str = "postgresql") -> list[Datastore]:
        """The schema as IR: one datastore per database schema (namespace), tables in creation order."""
        stores: dict[str, Datastore] = {}
        for draft in self.tables.values():
            if draft.assumed or draft.derived:
                continue  # only its changes are known, not its design (or its design is a query's)
            schema, _, name = (draft.partition_of or "").partition(".")
            parent = self.tables.get((schema, name)) if draft.partition_of else None
            if parent is not None and not draft.primary_key:
                draft.primary_key = parent.primary_key  # a partitioned table's key holds in every partition
            store = stores.setdefault(draft.schema, Datastore(name=draft.schema, engine=engine, schema_name=draft.schema))
            store.tables.append(
                Table(
                    name=draft.name,
                    columns=list(draft.columns.values()),
                    primary_key=draft.primary_key,
                    foreign_keys=draft.foreign_keys,
                    uniques=draft.uniques,
                    indexes=draft.indexes,
                    source=draft.source,
                    partition_of=draft.partition_of,
                    not_valid_constraints=draft.not_valid,
                    long_identifiers=draft.long_identifiers,
                    key_strategy="composite" if len(draft.primary_key) > 1 else "identity",
                )
            )
        return list(stores.values())

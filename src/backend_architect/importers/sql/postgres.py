"""PostgreSQL DDL → the schema builder: statements (statements.py) applied in order.

Only statements that shape tables (CREATE TABLE, ALTER TABLE, CREATE INDEX, DROP, RENAME,
SET search_path) are applied; everything else (functions, triggers, grants, views) is read past.
"""

from __future__ import annotations

import re
from typing import Any

from backend_architect.importers.sql import maintenance
from backend_architect.importers.sql.builder import SchemaBuilder, TableDraft
from backend_architect.importers.sql.defaults import default_text
from backend_architect.importers.sql.effects import column_effects, definition_end, not_null_check
from backend_architect.importers.sql.indexes import create_index
from backend_architect.importers.sql.maintenance import long_identifiers
from backend_architect.importers.sql.statements import SourceText, Statement, blank_client_commands, parse_statements, suppressions
from backend_architect.importers.sql.types import canonical_type, logical_type
from backend_architect.ir.model import Column, ForeignKey, MigrationStep, UniqueConstraint

_CONSTRAINT_KINDS = {
    "CONSTR_PRIMARY": "primary key",
    "CONSTR_UNIQUE": "unique",
    "CONSTR_FOREIGN": "foreign key",
    "CONSTR_CHECK": "check",
    "CONSTR_EXCLUSION": "exclusion",
}
_ON_DELETE = {"c": "cascade", "r": "restrict", "n": "set null", "a": "no action", "d": "set default"}


# --- applying statements ------------------------------------------------------------------------------


def apply(builder: SchemaBuilder, statement: Statement) -> list[MigrationStep]:
    """Apply one statement to the schema; return what it did, for the migration rules."""
    steps = [step.model_copy(update={"statement": statement.text.rstrip().rstrip(";")}) for step in _apply(builder, statement)]
    if statement.kind in _SHAPING:
        long = long_identifiers(statement)  # the parser has already cut these names to 63 bytes, as the server will
        if long:
            tables = {s.table for s in steps if s.table}
            for draft in builder.tables.values():
                if draft.qualified in tables:
                    draft.long_identifiers += long
    return steps


def _apply(builder: SchemaBuilder, statement: Statement) -> list[MigrationStep]:
    handler = _HANDLERS.get(statement.kind)
    if handler is None:
        if statement.kind == "VariableSetStmt":
            name = str(statement.node.get("name", ""))
            if name == "search_path":
                values = [str(a.get("A_Const", {}).get("sval", {}).get("sval", "")) for a in statement.node.get("args") or []]
                builder.search_path = [v for v in values if v and v != "$user"] or builder.search_path
            if name in {"lock_timeout", "statement_timeout"}:
                return [MigrationStep(action="set_timeout", timeout=name, source=statement.source)]
        return []
    return handler(builder, statement)


def _names(items: list[dict[str, Any]] | None) -> list[str]:
    return [str(i["String"]["sval"]) for i in items or () if "String" in i]


def _relation(node: dict[str, Any]) -> tuple[str | None, str]:
    return node.get("schemaname"), str(node.get("relname", ""))


def _qualified(draft: TableDraft) -> str:
    return draft.qualified


def _create_table(builder: SchemaBuilder, statement: Statement) -> list[MigrationStep]:
    node = statement.node
    schema, name = _relation(node.get("relation", {}))
    draft = builder.create(schema, name, statement.source)
    parents = node.get("inhRelations") or []
    if node.get("partbound") and parents:
        parent_schema, parent = _relation(parents[0].get("RangeVar", {}))
        owner = builder.table(parent_schema, parent)
        draft.partition_of = owner.qualified if owner else parent
        if owner is not None:
            draft.columns = dict(owner.columns)
    varchar = []
    for element in node.get("tableElts") or []:
        if "ColumnDef" in element:
            added = _add_column(draft, element["ColumnDef"], statement)
            if added.sql_type and _VARCHAR.match(added.sql_type):
                varchar.append(added.name)
        elif "Constraint" in element:
            _add_constraint(builder, draft, element["Constraint"], statement)
    return [MigrationStep(action="create_table", table=draft.qualified, existed_before=False, source=statement.source, varchar_columns=varchar)]


def _create_table_as(builder: SchemaBuilder, statement: Statement) -> list[MigrationStep]:
    """CREATE TABLE ... AS and CREATE MATERIALIZED VIEW: relations the file creates, whose columns come from a query."""
    into = statement.node.get("into") or {}
    schema, name = _relation(into.get("rel", {}))
    draft = builder.create(schema, name, statement.source)
    draft.derived = statement.node.get("objtype") == "OBJECT_MATVIEW"  # indexed like a table, designed by its query
    return [MigrationStep(action="create_table", table=draft.qualified, existed_before=False, source=statement.source)]


def _add_column(draft: TableDraft, column: dict[str, Any], statement: Statement, builder: SchemaBuilder | None = None) -> Column:
    type_name = column.get("typeName", {})
    sql_type, serial = canonical_type(_names(type_name.get("names")), _typmods(type_name), bool(type_name.get("arrayBounds")))
    nullable, default, identity = True, "nextval(...)" if serial else None, False
    name = str(column.get("colname", ""))
    for item in column.get("constraints") or []:
        constraint = item.get("Constraint", {})
        kind = constraint.get("contype")
        if kind == "CONSTR_NOTNULL":
            nullable = False
        elif kind == "CONSTR_DEFAULT":
            default = _default_text(constraint.get("raw_expr"))
        elif kind == "CONSTR_IDENTITY":
            identity, nullable = True, False
        elif kind == "CONSTR_PRIMARY":
            nullable = False
            draft.primary_key = [name]
        elif kind == "CONSTR_UNIQUE":
            draft.uniques.append(UniqueConstraint(name=str(constraint.get("conname") or f"{draft.name}_{name}_key"), columns=[name], source=statement.source))
        elif kind == "CONSTR_FOREIGN":
            draft.foreign_keys.append(_foreign_key(draft, constraint, [name], statement))
        elif kind == "CONSTR_GENERATED":
            default = "generated"  # computed by the database: never missing
        elif kind == "CONSTR_CHECK":
            proven = not_null_check(constraint)
            if proven is not None:
                draft.not_null_checks[str(constraint.get("conname") or f"{draft.name}_{name}_check")] = proven
    logical, length = logical_type(sql_type)
    location = column.get("location")
    span = statement.span_at(location, _end(statement, location))
    made = Column(name=name, type=logical, length=length, nullable=nullable, default=default, identity=identity, sql_type=sql_type, source=span)
    draft.columns[name] = made
    return made


def _default_text(expression: Any) -> str:
    """A default as canonical text (``defaults.py``): ``nextval(...)`` for a sequence, literals without their casts."""
    return default_text(expression)


def _typmods(type_name: dict[str, Any]) -> list[int]:
    mods = []
    for item in type_name.get("typmods") or []:
        value = item.get("A_Const", {}).get("ival", {})
        if isinstance(value, dict):
            mods.append(int(value.get("ival", 0)))
    return mods


def _foreign_key(draft: TableDraft, constraint: dict[str, Any], columns: list[str], statement: Statement) -> ForeignKey:
    ref_schema, ref_table = _relation(constraint.get("pktable", {}))
    name = str(constraint.get("conname") or f"{draft.name}_{'_'.join(columns)}_fkey")
    if constraint.get("skip_validation"):
        draft.not_valid.append(name)
    return ForeignKey(
        name=name,
        columns=columns,
        ref_table=f"{ref_schema}.{ref_table}" if ref_schema else ref_table,
        ref_columns=_names(constraint.get("pk_attrs")),
        on_delete=_ON_DELETE.get(str(constraint.get("fk_del_action", "a")), "no action"),
        relation=name,
        source=statement.source,
    )


def _add_constraint(builder: SchemaBuilder, draft: TableDraft, constraint: dict[str, Any], statement: Statement) -> MigrationStep:
    kind = constraint.get("contype")
    keys = _names(constraint.get("keys"))
    name = str(constraint.get("conname") or "")
    label = {
        "CONSTR_PRIMARY": "primary key",
        "CONSTR_UNIQUE": "unique",
        "CONSTR_FOREIGN": "foreign key",
        "CONSTR_CHECK": "check",
        "CONSTR_EXCLUSION": "exclusion",
    }
    if kind == "CONSTR_PRIMARY":
        index = constraint.get("indexname")
        if index and not keys:
            owned = next((i for i in draft.indexes if i.name == index), None)
            keys = [c.name for c in owned.columns] if owned else keys
        draft.primary_key = keys
        for key in keys:
            if key in draft.columns:
                draft.columns[key] = draft.columns[key].model_copy(update={"nullable": False})
    elif kind == "CONSTR_UNIQUE":
        index = constraint.get("indexname")
        if index and not keys:
            owned = next((i for i in draft.indexes if i.name == index), None)
            keys = [c.name for c in owned.columns] if owned else keys
        draft.uniques.append(UniqueConstraint(name=name or f"{draft.name}_{'_'.join(keys)}_key", columns=keys, source=statement.source))
    elif kind == "CONSTR_FOREIGN":
        draft.foreign_keys.append(_foreign_key(draft, constraint, _names(constraint.get("fk_attrs")), statement))
    elif kind == "CONSTR_CHECK":
        if constraint.get("skip_validation") and name:
            draft.not_valid.append(name)
        proven = not_null_check(constraint)
        if proven is not None:
            draft.not_null_checks[name or f"{draft.name}_{proven}_check"] = proven
    builds = label.get(str(kind)) if kind in {"CONSTR_PRIMARY", "CONSTR_UNIQUE"} and not constraint.get("indexname") else None
    return MigrationStep(
        builds_index=builds,
        action="add_constraint",
        table=draft.qualified,
        detail=name or label.get(str(kind), "constraint"),
        constraint_kind=label.get(str(kind), "constraint"),
        not_valid=bool(constraint.get("skip_validation")),
        source=statement.source,
    )


def _alter_table(builder: SchemaBuilder, statement: Statement) -> list[MigrationStep]:
    node = statement.node
    if node.get("objtype") not in {None, "OBJECT_TABLE"}:
        return []
    schema, name = _relation(node.get("relation", {}))
    draft = builder.table(schema, name) or builder.assume(schema, name, statement.source)
    steps = []
    for item in node.get("cmds") or []:
        command = item.get("AlterTableCmd", {})
        subtype = command.get("subtype")
        definition = command.get("def", {})
        column = str(command.get("name", ""))
        if subtype == "AT_AddConstraint" and "Constraint" in definition:
            steps.append(_add_constraint(builder, draft, definition["Constraint"], statement))
        elif subtype == "AT_ValidateConstraint":
            draft.not_valid = [c for c in draft.not_valid if c != column]
            steps.append(MigrationStep(action="validate_constraint", table=draft.qualified, detail=column, source=statement.source))
        elif subtype == "AT_AddColumn" and "ColumnDef" in definition:
            added = _add_column(draft, definition["ColumnDef"], statement)
            steps.append(
                MigrationStep(
                    action="add_column", table=draft.qualified, detail=added.name, not_null=not added.nullable and not added.identity,
                    has_default=added.default is not None, default=added.default, source=added.source or statement.source,
                    varchar_columns=[added.name] if added.sql_type and _VARCHAR.match(added.sql_type) else [],
                    **column_effects(definition["ColumnDef"]),
                )
            )  # fmt: skip
        elif subtype == "AT_AlterColumnType" and "ColumnDef" in definition:
            type_name = definition["ColumnDef"].get("typeName", {})
            sql_type, _ = canonical_type(_names(type_name.get("names")), _typmods(type_name), bool(type_name.get("arrayBounds")))
            old_type = draft.columns[column].sql_type if column in draft.columns else None
            if column in draft.columns:
                logical, length = logical_type(sql_type)
                draft.columns[column] = draft.columns[column].model_copy(
                    update={"sql_type": sql_type, "type": logical, "length": length, "source": statement.source}
                )
            step = MigrationStep(
                action="alter_column_type", table=draft.qualified, detail=f"{column} to {sql_type}", old_type=old_type, source=statement.source
            )
            steps.append(step.model_copy(update={"varchar_columns": [column] if _VARCHAR.match(sql_type) else []}))
        elif subtype == "AT_SetNotNull":
            if column in draft.columns:
                draft.columns[column] = draft.columns[column].model_copy(update={"nullable": False, "source": statement.source})
            proven = any(c == column and n not in draft.not_valid for n, c in draft.not_null_checks.items())
            steps.append(MigrationStep(action="set_not_null", table=draft.qualified, detail=column, scan_skipped=proven, source=statement.source))
        elif subtype == "AT_DropNotNull":
            if column in draft.columns:
                draft.columns[column] = draft.columns[column].model_copy(update={"nullable": True, "source": statement.source})
            steps.append(MigrationStep(action="drop_not_null", table=draft.qualified, detail=column, source=statement.source))
        elif subtype == "AT_DetachPartition" and "PartitionCmd" in definition:
            command = definition["PartitionCmd"]
            child = ".".join(str(p) for p in _relation(command.get("name", {})) if p)
            steps.append(
                MigrationStep(
                    action="detach_partition", table=draft.qualified, detail=child, concurrently=bool(command.get("concurrent")), source=statement.source
                )
            )
        elif subtype == "AT_ColumnDefault" and column in draft.columns:
            draft.columns[column] = draft.columns[column].model_copy(
                update={"default": _default_text(definition) if definition else None, "source": statement.source}
            )
        elif subtype == "AT_DropColumn":
            draft.columns.pop(column, None)
            steps.append(MigrationStep(action="drop_column", table=draft.qualified, detail=column, source=statement.source))
        elif subtype == "AT_DropConstraint":
            _drop_constraint(draft, column)
            steps.append(MigrationStep(action="drop_constraint", table=draft.qualified, detail=column, source=statement.source))
        elif subtype == "AT_AttachPartition" and "PartitionCmd" in definition:
            child_schema, child = _relation(definition["PartitionCmd"].get("name", {}))
            attached = builder.table(child_schema, child)
            if attached is not None:
                attached.partition_of = draft.qualified
    return steps


def _drop_constraint(draft: TableDraft, name: str) -> None:
    draft.not_null_checks.pop(name, None)
    draft.foreign_keys = [f for f in draft.foreign_keys if f.name != name]
    draft.uniques = [u for u in draft.uniques if u.name != name]
    draft.not_valid = [c for c in draft.not_valid if c != name]
    if name.endswith("_pkey"):
        draft.primary_key = []


def _drop(builder: SchemaBuilder, statement: Statement) -> list[MigrationStep]:
    node = statement.node
    kind = node.get("removeType")
    steps = []
    for item in node.get("objects") or []:
        names = _names(item.get("List", {}).get("items"))
        if not names:
            continue
        schema, name = (names[-2], names[-1]) if len(names) > 1 else (None, names[-1])
        if kind == "OBJECT_TABLE":
            draft = builder.table(schema, name) or builder.assume(schema, name, statement.source)
            steps.append(MigrationStep(action="drop_table", table=draft.qualified, source=statement.source))
            if not draft.assumed:
                builder.drop(schema, name)  # an assumed table stays known as assumed, so its drop is judged as one of an existing table
        elif kind == "OBJECT_INDEX":
            owner = next((t for (s, i), t in builder.index_owner.items() if i == name and (schema is None or s == schema)), None)
            builder.drop_index(schema, name)
            table = f"{owner[0]}.{owner[1]}" if owner else None
            steps.append(MigrationStep(action="drop_index", table=table, detail=name, concurrently=bool(node.get("concurrent")), source=statement.source))
    return steps


def _rename(builder: SchemaBuilder, statement: Statement) -> list[MigrationStep]:
    node = statement.node
    schema, name = _relation(node.get("relation", {}))
    rename = node.get("renameType")
    if rename not in {"OBJECT_TABLE", "OBJECT_COLUMN"}:
        return []
    draft = builder.table(schema, name) or builder.assume(schema, name, statement.source)
    new = str(node.get("newname", ""))
    if rename == "OBJECT_TABLE":
        del builder.tables[(draft.schema, draft.name)]
        old = draft.qualified
        draft.name = new
        builder.tables[(draft.schema, new)] = draft
        return [MigrationStep(action="rename_table", table=old, detail=f"to {new}", source=statement.source)]
    if rename == "OBJECT_COLUMN":
        old_column = str(node.get("subname", ""))
        if old_column in draft.columns:
            draft.columns = {new if k == old_column else k: (c.model_copy(update={"name": new}) if k == old_column else c) for k, c in draft.columns.items()}
        return [MigrationStep(action="rename_column", table=draft.qualified, detail=f"{old_column} to {new}", source=statement.source)]
    return []


def _end(statement: Statement, location: object) -> int | None:
    """Where the definition starting at ``location`` ends, counted like the parse tree's locations."""
    if statement.origin is None or not isinstance(location, int) or location < 0:
        return None
    return definition_end(statement.origin.raw, statement.base + location) - statement.base


_SHAPING = frozenset({"CreateStmt", "AlterTableStmt", "IndexStmt", "DropStmt", "RenameStmt"})
_VARCHAR = re.compile(r"^character varying\(\d+\)$")
_HANDLERS = {
    "CreateStmt": _create_table,
    "CreateTableAsStmt": _create_table_as,
    "AlterTableStmt": _alter_table,
    "IndexStmt": create_index,
    "DropStmt": _drop,
    "RenameStmt": _rename,
    "ReindexStmt": maintenance.reindex,
    "VacuumStmt": maintenance.vacuum,
    "ClusterStmt": maintenance.cluster,
    "TruncateStmt": maintenance.truncate,
    "TransactionStmt": maintenance.transaction,
    "AlterEnumStmt": maintenance.enum_value,
}


__all__ = ["SourceText", "Statement", "apply", "blank_client_commands", "parse_statements", "suppressions"]

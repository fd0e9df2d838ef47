"""Statements that lock tables without shaping them (REINDEX, VACUUM FULL, CLUSTER, TRUNCATE), enum values,
transaction control, and identifiers longer than PostgreSQL keeps: read for the migration and design rules."""

from __future__ import annotations

from typing import Any

from backend_architect.importers.sql.builder import SchemaBuilder
from backend_architect.importers.sql.statements import Statement
from backend_architect.ir.model import MigrationStep

#: PostgreSQL keeps NAMEDATALEN - 1 bytes of an identifier and cuts the rest.
MAX_IDENTIFIER_BYTES = 63


def _table(builder: SchemaBuilder, relation: dict[str, Any]) -> str:
    schema, name = relation.get("schemaname"), str(relation.get("relname", ""))
    draft = builder.table(schema, name) or builder.assume(schema, name, None)
    return draft.qualified


def _concurrent(node: dict[str, Any]) -> bool:
    return any(p.get("DefElem", {}).get("defname") == "concurrently" for p in node.get("params") or [] if isinstance(p, dict))


def reindex(builder: SchemaBuilder, statement: Statement) -> list[MigrationStep]:
    node = statement.node
    relation = node.get("relation") or {}
    kind = str(node.get("kind", ""))
    table = None
    if kind == "REINDEX_OBJECT_TABLE" and relation:
        table = _table(builder, relation)
    elif kind == "REINDEX_OBJECT_INDEX" and relation:
        owner = next((t for (s, i), t in builder.index_owner.items() if i == relation.get("relname")), None)
        table = f"{owner[0]}.{owner[1]}" if owner else None
    detail = str(relation.get("relname") or node.get("name") or kind.removeprefix("REINDEX_OBJECT_").lower())
    return [MigrationStep(action="reindex", table=table, detail=detail, concurrently=_concurrent(node), source=statement.source)]


def vacuum(builder: SchemaBuilder, statement: Statement) -> list[MigrationStep]:
    node = statement.node
    full = any(o.get("DefElem", {}).get("defname") == "full" for o in node.get("options") or [] if isinstance(o, dict))
    if not full or not node.get("is_vacuumcmd", False):
        return []
    relations = [r.get("VacuumRelation", {}).get("relation") or {} for r in node.get("rels") or [] if isinstance(r, dict)]
    if not relations:
        return [MigrationStep(action="vacuum_full", detail="every table", source=statement.source)]
    return [MigrationStep(action="vacuum_full", table=_table(builder, r), source=statement.source) for r in relations]


def cluster(builder: SchemaBuilder, statement: Statement) -> list[MigrationStep]:
    relation = statement.node.get("relation") or {}
    if not relation:
        return [MigrationStep(action="cluster", detail="every clustered table", source=statement.source)]
    return [MigrationStep(action="cluster", table=_table(builder, relation), source=statement.source)]


def truncate(builder: SchemaBuilder, statement: Statement) -> list[MigrationStep]:
    node = statement.node
    cascade = node.get("behavior") == "DROP_CASCADE"
    relations = [r.get("RangeVar", {}) for r in node.get("relations") or [] if isinstance(r, dict)]
    return [MigrationStep(action="truncate", table=_table(builder, r), cascade=cascade, source=statement.source) for r in relations]


def transaction(builder: SchemaBuilder, statement: Statement) -> list[MigrationStep]:
    kind = str(statement.node.get("kind", ""))
    action = {
        "TRANS_STMT_BEGIN": "begin",
        "TRANS_STMT_START": "begin",
        "TRANS_STMT_COMMIT": "commit",
        "TRANS_STMT_ROLLBACK": "rollback",
        "TRANS_STMT_COMMIT_PREPARED": "commit",
        "TRANS_STMT_ROLLBACK_PREPARED": "rollback",
        "TRANS_STMT_PREPARE": "commit",
    }.get(kind)
    return [MigrationStep(action=action, detail=kind.removeprefix("TRANS_STMT_").lower(), source=statement.source)] if action else []


def enum_value(builder: SchemaBuilder, statement: Statement) -> list[MigrationStep]:
    node = statement.node
    if not node.get("newVal"):
        return []  # RENAME VALUE
    names = [str(n.get("String", {}).get("sval", "")) for n in node.get("typeName") or [] if isinstance(n, dict)]
    detail = f"{'.'.join(names)} value '{node['newVal']}'"
    return [MigrationStep(action="add_enum_value", detail=detail, ordered=bool(node.get("newValNeighbor")), source=statement.source)]


def long_identifiers(statement: Statement) -> list[str]:
    """Identifiers of a statement longer than PostgreSQL keeps (63 bytes), found by PostgreSQL's own scanner.

    The parse tree already holds them cut to 63 bytes, as the server will; the scanner sees
    each identifier token whole, so two quoted names or a quote inside a string literal are
    never read as one name, and length is counted in bytes, as PostgreSQL counts it.
    """
    from pglast import parser
    from pglast.parser import ParseError

    raw = statement.text.encode()
    if len(raw) < MAX_IDENTIFIER_BYTES:
        return []
    try:
        tokens = parser.scan(statement.text)
    except ParseError:
        return []
    found = []
    for token in tokens:
        if token.name != "IDENT":
            continue
        text = statement.text[token.start : token.end + 1]  # the scanner counts characters
        name = text[1:-1].replace('""', '"') if text.startswith('"') and text.endswith('"') and len(text) > 1 else text.lower()
        if len(name.encode()) > MAX_IDENTIFIER_BYTES:
            found.append(name)
    return found

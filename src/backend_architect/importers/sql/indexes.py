"""CREATE INDEX → an index on its table, with expression keys and predicates printed back in one canonical form.

Indexes are compared with each other (redundant, covering a foreign key) by their method,
keys, operator classes, collations, INCLUDE columns and predicate: expressions and
predicates are deparsed by pglast so that two spellings of one index compare equal.
"""

from __future__ import annotations

from typing import Any

from pglast.parser import ParseError

from backend_architect.importers.sql.builder import SchemaBuilder
from backend_architect.importers.sql.statements import Statement
from backend_architect.ir.model import Index, IndexColumn, MigrationStep


def _names(items: list[dict[str, Any]] | None) -> list[str]:
    return [str(i["String"]["sval"]) for i in items or () if "String" in i]


def _relation(node: dict[str, Any]) -> tuple[str | None, str]:
    return node.get("schemaname"), str(node.get("relname", ""))


def create_index(builder: SchemaBuilder, statement: Statement) -> list[MigrationStep]:
    node = statement.node
    schema, name = _relation(node.get("relation", {}))
    draft = builder.table(schema, name) or builder.assume(schema, name, statement.source)
    index_name = str(node.get("idxname") or f"{name}_idx")
    step = MigrationStep(action="create_index", table=draft.qualified, detail=index_name, concurrently=bool(node.get("concurrent")), source=statement.source)
    expressions = _deparsed(statement) if _needs_deparse(node) else {}
    columns = []
    for position, element in enumerate(node.get("indexParams") or []):
        elem = element.get("IndexElem", {})
        expression = expressions.get(f"expr{position}")
        columns.append(
            IndexColumn(
                name=str(elem.get("name") or expression or f"expr{position}"),
                descending=elem.get("ordering") == "SORTBY_DESC",
                expression=expression,
                opclass=".".join(_names(elem.get("opclass"))) or None,
                collation=".".join(_names(elem.get("collation"))) or None,
            )
        )
    method = str(node.get("accessMethod", "btree"))
    index = Index(
        name=index_name,
        columns=columns,
        unique=bool(node.get("unique")),
        method=method if method in {"btree", "gin", "gist", "hash", "brin", "spgist", "hnsw"} else "other",
        include=[str(e.get("IndexElem", {}).get("name", "")) for e in node.get("indexIncludingParams") or []],
        where=expressions.get("where"),
        source=statement.source,
    )
    builder.add_index(draft, index)
    if node.get("primary"):
        draft.primary_key = [c.name for c in columns]
    return [step]


def _needs_deparse(node: dict[str, Any]) -> bool:
    return bool(node.get("whereClause")) or any("expr" in e.get("IndexElem", {}) for e in node.get("indexParams") or [])


def _deparsed(statement: Statement) -> dict[str, str]:
    """Expression keys and the predicate of an index, printed back by pglast in one canonical form."""
    from pglast import parse_sql
    from pglast.stream import RawStream

    try:
        (raw,) = parse_sql(statement.text)
    except (ParseError, ValueError):
        return {}
    index: Any = raw.stmt
    found = {}
    for position, element in enumerate(index.indexParams or ()):
        if element.expr is not None:
            found[f"expr{position}"] = RawStream()(element.expr)
    if index.whereClause is not None:
        found["where"] = RawStream()(index.whereClause)
    return found

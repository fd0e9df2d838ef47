"""Column defaults as comparable text, the same from a SQL file and from a live catalog.

A file says ``DEFAULT 'open'`` where PostgreSQL's catalog prints ``'open'::text``; both come
here as parse trees (the catalog's text is parsed again) and leave as one canonical text:
literals without the casts PostgreSQL adds to them, function calls by name, sequences as
``nextval(...)`` (their names are an implementation detail). A schema diff compares these
texts; the rules only ask whether a default exists and whether it is a sequence.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

#: Casts PostgreSQL adds around literals when it stores a default; a file rarely writes them.
_LITERAL_CASTS = {
    "text",
    "varchar",
    "bpchar",
    "character varying",
    "character",
    "int2",
    "int4",
    "int8",
    "integer",
    "bigint",
    "smallint",
    "numeric",
    "float4",
    "float8",
    "bool",
    "boolean",
}


def default_text(expression: Any) -> str:
    """The canonical text of a default's parse tree (pglast's JSON form).

    >>> from pglast import parser
    >>> tree = orjson.loads(parser.parse_sql_json("SELECT 'open'::text, -1, now(), nextval('s'::regclass), CURRENT_TIMESTAMP"))
    >>> [default_text(t["ResTarget"]["val"]) for t in tree["stmts"][0]["stmt"]["SelectStmt"]["targetList"]]
    ["'open'", '-1', 'now()', 'nextval(...)', 'CURRENT_TIMESTAMP']
    """
    if not isinstance(expression, dict) or len(expression) != 1:
        return _opaque(expression)
    kind, node = next(iter(expression.items()))
    if kind == "A_Const":
        return _constant(node)
    if kind == "TypeCast":
        inner = default_text(node.get("arg"))
        target = _type_name(node.get("typeName", {}))
        if "A_Const" in (node.get("arg") or {}) and target in _LITERAL_CASTS:
            return inner
        return f"{inner}::{target}"
    if kind == "FuncCall":
        name = ".".join(n for n in _names(node.get("funcname")) if n != "pg_catalog")
        if name == "nextval":
            return "nextval(...)"
        return f"{name}({', '.join(default_text(a) for a in node.get('args') or [])})"
    if kind == "SQLValueFunction":
        return str(node.get("op", "")).removeprefix("SVFOP_").removesuffix("_N")
    if kind == "ColumnRef":
        return ".".join(str(f.get("String", {}).get("sval", "*")) for f in node.get("fields") or [])
    if kind == "A_Expr" and node.get("kind") == "AEXPR_OP":
        operator = " ".join(_names(node.get("name")))
        left = default_text(node["lexpr"]) + " " if node.get("lexpr") else ""
        if operator == "-" and not left and "A_Const" in (node.get("rexpr") or {}):
            return "-" + default_text(node["rexpr"])
        return f"{left}{operator} {default_text(node.get('rexpr'))}"
    if kind == "A_ArrayExpr":
        return f"ARRAY[{', '.join(default_text(e) for e in node.get('elements') or [])}]"
    return _opaque(expression)


def catalog_default_text(printed: str) -> str:
    """The canonical text of a default as PostgreSQL's catalog prints it (``pg_get_expr``)."""
    from pglast import parser
    from pglast.parser import ParseError

    try:
        tree = orjson.loads(parser.parse_sql_json(f"SELECT {printed}"))
        return default_text(tree["stmts"][0]["stmt"]["SelectStmt"]["targetList"][0]["ResTarget"]["val"])
    except (ParseError, KeyError, IndexError, orjson.JSONDecodeError, RecursionError):
        return printed  # past the JSON decoder's 1,024 levels of nesting the default stays as printed


def _constant(node: dict[str, Any]) -> str:
    if node.get("isnull"):
        return "NULL"
    if "ival" in node:
        return str(node["ival"].get("ival", 0))
    if "fval" in node:
        return str(node["fval"].get("fval", "0"))
    if "boolval" in node:
        return "true" if node["boolval"].get("boolval") else "false"
    if "sval" in node:
        value = str(node["sval"].get("sval", ""))
        if value.lstrip("-").replace(".", "", 1).isdigit():
            return value  # PostgreSQL prints -1 as '-1'::integer
        return "'" + value.replace("'", "''") + "'"
    if "bsval" in node:
        return str(node["bsval"].get("bsval", ""))
    return _opaque(node)


def _type_name(type_name: dict[str, Any]) -> str:
    names = [n for n in _names(type_name.get("names")) if n != "pg_catalog"]
    return ".".join(names)


def _names(items: Any) -> list[str]:
    return [str(item.get("String", {}).get("sval", "")) for item in items or [] if isinstance(item, dict)]


def _opaque(expression: Any) -> str:
    """An expression this module does not spell: named by a digest of its tree, so equal trees still compare equal."""
    digest = hashlib.sha256(orjson.dumps(_without_locations(expression), option=orjson.OPT_SORT_KEYS)).hexdigest()[:12]
    return f"(expression {digest})"


def _without_locations(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_locations(v) for k, v in value.items() if k != "location"}
    if isinstance(value, list):
        return [_without_locations(v) for v in value]
    return value

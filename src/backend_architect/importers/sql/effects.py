"""What a column definition or constraint costs when it is added to a table that has rows.

PostgreSQL 11+ adds a column with a constant (or stable) default by writing the default to
the catalog; a volatile default (``gen_random_uuid()``, a sequence) or a stored generated
column has to be computed for every row, which rewrites the table under an ACCESS
EXCLUSIVE lock. A UNIQUE or PRIMARY KEY builds its index while holding the table's lock,
unless the index was built first (``USING INDEX``). These facts are read from the parse
tree here, once, for the migration rules.
"""

from __future__ import annotations

from typing import Any

#: Functions PostgreSQL marks VOLATILE that schemas use as defaults (pg_proc.provolatile = 'v'); uuid_generate_v7 is
#: pg_uuidv7's, and the one generated schemas define before PostgreSQL 18.
VOLATILE_FUNCTIONS = frozenset(
    {
        "gen_random_uuid",
        "uuid_generate_v1",
        "uuid_generate_v1mc",
        "uuid_generate_v4",
        "uuid_generate_v7",
        "uuidv4",
        "uuidv7",
        "random",
        "clock_timestamp",
        "timeofday",
        "nextval",
    }
)
#: Types a sequence feeds: adding a column of one fills every row from the sequence.
SERIAL_TYPES = frozenset({"serial", "bigserial", "smallserial", "serial4", "serial8", "serial2"})


def _function_names(expression: Any) -> set[str]:
    """Every function called anywhere in an expression's parse tree."""
    found: set[str] = set()
    stack = [expression]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            call = value.get("FuncCall")
            if isinstance(call, dict):
                names = [n.get("String", {}).get("sval", "") for n in call.get("funcname") or [] if isinstance(n, dict)]
                if names:
                    found.add(str(names[-1]).lower())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return found


def column_effects(column: dict[str, Any]) -> dict[str, Any]:
    """For a ColumnDef: why adding it rewrites the table, which key index it builds, which table its foreign key locks.

    >>> column_effects({"typeName": {"names": [{"String": {"sval": "serial"}}]}, "constraints": [{"Constraint": {"contype": "CONSTR_PRIMARY"}}]})
    {'rewrites': 'a sequence default (serial)', 'builds_index': 'primary key'}
    """
    effects: dict[str, Any] = {}
    names = [n.get("String", {}).get("sval", "") for n in column.get("typeName", {}).get("names") or [] if isinstance(n, dict)]
    if names and str(names[-1]).lower() in SERIAL_TYPES:
        effects["rewrites"] = f"a sequence default ({names[-1]})"
    for item in column.get("constraints") or []:
        constraint = item.get("Constraint", {}) if isinstance(item, dict) else {}
        kind = constraint.get("contype")
        if kind == "CONSTR_DEFAULT":
            volatile = sorted(_function_names(constraint.get("raw_expr")) & VOLATILE_FUNCTIONS)
            if volatile:
                effects["rewrites"] = f"a volatile default ({volatile[0]}())"
        elif kind == "CONSTR_GENERATED":
            effects["rewrites"] = "a stored generated column"
        elif kind == "CONSTR_IDENTITY":
            effects["rewrites"] = "an identity column (a sequence fills every row)"
        elif kind in {"CONSTR_PRIMARY", "CONSTR_UNIQUE"}:
            effects["builds_index"] = "primary key" if kind == "CONSTR_PRIMARY" else "unique"
        elif kind == "CONSTR_FOREIGN":
            table = constraint.get("pktable", {})
            effects["references"] = ".".join(str(p) for p in (table.get("schemaname"), table.get("relname")) if p)
    return effects


def not_null_check(constraint: dict[str, Any]) -> str | None:
    """The column a ``CHECK (col IS NOT NULL)`` constraint proves, or None for any other check.

    >>> not_null_check({"contype": "CONSTR_CHECK", "raw_expr": {"NullTest": {"arg": {"ColumnRef": {"fields": [{"String": {"sval": "a"}}]}},
    ...     "nulltesttype": "IS_NOT_NULL"}}})
    'a'
    """
    test = (constraint.get("raw_expr") or {}).get("NullTest") if constraint.get("contype") == "CONSTR_CHECK" else None
    if not isinstance(test, dict) or test.get("nulltesttype") != "IS_NOT_NULL":
        return None
    fields = (test.get("arg") or {}).get("ColumnRef", {}).get("fields") or []
    names = [f.get("String", {}).get("sval") for f in fields if isinstance(f, dict)]
    return str(names[-1]) if names and names[-1] else None


def definition_end(raw: bytes, start: int) -> int:
    """The byte just past a column or constraint definition that starts at ``start``: the next comma or closing parenthesis
    outside parentheses and quotes, trailing blanks left out.

    >>> raw = b"CREATE TABLE t (a numeric(12, 2) DEFAULT ',', b int)"
    >>> raw[16:definition_end(raw, 16)]
    b"a numeric(12, 2) DEFAULT ','"
    """
    depth, position, quote = 0, start, b""
    while position < len(raw):
        char = raw[position : position + 1]
        if quote:
            if char == quote:
                quote = b""
        elif char in {b"'", b'"'}:
            quote = char
        elif char == b"(":
            depth += 1
        elif char == b")":
            if depth == 0:
                break
            depth -= 1
        elif (char == b"," and depth == 0) or (char == b";" and depth == 0):
            break
        position += 1
    while position > start and raw[position - 1 : position] in {b" ", b"\t", b"\r", b"\n"}:
        position -= 1
    return position

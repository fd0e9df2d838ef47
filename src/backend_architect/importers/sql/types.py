"""SQL type names as PostgreSQL's ``format_type()`` prints them, so a file and a live catalog agree.

The parser hands over internal names (``int4``, ``bpchar``, ``timestamptz``) with their
modifiers; the catalog prints ``integer``, ``character(3)``, ``timestamp with time zone``.
Rules compare one spelling: this one.
"""

from __future__ import annotations

_CANONICAL = {
    "int": "integer", "int4": "integer", "integer": "integer", "serial": "integer", "serial4": "integer",
    "int8": "bigint", "bigint": "bigint", "bigserial": "bigint", "serial8": "bigint",
    "int2": "smallint", "smallint": "smallint", "smallserial": "smallint", "serial2": "smallint",
    "float8": "double precision", "double precision": "double precision", "float4": "real", "real": "real", "float": "double precision",
    "bool": "boolean", "boolean": "boolean",
    "varchar": "character varying", "character varying": "character varying",
    "bpchar": "character", "char": "character", "character": "character",
    "timestamp": "timestamp without time zone", "timestamptz": "timestamp with time zone",
    "time": "time without time zone", "timetz": "time with time zone",
    "decimal": "numeric", "numeric": "numeric",
    "text": "text", "json": "json", "jsonb": "jsonb", "uuid": "uuid", "bytea": "bytea", "date": "date", "interval": "interval",
    "money": "money", "inet": "inet", "cidr": "cidr", "tsvector": "tsvector", "xml": "xml", "oid": "oid",
}  # fmt: skip
_SERIAL = frozenset({"serial", "serial4", "bigserial", "serial8", "smallserial", "serial2"})
_LOGICAL = {
    "integer": "integer", "bigint": "bigint", "smallint": "smallint", "numeric": "numeric", "character varying": "varchar",
    "character": "char", "text": "text", "boolean": "boolean", "date": "date", "timestamp with time zone": "timestamptz",
    "timestamp without time zone": "timestamptz", "jsonb": "jsonb", "json": "jsonb", "bytea": "bytea", "uuid": "uuid",
    "real": "float", "double precision": "float",
}  # fmt: skip


def canonical_type(names: list[str], modifiers: list[int], array: bool) -> tuple[str, bool]:
    """The format_type() spelling of a parsed type, and whether it was a serial pseudo-type.

    >>> canonical_type(["pg_catalog", "varchar"], [200], False)
    ('character varying(200)', False)
    >>> canonical_type(["bigserial"], [], False)
    ('bigint', True)
    >>> canonical_type(["pg_catalog", "timestamp"], [], True)
    ('timestamp without time zone[]', False)
    >>> canonical_type(["musicbrainz", "edit_status"], [], False)
    ('musicbrainz.edit_status', False)
    """
    base = names[-1].lower() if names else "unknown"
    builtin = len(names) == 1 or names[0] == "pg_catalog"
    spelled = _CANONICAL.get(base, base) if builtin else ".".join(names)
    if spelled in {"character varying", "character", "numeric", "bit", "varbit"} and modifiers:
        spelled += f"({','.join(str(m) for m in modifiers)})"
    elif spelled == "character" and builtin:
        spelled += "(1)"
    elif spelled.startswith(("timestamp", "time ")) and modifiers:
        head, _, tail = spelled.partition(" ")
        spelled = f"{head}({modifiers[0]}) {tail}"
    return spelled + ("[]" if array else ""), builtin and base in _SERIAL


def logical_type(sql_type: str) -> tuple[str, int | None]:
    """The IR's portable column type for a format_type() spelling, and a length where it has one.

    >>> logical_type("character varying(200)"), logical_type("money"), logical_type("integer[]")
    (('varchar', 200), ('text', None), ('text', None))
    """
    if sql_type.endswith("[]"):
        return "text", None
    base, _, rest = sql_type.partition("(")
    base = base.strip()
    if base.startswith("timestamp"):
        base = "timestamp with time zone"
    length = int(rest.split(",")[0].rstrip(")")) if rest and base in {"character varying", "character"} else None
    return _LOGICAL.get(base, "text"), length

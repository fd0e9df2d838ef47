"""The compact field-type language: ``string(100)``, ``decimal(12,2)``, ``enum[a,b]``, ``ref(User)?``.

A trailing ``?`` makes the field nullable. Parsing is pure and reports unknown type
names with the closest known one.
"""

from __future__ import annotations

import difflib
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict

TypeKind = Literal[
    "string",
    "text",
    "int",
    "bigint",
    "decimal",
    "money",
    "bool",
    "date",
    "datetime",
    "uuid",
    "email",
    "url",
    "json",
    "blob",
    "vector",
    "geo",
    "enum",
    "ref",
]

#: Every type name the compact form accepts, with how it is written.
TYPE_SYNTAX: dict[str, str] = {
    "string": "string or string(n): short text up to n characters (default 255)",
    "text": "text: unbounded text",
    "int": "int: 32-bit integer",
    "bigint": "bigint: 64-bit integer",
    "decimal": "decimal(p,s): exact number with p digits, s after the point",
    "money": "money: an amount as decimal(19,4) plus a currency code",
    "bool": "bool: true or false",
    "date": "date: a calendar date",
    "datetime": "datetime: an instant, stored with its time zone",
    "uuid": "uuid: a 128-bit identifier",
    "email": "email: an e-mail address (string(320))",
    "url": "url: a URL (string(2048))",
    "json": "json: a JSON document",
    "blob": "blob: large binary content; an object-store candidate",
    "vector": "vector(n): an embedding of n floats",
    "geo": "geo: a point on Earth (latitude, longitude)",
    "enum": "enum[a,b,c] or enum(a|b|c): one of the listed values",
    "ref": "ref(Entity): a reference to another entity",
}

_ALIASES = {
    "str": "string",
    "varchar": "string",
    "integer": "int",
    "long": "bigint",
    "float": "decimal",
    "number": "decimal",
    "boolean": "bool",
    "timestamp": "datetime",
    "time": "datetime",
    "jsonb": "json",
    "bytes": "blob",
    "binary": "blob",
    "bytea": "blob",
    "char": "string",
    "character": "string",
    "smallint": "int",
    "int4": "int",
    "int8": "bigint",
    "serial": "int",
    "bigserial": "bigint",
    "double": "decimal",
    "real": "decimal",
    "numeric": "decimal",
    "bool": "bool",
    "timestamptz": "datetime",
    "instant": "datetime",
    "localdate": "date",
    "localdatetime": "datetime",
    "object": "json",
    "map": "json",
    "dict": "json",
    "file": "blob",
    "image": "blob",
    "uri": "url",
    "link": "url",
    "guid": "uuid",
    "point": "geo",
    "location": "geo",
    "geopoint": "geo",
    "geography": "geo",
    "latlng": "geo",
    "reference": "ref",
    "foreignkey": "ref",
}

DEFAULT_STRING_LENGTH = 255
EMAIL_LENGTH = 320  # RFC 3696 errata: 64 + 1 + 255
URL_LENGTH = 2048  # the longest URL most browsers and CDNs accept


class FieldType(BaseModel):
    """A parsed field type."""

    model_config = ConfigDict(frozen=True)

    kind: TypeKind
    length: int | None = None
    precision: int | None = None
    scale: int | None = None
    dims: int | None = None
    values: tuple[str, ...] = ()
    target: str | None = None
    nullable: bool = False

    def __str__(self) -> str:
        text: str = self.kind
        if self.kind == "string" and self.length is not None:
            text = f"string({self.length})"
        elif self.kind == "decimal":
            text = f"decimal({self.precision},{self.scale})"
        elif self.kind == "vector":
            text = f"vector({self.dims})"
        elif self.kind == "enum":
            text = f"enum[{','.join(self.values)}]"
        elif self.kind == "ref":
            text = f"ref({self.target})"
        return text + ("?" if self.nullable else "")


_PATTERN = re.compile(
    r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*"
    r"(?:\((?P<args>[^()]*)\)|\[(?P<items>[^\[\]]*[^\[\]\s][^\[\]]*)\])?\s*(?P<array>\[\s*\])?\s*(?P<null>\?)?"
)


def suggest(word: str, choices: list[str] | tuple[str, ...] | set[str]) -> str:
    """Return `` (did you mean 'x'?)`` for the closest choice, or an empty string.

    >>> suggest("strnig", ["string", "text"])
    " (did you mean 'string'?)"
    """
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def parse_field_type(text: str) -> FieldType:
    """Parse one compact type.

    >>> parse_field_type("decimal(12,2)?")
    FieldType(kind='decimal', length=None, precision=12, scale=2, dims=None, values=(), target=None, nullable=True)
    >>> str(parse_field_type("enum[ open, closed ]"))
    'enum[open,closed]'
    """
    match = _PATTERN.fullmatch(text.strip())
    if not match and text.count("(") > text.count(")"):
        raise ValueError(
            f'cannot read field type {text!r}: inside a {{...}} mapping a comma ends the value, so quote types with commas, as in {{type: "decimal(12,2)"}}'
        )
    if not match:
        raise ValueError(f"cannot read field type {text!r}: write e.g. string(100), decimal(12,2), enum[a,b] or ref(User)")
    name = match["name"]
    kind = _ALIASES.get(name.lower(), name.lower())
    if kind not in TYPE_SYNTAX:
        raise ValueError(f"unknown field type '{name}'{suggest(name.lower(), list(TYPE_SYNTAX))}")
    nullable = match["null"] is not None
    if match["array"] is not None:
        # Prisma's String[] / Int[]: a list of values is one JSON array; a list of references is a relation
        if kind == "enum":
            return _enum(None, nullable)
        if kind == "ref":
            raise ValueError("a list of references is a relation: write {type: ref(Tag), many: true}")
        return FieldType(kind="json", nullable=nullable)
    args = [a.strip() for a in match["args"].split(",")] if match["args"] is not None else []
    items = [i.strip() for i in match["items"].split(",")] if match["items"] is not None else None
    if items is not None and kind != "enum":
        raise ValueError(f"'{name}' takes no [...] list; only enum[a,b] does")
    if kind == "enum":
        if items is None and match["args"] is not None:
            # enum(a|b|c) survives YAML flow mappings, where a comma would end the value
            items = [i.strip() for i in re.split(r"[|,]", match["args"])]
        return _enum(items, nullable)
    if kind == "ref":
        if len(args) != 1 or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", args[0]):
            raise ValueError("ref needs one entity name, as in ref(User)")
        return FieldType(kind="ref", target=args[0], nullable=nullable)
    return _sized(kind, name, args, nullable)


def _enum(items: list[str] | None, nullable: bool) -> FieldType:
    if not items or any(not re.fullmatch(r"[A-Za-z0-9_.-]+", i) for i in items):
        raise ValueError("enum needs its values, as in enum[draft,published] or enum(draft|published)")
    if len(set(items)) != len(items):
        raise ValueError(f"enum lists a value twice: {items}")
    return FieldType(kind="enum", values=tuple(items), nullable=nullable)


def _sized(kind: str, name: str, args: list[str], nullable: bool) -> FieldType:
    ints: list[int] = []
    for arg in args:
        if not arg.isdigit() or int(arg) == 0:
            raise ValueError(f"'{name}' takes positive whole numbers in parentheses, got ({', '.join(args)})")
        ints.append(int(arg))
    if kind == "string":
        if len(ints) > 1:
            raise ValueError("string takes one length, as in string(100)")
        length = ints[0] if ints else DEFAULT_STRING_LENGTH
        if length > 10_485_760:
            raise ValueError(f"string({length}) is longer than any database allows; use text")
        return FieldType(kind="string", length=length, nullable=nullable)
    if kind == "decimal":
        precision, scale = (ints + [18, 4][len(ints) :])[:2] if len(ints) <= 2 else (0, 0)
        if len(ints) > 2 or scale > precision or precision > 1000:
            raise ValueError("decimal takes (precision, scale) with scale <= precision <= 1000, as in decimal(12,2)")
        return FieldType(kind="decimal", precision=precision, scale=scale, nullable=nullable)
    if kind == "vector":
        if len(ints) != 1 or ints[0] > 16_000:
            raise ValueError("vector takes its dimension count up to 16000, as in vector(384)")
        return FieldType(kind="vector", dims=ints[0], nullable=nullable)
    if ints:
        raise ValueError(f"'{kind}' takes no parameters")
    return FieldType(kind=kind, nullable=nullable)

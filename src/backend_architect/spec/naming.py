"""How names in a spec become names in a design: tables, columns, relations, paths.

One place, so the checker, the data stage and the API stage can never disagree.
"""

from __future__ import annotations

import re
from functools import lru_cache

from backend_architect import nouns
from backend_architect.spec.model import Spec

#: Columns every table gets; a field may not take these names.
BUILTIN_COLUMNS = ("id", "created_at", "updated_at")
TENANT_COLUMN = "tenant_id"
DELETED_AT = "deleted_at"
VERSION_COLUMN = "version"


@lru_cache(maxsize=65_536)
def snake(name: str) -> str:
    """``OrderLine`` -> ``order_line``.

    >>> snake("HTTPRequestLog")
    'http_request_log'
    """
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def plural(word: str) -> str:
    """English plural of a snake or kebab word, from the noun rules the reviewer uses too (``backend_architect.nouns``).

    >>> [plural(w) for w in ["book", "category", "address", "status", "key", "person", "analysis"]]
    ['books', 'categories', 'addresses', 'statuses', 'keys', 'people', 'analyses']
    """
    return nouns.plural(word)


def table_name(entity: str) -> str:
    """Tables are plural snake case: ``OrderLine`` -> ``order_lines``."""
    return plural(snake(entity))


def kebab(entity: str) -> str:
    return snake(entity).replace("_", "-")


def join_table(left: str, right: str) -> str:
    """The join table of a many-to-many relation, named after both sides."""
    return f"{snake(left)}_{table_name(right)}"


def relations(spec: Spec, entity_name: str) -> dict[str, str]:
    """Relation name -> target entity for ``entity_name`` (its refs and its parent)."""
    entity = spec.entities[entity_name]
    found: dict[str, str] = {}
    if entity.belongs_to:
        found[snake(entity.belongs_to)] = entity.belongs_to
    for name, field in entity.fields.items():
        if field.type.kind == "ref" and field.type.target:
            found[name] = field.type.target
    return found


def column_names(spec: Spec, entity_name: str) -> list[str]:
    """Every column name ``entity_name``'s table will have, in table order."""
    entity = spec.entities[entity_name]
    columns = ["id"]
    if entity.tenant_scoped:
        columns.append(TENANT_COLUMN)
    if entity.belongs_to:
        columns.append(f"{snake(entity.belongs_to)}_id")
    for name, field in entity.fields.items():
        if field.type.kind == "ref":
            columns.append(f"{name}_id")
        elif field.type.kind == "money":
            columns += [f"{name}_amount", f"{name}_currency"]
        else:
            columns.append(name)
    columns += ["created_at", "updated_at"]
    if entity.soft_delete:
        columns.append(DELETED_AT)
    return columns


def split_filter(ref: str) -> tuple[str, str | None]:
    """A filter is a field, compared to a request parameter, or ``field=value``, a constant.

    >>> split_filter("status=open"), split_filter("Order.customer")
    (('status', 'open'), ('Order.customer', None))
    """
    field, equals, value = ref.partition("=")
    return (field.strip(), value.strip()) if equals else (ref.strip(), None)


def resolve_column(spec: Spec, entity_name: str, name: str) -> str | None:
    """The column a field reference names, or None.

    A reference may use the field name, a relation's name (``author``) or its id column
    (``author_id``); a money field names its amount column.
    """
    entity = spec.entities.get(entity_name)
    if entity is None:
        return None
    columns = column_names(spec, entity_name)
    if name in relations(spec, entity_name):
        return f"{name}_id"
    field = entity.fields.get(name)
    if field is not None and field.type.kind == "money":
        return f"{name}_amount"
    if name in columns:
        return name
    if name == "tenant" and entity.tenant_scoped:
        return TENANT_COLUMN
    return None

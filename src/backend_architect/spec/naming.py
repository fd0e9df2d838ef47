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
#: UUIDv7 key defaults: PostgreSQL's built-in generator (from 18), and the function the schema defines before
#: 18, named as the pg_uuidv7 extension names its own (so the extension's is used where it is installed).
BUILTIN_UUIDV7 = "uuidv7()"
FALLBACK_UUIDV7 = "uuid_generate_v7()"


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


def join_table(left: str, relation: str) -> str:
    """The join table of a many-to-many relation, named after its owner and the relation.

    >>> join_table("Article", "tags"), join_table("User", "following")
    ('article_tags', 'user_following')
    """
    return f"{snake(left)}_{relation}"


def join_columns(left: str, relation: str, right: str) -> tuple[str, str]:
    """The two id columns of a join table: the owner's, and the other side's (named after the relation when both sides are one entity).

    >>> join_columns("Article", "tags", "Tag"), join_columns("User", "following", "User")
    (('article_id', 'tag_id'), ('user_id', 'following_id'))
    """
    left_col, right_col = f"{snake(left)}_id", f"{snake(right)}_id"
    if left_col == right_col:
        right_col = f"{relation}_id" if relation != plural(snake(right)) else f"related_{right_col}"
    return left_col, right_col


def relations(spec: Spec, entity_name: str) -> dict[str, str]:
    """Relation name -> target entity for ``entity_name`` (its refs and its composition parent)."""
    entity = spec.entities[entity_name]
    found: dict[str, str] = {}
    if entity.part_of:
        found[snake(entity.part_of)] = entity.part_of
    for name, field in entity.fields.items():
        if field.type.kind == "ref" and field.type.target:
            found[name] = field.type.target
    return found


def parent_relation(spec: Spec, entity_name: str) -> tuple[str, str] | None:
    """The relation ``avg_per_parent`` counts by: ``part_of``, else the first required reference.

    Returns (relation name, parent entity), or None when the entity has neither.
    """
    entity = spec.entities[entity_name]
    if entity.part_of:
        return snake(entity.part_of), entity.part_of
    for name, field in entity.fields.items():
        if field.type.kind == "ref" and field.type.target and not field.is_nullable:
            return name, field.type.target
    return None


def blob_meta_columns(field: str) -> tuple[str, str, str]:
    """The columns a blob field adds beside its object key: the confirmed size, content type and SHA-256.

    >>> blob_meta_columns("avatar")
    ('avatar_bytes', 'avatar_content_type', 'avatar_sha256')
    """
    return f"{field}_bytes", f"{field}_content_type", f"{field}_sha256"


def column_names(spec: Spec, entity_name: str) -> list[str]:
    """Every column name ``entity_name``'s table will have, in table order."""
    entity = spec.entities[entity_name]
    columns = ["id"]
    short_key = {"short_code": "code", "slug": "slug"}.get(entity.key)
    if short_key and short_key not in entity.fields:
        columns.append(short_key)
    if entity.tenant_scoped:
        columns.append(TENANT_COLUMN)
    if entity.part_of:
        columns.append(f"{snake(entity.part_of)}_id")
    for name, field in entity.fields.items():
        if field.type.kind == "ref":
            columns.append(f"{name}_id")
        elif field.type.kind == "money":
            columns += [f"{name}_amount", f"{name}_currency"]
        elif field.type.kind == "geo":
            columns += [f"{name}_lat", f"{name}_lon", f"{name}_cell"]
        elif field.type.kind == "blob":
            columns += [name, *blob_meta_columns(name)]
        else:
            columns.append(name)
    columns.append("created_at")
    if not entity.append_only:
        columns.append("updated_at")
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
    if name not in entity.fields and snake(name) != name:
        name = snake(name)  # authorId / publishedAt, as Prisma and JPA write them
    columns = column_names(spec, entity_name)
    if name in relations(spec, entity_name):
        return f"{name}_id"
    field = entity.fields.get(name)
    if field is not None and field.type.kind == "money":
        return f"{name}_amount"
    if field is not None and field.type.kind == "geo":
        return f"{name}_cell"
    if name in columns:
        return name
    if name == "tenant" and entity.tenant_scoped:
        return TENANT_COLUMN
    return None

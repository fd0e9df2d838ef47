"""Primary keys: which entities get UUIDv7 keys, and what makes them on the PostgreSQL the spec targets.

UUIDv7 where ids leave the database (URLs, other services, the tenant), a bigint identity
where they never do; an entity's ``key: uuid`` or ``key: identity`` is the author's word and
wins. The database generates UUIDv7 keys itself: PostgreSQL 18 has ``uuidv7()`` built in;
before 18 the schema defines ``uuid_generate_v7()`` in SQL (``render/ddl.py``), the name the
pg_uuidv7 extension gives the same function. SQLite has no UUID function, so there the
application sets ids.
"""

from __future__ import annotations

from typing import Literal

from backend_architect.design.analysis import UseCase
from backend_architect.design.id_inputs import filter_targets, link_targets
from backend_architect.ir.model import Architecture, Service
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import BUILTIN_UUIDV7, FALLBACK_UUIDV7

#: The PostgreSQL the design targets when ``constraints.postgres_version`` is not given (the one the database decision names).
DEFAULT_POSTGRES_VERSION = 16
#: The first PostgreSQL with ``uuidv7()`` built in.
BUILTIN_UUIDV7_VERSION = 18

KeyStrategy = Literal["uuidv7", "identity"]


def postgres_version(spec: Spec) -> int:
    """The major PostgreSQL version the design targets.

    >>> postgres_version(Spec.model_validate({"system": "s", "entities": {"A": {}}, "constraints": {"postgres_version": 18}}))
    18
    """
    return spec.constraints.postgres_version or DEFAULT_POSTGRES_VERSION


def uuid_default(version: int) -> str:
    """The default that generates a UUIDv7 key on ``version``.

    >>> uuid_default(17), uuid_default(18)
    ('uuid_generate_v7()', 'uuidv7()')
    """
    return BUILTIN_UUIDV7 if version >= BUILTIN_UUIDV7_VERSION else FALLBACK_UUIDV7


def uuid_generation(version: int) -> str:
    """How the key decision says UUIDv7 keys are made: the default, and the version that decides it.

    >>> uuid_generation(18)
    'by DEFAULT uuidv7(), built into PostgreSQL 18'
    """
    if version >= BUILTIN_UUIDV7_VERSION:
        return f"by DEFAULT {BUILTIN_UUIDV7}, built into PostgreSQL {version}"
    return (
        f"by DEFAULT {FALLBACK_UUIDV7}, a SQL function the schema defines because PostgreSQL {version} has no built-in uuidv7() ({BUILTIN_UUIDV7_VERSION} has)"
    )


def uuid_keyed(spec: Spec, use_cases: tuple[UseCase, ...], arch: Architecture) -> frozenset[str]:
    """Entities keyed by UUIDv7: those whose ids cross the API or service lines, unless the spec says otherwise.

    An id crosses the API in every way a client sends or receives it (``design/id_inputs.py``): the rows a
    request reads or writes (path, body, response), every row those reference, the linked rows a create sets
    by id, and the rows a filter selects by id -- a reference filtered on, or a many-to-many relation whose
    target has no unique name to be filtered by (``?tag_id=``).
    """
    exposed = {u.entity for u in use_cases if u.kind != "job"} | {e for u in use_cases if u.kind != "job" for e in u.entities}
    owner = {entity: service.name for service in arch.services for entity in service.entities}
    # a create setting links by id takes the linked rows' ids in its body (design/link_writes.py); a filter, the rows it selects
    exposed |= link_targets(spec, use_cases, owner) | filter_targets(spec, use_cases, owner)
    if arch.deployment == "microservices":
        exposed |= set(spec.entities)
    if spec.tenant:
        exposed.add(spec.tenant)
    return frozenset((referenced_by(spec, exposed) | {n for n, e in spec.entities.items() if e.key == "uuid"}) - _refused(spec))


def _refused(spec: Spec) -> set[str]:
    return {name for name, entity in spec.entities.items() if entity.key == "identity"}


def referenced_by(spec: Spec, exposed: set[str]) -> set[str]:
    """``exposed`` and every entity an exposed one points at, transitively: their ids leave the database with it.

    An exposed row carries the ids of what it references (a message's ``channel_id`` in its body,
    the channel in ``/v1/channels/{channel_id}/messages``, the aggregate it is part of in the path),
    so those ids appear in URLs and bodies too and must be as unguessable as its own.
    """
    found = {e for e in exposed if e in spec.entities}
    pending = list(found)
    while pending:
        entity = spec.entities[pending.pop()]
        targets = [f.type.target for f in entity.fields.values() if f.type.kind == "ref" and f.type.target]
        for target in [*targets, *([entity.part_of] if entity.part_of else [])]:
            if target in spec.entities and target not in found:
                found.add(target)
                pending.append(target)
    return found


def key_strategy(spec: Spec, entity: str, service: Service, uuid_keys: frozenset[str]) -> tuple[KeyStrategy, str]:
    """UUIDv7 where ids leave the database; a bigint identity where they never do; the spec's ``key:`` first. With the reason."""
    asked = spec.entities[entity].key
    if asked == "identity":
        return "identity", "the spec asks for a bigint identity (key: identity): 8 bytes and the densest, append-only index"
    if asked == "uuid":
        return "uuidv7", "the spec asks for uuid keys (key: uuid): UUIDv7, time-ordered so inserts keep index locality"
    if entity not in uuid_keys:
        return "identity", "ids never leave the database: a bigint identity is 8 bytes and keeps the densest, append-only index"
    where = "cross service boundaries and appear in URLs or bodies" if service.kind == "service" else "appear in URLs or bodies"
    return "uuidv7", (
        f"ids {where}: UUIDv7 ids reveal no row counts and cannot be enumerated, can be generated by clients "
        "(idempotent creates) or other services, and stay time-ordered so inserts keep index locality"
    )

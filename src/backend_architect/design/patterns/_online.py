"""Reads of who is online: which use cases read the presence store, and the answer each gets from it.

One rule for every read of presence, whatever its shape: the presence store holds, per row of
an entity with ``presence``, whether it is online (its key exists) and when it was last seen.

- A read that asks for nothing but that (``reads: [User.last_seen_at]``) is answered from the
  store alone and returns only what the store holds: the row's id, ``online`` and
  ``last_seen_at`` (never the row's other columns, which live in the database).
- A read that returns rows and says it is about who is online (``online: true``, or left out:
  its name or description says online, offline or presence, or it reads the last-seen field
  among other things) reads its rows from the database as before and looks up the listed
  rows' presence keys in one batch; each returned row carries ``online`` and ``last_seen_at``
  (``<ref>_online`` and ``<ref>_last_seen_at`` for a row that refers to the present entity).
  It returns every row it selects, online or not, and its contract says so: the flag filters
  nothing, whatever the read's name says (no store lists a scope's online rows to filter by).
"""

from __future__ import annotations

import re
from typing import Any

from backend_architect.design.analysis import UseCase
from backend_architect.design.examples import EXAMPLE_TIME, example_uuid
from backend_architect.design.patterns._api import operation_of, own_operation, schema_of
from backend_architect.ir.model import ApiProperty, ApiSchema, Architecture, Operation
from backend_architect.spec.model import Spec

_ONLINE = re.compile(r"\b(online|offline|presence)\b", re.IGNORECASE)


def says_online(use_case: UseCase, seen: str | None, entity: str) -> bool:
    """Whether a read asks who is online: ``online`` when stated, else its words or a read of the last-seen field.

    >>> from types import SimpleNamespace as N
    >>> case = lambda name, online=None, reads=(): N(spec=N(name=name, description=None, online=online, reads=list(reads)))
    >>> says_online(case("list online members"), None, "User"), says_online(case("list members"), None, "User")
    (True, False)
    >>> says_online(case("list members", online=True), None, "User"), says_online(case("who is online", online=False), None, "User")
    (True, False)
    >>> says_online(case("list members", reads=["Membership", "User.last_seen_at"]), "last_seen_at", "User")
    True
    """
    if use_case.spec.online is not None:
        return use_case.spec.online
    words = f"{use_case.spec.name} {use_case.spec.description or ''}"
    return bool(_ONLINE.search(words)) or (seen is not None and f"{entity}.{seen}" in use_case.spec.reads)


def hooks(spec: Spec, use_case: UseCase, entity: str) -> list[str]:
    """Where a returned row meets the present entity: ``""`` for the row itself, else each reference field to it (``user``)."""
    if use_case.entity == entity:
        return [""]
    body = spec.entities.get(use_case.entity)
    if body is None:
        return []
    return [name for name, f in body.fields.items() if f.type.kind == "ref" and f.type.target == entity]


def _props(prefix: str, entity: str, window: float) -> list[ApiProperty]:
    name = f"{prefix}_" if prefix else ""
    who = f"the {prefix} ({entity})" if prefix else f"the {entity}"
    return [
        ApiProperty(
            name=f"{name}online",
            type="boolean",
            required=True,
            read_only=True,
            description=f"Whether {who} is online now: a heartbeat within {window:g} s (its presence key exists), from the presence store.",
        ),
        ApiProperty(
            name=f"{name}last_seen_at",
            type="string",
            format="date-time",
            nullable=True,
            required=True,
            read_only=True,
            description=f"When {who} was last seen (its last heartbeat), from the presence store; null if never.",
        ),
    ]


def _example_values(prefixes: list[str], example: Any) -> dict[str, Any]:
    stamp = example.get("created_at", EXAMPLE_TIME) if isinstance(example, dict) else EXAMPLE_TIME
    out: dict[str, Any] = {}
    for prefix in prefixes:
        name = f"{prefix}_" if prefix else ""
        out |= {f"{name}online": True, f"{name}last_seen_at": stamp}
    return out


def _segment(arch: Architecture, use_case: UseCase, segment: str) -> str | None:
    """A read sharing its operation with others gets one of its own, at ``<path>/<segment>``; otherwise it keeps its path."""
    found = operation_of(arch, use_case.name)
    return segment if found is not None and len(found[1].use_cases) > 1 else None


def online_note(entity: str, flags: list[str]) -> str:
    """What the read's contract says of presence: every selected row comes back, each with its flag; the flag filters nothing.

    Why: discord's 'list online guild members' (``online: true``) paged every member with a flag, and its contract, named for
    online members, never said so: a reader took it for a filter the design does not make. The spec's ``online`` means the flag
    (``spec.model.UseCaseSpec.online``), and no store lists a scope's online rows to filter by, so the contract says so.

    >>> online_note("Member", ["user_online", "user_last_seen_at"])  # doctest: +ELLIPSIS
    'It returns every Member the read selects, online or not: each carries user_online, user_last_seen_at, ... (a flag on each row, not a filter).'
    """
    return (
        f"It returns every {entity} the read selects, online or not: each carries {', '.join(flags)}, looked up in the presence store "
        "for the rows returned (a flag on each row, not a filter)."
    )


def online_api(
    arch: Architecture, use_case: UseCase, entity: str, prefixes: list[str], window: float
) -> tuple[tuple[tuple[str, Operation], ...], tuple[tuple[str, ApiSchema], ...]]:
    """The read's operation answering rows that carry each present row's online flag and last seen (new schemas, examples to match)."""
    found = own_operation(arch, use_case.name, _segment(arch, use_case, "online"))
    if found is None:
        return (), ()
    service, op, rest = found
    answer = schema_of(arch, service, op.response_schema or "")
    if answer is None:
        return (), ()
    page = next((p for p in answer.properties if p.type == "array" and p.name == "items" and p.items), None) if op.paginated else None
    item = schema_of(arch, service, page.items or "") if page is not None else answer
    if item is None:
        return (), ()
    extra = [p for prefix in prefixes for p in _props(prefix, entity, window)]
    # a column of the same name (last_seen_at, written once per session) gives way to the store's value, which is current
    taken = {p.name for p in extra}
    rich = ApiSchema(name=f"{item.name}Online", entity=item.entity, properties=[*(p for p in item.properties if p.name not in taken), *extra])
    schemas: list[ApiSchema] = [rich]
    example = op.example_response
    if page is not None:
        outer = ApiSchema(
            name=f"{rich.name}Page",
            entity=answer.entity,
            properties=[p.model_copy(update={"items": rich.name}) if p is page else p for p in answer.properties],
        )
        schemas.append(outer)
        if isinstance(example, dict) and isinstance(example.get("items"), list):
            example = {**example, "items": [{**i, **_example_values(prefixes, i)} if isinstance(i, dict) else i for i in example["items"]]}
    else:
        outer = rich
        if isinstance(example, dict):
            example = {**example, **_example_values(prefixes, example)}
    note = online_note(item.entity or "row", [p.name for p in extra])
    changed = op.model_copy(update={"response_schema": outer.name, "example_response": example, "description": f"{op.description} {note}".strip()})
    return ((service, changed), *rest), tuple((service, s) for s in schemas)


def presence_view(
    arch: Architecture, use_case: UseCase, entity: str, window: float
) -> tuple[tuple[tuple[str, Operation], ...], tuple[tuple[str, ApiSchema], ...]]:
    """A read answered from the presence store alone returns what the store holds: the row's id, online and last seen."""
    found = own_operation(arch, use_case.name, _segment(arch, use_case, "presence"))
    if found is None:
        return (), ()
    service, op, rest = found
    row = schema_of(arch, service, op.response_schema or "")
    ident = next((p for p in row.properties if p.name == "id"), None) if row else None
    key = (ident or ApiProperty(name="id", type="string", format="uuid")).model_copy(
        update={"required": True, "read_only": True, "nullable": False, "description": f"Id of the {entity}."}
    )
    view = ApiSchema(name=f"{entity}Presence", entity=entity, properties=[key, *_props("", entity, window)])
    example: dict[str, Any] = {"id": (op.example_response or {}).get("id") if isinstance(op.example_response, dict) else None}
    example = {k: v for k, v in example.items() if v is not None} | _example_values([""], op.example_response)
    if "id" not in example:
        example = {"id": example_uuid(f"{entity}Presence"), **example}
    note = f"Answered from the presence store alone (no database read): the {entity}'s id, whether it is online, and when it was last seen."
    changed = op.model_copy(update={"response_schema": view.name, "example_response": example, "description": f"{op.description} {note}".strip()})
    return ((service, changed), *rest), ((service, view),)


__all__ = ["hooks", "online_api", "online_note", "presence_view", "says_online"]

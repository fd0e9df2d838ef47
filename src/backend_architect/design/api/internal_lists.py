"""The list another service calls for a read filtered through this service's rows (``design.callee_operations``).

A feed in tweets merged over the follow graph in follows needs, from follows, the reader's followees: the Follow rows
whose follower is the reader. That is a read of its own, routed, paged and exampled as every read is, so it is built
as one: a list use case of the callee's entity with the filters the caller's read puts on that entity (the
reference to the reader taken from the path, since a service calls it with its own client-credentials token, not
the reader's; a constant kept as the operation's own filter), and the proximity search where the read's point is on
that entity. It takes the path the house conventions give that read (a link's list by its source:
``GET /users/{user_id}/following``), is marked internal and names its caller. A client list already answering the
same filters gains the caller instead.
"""

from __future__ import annotations

from backend_architect.design.analysis import UseCase, analyse_one
from backend_architect.design.api.callers import called_by
from backend_architect.design.api.operations import ServiceApi
from backend_architect.design.api.paths import camel, collection
from backend_architect.design.embeds import embeds
from backend_architect.ir.model import Operation
from backend_architect.spec.model import UseCaseSpec


def wanted_read(api: ServiceApi, reader: UseCase, entity: str) -> UseCase:
    """The list of ``entity`` rows ``reader`` filters by, as a read of the callee's own (an actor that is no person, so no
    filter is the caller's: the calling service names the reader)."""
    own = [f for f in reader.filters if f.entity == entity]
    filters = [f.field if f.constant is None else f"{f.field}={f.constant}" for f in own]
    child = embeds(api.res.spec, api.res.analysis, reader).child(entity)
    if child is not None and not filters:
        # a get answering these rows inside its item lists them by the item's key (design/embeds.py)
        filters = [child.field]
    near = reader.spec.near if reader.spec.near and reader.spec.near.split(".")[0] == entity else None
    spec = UseCaseSpec(
        name=f"list {collection(entity).replace('-', ' ')} for services",
        kind="list",
        actor="service",
        reads=[entity],
        filter=filters,
        near=near,
        radius=reader.spec.radius if near else None,
    )
    return analyse_one(api.res.spec, api.res.analysis, spec)


def same_filters(api: ServiceApi, op: Operation, read: UseCase) -> bool:
    """``op`` is a client list of the same rows by the same filters as ``read``, each named in the request."""
    by_name = {u.name: u for u in api.res.analysis.use_cases}
    mine = by_name.get(op.use_cases[0]) if op.use_cases else None
    # a list taking the reader from the access token (``/me/following``) cannot be called with a service's own token
    if mine is None or op.kind != "list" or op.entity != read.entity or mine.spec.near != read.spec.near or op.caller_filters:
        return False
    return {(f.field, f.constant) for f in mine.filters} == {(f.field, f.constant) for f in read.filters}


def add_list_for_consumer(api: ServiceApi, consumer: str, reader: UseCase, entity: str) -> str:
    """The id of the list ``consumer`` calls for ``reader``'s rows of ``entity``: an existing one gains the consumer, else an
    internal one is added."""
    read = wanted_read(api, reader, entity)
    for key, op in api.operations.items():
        if same_filters(api, op, read) or (op.internal and op.kind == "list" and op.summary == _summary(read)):
            api.operations[key] = op.model_copy(update={"consumers": sorted({*op.consumers, consumer})})
            return op.operation_id
    before = set(api.operations)
    api.add_read(read)
    key = next(k for k in api.operations if k not in before)
    made = api.operations[key]
    resource = collection(entity)
    by = ", ".join(f.written for f in read.filters) or "no filter"
    foreign = _foreign_ids(api, made)
    # another service's id in the path is not checked here (that would be a call back): an unknown one answers an empty page
    api.unchecked.setdefault(key, set()).update(foreign)
    unknown = f" An unknown {', '.join(foreign)} answers an empty page, not 404: another service owns those rows." if foreign else ""
    api.operations[key] = api.finish(
        made.model_copy(
            update={
                "operation_id": camel(read.name),
                "summary": _summary(read),
                "description": f"{called_by([consumer])} Answers the {entity} rows '{reader.name}' reads by {by}"
                f"{' near the point' if read.spec.near else ''}, a page at a time.{unknown}",
                "use_cases": [],
                "auth": "required",
                "scopes": [f"{resource}:read"],
                "internal": True,
                "consumers": [consumer],
            }
        )
    )
    return camel(read.name)


def _foreign_ids(api: ServiceApi, op: Operation) -> list[str]:
    """The path parameters of ``op`` naming a row another service owns (a Follow's follower: a User of users)."""
    found = []
    for param in (p for p in op.parameters if p.location == "path" and p.spec_ref):
        ref = param.spec_ref or ""
        # a filter's spec reference is written as in the spec: ``Follow.follower``, or ``follower`` of the listed entity
        entity, field = ref.split(".", 1) if "." in ref else (op.entity or "", ref)
        body = api.res.spec.entities.get(entity)
        spec_field = body.fields.get(field) if body is not None else None
        target = spec_field.type.target if spec_field is not None and spec_field.type.target else entity
        if target in api.res.spec.entities and not api.res.local(target):
            found.append(param.name)
    return found


def _summary(read: UseCase) -> str:
    by = " and ".join(f.field if f.constant is None else f"{f.field} = {f.constant}" for f in read.filters)
    return f"List {read.entity} rows{f' by {by}' if by else ''}{' near a point' if read.spec.near else ''} (internal)"


__all__ = ["add_list_for_consumer", "wanted_read"]

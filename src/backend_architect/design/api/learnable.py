"""An id the contract takes is one it gives out: a list of a many-to-many target sent by id that nothing else returns.

A many-to-many relation is sent the way a create sets it (``parameters.link_name``): by the target's
unique name where it has one, else by id -- in a filter (``?tag_id=``), a create's links
(``tags: [id]``) or a link's path (``PUT /tickets/{ticket_id}/tags/{tag_id}``). An id-taking relation
whose target no operation lists, creates or answers by reference leaves a client no way to learn the id
it must send; the service then lists the target (``GET /v1/tags``, cursor pages, as public as the
operations that take its id), so the contract is usable as written. A target another service holds is
left to that service's contract (the critic's DES014 reports it when nothing there returns it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from backend_architect.design.api.paths import camel, collection
from backend_architect.ir.model import Operation, Parameter
from backend_architect.spec.model import DEFAULT_PAGE_LIMIT, DEFAULT_PAGE_MAX

if TYPE_CHECKING:
    from backend_architect.design.api.operations import ServiceApi


def sent_by_id(api: ServiceApi) -> dict[str, bool]:
    """The local many-to-many targets this service's operations take by id, each with whether any taking it is public."""
    from backend_architect.design.api.parameters import link_name
    from backend_architect.design.link_writes import link_write

    res = api.res
    found: dict[str, bool] = {}
    for use_case in res.analysis.use_cases:
        if res.owner.get(use_case.entity) != res.service or use_case.kind == "job":
            continue
        body = res.spec.entities[use_case.entity]
        targets = [
            body.many_to_many[f.field]
            for f in use_case.filters
            if f.constant is None and f.entity == use_case.entity and f.field in body.many_to_many and link_name(res, f) is None
        ]
        targets += [
            body.many_to_many[r] for r in use_case.links if link_write(res.spec, use_case.entity, r, local=res.local(body.many_to_many[r])).name_field is None
        ]
        if use_case.relation is not None:
            targets.append(body.many_to_many[use_case.relation])
        for target in targets:
            if res.local(target) and target in res.tables:
                found[target] = found.get(target, False) or use_case.spec.auth == "none"
    return found


def _given_out(api: ServiceApi, target: str) -> bool:
    """Some operation a client calls lists or creates the target, or answers a row whose reference holds its id."""
    spec = api.res.spec
    for op in api.operations.values():
        if op.internal:
            continue
        if op.entity == target and op.kind in {"list", "create"}:
            return True
        schema = api.schemas.schemas.get(op.response_schema or "")
        entity = spec.entities.get(schema.entity or "") if schema is not None else None
        if entity is not None and any(f.type.kind == "ref" and f.type.target == target for f in entity.fields.values()):
            return True
    return False


def add_lists_for_sent_ids(api: ServiceApi) -> None:
    """``GET /{targets}``: a page of the targets whose ids the service takes and nothing gives out (see the module)."""
    for target, public in sorted(sent_by_id(api).items()):
        if _given_out(api, target):
            continue
        path = api.res.collection_path(target)
        if not api.res.free("get", path):
            continue
        resource = collection(target)
        params = [
            Parameter(name="limit", location="query", type="integer", format="int32", minimum=1, maximum=DEFAULT_PAGE_MAX, default=DEFAULT_PAGE_LIMIT,
                      description=f"Page size, at most {DEFAULT_PAGE_MAX}."),
            Parameter(name="cursor", location="query", description="Opaque cursor from the previous page's next_cursor."),
        ]  # fmt: skip
        api.put(
            Operation(
                operation_id=camel(f"list {resource}"),
                method="get",
                path=path,
                summary=f"List {resource.replace('-', ' ')}",
                description=f"The {target} rows, with the ids the other operations take: no other response gives them out.",
                use_cases=[],
                entity=target,
                kind="list",
                tag=resource,
                parameters=[*api.res.path_params(target, False), *params],
                response_schema=api.schemas.page(target, DEFAULT_PAGE_MAX),
                auth="none" if public else "required",
                scopes=[] if public else [f"{resource}:read"],
                paginated=True,
            )
        )

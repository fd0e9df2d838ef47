"""Which mechanism serves each operation, as the design shaped it; the first rule that matches decides.

| rule | operation | served by |
|---|---|---|
| login / logout / password flows | ``POST /sessions``, ``DELETE /sessions/current``, ``PUT /me/password`` | ``accounts`` |
| relate / unrelate flows | ``PUT`` / ``DELETE`` on a relationship | ``links`` |
| a ``<Entity>Upload`` answer | ``POST .../uploads`` (every blob) | ``objects.create_upload`` |
| a ``<Entity>Download`` answer | ``GET .../download-url`` (every blob; ``rendition`` picks a processed output) | ``objects.download_url`` |
| a ``<Entity>Playback`` answer | ``GET .../playback`` (a processed video) | ``objects.playback`` |
| a 302 with a redirect | ``GET /s/{code}`` (a short link) | ``crud.redirect`` |
| a ``<Entity>Series`` answer | ``GET .../series`` | ``series.read`` |
| a ``<Entity>Ranking`` answer | ``GET .../top`` | ``ranking.read`` |
| a ``<Entity>Path`` answer | ``GET .../path?to=`` | ``graph.path`` |
| any other list | filters, joins, search, ``near``, ``depth`` | ``crud.list_page`` (with the walk, the proximity or the feed) |
| any other get, create, change or delete | including ``/me``, heartbeats and latest values | ``crud`` |

An operation whose rule needs what the module does not hold (another service's rows, a
price the parts do not carry) gets ``unavailable``: its route answers 501 with the reason,
which the README and the scaffold's summary list.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from backend_architect.ir.model import Operation, Table
from backend_architect.scaffold import plan_reads, plan_writes
from backend_architect.scaffold.context import ModuleContext, caller_field
from backend_architect.scaffold.joins import column_of
from backend_architect.scaffold.naming import constant, field_name, identifier, pascal
from backend_architect.scaffold.plan_api import ColumnRef, FilterPlan, ListPlan, MembersPlan, OpPlan, ParamPlan, parameters
from backend_architect.scaffold.plan_data import FieldPlan, Gap, ResourcePlan
from backend_architect.scaffold.plan_writes import ChangePlan, CreatePlan


def actors(ctx: ModuleContext, op: Operation) -> list[str]:
    """Who may own the operation's rows: the actors of its use cases (the first hop of their flows), then every other actor."""
    flows = {f.use_case: f for f in ctx.arch.flows}
    own = [flows[u].steps[0].source for u in op.use_cases if u in flows and flows[u].steps]
    others = sorted({f.steps[0].source for f in ctx.arch.flows if f.steps} - set(own))
    return [*dict.fromkeys(own), *others]


def _rate(document_op: dict[str, Any], op: Operation) -> tuple[str, int, int, str]:
    limit = document_op.get("x-rate-limit") or {}
    return (
        str(limit.get("class", "read" if op.method == "get" else "write")),
        int(limit.get("per_minute", 0)),
        int(limit.get("burst", 0)),
        "ip" if limit.get("key") == "client IP" else "subject",
    )


#: The security scheme of the services' client-credentials tokens (``render.openapi_security``).
SERVICE_SCHEME = "serviceOAuth2"


def callers(document_op: dict[str, Any]) -> tuple[bool, tuple[int, int] | None]:
    """Whether only services may call the operation, and the limit each calling service has on it, as its contract says.

    Only services when every security requirement names the services' scheme alone (``x-internal``): a person's token
    holding the scope is refused, or any user could reach it at the limit sized for a whole service's traffic. A service's
    limit is ``x-rate-limit.services`` beside the people's, or the operation's own limit when that is sized for services.

    >>> callers({"security": [{"serviceOAuth2": ["a:read"]}], "x-rate-limit": {"actor": "service", "per_minute": 900, "burst": 30}})
    (True, (900, 30))
    >>> callers({"security": [{"oauth2": []}, {"serviceOAuth2": []}], "x-rate-limit": {"per_minute": 60, "burst": 10,
    ...          "services": {"per_minute": 9375, "burst": 312}}})
    (False, (9375, 312))
    >>> callers({"security": [{"oauth2": []}], "x-rate-limit": {"actor": "user", "per_minute": 60, "burst": 10}})
    (False, None)
    """
    requirements = document_op.get("security") or []
    services_only = bool(requirements) and all(set(r) == {SERVICE_SCHEME} for r in requirements)
    limit = document_op.get("x-rate-limit") or {}
    sized = limit.get("services") or (limit if limit.get("actor") == "service" else None)
    rate = (int(sized.get("per_minute", 0)), int(sized.get("burst", 0))) if sized else None
    return services_only, rate


def _reshaped(ctx: ModuleContext, op: Operation, suffix: str) -> bool:
    """The response is the entity's ``suffix`` shape (``BookRanking``); uploads and downloads may name a field between (``UserAvatarUpload``)."""
    entity, schema = op.entity or "", op.response_schema or ""
    if suffix in {"Upload", "Download", "Playback"}:
        return schema.startswith(entity) and schema.endswith(suffix)
    return schema == f"{entity}{suffix}"


def operation_plan(ctx: ModuleContext, op: Operation, resource: ResourcePlan) -> OpPlan:
    """The plan of one operation; an ``unavailable`` one (with its reason) when a ``Gap`` stops it."""
    document_op = ctx.document["paths"][op.path][op.method]
    mine = tuple(ctx.events[e.name] for e in ctx.arch.events if e.use_case in op.use_cases and e.name in ctx.events)
    base = OpPlan(
        op=op,
        func=identifier(op.operation_id),
        const=constant(op.operation_id),
        resource=resource,
        params=(),
        body_model=None,
        body_fields=(),
        rate=_rate(document_op, op),
        callers=callers(document_op),
        events=mine,
    )
    try:
        params = parameters(document_op, ctx.document.get("components", {}))
        joins = next((w for w in ctx.arch.member_writes if w.operation == op.operation_id), None)
        base = dataclasses.replace(base, params=params, countries=_countries(ctx, op), members=_members(ctx, op, params), joins=joins)
        return _planned(ctx, op, base, params, ctx.tables[resource.table.name])
    except Gap as gap:
        return dataclasses.replace(base, mechanism="unavailable", gap=str(gap))


def _countries(ctx: ModuleContext, op: Operation) -> tuple[str, str, str | None, str, str] | None:
    """Where a geo-restricted read finds the item's countries (a table of this module); a Gap when the design keeps them elsewhere."""
    rule = op.country_rule
    if rule is None:
        return None
    plan = ctx.plans.get(rule.table)
    if plan is None:
        raise Gap(f"its countries live in {rule.table}, outside this module")
    return plan.var, rule.column, rule.item_column, rule.mode, rule.header


def _members(ctx: ModuleContext, op: Operation, params: tuple[ParamPlan, ...]) -> MembersPlan | None:
    """The probe of a members-only operation whose memberships live in this module's database; None for any other operation
    (a membership another service holds is checked by a call the design states and the implementer adds; a scope reached through
    a parent's column, ``via``, is probed as the design states, by the implementer too)."""
    check = next((c for c in ctx.arch.membership_checks if c.operation == op.operation_id and c.check == "local"), None)
    if check is None or check.table not in ctx.plans or check.via:
        return None
    if check.where == "row":
        name = check.column
    elif check.where == "body":
        name = field_name(check.column)
    else:
        name = next(p.py for p in params if p.name == check.column and p.location == check.where)
    return MembersPlan(ctx.plans[check.table].var, check.table, check.index[0], check.index[1], check.where, check.column, name, check.status, check.scope)


def _planned(ctx: ModuleContext, op: Operation, base: OpPlan, params: tuple[ParamPlan, ...], table: Table) -> OpPlan:
    body: tuple[FieldPlan, ...] = ()
    if _reshaped(ctx, op, "Upload"):
        detail = plan_writes.upload_plan(ctx, op, table)
        return dataclasses.replace(base, body_model=pascal(op.request_schema or ""), mechanism="objects.create_upload", detail=detail)
    if op.kind == "get" and _reshaped(ctx, op, "Download"):
        return dataclasses.replace(base, mechanism="objects.download_url", detail=plan_writes.download_plan(ctx, op, table))
    if op.kind == "get" and _reshaped(ctx, op, "Playback"):
        return dataclasses.replace(base, mechanism="objects.playback", detail=plan_reads.playback_plan(ctx, op, table))
    if op.kind == "get" and op.success_status == 302 and op.redirect:
        return dataclasses.replace(base, mechanism="crud.redirect", detail=plan_reads.RedirectPlan(op.redirect))
    if op.request_schema and op.flow not in {"login", "password"}:
        body = plan_writes.body_fields(ctx, op.request_schema, table)
    base = dataclasses.replace(base, body_model=pascal(op.request_schema) if op.request_schema else None, body_fields=body)
    if op.flow == "login":
        return dataclasses.replace(base, mechanism="accounts.login", detail=plan_writes.login_plan(ctx, op, table))
    if op.flow == "logout":
        return dataclasses.replace(base, mechanism="accounts.logout")
    if op.flow == "password":
        return dataclasses.replace(base, mechanism="accounts.change_password", detail=plan_writes.password_plan(ctx, op, table))
    if op.flow in {"relate", "unrelate"}:
        return dataclasses.replace(base, mechanism=f"links.{op.flow}", detail=plan_writes.link_plan(ctx, op, table))
    owner = plan_reads.owner_ref(ctx, op, table, actors(ctx, op))
    caller = caller_field(op) if op.kind == "create" else None
    if owner is None and caller is not None:
        column = column_of(table, caller)
        owner = ColumnRef(ctx.plans[table.name].var, column) if column else None
    cache = ctx.cache(op.use_cases[0]) if op.use_cases else None
    # a write-through page needs its writers to update it: the scaffold's writes do not, so it reads the database (current, not cached)
    ttl = cache.ttl_seconds if cache is not None and cache.strategy == "cache-aside" and not cache.write_through and not op.conditional else None
    l1 = (cache.l1_ttl_seconds, cache.l1_entries) if ttl and cache is not None and cache.l1_ttl_seconds and cache.l1_entries else None
    base = dataclasses.replace(base, owner=owner, path_columns=_path_columns(ctx, op, base, table), cache_ttl=ttl, cache_l1=l1)
    if op.kind == "list" and _reshaped(ctx, op, "Series"):
        listing = ListPlan(filters=tuple(plan_reads.filter_plan(ctx, op, p, table) for p in params if p.location == "query" and p.name not in {"from", "to"}))
        return dataclasses.replace(base, mechanism="series.read", listing=listing, detail=plan_reads.series_plan(ctx, op, table))
    if op.kind == "list" and _reshaped(ctx, op, "Ranking"):
        listing = ListPlan(filters=tuple(plan_reads.filter_plan(ctx, op, p, table) for p in params if p.location == "query" and p.name != "limit"))
        return dataclasses.replace(base, mechanism="ranking.read", listing=listing, detail=plan_reads.ranking_plan(ctx, op, table))
    if op.kind == "get" and _reshaped(ctx, op, "Path"):
        return dataclasses.replace(base, mechanism="graph.path", detail=plan_reads.walk_plan(ctx, op, table))
    if op.kind == "list":
        return _list(ctx, op, base, params, table)
    if op.kind == "get":
        lookup = plan_reads.lookup_plan(ctx, op, params, table)
        return dataclasses.replace(base, mechanism="crud.read", lookup=lookup, embeds=plan_reads.embed_plans(ctx, op, table))
    if op.kind == "create":
        children = plan_writes.child_plans(ctx, table, body)
        total = plan_writes.total_plan(ctx, table, children)
        links = plan_writes.link_plans(ctx, op.request_schema, body) if op.request_schema else ()
        todo = f"domain.{total.hook}: the parts carry no price to total" if total is not None and total.price is None else None
        made = plan_writes.made_plans(ctx, op)
        return dataclasses.replace(base, mechanism="crud.create", detail=CreatePlan(children, total, links, made), todo=todo)
    if any(f.kind == "links" for f in body):
        raise Gap("it replaces a set of links; the scaffold sets links on create only")
    if op.kind == "delete":
        return dataclasses.replace(base, mechanism="crud.remove")
    change = ChangePlan(plan_writes.latest_plan(ctx, op, table, body), plan_writes.presence_plan(ctx, op, table))
    hook = identifier(op.operation_id) if op.kind == "action" and change.presence is None else None
    return dataclasses.replace(base, mechanism="crud.change", detail=change, hook=hook)


def _path_columns(ctx: ModuleContext, op: Operation, base: OpPlan, table: Table) -> tuple[FilterPlan, ...]:
    """Path parameters other than the item's key and its parent's: each fills (or filters by) a column of the row."""
    skip = {p.name for p in (base.key_param, base.parent_param) if p is not None}
    out = []
    for param in base.param("path"):
        if param.name in skip:
            continue
        found = plan_reads.filter_plan(ctx, op, dataclasses.replace(param, location="query"), table)
        out.append(dataclasses.replace(found, op="eq"))
    return tuple(out)


def _list(ctx: ModuleContext, op: Operation, base: OpPlan, params: tuple[ParamPlan, ...], table: Table) -> OpPlan:
    """A list, with the proximity search, the graph walk or the precomputed feed its use case's pattern chose."""
    names = {p.name for p in op.parameters if p.location == "query"}
    detail: Any = None
    skip: frozenset[str] = frozenset()
    if {"lat", "lon"} <= names:
        detail, skip = plan_reads.near_plan(ctx, op, table), plan_reads._NEAR
    elif "depth" in names and ctx.decision("graph.", op.use_cases[0] if op.use_cases else "") is not None:
        detail, skip = plan_reads.walk_plan(ctx, op, table), frozenset({"depth"})
    else:
        detail = plan_reads.feed_plan(ctx, op)
    listing = plan_reads.list_plan(ctx, op, params, base.resource, table, skip)
    return dataclasses.replace(base, mechanism="crud.list_page", listing=listing, detail=detail)

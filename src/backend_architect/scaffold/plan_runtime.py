"""What a module runs beside its routes: real-time channels, media processing, state kept outside rows, and its differences.

Read from the design's channels, renditions tables, components and decisions; each kind is
one function returning what the generated module declares.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from backend_architect.ir.model import Architecture, Table
from backend_architect.scaffold.context import ModuleContext
from backend_architect.scaffold.naming import kebab
from backend_architect.scaffold.plan_api import ColumnRef, OpPlan
from backend_architect.scaffold.plan_reads import WalkPlan
from backend_architect.scaffold.plan_writes import ChangePlan

#: The output the design names for the copy that replaces a compressed upload (``design.patterns.media.COMPRESSED``).
COMPRESSED = "compressed"

_PARAM = re.compile(r"\{([A-Za-z0-9_]+)\}")


@dataclass(frozen=True)
class ChannelPlan:
    """A real-time channel this module's events feed: its address, events, transport, and how a subscription is authorized."""

    name: str
    address: str
    events: tuple[str, ...]
    transport: str
    scopes: tuple[str, ...]
    #: The resource (constant) the channel's parameter names, checked visible to the subscriber, and the mirrored read's owner.
    scope: str | None
    owner: ColumnRef | None
    subject_param: str | None
    #: "none": a public channel anyone subscribes to without a token (the design's access); "required": a private one.
    auth: str = "required"


def channel_plans(ctx: ModuleContext, operations: tuple[OpPlan, ...]) -> tuple[ChannelPlan, ...]:
    """The design's channels carrying events this module produces, each authorized like the read it mirrors."""
    mine = {e.name for e in ctx.arch.events if e.producer == ctx.api.service}
    out = []
    for channel in ctx.arch.channels:
        events = tuple(e for e in channel.events if e in mine)
        if not events:
            continue
        params = _PARAM.findall(channel.address)
        read = next((o for o in operations if o.op.kind in {"get", "list"} and set(o.op.use_cases) & set(channel.use_cases)), None)
        if read is None:
            read = next((o for o in operations if o.op.kind in {"get", "list"} and o.resource.entity == channel.entity and o.gap is None), None)
        scopes = tuple(read.op.scopes) if read else (f"{kebab(channel.entity)}s:read",)
        scope = None
        owner = None
        subject = None
        if params:
            named = next((r for r in ctx.resources.values() if f"{kebab(r.entity).replace('-', '_')}_id" == params[0]), None)
            if channel.recipients.startswith("to: "):
                subject = params[0]
            elif named is not None:
                scope = named.var
                owner = read.owner if read is not None and read.resource.var == named.var and not (read.owner and read.owner.via) else None
        auth = "none" if channel.access == "public" else "required"
        out.append(ChannelPlan(channel.name, channel.address, events, channel.transport, scopes, scope, owner, subject, auth))
    return tuple(out)


@dataclass(frozen=True)
class MediaPlan:
    """A processed upload field: its resource, field and status columns, the renditions table and its owner column, the outputs."""

    resource: str
    table: str
    key: str
    field: str
    status: str
    renditions: str
    owner: str
    outputs: tuple[tuple[str, str], ...]
    hook: str


def media_plans(ctx: ModuleContext) -> tuple[MediaPlan, ...]:
    """Fields with a ``<table>_<field>_renditions`` table: the workers' outputs (codec x size for video, sizes for images)."""
    out = []
    for table in ctx.tables.values():
        if table.entity is None or table.entity not in ctx.resources:
            continue
        for column in table.columns:
            renditions = ctx.tables.get(f"{table.name}_{column.name}_renditions")
            status = f"{column.name}_status"
            if renditions is None or not any(c.name == status for c in table.columns):
                continue
            owner = next((c.name for c in renditions.columns if c.name.endswith("_id")), "id")
            outputs = _outputs(ctx.arch, table.entity, column.name)
            hook = f"render_{ctx.plans[table.name].var}_{column.name}"
            plan = ctx.plans[table.name]
            out.append(
                MediaPlan(ctx.resources[table.entity].var, plan.var, plan.key, column.name, status, ctx.plans[renditions.name].var, owner, outputs, hook)
            )
    return tuple(out)


def _outputs(arch: Architecture, entity: str, field: str) -> tuple[tuple[str, str], ...]:
    """(rendition, codec) the design's workers produce: from their purpose (``into large, thumb`` or ``into h264, vp9 at 1080p, 720p``)."""
    workers = next((c for c in arch.components if c.name == f"{kebab(entity)}-{kebab(field)}-workers"), None)
    purpose = workers.purpose if workers else ""
    # the copy that replaces a compressed original is one more output, under the codec the design names
    squeezed = re.search(r"(?:^|; )compress each original into a copy that replaces it \(([a-z0-9-]+)\)$", purpose)
    copy = ((COMPRESSED, squeezed.group(1)),) if squeezed else ()
    purpose = purpose[: squeezed.start()] if squeezed else purpose
    video = re.search(r"into ([a-z0-9, ]+?) at ([a-z0-9, ]+?)(?: \(|$)", purpose)
    if video:
        codecs = [c.strip() for c in video.group(1).split(",") if c.strip()]
        sizes = [s.strip() for s in video.group(2).split(",") if s.strip()]
        return tuple((size, codec) for codec in codecs for size in sizes) + copy
    image = re.search(r"into ([a-z0-9_, ]+)$", purpose)
    names = [n.strip() for n in image.group(1).split(",") if n.strip()] if image else ([] if copy else ["original"])
    return tuple((name, "image") for name in names) + copy


def latest_columns(operations: tuple[OpPlan, ...]) -> dict[str, tuple[str, ...]]:
    """Per resource, the columns whose latest value may live in Redis (latest writes, last seen): merged into its reads."""
    out: dict[str, list[str]] = {}
    for op in operations:
        detail = op.detail
        if not isinstance(detail, ChangePlan):
            continue
        if detail.latest is not None and detail.latest.structure is not None:
            out.setdefault(op.resource.var, []).extend(c for c in detail.latest.columns if not c.endswith("_cell"))
        if detail.presence is not None and detail.presence.last_seen is not None:
            out.setdefault(op.resource.var, []).append(detail.presence.last_seen)
    return {k: tuple(dict.fromkeys(v)) for k, v in out.items()}


def notes(ctx: ModuleContext, operations: tuple[OpPlan, ...], media: tuple[MediaPlan, ...]) -> tuple[str, ...]:
    """Where the generated code serves a mechanism differently from the design's production plan (same answers, other machinery)."""
    out = []
    for op in operations:
        if isinstance(op.detail, WalkPlan) and op.detail.elsewhere:
            out.append(
                f"{op.op.operation_id}: the design walks the graph in {op.detail.elsewhere.split(':')[0]}; "
                f"the service walks the edge table in SQL (bounded by depth {op.detail.depth})"
            )
    for plan in media:
        out.append(
            f"{plan.table}.{plan.field}: renditions ({', '.join(f'{n}/{c}' for n, c in plan.outputs)}) are copies of the original "
            f"until domain.{plan.hook} transforms them"
            + ("; the design's compressed copy replaces the original, the service keeps both" if any(n == COMPRESSED for n, _ in plan.outputs) else "")
        )
    columnar = {m.use_case: m for m in ctx.arch.mechanisms if m.pattern == "PAT054"}
    stores = {c.name: c.technology for c in ctx.arch.components}
    for op in operations:
        served = next((columnar[u] for u in op.op.use_cases if u in columnar), None)
        if served is not None:
            out.append(
                f"{op.op.operation_id}: the design answers it from {stores.get(served.store, served.store)} ({served.store}); "
                "the service groups the database's raw rows, which the design keeps only as long as its decision states"
            )
    for component in ctx.arch.components:
        if component.kind == "worker" and component.name.endswith("-aggregator") and ctx.api.service in component.services:
            out.append(f"{component.name}: the design rolls up in a stream consumer; the rollup job fills the same table")
    return tuple(dict.fromkeys(out))


def rollup_table(tables: dict[str, Table], name: str | None) -> Table | None:
    return tables.get(name) if name else None

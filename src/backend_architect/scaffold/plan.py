"""The project a design becomes: deployables (one per designed deployable), their modules, and what each holds."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import yaml

from backend_architect.errors import InputError, Location
from backend_architect.ir.model import Api, Architecture, Datastore, Event, Service, Table
from backend_architect.ir.part_calls import served_over_http
from backend_architect.ir.runtime_tables import BUILDERS, runtime_name
from backend_architect.render.openapi import render_openapi
from backend_architect.scaffold import plan_writes
from backend_architect.scaffold.context import ModuleContext
from backend_architect.scaffold.joins import Hop, path_to
from backend_architect.scaffold.mechanisms import operation_plan
from backend_architect.scaffold.naming import constant, identifier, kebab, package
from backend_architect.scaffold.plan_api import ColumnRef, EventPlan, ModelPlan, OpPlan, model_plans
from backend_architect.scaffold.plan_data import Gap, ResourcePlan, TablePlan, fields, item_location, pair_address, parent_link, table_plan
from backend_architect.scaffold.plan_jobs import JobPlan, designed_jobs, generated_jobs
from backend_architect.scaffold.plan_reactions import ReactionPlan, reaction_plans
from backend_architect.scaffold.plan_reads import FeedPlan
from backend_architect.scaffold.plan_runtime import ChannelPlan, MediaPlan, channel_plans, latest_columns, media_plans, notes
from backend_architect.scaffold.plan_writes import ChangePlan, CreatePlan, LinkPlan
from backend_architect.scaffold.source import Design

#: Connections each process opens at least, whatever the figures say.
MIN_POOL = 5


@dataclass(frozen=True)
class ModulePlan:
    name: str
    package: str
    service: Service
    api: Api
    schema: str | None
    tables: tuple[TablePlan, ...]
    resources: tuple[ResourcePlan, ...]
    models: tuple[ModelPlan, ...]
    operations: tuple[OpPlan, ...]
    events: tuple[EventPlan, ...]
    jobs: tuple[JobPlan, ...]
    outbox: str
    idempotency: str
    contract: str
    asyncapi: str | None
    migrations: dict[str, str]
    document: dict[str, Any]
    ir_tables: tuple[Table, ...] = ()
    channels: tuple[ChannelPlan, ...] = ()
    media: tuple[MediaPlan, ...] = ()
    #: Rows the module's ``reactions`` worker makes per event, and (use case, why) for the reactions it cannot make.
    reactions: tuple[ReactionPlan, ...] = ()
    reaction_gaps: tuple[tuple[str, str], ...] = ()
    #: Where the service serves a mechanism differently from the design's production plan (same answers, other machinery).
    notes: tuple[str, ...] = ()
    #: Per resource variable, the columns whose latest value the design may keep in Redis.
    latest: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    #: The design's events this module's service produces (with their consumers).
    service_events: tuple[Event, ...] = ()
    #: Names of the runtime tables beside the design's (``deliveries``, ``sessions``, ``presence``, ``objects``), clear of its own.
    runtime_names: dict[str, str] = dataclasses.field(default_factory=dict)
    #: The roles (``outbox``, ``inbox``, ``idempotency``) whose table the design's DDL creates; the scaffold creates the others.
    designed_runtime: frozenset[str] = frozenset()

    def runtime_table(self, role: str) -> Table:
        """The outbox, processed events or idempotency keys the scaffold creates itself, from the design's own definitions."""
        name = {"outbox": self.outbox, "idempotency": self.idempotency, "inbox": self.runtime_names["deliveries"]}[role]
        return BUILDERS[role](name)

    @property
    def actions(self) -> tuple[OpPlan, ...]:
        return tuple(o for o in self.operations if o.hook)

    @property
    def gaps(self) -> tuple[tuple[str, str], ...]:
        """(operation, why it answers 501): what the scaffold could not generate, or what domain.py must supply first."""
        found = [(o.op.operation_id, o.gap) for o in self.operations if o.gap]
        found += [(o.op.operation_id, f"answers 501 until {o.todo}") for o in self.operations if o.todo and not o.gap]
        found += [(use_case, f"no consumer makes its rows: {why}") for use_case, why in self.reaction_gaps]
        return tuple((op, str(why)) for op, why in found)

    @property
    def runtime(self) -> frozenset[str]:
        """The runtime tables the module needs beyond the outbox and idempotency keys."""
        needs = {"deliveries"}
        for op in self.operations:
            if op.mechanism.startswith("accounts."):
                needs.add("sessions")
            if op.mechanism in {"objects.create_upload", "objects.download_url", "objects.playback"}:
                needs.add("objects")
            if isinstance(op.detail, ChangePlan) and op.detail.presence is not None:
                needs.add("presence")
        return frozenset(needs | ({"objects"} if self.media else set()))


@dataclass(frozen=True)
class DeployablePlan:
    name: str
    package: str
    title: str
    modules: tuple[ModulePlan, ...]
    port: int
    pool_size: int
    base_path: str
    database: str
    #: "log" (an in-process worker polls the outbox), "amqp" (RabbitMQ) or "kafka": the designed broker.
    broker: str
    #: The stores beside PostgreSQL the design gives this deployable: redis, search, objects.
    stores: tuple[str, ...] = ()

    @property
    def schemas(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.schema or "public" for m in self.modules))

    @property
    def workers(self) -> tuple[str, ...]:
        """The worker processes the design names for this deployable (each a command of its image)."""
        ops = [o for m in self.modules for o in m.operations if o.gap is None]
        found = []
        if self.broker != "log":
            found.append("relay")
        if any(m.jobs for m in self.modules):
            found.append("jobs")
        if any(m.channels for m in self.modules):
            found.append("gateway")
        if any(o.listing.engine for o in ops):
            found.append("indexer")
        if any(isinstance(o.detail, FeedPlan) for o in ops):
            found.append("fanout")
        if any(m.media for m in self.modules):
            found.append("media")
        if any(m.reactions for m in self.modules):
            found.append("reactions")
        return tuple(found)

    @property
    def extras(self) -> tuple[str, ...]:
        """The optional dependencies its production adapters need (the image installs them)."""
        broker = {"amqp": ("amqp",), "kafka": ("kafka",)}.get(self.broker, ())
        stores = {"redis": "redis", "search": "search", "objects": "s3"}
        return tuple(sorted({*broker, *(stores[s] for s in self.stores)}))

    @property
    def gaps(self) -> tuple[tuple[str, str, str], ...]:
        """(module, operation, why) for every operation that answers 501."""
        return tuple((m.name, op, why) for m in self.modules for op, why in m.gaps)


@dataclass(frozen=True)
class ProjectPlan:
    system: str
    description: str
    deployables: tuple[DeployablePlan, ...]
    databases: tuple[str, ...]
    broker: str
    runtime: str
    jobs: bool
    #: The stores beside PostgreSQL the design uses anywhere: redis, search, objects.
    stores: tuple[str, ...] = ()

    @property
    def gaps(self) -> tuple[tuple[str, str, str], ...]:
        return tuple(g for d in self.deployables for g in d.gaps)

    @property
    def notes(self) -> tuple[str, ...]:
        return tuple(n for d in self.deployables for m in d.modules for n in m.notes)


def _runtime_table(base: str, taken: set[str]) -> str:
    name = base
    while name in taken:
        name += "_runtime"
    return name


def _channels(asyncapi: str | None) -> dict[str, str]:
    if asyncapi is None:
        return {}
    document = yaml.safe_load(asyncapi) or {}
    return {name: str(channel.get("address", name)) for name, channel in (document.get("channels") or {}).items()}


def _event_joins(event: Event, ir_tables: dict[str, Table], plans: dict[str, TablePlan]) -> tuple[tuple[str, ColumnRef], ...]:
    """An event's fields its row does not hold (a message's ``guild_id``, through its channel): where they are read from."""
    table = next((t for t in ir_tables.values() if t.entity == event.entity), None)
    if table is None:
        return ()
    out = []
    own = {c.name for c in table.columns}
    for name in event.fields:
        if name in own or name == event.key:
            continue
        for holder in ir_tables.values():
            via = path_to(list(ir_tables.values()), table.name, holder.name) if any(c.name == name for c in holder.columns) else None
            if via:
                hops = tuple(Hop(plans[h.left_table].var, h.left_column, plans[h.right_table].var, h.right_column) for h in via)
                out.append((name, ColumnRef(plans[holder.name].var, name, hops)))
                break
    return tuple(out)


def module_plan(design: Design, service: Service) -> ModulePlan:
    arch = design.architecture
    origin = f"{design.origin}/handoff.json"
    api = next(a for a in arch.apis if a.service == service.name)
    # a module interface other modules call in process is a function of theirs to call, not a route (ir.part_calls)
    api = api.model_copy(update={"operations": [op for op in api.operations if served_over_http(arch, op)]})
    store: Datastore | None = next((d for d in arch.datastores if d.service == service.name), None)
    if store is None:
        raise InputError(Location(origin), f"service {service.name} has an API but no datastore")
    document = render_openapi(api, arch)
    ir_tables = {t.name: t for t in store.tables}
    # the outbox, processed events and idempotency keys the design put in the schema are the runtime's own (core/runtime_tables.py)
    designed = {t.role: t.name for t in store.tables if t.role is not None}
    tables = {t.name: table_plan(t, store.schema_name) for t in store.tables if t.role is None}
    resources: dict[str, ResourcePlan] = {}
    unreadable: dict[str, str] = {}
    for table in tables.values():
        if table.entity is None:
            continue
        # a row only other users read is answered as its public view (Public<Entity>, without its pii fields: design.api.personal_views)
        read = next((s for s in api.schemas if s.name == table.entity), None) or next((s for s in api.schemas if s.name == f"Public{table.entity}"), None)
        try:
            read_fields = fields(read, table, ir_tables[table.name]) if read else ()
        except Gap as gap:
            read_fields, unreadable[table.entity] = (), str(gap)
        key = plan_writes.key_plan(ir_tables[table.name])
        pair = None if key else pair_address(api, table.entity, ir_tables[table.name])
        resources[table.entity] = ResourcePlan(
            entity=table.entity,
            var=constant(table.entity),
            table=table,
            read_fields=read_fields,
            location=item_location(api, table.entity, table, key.column if key else pair),
            parent=parent_link(api, table.entity, tables, ir_tables),
            key=key,
            pair=pair,
        )
    addresses = _channels(design.asyncapi.get(service.name))
    events = {
        e.name: EventPlan(e.name, addresses.get(e.name, e.name), e.key, tuple(e.fields), _event_joins(e, ir_tables, tables))
        for e in arch.events
        if e.producer == service.name
    }
    ctx = ModuleContext(arch, api, document, ir_tables, tables, resources, events, origin)
    operations = []
    for op in api.operations:
        if op.entity not in resources:
            raise InputError(Location(origin), f"operation {op.operation_id}: {op.entity} has no table in {service.name}'s datastore")
        planned = operation_plan(ctx, op, resources[op.entity])
        if op.entity in unreadable and planned.gap is None and op.success_status != 204:
            planned = dataclasses.replace(planned, mechanism="unavailable", gap=unreadable[op.entity])
        operations.append(planned)
    taken_names = {r.var for r in resources.values()}
    operations = [dataclasses.replace(op, const=f"{op.const}_OPERATION") if op.const in taken_names else op for op in operations]
    owners = {op.resource.var: op.owner for op in operations if op.owner and not op.owner.via}
    operations = [
        dataclasses.replace(op, owner=owners.get(op.resource.var))
        if op.op.kind == "create"
        and not op.op.for_others
        and op.mechanism == "crud.create"
        and owners.get(op.resource.var) not in {None, ColumnRef(op.resource.table.var, op.resource.table.key)}
        else op
        for op in operations
    ]
    reactions, reaction_gaps = reaction_plans(ctx, arch, service.name)
    served = {op.resource.var for op in operations} | {r.resource for r in reactions}
    served |= {c.resource for op in operations if isinstance(op.detail, CreatePlan) for c in op.detail.children}
    served |= {m.resource for op in operations if isinstance(op.detail, CreatePlan) for m in op.detail.made}
    served |= {op.detail.source_resource for op in operations if isinstance(op.detail, LinkPlan) and op.detail.source_resource}
    served |= {e.resource for op in operations for e in op.embeds}  # the rows a get answers inside its item
    for resource in list(resources.values()):
        if resource.var in served and resource.parent:
            served.add(resource.parent[0])
    channels = channel_plans(ctx, tuple(operations))
    served |= {c.scope for c in channels if c.scope}
    while True:
        parents = {r.parent[0] for r in resources.values() if r.var in served and r.parent} - served
        if not parents:
            break
        served |= parents
    kept = tuple(r for r in resources.values() if r.var in served)
    requests = [op.request_schema for op in api.operations if op.request_schema]
    try:
        models = model_plans(list(dict.fromkeys(requests)), document.get("components", {}))
    except ValueError as exc:
        raise InputError(Location(origin), str(exc)) from None
    taken = set(ir_tables)
    media = media_plans(ctx)
    names = {"sessions": "sessions", "presence": "presence", "objects": "stored_objects"}
    runtime_names = {kind: _runtime_table(name, taken) for kind, name in names.items()}
    runtime_names["deliveries"] = designed.get("inbox") or runtime_name("inbox", taken)
    return ModulePlan(
        name=service.name,
        package=identifier(service.name),
        service=service,
        api=api,
        schema=store.schema_name,
        tables=tuple(tables.values()),
        resources=kept,
        models=tuple(models),
        operations=tuple(operations),
        events=tuple(events.values()),
        jobs=tuple(
            sorted(
                [*designed_jobs(arch, service.name, ir_tables), *generated_jobs(arch, service.name, operations, ir_tables, tables)],
                key=lambda j: j.name,
            )
        ),
        outbox=designed.get("outbox") or runtime_name("outbox", taken),
        idempotency=designed.get("idempotency") or runtime_name("idempotency", taken),
        designed_runtime=frozenset(designed),
        contract=design.openapi[service.name],
        asyncapi=design.asyncapi.get(service.name),
        migrations=dict(sorted(design.migrations.get(service.name, {}).items())),
        document=document,
        ir_tables=tuple(store.tables),
        channels=channels,
        media=media,
        reactions=reactions,
        reaction_gaps=reaction_gaps,
        notes=notes(ctx, tuple(operations), media),
        latest=latest_columns(tuple(operations)),
        runtime_names=runtime_names,
        service_events=tuple(e for e in arch.events if e.producer == service.name),
    )


def _figure(arch: Architecture, key: str) -> float | None:
    return next((f.value for f in arch.figures if f.key == key), None)


def _pool(arch: Architecture, modules: list[ModulePlan], instances_key: str) -> int:
    """Connections per process: the design's connections for these modules over the instances that share them."""
    connections = sum(_figure(arch, f"connections.{m.name}") or MIN_POOL for m in modules)
    instances = _figure(arch, instances_key) or 2
    return max(MIN_POOL, math.ceil(connections / instances))


def _broker(arch: Architecture) -> str:
    """The designed broker: RabbitMQ or Kafka (Redpanda) when a decision chose it, else the outbox polled in-process (published to the log)."""
    chosen = " ".join(d.choice for d in arch.decisions if d.id == "messaging").lower()
    if "rabbitmq" in chosen:
        return "rabbitmq"
    return "kafka" if "kafka" in chosen or "redpanda" in chosen else "outbox"


def _stores(arch: Architecture, modules: list[ModulePlan]) -> tuple[str, ...]:
    """The stores beside PostgreSQL these modules use as designed: Redis, a search engine, object storage."""
    found = set()
    if any(c.kind in {"cache", "key-value"} and "redis" in c.technology.lower() for c in arch.components):
        found.add("redis")
    ops = [o for m in modules for o in m.operations if o.gap is None]
    if any(o.listing.engine for o in ops):
        found.add("search")
    if any(m.media for m in modules) or any(o.mechanism in {"objects.create_upload", "objects.download_url", "objects.playback"} for o in ops):
        found.add("objects")
    return tuple(sorted(found))


def plan_project(design: Design) -> ProjectPlan:
    arch = design.architecture
    with_api = [s for s in arch.services if any(a.service == s.name for a in arch.apis)]
    if not with_api:
        raise InputError(Location(f"{design.origin}/handoff.json"), "no service has an API: nothing to scaffold")
    broker = _broker(arch)
    groups: list[tuple[str, list[Service], str]]
    if arch.deployment == "modular-monolith":
        groups = [(arch.system, with_api, f"instances.deployable.{arch.system}")]
    else:
        groups = [(s.name, [s], f"instances.{s.name}") for s in with_api]
    deployables = []
    for name, services, instances_key in groups:
        modules = [module_plan(design, s) for s in services]
        base_path = modules[0].api.base_path
        store = next(d for d in arch.datastores if d.service == services[0].name)
        deployables.append(
            DeployablePlan(
                name=kebab(name),
                package=package(name),
                title=f"{arch.system} {name}" if name != arch.system else arch.system,
                modules=tuple(modules),
                port=services[0].port,
                pool_size=_pool(arch, modules, instances_key),
                base_path=base_path,
                database=kebab(store.name.split(".")[0]),
                broker={"rabbitmq": "amqp", "kafka": "kafka"}.get(broker, "log"),
                stores=_stores(arch, modules),
            )
        )
    databases = tuple(dict.fromkeys(d.database for d in deployables))
    runtime = next((d.choice for d in arch.decisions if d.id == "runtime"), "")
    stores = tuple(sorted({s for d in deployables for s in d.stores}))
    jobs = any(m.jobs for d in deployables for m in d.modules)
    return ProjectPlan(arch.system, arch.description, tuple(deployables), databases, broker, runtime, jobs, stores)

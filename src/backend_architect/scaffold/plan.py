"""The project a design becomes: deployables (one per designed deployable), their modules, and what each holds."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import yaml

from backend_architect.errors import InputError, Location
from backend_architect.ir.model import Api, Architecture, Datastore, Service, Table
from backend_architect.render.openapi import render_openapi
from backend_architect.scaffold.naming import constant, identifier, kebab, package
from backend_architect.scaffold.plan_api import EventPlan, ModelPlan, OpPlan, designed_index, model_plans, operation_plan
from backend_architect.scaffold.plan_data import ResourcePlan, TablePlan, fields, item_location, parent_link, table_plan
from backend_architect.scaffold.source import Design

#: Connections each process opens at least, whatever the figures say.
MIN_POOL = 5


@dataclass(frozen=True)
class JobPlan:
    """A designed batch job: its use case, how often it runs, and the index the design gave its reads."""

    name: str
    func: str
    interval_s: float
    index: str | None


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

    @property
    def actions(self) -> tuple[OpPlan, ...]:
        return tuple(o for o in self.operations if o.hook)


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
    #: "log://" (an in-process worker polls the outbox) or the designed broker's URL in compose.
    broker: str

    @property
    def schemas(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.schema or "public" for m in self.modules))


@dataclass(frozen=True)
class ProjectPlan:
    system: str
    description: str
    deployables: tuple[DeployablePlan, ...]
    databases: tuple[str, ...]
    broker: str
    runtime: str
    jobs: bool


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


def _jobs(arch: Architecture, service: str, tables: dict[str, Any]) -> tuple[JobPlan, ...]:
    flows = {f.use_case: f for f in arch.flows}
    out = []
    for figure in arch.figures:
        if not figure.key.startswith("job.rows_per_run.") or not figure.scope.startswith("use case '"):
            continue
        name = figure.scope.removeprefix("use case '").removesuffix("'")
        flow = flows.get(name)
        if flow is None or not flow.steps or flow.steps[0].target != service:
            continue
        index = next((designed_index(t, [name], method="btree") for t in tables.values() if designed_index(t, [name], method="btree")), None)
        out.append(JobPlan(name, identifier(name), float(figure.inputs.get("interval_s", 60.0)), index.name if index else None))
    return tuple(sorted(out, key=lambda j: j.name))


def module_plan(design: Design, service: Service) -> ModulePlan:
    arch = design.architecture
    origin = f"{design.origin}/handoff.json"
    api = next(a for a in arch.apis if a.service == service.name)
    store: Datastore | None = next((d for d in arch.datastores if d.service == service.name), None)
    if store is None:
        raise InputError(Location(origin), f"service {service.name} has an API but no datastore")
    document = render_openapi(api, arch)
    ir_tables = {t.name: t for t in store.tables}
    tables = {t.name: table_plan(t, store.schema_name) for t in store.tables}
    resources: dict[str, ResourcePlan] = {}
    for table in tables.values():
        if table.entity is None:
            continue
        read = next((s for s in api.schemas if s.name == table.entity), None)
        resources[table.entity] = ResourcePlan(
            entity=table.entity,
            var=constant(table.entity),
            table=table,
            read_fields=fields(read, table, ir_tables[table.name], origin) if read else (),
            location=item_location(api, table.entity, table),
            parent=parent_link(api, table.entity, tables, ir_tables),
        )
    channels = _channels(design.asyncapi.get(service.name))
    events = {e.name: EventPlan(e.name, channels.get(e.name, e.name), e.key, tuple(e.fields)) for e in arch.events if e.producer == service.name}
    operations = []
    for op in api.operations:
        if op.kind == "job" or op.entity not in resources:
            continue
        resource = resources[op.entity]
        operations.append(operation_plan(arch, op, document, resource, ir_tables[resource.table.name], events, origin))
    owners = {op.resource.var: op.owner for op in operations if op.owner}
    operations = [
        dataclasses.replace(op, owner=owners.get(op.resource.var)) if op.op.kind == "create" and owners.get(op.resource.var) != op.resource.table.key else op
        for op in operations
    ]
    served = {op.resource.var for op in operations}
    for resource in list(resources.values()):
        if resource.var in served and resource.parent:
            served.add(resource.parent[0])
    kept = tuple(r for r in resources.values() if r.var in served)
    requests = [op.request_schema for op in api.operations if op.request_schema]
    try:
        models = model_plans(list(dict.fromkeys(requests)), document.get("components", {}))
    except ValueError as exc:
        raise InputError(Location(origin), str(exc)) from None
    taken = set(tables)
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
        jobs=_jobs(arch, service.name, ir_tables),
        outbox=_runtime_table("outbox_events", taken),
        idempotency=_runtime_table("idempotency_keys", taken),
        contract=design.openapi[service.name],
        asyncapi=design.asyncapi.get(service.name),
        migrations=dict(sorted(design.migrations.get(service.name, {}).items())),
        document=document,
        ir_tables=tuple(store.tables),
    )


def _figure(arch: Architecture, key: str) -> float | None:
    return next((f.value for f in arch.figures if f.key == key), None)


def _pool(arch: Architecture, modules: list[ModulePlan], instances_key: str) -> int:
    """Connections per process: the design's connections for these modules over the instances that share them."""
    connections = sum(_figure(arch, f"connections.{m.name}") or MIN_POOL for m in modules)
    instances = _figure(arch, instances_key) or 2
    return max(MIN_POOL, math.ceil(connections / instances))


def _broker(arch: Architecture) -> str:
    """The designed broker: RabbitMQ when a decision chose it, else the outbox polled in-process (published to the log)."""
    chosen = " ".join(d.choice for d in arch.decisions if d.id == "messaging").lower()
    return "rabbitmq" if "rabbitmq" in chosen else "outbox"


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
                broker="amqp" if broker == "rabbitmq" else "log",
            )
        )
    databases = tuple(dict.fromkeys(d.database for d in deployables))
    runtime = next((d.choice for d in arch.decisions if d.id == "runtime"), "")
    return ProjectPlan(arch.system, arch.description, tuple(deployables), databases, broker, runtime, any(m.jobs for d in deployables for m in d.modules))

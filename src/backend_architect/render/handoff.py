"""IR + findings -> the JSON hand-off an orchestrator passes to the next roles."""

from __future__ import annotations

from typing import Any

import orjson

from backend_architect import __version__
from backend_architect.ir.consumers import consuming_services
from backend_architect.ir.database_nodes import POOLER, POOLING, database_nodes, read_replicas
from backend_architect.ir.deployment import part_noun
from backend_architect.ir.limit_covers import covers_texts
from backend_architect.ir.model import Architecture, Figure, Service, Table
from backend_architect.ir.part_calls import http_operations, module_interfaces
from backend_architect.ir.payloads import event_payload_bytes, event_table, payload_fields
from backend_architect.ir.query import OUTBOX_SOURCE, called_operations, database_of, event_broker, event_source, events_by_service
from backend_architect.ir.runtime import Component
from backend_architect.render.asyncapi import channel_address
from backend_architect.render.connection_settings import connection_settings, setting_name
from backend_architect.render.handoff_model import HANDOFF_SCHEMA_VERSION, Handoff
from backend_architect.render.handoff_plans import database_availability, operations_plans, requirements
from backend_architect.rules.model import Finding, blocks


def endpoint_count(arch: Architecture) -> int:
    return sum(len(http_operations(arch, api)) for api in arch.apis)


def index_count(arch: Architecture) -> int:
    return sum(len(t.indexes) for store in arch.datastores for t in store.tables)


def next_phase(arch: Architecture, findings: list[Finding]) -> list[dict[str, Any]]:
    """Who should pick the design up next, and what each should do first."""
    tables = sum(len(s.tables) for s in arch.datastores)
    security = arch.security
    # the scaffold has no CQL adapter: a table a wide-column store holds (PAT055) is a PostgreSQL stand-in there, said plainly
    wide = [(s.service, t) for s in arch.datastores for t in s.tables if t.wide_column is not None]
    stand_in = "".join(
        f"; {t.name} lives in {t.wide_column.technology} (schema/{service}.cql): the scaffold serves it from a PostgreSQL stand-in, "
        f"so implement its repository on the {t.wide_column.technology} driver at {t.wide_column.consistency}"
        for service, t in wide
        if t.wide_column is not None
    )
    steps: list[dict[str, Any]] = [
        {
            "role": "implementers",
            "task": f"scaffold {len(arch.services)} {'modules' if arch.deployment == 'modular-monolith' else 'services'} "
            f"from openapi/*.yaml and implement {endpoint_count(arch)} endpoints; apply schema/<service>/migrations/ in order (dbmate)" + stand_in,
            "inputs": sorted([f"openapi/{api.service}.yaml" for api in arch.apis] + [f"schema/{s}.cql" for s in dict.fromkeys(s for s, _ in wide)]),
        },
        {
            "role": "security-review",
            "task": "review authentication, scopes, owner checks, PII and secret handling",
            "inputs": ["design.md#security"],
            "items": list(security.review_items) if security else [],
        },
        {
            "role": "database-administration",
            "task": f"review {tables} tables and {index_count(arch)} indexes, provision the database"
            + (f" ({nodes})" if (nodes := _provisioned(arch)) else "")
            + f", backups (daily base backup + WAL archiving for point-in-time recovery) and connection pooling ({POOLER})",
            "inputs": sorted(f"schema/{s.service}.postgresql.sql" for s in arch.datastores),
        },
    ]
    # the real-time gateway is a deployable of its own (operations.services lists it beside the services), not a component to buy
    # so is a worker delivering events outside (a push sender), which alone holds the keys of what it calls
    gateways = [c.name for c in arch.components if c.kind == "realtime-gateway" or _delivers(c)]
    parts = [c.name for c in arch.components if c.name not in gateways]
    steps.append(
        {
            "role": "operations",
            "task": f"provision {len(_deployables(arch)) + len(gateways)} deployable(s)"
            + (f" ({', '.join([d.name for d in _deployables(arch)] + gateways)})" if gateways else "")
            + (f" and {len(parts)} component(s) ({', '.join(parts)})" if parts else "")
            + " with health checks, autoscaling on the listed signals, secrets and observability",
            "inputs": ["handoff.json#/operations", "design.md#capacity", "design.md#availability", "design.md#growth"],
        }
    )
    # the same verdict the critic gives: infos and the records of the author's overrides block nothing
    blocking = [f for f in findings if blocks(f)]
    if blocking:
        steps.append({"role": "architect", "task": f"resolve {len(blocking)} review finding(s) before implementation", "inputs": ["design.md#review"]})
    return steps


def api_section(arch: Architecture) -> list[dict[str, Any]]:
    """What implementers need per service: the contract, each operation's shape and who calls it."""
    section = []
    for api in arch.apis:
        operations = [
            {
                "operation_id": op.operation_id,
                "method": op.method.upper(),
                "path": api.base_path + op.path,
                "summary": op.summary,
                "use_cases": op.use_cases,
                "auth": op.auth,
                "scopes": op.scopes,
                "owner_only": op.owner_only,
                "members_of": op.members_of,
                "request": op.request_schema,
                "response": op.response_schema,
                "success": op.success_status,
                "errors": op.error_statuses,
                "paginated": op.paginated,
                "idempotency_key": op.idempotency_key,
                "conditional": op.conditional,
                "internal": op.internal,
                "consumers": op.consumers,
                "upstreams": op.upstreams,
            }
            for op in http_operations(arch, api)
        ]
        # a modular monolith's internal operations are functions its modules call in process: no path, no token
        interfaces = [
            {"operation_id": op.operation_id, "summary": op.summary, "request": op.request_schema, "response": op.response_schema, "consumers": op.consumers}
            for op in module_interfaces(arch, api)
        ]
        section.append(
            {"service": api.service, "contract": f"openapi/{api.service}.yaml", "base_path": api.base_path, "scopes": api.scopes, "operations": operations}
            | ({"module_interfaces": interfaces} if interfaces else {})
        )
    return section


#: Backups a database administrator can start from: PITR over a window that covers a slow-to-notice error.
BACKUP_POLICY = "daily base backup plus continuous WAL archiving (point-in-time recovery), kept 14 days; a restore drill each quarter"


def database_section(arch: Architecture, files: list[str]) -> dict[str, Any]:
    """What the database administrator needs: layout, tables with sizes and keys, indexes and why, partitioning, operations."""
    figures = {f.key: f.value for f in arch.figures}
    # sizes are computed at 1 year and at the retention horizon: "bytes.<N>y.<table>"
    horizon = max((float(k.split(".")[1].removesuffix("y")) for k in figures if k.startswith("bytes.") and k.count(".") == 2), default=1.0)
    by_service: dict[str, list[str]] = {}
    for path in sorted(files):
        parts = path.split("/")
        if len(parts) == 4 and parts[0] == "schema":
            by_service.setdefault(parts[1], []).append(path)
    stores = []
    for store in arch.datastores:
        tables = []
        for table in store.tables:
            # only a table a wide-column store holds carries the key: every other table's entry stays as it was
            held = {"wide_column": _wide_column(arch, table, figures)} if table.wide_column is not None else {}
            tables.append(
                {
                    "name": table.name,
                    "entity": table.entity,
                    "rows": {
                        "now": table.rows_now,
                        "per_day": table.rows_per_day,
                        "1y": figures.get(f"rows.1y.{table.name}"),
                        f"{horizon:g}y": figures.get(f"rows.{horizon:g}y.{table.name}"),
                    },
                    "bytes": {"1y": figures.get(f"bytes.1y.{table.name}"), f"{horizon:g}y": figures.get(f"bytes.{horizon:g}y.{table.name}")},
                    "primary_key": table.primary_key,
                    "key_strategy": table.key_strategy,
                    "key_reason": table.key_reason,
                    "foreign_keys": [fk.model_dump() for fk in table.foreign_keys],
                    "unique": [u.model_dump() for u in table.uniques],
                    "indexes": [i.model_dump() for i in table.indexes],
                    "partitioning": table.partitioning.model_dump() if table.partitioning else None,
                    "sharding": _sharding(table, figures),
                    "retention_days": table.retention_days,
                }
                | held
            )
        stores.append(
            {
                "name": store.name,
                "service": store.service,
                "engine": store.engine,
                "schema": store.schema_name,
                "ddl": {d: f"schema/{store.service}.{d}.sql" for d in ("postgresql", "sqlite")},
                "migrations": by_service.get(store.service or "", []),
                "connections": figures.get(f"connections.{store.service}"),
                "tables": tables,
            }
        )
    retention = [f"{t.name}: {t.partitioning.retention_job}" for s in arch.datastores for t in s.tables if t.partitioning and t.partitioning.retention_job]
    extensions = sorted(
        {"btree_gin"}
        if any(i.method == "gin" and any(c.name == "tenant_id" for c in i.columns) for s in arch.datastores for t in s.tables for i in t.indexes)
        else set()
    )
    return {
        "layout": _layout(arch),
        "extensions": extensions,
        "datastores": stores,
        "backups": BACKUP_POLICY,
        "retention_jobs": retention,
        "pooling": POOLING,
        # the copies serving reads (schema 1.2's meaning, kept for its readers) and, apart, the replicas the load adds beside the
        # readable standbys, so no reader takes a standby for an added replica
        "read_copies": read_replicas(arch),
        "read_replicas": figures.get("db.read_replicas", 0.0 if read_replicas(arch) is not None else None),
        **database_availability(arch),
    }


def _sharding(table: Table, figures: dict[str, float]) -> dict[str, Any] | None:
    """The table's shard key and reason, with its shard count and what one shard carries (the database load's figures)."""
    if table.sharding is None:
        return None
    per_shard = {
        name: figures[f"db.shard.{key}.{table.name}"]
        for name, key in (("reads_per_s", "reads"), ("writes_per_s", "writes"), ("read_replicas", "read_replicas"), ("write_utilisation", "write_utilisation"))
        if f"db.shard.{key}.{table.name}" in figures
    }
    return table.sharding.model_dump() | {
        "shards": figures.get(f"db.shards.{table.name}"),
        "nodes": figures.get(f"db.nodes.{table.name}"),
        "per_shard": per_shard or None,
    }


def _wide_column(arch: Architecture, table: Table, figures: dict[str, float]) -> dict[str, Any] | None:
    """What a sharded table states, for a table a wide-column store holds: its partition key and bucket, the busiest partition's
    size and growth, the hot-partition bound, the copies and the nodes (the wide-column decision's figures)."""
    layout = table.wide_column
    if layout is None:
        return None
    busiest = figures.get(f"wide_column.partition_bytes.{table.name}", 0.0)
    per_day = busiest / layout.bucket_days if layout.bucket_days else 0.0
    key = layout.partition_key[0]
    store = next((c.name for c in arch.components if c.kind == "wide-column" and c.technology == layout.technology), None)
    return layout.model_dump() | {
        "store": store,
        "busiest_partition_bytes": busiest,
        "busiest_partition_bytes_per_day": per_day,
        "bytes_with_copies": figures.get(f"wide_column.bytes.{table.name}"),
        "nodes": figures.get(f"wide_column.nodes.{table.name}"),
        "hot_partitions": (
            f"the busiest {key} is assumed {layout.hot_key_factor:g}x the average and grows its partition {per_day:,.0f} B a day: a bucket of "
            f"{layout.bucket_days:g} day(s) of {layout.bucket_from} closes it at {busiest:,.0f} B, under {layout.partition_max_bytes:,.0f} B; "
            f"a key busier than that takes a finer bucket (its pages read more partitions), never a larger partition"
        ),
    }


def _decision_choice(arch: Architecture, decision_id: str) -> str:
    return next((d.choice for d in arch.decisions if d.id == decision_id), "not decided")


def implementers_section(arch: Architecture, files: list[str]) -> dict[str, Any]:
    """Per service: what it owns, its contract, migrations, DTOs, and what it calls, publishes and consumes."""
    apis = {api.service: api for api in arch.apis}
    published, consumed = events_by_service(arch)
    migrations: dict[str, list[str]] = {}
    for path in sorted(files):
        parts = path.split("/")
        if len(parts) == 4 and parts[0] == "schema" and parts[2] == "migrations":
            migrations.setdefault(parts[1], []).append(path)
    services = []
    for service in arch.services:
        api = apis.get(service.name)
        services.append(
            {
                "name": service.name,
                "kind": service.kind,
                "entities": service.entities,
                "datastore": service.datastore,
                "port": service.port,
                "contract": f"openapi/{service.name}.yaml" if api else None,
                "migrations": migrations.get(service.name, []),
                "dtos": [s.name for s in api.schemas] if api else [],
                "depends_on": service.depends_on,
                "externals": service.externals,
                "publishes": [e.name for e in published.get(service.name, [])],
                "consumes": [e.name for e in consumed.get(service.name, [])],
            }
        )
    return {"runtime": _decision_choice(arch, "runtime"), "services": services, "api": api_section(arch)}


def security_section(arch: Architecture) -> dict[str, Any]:
    """The security model, the trust boundaries it crosses, and what the reviewer must still decide."""
    security = arch.security
    if security is None:
        raise ValueError("the security stage has not run")
    checked = {
        "oauth2": "JWT validated (signature, issuer, audience, expiry)",
        "session-cookie": "session cookie looked up and CSRF token checked",
        "api-key": "API key hash compared",
    }[security.scheme]
    boundaries = [f"clients -> edge: TLS 1.2+, {checked} before any handler runs"]
    if arch.deployment == "microservices":
        boundaries.append("service -> service: client-credentials tokens with the callee's scopes; mTLS inside the cluster")
    # a module is no deployable of its own: its code runs in the one process, kept apart by a role per module's schema
    part = part_noun(arch)
    boundaries.append(f"{part} -> its database: one role per {part}, no access to other {part}s' schemas")
    boundaries += [f"service -> {e.name} ({e.kind}): outbound only, credentials from the secret store" for e in arch.externals]
    questions = []
    if security.provider is None and security.scheme == "oauth2":
        questions.append("Which identity provider issues the tokens, and which claims carry the subject, roles and tenant?")
    if security.pii_fields and not security.compliance:
        questions.append("Personal data is stored: which regulations apply (GDPR, CCPA), and where must it reside?")
    if security.tenant_isolation:
        questions.append("How is the tenant claim issued and can a user belong to several tenants?")
    if any(op.auth == "none" and op.method != "get" for api in arch.apis for op in api.operations):
        questions.append("Public write operations exist: is a CAPTCHA or proof-of-work needed against automated abuse?")
    return {
        "authentication": security.authentication,
        "provider": security.provider,
        "token": security.token,
        "scopes": security.scopes,
        "trust_boundaries": boundaries,
        "pii_fields": security.pii_fields,
        "secret_fields": security.secret_fields,
        "tenant_isolation": security.tenant_isolation,
        "rate_limits": [{**r.model_dump(), "rationale": r.rationale + covers} for r, covers in zip(security.rate_limits, covers_texts(arch), strict=True)],
        "audit": security.audit,
        "compliance": security.compliance,
        "items": security.review_items,
        "open_questions": questions,
    }


def operations_section(arch: Architecture) -> dict[str, Any]:
    """What operations needs to run it: ports, health checks, instances, scaling signals, secrets."""
    figures = {f.key: f for f in arch.figures}
    services = []
    for service in _deployables(arch):
        members = set(service.entities) | {service.name} if arch.deployment == "modular-monolith" else {service.name}
        secrets = ["DATABASE_URL", *connection_settings(arch.components, members)]
        secrets += (["OIDC_CLIENT_SECRET"] if service.depends_on else []) + [_key(e) for e in service.externals]
        needs = [c for c in arch.components if c.kind in DEPENDENCY_KINDS and (set(c.services) & members or arch.deployment == "modular-monolith")]
        instances = figures.get(f"instances.deployable.{service.name}") or figures.get(f"instances.{service.name}")
        per_instance = instances.inputs.get("instance_rps", 0.0) if instances else 0.0
        services.append(
            {
                "name": service.name,
                "port": service.port,
                "health": {
                    "liveness": "/healthz",
                    "readiness": readiness([c.name for c in needs]),
                },
                "instances": instances.value if instances else None,
                "instances_zone_loss": figures[f"instances.zone_loss.{service.name}"].value if f"instances.zone_loss.{service.name}" in figures else None,
                "scaling_signals": [
                    "CPU above 70% for 5 minutes",
                    f"request rate above {per_instance * SCALE_AT_SHARE:,.0f} per instance ({SCALE_AT_SHARE:.0%} of the {per_instance:,.0f} planned)",
                    "p99 latency above the use cases' latency targets",
                    "database connections in use above 80% of the pool",
                ],
                "secrets": secrets,
            }
        )
    broker = next((c for c in arch.components if c.kind == "broker"), None)
    for gateway in (c for c in arch.components if c.kind == "realtime-gateway"):
        # a deployable of its own: it scales by open connections, not requests; it consumes its events from the broker
        # when there is one (then routes them to the node holding the connection through Redis pub/sub)
        fed = broker is not None and any(gateway.name in e.consumers and event_broker(arch, e) is not None for e in arch.events)
        checks = ("the broker consumer, " if fed else "") + "Redis pub/sub and the connection registry"
        services.append(
            {
                "name": gateway.name,
                "port": 8443,
                "health": {"liveness": "/healthz", "readiness": f"/readyz (checks {checks})"},
                "instances": float(gateway.instances) if gateway.instances else None,
                "instances_zone_loss": figures[f"instances.zone_loss.{gateway.name}"].value if f"instances.zone_loss.{gateway.name}" in figures else None,
                "scaling_signals": [
                    _connections_signal(figures.get(f"instances.{gateway.name}")),
                    "memory above 70%",
                    "outbound queue drops (slow consumers) rising",
                ],
                "secrets": [*_part_settings(arch, gateway, fed), "OIDC_ISSUER_JWKS_URL"],
            }
        )
    for worker in (c for c in arch.components if _delivers(c)):
        calls = worker.calls or []
        # a deliverer is a deployable of its own (design/deliverers.py): the only holder of the credentials of what it calls
        fed = broker is not None and any(worker.name in e.consumers and event_broker(arch, e) is not None for e in arch.events)
        services.append(
            {
                "name": worker.name,
                "port": 8080,
                "health": {"liveness": "/healthz", "readiness": f"/readyz (checks {'the broker consumer' if fed else 'the relay feeding it'})"},
                "instances": float(worker.instances) if worker.instances else None,
                "instances_zone_loss": None,
                "scaling_signals": ["consumer lag above 10 s", f"calls to {', '.join(calls)} failing or throttled (429, 503) rising"],
                "secrets": [*_part_settings(arch, worker, fed), *(_key(e) for e in calls)],
            }
        )
    return {
        "runtime": _decision_choice(arch, "runtime"),
        "services": services,
        "components": [c.model_dump(exclude_none=True) for c in arch.components],
        "observability": _decision_choice(arch, "observability"),
        "message_broker": _decision_choice(arch, "messaging"),
        "cache": _decision_choice(arch, "cache"),
        **operations_plans(arch),
    }


def _part_settings(arch: Architecture, part: Component, fed: bool) -> list[str]:
    """The connection settings of a deployable component: its pub/sub's, those of the components naming it among their
    parts, and the broker's when it consumes from one (one derivation with the services', ``render/connection_settings.py``)."""
    carriers = [c for c in arch.components if c.name == part.pubsub or (fed and c.kind == "broker")]
    settings = [setting_name(c) for c in carriers]
    return [*dict.fromkeys([*settings, *connection_settings(arch.components, {part.name})])]


def _delivers(component: Component) -> bool:
    """Whether ``component`` is a deployable of its own delivering events to externals (a push sender): a worker no service runs
    that calls one (``design/deliverers.py``)."""
    return component.kind == "worker" and bool(component.calls) and not component.services


def _key(external: str) -> str:
    """The secret holding an external system's credentials, in the one deployable calling it.

    >>> _key("payment-processor")
    'PAYMENT_PROCESSOR_API_KEY'
    """
    return f"{external.upper().replace('-', '_')}_API_KEY"


def _connections_signal(nodes: Figure | None) -> str:
    """The gateway's scale-out trigger: the connections a node is sized for (one number: at peak no node is past its trigger)."""
    per_node = nodes.inputs.get("connections_per_node", 0.0) if nodes is not None else 0.0
    if not per_node:
        return "open connections per node above what a node is sized for"
    return f"open connections above {per_node:,.0f} per node (the figure the nodes are sized at)"


def _deployables(arch: Architecture) -> list[Service]:
    """What operations runs: each service, or the one deployable that holds every module."""
    if arch.deployment != "modular-monolith":
        return list(arch.services)
    modules = arch.services
    return [
        Service(
            name=arch.system,
            kind="service",
            entities=[m.name for m in modules],
            datastore=modules[0].datastore.split(".")[0] if modules and modules[0].datastore else None,
            depends_on=[],
            externals=sorted({e for m in modules for e in m.externals}),
            port=8080,
        )
    ]


def integration_section(arch: Architecture, files: list[str]) -> list[dict[str, Any]]:
    """Per service: what it calls synchronously (with timeouts, retries, breakers), what it publishes and consumes."""
    calls_by: dict[str, list[dict[str, Any]]] = {}
    for flow in arch.flows:
        for s in flow.steps:
            if s.kind in {"query", "call", "external"}:
                calls_by.setdefault(s.source, []).append(
                    {
                        "target": s.target,
                        "kind": s.kind,
                        "use_case": flow.use_case,
                        "timeout_ms": s.timeout_ms,
                        "retries": s.retries,
                        "circuit_breaker": s.circuit_breaker,
                        "operations": called_operations(arch, s),
                    }
                )
    published, consumed = events_by_service(arch)
    section = []
    for service in arch.services:
        calls = calls_by.get(service.name, [])
        section.append(
            {
                "service": service.name,
                "asyncapi": f"asyncapi/{service.name}.yaml" if f"asyncapi/{service.name}.yaml" in files else None,
                "calls": calls,
                "publishes": [
                    {
                        "event": e.name,
                        "channel": channel_address(arch, e),
                        "key": e.key,
                        "consumers": e.consumers,
                        "consuming_services": consuming_services(arch, e),
                        "payload": payload_fields(e, event_table(arch, e.entity)),
                        "payload_bytes": event_payload_bytes(arch, e),
                    }
                    # the outbox is the default: only another source is named, so an outbox event's entry stays as it was
                    | ({"source": event_source(arch, e)} if event_source(arch, e) != OUTBOX_SOURCE else {})
                    for e in published.get(service.name, [])
                ],
                "consumes": [{"event": e.name, "producer": e.producer, "channel": channel_address(arch, e)} for e in consumed.get(service.name, [])],
            }
        )
    return section


#: Scale out before an instance reaches the throughput the capacity model plans for it.
SCALE_AT_SHARE = 0.8
#: Components a deployable uses beside its database, each of whose loss fails or degrades only some of its paths.
DEPENDENCY_KINDS = frozenset({"cache", "broker", "queue", "search-engine", "key-value", "wide-column"})


def readiness(dependencies: list[str]) -> str:
    """The readiness check: the database only, which every request's transaction needs (the scaffold's /readyz pings it).

    The other dependencies are named as left out: each one's loss fails or degrades only the paths design.md's failure
    table names, and gating readiness on it would take every instance out of rotation at once (two failed checks each),
    turning that partial failure into the whole service's.

    >>> readiness([])
    '/readyz (checks the database)'
    >>> readiness(["redis", "search-engine"])
    '/readyz (checks the database; not redis, search-engine: only the paths using one fail or slow without it)'
    """
    if not dependencies:
        return "/readyz (checks the database)"
    return f"/readyz (checks the database; not {', '.join(dependencies)}: only the paths using one fail or slow without it)"


def render_handoff(arch: Architecture, findings: list[Finding], files: list[str]) -> dict[str, Any]:
    """The hand-off document as plain data, validated against its published schema."""
    document = {
        "schema_version": HANDOFF_SCHEMA_VERSION,
        "generator": f"backend-architect {__version__}",
        "system": arch.system,
        "summary": {
            "deployment": arch.deployment,
            "services": [s.name for s in arch.services],
            "endpoints": [f"{op.method.upper()} {api.base_path}{op.path}" for api in arch.apis for op in http_operations(arch, api)],
            "tables": [f"{s.schema_name + '.' if s.schema_name else ''}{t.name}" for s in arch.datastores for t in s.tables],
            "indexes": index_count(arch),
            "events": [e.name for e in arch.events],
        },
        "files": sorted(files),
        "implementers": implementers_section(arch, files),
        "security_review": security_section(arch),
        "database": database_section(arch, files),
        "operations": operations_section(arch),
        "integration": integration_section(arch, files),
        "capacity": [f.model_dump() for f in arch.figures],
        "assumptions": arch.assumptions,
        "requirements": requirements(arch),
        "review": {"findings": [f.as_dict() for f in findings]},
        "next_phase": next_phase(arch, findings),
        "architecture": arch.model_dump(mode="json"),
    }
    Handoff.model_validate(document)  # the published schema is a promise: fail loudly here, not in a consumer
    return document


def handoff_json(document: dict[str, Any]) -> str:
    """Indented JSON; orjson's encoder keeps this linear and fast on large systems."""
    return orjson.dumps(document, option=orjson.OPT_INDENT_2).decode() + "\n"


def _layout(arch: Architecture) -> str:
    """How the databases are laid out, with each sharded table's one statement of when its shards are built."""
    layout = "one database, a schema per module" if arch.deployment == "modular-monolith" else "a database per service"
    sharded = [f"{t.name}: {t.sharding.when}" for s in arch.datastores for t in s.tables if t.sharding is not None and t.sharding.when]
    return "; ".join([layout, *sharded])


def _provisioned(arch: Architecture) -> str:
    """Each physical database's nodes as the diagram draws them: its own primary, standbys, read replicas and shard maps, named
    where there are several (the busiest primary's read replicas are one database's, never every database's)."""
    held = list(dict.fromkeys(database_of(arch, s) for s in arch.datastores))
    described = [(db, nodes) for db in held if (nodes := database_nodes(arch, db))]
    if len(described) == 1:
        return described[0][1]
    return "; ".join(f"{db}: {nodes}" for db, nodes in described)

"""IR + findings -> the JSON hand-off an orchestrator passes to the next roles."""

from __future__ import annotations

from typing import Any

import orjson

from backend_architect import __version__
from backend_architect.ir.model import Architecture
from backend_architect.rules.model import Finding

HANDOFF_SCHEMA_VERSION = "1.0"


def endpoint_count(arch: Architecture) -> int:
    return sum(len(api.operations) for api in arch.apis)


def index_count(arch: Architecture) -> int:
    return sum(len(t.indexes) for store in arch.datastores for t in store.tables)


def next_phase(arch: Architecture, findings: list[Finding]) -> list[dict[str, Any]]:
    """Who should pick the design up next, and what each should do first."""
    tables = sum(len(s.tables) for s in arch.datastores)
    security = arch.security
    steps: list[dict[str, Any]] = [
        {
            "role": "implementers",
            "task": f"scaffold {len(arch.services)} {'modules' if arch.deployment == 'modular-monolith' else 'services'} "
            f"from openapi/*.yaml and implement {endpoint_count(arch)} endpoints; apply schema/<service>/migrations/ in order (dbmate)",
            "inputs": sorted([f"openapi/{api.service}.yaml" for api in arch.apis]),
        },
        {
            "role": "security-review",
            "task": "review authentication, scopes, owner checks, PII and secret handling",
            "inputs": ["design.md#security"],
            "items": list(security.review_items) if security else [],
        },
        {
            "role": "database-administration",
            "task": f"review {tables} tables and {index_count(arch)} indexes, provision the database, backups "
            "(daily base backup + WAL archiving for point-in-time recovery) and connection pooling",
            "inputs": sorted(f"schema/{s.service}.postgresql.sql" for s in arch.datastores),
        },
    ]
    if findings:
        steps.append({"role": "architect", "task": f"resolve {len(findings)} review finding(s) before implementation", "inputs": ["design.md#review"]})
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
            for op in api.operations
        ]
        section.append(
            {"service": api.service, "contract": f"openapi/{api.service}.yaml", "base_path": api.base_path, "scopes": api.scopes, "operations": operations}
        )
    return section


#: Backups a database administrator can start from: PITR over a window that covers a slow-to-notice error.
BACKUP_POLICY = "daily base backup plus continuous WAL archiving (point-in-time recovery), kept 14 days; a restore drill each quarter"
POOLING = "PgBouncer in transaction mode in front of the primary; application pools sized by the connections figures"


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
                    "sharding": table.sharding.model_dump() if table.sharding else None,
                    "retention_days": table.retention_days,
                }
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
        "layout": "one database, a schema per module" if arch.deployment == "modular-monolith" else "a database per service",
        "extensions": extensions,
        "datastores": stores,
        "backups": BACKUP_POLICY,
        "retention_jobs": retention,
        "pooling": POOLING,
        "read_replicas": figures.get("db.read_replicas"),
    }


def render_handoff(arch: Architecture, findings: list[Finding], files: list[str]) -> dict[str, Any]:
    """The hand-off document as plain data."""
    return {
        "schema_version": HANDOFF_SCHEMA_VERSION,
        "generator": f"backend-architect {__version__}",
        "system": arch.system,
        "summary": {
            "deployment": arch.deployment,
            "services": [s.name for s in arch.services],
            "endpoints": [f"{op.method.upper()} {api.base_path}{op.path}" for api in arch.apis for op in api.operations],
            "tables": [f"{s.schema_name + '.' if s.schema_name else ''}{t.name}" for s in arch.datastores for t in s.tables],
            "indexes": index_count(arch),
            "events": [e.name for e in arch.events],
        },
        "files": sorted(files),
        "api": api_section(arch),
        "database": database_section(arch, files),
        "architecture": arch.model_dump(mode="json"),
        "review": {"findings": [f.as_dict() for f in findings]},
        "next_phase": next_phase(arch, findings),
    }


def handoff_json(document: dict[str, Any]) -> str:
    """Indented JSON; orjson's encoder keeps this linear and fast on large systems."""
    return orjson.dumps(document, option=orjson.OPT_INDENT_2).decode() + "\n"

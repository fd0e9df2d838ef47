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
            f"from openapi/*.yaml and implement {endpoint_count(arch)} endpoints; apply schema/*.postgresql.sql as the first migration",
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
        "architecture": arch.model_dump(mode="json"),
        "review": {"findings": [f.as_dict() for f in findings]},
        "next_phase": next_phase(arch, findings),
    }


def handoff_json(document: dict[str, Any]) -> str:
    """Indented JSON; orjson's encoder keeps this linear and fast on large systems."""
    return orjson.dumps(document, option=orjson.OPT_INDENT_2).decode() + "\n"

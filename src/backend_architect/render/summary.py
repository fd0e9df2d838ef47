"""IR + findings -> the short summary printed after a design, in the style of an agent's report."""

from __future__ import annotations

from backend_architect.ir.model import Architecture
from backend_architect.ir.part_calls import http_operations
from backend_architect.render.handoff import endpoint_count, index_count, next_phase
from backend_architect.rules.model import Finding, Severity


def render_summary(arch: Architecture, findings: list[Finding], files: list[str], out_dir: str) -> str:
    """Endpoints, tables and indexes, review verdict, next-phase suggestions and files written."""
    kind = "modules" if arch.deployment == "modular-monolith" else "services"
    lines = [f"{arch.system}: {arch.deployment.replace('-', ' ')}, {len(arch.services)} {kind} ({', '.join(s.name for s in arch.services)})", ""]
    lines.append(f"Endpoints ({endpoint_count(arch)}):")
    width = max((len(api.base_path + op.path) for api in arch.apis for op in http_operations(arch, api)), default=10)
    for api in arch.apis:
        for op in http_operations(arch, api):
            auth = "public" if op.auth == "none" else ", ".join(op.scopes) or op.auth
            used_by = f" (used by {', '.join(op.consumers)})" if op.consumers else ""
            lines.append(f"  {op.method.upper():<6} {(api.base_path + op.path):<{width}}  {op.summary} [{auth}]{used_by}")
    tables = [(s, t) for s in arch.datastores for t in s.tables]
    lines += ["", f"Tables ({len(tables)}) and indexes ({index_count(arch)}):"]
    for store, table in tables:
        name = f"{store.schema_name}.{table.name}" if store.schema_name else table.name
        indexes = ", ".join(i.name for i in table.indexes) or "primary key only"
        lines.append(f"  {name}: {indexes}")
    worst = [f for f in findings if f.severity > Severity.INFO]
    lines += ["", f"Review: {len(findings)} finding(s), {len(worst)} above info." if findings else "Review: no findings."]
    lines += ["", "Next phase:"]
    lines += [f"  - {step['role']}: {step['task']}" for step in next_phase(arch, findings)]
    groups: dict[str, int] = {}
    for path in files:
        head = path.split("/", 1)[0] + "/" if "/" in path else path
        groups[head] = groups.get(head, 0) + 1
    lines += ["", f"Wrote {len(files)} files to {out_dir}: " + ", ".join(f"{k} ({v})" if k.endswith("/") else k for k, v in groups.items())]
    return "\n".join(lines) + "\n"

"""The index advisor's answer for a terminal (text) or for scripts (JSON)."""

from __future__ import annotations

import json
from typing import Any

from backend_architect.advisor import Advice


def render_text(advice: Advice) -> str:
    lines = []
    for note in advice.notes:
        lines.append(f"note: {note}")
    if not advice.recommendations:
        lines.append("no index would pay for itself on this workload")
    for number, found in enumerate(advice.recommendations, 1):
        size = f", {found.size_bytes / 2**20:.1f} MiB" if found.size_bytes else ""
        saving = f"saves {found.saving:,.0f} cost units (write charge {found.write_share:.0%}{size})" if advice.method == "hypopg" else "not costed"
        lines.append(f"{number}. {found.ddl}  -- {saving}")
        for query in found.queries:
            costs = f"cost {query.before:,.1f} -> {query.after:,.1f}, " if advice.method == "hypopg" else ""
            lines.append(f"     {costs}x{query.calls:g}: {' '.join(query.query.split())[:110]}")
    if advice.method == "hypopg" and advice.total_before:
        share = 1 - advice.total_after / advice.total_before
        lines.append(f"workload cost {advice.total_before:,.0f} -> {advice.total_after:,.0f} ({share:.0%} less), by PostgreSQL's planner with HypoPG")
    return "\n".join(lines) + "\n"


def render_json(advice: Advice) -> str:
    def query(cost: Any) -> dict[str, Any]:
        return {"query": cost.query, "calls": cost.calls, "cost_before": cost.before, "cost_after": cost.after}

    document = {
        "method": advice.method,
        "notes": advice.notes,
        "total_cost_before": advice.total_before,
        "total_cost_after": advice.total_after,
        "recommendations": [
            {
                "ddl": r.ddl,
                "table": r.candidate.table,
                "size_bytes": r.size_bytes,
                "saving": r.saving,
                "write_share": r.write_share,
                "queries": [query(q) for q in r.queries],
            }
            for r in advice.recommendations
        ],
        "queries": [query(q) for q in advice.queries],
    }
    return json.dumps(document, indent=2) + "\n"

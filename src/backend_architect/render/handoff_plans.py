"""The hand-off's view of where data lives, how the system survives failure and grows, and where each input went.

Operations gets the stores per data class, the availability plan and the growth stages; the
database administrator gets the standbys, failover and recovery figures; everyone gets the
requirements trace. The same IR objects the design document renders, so the two never differ.
"""

from __future__ import annotations

from typing import Any

from backend_architect.ir.database_nodes import standbys
from backend_architect.ir.model import Architecture


def database_availability(arch: Architecture) -> dict[str, Any]:
    """Standbys, failover and the recovery figures for the database administrator."""
    plan = arch.availability
    return {
        "standbys": standbys(arch),
        "failover": plan.failover if plan else None,
        "rto_seconds": plan.rto_seconds if plan else None,
        "rpo_seconds": plan.rpo_seconds if plan else None,
        "high_availability": plan.database if plan else None,
    }


def operations_plans(arch: Architecture) -> dict[str, Any]:
    """Stores per data class, the availability plan and the growth stages, as the IR holds them."""
    return {
        "stores": [p.model_dump(mode="json") for p in arch.placements],
        "availability": arch.availability.model_dump(mode="json") if arch.availability else None,
        "growth": [s.model_dump(mode="json") for s in arch.stages],
        "components": [c.model_dump(mode="json") for c in arch.components],
    }


def requirements(arch: Architecture) -> list[dict[str, Any]]:
    return [r.model_dump(mode="json") for r in arch.requirements]

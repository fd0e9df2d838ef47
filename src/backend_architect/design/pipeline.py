"""The design process, in order: each stage is a pure function ``(spec, arch) -> arch``.

Reading ``STAGES`` tells the whole story: decide the boundaries, lay out the data, index
it for its access patterns, expose it as APIs, connect the services, size it, partition
what outgrows one node, cache it, secure it, choose the technology, and name the
bottlenecks.
"""

from __future__ import annotations

from collections.abc import Callable

from backend_architect.design.api import derive_api
from backend_architect.design.bottlenecks import derive_bottlenecks
from backend_architect.design.boundaries import derive_boundaries
from backend_architect.design.caching import derive_caching
from backend_architect.design.capacity import derive_capacity
from backend_architect.design.communication import derive_communication
from backend_architect.design.data import derive_data
from backend_architect.design.indexes import derive_indexes
from backend_architect.design.partitioning import derive_partitioning
from backend_architect.design.security import derive_security
from backend_architect.design.technology import derive_technology
from backend_architect.ir.model import Architecture
from backend_architect.spec.model import Spec

Stage = Callable[[Spec, Architecture], Architecture]

STAGES: tuple[Stage, ...] = (
    derive_boundaries,
    derive_data,
    derive_indexes,
    derive_api,
    derive_communication,
    derive_capacity,
    derive_partitioning,
    derive_caching,
    derive_security,
    derive_technology,
    derive_bottlenecks,
)


def design(spec: Spec) -> Architecture:
    """Run every stage over ``spec`` and return the finished architecture."""
    arch = Architecture(system=spec.system, description=spec.description or "")
    for stage in STAGES:
        arch = stage(spec, arch)
    return arch

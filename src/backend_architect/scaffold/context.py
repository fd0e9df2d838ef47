"""What planning one module's operations reads: the design, the module's tables, resources and events.

Also the few facts the engine records in words rather than fields (a decision's subject, a
figure's scope, a pattern's note on an operation), each read by one small function here so a
change of wording in the engine breaks one place and its test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from backend_architect.ir.model import Api, Architecture, Decision, Operation, Table
from backend_architect.scaffold.joins import FieldAt, Hop, locate
from backend_architect.scaffold.plan_api import ColumnRef, EventPlan
from backend_architect.scaffold.plan_data import Gap, ResourcePlan, TablePlan

#: The note PAT022 adds to an operation that became a heartbeat.
HEARTBEAT_NOTE = "A heartbeat: refreshes the presence key"
#: The API stage's note on a create whose reference to the caller comes from the token, not the body.
_CALLER_NOTE = re.compile(r"The (\w+) is the caller, taken from the access token\.")


@dataclass(frozen=True)
class ModuleContext:
    """One module being planned: the design, its API, document, tables (IR and plans), resources and events."""

    arch: Architecture
    api: Api
    document: dict[str, Any]
    tables: dict[str, Table]
    plans: dict[str, TablePlan]
    resources: dict[str, ResourcePlan]
    events: dict[str, EventPlan]
    origin: str

    def table_of(self, entity: str) -> Table | None:
        return next((t for t in self.tables.values() if t.entity == entity), None)

    def ref(self, at: FieldAt) -> ColumnRef:
        """A located field as the generated code names it (table variables, not table names)."""
        hops = tuple(Hop(self.plans[h.left_table].var, h.left_column, self.plans[h.right_table].var, h.right_column) for h in at.via)
        return ColumnRef(self.plans[at.table].var, at.column, hops)

    def locate(self, start: Table, spec_ref: str, what: str) -> ColumnRef:
        """``spec_ref`` read from ``start``, or a Gap saying which table is out of reach (another module's or service's)."""
        found = locate(list(self.tables.values()), start, spec_ref)
        if found is None:
            entity = spec_ref.split(".", 1)[0] if "." in spec_ref else start.entity
            owner = next((s.name for s in self.arch.services if entity in s.entities), None)
            where = f"service {owner}" if owner and owner != self.api.service else "no table of this module reachable by references"
            raise Gap(f"{what} {spec_ref} reads {entity} rows, which live in {where}: this service cannot query them")
        return self.ref(found)

    def decision(self, prefix: str, use_case: str) -> Decision | None:
        """The decision a pattern took for ``use_case`` (its id starts with ``prefix`` and its subject is the use case)."""
        return next((d for d in self.arch.decisions if d.id.startswith(prefix) and d.subject == use_case), None)

    def figure(self, prefix: str, use_case: str) -> tuple[float, dict[str, float]] | None:
        """A per-use-case figure (``geo.precision.<id>``), by its key's prefix and its scope."""
        found = next((f for f in self.arch.figures if f.key.startswith(prefix) and f.scope == f"use case '{use_case}'"), None)
        return (found.value, found.inputs) if found else None

    def cache(self, use_case: str) -> Any:
        return next((c for c in self.arch.caches if c.use_case == use_case), None)

    def placement(self, data: str) -> Any:
        return next((p for p in self.arch.placements if p.data == data), None)


def heartbeat(op: Operation) -> bool:
    """An operation PAT022 turned into a heartbeat (its note says so), or the heartbeat endpoint it added."""
    return HEARTBEAT_NOTE in op.description or (op.operation_id.startswith("heartbeat") and op.path.endswith("/presence"))


def caller_field(op: Operation) -> str | None:
    """The field a create takes from the caller's token (``The customer is the caller...``), if its note says one.

    >>> caller_field(Operation(operation_id="x", method="post", path="/x", summary="x", kind="create", tag="x",
    ...                        description="Use case 'x'. The customer is the caller, taken from the access token."))
    'customer'
    """
    found = _CALLER_NOTE.search(op.description)
    return found.group(1) if found else None


def ttl_seconds(retention: str) -> float | None:
    """The seconds in a placement's retention such as ``30 s after the last heartbeat``.

    >>> ttl_seconds("30 s after the last heartbeat"), ttl_seconds("forever")
    (30.0, None)
    """
    found = re.match(r"([0-9.]+) s\b", retention)
    return float(found.group(1)) if found else None

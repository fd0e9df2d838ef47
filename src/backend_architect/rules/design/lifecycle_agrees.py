"""Every row a design acts on comes from somewhere: a use case that creates it, a create that writes it as a part, or a job."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from backend_architect.ir.model import Architecture, Operation
from backend_architect.rules.model import Finding, Rule, Severity, rule

#: Operation kinds that act on rows that already exist.
_ACTING = frozenset({"get", "list", "update", "replace", "action", "delete"})


@rule(
    code="DES010",
    name="rows-never-created",
    severity=Severity.WARNING,
    title="Use cases change (or read) rows of an entity that no use case, part or job creates",
    fix="Name the use case that adds the rows (writes: [Entity], or the entity beside its parent in the create that makes it), or a job that does; "
    "or state the rows as a population loaded outside the system (rows: without growth).",
)
def rows_never_created(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds entities whose rows use cases read, update or act on, and that the design sizes as
    growing (rows a day above zero), while nothing creates them: no create operation of the
    entity, no create whose body writes it as a part, no relationship ``PUT`` of a link, no
    scheduled job writing its table. It names the use cases acting on the rows: a warning when
    they change them, information when they only read them (a catalogue may be kept outside the
    modelled use cases, by a back office).

    ## Why is this bad?
    The contract offers "accept ride offer" and "deny ride offer" on offers no operation makes,
    and the capacity model counts rows a day that no write inserts: either a use case is missing
    from the spec or the sizing is of rows that never exist. A client cannot use the contract
    end to end.

    ## Example
    RideOffer sized at 5 per trip; 'accept ride' and 'deny ride' change RideOffer.response; no use case writes RideOffer

    Use instead:
    'request ride' writes [Trip, RideOffer] (the offers made with the request), or a job or use case that creates them

    ## References
    E. Evans, *Domain-Driven Design* (2003), ch. 6: the life cycle of a domain object starts at a factory.
    """
    created, acting = _life(arch)
    for store in arch.datastores:
        for table in store.tables:
            entity = table.entity
            if entity is None or table.role is not None or entity in created or table.rows_per_day <= 0 or not acting.get(entity):
                continue
            changing = sorted(n for n, kind in acting[entity].items() if kind != "read")
            names = ", ".join(f"'{n}'" for n in sorted(acting[entity]))
            found = self.finding(
                f"entity {entity}",
                f"{names} {'change' if changing else 'read'} {entity} rows ({table.rows_per_day:,.0f} a day sized in {table.name}), "
                "but no use case, part of a create or job creates them",
            )
            # rows only read may be a catalogue kept outside the modelled use cases (a back office): said, not warned
            yield found if changing else dataclasses.replace(found, severity=Severity.INFO)


def _life(arch: Architecture) -> tuple[set[str], dict[str, dict[str, str]]]:
    """(entities something creates, entity -> the use cases acting on its existing rows -> "read" or "change")."""
    tables = {t.name: t.entity for s in arch.datastores for t in s.tables if t.entity}
    # a design records who inserts each table's rows (creates, parts, logging reads, jobs); an architecture read back
    # from its hand-off or assembled by hand has only its operations and jobs to tell
    recorded = {t.entity for s in arch.datastores for t in s.tables if t.entity and t.created_by}
    acting: dict[str, dict[str, str]] = {}
    created: set[str] = set()
    for api in arch.apis:
        items = {s.name: s.entity for s in api.schemas}
        parts = {s.name: {items.get(p.items or "") for p in s.properties if p.type == "array"} for s in api.schemas}
        for op in api.operations:
            if op.entity is None:
                continue
            if _creates(op):
                created.add(op.entity)
                created |= {e for e in parts.get(op.request_schema or "", set()) if e}
            elif op.kind in _ACTING and op.use_cases:
                for name in op.use_cases:
                    acting.setdefault(op.entity, {})[name] = "read" if op.kind in {"get", "list"} else "change"
    for job in arch.jobs:
        created |= {e for t in job.writes if (e := tables.get(t))}
    return recorded or created, acting


def _creates(op: Operation) -> bool:
    """A create (a register, a link's relationship ``PUT`` included) or an internal create another service calls."""
    return op.kind == "create"

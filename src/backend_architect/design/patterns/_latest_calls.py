"""A reader in another service gets a latest value kept in memory through the owner's call, never from the owner's Redis.

A get whose contract answers another service's row (a trip with its driver) calls that row's owner once per request
(``design/embeds.py``, ``called_owners``); the rate limits, the owner's request rate and its database reads count
that call. When the row's latest value lives in the owner's Redis (PAT020), the call still happens: the owner answers
the row from its database and the latest value from its Redis, beside it. Rewriting the reader's flow to read the
owner's Redis itself would drop the call the contract and the sizing count, and have one service read another's store.
"""

from __future__ import annotations

from backend_architect.design.callee_operations import Need, answering
from backend_architect.design.paths import step_entities
from backend_architect.ir.model import Architecture, Operation


def through_owner(arch: Architecture, reader: str, entity: str) -> str:
    """The service owning ``entity`` that ``reader``'s flow calls for its rows, or "" where the reader reads them itself.

    >>> from backend_architect.ir.model import Flow, FlowStep, Service
    >>> arch = Architecture(system="s", services=[Service(name="trips", entities=["Trip"]), Service(name="drivers", entities=["Driver"])],
    ...     flows=[Flow(use_case="get trip", style="sync", rationale="", steps=[FlowStep(source="rider", target="trips", kind="request",
    ...     description="get trip"), FlowStep(source="trips", target="drivers", kind="query", description="read Driver")])])
    >>> through_owner(arch, "get trip", "Driver"), through_owner(arch, "get trip", "Trip")
    ('drivers', '')
    """
    owner = next((s.name for s in arch.services if entity in s.entities), "")
    flow = next((f for f in arch.flows if f.use_case == reader and f.steps), None)
    if flow is None or not owner:
        return ""
    home = flow.steps[0].target
    called = any(
        s.kind == "query" and s.source == home and s.target == owner and s.description.startswith("read ") and entity in step_entities(s) for s in flow.steps
    )
    return owner if called and owner != home else ""


def answering_call(arch: Architecture, reader: str, entity: str) -> tuple[str, Operation] | None:
    """The owner's operation answering ``reader``'s call for ``entity`` (its internal GET by id), with the owner, if it has one."""
    owner = through_owner(arch, reader, entity)
    flow = next((f for f in arch.flows if f.use_case == reader and f.steps), None)
    if not owner or flow is None:
        return None
    api = next((a for a in arch.apis if a.service == owner), None)
    op = answering(api, Need(reader, flow.steps[0].target, owner, entity, "read"))
    return (owner, op) if op is not None else None


def with_latest_note(op: Operation, entity: str, fields: tuple[str, ...], read: str) -> Operation:
    """``op`` saying that it answers the row's latest ``fields`` from Redis (``read``: the command and key), its other columns
    from the database."""
    note = (
        f"Answers the {entity}'s latest {', '.join(fields)} from Redis ({read}) beside its other columns from the database "
        "(the row's own column is not written per update)."
    )
    if note in op.description:
        return op
    return op.model_copy(update={"description": f"{op.description} {note}".strip()})


__all__ = ["answering_call", "through_owner", "with_latest_note"]

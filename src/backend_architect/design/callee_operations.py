"""Every synchronous step from one service to another calls an operation the callee's contract has.

A flow's step on another of our services (a fresh read of its rows, a read filtered through its rows, an existence
check, a membership probe, a saga step) is only as real as the operation answering it: a design drawing
``tweets --sync--> follows`` while follows' contract has nothing tweets could call contradicts itself. So the needs
are listed once (``call_needs``), from the decisions that draw the steps, and read twice: by the API stage, which
gives each callee the operation answering each need, and by the design's last stage, which names on each step the
operation answering it in the finished contracts (``derive_call_operations``: last, as a pattern may still rename an
operation, as playback renames a video's read). What each need is answered by:

- a fresh read of another service's rows, or of rows no use case writes (no events could feed a copy): their GET by id;
- a read filtered through another service's rows read by one call (``graph_reads``: a feed's followees): a list of
  those rows by the filters the read puts on them, cursor-paged (``GET /users/{user_id}/following``);
- an existence check (``reference_checks``) or a membership probe (``membership``): the GET of the row; a parent column
  the probe needs from another service (``membership.parent_calls``: a channel's guild): the GET of that row;
- a saga step writing another service's rows: its POST, idempotent.

An operation a client use case already has there gains the caller in ``x-consumers``; else one marked ``x-internal``
is added (``api.operations.ServiceApi.add_for_consumer``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from backend_architect.design.analysis import Analysis
from backend_architect.design.embeds import called_owners, embeds
from backend_architect.design.graph_reads import graph_reads
from backend_architect.design.membership import parent_calls, table_owners
from backend_architect.design.read_cycles import copied_reads
from backend_architect.design.routing_steps import routing_row
from backend_architect.design.service_calls import CALL_KINDS
from backend_architect.design.usecases import remote_access, unfed_reads
from backend_architect.ir.model import Api, Architecture, MembershipCheck, Operation, ReferenceCheck
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import table_name

Mode = Literal["read", "write", "list"]


@dataclass(frozen=True)
class Need:
    """One use case's need of another service: ``mode`` of ``entity``, answered by one operation of ``callee``."""

    use_case: str
    consumer: str
    callee: str
    entity: str
    mode: Mode


def call_needs(spec: Spec, analysis: Analysis, arch: Architecture, checks: list[ReferenceCheck], members: list[MembershipCheck]) -> list[Need]:
    """Every synchronous need a use case has of another service, in spec order, from the decisions drawing the steps
    (``arch``: its services and deployment; ``checks`` and ``members``: the reference and membership checks)."""
    owner = {e: s.name for s in arch.services for e in s.entities}
    copied = copied_reads(list(analysis.use_cases), owner)
    fed = {u.entity for u in analysis.use_cases if u.is_write} | {e for u in analysis.use_cases for e in u.writes}
    graphs = {(u.name, r.entity): r for u, r in graph_reads(spec, analysis, arch, checks, members)}
    needs: list[Need] = []
    queried: set[tuple[str, str]] = set()
    for use_case in analysis.use_cases:
        if use_case.entity not in owner:
            continue
        home = owner[use_case.entity]
        reads, writes = remote_access(use_case, owner, copied)
        for service in sorted({*reads, *unfed_reads(use_case, owner, fed), *called_owners(spec, analysis, use_case, owner)}):
            read = [e for e in use_case.reads if owner[e] == service]
            queried.update((use_case.name, e) for e in read)
            # a read filtered through the rows it reads is that graph read alone (``graph_reads.graph_flow`` draws it): a list
            if len(read) == 1 and (use_case.name, read[0]) in graphs:
                continue
            # a get answering another service's children inside its item lists them by the item's key (design/embeds.py)
            found = embeds(spec, analysis, use_case)
            needs += [Need(use_case.name, home, service, e, "list" if found.child(e) else "read") for e in read]
        for service, entities in writes.items():
            needs += [Need(use_case.name, home, service, e, "write") for e in entities]
    for (name, entity), graph in graphs.items():
        # a modular monolith's module reads another's graph in process, yet still through that module's operation
        in_process = graph.how == "local" and graph.owner != graph.home and (name, entity) in queried
        if graph.how == "call" or in_process:
            needs.append(Need(name, graph.home, graph.owner, entity, "list"))
    homes = {u.name: owner.get(u.entity, "") for u in analysis.use_cases}
    for check in (c for c in checks if c.check == "query"):
        needs.append(Need(check.use_case, homes.get(check.use_case, ""), check.owner, check.entity, "read"))
    for member in (m for m in members if m.check == "query"):
        needs.append(Need(member.use_case, homes.get(member.use_case, ""), member.service, member.members, "read"))
    # a parent column another service holds, read on the way to the scope (a message's channel's guild): that row's GET there
    entity_of = {table_name(e): e for e in owner}
    for member in members:
        home = homes.get(member.use_case, "")
        for callee, tables in parent_calls(table_owners(owner), member.via, home, member.service).items():
            needs += [Need(member.use_case, home, callee, entity_of[t], "read") for t in tables if t in entity_of]
    # the row a write reads for the id its event is routed by (design.recipient_reads), once the flows draw it
    for flow in arch.flows:
        needs += [Need(flow.use_case, s.source, s.target, row, "read") for s in flow.steps if (row := routing_row(s)) is not None]
    return list(dict.fromkeys(n for n in needs if n.consumer and n.consumer != n.callee))


def answers(op: Operation, need: Need) -> bool:
    """``op`` is the one answering ``need``: of its entity, the caller among its consumers, and of the need's shape."""
    if op.entity != need.entity or need.consumer not in op.consumers:
        return False
    if need.mode == "write":
        return op.method == "post"
    return op.method == "get" and op.kind == ("list" if need.mode == "list" else "get")


def answering(api: Api | None, need: Need) -> Operation | None:
    """The operation of the callee's ``api`` answering ``need``, if it has one."""
    return next((op for op in api.operations if answers(op, need)), None) if api is not None else None


def derive_call_operations(spec: Spec, analysis: Analysis, arch: Architecture) -> Architecture:
    """Each synchronous step on another service names the callee's operations answering its use case's needs of it.

    One step to a callee batches every need of one request (``service_calls``), so it names them all; a step with no
    answering operation names none, which the critic reports (DES027)."""
    apis = {a.service: a for a in arch.apis}
    services = {s.name for s in arch.services}
    wanted: dict[tuple[str, str, str], list[str]] = {}
    for need in call_needs(spec, analysis, arch, arch.reference_checks, arch.membership_checks):
        op = answering(apis.get(need.callee), need)
        if op is not None:
            named = wanted.setdefault((need.use_case, need.consumer, need.callee), [])
            named += [] if op.operation_id in named else [op.operation_id]
    flows = []
    for flow in arch.flows:
        steps = [
            s.model_copy(update={"operations": wanted.get((flow.use_case, s.source, s.target), [])})
            if s.kind in CALL_KINDS and s.source in services and s.target in services and s.source != s.target
            else s
            for s in flow.steps
        ]
        flows.append(flow.model_copy(update={"steps": steps}))
    return arch.model_copy(update={"flows": flows})


__all__ = ["Need", "answering", "answers", "call_needs", "derive_call_operations"]

"""A synchronous call one service makes to another is load on the callee: counted once, from the flows.

The flows (``design/communication.py``, ``reference_checks.checked_flow``) hold one synchronous
step per callee a request needs: a fresh read answered by the owner's internal API, an existence
check of a referenced row, a saga step writing the callee's rows. Each is one request the callee
serves per request of the caller (the caller batches what it needs from one callee into one call,
as the flow's single hop and its latency say), so every record of the callee's load reads it here:

- its request rate and instances (``qps.peak.service.<callee>``): ``check_<operation>`` where the
  call is an existence check (``reference_checks.check_requests``, which this reuses), else
  ``call_<operation>``; one key per (operation, callee), so a query that also checks counts once;
- its database's reads: one read of the rows asked for per call (``call_loads``), selected by the columns the caller's filters
  name on the callee's rows (``call_selects``), so a callee table sharded by another column counts the call on every shard
  it asks, as a client's read by that column is counted; a check's read is
  ``request_steps`` (a request's checks), and a saga step's write is the callee's write, counted there.
  Where the caller caches its answers, the call is still counted on every request, as the caller's
  latency charges the hop to every request: the callee is sized for the cache being cold or down;
- in a modular monolith a module calls another through its internal operation too (in process or not): the call is
  work the callee module serves, counted in its load as a service's is, and the one database takes its reads.
"""

from __future__ import annotations

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.membership import membership_requests, parent_calls, table_owners
from backend_architect.design.reference_checks import CHECKED_BY_OWNER, check_requests
from backend_architect.design.routing_steps import routing_row
from backend_architect.ir.model import Architecture, Flow, MembershipCheck
from backend_architect.ir.runtime import StoreLoad
from backend_architect.spec.naming import table_name

#: The flow steps that are a synchronous call on another of our services: a read (or a check) and a saga step.
CALL_KINDS = frozenset({"query", "call"})


def operation_of(arch: Architecture, use_case: str, fallback: str) -> str:
    """The operation id clients call for ``use_case`` (its first public operation), else ``fallback``."""
    return next((op.operation_id for api in arch.apis for op in api.operations if use_case in op.use_cases and not op.internal), fallback)


def _calls(analysis: Analysis, arch: Architecture) -> list[tuple[str, str, str, Flow]]:
    """(callee, operation, step kind, flow) for each synchronous step on another of our services, one per (flow, callee)."""
    services = {s.name for s in arch.services}
    ids = {u.name: u.id for u in analysis.use_cases}
    found: list[tuple[str, str, str, Flow]] = []
    for flow in arch.flows:
        if not flow.steps or flow.use_case not in ids:
            continue
        home = flow.steps[0].target
        seen: set[str] = set()
        for step in flow.steps:
            if step.kind in CALL_KINDS and step.source == home and step.target in services - {home} and step.target not in seen:
                seen.add(step.target)
                found.append((step.target, operation_of(arch, flow.use_case, ids[flow.use_case]), step.kind, flow))
    return found


def calls_made(flow: Flow, callee: str) -> int:
    """Calls one request of ``flow`` makes of ``callee``: the most any of its steps on it makes (a paged list read until done, a
    GET for each row a page names: ``FlowStep.calls``), one where a step makes one.

    >>> from backend_architect.ir.model import FlowStep
    >>> asked = FlowStep(source="u", target="a", kind="request", description="r")
    >>> steps = [asked, FlowStep(source="a", target="b", kind="query", description="read B", calls=20)]
    >>> calls_made(Flow(use_case="r", style="sync", rationale="", steps=steps), "b")
    20
    """
    home = flow.steps[0].target if flow.steps else ""
    return max((s.calls for s in flow.steps if s.kind in CALL_KINDS and s.source == home and s.target == callee), default=1)


def _checked(arch: Architecture) -> set[tuple[str, str]]:
    """(callee, operation) of the calls that are checks: existence checks and membership probes, counted as ``check_``."""
    found = {(c.owner, c.operation) for c in arch.reference_checks if c.check == CHECKED_BY_OWNER and c.peak}
    return found | {(c.service, c.operation) for c in arch.membership_checks if c.check == "query" and c.peak}


def call_requests(analysis: Analysis, arch: Architecture) -> dict[str, dict[str, float]]:
    """Per callee, the requests/s at peak other services' synchronous calls make of it: ``check_<operation>`` for an existence
    check, ``call_<operation>`` for any other call."""
    found = check_requests(arch.reference_checks)
    for callee, requests in membership_requests(arch.membership_checks).items():
        for key, peak in requests.items():
            found.setdefault(callee, {})[key] = max(peak, found.get(callee, {}).get(key, 0.0))
    checked = _checked(arch)
    peaks = {u.name: u.peak_qps for u in analysis.use_cases if u.spec.rate is not None}
    for callee, operation, _, flow in _calls(analysis, arch):
        if (callee, operation) not in checked and peaks.get(flow.use_case):
            found.setdefault(callee, {})[f"call_{operation}"] = peaks[flow.use_case] * calls_made(flow, callee)
    # a get the design adds for a created row serves no flow, yet its membership probe reads parent columns elsewhere too
    for check, callee, _ in _derived_parent_calls(arch):
        found.setdefault(callee, {})[f"call_{check.operation}"] = check.peak
    return found


def _derived_parent_calls(arch: Architecture) -> list[tuple[MembershipCheck, str, list[str]]]:
    """(check, callee, entities) for each parent column a derived get's membership probe reads from another service
    (``membership.parent_calls``): the get has no flow to draw it, so it is counted here at the get's own rate."""
    owner = {e: s.name for s in arch.services for e in s.entities}
    home = {op.operation_id: api.service for api in arch.apis for op in api.operations}
    entity_of = {table_name(e): e for e in owner}
    found = []
    for check in arch.membership_checks:
        if check.use_case or not check.peak:
            continue
        for callee, tables in parent_calls(table_owners(owner), check.via, home.get(check.operation, ""), check.service).items():
            found.append((check, callee, [entity_of[t] for t in tables if t in entity_of]))
    return found


def call_selects(use_case: UseCase, entity: str) -> tuple[str, list[str]]:
    """The column a call's read of ``entity`` selects rows by and the other columns it names (``StoreLoad.by``, ``carries``):
    the columns ``use_case``'s filters put on ``entity``'s own rows, in the spec's order; ('', []) where none does (a read of
    the rows by their key). Why: the callee answers the call with one query by those columns, so where its table is sharded
    by another column that query asks every shard, and the capacity must count it there (``_cross_shard_reads``), not as keyed.

    >>> from types import SimpleNamespace as N
    >>> by_sender = N(filters=(N(entity="Message", column="sender_id", constant=None), N(entity="Receipt", column="user_id", constant=None)))
    >>> call_selects(by_sender, "Message")
    ('sender_id', [])
    >>> call_selects(N(filters=()), "Message")
    ('', [])
    """
    columns = [f.column for f in use_case.filters if f.entity == entity and f.column]
    columns = list(dict.fromkeys(columns))
    return (columns[0], columns[1:]) if columns else ("", [])


def _parent_rows(analysis: Analysis, arch: Architecture, owner: dict[str, str]) -> dict[tuple[str, str], list[str]]:
    """(use case, callee) -> the entities whose parent column the use case's membership probe reads there (``membership.parent_calls``)."""
    homes = {u.name: owner.get(u.entity, "") for u in analysis.use_cases}
    entity_of = {table_name(e): e for e in owner}
    found: dict[tuple[str, str], list[str]] = {}
    for check in arch.membership_checks:
        for callee, tables in parent_calls(table_owners(owner), check.via, homes.get(check.use_case, ""), check.service).items():
            found.setdefault((check.use_case, callee), []).extend(entity_of[t] for t in tables if t in entity_of)
    return found


def call_loads(analysis: Analysis, arch: Architecture) -> list[StoreLoad]:
    """The reads each callee makes of its store to answer a read across services: one read of the rows asked for per call.
    Existence checks are ``request_steps``."""
    owner = {e: s.name for s in arch.services for e in s.entities}
    checked = _checked(arch)
    by_name = {u.name: u for u in analysis.use_cases if u.spec.rate is not None}
    # a path whose cache answers whole requests still has every request counted here: its figure says so
    cached = {c.use_case for c in arch.caches if c.strategy in {"cache-aside", "cdn", "http"}}
    parents = _parent_rows(analysis, arch, owner)
    found: list[StoreLoad] = []
    for callee, operation, kind, flow in _calls(analysis, arch):
        use_case = by_name.get(flow.use_case)
        if use_case is None or kind != "query" or (callee, operation) in checked:
            continue
        # a read filtered through another service's rows (a feed by the reader's follows) reads them there too
        # or a row the flow reads for an id its event carries (design.recipient_reads: a receipt's message, for its sender)
        drawn = [e for s in flow.steps if s.target == callee and (e := routing_row(s)) is not None]
        # or the row holding a parent column a membership probe needs on the way to its scope (a message's channel, for its guild)
        drawn += parents.get((flow.use_case, callee), [])
        entity = next((e for e in [*use_case.reads, *(f.entity for f in use_case.filters), *drawn] if owner.get(e) == callee), None)
        if entity is None:
            continue
        calls = calls_made(flow, callee)
        per = "one a request" if calls == 1 else f"{calls} a request"
        by, carries = call_selects(use_case, entity)
        found.append(
            StoreLoad(
                entity=entity,
                key=f"call_{operation}_{callee}",
                quantity=f"reads/s {callee} makes of {entity} to answer {use_case.name}'s synchronous call{'' if calls == 1 else 's'} ({per}"
                + (", its cache's hits included: sized for that cache cold or down)" if use_case.name in cached else ")"),
                reads_per_s=use_case.peak_qps * calls,
                formula="peak (one call a request)" if calls == 1 else "peak x calls_per_request",
                inputs={"peak": use_case.peak_qps} | ({} if calls == 1 else {"calls_per_request": float(calls)}),
                by=by,
                carries=carries,
            )
        )
    for check, callee, entities in _derived_parent_calls(arch):
        found += [
            StoreLoad(
                entity=entity,
                key=f"call_{check.operation}_{callee}",
                quantity=f"reads/s {callee} makes of {entity} to answer {check.operation}'s membership probe's call for its parent column (one a request)",
                reads_per_s=check.peak,
                formula="peak (one call a request)",
                inputs={"peak": check.peak},
            )
            for entity in entities
        ]
    return found


__all__ = ["CALL_KINDS", "call_loads", "call_requests", "call_selects", "calls_made", "operation_of"]

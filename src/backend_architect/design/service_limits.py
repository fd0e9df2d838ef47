"""An internal operation's rate limit is sized from the peak rates of the services calling it.

Limits per token subject are sized for people (``security``): a client's share of its actor's peak. A service calling
another holds one client-credentials identity for all its instances and carries every user's request, so a limit sized
for one person (or the most generous actor's, as an operation no use case covers would take) throttles the call the
design counts on: a feed read calling the follow graph 300,000 times a second against 240 a second allowed. So each
operation only services call gets a limit of its own per calling service: the peak of the use cases whose steps call it
(each call of a request: one where ``service_calls`` batches a request's needs of one callee into one call, more where the
request pages a list until done or gets each row its page names, ``FlowStep.calls``), times the same
headroom people get, and the one limit a contract states is the largest calling service's. A client operation another
service also calls keeps its people's limit and states the services' beside it (``x-rate-limit.services``).

A request checking several ids on the owner calls its operation once per id (``reference_checks.ids_checked``), so the limit
is sized on those calls, the ones the owner serves. The key a limit is counted by is the contract's (``part_calls``): the
calling service's token, or the client IP where the operation is public. Within one deployable a module calls another in
process, through no limiter, so a modular monolith gets no such limit.
"""

from __future__ import annotations

import math

from backend_architect.design.analysis import Analysis
from backend_architect.design.callee_operations import answers, call_needs
from backend_architect.design.reference_checks import ids_checked
from backend_architect.design.service_calls import calls_made
from backend_architect.ir.model import Architecture, Operation, RateLimit
from backend_architect.ir.part_calls import CLIENT_IP_KEY, SERVICE_ACTOR, service_limit_key, services_call_over_http
from backend_architect.spec.model import Spec


def service_limits(
    spec: Spec, analysis: Analysis, arch: Architecture, headroom: int, floors: dict[str, int], defaults: dict[str, int], burst_seconds: int
) -> list[RateLimit]:
    """One limit per operation other services call, per calling service: its callers' peak rates x ``headroom`` (at least ``floors``;
    ``defaults`` where no caller states a rate), bursts of ``burst_seconds``' worth."""
    if not services_call_over_http(arch):
        return []
    peaks = {u.name: u.peak_qps for u in analysis.use_cases}
    checked = ids_checked(arch.reference_checks)
    needs = call_needs(spec, analysis, arch, arch.reference_checks, arch.membership_checks)
    flows = {f.use_case: f for f in arch.flows}
    limits = []
    for api in arch.apis:
        for op in (o for o in api.operations if o.consumers):
            by_caller: dict[str, dict[str, float]] = {}
            per_request: dict[str, int] = {}
            for need in (n for n in needs if n.callee == api.service and answers(op, n)):
                # a request paging a list until done, or getting each row its page names, calls as often (design/call_pages.py)
                flow = flows.get(need.use_case)
                calls = calls_made(flow, need.callee) if flow is not None else 1
                rate = peaks.get(need.use_case, 0.0) * calls
                # a check calls once per id it checks, each at its own share of the requests
                ids, checks_rate = checked.get((need.use_case, need.callee, need.entity), (0, 0.0))
                if ids and checks_rate > rate:
                    calls, rate = ids, checks_rate
                by_caller.setdefault(need.consumer, {})[need.use_case] = rate
                per_request[need.use_case] = calls
            if not by_caller:
                continue
            op_class = "read" if op.method == "get" else "write"
            caller, uses = max(by_caller.items(), key=lambda kv: (sum(kv[1].values()), kv[0]))
            peak = sum(uses.values())
            # callers whose use cases state no rate give nothing to size by: the class's default, as for people
            limit = max(floors[op_class], math.ceil(peak * 60 * headroom)) if peak > 0 else defaults[op_class]
            terms = [f"'{name}' {_rate(rate, per_request[name])}" for name, rate in sorted(uses.items())]
            said = terms[0] if len(terms) == 1 else f"{' + '.join(terms)} = {peak:,.1f}"
            others = sorted(set(by_caller) - {caller})
            limits.append(
                RateLimit(
                    actor=SERVICE_ACTOR,
                    operation_class=op_class,
                    limit_per_minute=limit,
                    burst=max(1, limit * burst_seconds // 60),
                    rationale=f"{op.operation_id}, per {_keyed(op)}: "
                    + (
                        f"{caller} calls it {_how_often({u: per_request[u] for u in uses})} {said} req/s at peak = {peak * 60:,.0f}/min, x{headroom} headroom"
                        + (f", raised to the floor of {limit}/min" if limit > math.ceil(peak * 60 * headroom) else "")
                        if peak > 0
                        else f"no rate is given for the use cases calling it ({', '.join(sorted({u for c in by_caller.values() for u in c}))}): "
                        f"the default of {limit}/min"
                    )
                    + (f"; {', '.join(others)} call it less" if others and peak > 0 else ""),
                    operations=[op.operation_id],
                )
            )
    return limits


def _keyed(op: Operation) -> str:
    """What one calling service's limit on ``op`` is counted by: the key the contract's ``x-rate-limit.services.key`` names.

    >>> op = Operation(operation_id="getAnswer", method="get", path="/a/{id}", summary="s", tag="t", kind="get", auth="none")
    >>> _keyed(op)
    'client IP (a public operation: the calling service sends no token, as any caller)'
    >>> _keyed(op.model_copy(update={"auth": "required"}))
    "calling service's token (its client-credentials token: one client for all its users' requests)"
    """
    key = service_limit_key(op)
    if key == CLIENT_IP_KEY:
        return f"{key} (a public operation: the calling service sends no token, as any caller)"
    return f"{key} (its client-credentials token: one client for all its users' requests)"


def _how_often(per_request: dict[str, int]) -> str:
    """How often a caller's requests call: once each, or as many times as the terms after it say.

    >>> _how_often({"a": 1}), _how_often({"a": 1, "b": 2})
    ('once a request of', 'for')
    """
    return "once a request of" if all(n == 1 for n in per_request.values()) else "for"


def _rate(rate: float, calls: int) -> str:
    """A use case's calls/s: its peak, times the calls one request makes where it makes several.

    >>> _rate(300.0, 1), _rate(6000.0, 20)
    ('300.0', '300.0 x 20 calls a request = 6,000.0')
    """
    return f"{rate:,.1f}" if calls == 1 else f"{rate / calls:,.1f} x {calls} calls a request = {rate:,.1f}"


__all__ = ["SERVICE_ACTOR", "service_limits"]

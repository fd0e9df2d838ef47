"""Timeouts, retries and circuit breakers for each synchronous hop, from the use case's budgets.

Each flow's expected latency is the sum of its hops; its availability is the product of
the availabilities of every part the request needs (Google SRE, "The calculus of service
availability"). Both are compared with the spec's targets by the bottleneck stage.
"""

from __future__ import annotations

from backend_architect.design.analysis import UseCase
from backend_architect.ir.model import Flow
from backend_architect.spec.model import Spec

#: Used when a use case states no latency target.
DEFAULT_LATENCY_BUDGET_MS = 500.0
#: Expected latency of one call between our own services (network, serialization, a query).
INTERNAL_HOP_MS = 20.0
#: Expected latency of an external system that states none.
DEFAULT_EXTERNAL_MS = 300.0
#: The availability target when the spec gives none.
DEFAULT_AVAILABILITY = 0.999
#: Our own components are built one nine better than the target they serve (Google SRE: a
#: critical dependency must be an order of magnitude more available than its dependants).
OWN_NINES_MARGIN = 10
#: A call on another module of one deployable: a function call, timed apart from the store access it makes (that is the
#: request's step or store part), never a network hop.
IN_PROCESS_CALL_MS = 1.0
#: Share of the budget the synchronous hops may use; the rest is the service's own work.
HOP_BUDGET_SHARE = 0.8
#: A timeout is a multiple of the hop's expected latency (tail latency), capped by its budget share.
TIMEOUT_TAIL_FACTOR = 3.0
#: ...and never below this multiple of it: a timeout under the expected latency fails the usual call, not the slow one. Where
#: the budget's share is smaller, the floor wins and the flow's expected latency past its budget says so (the bottleneck stage).
TIMEOUT_FLOOR_FACTOR = 1.5


def plan_flow(spec: Spec, use_case: UseCase, flow: Flow, *, in_process: bool) -> Flow:
    """The flow with per-hop timeouts and retries, its expected latency and composite availability.

    ``in_process``: the services are modules of one deployable, so a call between them is a
    function call, not a hop: the flow's expected latency here is its network hops alone (the latency
    stage adds each in-process call at ``IN_PROCESS_CALL_MS``, the callee's reads being the request's
    steps), it adds no failure mode and no timeout, and the depth counts only the hops that leave the
    process (externals), so they share the budget among themselves.
    """
    budget = use_case.spec.latency_ms or DEFAULT_LATENCY_BUDGET_MS
    service_availability = 1 - (1 - (spec.scale.availability or DEFAULT_AVAILABILITY)) / OWN_NINES_MARGIN
    hops = [s for s in flow.steps if s.kind == "external" or (s.kind in {"query", "call"} and not in_process)]
    share = budget * HOP_BUDGET_SHARE / max(1, len(hops))
    steps = [flow.steps[0]]
    latency = 0.0
    availability = service_availability
    for step in flow.steps[1:]:
        if step.kind not in {"query", "call", "external"}:
            steps.append(step)
            continue
        if in_process and step.kind != "external":
            steps.append(step)  # a function call: no timeout, retry or breaker to configure, no failure of its own
            continue
        external = spec.external.get(step.target) if step.kind == "external" else None
        if step.kind == "external":
            expected = external.latency_ms if external and external.latency_ms else DEFAULT_EXTERNAL_MS
            part = external.availability if external and external.availability else service_availability
        else:
            expected, part = INTERNAL_HOP_MS, service_availability
        latency += expected
        availability *= part
        timeout = max(min(expected * TIMEOUT_TAIL_FACTOR, share), expected * TIMEOUT_FLOOR_FACTOR)
        # reads are idempotent; saga steps carry an Idempotency-Key; external calls are retried only when time allows two tries
        retries = 1 if timeout * 2 <= share else 0
        steps.append(step.model_copy(update={"timeout_ms": round(timeout), "retries": retries, "circuit_breaker": True}))
    return flow.model_copy(
        update={
            "steps": steps,
            "depth": len(hops),
            "latency_budget_ms": budget,
            "expected_latency_ms": latency,
            "availability": availability,
            "availability_target": spec.scale.availability,
        }
    )

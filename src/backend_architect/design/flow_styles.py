"""A flow's style says what its steps do: a flow that calls another service within the request is not local.

Mechanisms add synchronous steps to a flow after the communication stage styled it (a membership
check, a reference check, a graph read), and others rewrite it later (a read a store serves keeps
the steps it does not serve). Each rewrite restyling from its own steps alone can call a flow
``local`` while a kept step still calls another service on every request: this stage, run once
every flow is final, counts the steps themselves.
"""

from __future__ import annotations

from backend_architect.design.analysis import Analysis
from backend_architect.ir.model import Architecture, Flow, FlowStep
from backend_architect.spec.model import Spec

#: Step kinds that wait for an answer: the caller's request cannot finish before the callee does.
_SYNCHRONOUS = frozenset({"query", "call"})


def service_calls(flow: Flow, services: frozenset[str]) -> list[FlowStep]:
    """The synchronous steps of ``flow`` from its home service to another service (stores and externals are not services).

    >>> from backend_architect.ir.model import FlowStep
    >>> flow = Flow(use_case="list", style="local", rationale="", steps=[FlowStep(source="u", target="messages", kind="request", description="list"),
    ...     FlowStep(source="messages", target="members", kind="query", description="check the caller is a member of the Server"),
    ...     FlowStep(source="messages", target="redis", kind="query", description="read the page")])
    >>> [s.target for s in service_calls(flow, frozenset({"messages", "members"}))]
    ['members']
    """
    if not flow.steps:
        return []
    home = flow.steps[0].target
    return [s for s in flow.steps if s.kind in _SYNCHRONOUS and s.source == home and s.target != home and s.target in services]


def settled_flow(flow: Flow, services: frozenset[str]) -> Flow:
    """``flow`` styled ``sync`` when it is called local but calls another service within the request, the calls said.

    Only ``local`` is corrected: it claims the request stays in one service, which a call contradicts; an event-driven or
    saga flow already says it crosses services.

    >>> from backend_architect.ir.model import FlowStep
    >>> flow = Flow(use_case="list", style="local", rationale="served by cassandra", steps=[
    ...     FlowStep(source="u", target="messages", kind="request", description="list"),
    ...     FlowStep(source="messages", target="members", kind="query", description="check the caller is a member of the Server")])
    >>> settled = settled_flow(flow, frozenset({"messages", "members"}))
    >>> settled.style, settled.rationale
    ('sync', 'served by cassandra; calls members synchronously on every request (check the caller is a member of the Server)')
    """
    calls = service_calls(flow, services)
    if flow.style != "local" or not calls:
        return flow
    said = "; ".join(
        f"calls {target} synchronously on every request ({', '.join(s.description for s in calls if s.target == target)})"
        for target in dict.fromkeys(s.target for s in calls)
    )
    return flow.model_copy(update={"style": "sync", "rationale": f"{flow.rationale}; {said}" if flow.rationale else said})


def derive_flow_styles(spec: Spec, analysis: Analysis, arch: Architecture) -> Architecture:
    """Every flow's style counted from its final steps (``settled_flow``)."""
    services = frozenset(s.name for s in arch.services)
    flows = [settled_flow(f, services) for f in arch.flows]
    return arch if flows == arch.flows else arch.model_copy(update={"flows": flows})

"""A synchronous call between services calls an operation of the callee's contract, and the contract says who calls it."""

from __future__ import annotations

from collections.abc import Iterator

from backend_architect.ir.model import Architecture
from backend_architect.rules.model import Finding, Rule, Severity, rule

#: The flow steps that call another of our services synchronously: a read (or a check) and a saga step.
_SYNC = frozenset({"query", "call"})


@rule(
    code="DES027",
    name="sync-call-without-operation",
    severity=Severity.ERROR,
    title="A synchronous call between services names no operation of the callee's contract",
    fix="Give the callee the operation the step needs (a GET of the row, a cursor-paged list by the caller's filters, a POST for "
    "a saga step), marked x-internal when no client use case serves it, with the caller in x-consumers, and name it on the step.",
)
def sync_call_without_operation(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Reads every flow step that calls another of the design's services synchronously (a query
    or a saga call) and reports one that names no operation, names an operation the callee's
    contract does not have, or names one whose ``x-consumers`` leaves the caller out; and an
    operation whose ``x-consumers`` names a service no step of which calls it.

    ## Why is this bad?
    The architecture then depends on an API its own contracts do not have: the callee's team
    builds from its OpenAPI document and never builds the endpoint, the caller's team has
    nothing to code against, and the callee's capacity, rate limits and change reviews miss a
    caller it serves at the caller's full rate (300,000 calls/s for a home timeline merged
    over the follow graph).

    ## Example
    tweets -> follows query "read Follow: the reader's followees", while openapi/follows.yaml
    has only followUser (PUT /v1/users/{user_id}/following/{followee_id})

    Use instead:
    the step names listFollowsForServices: GET /v1/users/{user_id}/following, cursor-paged,
    x-internal: true, x-consumers: [tweets]

    ## References
    Newman, *Building Microservices* (2nd ed.), ch. 5 (explicit schemas for service
    interfaces); Richardson, *Microservices Patterns*, ch. 3 (an API per service, its
    clients known).
    """
    services = {s.name for s in arch.services}
    apis = {a.service: a for a in arch.apis}
    for flow in arch.flows:
        for step in flow.steps:
            if step.kind not in _SYNC or step.source == step.target or not {step.source, step.target} <= services:
                continue
            where = f"flow {flow.use_case}"
            hop = f"{step.source} -> {step.target} ({step.description})"
            if not step.operations:
                yield self.finding(where, f"{hop} names no operation of {step.target}'s contract")
                continue
            api = apis.get(step.target)
            ops = {op.operation_id: op for op in api.operations} if api is not None else {}
            for name in step.operations:
                op = ops.get(name)
                if op is None:
                    yield self.finding(where, f"{hop} calls {name}, which {step.target}'s contract does not have")
                elif step.source not in op.consumers:
                    yield self.finding(where, f"{hop} calls {name}, whose x-consumers leaves {step.source} out")
    if not arch.flows:
        return  # contracts without the flows that call them (a hand-made IR): nothing says who calls what
    called = {(s.source, s.target, name) for f in arch.flows for s in f.steps for name in s.operations}
    for api in arch.apis:
        for op in api.operations:
            for consumer in (c for c in op.consumers if (c, api.service, op.operation_id) not in called):
                yield self.finding(f"operation {api.service}.{op.operation_id}", f"x-consumers names {consumer}, but no step of {consumer}'s calls it")


__all__ = ["sync_call_without_operation"]

"""What each person's rate limit covers, read from the one assignment the contract's ``x-rate-limit`` uses.

A "covers" list written from the use cases that sized a limit drifts from the contract as soon as an operation
carries a limit no use case of its actor names (a get of one item, a heartbeat) or several actors share an
operation: the table then says one thing and the contract another. Both read ``ir.query.operation_limit`` here.
"""

from __future__ import annotations

from backend_architect.ir.model import Architecture
from backend_architect.ir.part_calls import served_over_http
from backend_architect.ir.query import operation_limit


def limit_covers(arch: Architecture) -> list[list[str]]:
    """Per limit of the security model, in its order: the use cases (and, for an operation no use case names, its
    operationId) whose operations carry it. One pass over the operations, so a large design assigns each once.

    >>> from backend_architect.ir.model import Api, Operation, RateLimit, SecurityModel
    >>> read = RateLimit(actor="user", operation_class="read", limit_per_minute=60, burst=10, rationale="", use_cases=["view"])
    >>> fast = RateLimit(actor="partner", operation_class="read", limit_per_minute=900, burst=150, rationale="", use_cases=["feed"])
    >>> ops = [Operation(operation_id=i, method="get", path=f"/{i}", summary="s", tag="t", kind="get", use_cases=u)
    ...        for i, u in (("view", ["view"]), ("feed", ["feed"]), ("getItem", []))]
    >>> arch = Architecture(system="s", apis=[Api(service="s", title="S", operations=ops)],
    ...                     security=SecurityModel(authentication="a", rate_limits=[read, fast]))
    >>> limit_covers(arch)
    [['view', 'getItem'], ['feed']]
    """
    limits = arch.security.rate_limits if arch.security else []
    found: list[dict[str, None]] = [{} for _ in limits]
    at = {id(r): i for i, r in enumerate(limits)}
    for api in arch.apis:
        for op in api.operations:
            limit = operation_limit(arch, op) if served_over_http(arch, op) else None
            if limit is not None and id(limit) in at:
                found[at[id(limit)]].update(dict.fromkeys(op.use_cases or [op.operation_id]))
    # the use cases that sized a limit first, in their order, so the list reads as the rationale's figures do
    return [[u for u in r.use_cases if u in names] + [n for n in names if n not in r.use_cases] for r, names in zip(limits, found, strict=True)]


def covers_texts(arch: Architecture) -> list[str]:
    """Per limit, in order, the "covers" clause design.md's security table and the hand-off's rationale end with; none for a
    calling service's limit, whose rationale names the operations it is counted on."""
    limits = arch.security.rate_limits if arch.security else []
    texts = []
    for limit, covered in zip(limits, limit_covers(arch), strict=True):
        if limit.operations:
            texts.append("")
        elif covered:
            texts.append(f"; covers {', '.join(covered)}")
        else:
            texts.append("; covers no operation (each one its use cases reach carries another actor's limit)")
    return texts

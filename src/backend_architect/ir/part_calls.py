"""How one part of the system calls another's operation, told the same way by every section that tells it.

Within one deployable (a modular monolith) a module's call on another is a function call: no HTTP request, no token, no
limiter between them. Across deployables it is an HTTP request: with the calling service's client-credentials token where
the operation asks for a token, as any caller where it asks for none. The contract's descriptions and security, the
sequences, the security section's rate limits, the hand-off and the scaffold each read these rules, so none of them tells a
call another way than the flows make it (issue 22, class q3).
"""

from __future__ import annotations

from backend_architect.ir.deployment import one_deployable
from backend_architect.ir.model import Api, Architecture, Operation

#: The actor of a limit sized for calling services (the contract's ``x-rate-limit.actor``).
SERVICE_ACTOR = "service"
#: The key of a calling service's limit on an operation that asks for a token: the token issued to that service.
SERVICE_TOKEN_KEY = "calling service's token"
#: The key of every limit on a public operation, a calling service's included: it sends no token to count by.
CLIENT_IP_KEY = "client IP"


def served_over_http(arch: Architecture, op: Operation) -> bool:
    """Whether ``op`` is an HTTP operation of the contract: every one, except an internal one of a modular monolith.

    Why: only the deployable's own modules call an internal operation, and within one deployable they call it in process,
    so published as an HTTP path it would be an endpoint nobody calls, guarded by a token nobody holds. It stays a module
    interface (the flows and the sequences name it, called in process).

    >>> op = Operation(operation_id="getUserForServices", method="get", path="/users/{id}", summary="s", tag="t", kind="get", internal=True)
    >>> served_over_http(Architecture(system="s", deployment="modular-monolith"), op)
    False
    >>> served_over_http(Architecture(system="s", deployment="microservices"), op)
    True
    """
    return not (op.internal and one_deployable(arch))


def http_operations(arch: Architecture, api: Api) -> list[Operation]:
    """The operations of ``api`` its contract publishes as HTTP paths (``served_over_http``), in order."""
    return [op for op in api.operations if served_over_http(arch, op)]


def module_interfaces(arch: Architecture, api: Api) -> list[Operation]:
    """The operations of ``api`` only other modules of the same deployable call, in process: the rest of ``http_operations``."""
    return [op for op in api.operations if not served_over_http(arch, op)]


def services_call_over_http(arch: Architecture) -> bool:
    """Whether a part's call on another is an HTTP request (with a service token, with per-service limits): only across deployables.

    >>> services_call_over_http(Architecture(system="s", deployment="modular-monolith"))
    False
    """
    return not one_deployable(arch)


def service_limit_key(op: Operation) -> str:
    """What a calling service's rate limit on ``op`` is counted by: its client-credentials token where ``op`` asks for a
    token, its client IP where ``op`` is public (it calls as any caller, with no token to count by).

    Why one function: the design's security table, the contract's ``x-rate-limit.services.key`` and the scaffold's limiter
    (which reads the contract) must name the same key for the same (operation, caller).

    >>> public = Operation(operation_id="getAnswer", method="get", path="/a/{id}", summary="s", tag="t", kind="get", auth="none")
    >>> service_limit_key(public), service_limit_key(public.model_copy(update={"auth": "required"}))
    ('client IP', "calling service's token")
    """
    return CLIENT_IP_KEY if op.auth == "none" else SERVICE_TOKEN_KEY


def how_services_call(op: Operation) -> str:
    """How another service calls ``op`` over HTTP: with its client-credentials token, or as any caller of a public operation.

    >>> op = Operation(operation_id="getAnswer", method="get", path="/a/{id}", summary="s", tag="t", kind="get", auth="none")
    >>> how_services_call(op)
    'as any caller, with no token: its limit is counted by client IP'
    >>> how_services_call(op.model_copy(update={"auth": "required"}))
    'with a client-credentials token, which its limit counts it by'
    """
    if op.auth == "none":
        return f"as any caller, with no token: its limit is counted by {CLIENT_IP_KEY}"
    return "with a client-credentials token, which its limit counts it by"


__all__ = [
    "CLIENT_IP_KEY",
    "SERVICE_ACTOR",
    "SERVICE_TOKEN_KEY",
    "how_services_call",
    "http_operations",
    "module_interfaces",
    "served_over_http",
    "service_limit_key",
    "services_call_over_http",
]

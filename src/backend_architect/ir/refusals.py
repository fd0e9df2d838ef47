"""Why an operation answers 403: one decision declares the status and writes its description.

A contract that shares one "Forbidden" text across operations ends up promising reasons some
operation never has (an owner-only read hides others' rows behind 404, so "you do not own it"
is never its 403). Each reason here is a check the scaffolded service really makes.
"""

from __future__ import annotations

from backend_architect.ir.model import Api, Architecture, Operation
from backend_architect.ir.query import all_tables

#: The reason every scoped operation shares, which the contract's shared ``Forbidden`` response states.
SCOPE = "the token lacks a scope this operation requires (its security requirement lists them)"
#: Tenant-scoped rows are filtered by the token's tenant claim; without one there is nothing the caller may see.
TENANT = "the data belongs to a tenant and the token names none"
#: A create of rows the caller owns stores the caller as the owner; naming someone else is refused, not rewritten.
OWNER = "the body names an owner other than the caller (you may only create what you own)"
#: An operation only services call is refused to a person's token, whatever its scopes: the scope alone would let any user
#: holding it in, at the limit sized for a whole service's traffic. RFC 9068 2.2: a client-credentials token's ``sub`` is its ``client_id``.
SERVICE = "the token was not issued to one of the system's services (client credentials: its sub is its client_id): only services call this operation"
#: A write adding a member adds the caller, or anyone when the caller holds a role that may add others (``design.member_writes``).
ADDS_MEMBER = "the member it adds is not the caller and the caller holds no role of the scope that may add others"


def forbidden_reasons(
    auth: str, scopes: list[str], tenant_scoped: bool, claims_owner: bool = False, internal: bool = False, adds_member: bool = False
) -> list[str]:
    """The checks that answer 403 for an operation, in the order the service makes them; none means no 403.

    Ownership of an existing row is not among them: an owner-only operation answers others 404
    so ids cannot be probed. An optional token lacking scopes is served as anonymous, not refused.

    >>> forbidden_reasons("required", ["posts:read"], False) == [SCOPE]
    True
    >>> forbidden_reasons("optional", ["posts:read"], False)
    []
    >>> len(forbidden_reasons("required", [], True, claims_owner=True))
    2
    >>> forbidden_reasons("required", ["users:read"], False, internal=True) == [SERVICE, SCOPE]
    True
    """
    reasons = [SERVICE] if internal and auth != "none" else []
    if auth == "required" and scopes:
        reasons.append(SCOPE)
    if tenant_scoped:
        reasons.append(TENANT)
    if claims_owner and auth != "none":
        reasons.append(OWNER)
    if adds_member and auth != "none":
        reasons.append(ADDS_MEMBER)
    return reasons


def forbidden_text(reasons: list[str]) -> str:
    """The 403's description: each check that answers it, as alternatives (any one of them refuses).

    >>> forbidden_text([TENANT])
    'Answered when the data belongs to a tenant and the token names none.'
    """
    return "Answered when " + "; or when ".join(reasons) + "."


def operation_refusals(arch: Architecture, api: Api, op: Operation) -> list[str]:
    """The checks that answer 403 for ``op`` of ``api`` in this design: the contract's 403 and design.md's error list both
    read it (``design.refused_statuses`` drops a 403 no check answers), so neither lists a status the other lacks."""
    tenant_entities = {t.entity for _store, t in all_tables(arch) if t.tenant_scoped and t.entity}
    owned = {o.entity for o in api.operations if o.owner_only}
    adding = {w.operation for w in arch.member_writes}
    # a create of rows other operations keep to their owner stores the caller as owner (``core.writes``)
    # ... unless the system makes it for another user (a notification for its recipient): it stores the owner it is given
    claims = op.kind == "create" and op.entity in owned and not op.for_others
    return forbidden_reasons(op.auth, op.scopes, op.entity in tenant_entities, claims, op.internal, op.operation_id in adding)

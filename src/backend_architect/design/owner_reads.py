"""Which column an owner-only read selects its rows by without naming it: the caller's own reference.

A read marked ``owner_only`` ("List my trips", "Get my order") reaches only the signed-in caller's rows,
so the server adds ``WHERE customer_id = <the token's subject>`` whether or not the spec lists a
filter. That predicate is a selection like any written filter: a table sharded by that column
serves the read on one shard, and every section that tells a read's shard fan-out (the cross-shard
list, the shard load, the latency) must count it so, or the design says "owner only" in the API and
"every shard" in the data section for the same request.
"""

from __future__ import annotations

from backend_architect.spec.model import Spec, UseCaseKind, UseCaseSpec
from backend_architect.spec.naming import resolve_column, split_filter


def owner_column(spec: Spec, use_case: UseCaseSpec, entity: str, kind: UseCaseKind, caller: str | None) -> str | None:
    """The column of ``entity`` an owner-only read (of ``kind``) by ``caller`` selects by (its required reference to the caller), else None.

    Only a read (a get or a list) of its own entity: a write finds its row by id and checks the owner after,
    and a job has no caller. The first required reference to the caller's entity is the owner, as the
    API's owner check and the token-filled body field read it (``ownership.caller_reference``).
    """
    if not use_case.owner_only or caller is None or entity not in spec.entities or kind not in {"get", "list"}:
        return None
    if any(_names_caller(spec, written, entity, caller) for written in use_case.filter):
        return None  # the spec writes how the caller's rows are found (their memberships' user): that filter is the owner's
    for name, field in spec.entities[entity].fields.items():
        if field.type.kind == "ref" and field.type.target == caller and not field.is_nullable:
            return resolve_column(spec, entity, name)
    return None


def caller_column(spec: Spec, use_case: UseCaseSpec, entity: str, caller: str | None) -> str | None:
    """The column of ``entity`` an owner-only request of any kind (a read, or a write naming its row by id) carries unwritten:
    the caller's own reference, which the server fills from the access token. Unlike ``owner_column`` it holds for writes too:
    a write checks the owner by it, so on a table sharded by it the request reaches the caller's shard alone
    (``row_address.py``).
    """
    if not use_case.owner_only or caller is None or entity not in spec.entities:
        return None
    for name, field in spec.entities[entity].fields.items():
        if field.type.kind == "ref" and field.type.target == caller and not field.is_nullable:
            return resolve_column(spec, entity, name)
    return None


def _names_caller(spec: Spec, written: str, entity: str, caller: str) -> bool:
    """Whether a written filter (``Membership.user``, ``customer``) is a reference to the caller's entity."""
    ref, _ = split_filter(written)
    owner, dot, name = ref.partition(".")
    if not dot:
        owner, name = entity, ref
    field = spec.entities[owner].fields.get(name) if owner in spec.entities else None
    return field is not None and field.type.kind == "ref" and field.type.target == caller


__all__ = ["caller_column", "owner_column"]

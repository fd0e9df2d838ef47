"""Members-only operations: a caller who is not a member of the scope the request names gets 404 (or 422 for a body).

The design found a membership for the scope (a row per scope and member, unique together), so the
service probes that unique index once a request, before it reads or writes anything: a chat's
messages are read and sent by its members only. An unknown scope has no members, so it answers as a
scope the caller is not in, and nobody learns which scopes exist.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select

from .access import reading, typed
from .problems import Problem
from .resources import Operation
from .services import Context


async def require(ctx: Context, op: Operation, scope_key: Any, key: Any = None) -> None:
    """Raise the operation's refusal unless the caller is a member of ``scope_key`` (or, given ``key``, of the scope of that row)."""
    rule = op.members
    if rule is None:
        return
    subject = typed(rule.member, ctx.principal.subject)
    scope = typed(rule.scope, str(scope_key)) if scope_key is not None else None
    member = False
    if subject is not None:
        async with reading(ctx, op.resource) as conn:
            if rule.row is not None:
                scope = select(rule.row).where(op.resource.lookup == key).scalar_subquery()
            if scope is not None:
                member = bool((await conn.execute(select(exists().where(rule.scope == scope, rule.member == subject)))).scalar())
    if not member:
        found = "exists" if rule.status == 404 else "can be used here"
        raise Problem(rule.status, f"No {rule.name} with this id {found}, or the caller is not one of its members.")

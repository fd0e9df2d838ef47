"""Writes that add a member to a scope are authorized: one joins oneself, an admin adds others, and a full scope takes no more.

``design.membership`` guards what members do inside a scope; the write that makes a member is the
door to all of it, so a join open to anyone for anyone, in any role, makes every members-only check
moot (a caller PUTs themselves in as an admin, or adds a stranger to a private chat). Three rules,
over the spec as written, for a person's write whose row is the membership itself (a ChatMember
made by ``PUT /chats/{chat_id}/members/{user_id}``, a Seat posted into a workspace):

1. Who: the member the write names is the token's subject (one joins oneself), or the caller is a
   member of the scope holding one of the membership's admin roles (an ``enum`` field with a value
   such as ``admin`` or ``owner``), who may add others; anyone else gets 403. Without an admin role
   there is nobody to add others: only oneself.
2. The role is the server's: a join stores the role's default (the spec's, else its first value that
   is no admin role), never the client's word, so nobody joins as an admin (the client supplies only
   what it decides, ``design.client_inputs``). Promoting a member is a write of its own.
3. A stated size (``max_per_parent``) holds on every write that adds one, not only on the create's
   array: the write counts the scope's members in its transaction and refuses the one past it, 409.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from backend_architect.design.analysis import UseCase
from backend_architect.design.client_inputs import acts_for_others
from backend_architect.design.membership import Membership, membership_of
from backend_architect.ir.model import MemberWrite
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import table_name

#: Role values that may add others to a scope (and that no join may claim for itself).
ADMIN_ROLES = frozenset({"admin", "administrator", "owner", "moderator", "mod", "manager", "host", "creator"})


@dataclass(frozen=True)
class Role:
    """A membership's role field: its name, the value a join stores, and the values that may add others."""

    field: str
    default: str
    admins: tuple[str, ...]


def role_of(spec: Spec, members: str) -> Role | None:
    """The membership's role: an enum field holding both an admin value and another (none: no roles, only oneself joins).

    Why: the admin values say who may add others; the join stores the default, so no one grants themselves an admin role.

    >>> spec = Spec.model_validate({"system": "s", "entities": {"M": {"fields": {"role": "enum[member,admin]", "kind": "enum[a,b]"}}}})
    >>> role_of(spec, "M")
    Role(field='role', default='member', admins=('admin',))
    """
    for name, field in spec.entities[members].fields.items():
        values = [str(v) for v in field.type.values] if field.type.kind == "enum" else []
        admins = tuple(v for v in values if v.lower() in ADMIN_ROLES)
        plain = [v for v in values if v not in admins]
        if admins and plain:
            stated = str(field.default) if field.default is not None else None
            return Role(name, stated if stated in plain else plain[0], admins)
    return None


def joined_scope(spec: Spec, use_case: UseCase) -> tuple[str, Membership] | None:
    """(scope, membership) when ``use_case`` is a person adding a member: it creates the membership row itself (a join, an add).

    A scope created with its first members (a group made with its members) is not a join: its creator makes it; a write the
    system makes for others (``client_inputs`` rule 3) is authorized by whoever asked the system.
    """
    if use_case.kind != "create" or use_case.entity not in spec.entities or acts_for_others(spec, use_case):
        return None
    for scope in spec.entities:
        found = membership_of(spec, scope, use_case.caller)
        if found is not None and found.entity == use_case.entity:
            return scope, found
    return None


def member_write(spec: Spec, use_case: UseCase, operation: str, gated: Iterable[str] = ()) -> MemberWrite | None:
    """The rule of one operation adding a member (the module's three rules); none for any other write.

    ``gated``: the membership entities some members-only check relies on. A row shaped like a membership that gates nothing
    (a review, one per book and customer, listed by book for anyone) is no door: writing one adds nobody anywhere."""
    joined = joined_scope(spec, use_case)
    if joined is None or joined[1].entity not in set(gated):
        return None
    scope, membership = joined
    entity = spec.entities[membership.entity]
    role = role_of(spec, membership.entity)
    most = int(entity.max_per_parent) if entity.max_per_parent else None
    who = (
        f"the {membership.member_field} it adds is the token's subject (one joins oneself), or the caller is a member of the "
        f"{scope} whose {role.field} is {' or '.join(role.admins)} (who may add others); anyone else gets 403"
        if role
        else f"the {membership.member_field} it adds is the token's subject (one joins oneself; no role of {membership.entity} may add "
        f"others); anyone else gets 403"
    )
    said = [who]
    if role:
        said.append(f"the {role.field} is set by the server to '{role.default}', never sent, so no one joins as {' or '.join(role.admins)}")
    if most:
        said.append(f"a {scope} holds at most {most} {membership.entity} rows (max_per_parent): the write counts them in its transaction, 409 past it")
    return MemberWrite(
        use_case=use_case.name,
        operation=operation,
        scope=scope,
        members=membership.entity,
        table=table_name(membership.entity),
        scope_column=f"{membership.scope_field}_id",
        member_column=f"{membership.member_field}_id",
        role=role.field if role else None,
        role_default=role.default if role else None,
        admin_roles=list(role.admins) if role else [],
        max_members=most,
        reason=f"{use_case.name} adds a member to a {scope}: " + "; ".join(said),
    )


def write_sentence(rule: MemberWrite) -> str:
    """What the operation's description adds: who may add whom, the role stored, the size kept.

    >>> write_sentence(MemberWrite(use_case="u", operation="o", scope="Chat", members="ChatMember", table="chat_members",
    ...     scope_column="chat_id", member_column="user_id", role="role", role_default="member", admin_roles=["admin"], max_members=100, reason=""))
    ... # doctest: +NORMALIZE_WHITESPACE
    " Joins the caller (user_id is the token's subject), or adds another when the caller is the Chat's admin: anyone else gets 403.
    The server stores role 'member', never the body's. A Chat holds at most 100 ChatMember rows: one past it gets 409."
    """
    others = f", or adds another when the caller is the {rule.scope}'s {' or '.join(rule.admin_roles)}" if rule.admin_roles else ""
    said = f" Joins the caller ({rule.member_column} is the token's subject){others}: anyone else gets 403."
    if rule.role:
        said += f" The server stores {rule.role} '{rule.role_default}', never the body's."
    if rule.max_members:
        said += f" A {rule.scope} holds at most {rule.max_members} {rule.members} rows: one past it gets 409."
    return said


def write_item(rule: MemberWrite) -> str:
    """The security checklist's line for one write adding a member.

    >>> write_item(MemberWrite(use_case="join", operation="o", scope="Team", members="Seat", table="seats", scope_column="team_id",
    ...     member_column="user_id", reason=""))
    'Member writes: join adds only the token subject to a Team (no role may add others); others get 403'
    """
    who = f"the token subject, or anyone when the caller's {rule.role} is {' or '.join(rule.admin_roles)}," if rule.admin_roles else "only the token subject"
    role = f"; {rule.role} is server-set to '{rule.role_default}'" if rule.role else ""
    most = f"; at most {rule.max_members} a {rule.scope} (409 past it)" if rule.max_members else ""
    alone = "" if rule.admin_roles else " (no role may add others)"
    return f"Member writes: {rule.use_case} adds {who} to a {rule.scope}{alone}{role}{most}; others get 403"


__all__ = ["ADMIN_ROLES", "Role", "joined_scope", "member_write", "role_of", "write_item", "write_sentence"]

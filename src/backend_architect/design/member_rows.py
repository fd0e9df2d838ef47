"""Membership rows a create of their scope writes: one per participant, so every participant passes the members-only check.

A create that makes a scope with members (a chat, a group, a project) writes the membership rows
of its participants in the same request (``writes: [Chat, ChatMember]``). The members-only rule
(``design/membership.py``) answers a caller only when a membership row (scope, caller) exists, so a
scope made with N participants needs N rows, not one: a direct chat between two people is reachable
by both only with two. Counting one row a create understates the membership table's growth,
storage and inserts, and every figure read from it (a message's recipients as members per chat).

The rows one such create writes:

- a pair (a use case named for two people: one-on-one, 1:1, direct, private, a pair): 2, both
  participants, whatever average the spec states for the membership (the average is over every
  scope; a pair's count is known);
- else the membership's stated ``avg_per_parent``, the members a scope is made with;
- else 1: its creator, the others joining by a use case of their own.

The same reading says what the create's body takes, so the contract, the assumption and the
security checklist cannot disagree (``made_with``):

- one row, its creator's: the body lists no members. The server writes the caller's row (the
  member field is the token's subject; an admin role, if the membership has one, since the creator
  holds the scope), so nobody is added by someone else's create. A membership with a field the
  client must supply and the server cannot fill (no default, not nullable, no time, no role) keeps
  its list: without it the row could not be written.
- a pair or a stated average: the body lists every member the scope is made with, the caller
  among them (the server refuses a list without the caller, 422); a pair's list holds exactly two.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from backend_architect.spec.model import Spec, UseCaseSpec

#: Words in a use case's name that say the scope it creates is between two people.
PAIR_WORDS = frozenset({"one-on-one", "one-to-one", "1:1", "1-on-1", "1-1", "direct", "private", "pair", "dm", "two-person", "peer-to-peer"})
#: Participants of a pair: both need a membership row.
PAIR = 2.0
#: Members a create's list takes when the membership states no ``max_per_parent`` (as any nested array: ``api.schemas``).
DEFAULT_MOST = 100
#: Field kinds the server fills on the creator's row without the client: the time of the request.
_STAMPED = frozenset({"datetime", "timestamp", "date"})


@dataclass(frozen=True)
class MadeWith:
    """The membership rows a create of a scope writes, and what its body takes for them.

    ``rows``: the rows one create writes (the figure sized); ``listed``: the body lists them (else the server writes the
    creator's row alone); ``least``/``most``: the list's bounds (its minItems and maxItems); ``role``: the role field and the
    value the creator's row gets when the server writes it; ``reason``: the assumption the design states.
    """

    child: str
    member_field: str
    rows: float
    listed: bool
    least: int
    most: int
    reason: str
    role: tuple[str, str] | None = None
    #: Required times the server stamps on the creator's row with the request's (``joined_at``).
    stamped: tuple[str, ...] = ()


def names_pair(name: str) -> bool:
    """Whether a use case's name says it creates a scope between two people.

    >>> names_pair("start a one-on-one chat"), names_pair("open direct conversation"), names_pair("create group")
    (True, True, False)
    >>> names_pair("start a one on one chat"), names_pair("start 1:1 thread")
    (True, True)
    """
    lowered = name.lower()
    words = set(re.findall(r"[a-z0-9:]+(?:-[a-z0-9]+)*", lowered))
    return bool(words & PAIR_WORDS) or "one on one" in lowered or "one to one" in lowered


def member_rows(spec: Spec, use_case: UseCaseSpec, scope: str, child: str, people: str | None) -> tuple[float, str] | None:
    """Rows of ``child`` a create of ``scope`` writes when ``child`` holds ``people``'s memberships of ``scope``, with why;
    None when ``child`` is no membership of ``scope`` (its stated ``avg_per_parent``, if any, applies as for any part).

    >>> spec = Spec.model_validate({"system": "s", "entities": {"User": {"fields": {"n": "string"}}, "Chat": {"fields": {"t": "string"}},
    ...     "ChatMember": {"part_of": "Chat", "fields": {"user": "ref(User)"}, "unique": [["chat", "user"]]}},
    ...     "use_cases": [{"name": "start a one-on-one chat", "writes": ["Chat", "ChatMember"]},
    ...                   {"name": "create group", "writes": ["Chat", "ChatMember"]}]})
    >>> member_rows(spec, spec.use_cases[0], "Chat", "ChatMember", "User")[0], member_rows(spec, spec.use_cases[1], "Chat", "ChatMember", "User")[0]
    (2.0, 1.0)
    """
    made = made_with(spec, use_case, scope, child, people)
    return (made.rows, made.reason) if made is not None else None


def made_with(spec: Spec, use_case: UseCaseSpec, scope: str, child: str, people: str | None) -> MadeWith | None:
    """The membership rows a create of ``scope`` writes and what its body takes for them (the module's rules); None when
    ``child`` is no membership of ``scope``.

    Why: discord's create guild was said to write one Member row, its creator's, while its contract took a required list of
    1-100 arbitrary user ids, and the only member write the checklist named was a join adding the caller alone.

    >>> spec = Spec.model_validate({"system": "s", "entities": {"User": {"fields": {"n": "string"}}, "Chat": {"fields": {"t": "string"}},
    ...     "ChatMember": {"part_of": "Chat", "fields": {"user": "ref(User)", "joined_at": "datetime"}, "unique": [["chat", "user"]]}},
    ...     "use_cases": [{"name": "start a one-on-one chat", "writes": ["Chat", "ChatMember"]},
    ...                   {"name": "create group", "writes": ["Chat", "ChatMember"]}]})
    >>> pair, group = (made_with(spec, u, "Chat", "ChatMember", "User") for u in spec.use_cases)
    >>> (pair.rows, pair.listed, pair.least, pair.most), (group.rows, group.listed)
    ((2.0, True, 2, 2), (1.0, False))
    """
    from backend_architect.design.membership import membership_of  # membership reads the analysis this module serves

    found = membership_of(spec, scope, people)
    if found is None or found.entity != child:
        return None
    body = spec.entities[child]
    stated = body.avg_per_parent
    most = int(body.max_per_parent) if body.max_per_parent else DEFAULT_MOST
    kept = (found.entity, found.member_field)
    if names_pair(use_case.name):
        said = f"'{use_case.name}' makes a {scope} between two people: {PAIR:g} {child} rows, one for each, so both pass the members-only check"
        return MadeWith(*kept, PAIR, True, 2, 2, f"{said}; its body lists both, the caller among them")
    if stated is not None:
        said = f"'{use_case.name}' writes {stated:g} {child} rows a {scope} (entities.{child}.avg_per_parent), one per member it is made with"
        return MadeWith(*kept, stated, True, 1, max(most, 1, int(stated)), f"{said}: its body lists them, the caller among them")
    unfilled = _unfilled(spec, child, found.scope_field, found.member_field)
    if unfilled:
        return MadeWith(
            *kept,
            1.0,
            True,
            1,
            max(most, 1),
            f"'{use_case.name}' writes 1 {child} row a {scope} on average (no entities.{child}.avg_per_parent stated): its body lists the members, "
            f"the caller among them, since the client supplies {', '.join(unfilled)}",
        )
    from backend_architect.design.member_writes import role_of  # member writes read the membership this module is read by

    role = role_of(spec, child)
    as_role = (role.field, role.admins[0]) if role else None
    stamped = tuple(n for n, f in body.fields.items() if f.type.kind in _STAMPED and not f.is_nullable and f.default is None and not f.generated)
    stored = f", {as_role[0]} '{as_role[1]}'" if as_role else ""
    stored += "".join(f", {n} the time of the request" for n in stamped)
    return MadeWith(
        *kept,
        1.0,
        False,
        0,
        0,
        f"'{use_case.name}' writes 1 {child} row a {scope}, its creator's ({found.member_field} the caller{stored}; no entities.{child}.avg_per_parent "
        "stated): its body lists no members, and the others join by a use case of their own",
        as_role,
        stamped,
    )


def creator_note(scope: str, made: MadeWith) -> str:
    """What a create's contract says of the membership row the server writes for its creator alone.

    >>> creator_note("Guild", MadeWith("Member", "user", 1.0, False, 0, 0, "", ("role", "owner")))  # doctest: +ELLIPSIS
    "The server writes the creator's Member row in that transaction (user_id the token's subject, role 'owner'): the body lists no members; ..."
    """
    role = f", {made.role[0]} '{made.role[1]}'" if made.role else ""
    role += "".join(f", {n} the time of the request" for n in made.stamped)
    return (
        f"The server writes the creator's {made.child} row in that transaction ({made.member_field}_id the token's subject{role}): the body lists no "
        "members; others join by a use case of their own."
    )


def creator_item(use_case: str, scope: str, made: MadeWith) -> str:
    """The security checklist's line for a create of a scope with its membership rows: who it may add.

    >>> creator_item("create guild", "Guild", MadeWith("Member", "user", 1.0, False, 0, 0, ""))  # doctest: +ELLIPSIS
    "Member writes: create guild adds only its creator to the new Guild (the server writes the caller's Member row; the body lists none)"
    >>> creator_item("start dm", "Chat", MadeWith("ChatMember", "user", 2.0, True, 2, 2, ""))
    'Member writes: start dm makes a Chat with the 2 ChatMember rows its body lists, the caller among them (422 otherwise)'
    """
    if not made.listed:
        return f"Member writes: {use_case} adds only its creator to the new {scope} (the server writes the caller's {made.child} row; the body lists none)"
    count = f"the {made.least}" if made.least == made.most else f"the {made.least}-{made.most}"
    return f"Member writes: {use_case} makes a {scope} with {count} {made.child} rows its body lists, the caller among them (422 otherwise)"


def _unfilled(spec: Spec, child: str, scope_field: str, member_field: str) -> list[str]:
    """The membership's fields the client must supply that the server cannot fill on the creator's row: required, no default,
    not generated, no time of the request, no enum (a role the server sets)."""
    return [
        name
        for name, field in spec.entities[child].fields.items()
        if name not in {scope_field, member_field}
        and not field.is_nullable
        and field.default is None
        and not field.generated
        and field.type.kind not in _STAMPED | {"enum"}
    ]


__all__ = ["DEFAULT_MOST", "PAIR", "PAIR_WORDS", "MadeWith", "creator_item", "creator_note", "made_with", "member_rows", "names_pair"]

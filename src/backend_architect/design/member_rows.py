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
"""

from __future__ import annotations

import re

from backend_architect.spec.model import Spec, UseCaseSpec

#: Words in a use case's name that say the scope it creates is between two people.
PAIR_WORDS = frozenset({"one-on-one", "one-to-one", "1:1", "1-on-1", "1-1", "direct", "private", "pair", "dm", "two-person", "peer-to-peer"})
#: Participants of a pair: both need a membership row.
PAIR = 2.0


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
    from backend_architect.design.membership import membership_of  # membership reads the analysis this module serves

    found = membership_of(spec, scope, people)
    if found is None or found.entity != child:
        return None
    stated = spec.entities[child].avg_per_parent
    if names_pair(use_case.name):
        return PAIR, f"'{use_case.name}' makes a {scope} between two people: {PAIR:g} {child} rows, one for each, so both pass the members-only check"
    if stated is not None:
        return stated, f"'{use_case.name}' writes {stated:g} {child} rows a {scope} (entities.{child}.avg_per_parent), one per member it is made with"
    return 1.0, (
        f"'{use_case.name}' writes 1 {child} row a {scope}, its creator's (no entities.{child}.avg_per_parent stated: the others join by "
        "a use case of their own)"
    )


__all__ = ["PAIR", "PAIR_WORDS", "member_rows", "names_pair"]

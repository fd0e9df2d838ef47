"""Which rows are the caller's own: named by the access token, never by an id the client chooses (no BOLA).

An id the client sends is an id the client may change. Where a request means "mine" -- my home
timeline, my inbox, my chats -- the user it reads for must come from the token, or any signed-in
user reads anyone's rows by changing a number. Three rules say where a request means "mine" without
the spec writing ``owner_only``, and where a row is its owner's alone:

1. **A read through a relation by a reference to the caller's entity reads for the caller.** A
   filter reached through another entity (``filter: [Follow.follower]`` on a read of Tweet,
   ``Membership.user`` on a read of Chat) selects rows by the reader's own edges: whose follows,
   whose memberships, whose subscriptions. That reader is the caller, so the filter is taken from
   the token (the read goes to ``/me/...``). A direct filter on the read entity's own reference
   (``filter: [author]`` on Tweet: one user's tweets) names whose rows are shown, not who reads
   them, and stays the client's. The spec says other users may read a relation's rows with
   ``access: public``; then the filter stays a parameter and the contract says any signed-in
   caller may name another user. A read without a signed-in caller (``auth: none``/``optional``)
   has no token to take it from.
2. **A write's path naming the caller's own id is checked against the token.** A link made or
   unmade at its pair (``PUT /answers/{answer_id}/votes/{voter_id}``, ``PUT /users/{user_id}/following/{followee_id}``)
   names both ends in the path; the end that is the link's reference to the caller's entity (the
   voter, the follower: the one a create would take from the token, ``ownership.caller_reference``)
   must be the token's subject, or any user votes or follows as anyone. Another value answers 403.
   A write made for others (``client_inputs``) and a join with its own rule (``member_writes``) are
   authorized by those rules instead.
3. **A row private to its owner is read only by its owner.** When every read the spec gives an
   entity is limited to the caller's own rows (owner-only, or ``/me``), no use case reads another
   user's row of it -- an inbox's notifications -- so the get by id the API adds for its ``Location``
   is owner-only too: otherwise ``GET /notifications/{id}`` serves any user's row to anyone who
   guesses its id, the hole the owner-only list closed.
"""

from __future__ import annotations

from collections.abc import Iterable

from backend_architect.design.analysis import FieldRef, UseCase
from backend_architect.design.api.paths import Resources, says_mine
from backend_architect.design.client_inputs import acts_for_others
from backend_architect.design.ownership import caller_reference
from backend_architect.ir.model import Operation, Parameter


def reader_filter(res: Resources, use_case: UseCase, filters: Iterable[FieldRef]) -> FieldRef | None:
    """The filter among ``filters`` that names the caller (rule 1, and the spec's ``owner_only`` / "my" name), else None.

    Why: a read that means "mine" and takes the user as a parameter lets any user read anyone's rows.
    """
    caller = use_case.caller
    if caller is None:
        return None
    mine = [f for f in filters if res.ref_target(f) == caller]
    if not mine:
        return None
    if use_case.spec.owner_only or says_mine(use_case.name):
        return mine[0]
    if use_case.spec.auth != "required" or use_case.spec.access == "public":
        return None
    return next((f for f in mine if f.joined), None)


def shared_reader(res: Resources, use_case: UseCase, filters: Iterable[FieldRef]) -> FieldRef | None:
    """The relation's reference to the caller's entity a read leaves to the client because the spec says so (``access: public``).

    Why: rule 1's exception is the spec's word, so the contract says it, for a reader to see it was meant.
    """
    if use_case.caller is None or use_case.spec.access != "public" or use_case.spec.owner_only:
        return None
    return next((f for f in filters if f.joined and res.ref_target(f) == use_case.caller), None)


def shared_sentence(ref: FieldRef) -> str:
    """What a read says when the spec opens a relation's rows to other users (rule 1's exception).

    >>> shared_sentence(FieldRef("Follow.follower", "Follow", "follower", "follower_id"))
    "Any signed-in caller may name another user's Follow.follower (access: public): it is not taken from the access token."
    """
    return f"Any signed-in caller may name another user's {ref.written} (access: public): it is not taken from the access token."


def caller_params(res: Resources, use_case: UseCase, params: Iterable[Parameter]) -> list[str]:
    """The path parameters of a link write that name the caller's own end (rule 2): they must equal the token's subject.

    Why: an id in the path is the client's to change; a vote or a follow made "as" another user is a broken object-level check.
    """
    if use_case.caller is None or use_case.spec.auth != "required" or acts_for_others(res.spec, use_case):
        return []
    mine = caller_reference(res.spec, use_case.entity, use_case.caller)
    if mine is None:
        return []
    return [p.name for p in params if p.location == "path" and p.spec_ref == f"{use_case.entity}.{mine}"]


def caller_param_sentence(names: Iterable[str]) -> str:
    """What a write naming the caller in its path says (rule 2).

    >>> caller_param_sentence(["voter_id"])
    "The voter_id must be the caller's own id (the token's subject): another user's id answers 403."
    """
    return f"The {' and '.join(names)} must be the caller's own id (the token's subject): another user's id answers 403."


def private_entities(operations: Iterable[Operation]) -> frozenset[str]:
    """Entities whose every read a use case makes is limited to the caller's own rows (rule 3), at least one such read.

    Why: an entity no use case reads for other users holds rows private to their owner; a get by id added
    beside them must not serve them to strangers.

    >>> mine = Operation(operation_id="a", method="get", path="/me/inbox", summary="", kind="list", tag="t", entity="Note",
    ...     use_cases=["view inbox"], caller_filters=["recipient"])
    >>> theirs = Operation(operation_id="b", method="get", path="/posts", summary="", kind="list", tag="t", entity="Post", use_cases=["x"])
    >>> sorted(private_entities([mine, theirs]))
    ['Note']
    """
    own: dict[str, bool] = {}
    for op in operations:
        if op.kind not in {"get", "list"} or not op.entity or not op.use_cases or op.internal:
            continue
        # a filter through a relation (a member's rooms) reads other users' rows of the entity: only its own reference makes them private
        direct = [f for f in op.caller_filters if f.partition(".")[0] in {op.entity, f}]
        limited = bool(direct) or (op.owner_only and not op.caller_filters)
        own[op.entity] = own.get(op.entity, True) and limited
    return frozenset(e for e, limited in own.items() if limited)


__all__ = ["caller_param_sentence", "caller_params", "private_entities", "reader_filter", "shared_reader", "shared_sentence"]

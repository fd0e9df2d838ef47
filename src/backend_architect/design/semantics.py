"""What a use case means, read from what it touches first and from its verb second.

The verb of a use-case name is a hint; the entity decides. "update courier location" on
an append-only entity is a create (a new reading); "rate order" writing ``Rating`` creates
a rating; "unfollow user" writing the link entity ``Follow`` deletes the link, and "tag
article" writing the many-to-many relation ``Article.tags`` makes a link; "log in"
against an entity with a password is a session, not a list of users; "change password"
writing only its credential is the caller's own password. Each rule here is
one such reading, documented beside it; ``read_kind`` applies them in order and says
which one decided, so the design can explain itself (and warn when the name disagreed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from backend_architect.spec.model import EntitySpec, Spec, UseCaseKind, UseCaseSpec

#: Authentication flows a use case can be, besides plain resource operations.
Flow = Literal["register", "login", "logout", "me", "password", "relate", "unrelate"]

CREATE_VERBS = frozenset(
    "create add place register post submit send upload record ingest write book sign enroll invite log report subscribe import start "
    "publish tweet comment reply message share rate review order buy purchase request open make new put attach follow like favorite "
    "favourite star bookmark save join block pin mute".split()
)
UPDATE_VERBS = frozenset("update edit change modify rename set adjust correct configure patch amend revise".split())
REPLACE_VERBS = frozenset(["replace", "overwrite"])
DELETE_VERBS = frozenset(["delete", "remove", "unsubscribe", "purge", "destroy", "drop", "leave", "discard", "revoke"])
GET_VERBS = frozenset(["get", "view", "show", "read", "fetch", "see", "display", "lookup", "open", "inspect", "download", "check", "retrieve"])
LIST_VERBS = frozenset(["list", "browse", "search", "find", "query", "filter", "explore", "discover", "scroll", "index"])
#: Verbs that, on a link between two entities, create the link (an idempotent PUT).
LINK_VERBS = frozenset("follow like favorite favourite star bookmark save join subscribe block pin mute add tag attach connect friend watch".split())

_LOGIN = re.compile(r"^(log ?in|sign ?in|signin|login|authenticate|auth)\b")
_LOGOUT = re.compile(r"^(log ?out|sign ?out|signout|logout)\b")
_REGISTER = re.compile(r"^(register|sign ?up|signup|create (an |my )?account|join)\b")
_ME = re.compile(r"\b(me|my (own )?(profile|account|details|settings|info)|who ?am ?i|current user)\b")


@dataclass(frozen=True)
class Reading:
    """How a use case was read: its REST kind, its flow (if any), and the rule that decided."""

    kind: UseCaseKind
    flow: Flow | None
    rule: str
    #: The kind the verb alone suggested, when the entity overruled it (for a warning).
    overruled: UseCaseKind | None = None
    #: For a link made or unmade through a many-to-many relation: the relation's name (``tags``).
    relation: str | None = None


def verb_of(name: str) -> str:
    """The first word of a use-case name, lower case: ``Place Order`` -> ``place``."""
    words = name.strip().lower().split()
    return words[0] if words else ""


def has_password(entity: EntitySpec) -> bool:
    """An entity people log in as: it holds a secret credential (``password``, ``password_hash``...)."""
    return any(is_credential(name, entity) for name in entity.fields)


def is_link(spec: Spec, name: str) -> bool:
    """An entity that only links two others (``Follow``: follower, followee; ``Like``: user, post).

    Its rows are made and unmade, never edited: two required references and nothing else
    but timestamps or an enum of the link's kind. An entity with a public key of its own
    (``key: short_code`` or ``slug``) is a resource, not a link: a share link is opened by its code.
    """
    entity = spec.entities[name]
    if entity.key in {"short_code", "slug"}:
        return False
    refs = [f for f in entity.fields.values() if f.type.kind == "ref" and not f.is_nullable]
    refs_count = len(refs) + 1 if entity.part_of else len(refs)
    others = [f for f in entity.fields.values() if f.type.kind != "ref" and f.type.kind not in {"datetime", "date", "enum", "bool"}]
    return refs_count == 2 and not others


#: Nouns that name a collection though singular: "view home timeline" lists tweets.
_COLLECTIONS = frozenset("timeline feed inbox history list page stream queue board gallery catalog catalogue log wall digest".split())


def is_credential(name: str, entity: EntitySpec) -> bool:
    """A secret field people log in with (``password``, ``password_hash``, ``pin_digest``)."""
    field = entity.fields.get(name)
    return field is not None and field.secret and re.search(r"pass(word|phrase)?|pin|credential", name) is not None


def _names_many(name: str) -> bool:
    """The name's object is plural or a collection ("view my lists", "view home timeline"): a list was meant, whatever the verb."""
    last = name.split()[-1] if name.split() else ""
    return (last.endswith("s") and not last.endswith("ss")) or last in _COLLECTIONS


def _verb_kind(verb: str, writes: bool) -> UseCaseKind | None:
    if not writes:
        return "get" if verb in GET_VERBS else "list" if verb in LIST_VERBS else None
    for verbs, kind in ((UPDATE_VERBS, "update"), (REPLACE_VERBS, "replace"), (DELETE_VERBS, "delete"), (CREATE_VERBS, "create")):
        if verb in verbs:
            return kind  # type: ignore[return-value]
    return None


def read_kind(spec: Spec, use_case: UseCaseSpec, entity: str) -> Reading:
    """The kind and flow of ``use_case`` whose main entity is ``entity``; the rules in order.

    >>> from backend_architect.spec.model import Spec
    >>> s = Spec.model_validate({"system": "x", "entities": {"Reading": {"append_only": True, "fields": {"v": "int"}}}})
    >>> read_kind(s, UseCaseSpec(name="update reading", writes=["Reading"]), "Reading").kind
    'create'
    """
    name = use_case.name.strip().lower()
    verb = verb_of(name)
    body = spec.entities.get(entity)
    # only writes to the main entity make the use case a write; others are side writes (a search logging its query)
    own_writes = [w for w in use_case.writes if w.split(".", 1)[0] == entity]
    by_verb = _verb_kind(verb, bool(own_writes))
    if use_case.schedule:
        # scheduled work has no client to answer: a 'kind: delete' on it says what the job does, not that it is an endpoint
        return Reading("job", None, "has a schedule: a batch job")
    if use_case.kind:
        if body is not None and body.append_only and use_case.kind in {"update", "replace", "action"}:
            return Reading("create", None, f"{entity} is append-only: its rows are never changed, so every write adds a row", use_case.kind)
        flow, relation = _flow(spec, use_case, entity, use_case.kind)
        return Reading(use_case.kind, flow, "kind given in the spec", None, relation)
    if body is None:
        return Reading(by_verb or "list", None, "verb")
    if has_password(body) and _LOGIN.match(name):
        return Reading("create", "login", f"logs in as {entity} (it holds a password): a session is created")
    if has_password(body) and _LOGOUT.match(name):
        return Reading("delete", "logout", "logs out: the caller's session is deleted")
    if own_writes:
        return _write_reading(spec, use_case, entity, body, own_writes, verb, name, by_verb)
    if has_password(body) and _ME.search(name):
        return Reading("get", "me", f"reads the caller's own {entity}: GET /me")
    if use_case.filter or use_case.sort or use_case.search or ("page" in use_case.model_fields_set and use_case.page.style != "none"):
        # "view my orders" names many things with a get verb: no surprise to report
        overruled = by_verb if by_verb == "get" and not _names_many(name) else None
        return Reading("list", None, "filters, sorts, searches or pages: a list", overruled)
    if by_verb is not None:
        return Reading(by_verb, None, f"verb '{verb}'")
    return Reading("list", None, "reads without a verb that names one item: a list")


def _unmakes(verb: str) -> bool:
    """The verb undoes a link: delete/remove..., or an ``un``-verb of making one (unfollow, unlike, untag)."""
    return verb in DELETE_VERBS or (verb.startswith("un") and verb[2:] in LINK_VERBS | CREATE_VERBS | {"tag", "link", "assign"})


def _write_reading(
    spec: Spec, use_case: UseCaseSpec, entity: str, body: EntitySpec, own_writes: list[str], verb: str, name: str, by_verb: UseCaseKind | None
) -> Reading:
    fields = [w.split(".", 1)[1] for w in own_writes if "." in w]
    field_writes = len(fields) == len(own_writes)
    if has_password(body) and _REGISTER.match(name) and not field_writes:
        return Reading("create", "register", f"registers a new {entity} (it holds a password)")
    if has_password(body) and field_writes and all(is_credential(f, body) for f in fields):
        return Reading("update", "password", f"writes only the credential of {entity}: the caller changes their own password")
    if field_writes and all(f in body.many_to_many for f in fields):
        relation = fields[0]
        if _unmakes(verb):
            return Reading("delete", "unrelate", f"removes a link of {entity}.{relation} (many to many): DELETE on the relationship", None, relation)
        return Reading("create", "relate", f"makes a link of {entity}.{relation} (many to many): an idempotent PUT on the relationship", None, relation)
    if body.append_only:
        overruled = by_verb if by_verb not in {None, "create"} else None
        return Reading("create", None, f"{entity} is append-only: every write adds a row", overruled)
    if has_password(body) and _ME.search(name):
        if by_verb == "delete" and not field_writes:
            return Reading("delete", "me", f"deletes the caller's own {entity}: DELETE /me")
        return Reading("update", "me", f"changes the caller's own {entity}: PATCH /me", by_verb if by_verb not in {None, "update"} else None)
    if is_link(spec, entity) and not field_writes:
        if _unmakes(verb):
            return Reading("delete", "unrelate", f"removes a {entity} link: DELETE on the relationship", None if by_verb in {None, "delete"} else by_verb)
        overruled = by_verb if by_verb not in {None, "create"} else None
        return Reading("create", "relate", f"makes a {entity} link: an idempotent PUT on the relationship", overruled)
    if verb.startswith("un") and verb[2:] in LINK_VERBS and not field_writes:
        return Reading("delete", None, f"'{verb}' undoes '{verb[2:]}': a delete")
    if field_writes:
        if by_verb in {"update", "replace"}:
            return Reading("update", None, "writes named fields with an update verb: a partial update")
        if by_verb == "delete" and verb in {"remove", "delete"}:
            return Reading("update", None, "clears named fields: a partial update")
        return Reading("action", None, f"writes named fields with the verb '{verb}': a state change of its own")
    if by_verb in {"update", "replace", "delete"}:
        return Reading(by_verb, None, f"verb '{verb}'")
    overruled = by_verb if by_verb not in {None, "create"} else None
    return Reading("create", None, f"writes a whole {entity}: a create", overruled)


def _flow(spec: Spec, use_case: UseCaseSpec, entity: str, kind: UseCaseKind) -> tuple[Flow | None, str | None]:
    """A flow still applies when the kind was given: ``kind: create`` on a link, or on ``Article.tags``, is still a relationship."""
    body = spec.entities.get(entity)
    own = [w for w in use_case.writes if w.split(".", 1)[0] == entity]
    if body is None or not own or kind not in {"create", "delete"}:
        return None, None
    flow: Flow = "relate" if kind == "create" else "unrelate"
    fields = [w.split(".", 1)[1] for w in own if "." in w]
    if fields and len(fields) == len(own) and all(f in body.many_to_many for f in fields):
        return flow, fields[0]
    if not fields and is_link(spec, entity):
        return flow, None
    return None, None

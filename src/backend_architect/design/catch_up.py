"""What a client fetches after a missed push: the REST read that catches a reconnecting client up, added where the spec has none.

A push over the real-time gateway is best effort: a client that was not connected, or lost its connection for a
moment, misses what was pushed meanwhile. The design promises it fetches what it missed "from its last cursor"; that
promise holds only when the contract has the read: a list of the pushed rows, for the same audience, authorized the
same way, that pages from a cursor. ``catches_up`` says which reads of the spec are one for a delivery:

- a channel addressed by a reference of the row (``to: Message.sender``: the receipts of my messages; ``to: Trip.driver``)
  is caught up by a list filtering on that reference; one addressed to a room's members (``to: ChatMember.user``) by a
  list of the row filtered by the room (members only);
- a room's channel (a chat's messages, members only) by a list of the row filtered by the room; an item's watchers (a
  question's answers) by a list filtered by the item; a parent's by a list of its parent's rows;
- a recipient named in the row (``Notification.recipient``) by a list filtering on that field;
- a write delivered to an actor (``to: partner``, every one receiving each message) by that actor's lists of the entity;
- the whole stream by a list of the entity with no filter.

A read that subscribes (``deliver`` on a read) is its own catch-up. A latest value (``latest: true``: a position, a
typing flag) is ephemeral: the newest value replaces what was missed, so the reconnecting client reads the current value
and no history is owed; the read it is told to call returns the pushed row (``current_reads.py``), added as a get by id where
the spec reads the value only by a search.

Where the spec has no such read, ``with_catch_up_reads`` adds one to the spec before the design (as ``kept_counters``
adds a counter's writes), so every stage counts it like any read: its rate is the recipients' reconnects (each client
online reconnects once every ``RECONNECT_EVERY_S``: stated as an assumption), its index is in the DDL, its operation in
the contract (``/me/...`` and owner only for a person's own channel; members only for a room's). Recipients chosen per
message (the nearby drivers a trip offers itself to; people of several kinds of room) have no column a list can select
them by: no read is added, and the delivery promises no catch-up.
"""

from __future__ import annotations

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.audience import CATCH_UP_NOTE, Audiences, audiences
from backend_architect.design.current_reads import current_reads, derived_current_read, unreturned
from backend_architect.design.online import people_entity
from backend_architect.design.patterns._routes import Route, route
from backend_architect.design.watchers import watcher_reads
from backend_architect.ir.delivery_guarantee import path_guarantee
from backend_architect.ir.model import Architecture
from backend_architect.spec.model import Spec, UseCaseSpec
from backend_architect.spec.naming import parent_relation, plural, snake

#: How often a connected client reconnects (a network change, the app brought back, a gateway node drained on deploy).
RECONNECT_EVERY_S = 600.0


def ephemeral(use_case: UseCase) -> bool:
    """A latest value (``latest: true``) replaces what was missed: a reconnecting client reads the current value, no history."""
    return bool(use_case.spec.latest)


def over_gateway(audience: Audiences, use_case: UseCase) -> bool:
    """Whether a use case's deliveries go over the gateway: ``realtime``, or ``poll`` overruled by its rate (PAT023)."""
    from backend_architect.design.patterns.realtime import POLL_INTERVAL_S, POLL_MAX_RATE

    deliver = use_case.spec.deliver
    if deliver is None or deliver.mode == "push":
        return False
    connections = audience.connections or audience.of(use_case.spec.actor).clients
    return deliver.mode == "realtime" or connections / POLL_INTERVAL_S > POLL_MAX_RATE


def searched(read: UseCase) -> bool:
    """A full-text search (``search: [text]``) is never a catch-up: it selects rows by matching words, ranked, and its cursor only
    continues its own result set, so a client cannot resume the channel's stream from its last position with it (no
    ``since``, and a pushed row carries no search cursor); the channel's rows are caught up by a list, added when the spec
    has none."""
    return bool(read.searches or read.spec.search)


def _reference_path(spec: Spec, entity: str, scope: str) -> str | None:
    """How a filter on ``entity`` names ``scope``: its own reference (``chat``), else one hop through a row it refers to (``Message.chat``)."""
    body = spec.entities[entity]
    own = [n for n, f in body.fields.items() if f.type.kind == "ref" and f.type.target == scope]
    if body.part_of == scope:
        return snake(scope)
    if own:
        return own[0]
    hops = [body.part_of] if body.part_of else []
    hops += [f.type.target for f in body.fields.values() if f.type.kind == "ref" and f.type.target]
    for hop in dict.fromkeys(h for h in hops if h and h in spec.entities and h != scope):
        inner = _reference_path(spec, hop, scope) if hop != entity else None
        if inner is not None and "." not in inner:
            return f"{hop}.{inner}"
    return None


def _recipient_field(spec: Spec, entity: str, people: str | None) -> str | None:
    from backend_architect.design.patterns._routes import _recipient

    return _recipient(spec, entity, people)


def _membership(spec: Spec, room: str, people: str | None, written: str) -> str | None:
    from backend_architect.design.patterns._routes import _membership as membership

    return membership(spec, room, people, written)


def delivered(spec: Spec, use_case: UseCase) -> str:
    """The entity whose rows a channel hands its recipients, and so the rows its catch-up lists: the write's own entity,
    unless the channel addresses a recipient row the same write makes beside it (``writes: [Comment, Notification]``,
    ``to: Notification.recipient``, the notification naming the comment).

    A comment pushed to the people it notifies is theirs through the notification row, not through any column of the
    comment: a list of comments filtered by the person's reference (its author) returns what the caller wrote, never
    what was pushed to the caller. Only the recipient row selects them, by its recipient column.
    """
    deliver = use_case.spec.deliver
    target = deliver.to if deliver is not None and deliver.to else ""
    owner = target.partition(".")[0] if "." in target else ""
    entity = use_case.entity
    if not owner or owner == entity or owner not in spec.entities or owner not in use_case.writes:
        return entity
    if _reference_path(spec, entity, owner) is not None:
        return entity
    body = spec.entities[owner]
    names_row = body.part_of == entity or any(f.type.kind == "ref" and f.type.target == entity for f in body.fields.values())
    return owner if names_row else entity


def catch_up_filter(spec: Spec, use_case: UseCase, where: Route) -> tuple[str, ...] | None:
    """The filter a list catching ``where``'s recipients up takes (empty: the whole stream); None when none can select them.

    Written as a spec filter: ``Message.sender``, ``chat``, ``recipient``.
    """
    entity = delivered(spec, use_case)
    deliver = use_case.spec.deliver
    target = deliver.to if deliver is not None else None
    if where.near:
        return None
    if target and "." in target:
        owner, _, field = target.partition(".")
        if owner == entity:
            return (field,)
        if _reference_path(spec, entity, owner) is not None:
            return (target,)
        # the recipients are a room's members (``to: ChatMember.user``): the room's rows are theirs to list, members only
        room = parent_relation(spec, owner) if owner in spec.entities else None
        found = _reference_path(spec, entity, room[1]) if room is not None else None
        return (found,) if found is not None else None
    if target:
        return () if where.scope is None else None
    if where.scope is None:
        return None if where.people else ()
    people = people_entity(spec)
    if where.scope == people:
        recipient = _recipient_field(spec, entity, people)
        parent = parent_relation(spec, entity)
        if recipient is not None:
            return (recipient,)
        if parent is not None and parent[1] == people:
            return (parent[0],)
        return None
    found = _reference_path(spec, entity, where.scope)
    if found is not None and "." in found:
        # a room two hops away (a guild, through the message's channel): listed part by part, by the row's own reference
        found = _reference_path(spec, entity, found.split(".")[0])
    return (found,) if found is not None else None


def catches_up(spec: Spec, read: UseCase, use_case: UseCase, where: Route) -> bool:
    """Whether ``read`` catches ``use_case``'s recipients up: a list (or, for an actor's stream, a read) of the pushed rows selecting them."""
    if read.is_write or read.entity != delivered(spec, use_case) or read.kind not in {"list", "get"} or searched(read):
        return False
    deliver = use_case.spec.deliver
    actor = deliver.to if deliver is not None and deliver.to and "." not in deliver.to else None
    wanted = catch_up_filter(spec, use_case, where)
    if actor is not None and wanted == () and read.spec.actor == actor:
        # every connected client of the actor receives each message: the actor's reads of the entity return them
        return True
    if wanted is None or read.kind != "list":
        return False
    if not wanted:
        return not [f for f in read.filters if f.constant is None]
    written = {w if "." in w else f"{read.entity}.{w}" for w in wanted}
    # a room's rows are also caught up part by part: a list of one channel's messages serves the guild the channel is in
    # (never a person's own channel: the receipts of one message are not the receipts of all my messages)
    room = where.scope is not None and (where.item is not None or _membership(spec, where.scope, people_entity(spec), use_case.entity) is not None)
    hops = {f"{snake(w.split('.')[0])}_id" for w in wanted if "." in w} if room else set()
    hops |= {f"{snake(where.scope)}_id"} if where.scope else set()
    return any(f.written in written or f"{f.entity}.{f.field}" in written or f.column in hops for f in read.filters)


def catch_up_reads(spec: Spec, analysis: Analysis, use_case: UseCase, where: Route) -> list[UseCase]:
    """The reads that serve what a channel's recipients missed: the catch-up page beside the live stream (``catches_up``).

    A read that subscribes is its own catch-up; a latest value needs none (``ephemeral``).
    """
    if not use_case.is_write:
        return [use_case]
    if ephemeral(use_case):
        return []
    return [u for u in analysis.of_entity(delivered(spec, use_case)) if catches_up(spec, u, use_case, where)]


def _name(spec: Spec, entity: str, scope: str | None, personal: bool, actor: str | None) -> str:
    """A name no use case has: ``list my missed message receipts`` (``... as a driver`` when another actor's is added too),
    ``list missed messages of a chat``."""
    rows = plural(snake(entity)).replace("_", " ")
    scoped = f" of a {snake(scope).replace('_', ' ')}" if scope else ""
    base = f"list my missed {rows}" + (f" as a {actor.replace('_', ' ')}" if actor else "") if personal else f"list missed {rows}{scoped}"
    taken = {u.name for u in spec.use_cases}
    name, n = base, 2
    while name in taken:
        name, n = f"{base} {n}", n + 1
    return name


def _derived(
    spec: Spec, analysis: Analysis, audience: Audiences, use_case: UseCase, where: Route, actors: dict[str, set[str]]
) -> tuple[UseCaseSpec, str] | None:
    """The list a delivery's recipients catch up with, and the assumption stating its rate; None when no list can select them."""
    from backend_architect.design.patterns.realtime import access

    wanted = catch_up_filter(spec, use_case, where)
    if wanted is None:
        return None
    deliver = use_case.spec.deliver
    actor_target = deliver.to if deliver is not None and deliver.to and "." not in deliver.to else None
    # a person's own channel (the receipts of my messages, a driver's offers): listed under /me, owner only, by that person's actor
    recipients = audience.of_entity(where.scope) if where.people and where.scope else None
    personal = recipients is not None
    if where.people and where.scope == people_entity(spec) and recipients is None:
        return None
    # a room's members are people: their clients online reconnect, and their actor reads the room's rows
    members = audience.of_entity(people_entity(spec)) if where.people and recipients is None else None
    actor = actor_target or (recipients or members or audience.of(use_case.spec.actor)).actor
    if where.spread is not None:
        clients, whose = where.spread[0], "subscribers"
        # the subscribers are the watching reads' clients (visitors viewing a question), not the writer's actor: they
        # reconnect, and their actor's rate limit covers the catch-up
        watching = watcher_reads(spec, analysis, where.item or where.scope or "")
        if watching and actor_target is None:
            actor = max(watching, key=lambda u: (u.peak_qps, u.name)).spec.actor
    elif (found := recipients or members) is not None:
        clients, whose = found.clients, f"{found.actor} clients online"
    elif actor_target is not None:
        clients, whose = audience.of(actor_target).clients, f"{actor_target} clients online"
    else:
        clients, whose = audience.connections or audience.of(use_case.spec.actor).clients, "client connections"
    peak = max(clients, 1.0) / RECONNECT_EVERY_S
    average = peak if spec.scale.rates == "peak" else peak / analysis.peak_factor
    rows = delivered(spec, use_case)
    updated = analysis.entities[rows].mutability in {"updated", "processed", "job_written"}
    # two actors' own lists of one entity (a driver's trips, a customer's): each named for its actor
    body = spec.entities[rows]
    listed_by = next((f.type.target for n, f in body.fields.items() if wanted and n == wanted[0] and f.type.kind == "ref"), None)
    listed_by = listed_by or (body.part_of if wanted and body.part_of and wanted[0] == snake(body.part_of) else where.scope)
    name = _name(spec, rows, listed_by, personal, actor if personal and len(actors.get(rows, set())) > 1 else None)
    auth = "none" if access(spec, analysis, use_case, where) == "public" else "required"
    made = UseCaseSpec.model_validate(
        {
            "name": name,
            "kind": "list",
            "description": f"What a client not connected missed on channel {where.address}, from its last cursor ({CATCH_UP_NOTE} '{use_case.name}').",
            "actor": actor,
            "auth": auth,
            "owner_only": personal,
            "reads": [rows],
            "filter": list(wanted),
            "sort": ["updated_at" if updated else "created_at"],
            "page": "cursor",
            "rate": f"{average:.12g}/s",
        }
    )
    note = (
        f"'{name}': added as the catch-up read of '{use_case.name}' (channel {where.address}): no read of the spec lists those "
        f"{rows} rows from a cursor; each of the {clients:,.0f} {whose} reconnects once every {RECONNECT_EVERY_S:g} s "
        f"(a network change, the app reopened, a gateway node drained) and fetches what it missed: {peak:,.0f} requests/s at peak"
    )
    return made, note


def with_catch_up_reads(spec: Spec, analysis: Analysis) -> tuple[Spec, list[str]]:
    """``spec`` with a catch-up list added for each gateway delivery of a write that has none, and an assumption each."""
    audience = audiences(spec, analysis)
    added: list[UseCaseSpec] = []
    notes: list[str] = []
    covered: set[tuple[str, str]] = set()
    lacking = [
        (u, where)
        for u in analysis.use_cases
        if u.is_write and not ephemeral(u) and u.entity in spec.entities and over_gateway(audience, u)
        for where in (route(spec, analysis, u, audience),)
        if not catch_up_reads(spec, analysis, u, where)
    ]
    from backend_architect.design.patterns.realtime import access

    # a latest value owes no history, but its "read the current value" must name a read returning the row pushed
    for u in analysis.use_cases:
        if u.is_write and ephemeral(u) and u.entity in spec.entities and over_gateway(audience, u) and unreturned(analysis, u):
            if any(m.reads == [u.entity] and m.kind == "get" for m in added):
                continue
            where = route(spec, analysis, u, audience)
            auth = "none" if access(spec, analysis, u, where) == "public" else "required"
            grown = spec.model_copy(update={"use_cases": [*spec.use_cases, *added]})
            made, note = derived_current_read(grown, analysis, audience, u, where, auth, RECONNECT_EVERY_S)
            added.append(made)
            notes.append(note)
    actors: dict[str, set[str]] = {}
    for u, where in lacking:
        recipients = audience.of_entity(where.scope) if where.people and where.scope else None
        if recipients is not None and catch_up_filter(spec, u, where):
            actors.setdefault(delivered(spec, u), set()).add(recipients.actor)
    for use_case, where in lacking:
        if (delivered(spec, use_case), where.address) in covered:
            continue
        found = _derived(spec.model_copy(update={"use_cases": [*spec.use_cases, *added]}), analysis, audience, use_case, where, actors)
        if found is None:
            continue
        covered.add((delivered(spec, use_case), where.address))
        added.append(found[0])
        notes.append(found[1])
    if not added:
        return spec, []
    return spec.model_copy(update={"use_cases": [*spec.use_cases, *added]}), notes


def _named(arch: Architecture, reads: list[UseCase]) -> str | None:
    """The first read's operation as a client calls it: ``GET /v1/me/missed-message-receipts (listMyMissedMessageReceipts)``."""
    for read in reads:
        for api in arch.apis:
            op = next((o for o in api.operations if read.name in o.use_cases and not o.internal), None)
            if op is not None:
                return f"{op.method.upper()} {api.base_path}{op.path} ({op.operation_id})"
    return None


def _fetched(spec: Spec, analysis: Analysis, use_case: UseCase, where: Route) -> list[UseCase]:
    """The reads a reconnecting recipient fetches with, lists first: a write's catch-up reads; a subscribing read itself, else
    a list of its entity filtered by its channel's scope."""
    if use_case.is_write:
        found = catch_up_reads(spec, analysis, use_case, where)
        return sorted(found, key=lambda u: u.kind != "list")
    scoped = f"{snake(where.scope)}_id" if where.scope else None
    lists = [u for u in analysis.of_entity(use_case.entity) if u.kind == "list" and not u.is_write and any(f.column == scoped for f in u.filters)]
    return [use_case, *lists] if use_case.kind == "list" else [*lists, use_case]


def _reconnect(spec: Spec, analysis: Analysis, arch: Architecture, use_case: UseCase, where: Route) -> tuple[str, str | None]:
    """What a recipient not connected does on reconnect, decided once for both sentences that say it: ``latest`` (read the
    current value, or wait for the next push when no read names it), ``current`` (read the row), ``cursor`` (fetch what it
    missed from its last cursor) or ``none`` (no read selects its rows), with the operation it calls."""
    if use_case.is_write and ephemeral(use_case):
        return "latest", _named(arch, current_reads(analysis, use_case))
    fetched = _fetched(spec, analysis, use_case, where)
    named = _named(arch, fetched)
    if named is None:
        return "none", None
    return ("current" if fetched[0].kind == "get" else "cursor"), named


def offline_fetch(spec: Spec, analysis: Analysis, arch: Architecture, use_case: UseCase, where: Route) -> str:
    """What a recipient not connected does on reconnect, naming the operation: fetch what it missed from its last cursor, read the
    current value (a latest value), or nothing (no read can select its rows: said, never promised)."""
    how, named = _reconnect(spec, analysis, arch, use_case, where)
    if how == "latest":
        if named is None:
            return "recipients not connected get the next value pushed after they reconnect; the values pushed meanwhile are replaced, not kept"
        return f"recipients not connected read the current value when they reconnect ({named}); the values pushed meanwhile are replaced, not kept"
    if how == "none":
        return "recipients not connected miss what is pushed meanwhile: no read lists these rows for them from a cursor"
    if how == "current":
        return f"recipients not connected read the current {use_case.entity} when they reconnect: {named}"
    return f"recipients not connected fetch what they missed when they reconnect: {named} from their last cursor"


def reconnecting(spec: Spec, analysis: Analysis, arch: Architecture, use_case: UseCase, where: Route) -> str:
    """The delivery's consequence for a client that reconnects, with the operation it calls (``offline_fetch``)."""
    how, named = _reconnect(spec, analysis, arch, use_case, where)
    if how == "latest":
        if named is None:
            return "A client that reconnects gets the next value pushed; a value pushed meanwhile is replaced, not kept"
        return f"A client that reconnects reads the current value with {named}; a value pushed meanwhile is replaced, not kept"
    if how == "none":
        return "A client that reconnects cannot fetch what it missed: no read lists these rows for it from a cursor"
    if how == "current":
        return f"A client that reconnects reads the current {use_case.entity} with {named}"
    return f"A client that reconnects fetches what it missed from its last cursor with {named}"


def guarantee(spec: Spec, analysis: Analysis, arch: Architecture, use_case: UseCase, where: Route) -> str:
    """The delivery's end-to-end guarantee (``ir.delivery_guarantee.path_guarantee``), from the same reconnect decision as
    ``reconnecting``, so the ADR never promises more than the pub/sub hop keeps nor a catch-up the channel lacks."""
    return path_guarantee(_reconnect(spec, analysis, arch, use_case, where)[0])

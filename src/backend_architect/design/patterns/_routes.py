"""Where a real-time delivery goes (PAT023): the channel's scope, its address and how many receive each message."""

from __future__ import annotations

from dataclasses import dataclass

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.audience import Audiences, audiences
from backend_architect.design.online import people_entity
from backend_architect.design.patterns._chosen import chosen, ignored_fanout
from backend_architect.design.patterns._common import fmt
from backend_architect.design.semantics import is_link
from backend_architect.design.watchers import is_client, subscribed_scope, watched_scope, watcher_reads, watching_reads
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import kebab, parent_relation, plural, snake

#: Fields of a reference that name its writer, not a recipient.
_AUTHOR = frozenset({"author", "sender", "created_by", "owner", "creator", "user", "from"})


@dataclass(frozen=True)
class Route:
    """Where a delivery goes: the channel's scope (a room, a person, an item or everyone) and how many receive each message."""

    scope: str | None
    address: str
    name: str
    recipients: float
    basis: str
    people: bool
    #: The item whose watchers receive each message (a question), when the channel is watched rather than addressed to people.
    item: str | None = None
    #: The actor whose clients the recipients are, when the scope is chosen per message among them (their share online is its).
    actor: str | None = None
    #: ``Entity.field`` of the write's proximity query that chooses the recipients (its flow draws the search).
    near: str | None = None
    #: (subscribers, rows) when the recipients are the subscribers spread over the scope's rows: the recipients figure's inputs.
    spread: tuple[float, float] | None = None
    #: The written row's references leading to the id the channel is addressed by: one (its own ``chat``, ``driver``), more through
    #: rows it refers to (a receipt's ``message``, then its ``sender``), none for the row's own id; None when each message goes to
    #: several ids no row names (a room's members on their own channels, the couriers a proximity query picks).
    path: tuple[str, ...] | None = None
    #: Whether the row names its recipients (its parties: a trip's customer, a message's chat members, a person's own channel):
    #: they see it whole, as a members-only read shows it; anyone else (watchers, the whole stream, people the write picks, a
    #: person named on some other row) is a stranger to its personal fields (``design.pushed_personal_data``).
    parties: bool = False


def reference_chain(spec: Spec, entity: str, scope: str) -> tuple[str, ...] | None:
    """The shortest chain of references from an ``entity`` row to its ``scope`` row, up to three hops (``part_of`` counts as one).

    >>> spec = Spec.model_validate({"system": "s", "entities": {"Chat": {}, "Message": {"fields": {"chat": "ref(Chat)"}},
    ...     "Receipt": {"fields": {"message": "ref(Message)"}}}})
    >>> reference_chain(spec, "Receipt", "Chat"), reference_chain(spec, "Chat", "Receipt")
    (('message', 'chat'), None)
    """
    frontier: list[tuple[str, tuple[str, ...]]] = [(entity, ())]
    seen = {entity}
    for _ in range(3):
        level: list[tuple[str, tuple[str, ...]]] = []
        for name, chain in frontier:
            body = spec.entities[name]
            hops = [(snake(body.part_of), body.part_of)] if body.part_of else []
            hops += [(n, f.type.target) for n, f in body.fields.items() if f.type.kind == "ref" and f.type.target]
            for relation, target in hops:
                if target == scope:
                    return (*chain, relation)
                if target in spec.entities and target not in seen:
                    seen.add(target)
                    level.append((target, (*chain, relation)))
        frontier = level
    return None


def _collection(entity: str) -> str:
    return plural(kebab(entity))


def _rooms(spec: Spec, entity: str, people: str | None) -> list[tuple[str, str]]:
    """Rooms a row belongs to, nearest first: entities it refers to (or is part of, up to three levels) that have members (a link to people)."""
    found: list[tuple[str, str]] = []
    frontier, seen = [entity], {entity}
    for _ in range(3):
        level: list[str] = []
        for name in frontier:
            body = spec.entities[name]
            targets = [body.part_of] if body.part_of else []
            targets += [f.type.target for f in body.fields.values() if f.type.kind == "ref" and f.type.target]
            level += [t for t in targets if t and t not in seen and t != people and t in spec.entities]
        for room in dict.fromkeys(level):
            seen.add(room)
            member = _membership(spec, room, people, entity)
            if member is not None:
                found.append((room, member))
        if found:
            return found
        frontier = list(dict.fromkeys(level))
    return found


def _membership(spec: Spec, room: str, people: str | None, written: str) -> str | None:
    """The link that makes people members of ``room`` (GroupMember: part of Group, with a user, nothing else but its role).

    Never the ``written`` entity itself: a vote links a voter to a question, but an event about the vote is news about the
    question, not a message to the people who voted on it.
    """
    for name, body in spec.entities.items():
        if name == written:
            continue
        parent = parent_relation(spec, name)
        refs = {f.type.target for f in body.fields.values() if f.type.kind == "ref"}
        if parent is not None and parent[1] == room and people is not None and people in refs and is_link(spec, name):
            return name
    return None


def _members(spec: Spec, analysis: Analysis, room: str, member: str) -> tuple[float, str]:
    body = spec.entities[member]
    if body.avg_per_parent is not None:
        return body.avg_per_parent, f"{member}.avg_per_parent"
    rows, rooms = analysis.rows(member), analysis.rows(room)
    average = rows / rooms if rooms else 1.0
    if body.max_per_parent is not None:
        return min(average, body.max_per_parent), f"{member} rows / {room} rows (at most max_per_parent {body.max_per_parent:g})"
    return average, f"{member} rows / {room} rows"


def _addressed(spec: Spec, analysis: Analysis, entity: str, owner: str, people: str | None, target: str) -> tuple[float, str]:
    """People a row is delivered to when ``deliver.to`` names a person on another entity's rows (``ChatMember.user``).

    The row names one person of its own (``Message.sender``) or of a row it refers to (a receipt's message's sender): one
    recipient. But when the named rows are the membership of a room the row belongs to (a message to its chat's members), every
    member gets it: the members per room, the same count the room's own route takes, so the deliveries, pushes and gateway
    figures count the audience once, as the stored row's readers are counted.
    """
    if owner != entity:
        for room, member in _rooms(spec, entity, people):
            if member == owner:
                count, basis = _members(spec, analysis, room, member)
                return count, f"to: {target}, members of the {room} ({basis})"
    return 1.0, f"to: {target}"


def route(spec: Spec, analysis: Analysis, use_case: UseCase, audience: Audiences | None = None) -> Route:
    """Where ``use_case``'s deliveries go and to how many: ``deliver.to``, a read's subscription, a room's members, or the row's parent.

    A channel every subscriber receives (no key: the whole stream) reaches all of them: the stated
    ``deliver.subscribers``, else the subscribing actor's clients online (the audience model); a key
    many clients watch reaches those subscribers spread over the key's rows (at least one).
    """
    audience = audience or audiences(spec, analysis)
    entity = use_case.entity
    people = people_entity(spec)
    items = _collection(entity)
    fanout = use_case.spec.avg_fanout
    target = use_case.spec.deliver.to if use_case.spec.deliver else None
    if target and "." in target:
        owner, _, field = target.partition(".")
        ref = spec.entities[owner].fields.get(field) if owner in spec.entities else None
        scope = ref.type.target if ref is not None and ref.type.target else owner
        # a client (a driver, a device) gets each message on its own connection; an item (a question) reaches its watchers
        stated = bool(use_case.spec.deliver and use_case.spec.deliver.subscribers)
        personal = is_client(spec, analysis, scope, stated)
        spread = None
        if fanout:
            count, basis = fanout, "avg_fanout"
        elif personal:
            count, basis = _addressed(spec, analysis, entity, owner, people, target)
        else:
            count, basis, spread = _item_watchers(spec, analysis, use_case, scope, audience)
        basis = basis if basis.startswith("to: ") else f"to: {target}, {basis}"
        uncreated = _uncreated(spec, analysis, use_case, owner)
        near = None
        if uncreated:
            basis = f"{_existing(spec, use_case, scope, fanout)}; {uncreated}"
            near = use_case.spec.near if use_case.spec.near and basis.startswith("nearby ") else None
        # one named row per message (its own field, or one on a row it refers to) addresses the channel; a room's members,
        # a stated fan-out to people or rows the write picks are several ids no row holds. An item's channel (a text channel
        # its watchers subscribe to) is the one row named whatever avg_fanout says: it counts the watchers, not ids to name
        single = not uncreated and (not personal or (not fanout and basis == f"to: {target}"))
        path = (field,) if owner == entity else ((*chain, field) if (chain := reference_chain(spec, entity, owner)) is not None else None)
        # a person the row reaches through its own references, or the members of the room it belongs to, is a party to it
        members = personal and not fanout and not uncreated and basis.startswith(f"to: {target}, members of the ")
        parties = personal and (members or (single and path is not None))
        address = f"{_collection(scope)}/{{{snake(scope)}_id}}/{items}"
        return Route(
            scope,
            address,
            f"{kebab(scope)}-{items}",
            count,
            basis,
            personal,
            None if personal else scope,
            near=near,
            spread=spread,
            path=path if single else None,
            parties=parties,
        )
    if target:
        return _to_actor(spec, analysis, use_case, target, items, audience)
    if not use_case.is_write:
        return _subscription(spec, analysis, use_case, items, fanout, audience)
    watched = watched_scope(spec, analysis, entity)
    if watched is not None:
        hop, item = watched
        count, basis, spread = (fanout, "avg_fanout", None) if fanout else _item_watchers(spec, analysis, use_case, item, audience)
        within = "" if hop == item else f" the {hop} belongs to"
        address = f"{_collection(hop)}/{{{snake(hop)}_id}}/{items}"
        return Route(
            hop,
            address,
            f"{kebab(hop)}-{items}",
            count,
            f"watchers of the {item}{within} ({basis})",
            False,
            item,
            spread=spread,
            path=reference_chain(spec, entity, hop),
        )
    rooms = _rooms(spec, entity, people)
    if len(rooms) == 1:
        room, member = rooms[0]
        count, basis = (fanout, "avg_fanout") if fanout else _members(spec, analysis, room, member)
        address = f"{_collection(room)}/{{{snake(room)}_id}}/{items}"
        return Route(
            room, address, f"{kebab(room)}-{items}", count, f"members of the {room} ({basis})", True, path=reference_chain(spec, entity, room), parties=True
        )
    if rooms and people:
        counts = [_members(spec, analysis, room, member)[0] for room, member in rooms]
        count = fanout or sum(counts) / len(counts)
        basis = "avg_fanout" if fanout else f"members of its {' or '.join(r for r, _ in rooms)} (average)"
        return Route(people, f"{_collection(people)}/{{{snake(people)}_id}}/{items}", f"{kebab(people)}-{items}", count, basis, True, parties=True)
    recipient = _recipient(spec, entity, people)
    if recipient is not None and people is not None:
        address = f"{_collection(people)}/{{{snake(people)}_id}}/{items}"
        return Route(
            people, address, f"{kebab(people)}-{items}", fanout or 1.0, f"its {recipient}", True, path=None if fanout else (recipient,), parties=not fanout
        )
    parent = parent_relation(spec, entity)
    if parent is not None:
        scope = parent[1]
        count, basis, spread = (
            (fanout, "avg_fanout", None) if fanout else (1.0, "one", None) if scope == people else _item_watchers(spec, analysis, use_case, scope, audience)
        )
        return Route(
            scope,
            f"{_collection(scope)}/{{{snake(scope)}_id}}/{items}",
            f"{kebab(scope)}-{items}",
            count,
            f"watchers of the {scope} ({basis})",
            scope == people,
            spread=spread,
            path=(parent[0],),
            parties=scope == people and not fanout,
        )
    given = use_case.spec.deliver.subscribers if use_case.spec.deliver else None
    subscribers = given or audience.connections or 1.0
    if people is not None and (picked := chosen(spec, analysis, use_case, people, subscribers)) is not None:
        return Route(people, f"{_collection(people)}/{{{snake(people)}_id}}/{items}", f"{kebab(people)}-{items}", picked.count, picked.basis, True)
    basis = ("deliver.subscribers" if given else "every connected client") + ignored_fanout(spec, analysis, use_case)
    return Route(None, items, items, subscribers, f"subscribers of the whole stream, every one receiving each message ({basis})", False)


def _to_actor(spec: Spec, analysis: Analysis, use_case: UseCase, target: str, items: str, audience: Audiences) -> Route:
    """``deliver.to: <actor>``: every connected client of the actor on one unkeyed channel, or the subset each write chooses
    (_chosen.py) on a channel addressed per recipient, sized by that subset and the actor's share online."""
    whom = audience.of(target)
    scope = whom.entity or target
    picked = chosen(spec, analysis, use_case, whom.entity, whom.clients)
    if picked is not None:
        address = f"{_collection(scope)}/{{{snake(scope)}_id}}/{items}"
        return Route(scope, address, f"{kebab(scope)}-{items}", picked.count, picked.basis, True, actor=target, near=picked.near)
    basis = f"every connected {target}, every one receiving each message ({fmt(whom.clients)} online{ignored_fanout(spec, analysis, use_case)})"
    return Route(None, f"{kebab(target)}/{items}", f"{kebab(target)}-{items}", whom.clients, basis, False, actor=target)


def _item_watchers(spec: Spec, analysis: Analysis, use_case: UseCase, scope: str, audience: Audiences) -> tuple[float, str, tuple[float, float] | None]:
    """Clients watching one ``scope`` row: the subscribers spread over its rows (at least one), counted as the reads subscribing
    to it count them (watchers.py): the write's stated ``deliver.subscribers``, else the most any watching read states (or its
    actor's clients online); one when nothing in the spec counts them."""
    stated = use_case.spec.deliver.subscribers if use_case.spec.deliver else None
    source = "deliver.subscribers"
    if not stated:
        # no read subscribes: the readers of the item's public page watch it (the channel takes them anonymously)
        subscribing = bool(watching_reads(spec, analysis, scope))
        counted = [(_read_subscribers(u, audience), u.name) for u in watcher_reads(spec, analysis, scope)]
        if counted:
            (stated, how), by = max(counted)
            through = "watching through" if subscribing else "watching anonymously through the public page"
            source = f"{how} of '{by}'" if how == source else f"{how}, {through} '{by}'"
    rows = analysis.rows(scope) if scope in analysis.entities else 0.0
    if not stated or not rows:
        return 1.0, f"one watcher (no read subscribes to a {scope} or opens its page without login, no deliver.subscribers)", None
    return max(1.0, stated / rows), f"{fmt(stated)} subscribers ({source}) over {fmt(rows)} {scope} rows, at least 1", (stated, rows)


def _read_subscribers(use_case: UseCase, audience: Audiences) -> tuple[float, str]:
    """A subscribing read's subscribers and where the number comes from: its ``deliver.subscribers``, else its actor's clients online."""
    deliver = use_case.spec.deliver
    if deliver is not None and deliver.subscribers:
        return deliver.subscribers, "deliver.subscribers"
    return audience.of(use_case.spec.actor).clients, f"{use_case.spec.actor} clients online"


def _uncreated(spec: Spec, analysis: Analysis, use_case: UseCase, owner: str) -> str:
    """Why a ``to: Owner.field`` cannot be read from rows: they belong to the row just written (a ride offer of this trip) and
    no use case creates them (empty when one does, when this write does, or when the written row refers to an existing one)."""
    entity = use_case.entity
    if owner == entity or owner in use_case.writes or owner not in spec.entities:
        return ""
    body = spec.entities[owner]
    belongs = body.part_of == entity or any(f.type.kind == "ref" and f.type.target == entity for f in body.fields.values())
    creating = [u for u in analysis.use_cases if u.kind == "create" and (u.entity == owner or owner in u.spec.writes)]
    return f"no use case creates {owner} rows, so the recipients are not read from them" if belongs and not creating else ""


def _existing(spec: Spec, use_case: UseCase, scope: str, fanout: float | None) -> str:
    """The recipients derived from what the spec does produce: the ``scope`` rows the write's proximity query finds, else the write's ``scope``."""
    how = "avg_fanout" if fanout else "one"
    near = use_case.spec.near
    if near:
        found = near.split(".")[0]
        body = spec.entities.get(found)
        via = next((n for n, f in body.fields.items() if f.type.kind == "ref" and f.type.target == scope), None) if body else None
        if found == scope or via:
            each = f"each {scope}" if found == scope else f"the {scope} of each {found} ({found}.{via})"
            return f"nearby {scope}s: {each} the proximity query finds (near: {near}), {how} a message"
    return f"the {scope} the write names, {how} a message"


def _recipient(spec: Spec, entity: str, people: str | None) -> str | None:
    """A reference to people that names who receives the row (``recipient``), beside the one naming its writer."""
    refs = [n for n, f in spec.entities[entity].fields.items() if f.type.kind == "ref" and f.type.target == people]
    others = [n for n in refs if n not in _AUTHOR]
    return others[0] if len(refs) >= 2 and others else None


def _subscription(spec: Spec, analysis: Analysis, use_case: UseCase, items: str, fanout: float | None, audience: Audiences) -> Route:
    """A read with ``deliver`` subscribes to what it reads: one item, the rows of one parent it filters by, or every row.

    Its subscribers are ``deliver.subscribers``, else the reading actor's clients online; every one receives each message of
    the whole stream, and a keyed channel's messages reach the subscribers watching that key (spread over its rows).
    """
    entity = use_case.entity
    deliver = use_case.spec.deliver
    subscribers = (deliver.subscribers if deliver else None) or audience.of(use_case.spec.actor).clients
    source = "deliver.subscribers" if deliver and deliver.subscribers else f"{use_case.spec.actor} clients online"

    def watchers(scope: str) -> tuple[float, str]:  # the same count _item_watchers gives a write delivered to this item
        if fanout:
            return fanout, "avg_fanout"
        rows = analysis.rows(scope) if scope in analysis.entities else 0.0
        each = max(1.0, subscribers / rows) if rows else 1.0
        return each, f"{fmt(subscribers)} subscribers ({source}) over {fmt(rows)} {scope} rows, at least 1"

    scope = subscribed_scope(spec, use_case)
    if scope == entity and use_case.kind == "get":
        count, basis = watchers(entity)
        return Route(entity, f"{items}/{{{snake(entity)}_id}}", f"{kebab(entity)}-updates", count, f"clients watching one {entity}: {basis}", False, path=())
    if scope is not None:
        count, basis = watchers(scope)
        address = f"{_collection(scope)}/{{{snake(scope)}_id}}/{items}"
        return Route(scope, address, f"{kebab(scope)}-{items}", count, f"clients watching a {scope}: {basis}", False, path=reference_chain(spec, entity, scope))
    return Route(None, items, f"{items}-stream", subscribers, f"subscribers of the whole stream, every one receiving each message ({source})", False)


__all__ = ["Route", "reference_chain", "route"]

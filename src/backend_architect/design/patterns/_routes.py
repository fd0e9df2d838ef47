"""Where a real-time delivery goes (PAT023): the channel's scope, its address and how many receive each message."""

from __future__ import annotations

from dataclasses import dataclass

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.audience import Audiences, audiences
from backend_architect.design.online import people_entity
from backend_architect.design.patterns._common import fmt
from backend_architect.design.semantics import is_link
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
            member = _membership(spec, room, people)
            if member is not None:
                found.append((room, member))
        if found:
            return found
        frontier = list(dict.fromkeys(level))
    return found


def _membership(spec: Spec, room: str, people: str | None) -> str | None:
    """The link that makes people members of ``room`` (GroupMember: part of Group, with a user, nothing else but its role)."""
    for name, body in spec.entities.items():
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
        # stated subscribers make the target an item its watchers follow (a question), not one connected client (a driver)
        watched = bool(use_case.spec.deliver and use_case.spec.deliver.subscribers)
        personal = audience.of_entity(scope) is not None and not watched
        count, basis = (fanout, "avg_fanout") if fanout else (1.0, f"to: {target}") if personal else _item_watchers(analysis, use_case, scope)
        return Route(
            scope,
            f"{_collection(scope)}/{{{snake(scope)}_id}}/{items}",
            f"{kebab(scope)}-{items}",
            count,
            basis if basis.startswith("to: ") else f"to: {target}, {basis}",
            personal,
        )
    if target:
        clients = audience.of(target).clients
        return Route(
            None, f"{kebab(target)}/{items}", f"{kebab(target)}-{items}", fanout or clients, f"every connected {target} ({fmt(clients)} online)", False
        )
    if not use_case.is_write:
        return _subscription(spec, analysis, use_case, items, fanout, audience)
    rooms = _rooms(spec, entity, people)
    if len(rooms) == 1:
        room, member = rooms[0]
        count, basis = (fanout, "avg_fanout") if fanout else _members(spec, analysis, room, member)
        return Route(room, f"{_collection(room)}/{{{snake(room)}_id}}/{items}", f"{kebab(room)}-{items}", count, f"members of the {room} ({basis})", True)
    if rooms and people:
        counts = [_members(spec, analysis, room, member)[0] for room, member in rooms]
        count = fanout or sum(counts) / len(counts)
        basis = "avg_fanout" if fanout else f"members of its {' or '.join(r for r, _ in rooms)} (average)"
        return Route(people, f"{_collection(people)}/{{{snake(people)}_id}}/{items}", f"{kebab(people)}-{items}", count, basis, True)
    recipient = _recipient(spec, entity, people)
    if recipient is not None and people is not None:
        return Route(people, f"{_collection(people)}/{{{snake(people)}_id}}/{items}", f"{kebab(people)}-{items}", fanout or 1.0, f"its {recipient}", True)
    parent = parent_relation(spec, entity)
    if parent is not None:
        scope = parent[1]
        count, basis = (fanout, "avg_fanout") if fanout else (1.0, "one") if scope == people else _item_watchers(analysis, use_case, scope)
        return Route(
            scope,
            f"{_collection(scope)}/{{{snake(scope)}_id}}/{items}",
            f"{kebab(scope)}-{items}",
            count,
            f"watchers of the {scope} ({basis})",
            scope == people,
        )
    stated = use_case.spec.deliver.subscribers if use_case.spec.deliver else None
    subscribers = fanout or stated or audience.connections or 1.0
    basis = "avg_fanout" if fanout else "deliver.subscribers" if stated else "every connected client"
    return Route(None, items, items, subscribers, f"subscribers of the whole stream ({basis})", False)


def _item_watchers(analysis: Analysis, use_case: UseCase, scope: str) -> tuple[float, str]:
    """Clients watching one ``scope`` row when a write is delivered to its watchers: the stated subscribers spread over its rows
    (at least one), as a read subscribing to the same key counts them; one when the spec states none."""
    stated = use_case.spec.deliver.subscribers if use_case.spec.deliver else None
    rows = analysis.rows(scope) if scope in analysis.entities else 0.0
    if not stated or not rows:
        return 1.0, "one watcher (no deliver.subscribers)"
    return max(1.0, stated / rows), f"{fmt(stated)} subscribers (deliver.subscribers) over {fmt(rows)} {scope} rows, at least 1"


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

    def watchers(scope: str) -> tuple[float, str]:
        if fanout:
            return fanout, "avg_fanout"
        rows = analysis.rows(scope) if scope in analysis.entities else 0.0
        each = max(1.0, subscribers / rows) if rows else 1.0
        return each, f"{fmt(subscribers)} subscribers ({source}) over {fmt(rows)} {scope} rows, at least 1"

    if use_case.kind == "get":
        count, basis = watchers(entity)
        return Route(entity, f"{items}/{{{snake(entity)}_id}}", f"{kebab(entity)}-updates", count, f"clients watching one {entity}: {basis}", False)
    for ref in use_case.filters:
        if ref.constant is None and ref.entity == entity and ref.column and ref.column.endswith("_id"):
            field = spec.entities[entity].fields.get(ref.field)
            base = ref.column.removesuffix("_id")
            # a part's parent (part_of) has no field of its own: its column names the entity
            scope = field.type.target if field is not None and field.type.target else next((n for n in spec.entities if snake(n) == base), base)
            count, basis = watchers(scope)
            return Route(
                scope, f"{_collection(scope)}/{{{snake(scope)}_id}}/{items}", f"{kebab(scope)}-{items}", count, f"clients watching a {scope}: {basis}", False
            )
    count = fanout or subscribers
    basis = "avg_fanout" if fanout else source
    return Route(None, items, f"{items}-stream", count, f"subscribers of the whole stream, every one receiving each message ({basis})", False)


__all__ = ["Route", "route"]

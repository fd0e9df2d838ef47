"""Who a real-time delivery's recipient is: a connected client (a person, a driver, a device) or an item its watchers follow.

``deliver.to: Entity.field`` names the rows each message goes to, and a write delivered without
``to`` goes to the row's room or item. The audience model and the channel's route (PAT023) both
read this one decision, so a channel's recipients and the gateway's connections never disagree:

1. an entity whose rows connect is a **client**: the people (who log in), an entity an actor is
   (``actor: driver`` -> Driver, ``actor: device`` -> Device), one with ``presence``; each message
   reaches that row's connection, and the entity's clients online are counted by the audience;
2. an entity a read subscribes to (a ``get`` of it with ``deliver``, a list of its parts filtered
   by it with ``deliver``), or a delivery stating ``deliver.subscribers``, is an **item** its
   watchers follow (a question everyone viewing it sees): each message reaches the subscribers
   spread over its rows, and its rows hold no connection of their own;
3. an entity people author (a reference to the people, no actor of its own) is an item too,
   watched by the readers of its public page (a get anyone may open: they hold the gateway's
   connections, anonymously), else by nobody the spec counts (one watcher a message); so is a room: an entity with members,
   or a part of one (a server's channel), whose members' clients are the people's connections,
   not connections of its own;
4. any other entity (a restaurant's tablet, a kiosk: no person authors it) is a client, one
   connection a row.
"""

from __future__ import annotations

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import snake


def subscribed_scope(spec: Spec, use_case: UseCase) -> str | None:
    """The item a subscribing read watches: the row it gets, or the parent whose parts it lists; None for the whole stream."""
    entity = use_case.entity
    if use_case.kind == "get":
        return entity
    for ref in use_case.filters:
        if ref.constant is None and ref.entity == entity and ref.column and ref.column.endswith("_id"):
            field = spec.entities[entity].fields.get(ref.field)
            base = ref.column.removesuffix("_id")
            # a part's parent (part_of) has no field of its own: its column names the entity
            return field.type.target if field is not None and field.type.target else next((n for n in spec.entities if snake(n) == base), base)
    return None


def watching_reads(spec: Spec, analysis: Analysis, entity: str) -> list[UseCase]:
    """The reads that subscribe to one ``entity`` row at a time (its watchers' subscriptions)."""
    return [
        u for u in analysis.use_cases if not u.is_write and u.spec.deliver is not None and u.spec.deliver.mode != "push" and subscribed_scope(spec, u) == entity
    ]


def page_reads(spec: Spec, analysis: Analysis, entity: str) -> list[UseCase]:
    """The gets of one ``entity`` row anyone may open (``auth: none`` or ``optional``): its public page, unless a list of its
    parts needs a login.

    Why: a channel about an item whose page needs no login is public (anonymous subscribers), so whoever has the page
    open is its watcher. With no read subscribing, those page readers are the watchers a message reaches and the
    clients that hold the gateway's connections; counting one watcher beside a gateway accepting every open page
    anonymously gave one channel two audiences (run 22, stackoverflow C0/C1).
    """
    # the rows shown under the item (its answers) listed behind a login make its channel private: nobody watches anonymously
    parts = [u for u in analysis.use_cases if not u.is_write and u.kind == "list" and u.entity != entity and subscribed_scope(spec, u) == entity]
    if any(u.spec.auth == "required" for u in parts):
        return []
    return [u for u in analysis.of_entity(entity) if not u.is_write and u.kind == "get" and u.spec.auth != "required"]


def watcher_reads(spec: Spec, analysis: Analysis, entity: str) -> list[UseCase]:
    """The reads whose clients watch one ``entity`` row: those that subscribe to it, else its public page's readers."""
    return watching_reads(spec, analysis, entity) or page_reads(spec, analysis, entity)


def actor_entities(spec: Spec, analysis: Analysis) -> set[str]:
    """Entities some use case's actor is (its signed-in caller, or the entity named like the actor)."""
    found = {u.caller for u in analysis.use_cases if u.caller}
    for use_case in analysis.use_cases:
        actor = snake(use_case.spec.actor)
        found |= {n for n in spec.entities if snake(n) in {actor, actor.removesuffix("s")}}
    return found


def authored(spec: Spec, entity: str, people: str | None) -> bool:
    """Rows people make: the entity refers to the people (its author, owner or asker)."""
    body = spec.entities[entity]
    return people is not None and any(f.type.kind == "ref" and f.type.target == people for f in body.fields.values())


def connects(spec: Spec, analysis: Analysis, entity: str) -> bool:
    """Rows of ``entity`` are people or machines that open connections of their own (rule 1): the people, an entity with
    presence, one some actor is. A delivery to them stating subscribers counts how many of them are connected for it."""
    body = spec.entities.get(entity)
    return body is not None and (entity == analysis.people or body.presence is not None or entity in actor_entities(spec, analysis))


def is_client(spec: Spec, analysis: Analysis, entity: str, stated_subscribers: bool = False) -> bool:
    """Rows of ``entity`` receive deliveries on connections of their own (see the module's rules); False for a watched item."""
    body = spec.entities.get(entity)
    if body is None:
        return False
    if connects(spec, analysis, entity):
        return not stated_subscribers
    if stated_subscribers or watching_reads(spec, analysis, entity):
        return False
    from backend_architect.design.membership import nearest_membership  # membership reads the analysis this module serves

    if nearest_membership(spec, entity, analysis.people) is not None:
        return False
    return not authored(spec, entity, analysis.people)


def watched_scope(spec: Spec, analysis: Analysis, entity: str) -> tuple[str, str] | None:
    """For a write delivered without ``to``: (the row's own parent or reference that keys the channel, the watched item above it).

    An event about a row reaches the watchers of the item it belongs to (a vote on a question, a vote on one of the
    question's answers), never the rows that wrote it: the nearest item a read subscribes to, up to three levels up;
    the channel is keyed by the row's own link on that path, so each event carries its key.
    """
    body = spec.entities[entity]
    hops = [t for t in ([body.part_of] if body.part_of else []) + [f.type.target for f in body.fields.values() if f.type.kind == "ref"] if t]
    for hop in dict.fromkeys(h for h in hops if h in spec.entities and h != analysis.people):
        frontier, seen = [hop], {entity, hop}
        for _ in range(3):
            level: list[str] = []
            for name in frontier:
                if watching_reads(spec, analysis, name):
                    return hop, name
                parent = spec.entities[name]
                level += [t for t in ([parent.part_of] if parent.part_of else []) if t and t not in seen and t in spec.entities]
            seen.update(level)
            frontier = level
    return None


__all__ = ["actor_entities", "authored", "connects", "is_client", "page_reads", "subscribed_scope", "watched_scope", "watcher_reads", "watching_reads"]
